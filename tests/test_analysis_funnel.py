"""Funnel as an absorbing Markov chain, by hand."""

import pytest
from tests.analysis_helpers import graph

from ecosystem_graph.analysis.funnel import funnel
from ecosystem_graph.errors import AnalysisError


def stage(i, size):
    return {"id": i, "kind": "segment", "name": i.title(), "size": size}


def test_branching_funnel_by_hand():
    nodes = [stage("flyby", 1000), stage("known", 100), stage("paying", 20), {"id": "shop", "kind": "core",
                                                                              "name": "Shop"}]
    rels = [{"from": "flyby", "to": "known", "type": "CONVERTS_TO", "rate": 0.1},
            {"from": "known", "to": "paying", "type": "CONVERTS_TO", "rate": 0.2},
            {"from": "flyby", "to": "paying", "type": "CONVERTS_TO", "rate": 0.01},
            {"from": "paying", "to": "shop", "type": "PAYS", "amount": 600}]
    f = funnel(graph(nodes, rels)).funnels[0]
    # P(flyby -> paying) = 0.1 * 0.2 + 0.01 = 0.03
    assert f.conversion == pytest.approx(0.03)
    s = {x.id: x for x in f.stages}
    assert [x.id for x in f.stages] == ["flyby", "known", "paying"]
    # expected members from 1000 flybys: known 1000*0.1 = 100, paying 1000*0.03 = 30
    assert s["known"].expected_members == pytest.approx(100) and s["paying"].expected_members == pytest.approx(30)
    assert s["flyby"].drop_rate == pytest.approx(0.89) and s["known"].reach_final == pytest.approx(0.2)
    assert (f.bottleneck.source, f.bottleneck.target, f.bottleneck.rate) == ("flyby", "paying", 0.01)
    # paying pays 600 for 20 members = 30 each; an entrant reaches it with p 0.03 -> 0.9
    assert s["paying"].revenue_per_member == 30.0 and f.revenue_per_entrant == pytest.approx(0.9)
    assert f.expected_converted == pytest.approx(30)


def test_loop_between_stages_by_hand():
    nodes = [stage("a", 100), stage("b", 10), stage("c", 1)]
    rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "b", "to": "a", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "b", "to": "c", "type": "CONVERTS_TO", "rate": 0.25}]
    f = funnel(graph(nodes, rels)).funnels[0]
    # P_a = 0.5 * (0.25 + 0.5 P_a) -> P_a = 0.125 / 0.75 = 1/6; visits to a: 1 / (1 - 0.25) = 4/3
    assert f.conversion == pytest.approx(1 / 6)
    s = {x.id: x for x in f.stages}
    assert s["a"].expected_members == pytest.approx(100 * 4 / 3)
    assert f.revenue_per_entrant == 0.0


def test_closed_loop_is_an_analysis_error():
    nodes = [stage("a", 1), stage("b", 1)]
    rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 1},
            {"from": "b", "to": "a", "type": "CONVERTS_TO", "rate": 1}]
    with pytest.raises(AnalysisError, match="loops with no way out"):
        funnel(graph(nodes, rels))


def test_no_funnel():
    assert funnel(graph([stage("a", 1)], [])) is None


def test_pays_without_size_gives_unknown_revenue_per_entrant():
    nodes = [{"id": "a", "kind": "segment", "name": "A", "size": 10}, {"id": "b", "kind": "segment", "name": "B"},
             {"id": "c", "kind": "core", "name": "C"}]
    rels = [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
            {"from": "b", "to": "c", "type": "PAYS", "amount": 5}]
    f = funnel(graph(nodes, rels)).funnels[0]
    assert f.revenue_per_entrant is None and f.stages[1].revenue_per_member is None


def test_revenue_per_member_is_the_ecosystem_revenue_the_stage_brings():
    """What a stage pays a partner (buyers paying marketplace sellers) is not ecosystem revenue, so it is not the
    funnel's revenue either; the commission the sellers pass on as a share of it is (issue 14, one money story)."""
    nodes = [stage("visitors", 1000), stage("buyers", 100), {"id": "shop", "kind": "core", "name": "Shop"},
             {"id": "sellers", "kind": "partner", "name": "Sellers"}]
    rels = [{"from": "visitors", "to": "buyers", "type": "CONVERTS_TO", "rate": 0.1},
            {"from": "buyers", "to": "shop", "type": "PAYS", "amount": 500},
            {"id": "sales", "from": "buyers", "to": "sellers", "type": "PAYS", "amount": 2000},
            {"from": "sellers", "to": "shop", "type": "PAYS", "share_of": "sales", "share": 0.1}]
    f = funnel(graph(nodes, rels)).funnels[0]
    buyers = {x.id: x for x in f.stages}["buyers"]
    # buyers bring the shop 500 + the commission 0.1 x 2,000 = 200 (the other 1,800 is the sellers' income):
    # 700 for 100 members = 7 each; an entrant becomes a buyer with p 0.1 -> 0.7 per visitor
    assert buyers.revenue_per_member == pytest.approx(7.0) and f.revenue_per_entrant == pytest.approx(0.7)
    # levers: 10% more of the 0.1 rate = +0.01 x 1000 = 10 more buyers x 7 = 70 more revenue
    assert f.levers[0].extra_revenue_per_10pct == pytest.approx(70.0)
