"""The fast paths of the analyses give the figures of their plain definitions: money_pagerank, the
closed-form lock-in cut, the pruned keystone lock-in change, the funnel order and sampled closeness."""

import random

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.analysis_helpers import graph, small_graph

from ecosystem_graph.analysis import analyze, centrality
from ecosystem_graph.analysis._common import SINK, BindingIndex, collapse
from ecosystem_graph.analysis.funnel import funnel
from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.lockin import SOURCE, _flow_network, lockin, lockin_index, switching_cost_reference
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
    assert ["PageRank", f"{pr[core['id']]:.4f}"] in core["d"]


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
