"""Checks an ``.xlsx`` file before openpyxl reads it: sizes, compression ratio, DTDs, XML syntax, cell counts."""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from ..errors import InputError

__all__ = [
    "DEFAULT_MAX_CELLS",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_FLOOR",
    "WorkbookFacts",
    "WorkbookLimits",
    "check_workbook",
    "find_unreadable_cell",
    "max_cells_from_env",
    "sheet_members",
    "MAX_PARTS",
    "EXCEL_MAX_ROW",
    "EXCEL_MAX_COLUMN",
]

DEFAULT_MAX_CELLS = 1_000_000
"""Cells per sheet an import reads at most (override with ``--max-cells`` or ``ECOGRAPH_MAX_CELLS``)."""

MAX_COMPRESSION_RATIO = 200
"""A workbook member that inflates more than this many times its stored size is refused (a zip bomb);
real workbooks compress 5 to 30 times, a sheet of one repeated value about 100 times."""

RATIO_CHECK_FLOOR = 8 * 1024 * 1024
"""Members inflating to less than this are not checked for their ratio (small ones cannot hurt)."""

MAX_PARTS = 10_000
"""Zip members a workbook may have (real ones have a few dozen); checked from the zip's end record, before
``zipfile`` builds an object per member."""

EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384  # XFD

_CHUNK = 1 << 16
_MAIN_NAMESPACES = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                   "http://purl.oclc.org/ooxml/officeDocument/relationships")
# Element names as expat gives them with namespace_separator=" ".
_TAGS = {f"{ns} {local}": local for ns in _MAIN_NAMESPACES for local in ("row", "c", "dimension", "si")}


def _column_numbers() -> dict[str, int]:
    """``{'A': 1, ..., 'XFD': 16384}``: every column name Excel allows."""
    out = {}
    for n in range(1, EXCEL_MAX_COLUMN + 1):
        name, k = "", n
        while k:
            k, rem = divmod(k - 1, 26)
            name = chr(65 + rem) + name
        out[name] = n
    return out


_COLUMNS = _column_numbers()
_DIGITS = "0123456789"


@dataclass(frozen=True)
class WorkbookLimits:
    """What an import accepts from one workbook.

    ``max_bytes``: the file, and the sum of its members once inflated; ``max_cells``: cells of one
    sheet as a reader walks them (each row up to its last filled cell, each empty row in between as
    one), and strings in the shared string table.
    """

    max_bytes: int
    max_cells: int = DEFAULT_MAX_CELLS


@dataclass(frozen=True)
class WorkbookFacts:
    """What :func:`check_workbook` learnt: sheet titles by zip member, and the shared strings' count."""

    sheets: dict[str, str]
    shared_strings: int


class _Refused(Exception):
    """Raised from inside the expat handlers to stop parsing with a message."""


def _short(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width] + "..."


def _check_parts(path: str | os.PathLike, source: str) -> None:
    """Refuse a zip whose end-of-central-directory record announces more than :data:`MAX_PARTS` members
    (or the ZIP64 marker, which no workbook needs), reading only the file's last 64 KiB."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 65_557))
            tail = fh.read()
    except OSError:
        return  # zipfile says why
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return  # not a zip: zipfile says so
    entries = int.from_bytes(tail[at + 10:at + 12], "little")
    if entries > MAX_PARTS:
        what = "the ZIP64 marker" if entries == 0xFFFF else f"{entries:,} parts"
        raise InputError(f"{source}: the zip directory announces {what}; a workbook has a few dozen "
                         f"(at most {MAX_PARTS:,} are read): refused")


def _check_sizes(zf: zipfile.ZipFile, source: str, limits: WorkbookLimits) -> None:
    total = 0
    biggest: zipfile.ZipInfo | None = None
    for info in zf.infolist():
        total += info.file_size
        if biggest is None or info.file_size > biggest.file_size:
            biggest = info
        if info.file_size > RATIO_CHECK_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise InputError(
                f"{source}: {info.filename} inflates from {info.compress_size:,} to {info.file_size:,} bytes "
                f"({ratio:,.0f} times; real workbooks stay under {MAX_COMPRESSION_RATIO}): refused as a zip bomb")
    if total > limits.max_bytes:
        raise InputError(
            f"{source}: the workbook inflates to {total:,} bytes ({biggest.filename} alone {biggest.file_size:,}), "
            f"over the limit of {limits.max_bytes:,} bytes; raise it with --max-bytes or ECOGRAPH_MAX_BYTES "
            f"if you trust this file")


def sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet titles by zip member (``{'xl/worksheets/sheet1.xml': 'Elements'}``), read from
    ``xl/workbook.xml`` and its relationships; empty when they cannot be read (openpyxl then says why)."""
    from defusedxml import ElementTree as SafeET

    try:
        if max(zf.getinfo(n).file_size for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > 1 << 24:
            return {}  # titles only name sheets in messages: not worth reading a huge part whole
        book = SafeET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # missing or broken: _scan_xml or openpyxl reports it
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id") and
                        k[1:].split("}")[0] in _REL_NAMESPACES), None)
            if rid in targets:
                out[targets[rid]] = el.get("name") or targets[rid]
    return out


class _SheetCounter:
    """Counts the cells a row-by-row reader would walk in one worksheet and checks cell references."""

    def __init__(self, where: str, limit: int):
        self.where = where
        self.limit = limit
        self.cells = 0  # finished rows, gaps included
        self.row = 0
        self.width = 0
        self.column = 0

    def start(self, name: str, attrs: dict) -> None:
        tag = _TAGS.get(name)
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                col = _COLUMNS.get(letters)
                digits = ref[len(letters):]
                if col is None or not digits or not digits.isdigit() or not 0 < int(digits) <= EXCEL_MAX_ROW:
                    raise _Refused(f"{self.where}: cell reference '{_short(ref)}' in row {self.row} is out of "
                                   f"range (columns end at XFD, rows at {EXCEL_MAX_ROW:,})")
                self.column = col
            else:
                self.column += 1
                if self.column > EXCEL_MAX_COLUMN:
                    raise _Refused(f"{self.where}: row {self.row} has more than {EXCEL_MAX_COLUMN:,} columns")
            if self.column > self.width:
                self.width = self.column
                if self.cells + self.width > self.limit:
                    self._over()
        elif tag == "row":
            if self.row:
                self.cells += max(self.width, 1)  # the row before
            r = attrs.get("r")
            if r:
                if not r.isdigit() or not 0 < int(r) <= EXCEL_MAX_ROW:
                    raise _Refused(f"{self.where}: row number '{_short(r)}' is out of range "
                                   f"(rows end at {EXCEL_MAX_ROW:,})")
                number = int(r)
            else:
                number = self.row + 1
            if number > self.row + 1:
                self.cells += number - self.row - 1  # empty rows in between
            self.row = max(number, self.row)
            self.width = 0
            self.column = 0
            if self.cells > self.limit:
                self._over()
        elif tag == "dimension":
            ref = attrs.get("ref", "")
            for part in ref.split(":"):
                letters = part.rstrip(_DIGITS)
                digits = part[len(letters):]
                if _COLUMNS.get(letters) is None or not digits.isdigit() or not 0 < int(digits) <= EXCEL_MAX_ROW:
                    raise _Refused(f"{self.where}: dimension '{_short(ref)}' is out of range "
                                   f"(columns end at XFD, rows at {EXCEL_MAX_ROW:,})")

    def _over(self) -> None:
        raise _Refused(f"{self.where}: more than {self.limit:,} cells (by row {self.row:,}); raise the limit "
                       f"with --max-cells or ECOGRAPH_MAX_CELLS if you trust this file")


_ROOT_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]{0,40}:)?worksheet[\s>]")


def _quick_count(zf: zipfile.ZipFile, member: str, where: str, limit: int) -> None:
    """Refuse a sheet with more than twice ``limit`` row and cell start tags (rows + cells is at most
    twice the cells a reader walks), counted with ``bytes.count`` on the inflated stream, before the
    exact but slower count; stops as soon as it is over. Tags split by a chunk boundary or written
    unusually (``<c\n``) may go uncounted: the count stays a lower bound."""
    count = 0
    tail = b""
    patterns: list[bytes] | None = None
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                return
            buf = tail + chunk
            if patterns is None:
                root = _ROOT_PREFIX.search(buf, 0, 4096)
                prefix = root.group(1) or b"" if root else b""
                patterns = [b"<" + prefix + tag for tag in (b"c>", b"c ", b"row>", b"row ", b"row/")]
            count += sum(buf.count(p) for p in patterns)
            if count > 2 * limit:
                raise InputError(f"{where}: more than {limit:,} cells; raise the limit with --max-cells or "
                                 f"ECOGRAPH_MAX_CELLS if you trust this file")
            tail = buf[-2:]  # shorter than any pattern: no tag is counted twice


class _StringCounter:
    def __init__(self, where: str, limit: int):
        self.where, self.limit, self.count = where, limit, 0

    def start(self, name: str, attrs: dict) -> None:
        if _TAGS.get(name) == "si":
            self.count += 1
            if self.count > self.limit:
                raise _Refused(f"{self.where}: more than {self.limit:,} shared strings; raise the limit with "
                               f"--max-cells or ECOGRAPH_MAX_CELLS if you trust this file")


class _DtdFound(Exception):
    """Raised by the expat handlers on a DTD or an entity declaration."""


def _refuse_dtd(*_args) -> None:
    raise _DtdFound


def _scan_xml(zf: zipfile.ZipFile, member: str, where: str, start=None) -> None:
    """Parse one XML member as a stream with expat: no DTD (hence no entity) allowed, syntax errors
    reported with line and column; ``start`` sees every element (and may raise _Refused)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if start is not None:
        parser.StartElementHandler = start
    try:
        with zf.open(member) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except _Refused as exc:
        raise InputError(str(exc)) from None
    except _DtdFound:
        raise InputError(f"{where} declares a DTD (<!DOCTYPE>), which a workbook never needs and which can "
                         f"expand entities without bound: refused") from None
    except expat.ExpatError as exc:
        raise InputError(f"{where} is not well-formed XML: {expat.ErrorString(exc.code)} at line {exc.lineno}, "
                         f"column {exc.offset + 1}") from None


def check_workbook(path: str | os.PathLike, limits: WorkbookLimits) -> WorkbookFacts:
    """Refuse, as one InputError line, a workbook that would take unbounded memory or time to read, or
    that openpyxl would fail on with a traceback: members inflating beyond ``limits.max_bytes`` in
    total or more than :data:`MAX_COMPRESSION_RATIO` times, any DTD, malformed XML, cell references
    beyond Excel's grid, more than ``limits.max_cells`` cells in a sheet. Reads the zip as a stream:
    memory stays small whatever the file claims.
    """
    source = str(path)
    _check_parts(path, source)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{source}: not a readable .xlsx workbook ({exc})") from None
    shared = 0
    with zf:
        _check_sizes(zf, source, limits)
        titles = sheet_members(zf)
        for info in zf.infolist():
            name = info.filename
            if not name.lower().endswith((".xml", ".rels")):
                continue
            try:
                if name in titles or (name.startswith("xl/worksheets/") and name.count("/") == 2):
                    label = f"sheet '{titles[name]}' ({name})" if name in titles else name
                    where = f"{source}:{titles.get(name, name)}"
                    _quick_count(zf, name, where, limits.max_cells)
                    _scan_xml(zf, name, f"{source}: {label}", _SheetCounter(where, limits.max_cells).start)
                elif name == "xl/sharedStrings.xml":
                    where = f"{source}: {name}"
                    strings = _StringCounter(where, limits.max_cells)
                    _scan_xml(zf, name, where, strings.start)
                    shared = strings.count
                else:
                    _scan_xml(zf, name, f"{source}: {name}")
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise InputError(f"{source}: {name} cannot be read ({exc})") from None
    return WorkbookFacts(titles, shared)


def max_cells_from_env() -> int:
    """``ECOGRAPH_MAX_CELLS`` as a whole number of cells, else :data:`DEFAULT_MAX_CELLS`."""
    raw = os.environ.get("ECOGRAPH_MAX_CELLS")
    if raw is None or not raw.strip():
        return DEFAULT_MAX_CELLS
    text = raw.strip()
    if not text.isdigit() or int(text) < 1 or len(text) > 18:
        raise InputError(f"ECOGRAPH_MAX_CELLS must be a whole number of cells from 1 to 10^18, not "
                         f"'{_short(raw)}'")
    return int(text)


def _cell_problem(kind: str, text: str, shared_strings: int) -> str | None:
    """Why openpyxl cannot turn the text of a ``<v>`` of type ``kind`` into a value, or None."""
    from openpyxl.utils.datetime import from_ISO8601

    try:
        if kind == "d":
            from_ISO8601(text)
        elif kind == "n":
            float(text)
        elif kind == "b":
            int(text)
        elif kind == "s" and not 0 <= int(text) < shared_strings:
            return f"shared string {_short(text)} does not exist (the workbook has {shared_strings:,})"
    except (ValueError, TypeError, OverflowError):
        what = {"d": "a date", "n": "a number", "b": "a boolean (0 or 1)", "s": "a shared string index"}[kind]
        return f"'{_short(text)}' is not {what}"
    return None


def find_unreadable_cell(path: str | os.PathLike, member: str, from_row: int,
                         shared_strings: int = 0) -> tuple[str, str] | None:
    """The first cell at or below ``from_row`` of a worksheet member whose value openpyxl cannot convert
    (a date cell that is no ISO 8601 date, a number cell that is no number, ...): ``(A1 reference, why)``.
    Only called after openpyxl failed, to say where."""
    from openpyxl.utils import get_column_letter

    state = {"row": 0, "col": 0, "kind": None, "ref": None, "text": None}
    found: list[tuple[str, str]] = []

    def start(name, attrs):
        tag = _TAGS.get(name) or name.rpartition(" ")[2]
        if tag == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            ref = attrs.get("r")
            state["col"] = _COLUMNS.get(ref.rstrip(_DIGITS), state["col"] + 1) if ref else state["col"] + 1
            state["ref"] = ref or f"{get_column_letter(state['col'])}{state['row']}"
            state["kind"] = attrs.get("t", "n")
        elif tag == "v" and state["row"] >= from_row:
            state["text"] = []

    def data(text):
        if state["text"] is not None:
            state["text"].append(text)

    def end(name):
        if state["text"] is not None and name.rpartition(" ")[2] == "v":
            why = _cell_problem(state["kind"], "".join(state["text"]), shared_strings)
            state["text"] = None
            if why:
                found.append((state["ref"], why))
                raise _Refused

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, data, end
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            parser.ParseFile(fh)
    except Exception:  # found it (_Refused), or the file is worse than one cell: the caller says so
        pass
    return found[0] if found else None
