"""Centrality: hand-computed values on a small model and networkx's own results on the same graph."""

import math

import networkx as nx
import pytest
from tests.analysis_helpers import small_graph

from ecosystem_graph.analysis import centrality as cmod
from ecosystem_graph.analysis.binding import collapse, money_reference
from ecosystem_graph.analysis.centrality import centrality, sample_size, sampled_closeness
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx


def hand_digraph():
    # Weights by hand. PAYS amounts 30, 10, 20, 5 -> median (10+20)/2 = 15 = one typical payment.
    #   fans->shop  PAYS 30/15                      = 2.0
    #   fans->club  PAYS 10/15 + USES share 0.5     = 0.6667 + 0.5 = 1.1667
    #   seller->shop PAYS 20/15                     = 1.3333
    #   shop->seller PAYS 5/15                      = 0.3333
    #   fans->app   USES (no share)                 = 1
    #   club->shop  FEEDS strength 0.5              = 0.5
    #   app->shop   FEEDS (no strength)             = 1
    #   app->fans   REACHES reach 0.8               = 0.8
    D = nx.DiGraph()
    D.add_nodes_from(["shop", "club", "app", "fans", "seller"])
    D.add_weighted_edges_from([("fans", "shop", 2.0), ("fans", "club", 10 / 15 + 0.5), ("seller", "shop", 20 / 15),
                               ("shop", "seller", 5 / 15), ("fans", "app", 1.0), ("club", "shop", 0.5),
                               ("app", "shop", 1.0), ("app", "fans", 0.8)])
    return D


def test_collapsed_weights_follow_the_documented_rule():
    G = small_graph()
    assert money_reference(G) == 15.0
    D = collapse(G)
    H = hand_digraph()
    assert sorted(D.edges) == sorted(H.edges)
    for u, v, w in H.edges(data="weight"):
        assert D[u][v]["weight"] == pytest.approx(w)


def test_degrees_count_relationships():
    r = centrality(small_graph()).by_id()
    # fans: out PAYS x2, USES x2 = 4; in REACHES = 1. shop: in PAYS x2 + FEEDS x2 = 4, out PAYS 1.
    assert (r["fans"].in_degree, r["fans"].out_degree) == (1, 4)
    assert (r["shop"].in_degree, r["shop"].out_degree) == (4, 1)


def test_betweenness_and_closeness_by_hand():
    r = centrality(small_graph()).by_id()
    # Shortest paths through an intermediate node (hops):
    #   app->club: app->fans->club (only path)          -> fans
    #   app->seller: app->shop->seller                  -> shop
    #   fans->seller: fans->shop->seller                -> shop
    #   club->seller: club->shop->seller                -> shop
    #   seller->? seller->shop only; shop->seller only.
    # normalised by (n-1)(n-2) = 4*3 = 12: fans 1/12, shop 3/12
    assert r["fans"].betweenness == pytest.approx(1 / 12)
    assert r["shop"].betweenness == pytest.approx(3 / 12)
    assert r["app"].betweenness == 0
    # closeness of club: reached from fans (1) and app (2): r=2, sum=3 -> (2/3)*(2/4) = 1/3
    assert r["club"].closeness == pytest.approx(1 / 3)
    # shop: from fans 1, club 1, app 1, seller 1 -> (4/4)*(4/4) = 1
    assert r["shop"].closeness == pytest.approx(1.0)


def test_centralities_equal_networkx_on_the_same_graph():
    res = centrality(small_graph())
    H = hand_digraph()
    pr = nx.pagerank(H, weight="weight")
    bc = nx.betweenness_centrality(H)
    cl = nx.closeness_centrality(H)
    # not strongly connected (nothing enters 'app' but fans... seller only from shop; club never leads back)
    assert not nx.is_strongly_connected(H)
    U = nx.Graph()
    for u, v, w in H.edges(data="weight"):
        U.add_edge(u, v, weight=U[u][v]["weight"] + w if U.has_edge(u, v) else w)
    ev = nx.eigenvector_centrality(U, weight="weight", max_iter=10000, tol=1e-12)
    assert res.eigenvector_method == "undirected"
    for n in res.nodes:
        assert n.pagerank == pytest.approx(pr[n.id], abs=1e-9)
        assert n.betweenness == pytest.approx(bc[n.id], abs=1e-12)
        assert n.closeness == pytest.approx(cl[n.id], abs=1e-12)
        assert n.eigenvector == pytest.approx(ev[n.id], abs=1e-6)
    assert sum(n.pagerank for n in res.nodes) == pytest.approx(1.0)


def test_eigenvector_directed_when_strongly_connected():
    G = nx.MultiDiGraph()
    for n in "abc":
        G.add_node(n, kind="satellite", name=n)
    for u, v in [("a", "b"), ("b", "c"), ("c", "a"), ("a", "c")]:
        G.add_edge(u, v, type="DEPENDS_ON")
    res = centrality(G)
    expected = nx.eigenvector_centrality(collapse(G), weight="weight", max_iter=10000, tol=1e-12)
    assert res.eigenvector_method == "directed"
    for n in res.nodes:
        assert n.eigenvector == pytest.approx(expected[n.id], abs=1e-6)


def test_eigenvector_of_a_graph_without_edges_is_uniform():
    G = nx.MultiDiGraph()
    for n in "abcd":
        G.add_node(n, kind="segment", name=n)
    res = centrality(G)
    assert res.eigenvector_method == "uniform"
    assert [n.eigenvector for n in res.nodes] == [0.5] * 4


def test_sample_size_rule():
    assert sample_size(5000, 20000) is None  # at the threshold: exact
    # 4,000,000 / (5001 + 15000) = 199.98 -> 199 sources
    assert sample_size(5001, 15000) == 199
    assert sample_size(100_000, 300_000) == 10  # floor of 10 sources
    assert sample_size(12, 10, sample_above=5) == 12  # never more than the nodes


def test_sampled_betweenness_is_networkx_with_seeded_k(monkeypatch):
    G = to_networkx(generate_model(60, seed=3))
    monkeypatch.setattr(cmod, "SAMPLE_WORK", 100)  # k = max(10, 100 // (n + m)) = 10
    res = centrality(G, sample_above=50, seed=7)
    assert res.sampled and res.k == 10
    assert "sampled from k=10" in res.note
    D = collapse(G)
    expected = nx.betweenness_centrality(D, k=10, seed=7, normalized=True)
    for n in res.nodes:
        assert n.betweenness == pytest.approx(expected[n.id])


def test_sampled_closeness_with_every_source_is_exact():
    D = collapse(to_networkx(generate_model(40, seed=1)))
    est = sampled_closeness(D, list(D))
    exact = nx.closeness_centrality(D)
    for v in D:
        assert est[v] == pytest.approx(exact[v])


def test_sampled_closeness_by_hand():
    # a->b->c, sample {a}: b reached at 1 -> (1/1)*(1/1) = 1; c at 2 -> (1/2)*(1/1) = 0.5; a: k'=0 -> 0
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    assert sampled_closeness(D, ["a"]) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert math.isclose(sum(centrality(to_networkx(generate_model(30))).by_id()[n].pagerank
                            for n in centrality(to_networkx(generate_model(30))).by_id()), 1.0)
