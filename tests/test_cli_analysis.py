"""ecograph analyze / whatif / diff through click's CliRunner: exact output and exit codes."""

import json

import pytest
from tests.analysis_helpers import small_nodes, small_rels
from click.testing import CliRunner

from ecosystem_graph.cli import cli


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"name": "Small", "currency": "EUR", "period": "2024", "nodes": small_nodes(),
                                "relationships": small_rels()}), encoding="utf-8")
    return str(path)


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_analyze_json_shape_and_values(small):
    r = run("analyze", small, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["format_version"] == 2
    assert set(doc) == {"format_version", "model", "options", "centrality", "keystones", "revenue", "lockin"}
    assert "funnel" not in doc  # no CONVERTS_TO in the model
    assert set(doc["centrality"]["nodes"][0]) == {"id", "name", "kind", "in_degree", "out_degree", "betweenness",
                                                  "closeness", "pagerank", "eigenvector"}
    assert doc["keystones"]["nodes"][0]["id"] == "shop" and doc["keystones"]["nodes"][0]["revenue_at_risk"] == 50.0
    assert doc["keystones"]["nodes"][0]["core_revenue_at_risk"] == 50.0
    # 30 + 10 + 20 into offerings; shop pays seller 5
    assert (doc["revenue"]["ecosystem_revenue"], doc["revenue"]["ecosystem_payouts"], doc["revenue"]["ecosystem_net"]) \
        == (60.0, 5.0, 55.0)
    pays = {(p["from"], p["to"], p["id"]): p for p in doc["revenue"]["payments"]}
    # without id: its edge key TYPE#n (n-th between the two nodes)
    assert len(pays) == 4 and pays[("shop", "seller", "PAYS#0")]["amount"] == 5.0
    pays = {p["id"]: p for p in doc["revenue"]["payments"]}
    assert pays["p-fans-shop"] == {"id": "p-fans-shop", "from": "fans", "to": "shop", "amount": 30.0,
                                             "stream": "purchase", "share_of": None, "share": None}
    assert doc["revenue"]["by_stream"] == {"purchase": 30.0, "commission": 20.0, "subscription": 10.0}
    assert doc["revenue"]["nodes"][0] == {"id": "shop", "kind": "core", "inflow": 50.0, "outflow": 5.0, "net": 45.0}
    seg = doc["lockin"]["segments"][0]
    assert (seg["id"], seg["min_cut"], seg["disjoint_paths"]) == ("fans", 0.7, 2)
    assert seg["cut_edges"] == [["fans", "club", "u-club"], ["fans", "app", "USES#0"]]
    assert seg["paths"][0]["nodes"] == ["fans", "club", "shop"]


def test_analyze_csv_is_exact(small):
    r = run("analyze", small, "--only", "revenue", "--format", "csv")
    assert r.exit_code == 0
    sections = r.output.split("\n\n")
    # shop 50 and club 10 of 60, app 0: 100 * 50 / 60, 100 * 10 / 60
    assert sections[1] == ("# Revenue by offering\noffering,kind,revenue (EUR),% of ecosystem revenue\n"
                           "shop,core,50.0,83.33333333333333\nclub,satellite,10.0,16.666666666666668\n"
                           "app,channel,0.0,0.0")
    assert sections[2] == ("# Revenue by stream\nstream,amount (EUR),% of ecosystem revenue\npurchase,30.0,50.0\n"
                           "commission,20.0,33.333333333333336\nsubscription,10.0,16.666666666666668")
    assert sections[6].splitlines()[:3] == ["# Money flows per node", "id,kind,inflow (EUR),outflow (EUR),net (EUR)",
                                            "shop,core,50.0,5.0,45.0"]


def test_analyze_markdown_and_top(small):
    r = run("analyze", small, "--only", "centrality", "--top", "2", "--format", "markdown")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "### Centrality: where the money ends up"
    rows = [ln for ln in lines if ln.startswith("| ") and not ln.startswith(("| id", "| ---"))]
    assert len(rows) == 2 and rows[0].startswith("| shop | Shop | core | 4 | 1 | 0.25 | 1 |")
    assert "top 2 of 5 nodes, by PageRank" in r.output


def test_analyze_table(small):
    r = run("analyze", small, "--only", "lockin")
    assert r.exit_code == 0
    assert "Lock-in" in r.output and "62.38" in r.output and "fans -> club -> shop" in r.output


def test_analyze_usage_errors(small, tmp_path):
    r = run("analyze", small, "--only", "revnue")
    assert r.exit_code == 2
    assert r.output == ("Error: unknown analysis 'revnue' in --only; expected some of centrality, keystones, "
                        "revenue, lockin, funnel, sensitivity; did you mean 'revenue'?\n")
    r = run("analyze", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 1 and r.output.startswith("Error: ")


def test_whatif_csv_changed_only(small):
    r = run("whatif", small, "--remove", "club", "--only", "revenue", "--changed-only", "--format", "csv")
    assert r.exit_code == 0
    headline, head, figures = r.output.split("\n\n")[:3]
    # the headline first, every format: revenue 60 -> 50 without club's 10 (-10 / 60 = -16.67%); core (shop) 50
    # unchanged; club's net 10 -> 0 once removed (-100%). CSV keeps raw numbers.
    assert headline == ("# What-if headline (money in EUR, 2024)\nfigure,before,after,change,change %\n"
                        "Ecosystem revenue,60.0,50.0,-10.0,-16.666666666666664\n"
                        "Core revenue,50.0,50.0,0.0,0.0\n"
                        "Net: Club (removed),10.0,0.0,-10.0,-100.0")
    assert head == "# What-if\nchange\nremoved node 'club' and its 3 relationship(s)"
    lines = figures.splitlines()
    assert lines[:2] == ["# Figures: revenue", "item,figure,before,after,change,change %,status"]
    assert "(ecosystem),ecosystem_revenue,60.0,50.0,-10.0,-16.666666666666664,changed" not in lines  # in the headline
    assert "(ecosystem),ecosystem_net,55.0,45.0,-10.0,-18.181818181818183,changed" in lines  # -10 / 55
    assert "club,inflow,10.0,,,,removed" in lines


def test_whatif_json_and_errors(small):
    r = run("whatif", small, "--scale", "p-fans-shop=0.5", "--only", "revenue", "--format", "json")
    doc = json.loads(r.output)
    assert doc["format_version"] == 2 and doc["changes"] == ["scaled amount of relationship 'p-fans-shop' by 0.5"]
    [f] = [f for f in doc["figures"] if f["item"] == "(ecosystem)" and f["figure"] == "core_revenue"]
    assert (f["before"], f["after"], f["change"]) == (50.0, 35.0, -15.0)
    r = run("whatif", small)
    assert r.exit_code == 2 and r.output == "Error: nothing to change: give at least one --remove ID or --scale ID=F\n"
    r = run("whatif", small, "--remove", "shopp")
    assert r.exit_code == 2
    assert r.output == "Error: --remove 'shopp': no node or relationship has this id; did you mean 'shop'?\n"


def test_diff(small, tmp_path):
    other = json.loads(open(small, encoding="utf-8").read())
    other["relationships"][0]["amount"] = 45
    b = tmp_path / "b.json"
    b.write_text(json.dumps(other), encoding="utf-8")
    r = run("diff", small, str(b), "--only", "revenue", "--changed-only", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert doc["relationships"] == [{"key": "p-fans-shop", "status": "changed", "fields": {"amount": [30.0, 45.0]}}]
    assert doc["counts"]["nodes"] == {"added": 0, "removed": 0, "changed": 0}
    [f] = [f for f in doc["figures"] if f["figure"] == "core_revenue"]
    assert (f["before"], f["after"]) == (50.0, 65.0)
    r = run("diff", small, str(b), "--only", "revenue", "--changed-only", "--format", "markdown")
    assert "| relationship | p-fans-shop | changed amount | 30.0 | 45.0 |" in r.output
