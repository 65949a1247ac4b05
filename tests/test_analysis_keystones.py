"""Keystones: removal costs by hand."""

import pytest
from tests.analysis_helpers import small_graph

from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.lockin import lockin_index


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
    assert [n.id for n in r.nodes] == ["shop", "fans", "seller", "club", "app"]
    assert [n.rank for n in r.nodes] == [1, 2, 3, 4, 5]
