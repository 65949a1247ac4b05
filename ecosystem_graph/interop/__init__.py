"""Interop: import from what consultants already have (Kumu workbooks and JSON, CSV), export to other tools.

:func:`import_source` reads a Kumu-style ``.xlsx`` workbook, a Kumu JSON blueprint, a CSV pair
(``nodes.csv`` + ``relationships.csv``), or a GraphML/GEXF file written by :func:`export_model`, and
returns a validated model; :func:`export_model` writes GraphML, GEXF, a CSV pair, JSON, a Cypher script
or a workbook. The formats and their encodings are described in ``docs/interop.md``.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING, Any

from ..errors import InputError, InteropError
from .export import EXPORT_FORMATS, export_model, export_texts

if TYPE_CHECKING:
    from .tabular import ImportOptions, ImportProblem, ImportResult, TypeMap, parse_type_map

__all__ = [
    "IMPORT_FORMATS",
    "EXPORT_FORMATS",
    "ImportOptions",
    "ImportProblem",
    "ImportResult",
    "TypeMap",
    "parse_type_map",
    "import_format",
    "import_source",
    "export_model",
    "export_texts",
]

_FROM_TABULAR = frozenset({"ImportOptions", "ImportProblem", "ImportResult", "TypeMap", "parse_type_map"})


def __getattr__(name: str) -> Any:
    # The tabular names load the model (pydantic) on first use, not when the CLI starts.
    if name in _FROM_TABULAR:
        from . import tabular

        return getattr(tabular, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


IMPORT_FORMATS = ("xlsx", "kumu-json", "csv", "graphml", "gexf", "model-json")


def import_format(source: str | os.PathLike) -> str:
    """The format of an import source, from its name: a directory or ``*.csv`` is a CSV pair,
    ``.xlsx``/``.xlsm`` a workbook, ``.json`` Kumu JSON (or a model file), ``.graphml``, ``.gexf``."""
    p = Path(source)
    if p.is_dir():
        return "csv"
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".json":
        return "kumu-json"
    if suffix == ".csv":
        return "csv"
    if suffix in (".graphml", ".gexf"):
        return suffix[1:]
    raise InputError(f"{source}: cannot tell the format from the name; expected a .xlsx workbook, a Kumu .json, "
                     f"a directory with nodes.csv and relationships.csv (or one of them), .graphml or .gexf")


def _check_size(path: Path, max_bytes: int) -> None:
    from ..fileio import check_input_file

    check_input_file(path, max_bytes, what="file to import")


def _with_options(model, options: ImportOptions, source: str):
    """Apply --name/--currency/--period/--money-unit to a model read from a format that carries them."""
    from ..validation import validate_data

    changes = {k: getattr(options, k) for k in ("name", "currency", "period", "money_unit")
               if getattr(options, k) is not None}
    if not changes:
        return model
    data = model.to_data()
    data.update(changes)
    new, problems = validate_data(data)
    if new is None:
        for p in problems:
            p.source = source
        raise InteropError("\n".join(p.format() for p in problems if p.is_error), problems=problems)
    return new


def import_source(source: str | os.PathLike, options: ImportOptions | None = None, *,
                  max_bytes: int | None = None, max_cells: int | None = None) -> ImportResult:
    """Import ``source`` (format from its name, see :func:`import_format`) as a validated model.

    ``max_bytes`` bounds the file (a workbook: also its members once inflated), ``max_cells`` the cells
    of one sheet of a workbook; None takes ``ECOGRAPH_MAX_BYTES`` / ``ECOGRAPH_MAX_CELLS`` or the defaults.

    Raises InputError when the source cannot be read, and InteropError listing every problem (with
    sheet and cell, line and column, or path) when it does not make a valid model.
    """
    from ..fileio import max_bytes_from_env
    from .tabular import ImportOptions, ImportResult

    options = options or ImportOptions()
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    fmt = import_format(source)
    path = Path(source)
    if fmt == "csv":
        from .csvpair import read_csv_pair

        return read_csv_pair(source, options, max_bytes=limit)
    _check_size(path, limit)
    if fmt == "xlsx":
        from .kumu import read_workbook
        from .workbook_guard import WorkbookLimits, max_cells_from_env

        cells = max_cells if max_cells is not None else max_cells_from_env()
        return read_workbook(source, options, limits=WorkbookLimits(limit, cells))
    if fmt in ("graphml", "gexf"):
        from .interchange import read_graph_file

        model = read_graph_file(str(source), fmt)
        return ImportResult(_with_options(model, options, str(source)), [])
    from ..fileio import read_bytes_limited

    raw = read_bytes_limited(path, limit, what="file to import")
    import json

    try:
        head = json.loads(raw)
    except (ValueError, RecursionError):
        head = None
    if isinstance(head, dict) and "nodes" in head and "elements" not in head:
        # A model file in JSON (e.g. from `ecograph export --format json`): validate it as one.
        from ..fileio import parse_model_text

        result = parse_model_text(raw, str(source), "json")
        if result.model is None:
            errors = result.errors
            raise InteropError("\n".join(p.format() for p in result.problems)
                               + f"\n{len(errors)} error{'s' if len(errors) != 1 else ''} in {source}; "
                                 f"nothing written", problems=result.problems)
        return ImportResult(_with_options(result.model, options, str(source)), list(result.warnings))
    from .kumu import read_kumu_json

    return read_kumu_json(raw, str(source), options)
