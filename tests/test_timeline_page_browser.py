"""The timeline page in a real browser: the slider shows each period's nodes and relationships, positions stay."""

from __future__ import annotations

import math

import pytest

from ecosystem_graph.render.timeline import render_timeline_html
from tests.render_models import PAYLOADS
from tests.test_render_browser import assert_clean, opened  # noqa: F401 (opened: the shared page fixture)
from tests.timeline_models import NODES_BY_PERIOD, PERIODS, snapshot, three_periods

pytestmark = pytest.mark.browser


RELATIONSHIPS_BY_PERIOD = {
    "2021": {("buyers", "shop", "PAYS"), ("sellers", "ads", "PAYS"), ("ads", "shop", "FEEDS"),
             ("buyers", "kindle", "USES"), ("kindle", "shop", "FEEDS")},
    "2022": {("buyers", "shop", "PAYS"), ("sellers", "ads", "PAYS"), ("ads", "shop", "FEEDS"),
             ("carrier", "shop", "SUPPLIES"), ("shop", "carrier", "PAYS")},
    "2023": {("buyers", "shop", "PAYS"), ("sellers", "ads", "PAYS"), ("ads", "shop", "FEEDS"),
             ("buyers", "kindle", "USES"), ("kindle", "shop", "FEEDS"), ("carrier", "shop", "SUPPLIES"),
             ("shop", "carrier", "PAYS"), ("buyers", "cloud", "PAYS")},
}
"""What each snapshot holds, written out from tests/timeline_models.py's description."""

_VISIBLE = """() => ({
    nodes: ecoGraph.visibleNodes().sort(),
    edges: ecoGraph.visibleEdges().map(id => { const e = ecoGraph.edges.get(id); return [e.from, e.to, e.type]; }),
    positions: ecoNetwork.getPositions(),
    label: document.getElementById('eco-period-label').textContent,
    slider: document.getElementById('eco-period').value,
})"""


def _state(o) -> dict:
    s = o.js(_VISIBLE)
    s["edges"] = {tuple(e) for e in s["edges"]}
    return s


def _details(o, *, select: str | None = None, period: int | None = None) -> str:
    """The details panel's text after selecting node ``select``, then moving the slider to ``period``."""
    if select is not None:
        o.js(f"() => ecoGraph.selectNode('{select}', false)")
    if period is not None:
        o.js(f"() => ecoGraph.setPeriod({period})")
    return o.js("() => document.getElementById('eco-details').textContent")


def test_each_slider_position_shows_exactly_that_periods_nodes_and_relationships(opened):
    o = opened(render_timeline_html(three_periods()))
    first = _state(o)
    assert first["label"] == "2023" and first["slider"] == "2"  # opens on the last period
    slider = o.page.locator("#eco-period")
    slider.focus()
    seen = {}
    for i in (2, 1, 0):  # the slider moved with the keyboard, as a user does
        if i < 2:
            o.page.keyboard.press("ArrowLeft")
        state = _state(o)
        period = PERIODS[i]
        assert state["slider"] == str(i) and state["label"] == period
        assert state["nodes"] == sorted(NODES_BY_PERIOD[period])
        assert state["edges"] == RELATIONSHIPS_BY_PERIOD[period]
        seen[period] = state
    # kindle: shown in 2021, hidden in 2022, shown again in 2023; no node ever moves
    assert set(first["positions"]) == set().union(*NODES_BY_PERIOD.values())
    for period in PERIODS:  # the positions drawn of the nodes shown, each where it is in every other period
        assert set(seen[period]["positions"]) == NODES_BY_PERIOD[period]
        assert seen[period]["positions"] == {n: first["positions"][n] for n in NODES_BY_PERIOD[period]}
    # and where the one layout put it (positions are fixed: no physics moves them)
    laid_out = o.js("() => Object.fromEntries(ecoGraph.data.nodes.map(n => [n.id, {x: n.x, y: n.y}]))")
    for n, xy in laid_out.items():  # vis-network reports whole pixels
        assert abs(first["positions"][n]["x"] - xy["x"]) < 1 and abs(first["positions"][n]["y"] - xy["y"]) < 1
    assert_clean(o)


def test_arrow_keys_and_period_buttons_step_through_the_periods(opened):
    o = opened(render_timeline_html(three_periods()))
    o.page.locator("#eco-canvas").click(position={"x": 5, "y": 5})  # focus on the page, not on the slider
    o.page.keyboard.press("Home")
    assert _state(o)["nodes"] == sorted(NODES_BY_PERIOD["2021"])
    o.page.keyboard.press("ArrowRight")
    assert _state(o)["label"] == "2022" and "kindle" not in _state(o)["nodes"]
    o.page.keyboard.press("ArrowRight")
    o.page.keyboard.press("ArrowRight")  # past the last period: stays there
    assert _state(o)["label"] == "2023"
    o.page.locator(".eco-period-tick", has_text="2021").click()
    assert _state(o)["nodes"] == sorted(NODES_BY_PERIOD["2021"])
    # typing an arrow in the search box moves the caret, not the period
    o.page.locator("#eco-search").fill("kind")
    o.page.keyboard.press("ArrowLeft")
    assert _state(o)["label"] == "2021"
    assert o.js("() => ecoGraph.findNodes('kindle')") == ["kindle"]
    o.js("() => ecoGraph.setPeriod(1)")
    assert o.js("() => ecoGraph.findNodes('kindle')") == []  # not in 2022: search does not offer it
    assert_clean(o)


def test_node_sizes_follow_each_periods_money_on_one_scale(opened):
    o = opened(render_timeline_html(three_periods()))
    # size_by revenue: money through the node, max(in, out); the largest over all periods is the buyers' 2023
    # outflow, 115 + 30 = 145, so size = 12 + 36 * sqrt(value / 145). Advertising earns 20, 60, 130.
    for i, (ads, money) in enumerate(((20.0, "EUR 20.0 million"), (60.0, "EUR 60.0 million"),
                                      (130.0, "EUR 130 million"))):
        o.js(f"() => ecoGraph.setPeriod({i})")
        size = o.js("() => ecoGraph.nodes.get('ads').size")
        assert size == pytest.approx(12 + 36 * math.sqrt(ads / 145.0), abs=0.01)
        title = o.js("() => ecoGraph.nodes.get('ads').title")
        assert f"Money in: {money}" in title
    assert o.js("() => ecoGraph.nodes.get('buyers').size") == pytest.approx(48.0)
    # the details panel of a selected node follows the period; a node leaving the period is deselected
    assert "Not in 2022" in _details(o, select="kindle", period=1)
    o.js("() => ecoGraph.setPeriod(0)")
    assert "EUR 20.0 million" in _details(o, select="ads")
    details = _details(o, period=2)
    assert "EUR 130 million" in details and "EUR 20.0 million" not in details
    assert_clean(o)


def test_hostile_names_and_periods_are_shown_as_text(opened):
    labels = [p + " " + PAYLOADS[i] for i, p in enumerate(PERIODS)]
    rename = {"ads": "Ads " + PAYLOADS[1], "kindle": "Kindle " + PAYLOADS[2]}
    models = [snapshot(p, label=label, rename=rename, name="Eco " + PAYLOADS[3]) for p, label in zip(PERIODS, labels)]
    o = opened(render_timeline_html(models))
    for i, label in enumerate(labels):
        o.js(f"() => ecoGraph.setPeriod({i})")
        assert o.js("() => document.getElementById('eco-period-label').textContent") == label
        assert o.js(f"() => document.querySelectorAll('.eco-period-tick')[{i}].textContent") == label
        assert o.js("() => ecoGraph.nodes.get('ads').label").startswith("Ads </script>")
    o.js("() => ecoGraph.selectNode('ads', false)")
    assert "Ads " + PAYLOADS[1] in o.js("() => document.getElementById('eco-details').textContent")
    assert o.js("() => document.querySelectorAll('img, iframe, a[href], svg[onload]').length") == 0
    assert o.js("() => window.__pwned === undefined")
    assert_clean(o)


def test_the_evolution_report_embeds_a_working_slider(opened):
    from ecosystem_graph.report.evolution import build_timeline_report
    from ecosystem_graph.report.html import render_report_html

    o = opened(render_report_html(build_timeline_report(three_periods())), "evolution.html")
    assert _state(o)["nodes"] == sorted(NODES_BY_PERIOD["2023"])
    o.page.locator("#eco-period").focus()
    o.page.keyboard.press("ArrowLeft")
    assert _state(o)["nodes"] == sorted(NODES_BY_PERIOD["2022"])
    assert _state(o)["edges"] == RELATIONSHIPS_BY_PERIOD["2022"]
    assert_clean(o)


def test_a_satellite_relabelled_as_core_keeps_its_place_and_changes_its_look(opened):
    models = [snapshot("2021"), snapshot("2022"), snapshot("2023", kinds={"ads": "core"})]
    o = opened(render_timeline_html(models))
    look = "() => { const n = ecoGraph.nodes.get('ads'); return [n.kind, n.shape, ecoNetwork.getPosition('ads')]; }"
    counts = "() => document.querySelector('[data-count-kind=\"core\"]').textContent"
    core_2023 = o.js(look)
    assert core_2023[:2] == ["core", "hexagon"] and o.js(counts) == "2"
    o.js("() => ecoGraph.setPeriod(0)")
    sat_2021 = o.js(look)
    assert sat_2021[:2] == ["satellite", "dot"] and o.js(counts) == "1"
    assert sat_2021[2] == core_2023[2]
    # the details of the buyers list only the relationships of the period shown: USES Kindle in 2021, not 2022
    assert "USES · Kindle" in _details(o, select="buyers")
    details = _details(o, period=1)
    assert "PAYS · Online shop" in details and "Kindle" not in details
    assert_clean(o)
