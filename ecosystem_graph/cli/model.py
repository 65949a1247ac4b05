"""The model commands of ``ecograph``: validate, schema, show, init, generate."""

from __future__ import annotations

import json
import os

import click

from ..errors import UsageError
from .options import (MAX_GENERATED_NODES, echo_json, echo_line, echo_tables, format_option, load_model_for_cli,
                      max_bytes_option, model_file_argument, output_option)

__all__ = ["validate", "schema", "show", "init", "generate"]


@click.command()
@model_file_argument("files", nargs=-1)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings and no summary.")
@max_bytes_option
def validate(files: tuple[str, ...], quiet: bool, max_bytes: int | None) -> None:
    """Check model FILES and report every problem at once.

    Each problem is one line, FILE:LINE:COLUMN: message, with a suggestion where there is one.
    Exit status: 0 when every file is valid (warnings allowed), 1 when any has errors.

    \b
    Example:
      $ ecograph validate examples/amazon.yaml
      examples/amazon.yaml: valid (25 nodes, 66 relationships)
    """
    from ..errors import InputError
    from ..fileio import check_file

    failed = False
    for path in files:
        try:
            result = check_file(path, max_bytes=max_bytes, build_model=False)
        except InputError as exc:
            echo_line(f"Error: {exc}", err=True)
            failed = True
            continue
        shown = result.errors if quiet else result.problems
        for p in shown:
            echo_line(p.format(), err=p.is_error)
        if not result.valid:
            failed = True
            if not quiet:
                n = len(result.errors)
                echo_line(f"{path}: {n} error{'s' if n != 1 else ''}", err=True)
        elif not quiet:
            nodes, relationships = result.counts
            warn = f", {len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}" if result.warnings else ""
            echo_line(f"{path}: valid ({nodes} nodes, {relationships} relationships{warn})")
    if failed:
        raise SystemExit(1)


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the schema to this file instead of standard output.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of model files.

    Point your editor at it for completion and checking, e.g. with the YAML language server put
    this first line in a model file:

    \b
      # yaml-language-server: $schema=ecosystem.schema.json
    """
    from ..fileio import write_text_atomic
    from ..model import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)


@click.command()
@model_file_argument()
@format_option("table", "json")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the best-connected nodes to list.")
@max_bytes_option
def show(file: str, fmt: str, top: int, max_bytes: int | None) -> None:
    """Summarize model FILE: nodes by kind, relationships by type, money by stream, top nodes.

    \b
    Example:
      ecograph show examples/amazon.yaml
      ecograph show examples/amazon.yaml --format json --top 3
    """
    from ..summary import summarize

    summary = summarize(load_model_for_cli(file, max_bytes), top=top)
    if fmt == "json":
        echo_json(summary.to_dict())
    else:
        echo_tables(summary.tables(), fmt)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@click.option("--template", type=click.Choice(["blank", "amazon"]), default="blank", show_default=True,
              help="blank: one core, one segment; amazon: the full Amazon 2023 example.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, template: str, force: bool) -> None:
    """Write a new model file at PATH that validates, to start from.

    \b
    Example:
      ecograph init client.yaml --template amazon
    """
    from ..templates import template_text

    if os.path.exists(path) and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    from ..fileio import write_text_atomic

    try:
        write_text_atomic(path, template_text(template))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    echo_line(f"Wrote {path} ({template} template). Next: ecograph validate {path}")


@click.command()
@click.option("--nodes", "-n", type=click.IntRange(min=5, max=MAX_GENERATED_NODES), required=True,
              help="How many nodes (5 to 10,000,000).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same ecosystem.")
@output_option(help="File to write (.yaml/.yml or .json).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="File format [default: from the file name].")
def generate(nodes: int, seed: int, output: str, fmt: str | None) -> None:
    """Write a synthetic ecosystem of about N nodes and 3N relationships.

    The shape is realistic: a few cores, ~2% satellites, ~3% channels, ~25% partners, the rest
    segments (40% of them in four-stage funnels), with money flows and lock-in bindings. The same
    --nodes and --seed give the same file. Used by tests and benchmarks.

    \b
    Example:
      ecograph generate --nodes 100000 --seed 1 -o big.yaml
    """
    from ..fileio import format_for
    from ..generate import shape_for, write_generated
    from ..progress import progress_bar

    shape_for(nodes)  # usage errors before any work
    with progress_bar(f"Writing {output}", total=None if nodes < 50_000 else nodes * 4) as advance:
        try:
            n_nodes, n_rels = write_generated(output, nodes, seed, fmt or format_for(output), progress=advance)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    echo_line(f"Wrote {output}: {n_nodes:,} nodes, {n_rels:,} relationships (seed {seed})")
