"""The columnar lock-in, keystones and binding index give exactly (to the bit) the figures of the
per-segment definitions: lock-in against segment_figures / paths / core_reach, keystones against the
per-segment loop, the binding index against plain loops and networkx; rows built on first access."""

import random

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.analysis_helpers import small_graph

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis import keystones as keystones_module
from ecosystem_graph.analysis import lockin as lockin_module
from ecosystem_graph.analysis.binding import EXTERNAL_KINDS, SINK, BindingIndex, edge_list
from ecosystem_graph.analysis.keystones import _removals, keystones
from ecosystem_graph.analysis.lockin import (MECHANISM_BITS, index_value, index_values, _mechanism_list, lockin,
                                             segment_figures, segment_network, segment_steps,
                                             switching_cost_reference)
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import LOCKIN_MECHANISMS

PROPS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------- graphs


def random_graph(rng: random.Random, n_nodes: int, n_edges: int, rules: bool) -> nx.MultiDiGraph:
    """Nodes of every kind and USES / FEEDS / PAYS relationships: within the model's rules, or between
    any two nodes (USES out of satellites, FEEDS into segments...)."""
    G = nx.MultiDiGraph()
    kinds = ["core", "satellite", "channel", "segment", "partner"]
    by_kind: dict = {}
    for i in range(n_nodes):
        k = rng.choice(kinds) if i else "core"
        attrs = {"kind": k, "name": f"{k} {i}"}
        if k == "channel" and rng.random() < 0.5:
            attrs["device"] = True
        G.add_node(f"{k[:3]}{i}", **attrs)
        by_kind.setdefault(k, []).append(f"{k[:3]}{i}")
    offerings = by_kind.get("core", []) + by_kind.get("satellite", [])
    feeders = by_kind.get("satellite", []) + by_kind.get("channel", []) + by_kind.get("partner", [])
    for _ in range(n_edges):
        r = rng.random()
        if not rules:
            u, v, t = rng.choice(list(G)), rng.choice(list(G)), rng.choice(["USES", "USES", "FEEDS", "PAYS"])
        elif r < 0.5 and by_kind.get("segment"):
            u, v, t = rng.choice(by_kind["segment"]), rng.choice(offerings + by_kind.get("channel", [])), "USES"
        elif r < 0.8 and feeders:
            u, v, t = rng.choice(feeders), rng.choice(offerings), "FEEDS"
        else:
            u, v, t = rng.choice(list(G)), rng.choice(list(G)), "PAYS"
        if u == v:
            continue
        d: dict = {"type": t}
        if t == "USES":
            if rng.random() < 0.8:
                d["switching_cost"] = rng.choice([round(rng.random(), 3), rng.randint(0, 3), 0.1, 0.2, 0.7, 1 / 3])
            if rng.random() < 0.7:
                d["mechanisms"] = rng.sample([*LOCKIN_MECHANISMS, "other"], rng.randint(0, 3))
        elif t == "PAYS":
            d["amount"] = round(rng.uniform(1, 100), 2)
        G.add_edge(u, v, **d)
    return G


def graphs():
    """Generated models, random graphs within and outside the rules (those networkx's minimum cut
    accepts) and hand-made corner cases."""
    out = [small_graph()]
    for n, seed in [(5, 0), (12, 3), (60, 1), (150, 2), (400, 5)]:
        out.append(to_networkx(generate_model(n, seed)))
    rng = random.Random(7)
    while len(out) < 120:
        G = random_graph(rng, rng.randint(2, 20), rng.randint(0, 50), rules=rng.random() < 0.6)
        try:
            lockin(G)
        except nx.NetworkXUnbounded:
            # outside the rules: an unbounded path from a segment (no finite minimum cut)
            continue
        out.append(G)
    out.append(many_steps_graph())
    out.append(many_cores_graph())
    return out


def many_steps_graph():
    # one segment with 70 bindings (more than a 64-bit mask holds) into channels feeding two satellites
    G = nx.MultiDiGraph()
    G.add_node("core", kind="core", name="Core")
    for s in ("sa", "sb"):
        G.add_node(s, kind="satellite", name=s)
        G.add_edge(s, "core", type="FEEDS")
    G.add_node("seg", kind="segment", name="Seg")
    for i in range(70):
        G.add_node(f"ch{i}", kind="channel", name=f"ch{i}", device=i % 3 == 0)
        G.add_edge(f"ch{i}", "sa" if i % 2 else "sb", type="FEEDS")
        G.add_edge("seg", f"ch{i}", type="USES", switching_cost=0.01 * (i % 7), mechanisms=["search_costs"])
    return G


def many_cores_graph():
    # 70 cores (more than an int64 mask of cores holds); segments reach several of them
    G = nx.MultiDiGraph()
    for i in range(70):
        G.add_node(f"c{i}", kind="core", name=f"c{i}")
    G.add_node("hub", kind="satellite", name="hub")
    for i in range(0, 70, 3):
        G.add_edge("hub", f"c{i}", type="FEEDS")
    for j in range(5):
        G.add_node(f"s{j}", kind="segment", name=f"s{j}")
        G.add_edge(f"s{j}", "hub", type="USES", switching_cost=0.3)
        G.add_edge(f"s{j}", f"c{69 - j}", type="USES", switching_cost=0.2)
    return G


ALL = graphs()


# -------------------------------------------------------------------------------- lock-in


def test_index_formula_over_arrays_is_bit_identical():
    import numpy as np

    rng = random.Random(1)
    cut = [rng.choice([0.0, 1.0, 2.5, rng.random(), rng.random() * 3, 1 / 3]) for _ in range(2000)]
    disjoint = [rng.randint(0, 6) for _ in cut]
    mechs = [rng.randint(0, 7) for _ in cut]
    for reference in (1.0, 0.7, 123.0, 0.0):
        got = index_values(np.array(cut), np.array(disjoint), np.array(mechs), reference).tolist()
        assert got == [index_value(c, d, m, reference) for c, d, m in zip(cut, disjoint, mechs)]


def expected_paths(index: BindingIndex, s: str) -> list:
    paths, _ = index.paths(s)
    return [([p[0][0], *[e[1] for e in p]], [(u, v, k) for u, v, k, _ in p], [d.get("type") for *_, d in p],
             [d.get("switching_cost") if d.get("type") == "USES" else None for *_, d in p]) for p in paths]


def check_lockin(G, index):
    """lockin() on ``index`` gives each segment's per-segment figures, exactly."""
    res = lockin(G, index=index)
    _, reference = switching_cost_reference(G, index)
    total, truncated = res.total_index, res.paths_truncated  # from the columns
    assert res.columns is not None and res._segments is None
    for s in res.segments:
        if s.id not in index.reaches_core:
            assert (s.min_cut, s.disjoint_paths, s.mechanisms, s.index, s.paths, s.cores, s.cut_edges,
                    s.paths_truncated) == (0.0, 0, [], 0.0, [], [], [], False)
            continue
        cut, disjoint, mechs, value = segment_figures(index, s.id, reference)
        assert (s.disjoint_paths, s.mechanisms) == (disjoint, mechs)
        if res.method == "closed-form":
            assert (s.min_cut, s.index) == (cut, value)  # exactly: the same doubles
            assert s.cut_edges == [(s.id, v, k) for v, k, _ in index.first_steps(s.id)]
        assert [(p.nodes, p.edges, p.types, p.switching_costs) for p in s.paths] == expected_paths(index, s.id)
        assert s.paths_truncated == index.paths(s.id)[1]
        assert s.cores == [c for c in index.cores if c in set(index.core_reach(s.id))]
    # the figures over all segments read from the columns are those of the rows
    assert total == float(sum(s.index for s in res.segments))
    assert truncated == sum(1 for s in res.segments if s.paths_truncated)


@pytest.mark.parametrize("depth,max_paths", [(4, 50), (2, 50), (4, 1), (1, 3)])
def test_lockin_columns_equal_the_per_segment_figures(depth, max_paths):
    for G in ALL:
        check_lockin(G, BindingIndex(G, depth=depth, max_paths=max_paths))


def test_lockin_rows_are_built_once_and_can_be_replaced():
    res = lockin(to_networkx(generate_model(80, seed=3)))
    first = res.segments
    assert res.segments is first
    d = res.to_dict()
    again = lockin(to_networkx(generate_model(80, seed=3)))
    assert again == res and again.to_dict() == d
    res.segments = first[:2]  # a plain list of rows from then on
    assert res.columns is None and [s.id for s in res.segments] == [s.id for s in first[:2]]
    assert res.total_index == float(first[0].index + first[1].index)


def test_segment_steps_group_relationships_listed_in_any_order():
    G = to_networkx(generate_model(300, seed=4))
    edges = edge_list(G)
    random.Random(2).shuffle(edges)
    shuffled, plain = BindingIndex(G, edges=edges), BindingIndex(G)
    a, b = segment_steps(shuffled), segment_steps(plain)
    for i, s in enumerate(a.segments):
        assert a.steps(i) == shuffled.first_steps(s)
        assert b.steps(i) == plain.first_steps(s)
    assert a.seg_mask.tolist() == b.seg_mask.tolist() and a.count.tolist() == b.count.tolist()
    check_lockin(G, shuffled)


def test_many_cores_and_many_steps():
    res = lockin(many_cores_graph()).by_id()
    for j in range(5):  # through the hub to every third core, and straight to core 69 - j
        assert res[f"s{j}"].cores == [f"c{i}" for i in range(70) if i % 3 == 0 or i == 69 - j]
        assert res[f"s{j}"].disjoint_paths == 2
    seg = lockin(many_steps_graph()).by_id()["seg"]
    # 70 bindings but every path ends on one of two FEEDS into the core: 2 edge-disjoint paths
    assert seg.disjoint_paths == 2 and len(seg.paths) == 50 and seg.paths_truncated
    assert seg.mechanisms == ["durable_purchase", "search_costs"]


def test_python_312_sums_give_the_same_figures(monkeypatch):
    # From Python 3.12 sum() compensates rounding: sums of three or more costs are then redone with
    # sum(); up to 3.11 (sequential) both ways agree, which this checks on the redo path.
    G = many_steps_graph()
    plain = lockin(G).to_dict(), keystones(G).to_dict()
    monkeypatch.setattr(lockin_module, "SEQUENTIAL_SUM", False)
    monkeypatch.setattr(keystones_module, "SEQUENTIAL_SUM", False)
    assert (lockin(G).to_dict(), keystones(G).to_dict()) == plain


# ------------------------------------------------------------------------------ keystones


def per_segment_keystones(G, index, lockin_result):
    """The per-segment loop of the definition: ``(cut_off, change)`` per node."""
    kind = index.kind
    _, reference = switching_cost_reference(G, index)
    cut_off, change = dict.fromkeys(G, 0), dict.fromkeys(G, 0.0)
    before = {s.id: s.index for s in lockin_result.segments}
    bits = {m: 1 << i for i, m in enumerate(LOCKIN_MECHANISMS)}
    for s in [n for n, k in kind.items() if k == "segment"]:
        base = before.get(s, 0.0)
        change[s] -= base
        if s not in index.reaches_core:
            continue
        if not index.sources_closed:
            for x in index.dominators_but_self(s).get(SINK, ()):
                if x != s:
                    cut_off[x] += 1
            for x in segment_network(index, s):
                if x != s and x != SINK:
                    change[x] += segment_figures(index, s, reference, removed=x)[3] - base
            continue
        steps = index.first_steps(s)
        costs = [float(d.get("switching_cost") or 0.0) for _, _, d in steps]
        masks = []
        for v, _, d in steps:
            m = 0
            for name in d.get("mechanisms") or ():
                m |= bits.get(name, 0)
            if kind.get(v) == "channel" and G.nodes[v].get("device"):
                m |= bits["durable_purchase"]
            masks.append(m)
        sink_doms = set(index.sink_dominators(steps[0][0]))
        for v, _, _ in steps[1:]:
            sink_doms &= index.sink_dominators(v)
        for x in sink_doms:
            cut_off[x] += 1
        if len(steps) == 1:
            for x in sink_doms:
                change[x] -= base
            continue
        for x, kept, disjoint in _removals(index, steps):
            if not kept:
                change[x] -= base
                continue
            mask = 0
            for i in kept:
                mask |= masks[i]
            after = index_value(float(sum([costs[i] for i in kept])), disjoint,
                                (mask & MECHANISM_BITS).bit_count(), reference)
            change[x] += after - base
    return cut_off, change


def test_keystones_equal_the_per_segment_loop_exactly():
    for G in ALL:
        index = BindingIndex(G)
        lk = lockin(G, index=index)
        res = keystones(G, index=index, lockin_result=lk)
        cut_off, change = per_segment_keystones(G, BindingIndex(G), lk)
        k = res.by_id()
        assert {n: k[n].segments_cut_off for n in G} == cut_off
        assert {n: k[n].lockin_change for n in G} == change  # the same doubles, not approximately
        at_risk, revenue = dict.fromkeys(G, 0.0), 0.0
        pay: dict = {}
        for u, v, d in G.edges(data=True):
            if d["type"] == "PAYS" and G.nodes[v]["kind"] == "core" and G.nodes[u]["kind"] in EXTERNAL_KINDS:
                pay[(u, v)] = pay.get((u, v), 0.0) + float(d.get("amount") or 0.0)
                revenue += float(d.get("amount") or 0.0)
        for (p, c), amount in pay.items():
            for x in {p, c} | index.dominators(p).get(c, set()):
                at_risk[x] += amount
        assert res.core_revenue == revenue
        # the core part of the revenue at risk (the whole of it: tests/test_analysis_revenue_at_risk.py)
        assert {n: k[n].core_revenue_at_risk for n in G} == at_risk
        eco = res.ecosystem_revenue
        assert {n: k[n].revenue_share for n in G} == {
            n: (k[n].revenue_at_risk / eco if eco > 0 else 0.0) for n in G}
        assert res.total_lockin == float(sum(s.index for s in lk.segments))
        ranked = sorted(res.nodes, key=lambda x: (-x.impact, -x.revenue_at_risk, -x.segments_cut_off, x.lockin_change,
                                                  x.id))
        assert [x.id for x in res.nodes] == [x.id for x in ranked]
        # with rows only, or without a lock-in result (then the closed-form figures): the same
        if lk.method == "closed-form":
            assert keystones(G).to_dict() == res.to_dict()
        rows_only = lockin(G)
        rows_only.segments = list(rows_only.segments)
        assert keystones(G, lockin_result=rows_only).to_dict() == res.to_dict()


def test_keystone_rows_and_dicts_from_the_columns():
    res = keystones(to_networkx(generate_model(120, seed=1)))
    from_columns = res.to_dict()
    assert res._nodes is None
    assert [k.to_dict() for k in res.nodes] == from_columns["nodes"]
    assert res.to_dict() == from_columns  # now from the rows
    assert [k.rank for k in res.nodes] == list(range(1, len(res.nodes) + 1))
    from dataclasses import asdict
    assert all(k.to_dict() == asdict(k) and list(k.to_dict()) == list(asdict(k)) for k in res.nodes)


# ------------------------------------------------------------------------------ the index


def test_binding_index_equals_plain_loops():
    rng = random.Random(3)
    for G in ALL[:60]:
        edges = edge_list(G)
        if rng.random() < 0.5:
            rng.shuffle(edges)
        index = BindingIndex(G, edges=edges)
        by_type: dict = {}
        succ: dict = {}
        for u, v, k, d in edges:
            by_type.setdefault(d.get("type"), []).append((u, v, k, d))
            if d.get("type") in ("USES", "FEEDS"):
                succ.setdefault(u, []).append((v, k, d))
        assert list(index.by_type.items()) == list(by_type.items())
        assert list(index.succ.items()) == list(succ.items())
        B = nx.DiGraph([(u, v) for u, out in succ.items() for v, _, _ in out])
        B.add_nodes_from(G)
        cores = [n for n, k in G.nodes(data="kind") if k == "core"]
        assert index.cores == cores
        assert index.reaches_core == set(cores).union(*[nx.ancestors(B, c) for c in cores])
        assert index.sources_closed == (not any(G.nodes[v]["kind"] in EXTERNAL_KINDS for _, v in B.edges))


@PROPS
@given(st.integers(min_value=5, max_value=150), st.integers(min_value=0, max_value=10_000))
def test_analyze_sections_match_rows(n, seed):
    a = analyze(to_networkx(generate_model(n, seed)), only="lockin,keystones")
    d = a.to_dict()
    assert d["lockin"]["total_index"] == float(sum(s.index for s in a.lockin.segments))
    assert d["keystones"]["nodes"] == [k.to_dict() for k in a.keystones.nodes]
    assert all(s.mechanisms == _mechanism_list(sum(1 << LOCKIN_MECHANISMS.index(m) for m in s.mechanisms))
               for s in a.lockin.segments)


def _uses_and_feeds_on_one_pair(feeds_first: bool):
    # Outside the model's rules (a satellite USES the core), so the per-segment networkx cut runs.
    # fans -USES 0.9-> club; club -USES 0.2-> shop and club -FEEDS-> shop (unbounded).
    # The pair club->shop is unbounded (one FEEDS suffices), so the only finite cut is fans->club: 0.9.
    G = nx.MultiDiGraph()
    for n, k in [("shop", "core"), ("club", "satellite"), ("fans", "segment")]:
        G.add_node(n, kind=k, name=n)
    G.add_edge("fans", "club", type="USES", switching_cost=0.9)
    pair = [("club", "shop", {"type": "USES", "switching_cost": 0.2}), ("club", "shop", {"type": "FEEDS"})]
    for u, v, d in (pair[::-1] if feeds_first else pair):
        G.add_edge(u, v, **d)
    return G


@pytest.mark.parametrize("feeds_first", [False, True])
def test_flow_network_pair_with_uses_and_feeds_is_unbounded(feeds_first):
    s = lockin(_uses_and_feeds_on_one_pair(feeds_first))
    assert s.method == "per-segment"
    fans = s.by_id()["fans"]
    assert fans.min_cut == pytest.approx(0.9)
    assert [tuple(e[:2]) for e in fans.cut_edges] == [("fans", "club")]
