"""Hostile ``.xlsx`` files for import tests: zip bombs, millions of rows, DTDs, malformed XML, bad cells.

Each ``write_*`` function writes one file into ``directory`` and returns its path; :data:`HOSTILE_WORKBOOKS`
lists the cheap ones (name -> writer) for a battery that runs every command over every file.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

__all__ = [
    "HOSTILE_WORKBOOKS",
    "BOMB_INFLATED_BYTES",
    "BOMB_HEAD",
    "BOMB_TAIL",
    "MAIN_NS",
    "sheet_xml",
    "write_workbook",
    "write_shared_strings_bomb",
    "write_many_rows",
    "write_billion_laughs",
    "write_external_entity",
    "write_malformed_sheet",
    "write_bad_date_cell",
    "write_date_serial_overflow",
    "write_huge_column_reference",
    "write_far_corner_cell",
    "write_bad_shared_string_index",
    "write_many_parts",
    "write_not_a_zip",
]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BOMB_INFLATED_BYTES = 2 * 1024 ** 3
"""About what :func:`write_shared_strings_bomb`'s shared string table inflates to (from about 2 MB):
its head and tail, and as many 1 MiB blocks as fit in between."""
BOMB_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'
BOMB_TAIL = "</t></si></sst>"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{shared}'
    '</Types>')
_SHARED_OVERRIDE = ('<Override PartName="/xl/sharedStrings.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Elements" sheetId="1" r:id="rId1"/>'
    '<sheet name="Connections" sheetId="2" r:id="rId2"/></sheets></workbook>')
_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}styles" Target="styles.xml"/>'
    '{shared}</Relationships>')
_SHARED_REL = f'<Relationship Id="rId4" Type="{_REL}sharedStrings" Target="sharedStrings.xml"/>'
# Style 1 shows numbers as dates (numFmtId 14, m/d/yyyy): openpyxl turns such cells into datetimes.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '</styleSheet>')

ELEMENTS = [["Label", "Type", "Description"], ["Shop", "Core", "the store"], ["Buyers", "Segment", "people"]]
CONNECTIONS = [["From", "To", "Type", "Amount"], ["Buyers", "Shop", "Pays", 120]]


def _column(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(ref: str, value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], extra_row_xml: str = "", prolog: str = "") -> str:
    """A worksheet with inline-string and number cells; ``extra_row_xml`` goes after the rows (raw XML,
    for cells an ordinary writer would never produce); ``prolog`` before the root (e.g. a DOCTYPE)."""
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row, start=1)) + "</row>"
        for r, row in enumerate(rows, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN_NS}">'
            f'<sheetData>{body}{extra_row_xml}</sheetData></worksheet>')


def _members(elements: str | bytes, connections: str | bytes, shared: str | bytes | None) -> dict[str, bytes]:
    members = {
        "[Content_Types].xml": _CONTENT_TYPES.format(shared=_SHARED_OVERRIDE if shared is not None else ""),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(shared=_SHARED_REL if shared is not None else ""),
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": elements,
        "xl/worksheets/sheet2.xml": connections,
    }
    if shared is not None:
        members["xl/sharedStrings.xml"] = shared
    return {k: v.encode() if isinstance(v, str) else v for k, v in members.items()}


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of already deflated members ``(name, deflated bytes, crc32, inflated size)``, written by hand
    so that a member may be far larger inflated than anything we would hold in memory."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in entries:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                             len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def write_workbook(path: Path, elements: str | bytes | None = None, connections: str | bytes | None = None,
                   shared: str | bytes | None = None) -> Path:
    """A small valid Kumu workbook (sheets Elements, Connections), with any part replaced."""
    members = _members(elements if elements is not None else sheet_xml(ELEMENTS),
                       connections if connections is not None else sheet_xml(CONNECTIONS), shared)
    return _write_zip(path, [(n, _deflate(b), zlib.crc32(b), len(b)) for n, b in members.items()])


def write_shared_strings_bomb(directory: Path, inflated: int = BOMB_INFLATED_BYTES) -> Path:
    """About 2 MB on disk whose shared string table inflates to ``inflated`` bytes (one huge string):
    built from one deflated 1 MiB block repeated, never holding the inflated text in memory."""
    head, tail = BOMB_HEAD, BOMB_TAIL.encode()
    block = b"A" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(head.encode()) + c.flush(zlib.Z_FULL_FLUSH)]
    repeated = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)  # no history after a full flush: reusable
    count = (inflated - len(head) - len(tail)) // len(block)
    crc = zlib.crc32(head.encode())
    big = block * 16
    for _ in range(count // 16):
        crc = zlib.crc32(big, crc)
    for _ in range(count % 16):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    data = parts[0] + repeated * count + c.compress(tail) + c.flush()
    size = len(head) + count * len(block) + len(tail)
    members = _members(sheet_xml(ELEMENTS), sheet_xml(CONNECTIONS), b"")
    entries = [(n, _deflate(b), zlib.crc32(b), len(b)) for n, b in members.items() if n != "xl/sharedStrings.xml"]
    entries.append(("xl/sharedStrings.xml", data, crc, size))
    return _write_zip(directory / "bomb.xlsx", entries)


def write_many_rows(directory: Path, rows: int = 3_000_000) -> Path:
    """About 0.95 MB on disk (84 MB inflated, 88 times: not a zip bomb by ratio), an Elements sheet of
    ``rows`` rows of one number cell each (a block of 1,000 rows repeated)."""
    body = b"".join(b'<row><c><v>%d</v></c></row>' % r for r in range(1000)) * (rows // 1000)
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Label</t></is></c></row>').encode() \
        + body + b"</sheetData></worksheet>"
    return write_workbook(directory / "rows.xlsx", elements=sheet)


def write_billion_laughs(directory: Path) -> Path:
    """A shared string table declaring nested entities (the billion laughs)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    shared = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN_NS}" count="1" '
              f'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    elements = sheet_xml([["Label", "Type"]], '<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
    return write_workbook(directory / "laughs.xlsx", elements=elements, shared=shared)


def write_external_entity(directory: Path) -> Path:
    """An Elements sheet whose DOCTYPE declares an external entity reading /etc/hostname."""
    prolog = '<!DOCTYPE worksheet [<!ENTITY host SYSTEM "file:///etc/hostname">]>'
    body = sheet_xml([["Label", "Type"]], '<row r="2"><c r="A2" t="inlineStr"><is><t>&host;</t></is></c></row>',
                     prolog=prolog)
    return write_workbook(directory / "entity.xlsx", elements=body)


def write_malformed_sheet(directory: Path) -> Path:
    """A Connections sheet cut off in the middle of a cell."""
    text = sheet_xml(CONNECTIONS)
    return write_workbook(directory / "malformed.xlsx", connections=text[: text.index("Pays") + 2])


def write_bad_date_cell(directory: Path) -> Path:
    """Connections!D2 is a date cell (``t="d"``) holding text that is no date."""
    rows = [CONNECTIONS[0], CONNECTIONS[1][:3]]
    return write_workbook(directory / "date.xlsx", connections=sheet_xml(rows).replace(
        "</row></sheetData>", '<c r="D2" t="d"><v>not-a-date</v></c></row></sheetData>'))


def write_date_serial_overflow(directory: Path) -> Path:
    """Connections!D2 is a number formatted as a date, beyond the last date a workbook can hold."""
    rows = [CONNECTIONS[0], CONNECTIONS[1][:3]]
    return write_workbook(directory / "serial.xlsx", connections=sheet_xml(rows).replace(
        "</row></sheetData>", '<c r="D2" s="1"><v>1e20</v></c></row></sheetData>'))


def write_huge_column_reference(directory: Path) -> Path:
    """Elements has a cell at column ``ZZZZ...`` (10,000 letters)."""
    return write_workbook(directory / "column.xlsx", elements=sheet_xml(
        [["Label", "Type"]], f'<row r="2"><c r="{"Z" * 10_000}2" t="inlineStr"><is><t>x</t></is></c></row>'))


def write_far_corner_cell(directory: Path) -> Path:
    """Elements has one cell at XFD1048576 (the last one): a reader walking rows would build 1 M rows."""
    return write_workbook(directory / "corner.xlsx", elements=sheet_xml(
        [["Label", "Type"]], '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def write_bad_shared_string_index(directory: Path) -> Path:
    """Elements!A2 points at shared string 99, of a table holding one."""
    shared = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>x</t></si></sst>'
    return write_workbook(directory / "index.xlsx", shared=shared, elements=sheet_xml(
        [["Label", "Type"]], '<row r="2"><c r="A2" t="s"><v>99</v></c></row>'))


def write_many_parts(directory: Path, parts: int = 20_000) -> Path:
    """A valid workbook with ``parts`` extra empty members (a directory that costs memory to list)."""
    members = _members(sheet_xml(ELEMENTS), sheet_xml(CONNECTIONS), None)
    entries = [(n, _deflate(b), zlib.crc32(b), len(b)) for n, b in members.items()]
    empty = _deflate(b"")
    entries += [(f"xl/media/pad{i}.bin", empty, 0, 0) for i in range(parts)]
    return _write_zip(directory / "parts.xlsx", entries)


def write_not_a_zip(directory: Path) -> Path:
    """A file named .xlsx holding text."""
    path = directory / "text.xlsx"
    path.write_text("Label,Type\nShop,Core\n")
    return path


HOSTILE_WORKBOOKS: dict[str, Callable[[Path], Path]] = {
    "billion laughs": write_billion_laughs,
    "external entity": write_external_entity,
    "malformed sheet": write_malformed_sheet,
    "bad date cell": write_bad_date_cell,
    "date serial overflow": write_date_serial_overflow,
    "huge column reference": write_huge_column_reference,
    "far corner cell": write_far_corner_cell,
    "bad shared string index": write_bad_shared_string_index,
    "many parts": write_many_parts,
    "not a zip": write_not_a_zip,
}
"""Hostile workbooks cheap to write (milliseconds); the bomb and the 3 M rows take a second or two each."""
