"""Formula neutralisation in every CSV and xlsx writer (cells and headers), and lossless round trips."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import save_model
from ecosystem_graph.formulas import FORMULA_TRIGGERS, csv_text, neutralize_cell, restore_cell
from ecosystem_graph.interop import export_model, import_source
from ecosystem_graph.model import Ecosystem

HYPERLINK = '=HYPERLINK("http://x","y")'
# Payloads that keep their text through an import (which trims leading whitespace of names).
PAYLOADS = [HYPERLINK, "+1", "-2+3", "@SUM(A1)", "'quoted"]
WHITESPACE_LED = ["\t=1+1", "\r=2+2"]


def payload_model(payloads: list[str] = PAYLOADS, *, name: str = "=Eco") -> Ecosystem:
    """A core ``shop`` and one segment per payload: the payload is the segment's name, description, first
    tag, an attribute key and value; each segment PAYS the shop with the payload as description, attribute
    key and value."""
    nodes = [{"id": "shop", "kind": "core", "name": "Shop",
              "attributes": {"motto": HYPERLINK, "delta": -2.5, "change": -3}}]
    rels = []
    for i, p in enumerate(payloads):
        nodes.append({"id": f"s{i}", "kind": "segment", "name": p, "description": p, "tags": [p, "plain"],
                      "size": 10 + i, "attributes": {p: p, "note": p}})
        rels.append({"id": f"r{i}", "from": f"s{i}", "to": "shop", "type": "PAYS", "amount": 5 + i,
                     "description": p, "attributes": {p: p}})
    return Ecosystem.model_validate({"name": name, "currency": "EUR", "period": "2024",
                                     "nodes": nodes, "relationships": rels})


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_live_formula(cells: list[str]) -> None:
    """No cell starts with a formula character, except numbers (``-2`` is a number, not a formula)."""
    live = [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not is_number(c)]
    assert live == []


def read(path) -> str:
    """A file's text exactly (no newline translation: a CR inside a cell stays a CR)."""
    return path.read_bytes().decode("utf-8")


def csv_cells(text: str) -> list[str]:
    """Every cell of CSV text (sections' ``# title`` lines left out)."""
    lines = [ln for ln in text.split("\n") if not ln.startswith("# ")]
    return [c for row in csv.reader(io.StringIO("\n".join(lines), newline="")) for c in row]


# ------------------------------------------------------------------------------ the function itself


def test_neutralize_cell_prefixes_exactly_the_formula_characters():
    assert [neutralize_cell(p) for p in PAYLOADS + WHITESPACE_LED] == [
        "'" + HYPERLINK, "'+1", "'-2+3", "'@SUM(A1)", "''quoted", "'\t=1+1", "'\r=2+2"]
    # Numbers and other values stay as they are; so does text starting with anything else.
    assert [neutralize_cell(v) for v in (-2, -2.5, True, None, "a=b", " =x", "#x")] == [
        -2, -2.5, True, None, "a=b", " =x", "#x"]


def test_restore_cell_undoes_only_its_own_prefix():
    assert restore_cell("'=1+1") == "=1+1"
    assert restore_cell("''quoted") == "'quoted"
    assert restore_cell("'tis") == "'tis"  # a quote before an ordinary letter is the user's
    assert restore_cell("'") == "'"
    assert restore_cell("'\n=1") == "\n=1"  # what an xlsx reader makes of '\r=1
    assert restore_cell(-2) == -2


@given(st.text())
def test_restore_inverts_neutralize_and_nothing_is_left_live(text):
    safe = neutralize_cell(text)
    assert restore_cell(safe) == text
    assert not safe.startswith(FORMULA_TRIGGERS)


def test_csv_text_quotes_a_carriage_return_so_the_row_stays_whole():
    text = csv_text([["a", "b"], ["x\ry", "\r=1"], [-2, None]])
    assert text == 'a,b\n"x\ry","\'\r=1"\n-2,\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b"], ["x\ry", "'\r=1"], ["-2", ""]]


# ------------------------------------------------------------------------------ CSV pair


def test_csv_pair_neutralises_cells_and_headers(tmp_path):
    model = payload_model(PAYLOADS + WHITESPACE_LED)
    export_model(model, "csv", tmp_path / "pair")
    for name in ("nodes.csv", "relationships.csv"):
        assert_no_live_formula(csv_cells(read(tmp_path / "pair" / name)))
    nodes = list(csv.reader(io.StringIO(read(tmp_path / "pair" / "nodes.csv"), newline="")))
    header, shop, hyper = nodes[0], nodes[1], nodes[2]
    # Numbers are written as numbers, minus sign and all.
    assert (shop[header.index("delta")], shop[header.index("change")]) == ("-2.5", "-3")
    # The attribute key HYPERLINK is a header of its own, neutralised like a cell.
    assert "'" + HYPERLINK in header
    assert hyper[:5] == ["s0", "'" + HYPERLINK, "segment", "'" + HYPERLINK, "'" + HYPERLINK + " | plain"]
    assert hyper[header.index("'" + HYPERLINK)] == "'" + HYPERLINK
    rels = list(csv.reader(io.StringIO(read(tmp_path / "pair" / "relationships.csv"), newline="")))
    assert rels[3][:5] == ["r2", "s2", "shop", "PAYS", "'-2+3"]
    assert rels[3][rels[0].index("amount")] == "7.0"


def test_csv_pair_round_trip_gives_the_same_nodes_and_relationships(tmp_path):
    model = payload_model()
    export_model(model, "csv", tmp_path / "pair")
    back = import_source(tmp_path / "pair").model
    assert back.to_data()["nodes"] == model.to_data()["nodes"]
    assert back.to_data()["relationships"] == model.to_data()["relationships"]


def test_csv_pair_import_keeps_a_users_own_quote(tmp_path):
    (tmp_path / "nodes.csv").write_text("id,name,kind,motto\nshop,'tis Shop,core,'=1+1\n")
    (tmp_path / "relationships.csv").write_text("from,to,type\n")
    node = import_source(tmp_path).model.nodes[0]
    assert (node.name, node.attributes) == ("'tis Shop", {"motto": "=1+1"})


# ------------------------------------------------------------------------------ xlsx


def test_workbook_has_no_formula_and_no_live_text(tmp_path):
    model = payload_model(PAYLOADS + WHITESPACE_LED)
    export_model(model, "xlsx", tmp_path / "m.xlsx")
    wb = load_workbook(tmp_path / "m.xlsx")  # not read-only: data_type as Excel would see it
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert_no_live_formula(texts)
    elements = wb["Elements"]
    headers = [c.value for c in elements[1]]
    assert "'" + HYPERLINK in headers  # the attribute key, a live formula before
    assert [c.value for c in elements[3]][:4] == ["s0", "'" + HYPERLINK, "Segment", "'" + HYPERLINK]
    assert dict(wb["Ecosystem"].iter_rows(values_only=True))["name"] == "'=Eco"


def test_workbook_round_trip_gives_the_identical_model(tmp_path):
    model = payload_model()
    export_model(model, "xlsx", tmp_path / "m.xlsx")
    assert import_source(tmp_path / "m.xlsx").model.to_data() == model.to_data()


# ------------------------------------------------------------------------------ analysis tables


@pytest.fixture
def payload_files(tmp_path):
    a = tmp_path / "a.yaml"
    save_model(payload_model(PAYLOADS + WHITESPACE_LED), a)
    data = payload_model(PAYLOADS + WHITESPACE_LED).to_data()
    data["relationships"][0]["amount"] = 50
    data["nodes"][1]["name"] = "@SUM(B2)"  # s0 renamed: diff shows the old and the new name
    b = tmp_path / "b.yaml"
    save_model(Ecosystem.model_validate(data), b)
    return a, b


# whatif's tables hold ids and figures (no free text), written by the same tables_to_csv.
@pytest.mark.parametrize("args, expected", [
    (["analyze", "{a}", "--format", "csv"], ["'" + HYPERLINK, "'@SUM(A1)", "'-2+3", "'\t=1+1"]),
    (["diff", "{a}", "{b}", "--format", "csv"], ["'" + HYPERLINK, "'@SUM(B2)"]),
])
def test_analysis_csv_neutralises_names(payload_files, args, expected):
    a, b = payload_files
    result = CliRunner().invoke(cli, [x.format(a=a, b=b) for x in args])
    assert result.exit_code == 0, result.output
    cells = csv_cells(result.stdout)
    assert_no_live_formula(cells)
    assert [x in cells for x in expected] == [True] * len(expected)


def test_db_csv_neutralises_cells(fresh_database, tmp_path):
    s = fresh_database
    env = {"NEO4J_URI": s.uri, "NEO4J_USERNAME": s.user, "NEO4J_PASSWORD": s.password,
           "NEO4J_DATABASE": s.database}
    path = tmp_path / "p.yaml"
    save_model(payload_model(), path)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "push", str(path), "--name", "=p"], env=env).exit_code == 0
    result = runner.invoke(cli, ["db", "query", "--cypher",
                                 "MATCH (n:EcoNode) WHERE n.kind = 'segment' RETURN n.name AS `=name` "
                                 "ORDER BY n.id", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == "'=name\n" + "".join(csv_text([[p]]) for p in PAYLOADS)
    listed = runner.invoke(cli, ["db", "list", "--format", "csv"], env=env)
    assert listed.stdout.splitlines()[1].startswith("'=p,'=Eco,")
