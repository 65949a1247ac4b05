"""What-if and diff."""

import pytest
from tests.analysis_helpers import graph, model, small_graph, small_nodes, small_rels

from ecosystem_graph.analysis.diff import diff_models
from ecosystem_graph.analysis.scenario import apply_changes, parse_scale, whatif
from ecosystem_graph.errors import UsageError


def fig(scenario, section, item, figure):
    [f] = [f for f in scenario.comparison.figures if (f.section, f.item, f.figure) == (section, item, figure)]
    return f


def test_remove_satellite_before_after_change():
    s = whatif(small_graph(), remove=["club"])
    assert s.changes == ["removed node 'club' and its 3 relationship(s)"]
    f = fig(s, "revenue", "(ecosystem)", "ecosystem_revenue")
    assert (f.before, f.after, f.change, f.status) == (60.0, 50.0, -10.0, "changed")  # club's 10 subscription
    assert fig(s, "lockin", "fans", "min_cut").after == pytest.approx(0.3)
    assert fig(s, "centrality", "club", "pagerank").status == "removed"
    # all of fans->shop now depends on the app: 30 / 50
    assert fig(s, "revenue", "app", "dependency").after == pytest.approx(0.6)


def test_scale_node_and_relationship():
    s = whatif(small_graph(), scale={"shop": 2.0, "u-club": 0.5}, only="revenue,lockin")
    # shop's payments in (30 + 20) and out (5) doubled
    assert fig(s, "revenue", "shop", "net").after == pytest.approx(90.0)
    assert fig(s, "lockin", "fans", "min_cut").after == pytest.approx(0.2 + 0.3)
    assert "scaled switching_cost of relationship 'u-club' by 0.5" in s.changes


def test_errors_name_the_problem():
    G = small_graph()
    with pytest.raises(UsageError, match="--remove 'clb': no node or relationship has this id; did you mean 'club'"):
        apply_changes(G, remove=["clb"])
    with pytest.raises(UsageError, match="must be ID=FACTOR"):
        parse_scale(["shop"])
    with pytest.raises(UsageError, match="must be ID=FACTOR"):
        parse_scale(["shop=-1"])
    rels = small_rels()
    rels[-1]["id"] = "r-app"  # app REACHES fans, reach 0.8
    G2 = graph(small_nodes(), rels)
    with pytest.raises(UsageError, match=r"--scale 'r-app': reach 0.8 x 2 = 1.6 exceeds 1"):
        apply_changes(G2, scale={"r-app": 2})
    H, _ = apply_changes(G2, scale={"u-club": 3})  # a switching cost may exceed 1 (money scale)
    assert H.edges["fans", "club", "u-club"]["switching_cost"] == pytest.approx(1.2)
    assert G2.edges["fans", "club", "u-club"]["switching_cost"] == 0.4  # the input is untouched


def test_removing_a_relationship_by_id():
    s = whatif(small_graph(), remove=["p-fans-shop"], only="revenue")
    assert s.changes == ["removed relationship 'p-fans-shop' (fans -> shop)"]
    assert fig(s, "revenue", "(ecosystem)", "core_revenue").after == 20.0


def test_diff_items_and_figures():
    a = model(small_nodes(), small_rels())
    nodes = small_nodes()
    nodes[1]["name"] = "Fan club"
    nodes.append({"id": "shop2", "kind": "core", "name": "Second shop"})
    rels = [r for r in small_rels() if r.get("id") != "u-club"]
    rels[0] = dict(rels[0], amount=45)
    rels.append({"from": "fans", "to": "shop2", "type": "PAYS", "amount": 5})
    b = model(nodes, rels)
    d = diff_models(a, b, only="revenue")
    assert [(i.key, i.status, i.fields) for i in d.nodes] == [
        ("club", "changed", {"name": ["Club", "Fan club"]}), ("shop2", "added", {})]
    assert [(i.key, i.status) for i in d.relationships] == [
        ("p-fans-shop", "changed"), ("u-club", "removed"), ("fans -> shop2 PAYS#0", "added")]
    assert d.relationships[0].fields == {"amount": [30.0, 45.0]}
    [core] = [f for f in d.comparison.figures if f.item == "(ecosystem)" and f.figure == "core_revenue"]
    assert (core.before, core.after, core.change) == (50.0, 70.0, 20.0)  # +15 on shop, +5 to shop2
    assert d.counts() == {"nodes": {"added": 1, "removed": 0, "changed": 1},
                          "relationships": {"added": 1, "removed": 1, "changed": 1}}


def test_diff_of_a_model_with_itself_is_empty():
    a = model(small_nodes(), small_rels())
    d = diff_models(a, a)
    assert d.identical and not d.comparison.changed()
