"""Kumu-style workbooks (``.xlsx``: Elements and Connections sheets) and Kumu JSON blueprints."""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import warnings
from typing import Any

from ..errors import InputError, InteropError
from ..fileio import locate_problems
from ..formulas import neutralize_cell, restore_cell
from ..model import Ecosystem
from .flatten import flatten_model
from .tabular import ImportOptions, ImportResult, Location, Record, build_model, normalize_key
from .workbook_guard import (WorkbookFacts, WorkbookLimits, check_workbook, find_unreadable_cell,
                             max_cells_from_env)

__all__ = ["read_workbook", "read_kumu_json", "kumu_json_records", "workbook_bytes", "METADATA_SHEET"]

METADATA_SHEET = "Ecosystem"
"""Optional sheet of ``Key | Value`` rows (name, currency, period, money_unit, description)."""


def _cell_value(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, str):
        return restore_cell(value) if value.strip() else None  # '=x (neutralised on export) -> =x
    return value


def _find_sheet(wb, name: str):
    for ws in wb.worksheets:
        if ws.title.strip().lower() == name.lower():
            return ws
    return None


# openpyxl warns (and reads "#VALUE!") when a number cell with a date format is beyond the dates it knows.
_DATE_WARNING = re.compile(r"^Cell (\S+) is marked as a date but the serial value (\S+) is outside")


def _guarded_rows(ws, where: str, path: str, facts: WorkbookFacts, caught: list):
    """The sheet's rows (values); a cell openpyxl cannot convert (a date cell that is no date, a date
    serial number out of range, a shared string that does not exist, ...) is one located InputError.
    ``caught`` is the list of a ``warnings.catch_warnings(record=True)`` around the reading."""
    ws.reset_dimensions()  # never pad rows to the size the file claims: only what it holds is read
    rows = ws.iter_rows(values_only=True)
    row_number = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - any failure on a hostile file is one located line
            member = next((m for m, t in facts.sheets.items() if t == ws.title), None)
            bad = find_unreadable_cell(path, member, row_number, facts.shared_strings) if member else None
            if bad:
                raise InputError(f"{where}!{bad[0]}: {bad[1]}") from None
            raise InputError(f"{where}: row {row_number:,} or below cannot be read "
                             f"({type(exc).__name__}: {str(exc)[:120]})") from None
        if caught:
            for w in caught:
                m = _DATE_WARNING.match(str(w.message))
                if m:  # openpyxl would read "#VALUE!": refuse instead, at the cell
                    raise InputError(f"{where}!{m.group(1)}: date serial number {m.group(2)} is outside the "
                                     f"dates a workbook can hold")
            caught.clear()
        yield row
        row_number += 1


def _sheet_records(ws, source: str, facts: WorkbookFacts, caught: list) -> tuple[list[Record], list]:
    """Records of a sheet whose first row holds the headers; blank rows are skipped."""
    from openpyxl.utils import get_column_letter

    where = f"{source}:{ws.title}"
    problems: list = []
    rows = _guarded_rows(ws, where, source, facts, caught)
    try:
        header_row = next(rows)
    except StopIteration:
        return [], problems
    headers: list[str | None] = []
    seen: dict[str, str] = {}
    for c, h in enumerate(header_row, start=1):
        h = _cell_value(h)
        if h is None:
            headers.append(None)
            continue
        text = str(h).strip()
        key = normalize_key(text)
        if key in seen:
            problems.append(Location(where, cell=f"{get_column_letter(c)}1").problem(
                "error", f"duplicate column '{text}' (same as '{seen[key]}')"))
            headers.append(None)
            continue
        seen[key] = text
        headers.append(text)
    records = []
    for r, row in enumerate(rows, start=2):
        values, cells = {}, {}
        for c, value in enumerate(row, start=1):
            value = _cell_value(value)
            if value is None:
                continue
            if c > len(headers) or headers[c - 1] is None:
                problems.append(Location(where, cell=f"{get_column_letter(c)}{r}").problem(
                    "warning", "value in a column without a header; ignored"))
                continue
            values[headers[c - 1]] = value
            cells[headers[c - 1]] = Location(where, cell=f"{get_column_letter(c)}{r}")
        if values:
            records.append(Record(values, cells, Location(where, cell=f"A{r}")))
    return records, problems


def read_workbook(path: str | os.PathLike, options: ImportOptions | None = None, *,
                  limits: WorkbookLimits | None = None) -> ImportResult:
    """Import a Kumu-style workbook: sheet ``Elements`` (Label, Type, Description, Tags, ...) and sheet
    ``Connections`` (From, To, Type, ...); an optional ``Ecosystem`` sheet holds metadata rows.

    The file is checked first (:func:`~.workbook_guard.check_workbook`, with ``limits``, by default
    ``ECOGRAPH_MAX_BYTES`` and ``ECOGRAPH_MAX_CELLS`` or their defaults). Raises InputError, one line,
    when the file is not a readable workbook or is over a limit, and InteropError listing every problem
    (each at its ``book.xlsx:Sheet!C7`` cell) when its content does not make a valid model.
    """

    from openpyxl import load_workbook

    from ..fileio import max_bytes_from_env

    source = str(path)
    if limits is None:
        limits = WorkbookLimits(max_bytes_from_env(), max_cells_from_env())
    facts = check_workbook(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's remarks on styles and extensions it drops
            wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl trips on is one line, not a traceback
        raise InputError(f"{source}: not a readable .xlsx workbook ({type(exc).__name__}: "
                         f"{str(exc)[:160]})") from None
    # openpyxl's warnings are recorded, not printed: one of them means a cell _guarded_rows refuses.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            elements, connections, metadata, problems = _read_sheets(wb, source, facts, caught)
        finally:
            wb.close()
    return build_model(elements, connections, source=source, options=options, metadata=metadata,
                       warnings=problems)


def _read_sheets(wb, source: str, facts: WorkbookFacts, caught: list) -> tuple[list, list, dict, list]:
    """Element and connection records, metadata and problems of an open workbook."""
    elements_ws = _find_sheet(wb, "Elements")
    if elements_ws is None:
        names = ", ".join(ws.title for ws in wb.worksheets)
        raise InteropError(f"{source}: no sheet named 'Elements' (found: {names}); a Kumu workbook has "
                           f"the sheets Elements and Connections")
    elements, problems = _sheet_records(elements_ws, source, facts, caught)
    conn_ws = _find_sheet(wb, "Connections")
    connections: list[Record] = []
    if conn_ws is not None:
        connections, more = _sheet_records(conn_ws, source, facts, caught)
        problems += more
    metadata = {}
    meta_ws = _find_sheet(wb, METADATA_SHEET)
    if meta_ws is not None:
        where = f"{source}:{meta_ws.title}"
        for r, row in enumerate(_guarded_rows(meta_ws, where, source, facts, caught), start=1):
            if len(row) >= 2 and row[0] is not None and _cell_value(row[1]) is not None:
                key = normalize_key(row[0])
                metadata[key] = (_cell_value(row[1]), Location(f"{source}:{meta_ws.title}", cell=f"B{r}"))
    return elements, connections, metadata, problems


def kumu_json_records(data: Any, source: str) -> tuple[list[Record], list[Record], dict]:
    """Records from a Kumu blueprint (``{"elements": [...], "connections": [...]}``); also reads Kumu's
    project backups, whose items keep their fields under ``attributes`` and their id in ``_id``."""
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise InteropError(f"{source}: not a Kumu JSON file: expected an object with an 'elements' list "
                           f"(and a 'connections' list)")
    out: dict[str, list[Record]] = {}
    for section in ("elements", "connections"):
        items = data.get(section)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise InteropError(f"{source}: '{section}' must be a list")
        records = []
        for i, item in enumerate(items):
            row = Location(source, path=(section, i))
            if not isinstance(item, dict):
                raise InteropError(f"{source}: {section}[{i}] must be an object, not {type(item).__name__}")
            values: dict[str, Any] = {}
            cells: dict[str, Location] = {}
            for key, value in item.items():
                if key == "attributes" and isinstance(value, dict):
                    for k2, v2 in value.items():
                        values[str(k2)] = v2
                        cells[str(k2)] = Location(source, path=(section, i, "attributes", k2))
                elif isinstance(key, str):
                    values[key] = value
                    cells[key] = Location(source, path=(section, i, key))
            values = {k: v for k, v in values.items() if v is not None and v != ""}
            records.append(Record(values, cells, row))
        out[section] = records
    meta = {}
    for key in ("name", "currency", "period", "money_unit", "description"):
        if isinstance(data.get(key), (str, int)) and not isinstance(data.get(key), bool):
            meta[key] = (data[key], Location(source, path=(key,)))
    return out["elements"], out["connections"], meta


def read_kumu_json(raw: bytes, source: str, options: ImportOptions | None = None) -> ImportResult:
    """Import a Kumu JSON blueprint (bytes of the file); problems are located at their line and column."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}:{exc.colno}: JSON syntax error: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python converts
        raise InputError(f"{source}: cannot read a value ({str(exc).split(';')[0]})") from None
    elements, connections, meta = kumu_json_records(data, source)
    try:
        result = build_model(elements, connections, source=source, options=options, metadata=meta)
    except InteropError as exc:
        locate_problems(exc.problems, raw, source)
        errors = sum(1 for p in exc.problems if p.is_error)
        raise InteropError("\n".join(p.format() for p in exc.problems)
                           + f"\n{errors} error{'s' if errors != 1 else ''} in {source}; nothing written",
                           problems=exc.problems) from None
    locate_problems(result.warnings, raw, source)
    return result


def workbook_bytes(model: Ecosystem) -> bytes:
    """The model as a Kumu-style ``.xlsx`` workbook (Elements, Connections and Ecosystem sheets) that
    :func:`read_workbook` and Kumu's spreadsheet import read back."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    flat = flatten_model(model, style="kumu")
    wb = Workbook()
    bold = Font(bold=True)
    sheets = [("Elements", flat.element_headers, flat.elements),
              ("Connections", flat.connection_headers, flat.connections),
              (METADATA_SHEET, ["Key", "Value"], [list(kv) for kv in flat.metadata])]
    first = True
    for title, headers, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        for c, header in enumerate(headers, start=1):
            cell = ws.cell(row=1, column=c, value=_safe_cell(header))
            cell.data_type = "s"
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=_safe_cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even when the text starts with '='
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe_cell(value: Any) -> Any:
    # XML cannot hold most control characters: they are written as the text \xNN. Text a spreadsheet
    # would run as a formula once edited or saved as CSV gets a leading ' (read_workbook removes it).
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralize_cell(ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value))
    return value
