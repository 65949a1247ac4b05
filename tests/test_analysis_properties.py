"""Invariants on generated models (hypothesis): closed money flows, PageRank mass, min cut = max flow,
an isolated node changes nothing."""

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.binding import SINK, BindingIndex
from ecosystem_graph.analysis.lockin import SOURCE, _flow_network, lockin, segment_network
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

sizes = st.integers(min_value=5, max_value=80)
seeds = st.integers(min_value=0, max_value=10_000)
PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(sizes, seeds)
def test_money_is_conserved_and_pagerank_sums_to_one(n, seed):
    G = to_networkx(generate_model(n, seed))
    a = analyze(G, only="centrality,revenue")
    assert sum(x.net for x in a.revenue.nodes) == pytest.approx(0.0, abs=1e-6 * max(1.0, a.revenue.ecosystem_revenue))
    pays = sum(d["amount"] for _, _, d in G.edges(data=True) if d["type"] == "PAYS")
    assert sum(x.inflow for x in a.revenue.nodes) == pytest.approx(pays)
    assert sum(a.revenue.by_stream.values()) == pytest.approx(a.revenue.ecosystem_revenue)
    assert sum(x.pagerank for x in a.centrality.nodes) == pytest.approx(1.0)
    # dependent revenue never exceeds what was paid into the cores
    assert all(0 <= v <= 1 + 1e-9 for v in a.revenue.dependency.values())


@PROPS
@given(sizes, seeds)
def test_min_cut_equals_max_flow_per_segment(n, seed):
    G = to_networkx(generate_model(n, seed))
    index = BindingIndex(G)
    res = lockin(G, index=index)
    for s in res.segments:
        if s.id not in index.reaches_core:
            assert s.min_cut == 0 and s.disjoint_paths == 0
            continue
        F = _flow_network(index, [s.id])
        assert s.min_cut == pytest.approx(nx.maximum_flow_value(F, SOURCE, SINK))
        cut_cost = sum(G.edges[e].get("switching_cost") or 0.0 for e in s.cut_edges)
        assert cut_cost == pytest.approx(s.min_cut)
        # edge-disjoint paths = networkx max flow with each relationship's multiplicity as capacity
        U = nx.DiGraph()
        for u, row in segment_network(index, s.id).items():
            for v, c in row.items():
                U.add_edge(u, v, capacity=c)
        assert s.disjoint_paths == nx.maximum_flow_value(U, s.id, SINK)
        assert 0 <= s.index <= 100


@PROPS
@given(sizes, seeds)
def test_isolated_node_changes_nothing(n, seed):
    G = to_networkx(generate_model(n, seed))
    H = G.copy()
    H.add_node("zz-isolated", kind="partner", name="Isolated")
    a, b = analyze(G), analyze(H)
    assert b.revenue.to_dict()["nodes"][:-1] == a.revenue.to_dict()["nodes"]
    ra, rb = a.revenue.to_dict(), b.revenue.to_dict()
    for key in ("ecosystem_revenue", "core_revenue", "by_stream", "by_segment", "dependency", "hhi"):
        assert ra[key] == rb[key]
    assert [s.to_dict() for s in a.lockin.segments] == [s.to_dict() for s in b.lockin.segments]
    ka, kb = a.keystones.by_id(), b.keystones.by_id()
    for nid, k in ka.items():
        assert (k.revenue_at_risk, k.segments_cut_off, k.lockin_change) == pytest.approx(
            (kb[nid].revenue_at_risk, kb[nid].segments_cut_off, kb[nid].lockin_change))
    assert a.funnel.to_dict() == b.funnel.to_dict() if a.funnel else b.funnel is None
    # centrality: degrees equal; betweenness equal once un-normalised by (n-1)(n-2)
    n0 = G.number_of_nodes()
    ca, cb = a.centrality.by_id(), b.centrality.by_id()
    for nid, c in ca.items():
        assert (c.in_degree, c.out_degree) == (cb[nid].in_degree, cb[nid].out_degree)
        assert c.betweenness * (n0 - 1) * (n0 - 2) == pytest.approx(cb[nid].betweenness * n0 * (n0 - 1))
