"""Ecosystem revenue, pass-through, dependency and revenue at risk with satellites' own revenue and linked
flows: by hand, and revenue at risk against a brute-force oracle (remove the node, keep what survives).

Linked PAYS are built directly as networkx edges carrying ``amount`` (derived), ``share_of`` and ``share``,
as ``to_networkx`` gives them.
"""

import random

import networkx as nx
import pytest

from ecosystem_graph.analysis import analyze, reference
from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.revenue import revenue_flows
from ecosystem_graph.fileio import load_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

EXTERNAL, OFFERINGS = {"segment", "partner"}, {"core", "satellite", "channel"}


def build(nodes, edges):
    """``nodes``: [(id, kind)]; ``edges``: [(from, to, type, {properties})], keyed by their ``id`` when set."""
    G = nx.MultiDiGraph(currency="EUR")
    for n, k in nodes:
        G.add_node(n, kind=k, name=n.title())
    for i, (u, v, t, props) in enumerate(edges):
        G.add_edge(u, v, key=props.get("id", f"{t}#{i}"), type=t, **props)
    return G


# ------------------------------------------------------------------------------------- by hand


def ad_platform():
    """A news site (core) with an ad platform (satellite) earning 40 of 190."""
    return build(
        [("news", "core"), ("ads", "satellite"), ("readers", "segment"), ("advertisers", "partner")],
        [("readers", "news", "PAYS", {"id": "passes", "amount": 150.0, "stream": "day pass"}),
         ("advertisers", "ads", "PAYS", {"id": "ad-spend", "amount": 40.0, "stream": "advertising"}),
         ("readers", "news", "USES", {"share": 1.0}),
         ("ads", "news", "FEEDS", {"strength": 0.5})])


def test_satellite_own_revenue_is_at_risk_when_it_goes():
    k = keystones(ad_platform()).by_id()
    # ecosystem revenue 150 + 40 = 190; the ad platform's own 40 goes with it, none of it paid into the core
    assert (k["ads"].revenue_at_risk, k["ads"].core_revenue_at_risk) == (40.0, 0.0)
    assert k["ads"].revenue_share == pytest.approx(40 / 190)
    # the advertisers' 40 goes with them; the core loses its own 150 (all of it core revenue)
    assert k["advertisers"].revenue_at_risk == 40.0
    assert (k["news"].revenue_at_risk, k["news"].core_revenue_at_risk) == (150.0, 150.0)
    assert (k["readers"].revenue_at_risk, k["readers"].core_revenue_at_risk) == (150.0, 150.0)


def test_satellite_own_revenue_counts_in_its_dependency():
    r = revenue_flows(ad_platform())
    assert (r.ecosystem_revenue, r.core_revenue) == (190.0, 150.0)
    assert r.revenue_by_offering == {"news": 150.0, "ads": 40.0}
    # ads: its own 40; the readers' 150 reach the core directly (readers USES news): nothing for ads
    assert r.dependent_revenue == {"ads": 40.0}
    assert r.dependency == {"ads": pytest.approx(40 / 190)}
    # the readers' binding is direct; the advertisers have no binding path to ads
    assert (r.direct_revenue, r.unbound_revenue) == (150.0, 40.0)


def subscription_via_app(direct_use: bool = False):
    """Subscribers pay the satellite Plus 100, bound to it through an app (and directly when asked)."""
    edges = [("subscribers", "plus", "PAYS", {"id": "plus-sub", "amount": 100.0, "stream": "subscription"}),
             ("subscribers", "app", "USES", {"share": 0.5}),
             ("app", "plus", "FEEDS", {"strength": 1.0}),
             ("plus", "news", "FEEDS", {})]
    if direct_use:
        edges.append(("subscribers", "plus", "USES", {"share": 1.5}))
    return build([("news", "core"), ("plus", "satellite"), ("app", "channel"), ("subscribers", "segment")], edges)


def test_subscribers_paying_a_satellite():
    k = keystones(subscription_via_app()).by_id()
    # 100 lost with the payer, the payee, and the app (on the subscribers' only binding path to plus);
    # the core is not on that path; nothing is paid into a core
    assert {n: x.revenue_at_risk for n, x in k.items()} == {"news": 0.0, "plus": 100.0, "app": 100.0,
                                                            "subscribers": 100.0}
    assert {x.core_revenue_at_risk for x in k.values()} == {0.0}
    r = revenue_flows(subscription_via_app())
    # plus: its own 100; app: the one path subscribers -> app -> plus carries all 100
    assert r.dependent_revenue == {"plus": 100.0, "app": 100.0}
    assert r.dependency == {"plus": 1.0, "app": 1.0}


def test_a_second_binding_path_takes_the_app_off_the_risk():
    k = keystones(subscription_via_app(direct_use=True)).by_id()
    # subscribers USES plus directly too: without the app a path remains
    assert (k["app"].revenue_at_risk, k["plus"].revenue_at_risk, k["subscribers"].revenue_at_risk) == (0.0, 100, 100)
    r = revenue_flows(subscription_via_app(direct_use=True))
    # paths: via app weight 0.5 x 1.0 = 0.5, direct 1.5 (total 2): app 100 x 0.5/2 = 25, direct 75
    assert r.dependent_revenue == {"plus": 100.0, "app": 25.0}
    assert r.direct_revenue == 75.0


def app_store():
    """Subscribers pay an app store 100 for Plus; the store keeps 15% and pays 85% on to Plus, which pays
    half of that on to its writers."""
    return build(
        [("news", "core"), ("plus", "satellite"), ("subscribers", "segment"), ("store", "partner"),
         ("writers", "partner"), ("readers", "segment")],
        [("subscribers", "store", "PAYS", {"id": "plus-ios", "amount": 100.0, "stream": "subscription"}),
         ("store", "plus", "PAYS", {"id": "store-payout", "amount": 85.0, "share_of": "plus-ios", "share": 0.85,
                                    "stream": "subscription"}),
         ("plus", "writers", "PAYS", {"id": "royalties", "amount": 42.5, "share_of": "store-payout", "share": 0.5}),
         ("readers", "news", "PAYS", {"id": "passes", "amount": 10.0}),
         ("subscribers", "plus", "USES", {}),
         ("readers", "news", "USES", {}),
         ("plus", "news", "FEEDS", {})])


def test_pass_through_and_net():
    r = revenue_flows(app_store())
    # into offerings from outside: store -> plus 85 (linked) + readers -> news 10 = 95; the subscribers'
    # 100 go to a partner (the store), not to an offering
    assert (r.ecosystem_revenue, r.core_revenue) == (95.0, 10.0)
    assert r.revenue_by_offering == {"news": 10.0, "plus": 85.0}
    # store: receives plus-ios, pays 85 of it on; plus: receives store-payout, pays 42.5 of it on
    assert r.pass_through == {"plus": 42.5, "store": 85.0}
    # payouts: plus -> writers 42.5; net 95 - 42.5
    assert (r.ecosystem_payouts, r.ecosystem_net) == (42.5, 52.5)
    net = {n.id: n.net for n in r.nodes}
    # store keeps 100 - 85 = 15; plus 85 - 42.5; subscribers -100; writers 42.5; news 10; readers -10
    assert net == {"news": 10.0, "plus": 42.5, "subscribers": -100.0, "store": 15.0, "writers": 42.5,
                   "readers": -10.0}
    assert sum(net.values()) == 0.0
    pay = {p["id"]: p for p in r.payments}
    assert pay["store-payout"] == {"id": "store-payout", "from": "store", "to": "plus", "amount": 85.0,
                                   "stream": "subscription", "share_of": "plus-ios", "share": 0.85}
    assert pay["royalties"]["stream"] == "unspecified" and pay["royalties"]["share_of"] == "store-payout"


def test_removing_the_pass_through_partner_stops_the_linked_flow():
    k = keystones(app_store()).by_id()
    # the store pays the linked 85: it stops with the store, with plus (payee) and with the subscribers
    # (the flow it is a share of stops); the royalties are a payout, not ecosystem revenue
    assert k["store"].revenue_at_risk == 85.0 and k["subscribers"].revenue_at_risk == 85.0
    assert k["plus"].revenue_at_risk == 85.0 and k["writers"].revenue_at_risk == 0.0
    # the core part: only readers -> news 10
    assert (k["news"].revenue_at_risk, k["news"].core_revenue_at_risk) == (10.0, 10.0)
    assert k["store"].core_revenue_at_risk == 0.0
    assert k["store"].revenue_share == pytest.approx(85 / 95)


def test_core_part_of_revenue_at_risk():
    # a channel on the only path of a core payment and of a satellite payment
    G = build([("shop", "core"), ("club", "satellite"), ("app", "channel"), ("fans", "segment")],
              [("fans", "shop", "PAYS", {"amount": 70.0}), ("fans", "club", "PAYS", {"amount": 30.0}),
               ("fans", "app", "USES", {}), ("app", "club", "FEEDS", {}), ("club", "shop", "FEEDS", {})])
    k = keystones(G).by_id()
    # fans -> shop 70 runs fans -> app -> club -> shop; fans -> club 30 runs fans -> app -> club:
    # app and club lose 70 + 30 = 100, of which 70 core; shop loses only its own 70
    assert (k["app"].revenue_at_risk, k["app"].core_revenue_at_risk) == (100.0, 70.0)
    assert (k["club"].revenue_at_risk, k["club"].core_revenue_at_risk) == (100.0, 70.0)
    assert (k["shop"].revenue_at_risk, k["shop"].core_revenue_at_risk) == (70.0, 70.0)
    assert keystones(G).ecosystem_revenue == 100.0


# ------------------------------------------------------------------------------ brute force


oracle = reference.revenue_at_risk  # remove the node, keep what survives


def with_linked_flows(G, seed, n=40):
    """A copy of ``G`` where every PAYS has an id, plus ``n`` linked PAYS (chains included): each a share
    of a random PAYS, paid by its payee to a random node; amounts derived."""
    rng = random.Random(seed)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from(G.nodes(data=True))
    pays = []
    for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
        if d.get("type") == "PAYS":
            k = d.get("id") or f"pay-{i}"
            d = {**d, "id": k}
            pays.append((v, k, d["amount"]))
        H.add_edge(u, v, key=k, **d)
    nodes = list(H)
    offerings = [x for x in nodes if H.nodes[x]["kind"] in OFFERINGS]
    for i in range(n):
        payer, parent, amount = rng.choice(pays)
        to = rng.choice(offerings if rng.random() < 0.5 else nodes)
        if to == payer:
            continue
        share = round(rng.uniform(0.05, 0.95), 2)
        key = f"linked-{i}"
        H.add_edge(payer, to, key=key, id=key, type="PAYS", share_of=parent, share=share, amount=share * amount)
        pays.append((to, key, share * amount))
    return H


def assert_matches_oracle(G):
    res = keystones(G)
    lost, lost_core = oracle(G)
    k = res.by_id()
    assert {n: k[n].revenue_at_risk for n in G} == pytest.approx(lost)
    assert {n: k[n].core_revenue_at_risk for n in G} == pytest.approx(lost_core)
    eco = sum(d["amount"] for u, v, d in G.edges(data=True) if d.get("type") == "PAYS"
              and G.nodes[u]["kind"] in EXTERNAL and G.nodes[v]["kind"] in OFFERINGS)
    assert res.ecosystem_revenue == pytest.approx(eco)
    assert {n: k[n].revenue_share for n in G} == pytest.approx({n: lost[n] / eco for n in G})
    return res


@pytest.mark.parametrize("path", ["examples/amazon.yaml", "examples/newspaper-funnel.yaml"])
def test_revenue_at_risk_equals_brute_force_on_the_examples(path):
    G = to_networkx(load_model(path))
    assert_matches_oracle(G)
    # and with linked flows added
    assert_matches_oracle(with_linked_flows(G, seed=3))


@pytest.mark.parametrize("nodes,seed", [(300, 1), (400, 7)])
def test_revenue_at_risk_equals_brute_force_on_generated_models(nodes, seed):
    G = to_networkx(generate_model(nodes, seed))
    res = assert_matches_oracle(G)
    assert any(k.revenue_at_risk > k.core_revenue_at_risk for k in res.nodes if k.kind == "satellite")
    linked = with_linked_flows(G, seed=seed, n=80)
    res = assert_matches_oracle(linked)
    # the linked flows include ecosystem revenue (an external payer paying on into an offering)
    assert res.ecosystem_revenue > keystones(G).ecosystem_revenue


def test_hand_models_equal_brute_force():
    for G in (ad_platform(), subscription_via_app(), subscription_via_app(True), app_store()):
        assert_matches_oracle(G)


def test_net_sums_to_zero_and_pass_through_with_random_linked_flows():
    G = with_linked_flows(to_networkx(generate_model(300, 2)), seed=5, n=80)
    r = analyze(G, only="revenue").revenue
    assert sum(n.net for n in r.nodes) == pytest.approx(0.0, abs=1e-6 * r.ecosystem_revenue)
    payee = {k: v for u, v, k, t in G.edges(keys=True, data="type") if t == "PAYS"}
    expected = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("share_of") is not None and payee[d["share_of"]] == u:
            expected[u] = expected.get(u, 0.0) + d["amount"]
    assert r.pass_through == pytest.approx({n: a for n, a in expected.items() if a > 0})
    assert len(r.payments) == sum(1 for _, _, t in G.edges(data="type") if t == "PAYS")


# ------------------------------------------------------------------- dependency, by networkx


@pytest.mark.parametrize("source", ["examples/amazon.yaml", "examples/newspaper-funnel.yaml", 250])
def test_dependent_revenue_equals_networkx_paths(source):
    G = to_networkx(load_model(source) if isinstance(source, str) else generate_model(source, 3))
    r = revenue_flows(G)
    assert r.paths_truncated == 0
    # networkx-free simple paths of the definition: own revenue plus the weight share of the binding paths
    expected = reference.dependent_revenue(G)["dependent_revenue"]
    assert r.dependent_revenue == pytest.approx(expected)
    assert r.dependency == pytest.approx({n: a / r.ecosystem_revenue for n, a in expected.items()})
    assert any(a > r.revenue_by_offering[n] for n, a in r.dependent_revenue.items())
