"""Keystones: removal costs by hand."""

from pathlib import Path

import pytest
from tests.analysis_helpers import graph, small_graph

from ecosystem_graph.analysis import reference
from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.lockin import lockin_index

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_removal_costs_by_hand():
    r = keystones(small_graph())
    k = r.by_id()
    # fans->shop 30 has two binding paths (via club, via app): only fans and shop are on both.
    # seller->shop 20 has no binding path: only seller and shop lose it.
    # fans->club 10: fans' only binding path to club is USES club: fans and club lose it.
    assert {n: k[n].revenue_at_risk for n in k} == {"shop": 50.0, "fans": 40.0, "seller": 20.0, "club": 10.0,
                                                   "app": 0.0}
    # the core part: fans 30 (fans->shop), seller 20, shop 30 + 20
    assert {n: k[n].core_revenue_at_risk for n in k} == {"shop": 50.0, "fans": 30.0, "seller": 20.0, "club": 0.0,
                                                        "app": 0.0}
    # share of the ecosystem revenue 30 + 10 + 20 = 60
    assert k["fans"].revenue_share == pytest.approx(40 / 60)
    assert r.ecosystem_revenue == 60.0 and r.core_revenue == 50.0
    # without shop, fans reaches no core; club or app alone leave the other path
    assert (k["shop"].segments_cut_off, k["club"].segments_cut_off, k["app"].segments_cut_off) == (1, 0, 0)
    before = lockin_index(0.7, 2, ["durable_purchase", "search_costs", "loyalty_program"])
    # without club: app only -> cut 0.3, 1 path, durable_purchase + search_costs
    assert k["club"].lockin_change == pytest.approx(lockin_index(0.3, 1, ["durable_purchase", "search_costs"]) - before)
    # without app: club only -> cut 0.4, 1 path, loyalty_program
    assert k["app"].lockin_change == pytest.approx(lockin_index(0.4, 1, ["loyalty_program"]) - before)
    assert k["shop"].lockin_change == pytest.approx(-before) and k["fans"].lockin_change == pytest.approx(-before)
    # pairs cut off: only shop joins seller to the rest (fans, club, app): 3 of the 10 joined pairs
    assert {n: k[n].pairs_cut_off for n in k} == {"shop": 3, "fans": 0, "seller": 0, "club": 0, "app": 0}
    assert (r.connected_pairs, r.bound_segments) == (10, 1)
    # removal impact = mean of the revenue, segments, lock-in and pairs shares:
    # shop (50/60 + 1/1 + 1 + 3/10) / 4 = 0.78333; fans (40/60 + 0 + 1 + 0) / 4 = 0.41667;
    # club (10/60 + |club change|/before) / 4; app (|app change|/before) / 4; seller (20/60) / 4 = 0.08333
    assert k["shop"].impact == pytest.approx((50 / 60 + 1 + 1 + 0.3) / 4)
    assert k["fans"].impact == pytest.approx((40 / 60 + 1) / 4)
    assert k["club"].impact == pytest.approx((10 / 60 - k["club"].lockin_change / before) / 4)
    assert k["app"].impact == pytest.approx(-k["app"].lockin_change / before / 4)
    assert k["seller"].impact == pytest.approx(20 / 60 / 4)
    # club 0.1695 > app 0.1221 > seller 0.0833: seller's revenue alone weighs less than the lock-in of either path
    assert [n.id for n in r.nodes] == ["shop", "fans", "club", "app", "seller"]
    assert [n.rank for n in r.nodes] == [1, 2, 3, 4, 5]


# ------------------------------------------------------------------ removal impact: the headline ranking

def brute_force_pairs_cut_off(G) -> dict:
    """Pairs of other nodes joined in the undirected graph and no longer joined once the node is removed."""
    return reference.pairs_cut_off(G)[0]


@pytest.mark.parametrize("n,seed", [(40, 1), (120, 2), (300, 3)])
def test_pairs_cut_off_equals_removing_each_node(n, seed):
    from ecosystem_graph.generate import generate_model
    from ecosystem_graph.graph import to_networkx

    G = to_networkx(generate_model(n, seed))
    r = keystones(G)
    assert {k.id: k.pairs_cut_off for k in r.nodes} == brute_force_pairs_cut_off(G)
    assert r.connected_pairs == sum(len(c) * (len(c) - 1) // 2
                                    for c in __import__("networkx").connected_components(G.to_undirected()))


def test_pairs_cut_off_of_a_path_and_a_star():
    import networkx as nx

    from ecosystem_graph.analysis.keystones import pairs_cut_off

    # path a-b-c-d-e: c splits {a,b} from {d,e}: 2 x 2 = 4 pairs; b splits a from {c,d,e}: 3 pairs
    cut, joined = pairs_cut_off(nx.path_graph("abcde"))
    assert cut == {"a": 0, "b": 3, "c": 4, "d": 3, "e": 0} and joined == 10
    # star with 4 leaves plus a separate edge x-y: the centre cuts all C(4, 2) = 6 leaf pairs
    G = nx.star_graph(4)
    G.add_edge("x", "y")
    cut, joined = pairs_cut_off(G)
    assert cut[0] == 6 and cut["x"] == 0 and joined == 10 + 1


def bridge_model():
    """shop (core) paid by fans (segment, 100) and seller (partner, 10); broker (partner, no money)
    is the only link of two makers to the rest."""
    return graph([
        {"id": "shop", "kind": "core", "name": "Shop"},
        {"id": "fans", "kind": "segment", "name": "Fans"},
        {"id": "seller", "kind": "partner", "name": "Seller"},
        {"id": "broker", "kind": "partner", "name": "Broker"},
        {"id": "maker1", "kind": "partner", "name": "Maker 1"},
        {"id": "maker2", "kind": "partner", "name": "Maker 2"},
    ], [
        {"from": "fans", "to": "shop", "type": "PAYS", "amount": 100},
        {"from": "fans", "to": "shop", "type": "USES", "switching_cost": 0.5, "mechanisms": ["loyalty_program"]},
        {"from": "seller", "to": "shop", "type": "PAYS", "amount": 10},
        {"from": "broker", "to": "shop", "type": "SUPPLIES"},
        {"from": "maker1", "to": "broker", "type": "DEPENDS_ON"},
        {"from": "maker2", "to": "broker", "type": "DEPENDS_ON"},
    ])


def test_a_bridge_without_money_ranks_for_its_bridging():
    r = keystones(bridge_model())
    k = r.by_id()
    # 6 actors, all joined: 15 pairs. Without broker: {maker1}, {maker2}, {shop, fans, seller}:
    # ((6-1)^2 - (1 + 1 + 9)) / 2 = 7 pairs cut off; without shop: {fans}, {seller}, {broker, makers}: 7 too
    assert r.connected_pairs == 15
    assert (k["broker"].pairs_cut_off, k["shop"].pairs_cut_off, k["seller"].pairs_cut_off) == (7, 7, 0)
    assert k["broker"].revenue_at_risk == 0.0 and k["broker"].lockin_change == 0.0
    # broker: (0 + 0 + 0 + 7/15) / 4 = 0.11667; seller: (10/110) / 4 = 0.02273; fans: (100/110 + 1) / 4 = 0.47727
    assert k["broker"].impact == pytest.approx(7 / 15 / 4)
    assert k["seller"].impact == pytest.approx(10 / 110 / 4)
    assert k["fans"].impact == pytest.approx((100 / 110 + 1) / 4)
    # shop: (110/110 + 1/1 + 1 + 7/15) / 4 = 0.86667
    assert k["shop"].impact == pytest.approx((1 + 1 + 1 + 7 / 15) / 4)
    assert [x.id for x in r.nodes][:4] == ["shop", "fans", "broker", "seller"]


def test_newspaper_paying_subscribers_rank_above_cost_suppliers():
    from ecosystem_graph.fileio import load_model
    from ecosystem_graph.graph import to_networkx

    r = keystones(to_networkx(load_model(EXAMPLES / "newspaper-funnel.yaml")))
    rank = {x.id: x.rank for x in r.nodes}
    # money-weighted PageRank put payment-provider 4th, above the subscribers (5th); the removal impact
    # puts the paying side first: subscribers pay 1,522,596 of 2,476,416 (61.5%) and hold 77.4 of 185.2
    # lock-in (41.8%): (0.6148 + 0 + 0.4177 + 0) / 4 = 0.258; payment-provider loses nothing when it goes.
    assert [x.id for x in r.nodes][:5] == ["news-portal", "subscriber", "plus-subscription", "advertisers",
                                           "ad-network"]
    k = r.by_id()
    assert k["subscriber"].impact == pytest.approx((1_522_596 / 2_476_416 + k["subscriber"].lockin_share) / 4)
    assert k["subscriber"].lockin_share == pytest.approx(77.38 / 185.24, abs=1e-3)
    for supplier in ("payment-provider", "app-stores"):
        assert rank["subscriber"] < rank[supplier] and rank["plus-subscription"] < rank[supplier]
    assert k["payment-provider"].impact == 0.0


def test_amazon_carriers_are_not_second():
    from ecosystem_graph.fileio import load_model
    from ecosystem_graph.graph import to_networkx

    r = keystones(to_networkx(load_model(EXAMPLES / "amazon.yaml")))
    ids = [x.id for x in r.nodes]
    # the core first (cuts off all 4 bound segments), the marketplace second (cuts off 2 of them)
    assert ids[:2] == ["online-retail", "marketplace-services"]
    assert ids.index("carriers") >= 5
    assert r.by_id()["marketplace-services"].segments_share == pytest.approx(2 / 4)


@pytest.mark.parametrize("seed", range(6))
def test_pairs_cut_off_on_random_multigraphs_with_several_components(seed):
    import random

    import networkx as nx

    from ecosystem_graph.analysis.keystones import pairs_cut_off

    # sparse random multigraphs: many components, isolated nodes, pairs, self-loops, edges both ways
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    G.add_nodes_from(f"n{i}" for i in range(60))
    for _ in range(55):
        u, v = rng.randrange(60), rng.randrange(60)
        G.add_edge(f"n{u}", f"n{v}")
        if rng.random() < 0.2:
            G.add_edge(f"n{v}", f"n{u}")
    cut, joined = pairs_cut_off(G)
    assert cut == brute_force_pairs_cut_off(G)
    assert joined == sum(len(c) * (len(c) - 1) // 2 for c in nx.connected_components(G.to_undirected()))
