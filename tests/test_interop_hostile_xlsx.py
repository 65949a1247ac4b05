"""Hostile workbooks through ``ecograph import``: one located line, exit 1, nothing written, memory bounded."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.interop.workbook_guard import DEFAULT_MAX_CELLS

from . import hostile_workbooks as hw

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """Every hostile workbook of tests/hostile_workbooks.py, written once (the bomb takes a second or two)."""
    directory = tmp_path_factory.mktemp("hostile")
    for write in hw.HOSTILE_WORKBOOKS.values():
        write(directory)
    hw.write_shared_strings_bomb(directory)
    hw.write_many_rows(directory)
    hw.write_workbook(directory / "ok.xlsx")
    return directory


def run_import(path: Path, *options: str, env: dict | None = None):
    out = path.parent / (path.stem + ".yaml")
    result = CliRunner().invoke(cli, ["import", str(path), "-o", str(out), *options], env=env)
    assert "Traceback" not in result.output and not out.exists()
    return result


_ENDS = len(hw.BOMB_HEAD) + len(hw.BOMB_TAIL)
BOMB_SIZE = (hw.BOMB_INFLATED_BYTES - _ENDS) // (1 << 20) * (1 << 20) + _ENDS  # 2,047 blocks of 1 MiB and the ends
EXPECTED = {
    "laughs.xlsx": "{d}/laughs.xlsx: xl/sharedStrings.xml declares a DTD (<!DOCTYPE>), which a workbook never "
                   "needs and which can expand entities without bound: refused",
    "entity.xlsx": "{d}/entity.xlsx: sheet 'Elements' (xl/worksheets/sheet1.xml) declares a DTD (<!DOCTYPE>), "
                   "which a workbook never needs and which can expand entities without bound: refused",
    "malformed.xlsx": "{d}/malformed.xlsx: sheet 'Connections' (xl/worksheets/sheet2.xml) is not well-formed XML: "
                      "no element found at line 1, column {col}",
    "date.xlsx": "{d}/date.xlsx:Connections!D2: 'not-a-date' is not a date",
    "serial.xlsx": "{d}/serial.xlsx:Connections!D2: date serial number 1e+20 is outside the dates a workbook "
                   "can hold",
    "column.xlsx": "{d}/column.xlsx:Elements: cell reference 'ZZZZZZZZZZZZZZZZZZZZZZZZ...' in row 2 is out of "
                   "range (columns end at XFD, rows at 1,048,576)",
    # Rows 1 and 1,048,576 hold cells: 2 + 1,048,574 empty rows in between, over 1,000,000.
    "corner.xlsx": "{d}/corner.xlsx:Elements: more than 1,000,000 cells (by row 1,048,576); raise the limit "
                   "with --max-cells or ECOGRAPH_MAX_CELLS if you trust this file",
    "index.xlsx": "{d}/index.xlsx:Elements!A2: shared string 99 does not exist (the workbook has 1)",
    "text.xlsx": "{d}/text.xlsx: not a readable .xlsx workbook (File is not a zip file)",
    "parts.xlsx": "{d}/parts.xlsx: the zip directory announces 20,007 parts; a workbook has a few dozen (at most "
                  "10,000 are read): refused",
    "rows.xlsx": "{d}/rows.xlsx:Elements: more than 1,000,000 cells; raise the limit with --max-cells or "
                 "ECOGRAPH_MAX_CELLS if you trust this file",
    "bomb.xlsx": "{d}/bomb.xlsx: xl/sharedStrings.xml inflates from {stored:,} to " + f"{BOMB_SIZE:,}"
                 + " bytes ({ratio:,.0f} times; real workbooks stay under 200): refused as a zip bomb",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_workbook_is_one_located_line(hostile, name):
    path = hostile / name
    result = run_import(path)
    values = {"d": hostile}
    if name == "malformed.xlsx":
        # The sheet is cut two characters into "Pays": expat reports the end of the text.
        text = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
        values["col"] = len(text) + 1
    if name == "bomb.xlsx":
        info = zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml")
        values["stored"], values["ratio"] = info.compress_size, BOMB_SIZE / info.compress_size
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: " + EXPECTED[name].format(**values) + "\n"


def test_every_hostile_writer_is_covered(hostile):
    written = {p.name for p in hostile.iterdir()} - {"ok.xlsx"}
    assert written == set(EXPECTED)


def test_the_valid_workbook_imports(hostile, tmp_path):
    out = tmp_path / "ok.yaml"
    result = CliRunner().invoke(cli, ["import", str(hostile / "ok.xlsx"), "-o", str(out), "--period", "2024"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Imported 2 nodes and 1 relationships from {hostile / 'ok.xlsx'} into {out}\n"


def test_max_cells_counts_each_row_up_to_its_last_cell(hostile, tmp_path):
    # ok.xlsx: Elements 3 rows x 3 columns = 9 cells; Connections 2 rows x 4 columns = 8 cells.
    path = hostile / "ok.xlsx"
    result = run_import(path, "--max-cells", "8")
    assert result.stderr == (f"Error: {path}:Elements: more than 8 cells (by row 3); raise the limit with "
                             f"--max-cells or ECOGRAPH_MAX_CELLS if you trust this file\n")
    out = tmp_path / "nine.yaml"
    ok = CliRunner().invoke(cli, ["import", str(path), "-o", str(out), "--max-cells", "9"])
    assert ok.exit_code == 0, ok.output
    from_env = run_import(path, env={"ECOGRAPH_MAX_CELLS": "8"})
    assert from_env.stderr == result.stderr
    bad_env = run_import(path, env={"ECOGRAPH_MAX_CELLS": "-1"})
    assert bad_env.stderr == "Error: ECOGRAPH_MAX_CELLS must be a whole number of cells from 1 to 10^18, not '-1'\n"


def test_max_bytes_bounds_the_inflated_members(hostile):
    path = hostile / "ok.xlsx"
    with zipfile.ZipFile(path) as zf:
        inflated = sum(i.file_size for i in zf.infolist())
        biggest = max(zf.infolist(), key=lambda i: i.file_size)
    stored = path.stat().st_size
    assert stored < inflated - 1
    result = run_import(path, "--max-bytes", str(inflated - 1))
    assert result.stderr == (f"Error: {path}: the workbook inflates to {inflated:,} bytes ({biggest.filename} "
                             f"alone {biggest.file_size:,}), over the limit of {inflated - 1:,} bytes; raise it "
                             f"with --max-bytes or ECOGRAPH_MAX_BYTES if you trust this file\n")


def test_the_many_rows_workbook_is_no_zip_bomb_by_ratio(hostile):
    # So that its refusal tests the cell count, not the ratio check.
    info = zipfile.ZipFile(hostile / "rows.xlsx").getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size < 200 * info.compress_size and (hostile / "rows.xlsx").stat().st_size < 1_000_000
    assert info.file_size > 3_000_000 * len("<row><c><v>1</v></c></row>") > 2 * DEFAULT_MAX_CELLS


def test_a_workbook_cells_with_a_prefix_are_counted(tmp_path):
    # The same count with a namespace prefix on every element (some generators write <x:row>).
    rows = "".join(f'<x:row r="{r}"><x:c r="A{r}"><x:v>1</x:v></x:c></x:row>' for r in range(2, 30))
    sheet = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{hw.MAIN_NS}"><x:sheetData>'
             f'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Label</x:t></x:is></x:c></x:row>{rows}'
             f'</x:sheetData></x:worksheet>')
    path = hw.write_workbook(tmp_path / "prefixed.xlsx", elements=sheet)
    # 29 rows of one cell: 58 row and cell tags, 29 cells walked.
    result = run_import(path, "--max-cells", "28")
    assert result.stderr == (f"Error: {path}:Elements: more than 28 cells; raise the limit with "
                             f"--max-cells or ECOGRAPH_MAX_CELLS if you trust this file\n")
    out = tmp_path / "p.yaml"
    ok = CliRunner().invoke(cli, ["import", str(path), "-o", str(out), "--max-cells", "29"])
    # Past the cell count, the sheet is read (and is no model: it has no Type column).
    assert ok.exit_code == 1 and "more than" not in ok.output
    assert f"{path}:Elements!A2: missing type for element '1'" in ok.output


def test_refusing_the_bomb_takes_little_memory(hostile, tmp_path):
    # In a fresh interpreter: the peak RSS of refusing a workbook that inflates to 2 GiB. VmHWM is this
    # process's own peak (getrusage's ru_maxrss would also count the pages of the forking parent, pytest).
    code = ("import sys\n"
            "from ecosystem_graph.cli import cli\n"
            "try:\n"
            "    cli(['import', sys.argv[1], '-o', sys.argv[2]], prog_name='ecograph')\n"
            "except SystemExit as exc:\n"
            "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "    print(exc.code, status)\n")
    done = subprocess.run([sys.executable, "-c", code, str(hostile / "bomb.xlsx"), str(tmp_path / "b.yaml")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    code_text, rss_kib = done.stdout.split()
    assert code_text == "1" and "zip bomb" in done.stderr and "Traceback" not in done.stderr
    assert int(rss_kib) < 300 * 1024  # KiB: under 300 MB for a 2 GiB member
