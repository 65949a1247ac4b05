"""A pair of CSV files, ``nodes.csv`` and ``relationships.csv``: import and export."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_bytes_limited
from ..formulas import csv_text, restore_cell
from ..model import Ecosystem
from .flatten import flatten_model
from .tabular import ImportOptions, ImportResult, Location, Record, build_model, normalize_key

__all__ = ["NODES_FILE", "RELATIONSHIPS_FILE", "csv_pair_paths", "read_csv_pair", "csv_pair_texts",
           "parse_csv_records"]

NODES_FILE = "nodes.csv"
RELATIONSHIPS_FILE = "relationships.csv"


def csv_pair_paths(source: str | os.PathLike) -> tuple[Path, Path]:
    """The two files of a CSV pair given a directory holding them, or either file
    (``x/nodes.csv`` or ``x/relationships.csv``; also ``name.nodes.csv`` + ``name.relationships.csv``)."""
    p = Path(source)
    if p.is_dir():
        return p / NODES_FILE, p / RELATIONSHIPS_FILE
    name = p.name
    lower = name.lower()
    if lower.endswith(NODES_FILE):
        return p, p.with_name(name[: -len(NODES_FILE)] + RELATIONSHIPS_FILE)
    if lower.endswith(RELATIONSHIPS_FILE):
        return p.with_name(name[: -len(RELATIONSHIPS_FILE)] + NODES_FILE), p
    raise InputError(f"{source}: a CSV import needs a pair of files named {NODES_FILE} and "
                     f"{RELATIONSHIPS_FILE}; give their directory or one of them")


def _read_text(path: Path, max_bytes: int) -> str:
    raw = read_bytes_limited(path, max_bytes, what="CSV file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the CSV as "
                         f"UTF-8") from None


_DECIMAL_COMMA = re.compile(r"^-?[0-9]+,[0-9]+$")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def parse_csv_records(text: str, source: str) -> tuple[list[Record], list]:
    """Records of CSV text whose first line holds the headers; locations are line:column, the column
    counting fields (1 = first field). Comma, semicolon or tab separated (guessed from the header);
    in semicolon-separated files ``120,5`` is the number 120.5 (a decimal comma)."""
    delimiter = _delimiter(text)
    # Semicolon CSV is what a spreadsheet writes where the decimal separator is a comma: read 120,5 as 120.5.
    decimal_comma = delimiter == ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems = []
    try:
        header_row = next(reader)
    except StopIteration:
        return [], problems
    except csv.Error as exc:
        raise InputError(f"{source}:1: CSV syntax error: {exc}") from None
    headers: list[str | None] = []
    seen: dict[str, str] = {}
    for c, h in enumerate(header_row, start=1):
        text_h = restore_cell(h.strip())
        key = normalize_key(text_h)
        if not text_h:
            headers.append(None)
        elif key in seen:
            problems.append(Location(source, line=1, column=c).problem(
                "error", f"duplicate column '{text_h}' (same as '{seen[key]}')"))
            headers.append(None)
        else:
            seen[key] = text_h
            headers.append(text_h)
    records = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{source}:{line}: CSV syntax error: {exc}") from None
        values, cells = {}, {}
        for c, value in enumerate(row, start=1):
            if not value.strip():
                continue
            value = restore_cell(value)  # undo the export's formula neutralisation ('=x -> =x)
            if c > len(headers) or headers[c - 1] is None:
                problems.append(Location(source, line=line, column=c).problem(
                    "warning", "value in a column without a header; ignored"))
                continue
            if decimal_comma and _DECIMAL_COMMA.match(value.strip()):
                value = value.strip().replace(",", ".")
            values[headers[c - 1]] = value
            cells[headers[c - 1]] = Location(source, line=line, column=c)
        if values:
            records.append(Record(values, cells, Location(source, line=line, column=1)))
        line = reader.line_num + 1
    return records, problems


def read_csv_pair(source: str | os.PathLike, options: ImportOptions | None = None, *,
                  max_bytes: int = 512 * 1024 * 1024) -> ImportResult:
    """Import ``nodes.csv`` (id, name or label, kind or type, description, tags, ...) and
    ``relationships.csv`` (from, to, type, ...); ``from``/``to`` hold node ids or names.

    Text that reads as a number or ``true``/``false`` becomes one, in attribute columns too; a cell
    holding a JSON list (``["a", "b"]``) becomes a list; ``tags`` may also be ``a | b``.
    """
    nodes_path, rels_path = csv_pair_paths(source)
    nodes, p1 = parse_csv_records(_read_text(nodes_path, max_bytes), str(nodes_path))
    rels, p2 = parse_csv_records(_read_text(rels_path, max_bytes), str(rels_path))
    where = str(source)
    return build_model(nodes, rels, source=where, options=options, infer_types=True, warnings=p1 + p2,
                       element_sheet=str(nodes_path.name))


def _csv_text(headers: list[str], rows: list[list[Any]]) -> str:
    return csv_text([headers] + [[None if v is None else _csv_value(v) for v in row] for row in rows])


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    # Text is neutralised by csv_text; numbers stay numbers (-2 and -2.5 as they are; csv writes repr).
    return value


def csv_pair_texts(model: Ecosystem) -> dict[str, str]:
    """The model as ``{"nodes.csv": text, "relationships.csv": text}`` (UTF-8, comma separated,
    headers on the first line; lists as ``a | b`` or JSON, see :func:`~.flatten.encode_list`).

    Text cells and headers that a spreadsheet would run as a formula get a leading ``'``
    (:func:`~ecosystem_graph.formulas.neutralize_cell`); :func:`read_csv_pair` removes it again."""
    flat = flatten_model(model, style="csv")
    return {NODES_FILE: _csv_text(flat.element_headers, flat.elements),
            RELATIONSHIPS_FILE: _csv_text(flat.connection_headers, flat.connections)}
