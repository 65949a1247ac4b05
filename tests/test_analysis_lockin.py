"""Lock-in: binding paths, min cut, cut edges, disjoint paths, mechanisms and index by hand."""

import networkx as nx
import pytest
from tests.analysis_helpers import graph, small_graph

from ecosystem_graph.analysis.binding import SINK, BindingIndex
from ecosystem_graph.analysis.lockin import SOURCE, _flow_network, edge_disjoint_count, lockin, lockin_index


def test_small_model_by_hand():
    s = lockin(small_graph()).by_id()["fans"]
    # fans USES club (0.4, loyalty_program) and app (0.3, search_costs; app is a device -> durable_purchase)
    assert [p.nodes for p in s.paths] == [["fans", "club", "shop"], ["fans", "app", "shop"]]
    assert s.paths[0].switching_costs == [0.4, None]
    assert s.min_cut == pytest.approx(0.7)  # 0.4 + 0.3: FEEDS cannot be cut
    assert sorted(e[1] for e in s.cut_edges) == ["app", "club"]
    assert s.disjoint_paths == 2
    assert s.mechanisms == ["durable_purchase", "search_costs", "loyalty_program"]
    # index = 100 * (0.5 * min(1, 0.7) + 0.25 * 2/3 + 0.25 * 3/7) = 35 + 16.667 + 10.714 = 62.381
    assert s.index == pytest.approx(100 * (0.35 + 0.25 * 2 / 3 + 0.25 * 3 / 7))


def bottleneck_graph(depth=4, max_paths=50):
    nodes = [{"id": "core", "kind": "core", "name": "Core"},
             {"id": "hub", "kind": "satellite", "name": "Hub"},
             {"id": "a", "kind": "channel", "name": "A"}, {"id": "b", "kind": "channel", "name": "B"},
             {"id": "s", "kind": "segment", "name": "S"}, {"id": "t", "kind": "segment", "name": "T"}]
    rels = [{"from": "s", "to": "a", "type": "USES", "switching_cost": 0.2},
            {"from": "s", "to": "b", "type": "USES", "switching_cost": 0.3},
            {"from": "a", "to": "hub", "type": "FEEDS"}, {"from": "b", "to": "hub", "type": "FEEDS"},
            {"from": "hub", "to": "core", "type": "FEEDS"},
            {"from": "t", "to": "hub", "type": "USES"}]
    return graph(nodes, rels)


def test_feeds_bottleneck_limits_disjoint_paths_not_the_cut():
    G = bottleneck_graph()
    s = lockin(G).by_id()["s"]
    # every path ends hub -> core (one edge): 1 edge-disjoint path; the cut is 0.2 + 0.3 = 0.5
    assert s.disjoint_paths == 1 and s.min_cut == pytest.approx(0.5)
    # min cut = max flow on the segment's own network (networkx, independent of the decomposition)
    index = BindingIndex(G)
    F = _flow_network(index, ["s"])
    assert nx.maximum_flow_value(F, SOURCE, SINK) == pytest.approx(0.5)
    # t USES hub without a switching cost: free to leave, cut 0, one path
    t = lockin(G).by_id()["t"]
    assert (t.min_cut, t.disjoint_paths, [e[1] for e in t.cut_edges]) == (0.0, 1, ["hub"])


def test_depth_and_path_cap_are_reported():
    G = bottleneck_graph()
    shallow = lockin(G, depth=2).by_id()["s"]
    assert shallow.paths == [] and shallow.min_cut == pytest.approx(0.5)  # the cut is not depth-bound
    deep = lockin(G, depth=3).by_id()["s"]
    assert [p.nodes for p in deep.paths] == [["s", "a", "hub", "core"], ["s", "b", "hub", "core"]]
    capped = lockin(G, depth=3, max_paths=1)
    assert capped.by_id()["s"].paths_truncated and len(capped.by_id()["s"].paths) == 1
    assert capped.paths_truncated == 1 and "hit the cap of 1" in capped.note


def test_unbound_segment_has_zero_lockin():
    nodes = [{"id": "c", "kind": "core", "name": "C"}, {"id": "x", "kind": "satellite", "name": "X"},
             {"id": "s", "kind": "segment", "name": "S"}]
    s = lockin(graph(nodes, [{"from": "s", "to": "x", "type": "USES", "switching_cost": 0.9,
                              "mechanisms": ["loyalty_program"]}])).by_id()["s"]
    assert (s.min_cut, s.disjoint_paths, s.mechanisms, s.index, s.paths) == (0.0, 0, [], 0.0, [])


def test_money_scale_reference():
    nodes = [{"id": "c", "kind": "core", "name": "C"}, {"id": "s", "kind": "segment", "name": "S"},
             {"id": "r", "kind": "segment", "name": "R"}]
    rels = [{"from": "s", "to": "c", "type": "USES", "switching_cost": 200},
            {"from": "r", "to": "c", "type": "USES", "switching_cost": 50}]
    res = lockin(graph(nodes, rels))
    assert (res.scale, res.reference) == ("money", 200.0)
    # r: C = 50/200 = 0.25, P = 1/3, M = 0 -> 100 * (0.125 + 0.0833) = 20.833
    assert res.by_id()["r"].index == pytest.approx(100 * (0.125 + 0.25 / 3))


def test_index_formula_and_disjoint_count():
    assert lockin_index(2.0, 5, ["a", "b"] * 1 + ["c"] * 0 + ["loyalty_program"] * 5) == pytest.approx(
        100 * (0.5 + 0.25 + 0.25 * 3 / 7))
    net = {"s": {"x": 2, "y": 1}, "x": {"c": 1}, "y": {"c": 3}, "c": {SINK: float("inf")}}
    # s->x (2 edges) -> c (1 edge) and s->y -> c: 2 disjoint paths
    assert edge_disjoint_count(net, "s") == 2
