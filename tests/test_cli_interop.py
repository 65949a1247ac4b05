"""CLI of `ecograph import` and `ecograph export`: exact output, exit codes, nothing written on error."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import dumps_model, load_model

from .test_interop_import import DATA, good_workbook, make_workbook

ROOT = Path(__file__).parent.parent
AMAZON = ROOT / "examples" / "amazon.yaml"


@pytest.fixture
def runner():
    return CliRunner()


def test_import_workbook_writes_a_valid_model(runner, tmp_path):
    source = good_workbook(tmp_path)
    out = tmp_path / "shop.yaml"
    result = runner.invoke(cli, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Imported 6 nodes and 7 relationships from {source} into {out}\n"
    assert result.stderr == (f"{source}:Elements!A7: warning: segment 'flybys' uses nothing and no channel "
                             f"reaches it\n")
    model = load_model(out)
    assert (model.name, model.currency, model.period) == ("Shop 2024", "EUR", "2024")
    assert out.read_text() == dumps_model(model)


def test_import_with_map_and_metadata_options(runner, tmp_path):
    source = make_workbook(tmp_path / "m.xlsx", [["Label", "Type"], ["Shop", "Store"], ["Fans", "Audience"]],
                           [["From", "To", "Type", "Amount"], ["Fans", "Shop", "Buys from", 3]])
    out = tmp_path / "m.json"
    result = runner.invoke(cli, ["import", str(source), "-o", str(out), "--map", "Store=core",
                                 "--map", "audience=segment", "--map", "Buys From=PAYS", "--name", "Mapped",
                                 "--currency", "chf", "--period", "FY25", "--money-unit", "thousand"])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{source}:Elements!A3: warning: segment 'fans' uses nothing and no channel reaches it\n"
    data = json.loads(out.read_text())
    assert (data["name"], data["currency"], data["period"], data["money_unit"]) == ("Mapped", "CHF", "FY25", "thousand")
    assert [(n["id"], n["kind"]) for n in data["nodes"]] == [("shop", "core"), ("fans", "segment")]
    assert data["relationships"] == [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 3.0}]


def test_import_errors_are_listed_once_each_and_nothing_is_written(runner, tmp_path):
    source = make_workbook(tmp_path / "bad.xlsx",
                           [["Label", "Type"], ["Shop", "Core"], ["Fans", "Segmnt"], ["Shop", "core"]],
                           [["From", "To", "Type"], ["Fans", "Shop", "Pays"], ["Shop", "Nobody", "Pays"]])
    out = tmp_path / "out.yaml"
    out.write_text("old content\n")
    result = runner.invoke(cli, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{source}:Elements!B3: unknown element type 'Segmnt' for 'Fans'; expected one of core, satellite, "
        f"channel, partner, segment; did you mean 'segment'? (or map it: --map 'Segmnt=kind')\n"
        f"{source}:Elements!A4: duplicate label 'Shop'; first used at {source}:Elements!A2 (labels name "
        f"elements in From/To, so they must be unique; or give each element an ID)\n"
        f"{source}: warning: no currency given; assumed USD (set it with --currency)\n"
        f"{source}: warning: no period given; set to 'unspecified' (set it with --period, e.g. --period 2023)\n"
        f"{source}:Connections!B2: 'Shop' in To is the label of several elements; refer to one by its ID\n"
        f"{source}:Connections!A3: 'Shop' in From is the label of several elements; refer to one by its ID\n"
        f"{source}:Connections!B3: 'Nobody' in To is not an element in Elements\n"
        f"5 errors in {source}\n")
    assert out.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx", "out.yaml"]


@pytest.mark.parametrize("args, message", [
    (["--map", "Store"], "Error: --map 'Store' must look like 'Source type=kind', e.g. 'Product=satellite' "
                         "or 'Buys from=PAYS'\n"),
    (["--currency", "euro"], "Error: --currency must be a 3-letter ISO 4217 code such as USD or EUR, not 'EURO'\n"),
    (["--period", " "], "Error: --period must not be empty\n"),
])
def test_import_usage_errors_exit_2(runner, tmp_path, args, message):
    out = tmp_path / "m.yaml"
    result = runner.invoke(cli, ["import", str(DATA / "kumu-blueprint.json"), "-o", str(out), *args])
    assert (result.exit_code, result.stderr) == (2, message)
    assert not out.exists()


def test_import_output_must_be_a_model_file_name(runner, tmp_path):
    result = runner.invoke(cli, ["import", str(DATA / "kumu-blueprint.json"), "-o", str(tmp_path / "m.txt")])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: -o {tmp_path / 'm.txt'}: the model file must end in .yaml, .yml or .json\n")


def test_import_unreadable_source(runner, tmp_path):
    result = runner.invoke(cli, ["import", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path / "m.yaml")])
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path / 'nope.xlsx'}: no such file\n")


def test_import_kumu_json_and_csv_pair(runner, tmp_path):
    result = runner.invoke(cli, ["import", str(DATA / "kumu-blueprint.json"), "-o", str(tmp_path / "k.yaml"),
                                 "--currency", "EUR", "--period", "2024"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Imported 7 nodes and 7 relationships from {DATA / 'kumu-blueprint.json'} "
                             f"into {tmp_path / 'k.yaml'}\n")
    result = runner.invoke(cli, ["import", str(DATA / "csv-semicolon"), "-o", str(tmp_path / "c.yaml"),
                                 "--currency", "EUR", "--period", "2024"])
    assert result.exit_code == 0, result.output
    assert load_model(tmp_path / "c.yaml").relationships[0].amount == 120.5


@pytest.mark.parametrize("fmt, name", [("graphml", "a.graphml"), ("gexf", "a.gexf"), ("json", "a.json"),
                                       ("cypher", "a.cypher"), ("xlsx", "a.xlsx")])
def test_export_each_format_and_import_it_back(runner, tmp_path, fmt, name):
    model = load_model(AMAZON)
    out = tmp_path / name
    result = runner.invoke(cli, ["export", str(AMAZON), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Exported {len(model.nodes)} nodes and {len(model.relationships)} relationships "
                             f"as {fmt} to {out}\n")
    if fmt == "cypher":
        lines = out.read_text().splitlines()
        assert [line for line in lines if line.startswith("//")] == lines[:6]
        assert all(line.endswith(";") for line in lines[6:]) and len(lines) > 6
        return
    back = tmp_path / "back.yaml"
    result = runner.invoke(cli, ["import", str(out), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert load_model(back) == model


def test_export_csv_into_a_directory(runner, tmp_path):
    model = load_model(AMAZON)
    result = runner.invoke(cli, ["export", str(AMAZON), "--format", "csv", "-o", str(tmp_path / "pair")])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Exported {len(model.nodes)} nodes and {len(model.relationships)} relationships "
                             f"as csv to {tmp_path / 'pair' / 'nodes.csv'} and "
                             f"{tmp_path / 'pair' / 'relationships.csv'}\n")
    back = tmp_path / "back.yaml"
    result = runner.invoke(cli, ["import", str(tmp_path / "pair"), "-o", str(back), "--name", model.name,
                                 "--currency", model.currency, "--period", model.period, "--money-unit",
                                 model.money_unit])
    assert result.exit_code == 0, result.output
    assert load_model(back).model_copy(update={"description": model.description}) == model


def test_export_graphml_is_read_by_networkx(runner, tmp_path):
    result = runner.invoke(cli, ["export", str(AMAZON), "--format", "graphml", "-o", str(tmp_path / "a.graphml")])
    assert result.exit_code == 0
    G = nx.read_graphml(tmp_path / "a.graphml", force_multigraph=True)
    model = load_model(AMAZON)
    assert G.number_of_nodes() == len(model.nodes) and G.number_of_edges() == len(model.relationships)
    assert G.graph["currency"] == model.currency


def test_export_errors(runner, tmp_path):
    result = runner.invoke(cli, ["export", str(AMAZON), "--format", "json", "-o", str(tmp_path / "a.json"),
                                 "--ecosystem", "x"])
    assert (result.exit_code, result.stderr) == (2, "Error: --ecosystem is only for --format cypher\n")
    result = runner.invoke(cli, ["export", str(tmp_path / "none.yaml"), "--format", "json", "-o",
                                 str(tmp_path / "a.json")])
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path / 'none.yaml'}: no such file\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\ncurrency: EUR\nperiod: '1'\nnodes:\n  - {id: a, kind: planet, name: A}\n")
    result = runner.invoke(cli, ["export", str(bad), "--format", "gexf", "-o", str(tmp_path / "a.gexf")])
    assert result.exit_code == 1
    assert result.stderr == (f"{bad}:5:5: warning: node 'a' has no relationships\n"
                             f"{bad}:5:19: unknown kind 'planet' in nodes[0].kind; expected one of core, "
                             f"satellite, channel, partner, segment; did you mean 'partner'?\n1 error in {bad}\n")
    assert not (tmp_path / "a.gexf").exists()
    result = runner.invoke(cli, ["export", str(AMAZON), "--format", "dot", "-o", str(tmp_path / "a.dot")])
    assert result.exit_code == 2 and "'dot' is not one of 'graphml', 'gexf', 'csv', 'json', 'cypher', 'xlsx'" \
        in result.stderr


def test_help_teaches_with_examples(runner):
    result = runner.invoke(cli, ["import", "--help"])
    assert result.exit_code == 0
    assert "ecograph import workshop.xlsx -o amazon.yaml --currency USD --period 2023" in result.stdout
    assert "--map 'TYPE=KIND'" in result.stdout
    result = runner.invoke(cli, ["export", "--help"])
    assert "ecograph export amazon.yaml --format cypher -o amazon.cypher" in result.stdout
