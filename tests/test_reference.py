"""Every fast path against its readable definition (ecosystem_graph/analysis/reference.py) on the same cases.

As networkx tests every maximum-flow algorithm against one set of cases: each (analysis, case) pair runs the
fast path and the reference on the same graph and compares every figure (floats to 1e-9 relative, all else
exactly). The cases: the examples, tests/data/money-review.yaml, small generated models and hand-built corner
cases (linked flows chains, pass-through, a branching funnel with a loop, segments without a binding, shared
flow components, zero path weights, a graph outside the model's rules).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest
from tests.analysis_helpers import graph
from tests.test_analysis_fast_paths import outside_the_rules_graph, shared_component_graph, shared_hub_graph
from tests.test_analysis_funnel_levers import branching
from tests.test_analysis_perf_revenue import random_funnel_graph
from tests.test_analysis_revenue_at_risk import with_linked_flows

from ecosystem_graph.analysis import reference
from ecosystem_graph.analysis.binding import collapsed
from ecosystem_graph.analysis.centrality import centrality
from ecosystem_graph.analysis.funnel import funnel
from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.lockin import lockin
from ecosystem_graph.analysis.revenue import revenue_flows
from ecosystem_graph.fileio import load_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

ROOT = Path(__file__).resolve().parent.parent
REL, ABS = 1e-9, 1e-9


# ------------------------------------------------------------------------------------------------ cases


def linked_chain():
    """Subscribers pay an app store 100; the store pays 85% on to Plus (a satellite), Plus half of that
    to its writers, the writers 20% of that back to the news core: a chain of three linked flows, two
    of them ecosystem revenue (85 into Plus, 0.2 x 42.5 = 8.5 into the core)."""
    nodes = [{"id": "news", "kind": "core", "name": "News"}, {"id": "plus", "kind": "satellite", "name": "Plus"},
             {"id": "subscribers", "kind": "segment", "name": "Subscribers", "size": 50},
             {"id": "store", "kind": "partner", "name": "Store"}, {"id": "writers", "kind": "partner", "name": "W"},
             {"id": "readers", "kind": "segment", "name": "Readers"}]
    rels = [{"id": "subs", "from": "subscribers", "to": "store", "type": "PAYS", "amount": 100},
            {"id": "payout", "from": "store", "to": "plus", "type": "PAYS", "share_of": "subs", "share": 0.85},
            {"id": "royalty", "from": "plus", "to": "writers", "type": "PAYS", "share_of": "payout", "share": 0.5},
            {"id": "kickback", "from": "writers", "to": "news", "type": "PAYS", "share_of": "royalty", "share": 0.2},
            {"id": "passes", "from": "readers", "to": "news", "type": "PAYS", "amount": 10},
            {"from": "subscribers", "to": "plus", "type": "USES", "switching_cost": 0.3},
            {"from": "readers", "to": "news", "type": "USES"},
            {"from": "plus", "to": "news", "type": "FEEDS", "strength": 0.5}]
    return graph(nodes, rels)


def marketplace():
    """Buyers pay sellers (partners) 1,000 through a market (satellite) that takes 10% as a commission and
    pays 2% of that to a payment provider; buyers also pay the shop (core) directly and through the
    market (two binding paths)."""
    nodes = [{"id": "shop", "kind": "core", "name": "Shop"}, {"id": "market", "kind": "satellite", "name": "M"},
             {"id": "buyers", "kind": "segment", "name": "Buyers", "size": 200},
             {"id": "sellers", "kind": "partner", "name": "Sellers"}, {"id": "psp", "kind": "partner", "name": "PSP"}]
    rels = [{"id": "sales", "from": "buyers", "to": "sellers", "type": "PAYS", "amount": 1000},
            {"id": "commission", "from": "sellers", "to": "market", "type": "PAYS", "share_of": "sales", "share": 0.1},
            {"id": "fees", "from": "market", "to": "psp", "type": "PAYS", "share_of": "commission", "share": 0.02},
            {"from": "buyers", "to": "shop", "type": "PAYS", "amount": 300},
            {"from": "buyers", "to": "market", "type": "USES", "share": 0.4, "switching_cost": 0.2,
             "mechanisms": ["loyalty_program"]},
            {"from": "buyers", "to": "shop", "type": "USES", "share": 0.6, "switching_cost": 0.1},
            {"from": "market", "to": "shop", "type": "FEEDS", "strength": 0.5}]
    return graph(nodes, rels)


def unbound_segments():
    """Walk-ins pay the core with no binding; browsers use a channel that feeds nothing (a dead end) and
    pay it; regulars use the core with no recorded switching cost; an advertiser pays a satellite."""
    nodes = [{"id": "core", "kind": "core", "name": "Core"}, {"id": "dead", "kind": "channel", "name": "Dead"},
             {"id": "ads", "kind": "satellite", "name": "Ads"},
             {"id": "walkins", "kind": "segment", "name": "Walk-ins"},
             {"id": "browsers", "kind": "segment", "name": "Browsers"},
             {"id": "regulars", "kind": "segment", "name": "Regulars"},
             {"id": "advertiser", "kind": "partner", "name": "Advertiser"}]
    rels = [{"from": "walkins", "to": "core", "type": "PAYS", "amount": 40},
            {"from": "browsers", "to": "dead", "type": "PAYS", "amount": 5},
            {"from": "browsers", "to": "dead", "type": "USES", "switching_cost": 0.9},
            {"from": "regulars", "to": "core", "type": "USES", "mechanisms": ["search_costs"]},
            {"from": "regulars", "to": "core", "type": "PAYS", "amount": 60},
            {"from": "advertiser", "to": "ads", "type": "PAYS", "amount": 15},
            {"from": "ads", "to": "core", "type": "FEEDS"}]
    return graph(nodes, rels)


def zero_weights():
    """Fans reach the shop over two paths whose weights are both 0: the payment is split equally."""
    nodes = [{"id": "shop", "kind": "core", "name": "Shop"}, {"id": "a", "kind": "channel", "name": "A"},
             {"id": "b", "kind": "satellite", "name": "B"}, {"id": "fans", "kind": "segment", "name": "Fans"}]
    rels = [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 80},
            {"from": "fans", "to": "a", "type": "USES", "share": 0.0, "switching_cost": 0.5},
            {"from": "fans", "to": "b", "type": "USES", "share": 0.0, "switching_cost": 0.5},
            {"from": "a", "to": "shop", "type": "FEEDS", "strength": 0.0},
            {"from": "b", "to": "shop", "type": "FEEDS"}]
    return graph(nodes, rels)


def funnel_with_loop():
    """The branching funnel (flyby -> known -> paying -> subscriber and two shortcuts) plus a win-back loop
    from paying back to known and a stage that pays but has no size."""
    G = branching()
    G.add_edge("paying", "known", type="CONVERTS_TO", rate=0.1)
    G.add_node("lapsed", kind="segment", name="Lapsed")
    G.add_edge("subscriber", "lapsed", type="CONVERTS_TO", rate=0.05)
    G.add_edge("lapsed", "shop", type="PAYS", amount=20.0)
    return G


def outside_the_rules():
    """USES out of a satellite (a hand-made graph no model file gives): the cut is networkx's per segment."""
    G = outside_the_rules_graph()
    G.add_edge("s", "core", type="PAYS", amount=10.0)
    return G


def random_funnels(seed: int, sized: bool):
    """Chains, trees, diamonds, loops, parallel steps, several entries, a final stage first in model order
    (tests/test_analysis_perf_revenue.py); ``sized``: every stage given a size, so that levers have an
    elasticity."""
    G = random_funnel_graph(seed)
    if sized:
        for i, s in enumerate(G.nodes):
            if G.nodes[s].get("kind") == "segment" and not G.nodes[s].get("size"):
                G.nodes[s]["size"] = 100 + 37 * i
    return G


def _load(path: str):
    return lambda: to_networkx(load_model(str(ROOT / path)))


CASE_BUILDERS = {
    "amazon": _load("examples/amazon.yaml"),
    "newspaper": _load("examples/newspaper-funnel.yaml"),
    "newsroom": _load("examples/newsroom-passthrough.yaml"),
    "money-review": _load("tests/data/money-review.yaml"),
    "generated-30": lambda: to_networkx(generate_model(30, seed=1)),
    "generated-45": lambda: to_networkx(generate_model(45, seed=4)),
    "generated-linked": lambda: with_linked_flows(to_networkx(generate_model(30, seed=2)), seed=1, n=15),
    "linked-chain": linked_chain,
    "marketplace": marketplace,
    "unbound": unbound_segments,
    "zero-weights": zero_weights,
    "shared-hub": shared_hub_graph,
    "shared-component": shared_component_graph,
    "funnel-loop": funnel_with_loop,
    "random-funnels": lambda: random_funnels(3, sized=False),
    "random-funnels-sized": lambda: random_funnels(7, sized=True),
    "outside-rules": outside_the_rules,
}


@lru_cache(maxsize=None)
def case(name: str) -> nx.MultiDiGraph:
    return CASE_BUILDERS[name]()


# ------------------------------------------------------------------------------------------ comparing


def same(got, want, where: str = "") -> None:
    """``got`` equals ``want``: dicts with the same keys in the same order, lists item by item (tuples as
    lists), floats within REL/ABS, everything else exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        assert list(got) == list(want), f"{where}: keys {list(got)} != {list(want)}"
        for k in want:
            same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), f"{where}: {got!r} != {want!r}"
        for i, (a, b) in enumerate(zip(got, want)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool) and isinstance(got, (int, float)):
        assert got == pytest.approx(want, rel=REL, abs=ABS), f"{where}: {got!r} != {want!r}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def ranked_consistently(rows: list, key, tolerance: float = 1e-9) -> None:
    """``rows`` (a fast path's ranking) are in the order of the reference's sort ``key`` (a tuple of numbers
    and an id), allowing ``tolerance`` between numbers that the two compute in different orders."""
    for a, b in zip(rows, rows[1:]):
        for x, y in zip(key(a), key(b)):
            if x == y:
                continue
            if isinstance(x, float) and abs(x - y) <= tolerance * max(1.0, abs(x), abs(y)):
                break  # a tie up to rounding: either order is right
            assert x < y, f"{a} ranked before {b}"
            break


# ------------------------------------------------------------------------------ each analysis, both ways


def check_revenue(G):
    got = revenue_flows(G).to_dict()
    want = reference.revenue(G)
    same({k: got[k] for k in want}, want, "revenue")


def check_dependency(G):
    r = revenue_flows(G)
    want = reference.dependent_revenue(G)
    assert want["paths_truncated"] == 0  # the cases list every path: the attribution is over all of them
    got = {"dependent_revenue": r.dependent_revenue, "dependency": r.dependency, "direct_revenue": r.direct_revenue,
           "unbound_revenue": r.unbound_revenue, "paths_truncated": r.paths_truncated}
    same(got, want, "dependency")


def check_collapsed(G):
    got = list(collapsed(G).D.edges(data="weight"))
    want = list(reference.collapsed_graph(G).edges(data="weight"))
    same(got, want, "collapsed")


def check_centrality(G):
    res = centrality(G)
    want = reference.centrality(G)
    assert res.eigenvector_method == want["eigenvector_method"]
    for figure in ("in_degree", "out_degree", "betweenness", "closeness", "pagerank"):
        same(dict(zip(res.columns["id"], res.columns[figure])), want[figure], figure)
    # eigenvector: numpy/ARPACK against networkx's power iteration, both to about 1e-10
    got = dict(zip(res.columns["id"], res.columns["eigenvector"]))
    assert got == pytest.approx(want["eigenvector"], abs=1e-7)


def check_lockin(G):
    res = lockin(G)
    want = reference.lockin(G)
    got = res.to_dict()
    same({k: got[k] for k in ("scale", "reference", "total_index", "paths_truncated")},
         {k: want[k] for k in ("scale", "reference", "total_index", "paths_truncated")}, "lockin")
    rows = got["segments"]
    if res.method != "closed-form":  # networkx's cut per segment lists the cut edges in set order
        for row in rows:
            row["cut_edges"] = sorted(row["cut_edges"])
        for row in want["segments"]:
            row["cut_edges"] = sorted(row["cut_edges"])
    same(rows, want["segments"], "lockin.segments")


def check_keystones(G):
    got = keystones(G).to_dict()
    want = reference.keystones(G)
    same({k: got[k] for k in ("ecosystem_revenue", "core_revenue", "total_lockin", "bound_segments",
                              "connected_pairs")},
         {k: want[k] for k in ("ecosystem_revenue", "core_revenue", "total_lockin", "bound_segments",
                               "connected_pairs")}, "keystones")
    by_id = {r["id"]: r for r in want["nodes"]}
    for row in got["nodes"]:
        expected = {k: v for k, v in by_id[row["id"]].items() if k != "rank"}
        same({k: row[k] for k in expected}, expected, f"keystones[{row['id']}]")
    # ranked as the reference sorts them (ranks of exact ties computed in another order may swap)
    ranked_consistently([by_id[r["id"]] for r in got["nodes"]],
                        lambda r: (-r["impact"], -r["revenue_at_risk"], -r["segments_cut_off"], r["lockin_change"],
                                   r["id"]))
    assert [r["rank"] for r in got["nodes"]] == list(range(1, len(got["nodes"]) + 1))


def check_funnel(G):
    res = funnel(G)
    want = reference.funnels(G)
    if res is None:
        assert want == []
        return
    got = [{k: v for k, v in f.items() if k not in ("levers", "biggest_lever")} for f in res.to_dict()["funnels"]]
    same(got, want, "funnel")


def check_levers(G):
    res = funnel(G)
    if res is None:
        assert reference.funnels(G) == []
        return
    for f in res.funnels:
        want = reference.funnel_levers(G, [s.id for s in f.stages])
        by_step = {}
        for lever in want:
            by_step.setdefault((lever["from"], lever["to"], lever["rate"]), lever)
        assert len(f.levers) == len(want)
        for x in f.levers:
            expected = by_step[x.source, x.target, x.rate]
            got = x.to_dict()
            assert got["capped"] == expected["capped"]
            for figure in ("extra_converted_per_point", "extra_converted_per_10pct", "extra_revenue_per_10pct"):
                if expected[figure] is None:
                    assert got[figure] is None, figure
                else:
                    assert got[figure] == pytest.approx(expected[figure], rel=1e-6, abs=1e-9), figure
            if expected["elasticity"] is None:
                assert got["elasticity"] is None
            else:  # the reference's derivative is a central difference of two solves
                assert got["elasticity"] == pytest.approx(expected["elasticity"], rel=1e-5, abs=1e-7)
        # highest elasticity first (None last), ties in step order
        ranked_consistently([by_step[x.source, x.target, x.rate] for x in f.levers],
                            lambda x: (float("inf") if x["elasticity"] is None else -x["elasticity"],),
                            tolerance=1e-5)


ANALYSES = {"revenue": check_revenue, "dependency": check_dependency, "collapsed": check_collapsed,
            "centrality": check_centrality, "lockin": check_lockin, "keystones": check_keystones,
            "funnel": check_funnel, "levers": check_levers}


@pytest.mark.parametrize("case_name", list(CASE_BUILDERS))
@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_fast_path_equals_reference(analysis, case_name):
    ANALYSES[analysis](case(case_name))


# --------------------------------------------------------------------- the cases do what they claim


def test_the_corner_cases_hold_what_they_are_for():
    # linked chain: 85 into Plus and 0.2 x 0.5 x 85 = 8.5 into the core are ecosystem revenue, with 10 of passes
    rev = reference.revenue(case("linked-chain"))
    assert rev["ecosystem_revenue"] == pytest.approx(85 + 8.5 + 10)
    # pass-through: the store 85 (of 100), Plus 42.5 (of 85), the writers 8.5 (of 42.5)
    assert rev["pass_through"] == pytest.approx({"plus": 42.5, "store": 85, "writers": 8.5})
    # marketplace: the buyers' 300 to the shop runs buyers-USES(.6)->shop (weight .6) and
    # buyers-USES(.4)->market-FEEDS(.5)->shop (.2): the market gets 300 x .2 / .8 = 75, plus its commission 100
    dep = reference.dependent_revenue(case("marketplace"))
    assert dep["dependent_revenue"] == pytest.approx({"market": 75 + 100})
    assert dep["direct_revenue"] == pytest.approx(225)
    # unbound: walk-ins 40 and the advertiser 15 have no binding path; the browsers' 5 into the dead end runs
    # over their USES of it (direct); the regulars' 60 over their USES of the core (direct)
    dep = reference.dependent_revenue(case("unbound"))
    assert (dep["unbound_revenue"], dep["direct_revenue"]) == pytest.approx((40 + 15, 5 + 60))
    seg = {s["id"]: s for s in reference.lockin(case("unbound"))["segments"]}
    assert (seg["browsers"]["index"], seg["walkins"]["index"]) == (0.0, 0.0)
    # regulars: no recorded switching cost (cut 0), one path, one mechanism: 25/3 + 25/7
    assert seg["regulars"]["index"] == pytest.approx(25 / 3 + 25 / 7)
    # zero weights: 80 split equally over the two paths: a and b 40 each
    dep = reference.dependent_revenue(case("zero-weights"))
    assert dep["dependent_revenue"] == pytest.approx({"a": 40, "b": 40})
    # outside the rules: s reaches the core over s-a-core (cut min(.3, .2)) and s-b-core (cut .1): .3
    seg = {s["id"]: s for s in reference.lockin(case("outside-rules"))["segments"]}
    assert seg["s"]["min_cut"] == pytest.approx(0.3) and seg["t"]["min_cut"] == pytest.approx(0.2)
    assert lockin(case("outside-rules")).method == "per-segment"
    # the looping funnel: paying -> known closes a loop
    stages = [s["id"] for s in reference.funnels(case("funnel-loop"))[0]["stages"]]
    assert stages == ["flyby", "known", "paying", "subscriber", "lapsed"]


def test_truncated_paths_agree():
    # a path cap of 1 and a depth of 3: the fast paths list and attribute over the same first paths
    for G in (case("generated-45"), case("amazon"), case("marketplace")):
        r = revenue_flows(G, depth=3, max_paths=1)
        want = reference.dependent_revenue(G, depth=3, max_paths=1)
        assert want["paths_truncated"] > 0
        same({"dependent_revenue": r.dependent_revenue, "direct_revenue": r.direct_revenue,
              "unbound_revenue": r.unbound_revenue, "paths_truncated": r.paths_truncated},
             {k: want[k] for k in ("dependent_revenue", "direct_revenue", "unbound_revenue", "paths_truncated")})
        got = lockin(G, depth=3, max_paths=1).to_dict()["segments"]
        same(got, reference.lockin(G, depth=3, max_paths=1)["segments"], "lockin")


@pytest.mark.parametrize("case_name", ["amazon", "newspaper", "money-review", "generated-45", "funnel-loop"])
def test_binding_paths_are_networkx_simple_paths(case_name):
    # the reference's depth-first paths are networkx's simple paths of the binding network, cut at the
    # first target (a lock-in path ends at the first core it reaches) and at the depth
    G = case(case_name)
    B = reference.binding_network(G)
    cores = {n for n, k in G.nodes(data="kind") if k == "core"}
    for s in [n for n, k in G.nodes(data="kind") if k in reference.EXTERNAL_KINDS]:
        paths, truncated = reference.binding_paths(G, s, cores, depth=4)
        expected = [p for c in cores for p in nx.all_simple_edge_paths(B, s, c, cutoff=4)
                    if not any(b in cores for _, b, _ in p[:-1])]
        assert not truncated
        assert sorted(tuple(e[:3] for e in p) for p in paths) == sorted(map(tuple, expected))
