"""Revenue flows, totals, dependency attribution and HHI on a small model computed by hand."""

import pytest
from tests.analysis_helpers import graph, small_graph, small_nodes, small_rels

from ecosystem_graph.analysis.revenue import hhi, revenue_flows


def test_net_flows_by_hand():
    r = revenue_flows(small_graph()).by_id()
    # shop: in 30 (fans) + 20 (seller) = 50, out 5 (to seller) -> net 45
    assert (r["shop"].inflow, r["shop"].outflow, r["shop"].net) == (50.0, 5.0, 45.0)
    # fans: out 30 + 10 = 40 -> net -40; seller: in 5, out 20 -> -15; club: in 10
    assert r["fans"].net == -40.0 and r["seller"].net == -15.0 and r["club"].net == 10.0
    assert sum(n.net for n in r.values()) == 0.0  # 45 + 10 - 40 - 15 + 0


def test_totals_streams_segments_hhi():
    r = revenue_flows(small_graph())
    # ecosystem revenue = external payers into core/satellite/channel: 30 + 10 + 20 = 60 (shop->seller is a
    # payout: 5); net 60 - 5 = 55
    assert r.ecosystem_revenue == 60.0 and r.core_revenue == 50.0
    assert r.ecosystem_payouts == 5.0 and r.ecosystem_net == 55.0
    # every offering in model order, 0 included
    assert r.revenue_by_offering == {"shop": 50.0, "club": 10.0, "app": 0.0}
    assert r.pass_through == {}
    assert r.by_stream == {"purchase": 30.0, "commission": 20.0, "subscription": 10.0}
    assert r.by_segment == {"fans": 40.0}
    # payers fans 40, seller 20 of 60: 10000 * ((2/3)^2 + (1/3)^2) = 10000 * 5/9
    assert r.hhi["payers"] == pytest.approx(50000 / 9)
    # payees shop 50, club 10 of 60: 10000 * ((5/6)^2 + (1/6)^2) = 10000 * 26/36
    assert r.hhi["payees"] == pytest.approx(260000 / 36)


def test_dependency_attribution_by_hand():
    r = revenue_flows(small_graph())
    # fans -> shop 30 over two binding paths:
    #   fans -USES(share .5)-> club -FEEDS(strength .5)-> shop  weight 0.25
    #   fans -USES(share -)->  app  -FEEDS(-)->           shop  weight 1
    #   club gets 30 * 0.25/1.25 = 6, app 30 * 1/1.25 = 24
    # fans -> club 10: club's own revenue; fans USES club directly: a direct binding
    # seller -> shop 20: a partner without binding path -> unbound
    # club 10 + 6 = 16, app 24; shares over the ecosystem revenue 60
    assert r.dependent_revenue == pytest.approx({"club": 16.0, "app": 24.0})
    assert r.dependency == pytest.approx({"club": 16 / 60, "app": 24 / 60})
    assert r.unbound_revenue == 20.0 and r.direct_revenue == 10.0


def test_direct_binding_gets_no_dependency():
    rels = small_rels() + [{"from": "fans", "to": "shop", "type": "USES", "share": 0.75}]
    r = revenue_flows(graph(small_nodes(), rels))
    # paths now weigh club 0.25, app 1, direct 0.75 (total 2): club 30*0.25/2 = 3.75, app 15, direct 11.25;
    # plus club's own 10 (fans USES club directly: direct too)
    assert r.dependent_revenue == pytest.approx({"club": 13.75, "app": 15.0})
    assert r.direct_revenue == pytest.approx(21.25)


def test_hhi_values():
    assert hhi([25, 25, 25, 25]) == pytest.approx(2500.0)
    assert hhi([0, 0]) is None
