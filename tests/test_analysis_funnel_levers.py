"""Funnel levers: by hand, against re-solving the chain with each rate changed, and the issue's claim."""

import math
from pathlib import Path

import networkx as nx
import pytest
from tests.analysis_helpers import graph, stage_revenue_reference
from tests.test_analysis_perf_revenue import random_funnel_graph

from ecosystem_graph.analysis import analyze, reference
from ecosystem_graph.analysis.funnel import funnel
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.fileio import load_model

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def stage(i, size):
    return {"id": i, "kind": "segment", "name": i.title(), "size": size}


def branching():
    """flyby -> known -> paying -> subscriber, plus flyby -> paying and known -> subscriber."""
    nodes = [stage("flyby", 1000), stage("known", 300), stage("paying", 50), stage("subscriber", 80),
             {"id": "shop", "kind": "core", "name": "Shop"}]
    rels = [{"from": "flyby", "to": "known", "type": "CONVERTS_TO", "rate": 0.2},
            {"from": "flyby", "to": "paying", "type": "CONVERTS_TO", "rate": 0.05},
            {"from": "known", "to": "paying", "type": "CONVERTS_TO", "rate": 0.25},
            {"from": "known", "to": "subscriber", "type": "CONVERTS_TO", "rate": 0.1},
            {"from": "paying", "to": "subscriber", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "paying", "to": "shop", "type": "PAYS", "amount": 200},  # 200 / 50 = 4 per member
            {"from": "subscriber", "to": "shop", "type": "PAYS", "amount": 800}]  # 800 / 80 = 10 per member
    return graph(nodes, rels)


def test_branching_funnel_levers_by_hand():
    f = funnel(branching()).funnels[0]
    # expected members from 1000 flybys: known 1000 x 0.2 = 200; paying 1000 x (0.05 + 0.2 x 0.25) = 100;
    # subscriber 200 x 0.1 + 100 x 0.5 = 70 = converted
    assert f.expected_converted == pytest.approx(70)
    # reach a final stage: paying 0.5, known 0.25 x 0.5 + 0.1 = 0.225, subscriber 1
    # elasticity = members(from) x reach(to) x rate / converted:
    #   paying->subscriber 100 x 1 x 0.5 / 70 = 0.714;  flyby->known 1000 x 0.225 x 0.2 / 70 = 0.643;
    #   flyby->paying 1000 x 0.5 x 0.05 / 70 = 0.357 = known->paying 200 x 0.5 x 0.25 / 70 (tie: step order);
    #   known->subscriber 200 x 1 x 0.1 / 70 = 0.286
    assert [(x.source, x.target) for x in f.levers] == [
        ("paying", "subscriber"), ("flyby", "known"), ("flyby", "paying"), ("known", "paying"),
        ("known", "subscriber")]
    by = {(x.source, x.target): x for x in f.levers}
    assert by["paying", "subscriber"].elasticity == pytest.approx(50 / 70)
    assert by["flyby", "known"].elasticity == pytest.approx(45 / 70)
    assert by["known", "subscriber"].elasticity == pytest.approx(20 / 70)
    # +1 point on flyby->known: 1000 x 0.01 = 10 more known, each reaching subscriber with 0.225 -> 2.25
    assert by["flyby", "known"].extra_converted_per_point == pytest.approx(2.25)
    # +10% of flyby->known (0.2 -> 0.22): 20 more known -> 4.5 more subscribers; revenue: 20 x 0.25 = 5 more
    # paying x 4 = 20, 4.5 more subscribers x 10 = 45: 65
    assert by["flyby", "known"].extra_converted_per_10pct == pytest.approx(4.5)
    assert by["flyby", "known"].extra_revenue_per_10pct == pytest.approx(65)
    # +1 point on paying->subscriber: 100 x 0.01 = 1; +10% (0.5 -> 0.55): 5 more subscribers, 50 revenue
    assert by["paying", "subscriber"].extra_converted_per_point == pytest.approx(1.0)
    assert by["paying", "subscriber"].extra_revenue_per_10pct == pytest.approx(50)
    assert f.biggest_lever is f.levers[0] and not any(x.capped for x in f.levers)
    # the claim shape: the lowest rate is the side branch flyby->paying, not the biggest lever
    assert (f.bottleneck.source, f.bottleneck.target) == ("flyby", "paying")
    assert (f.biggest_lever.source, f.biggest_lever.target) == ("paying", "subscriber")
    d = funnel(branching()).to_dict()["funnels"][0]
    assert d["biggest_lever"] == d["levers"][0] == by["paying", "subscriber"].to_dict()
    assert list(d["levers"][0]) == ["from", "to", "rate", "elasticity", "extra_converted_per_point",
                                    "extra_converted_per_10pct", "extra_revenue_per_10pct", "capped"]
    assert d["bottleneck"] == {"from": "flyby", "to": "paying", "rate": 0.05}


def test_loop_lever_by_hand():
    nodes = [stage("a", 100), stage("b", 10), stage("c", 1)]
    rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "b", "to": "a", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "b", "to": "c", "type": "CONVERTS_TO", "rate": 0.25}]
    f = funnel(graph(nodes, rels)).funnels[0]
    # visits from a: x_a = 1 + 0.5 x_b, x_b = 0.5 x_a -> x_a = 4/3, x_b = 2/3; converted 100 x 2/3 x 0.25 = 16.67
    # a->b at 0.51: x_a = 1 / (1 - 0.5 x 0.51) = 1.342282, x_b = 0.684564, converted 17.114094: +0.447427
    lever = {(x.source, x.target): x for x in f.levers}["a", "b"]
    assert lever.extra_converted_per_point == pytest.approx(100 / 0.745 * 0.51 * 0.25 - 100 / 6, rel=1e-12)
    assert lever.extra_converted_per_point == pytest.approx(0.447427, abs=1e-6)
    # no revenue anywhere: 0 extra revenue (known), not None
    assert lever.extra_revenue_per_10pct == 0.0


def test_capped_raise_stops_at_a_rate_sum_of_one():
    nodes = [stage("a", 100), stage("b", 10), stage("c", 10)]
    rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.6},
            {"from": "a", "to": "c", "type": "CONVERTS_TO", "rate": 0.395}]
    f = funnel(graph(nodes, rels)).funnels[0]
    by = {(x.source, x.target): x for x in f.levers}
    # 0.005 left of a's drop rate: +1 point and +10% both stop at +0.005 -> 100 x 0.005 = 0.5 more converted
    assert by["a", "b"].capped and by["a", "c"].capped
    assert by["a", "b"].extra_converted_per_point == pytest.approx(0.5)
    assert by["a", "c"].extra_converted_per_10pct == pytest.approx(0.5)
    # the elasticity is the derivative at the present rates: 100 x 0.6 / 99.5
    assert by["a", "b"].elasticity == pytest.approx(60 / 99.5)


def test_unknown_revenue_and_unknown_sizes():
    def levers(entry_size):
        nodes = [stage("a", entry_size), stage("b", None), stage("c", 10),
                 {"id": "shop", "kind": "core", "name": "Shop"}]
        rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
                {"from": "b", "to": "c", "type": "CONVERTS_TO", "rate": 0.5},
                {"from": "b", "to": "shop", "type": "PAYS", "amount": 5}]  # b pays but has no size
        f = funnel(graph(nodes, rels)).funnels[0]
        return f, {(x.source, x.target): x for x in f.levers}

    f, by = levers(100)
    # a->b grows b's members, whose revenue per member is unknown; b->c grows only c's, which pays nothing;
    # converted 100 x 0.5 x 0.5 = 25, each step linear: elasticity 1
    assert by["a", "b"].extra_revenue_per_10pct is None and by["b", "c"].extra_revenue_per_10pct == 0.0
    assert by["a", "b"].elasticity == pytest.approx(1.0) and by["b", "c"].elasticity == pytest.approx(1.0)
    # no entry size: nothing converts, so no elasticity, and nothing grows (0 extra revenue)
    f, by = levers(None)
    assert f.expected_converted == 0.0 and by["a", "b"].elasticity is None
    assert by["a", "b"].extra_converted_per_point == 0.0 and by["a", "b"].extra_revenue_per_10pct == 0.0


# ---------------------------------------------------------------------------------------- brute force


resolve = reference.solve_funnel  # the chain solved from scratch with one rate changed


def check_levers_by_resolving(G):
    """Every lever of every funnel of ``G`` against re-solving its chain with the rate raised."""
    res = funnel(G)
    checked = 0
    for f in res.funnels:
        stages = [s.id for s in f.stages]
        before = resolve(G, stages)
        members, converted, revenue, C = before
        assert converted == pytest.approx(f.expected_converted, rel=1e-9, abs=1e-9)
        levers = {}
        for x in f.levers:
            levers.setdefault((x.source, x.target, x.rate), x)
        assert len(f.levers) == C.number_of_edges()
        ranked = [math.inf if x.elasticity is None else -round(x.elasticity, 9) for x in f.levers]
        assert ranked == sorted(ranked)
        unknown = {s for s in stages if G.nodes[s].get("size") in (None, 0)
                   and stage_revenue_reference(G).get(s, 0.0) > 0}
        positive = nx.DiGraph([(u, v) for u, v, r in C.edges(data="rate") if r > 0])
        for u, v, key, r in C.edges(keys=True, data="rate"):
            x = levers[u, v, r]
            total = sum(rate for _, _, rate in C.out_edges(u, data="rate"))
            room = max(0.0, 1.0 - total)
            assert x.capped == (total + 0.01 > 1.0 or total + 0.1 * r > 1.0)
            for step, extra in ((0.01, x.extra_converted_per_point), (0.1 * r, x.extra_converted_per_10pct)):
                after = resolve(G, stages, (u, v, key), r + min(step, room))
                if after is None:  # the raise closes a loop with no way out: nothing more converts
                    assert extra == 0.0
                    continue
                assert extra == pytest.approx(after[1] - converted, rel=1e-6, abs=1e-9 * max(1.0, converted))
            after = resolve(G, stages, (u, v, key), r + min(0.1 * r, room))
            reached = ({v} | (nx.descendants(positive, v) if v in positive else set()))
            if after is None or (reached & unknown and min(0.1 * r, room) > 0 and members[u] > 0):
                assert x.extra_revenue_per_10pct is None
            else:
                assert x.extra_revenue_per_10pct == pytest.approx(after[2] - revenue, rel=1e-6,
                                                                  abs=1e-9 * max(1.0, abs(revenue)))
            # elasticity: the derivative by a central difference of two re-solves
            h = 1e-6
            up, down = resolve(G, stages, (u, v, key), r + h), resolve(G, stages, (u, v, key), r - h)
            if converted > 0 and up is not None and down is not None:
                slope = (up[1] - down[1]) / (2 * h)
                assert x.elasticity == pytest.approx(slope * r / converted, rel=1e-5, abs=1e-7)
            elif converted <= 0:
                assert x.elasticity is None
            checked += 1
    return checked


def test_branching_levers_equal_resolving():
    assert check_levers_by_resolving(branching()) == 5


def test_newspaper_levers_equal_resolving_and_the_claim():
    G = to_networkx(load_model(EXAMPLES / "newspaper-funnel.yaml"))
    assert check_levers_by_resolving(G) == 5
    f = funnel(G).funnels[0]
    # the issue: the lowest rate is the side branch flyby -> paying once; the biggest lever is not it
    assert (f.bottleneck.source, f.bottleneck.target) == ("flyby", "paying-once")
    assert (f.biggest_lever.source, f.biggest_lever.target) != ("flyby", "paying-once")
    # paying-once -> subscriber is linear in its rate: 13,500 expected paying-once members x 0.25 / 4575
    # converted = 0.7377 (13,500 = 1.5M x 0.005 + 60,000 x 0.1)
    assert (f.biggest_lever.source, f.biggest_lever.target) == ("paying-once", "subscriber")
    assert f.biggest_lever.elasticity == pytest.approx(13500 * 0.25 / 4575)


def test_amazon_example_has_no_funnel():
    assert funnel(to_networkx(load_model(EXAMPLES / "amazon.yaml"))) is None


@pytest.mark.parametrize("seed", range(12))
def test_random_funnel_shapes_levers_equal_resolving(seed):
    # chains, trees, diamonds, loops, parallel steps, several entries, stages paying without a size
    G = random_funnel_graph(seed)
    assert check_levers_by_resolving(G) > 0
    # most of their entries have no size (nothing converts, no elasticity): again with every size known
    for i, s in enumerate(G.nodes):
        if G.nodes[s].get("kind") == "segment" and not G.nodes[s].get("size"):
            G.nodes[s]["size"] = 100 + 37 * i
    res = funnel(G)
    assert sum(x.elasticity is not None for f in res.funnels for x in f.levers) > 5
    assert check_levers_by_resolving(G) > 0


def test_generated_model_levers_equal_resolving():
    G = to_networkx(generate_model(400, seed=5))
    assert check_levers_by_resolving(G) > 10


def test_tables_name_the_biggest_lever_and_keep_the_lowest_rate_as_a_column():
    G = to_networkx(load_model(EXAMPLES / "newspaper-funnel.yaml"))
    tables = analyze(G, only="funnel").tables()
    funnels = tables[0]
    row = dict(zip(funnels.columns, funnels.rows[0]))
    assert row["biggest lever"] == "paying-once->subscriber" and row["lowest rate"] == "flyby->paying-once (0.5%)"
    assert funnels.note.startswith("Biggest lever of the funnel from flyby: paying-once->subscriber (rate 25.0%)")
    levers = next(t for t in tables if t.title == "Levers of the funnel from flyby")
    assert [r[0] for r in levers.rows][:2] == ["paying-once->subscriber", "flyby->registered"]
