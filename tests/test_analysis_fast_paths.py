"""The fast paths of the analyses give the figures of their plain definitions: money_pagerank, the
collapsed graph, the closed-form lock-in cut, the disjoint paths split by flow component, the dominator
trees, the pruned keystone lock-in change and ranking, the funnel order and inversion and sampled
closeness."""

import random

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.analysis_helpers import graph, small_graph

from ecosystem_graph.analysis import analyze, centrality
from ecosystem_graph.analysis.binding import SINK, BindingIndex, collapse
from ecosystem_graph.analysis.funnel import funnel
from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.lockin import (SOURCE, _flow_network, lockin, lockin_index, segment_network,
                                             switching_cost_reference)
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
sizes = st.integers(min_value=5, max_value=120)
seeds = st.integers(min_value=0, max_value=10_000)


def test_money_pagerank_is_the_pagerank_of_centrality():
    for G in (small_graph(), to_networkx(generate_model(150, seed=4))):
        alone = centrality.money_pagerank(G)
        full = {n.id: n.pagerank for n in centrality.centrality(G).nodes}
        assert alone == full
        # and it is networkx's own PageRank on the collapsed, money-weighted graph
        assert alone == pytest.approx(nx.pagerank(collapse(G), alpha=0.85, weight="weight"), rel=1e-12)
    assert centrality.money_pagerank(nx.MultiDiGraph()) == {}


def test_renderer_sizes_by_pagerank_without_the_full_centrality(monkeypatch):
    from ecosystem_graph.model import Ecosystem
    from ecosystem_graph.render.html import graph_data

    model = Ecosystem.model_validate(generate_model(40, seed=2).to_data())
    with_analysis = graph_data(model, size_by="pagerank", analysis=analyze(to_networkx(model)))

    def no_full_centrality(*args, **kwargs):
        raise AssertionError("the renderer must not compute betweenness and closeness to size nodes")

    monkeypatch.setattr(centrality, "centrality", no_full_centrality)
    alone = graph_data(model, size_by="pagerank")
    assert [(n["id"], n["size"]) for n in alone["nodes"]] == [(n["id"], n["size"]) for n in with_analysis["nodes"]]
    pr = centrality.money_pagerank(to_networkx(model))
    core = next(n for n in alone["nodes"] if n["kind"] == "core")
    # PageRank shown as the share of 100% it is ("where the money ends up")
    assert ["Where the money ends up (money-weighted PageRank, all actors = 100%)",
            f"{pr[core['id']]:.1%}"] in core["d"]


@PROPS
@given(sizes, seeds)
def test_closed_form_cut_is_the_networkx_minimum_cut(n, seed):
    G = to_networkx(generate_model(n, seed))
    index = BindingIndex(G)
    res = lockin(G, index=index)
    assert res.method == "closed-form"
    bound = [s.id for s in res.segments if s.id in index.reaches_core]
    if not bound:
        return
    # one networkx minimum cut over every segment behind a super-source: the same cut edges and values
    _, (_, T) = nx.minimum_cut(_flow_network(index, bound), SOURCE, SINK)
    for s in res.segments:
        if s.id in index.reaches_core:
            expected = [(s.id, v, k) for v, k, d in index.succ.get(s.id, ())
                        if v in T and v in index.reaches_core and d["type"] == "USES"]
            assert s.cut_edges == expected
            assert s.min_cut == pytest.approx(sum(G.edges[e].get("switching_cost") or 0.0 for e in expected))


def test_outside_the_model_rules_the_cut_is_networkx_per_segment():
    # USES out of a satellite breaks the rules the closed form relies on: min(0.3, 0.2) not 0.3
    G = nx.MultiDiGraph()
    for n, k in [("core", "core"), ("a", "satellite"), ("s", "segment")]:
        G.add_node(n, kind=k, name=n)
    G.add_edge("s", "a", type="USES", switching_cost=0.3)
    G.add_edge("a", "core", type="USES", switching_cost=0.2)
    res = lockin(G)
    seg = res.by_id()["s"]
    assert res.method == "per-segment"
    assert seg.min_cut == pytest.approx(0.2) and seg.cut_edges == [("a", "core", 0)]


def outside_the_rules_graph():
    """s USES a (0.3) and b (0.1); a USES the core (0.2) - outside the model rules -, b FEEDS it; t USES a (0.6)."""
    G = nx.MultiDiGraph()
    for n, k in [("core", "core"), ("a", "satellite"), ("b", "channel"), ("s", "segment"), ("t", "segment")]:
        G.add_node(n, kind=k, name=n)
    G.add_edge("s", "a", type="USES", switching_cost=0.3)
    G.add_edge("s", "b", type="USES", switching_cost=0.1)
    G.add_edge("a", "core", type="USES", switching_cost=0.2)
    G.add_edge("b", "core", type="FEEDS")
    G.add_edge("t", "a", type="USES", switching_cost=0.6)
    return G


def test_outside_the_model_rules_keystones_use_the_networkx_cut_too():
    G = outside_the_rules_graph()
    # s: cut min(0.3, 0.2) + 0.1 = 0.3, 2 disjoint paths: 100 x (0.5 x 0.3 + 0.25 x 2/3) = 31.67
    # t: cut min(0.6, 0.2) = 0.2, 1 path: 100 x (0.5 x 0.2 + 0.25 / 3) = 18.33; total 50 (the closed form's
    # sums of the segments' own costs, 0.4 and 0.6, would give 36.67 + 38.33 = 75)
    s_index, t_index = 100 * (0.5 * 0.3 + 0.25 * 2 / 3), 100 * (0.5 * 0.2 + 0.25 / 3)
    assert lockin(G).total_index == pytest.approx(s_index + t_index)
    for res in (keystones(G), keystones(G, lockin_result=lockin(G))):
        assert res.total_lockin == pytest.approx(50.0)
        change = {k.id: k.lockin_change for k in res.nodes}
        # without b, s keeps s-a-core only: cut 0.2, 1 path: 18.33 - 31.67 = -13.33 (not 0.3 -> -8.33)
        assert change["b"] == pytest.approx(100 * (0.5 * 0.2 + 0.25 / 3) - s_index)
        # without a, s keeps s-b-core (cut 0.1, 1 path: 13.33) and t has no binding left: -18.33 - 18.33
        assert change["a"] == pytest.approx(100 * (0.5 * 0.1 + 0.25 / 3) - s_index - t_index)


def brute_force_lockin_change(G):
    """Total lock-in index after removing each node (every segment recomputed on G - x with the
    intact model's switching-cost reference) minus before."""
    _, reference = switching_cost_reference(G)
    before = sum(s.index for s in lockin(G).segments)
    out = {}
    for x in G:
        H = G.copy()
        H.remove_node(x)
        after = sum(lockin_index(s.min_cut, s.disjoint_paths, s.mechanisms, reference) for s in lockin(H).segments)
        out[x] = after - before
    return out


@PROPS
@given(st.integers(min_value=5, max_value=60), seeds)
def test_keystone_lockin_change_equals_recomputing_without_each_node(n, seed):
    G = to_networkx(generate_model(n, seed))
    got = {k.id: k.lockin_change for k in keystones(G).nodes}
    expected = brute_force_lockin_change(G)
    assert got == pytest.approx(expected, abs=1e-9)


def shared_hub_graph():
    # s1 and s2 use the same two channels, which feed a hub and (a) also the core directly:
    # two disjoint paths each, and only removing a channel or the core lowers them.
    nodes = [{"id": "core", "kind": "core", "name": "Core"}, {"id": "hub", "kind": "satellite", "name": "Hub"},
             {"id": "a", "kind": "channel", "name": "A"}, {"id": "b", "kind": "channel", "name": "B"},
             {"id": "s1", "kind": "segment", "name": "S1"}, {"id": "s2", "kind": "segment", "name": "S2"}]
    rels = [{"from": s, "to": c, "type": "USES", "switching_cost": 0.25} for s in ("s1", "s2") for c in ("a", "b")]
    rels += [{"from": "a", "to": "hub", "type": "FEEDS"}, {"from": "b", "to": "hub", "type": "FEEDS"},
             {"from": "a", "to": "core", "type": "FEEDS"}, {"from": "hub", "to": "core", "type": "FEEDS"}]
    return graph(nodes, rels)


def test_shared_targets_by_hand():
    G = shared_hub_graph()
    res = lockin(G).by_id()
    # a -> core and b -> hub -> core share no relationship: 2 disjoint paths; cut 0.25 + 0.25
    assert [(res[s].disjoint_paths, res[s].min_cut) for s in ("s1", "s2")] == [(2, 0.5), (2, 0.5)]
    change = {k.id: k.lockin_change for k in keystones(G).nodes}
    # without hub, b no longer reaches the core: per segment the cut drops 0.5 -> 0.25
    # (100 * 0.5 * -0.25 = -12.5) and the paths 2 -> 1 (100 * 0.25 * -1/3 = -8.33): 2 x -20.83
    assert change["hub"] == pytest.approx(2 * (-12.5 - 100 * 0.25 / 3))
    assert change == pytest.approx(brute_force_lockin_change(G), abs=1e-9)


@PROPS
@given(sizes, seeds)
def test_funnel_stage_order_is_networkx_lexicographical_topological_order(n, seed):
    G = to_networkx(generate_model(n, seed))
    res = funnel(G)
    if res is None:
        return
    order = {v: i for i, v in enumerate(G)}
    C = nx.MultiDiGraph((u, v) for u, v, d in G.edges(data=True) if d["type"] == "CONVERTS_TO")
    for f in res.funnels:
        stages = [s.id for s in f.stages]
        sub = C.subgraph(stages)
        assert stages == list(nx.lexicographical_topological_sort(sub, key=order.__getitem__))


def test_sampled_closeness_equals_the_formula_on_networkx_distances():
    D = collapse(to_networkx(generate_model(400, seed=7)))
    sources = random.Random(3).sample(list(D), 17)
    reached, total = dict.fromkeys(D, 0), dict.fromkeys(D, 0)
    for s in sources:
        for v, d in nx.single_source_shortest_path_length(D, s).items():
            if v != s:
                reached[v] += 1
                total[v] += d
    expected = {}
    for v in D:
        k = len(sources) - (v in sources)
        r, t = reached[v], total[v]
        expected[v] = (r / t) * (r / k) if t > 0 and k > 0 else 0.0
    assert centrality.sampled_closeness(D, sources) == expected


def test_collapsed_graph_is_the_add_weighted_edges_from_graph():
    from ecosystem_graph.analysis.binding import edge_list
    from ecosystem_graph.analysis.reference import collapsed_graph

    G = to_networkx(generate_model(300, seed=5))
    expected = collapsed_graph(G)
    D = collapse(G)
    assert list(D) == list(expected)
    assert list(D.edges(data=True)) == list(expected.edges(data=True))
    assert all(list(D.pred[n].items()) == list(expected.pred[n].items()) for n in G)
    # the edge list is the edge view's, in the same order
    assert edge_list(G) == list(G.edges(keys=True, data=True))


@PROPS
@given(sizes, seeds)
def test_dominator_trees_equal_per_offering_dominators(n, seed):
    G = to_networkx(generate_model(n, seed))
    index = BindingIndex(G)
    for y in index.reaches_core:
        if index.kind[y] not in ("segment", "partner"):
            assert index._tree_dominators(y) == index._offering_dominators(y)


def shared_component_graph():
    # a FEEDS b FEEDS core: a and b share one flow component (b's single FEEDS is the bottleneck);
    # c feeds the core on its own. s1 uses a and b (1 disjoint path), s2 uses b twice and c (2),
    # s3 uses the core directly and c (2).
    nodes = [{"id": "core", "kind": "core", "name": "Core"}, {"id": "a", "kind": "channel", "name": "A"},
             {"id": "b", "kind": "satellite", "name": "B"}, {"id": "c", "kind": "channel", "name": "C"},
             {"id": "s1", "kind": "segment", "name": "S1"}, {"id": "s2", "kind": "segment", "name": "S2"},
             {"id": "s3", "kind": "segment", "name": "S3"}]
    rels = [{"from": "a", "to": "b", "type": "FEEDS"}, {"from": "b", "to": "core", "type": "FEEDS"},
            {"from": "c", "to": "core", "type": "FEEDS"},
            {"from": "s1", "to": "a", "type": "USES", "switching_cost": 0.3, "mechanisms": ["search_costs"]},
            {"from": "s1", "to": "b", "type": "USES", "switching_cost": 0.2, "mechanisms": ["loyalty_program"]},
            {"from": "s2", "to": "b", "type": "USES", "switching_cost": 0.1},
            {"from": "s2", "to": "b", "type": "USES", "switching_cost": 0.1},
            {"from": "s2", "to": "c", "type": "USES", "switching_cost": 0.4},
            {"from": "s3", "to": "core", "type": "USES", "switching_cost": 0.5},
            {"from": "s3", "to": "c", "type": "USES", "switching_cost": 0.25}]
    return graph(nodes, rels)


def test_disjoint_paths_split_by_flow_component_by_hand():
    G = shared_component_graph()
    index = BindingIndex(G)
    res = lockin(G, index=index).by_id()
    assert [res[s].disjoint_paths for s in ("s1", "s2", "s3")] == [1, 2, 2]
    for s in ("s1", "s2", "s3"):  # networkx max flow on each segment's own network
        U = nx.DiGraph()
        for u, row in segment_network(index, s).items():
            for v, c in row.items():
                U.add_edge(u, v, capacity=c)
        assert res[s].disjoint_paths == nx.maximum_flow_value(U, s, SINK)
    change = {k.id: k.lockin_change for k in keystones(G).nodes}
    assert change == pytest.approx(brute_force_lockin_change(G), abs=1e-9)


@PROPS
@given(sizes, seeds)
def test_keystone_ranking_is_pythons_sort_of_the_figures(n, seed):
    res = keystones(to_networkx(generate_model(n, seed)))
    ranked = sorted(res.nodes, key=lambda k: (-k.impact, -k.revenue_at_risk, -k.segments_cut_off, k.lockin_change,
                                             k.id))
    assert [k.id for k in res.nodes] == [k.id for k in ranked]
    assert [k.rank for k in res.nodes] == list(range(1, len(res.nodes) + 1))


def test_funnels_inverted_together_equal_one_at_a_time():
    import numpy as np

    from ecosystem_graph.analysis import funnel as funnel_module

    G = to_networkx(generate_model(3000, seed=2))
    res = funnel(G)
    assert len(res.funnels) > 10
    # each funnel's absorption probabilities with its own inverse, as the plain definition computes them
    for f in res.funnels[:50]:
        stages = [s.id for s in f.stages]
        succ = {s: {} for s in stages}
        for step in f.steps:
            succ[step.source].setdefault(step.target, []).append(step.rate)
        pred = {s: sum(1 for step in f.steps if step.target == s) for s in stages}
        p = funnel_module._prepare(succ, pred, stages)
        N = np.linalg.inv(np.eye(len(p["transient"])) - p["Q"])
        B = N @ p["R"]
        for s in f.stages:
            expected = 1.0 if s.final else float(B[p["ti"][s.id]].sum())
            assert s.reach_final == expected
