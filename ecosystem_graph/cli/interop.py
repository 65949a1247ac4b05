"""``ecograph import`` and ``ecograph export``: the click layer over :mod:`ecosystem_graph.interop`."""

from __future__ import annotations

import re

import click

from .options import echo_line, load_model_for_cli, max_bytes_option, model_file_argument, output_option
from ..errors import InteropError, ModelValidationError, UsageError
from ..interop import EXPORT_FORMATS

__all__ = ["import_command", "export_command"]


@click.command("import")
@click.argument("source", type=click.Path(path_type=str))
@output_option(help="Model file to write (.yaml, .yml or .json).")
@click.option("--map", "maps", multiple=True, metavar="'TYPE=KIND'",
              help="Map a source type to a node kind or relationship type, e.g. 'Product=satellite' or "
                   "'Buys from=PAYS' (repeatable; types compare case-insensitively).")
@click.option("--name", default=None, help="Ecosystem name [default: from the source, else its file name].")
@click.option("--currency", default=None, metavar="CODE",
              help="ISO 4217 currency of every amount [default: from the source, else USD].")
@click.option("--period", default=None, help="Period amounts refer to, e.g. 2023 [default: from the source, "
                                             "else 'unspecified'].")
@click.option("--money-unit", default=None, help="Scale of every amount, e.g. million.")
@max_bytes_option
@click.option("--max-cells", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse workbooks with a sheet of more than N cells, or more than N shared strings "
                   "[default: 1,000,000, or ECOGRAPH_MAX_CELLS].")
def import_command(source: str, output: str, maps: tuple[str, ...], name: str | None, currency: str | None,
                   period: str | None, money_unit: str | None, max_bytes: int | None,
                   max_cells: int | None) -> None:
    """Import SOURCE (a Kumu workbook, Kumu JSON or a CSV pair) into a model file.

    \b
    SOURCE is one of:
      book.xlsx       sheets Elements (Label, Type, Description, Tags, ...) and
                      Connections (From, To, Type, Amount, ...); optional sheet
                      Ecosystem with Key/Value rows (name, currency, period)
      map.json        Kumu JSON: {"elements": [...], "connections": [...]}
      DIR or nodes.csv  nodes.csv + relationships.csv side by side
      x.graphml, x.gexf, x.json   files written by `ecograph export`

    Element types become node kinds by name (Satellite, satellites, Customer segment...) and
    connection types relationship types (Pays, depends on...), or as --map says. Other columns
    become the field of that name (Amount -> amount, Switching cost -> switching_cost) or an
    attribute. Every problem is reported at once, with sheet and cell (or line and column); nothing
    is written unless the import makes a valid model.

    \b
    A workbook is checked before it is read: its parts may inflate to
    --max-bytes in total (and not more than 200 times their stored size),
    a sheet may hold --max-cells cells, no XML part may declare a DTD.
    A cell starting with ' and then = + - @ TAB CR or ' (a formula that
    `ecograph export` neutralised) loses that one quote.

    \b
    Examples:
      ecograph import workshop.xlsx -o amazon.yaml --currency USD --period 2023
      ecograph import kumu.json -o m.yaml --map "Product=satellite" --map "Buys=PAYS"
      ecograph import exports/ -o m.yaml --name "Amazon 2023"
    """
    from ..fileio import output_target, save_model
    from ..interop import ImportOptions, import_source, parse_type_map

    if currency is not None:
        currency = currency.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise UsageError(f"--currency must be a 3-letter ISO 4217 code such as USD or EUR, not '{currency}'")
    if period is not None and not period.strip():
        raise UsageError("--period must not be empty")
    if name is not None and not name.strip():
        raise UsageError("--name must not be empty")
    if not output.lower().endswith((".yaml", ".yml", ".json")):
        raise UsageError(f"-o {output}: the model file must end in .yaml, .yml or .json")
    output_target(output)  # a device, FIFO or directory is refused before any work
    options = ImportOptions(name=name, currency=currency, period=period, money_unit=money_unit,
                            type_map=parse_type_map(maps))
    try:
        result = import_source(source, options, max_bytes=max_bytes, max_cells=max_cells)
    except InteropError as exc:
        if exc.problems:
            raise ModelValidationError(exc.problems, source) from None
        raise
    for p in result.warnings:
        echo_line(p.format(), err=True)
    save_model(result.model, output)
    m = result.model
    echo_line(f"Imported {len(m.nodes)} nodes and {len(m.relationships)} relationships from {source} "
              f"into {output}")


@click.command("export")
@model_file_argument("model")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="graphml/gexf (Gephi, networkx), csv (nodes.csv + relationships.csv into the -o "
                   "directory), json (the model file), cypher (script for Neo4j), xlsx (Kumu workbook).")
@click.option("-o", "--output", type=click.Path(path_type=str), required=True,
              help="File to write (a directory for --format csv, created if missing, reused if it exists).")
@click.option("--ecosystem", default=None,
              help="cypher only: ecosystem name in the database [default: the model's name].")
@max_bytes_option
def export_command(model: str, fmt: str, output: str, ecosystem: str | None, max_bytes: int | None) -> None:
    """Export MODEL to another tool's format.

    Every node and relationship keeps all its values: lists (tags, mechanisms) are JSON text in
    GraphML and GEXF, and `ecograph import` reads every format back. The Cypher script writes the
    ecosystem in the layout `ecograph db push` uses; run it with `cypher-shell -f FILE`. In csv and
    xlsx, text starting with = + - @ TAB or CR gets a leading ' so that no spreadsheet runs it as a
    formula (`ecograph import` removes it).

    \b
    Examples:
      ecograph export amazon.yaml --format gexf -o amazon.gexf
      ecograph export amazon.yaml --format csv -o amazon-csv/
      ecograph export amazon.yaml --format cypher -o amazon.cypher
      ecograph export amazon.yaml --format xlsx -o amazon.xlsx
    """
    from ..interop import export_model

    if fmt != "cypher" and ecosystem is not None:
        raise UsageError("--ecosystem is only for --format cypher")
    if ecosystem is not None and not ecosystem.strip():
        raise UsageError("--ecosystem must not be empty")
    loaded = load_model_for_cli(model, max_bytes)
    written = export_model(loaded, fmt, output, ecosystem=ecosystem)
    echo_line(f"Exported {len(loaded.nodes)} nodes and {len(loaded.relationships)} relationships as {fmt} "
              f"to {' and '.join(written)}")
