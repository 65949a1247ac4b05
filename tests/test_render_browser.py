"""The HTML page in a real browser: Debian's headless Chromium driven by Playwright (never a downloaded build)."""

from __future__ import annotations

import pytest

from ecosystem_graph.generate import generate_model
from ecosystem_graph.render import PHYSICS_LIMIT, graph_data, render_fragment, render_html
from tests.render_models import PAYLOADS, PROTOTYPE_IDS, hostile_model, prototype_ids_model, shop_model

pytestmark = pytest.mark.browser


class Opened:
    """A loaded page and everything it did: page errors, console errors, requests, dialogs."""

    def __init__(self, browser, path):
        self.context = browser.new_context(viewport={"width": 1300, "height": 850})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri(), wait_until="commit")
        self.page.wait_for_function("() => window.ecoGraph && window.ecoGraph.ready", timeout=60_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]

    def node_xy(self, node_id: str) -> tuple[float, float]:
        return tuple(self.js("""(id) => {
            const d = ecoNetwork.canvasToDOM(ecoNetwork.getPosition(id));
            const r = document.getElementById('eco-canvas').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y];
        }""", node_id))

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser, tmp_path):
    """Open HTML text as a file page in Chromium; every page is closed after the test."""
    pages: list[Opened] = []

    def open_(html: str, name: str = "page.html") -> Opened:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        o = Opened(browser, path)
        pages.append(o)
        return o

    yield open_
    for o in pages:
        o.close()


def assert_clean(o: Opened) -> None:
    """No script error, no console error, no request off the file, no dialog."""
    assert o.errors == []
    assert o.console_errors == []  # a Content-Security-Policy violation would be reported here
    assert o.outside_requests() == []
    assert o.dialogs == []


def test_page_loads_offline_with_every_node_and_relationship(opened):
    model = generate_model(300, seed=4)
    o = opened(render_html(model, size_by="degree"))
    counts = o.js("() => [ecoNetwork.body.data.nodes.length, ecoNetwork.body.data.edges.length]")
    assert counts == [300, len(model.relationships)]
    ids = o.js("() => ecoNetwork.body.data.nodes.getIds().sort()")
    assert ids == sorted(n.id for n in model.nodes)
    assert o.js("() => document.querySelector('#eco-title').textContent") == model.name
    assert_clean(o)


def test_clicking_a_node_selects_it_shows_details_and_its_neighbourhood(opened):
    o = opened(render_html(shop_model(), size_by="degree"))
    o.page.mouse.click(*o.node_xy("members"))
    assert o.js("() => ecoNetwork.getSelectedNodes()") == ["members"]
    details = o.js("() => document.getElementById('eco-details').innerText")
    for text in ("Prime members", "Customer segment", "1,000 members", "USES \u00b7 Prime", "USES \u00b7 Echo"):
        assert text in details
    bright = o.js("() => ecoGraph.nodes.get({filter: n => n.opacity === 1}).map(n => n.id).sort()")
    assert bright == ["echo", "members", "prime"]
    # a neighbour in the panel is a link to that node
    o.page.get_by_role("button", name="PAYS \u00b7 Prime").click()
    assert o.js("() => ecoNetwork.getSelectedNodes()") == ["prime"]
    assert o.js("() => document.querySelector('.eco-details-name').textContent") == "Prime"
    # clicking the empty canvas clears the selection and the dimming
    o.page.mouse.click(60, 120)
    assert o.js("() => ecoGraph.nodes.get({filter: n => n.opacity !== 1}).length") == 0
    assert_clean(o)


def test_kind_and_relationship_filters_hide_exactly_that_kind(opened):
    model = generate_model(300, seed=4)
    o = opened(render_html(model, size_by="degree"))
    o.page.locator("input[data-kind=partner]").uncheck()
    partners = sorted(n.id for n in model.nodes if n.kind == "partner")
    assert o.js("() => ecoGraph.hiddenNodes().sort()") == partners
    o.page.locator("input[data-type=PAYS]").uncheck()
    pays = o.js("() => ecoGraph.edges.get({filter: e => e.type === 'PAYS'}).map(e => e.id).sort()")
    assert len(pays) == sum(1 for r in model.relationships if r.type == "PAYS")
    assert o.js("() => ecoGraph.edges.get({filter: e => e.hidden}).map(e => e.id).sort()") == pays
    o.page.locator("input[data-kind=partner]").check()
    o.page.locator("input[data-type=PAYS]").check()
    assert o.js("() => ecoGraph.hiddenNodes().length + ecoGraph.edges.get({filter: e => e.hidden}).length") == 0
    assert_clean(o)


def test_lockin_and_path_highlights_mark_exactly_the_expected_nodes(opened):
    # members is bound by members -USES-> prime -FEEDS-> shop and members -USES-> echo -FEEDS-> shop
    o = opened(render_html(shop_model(), highlights=["lockin:members", "path:buyers,carrier"]))
    assert sorted(o.js("() => ecoGraph.highlightedNodes()")) == ["echo", "members", "prime", "shop"]
    edges = o.js("() => ecoGraph.edges.get({filter: e => e.hl}).map(e => [e.from, e.to, e.type]).sort()")
    assert edges == [["echo", "shop", "FEEDS"], ["members", "echo", "USES"], ["members", "prime", "USES"],
                     ["prime", "shop", "FEEDS"]]
    o.page.get_by_role("button", name="No highlight").click()
    assert o.js("() => ecoGraph.highlightedNodes()") == []
    o.page.get_by_role("button", name="Path Occasional buyers \u2192 Carrier (3 nodes)").click()
    assert sorted(o.js("() => ecoGraph.highlightedNodes()")) == ["buyers", "carrier", "shop"]
    o.page.get_by_role("button", name="Lock-in of Prime members", exact=False).click()
    assert sorted(o.js("() => ecoGraph.highlightedNodes()")) == ["echo", "members", "prime", "shop"]
    assert_clean(o)


def test_search_finds_and_selects_a_node(opened):
    o = opened(render_html(shop_model(), size_by="degree"))
    o.page.fill("#eco-search", "occas")
    assert o.js("() => document.getElementById('eco-search-results').innerText.trim()") == "Occasional buyers"
    o.page.press("#eco-search", "Enter")
    assert o.js("() => ecoNetwork.getSelectedNodes()") == ["buyers"]
    o.page.fill("#eco-search", "zzz")
    assert o.js("() => document.getElementById('eco-search-results').innerText.trim()") == "No node matches."
    assert_clean(o)


def _exercise_everything(o: Opened, model) -> None:
    """Hover and click every node, click every panel button and search with a payload."""
    for node in model.nodes:
        x, y = o.node_xy(node.id)
        o.page.mouse.move(x, y)
        tip = o.page.locator("div.vis-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        assert tip.inner_text().splitlines()[0] == node.name.replace("\u2028", "\n").splitlines()[0]
        o.page.mouse.click(x, y)
        assert o.js("() => ecoNetwork.getSelectedNodes()") == [node.id]
        assert o.js("() => document.querySelector('.eco-details-name').textContent") == node.name
        o.page.mouse.move(5, 5)
    for button in o.page.locator(".eco-hl-button").all():
        button.click()
    o.page.fill("#eco-search", PAYLOADS[0][:30])
    o.page.fill("#eco-search", "shop")
    o.page.press("#eco-search", "Enter")
    o.page.wait_for_timeout(300)


@pytest.mark.parametrize("title", ["Title " + PAYLOADS[0], 'A <a href="javascript:window.__pwned=1">href</a> title'])
def test_injected_strings_never_run_in_the_page(opened, title):
    model = hostile_model()
    o = opened(render_html(model, size_by="degree", title=title, highlights=["path:buyers,carrier"]))
    assert o.js("() => document.title") == title
    assert o.js("() => document.getElementById('eco-title').textContent") == title
    _exercise_everything(o, model)
    assert o.js("() => window.__pwned === undefined")
    assert_clean(o)


def test_injected_strings_never_run_in_the_fragment_without_any_csp(opened):
    # The fragment is embedded in other pages (the report), which may have no Content-Security-Policy:
    # escaping alone must hold.
    model = hostile_model()
    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Report</title></head><body>"
            "<h1>Report</h1>" + render_fragment(model, size_by="degree", highlights=["path:buyers,carrier"])
            + "</body></html>")
    o = opened(page)
    assert o.js("() => document.querySelectorAll('meta[http-equiv]').length") == 0
    _exercise_everything(o, model)
    assert o.js("() => window.__pwned === undefined")
    assert_clean(o)


def test_large_graph_has_fixed_positions_no_physics_and_straight_edges(opened):
    model = generate_model(PHYSICS_LIMIT + 50, seed=6)
    data = graph_data(model, size_by="degree")
    o = opened(render_html(model, size_by="degree"))
    assert o.js("() => ecoNetwork.physics.options.enabled") is False
    assert o.js("() => ecoNetwork.edgesHandler.options.smooth.enabled") is False
    assert o.js("() => ecoNetwork.body.data.nodes.length") == PHYSICS_LIMIT + 50
    sample = [data["nodes"][i] for i in (0, 10, 500, len(data["nodes"]) - 1)]
    got = o.js("(ids) => ecoNetwork.getPositions(ids)", [n["id"] for n in sample])
    for n in sample:
        assert got[n["id"]] == pytest.approx({"x": n["x"], "y": n["y"]}, abs=1)  # vis rounds to whole pixels
    assert_clean(o)


def test_aggregated_page_says_so(opened):
    model = generate_model(400, seed=5)
    data = graph_data(model, size_by="degree", max_nodes=60)
    o = opened(render_html(model, size_by="degree", max_nodes=60))
    assert o.js("() => ecoNetwork.body.data.nodes.length") == len(data["nodes"]) < 60
    note = o.js("() => document.querySelector('.eco-note').innerText")
    assert note.startswith("This ecosystem has 400 nodes and ") and "collapsed into" in note
    assert_clean(o)


def test_force_layout_settles_then_stops_physics(opened):
    o = opened(render_html(shop_model(), size_by="degree", layout="force"))
    o.page.wait_for_function("() => ecoGraph.stabilized === true", timeout=30_000)
    assert o.js("() => ecoNetwork.physics.options.enabled") is False
    assert o.js("() => ecoNetwork.body.data.nodes.length") == 7
    assert_clean(o)


def test_offered_keystones_are_off_at_load_and_mark_exactly_the_top_keystones_on_click(opened):
    from ecosystem_graph.analysis.keystones import keystones
    from ecosystem_graph.graph import to_networkx

    model = shop_model()
    expected = sorted(k.id for k in keystones(to_networkx(model)).nodes[:5])
    o = opened(render_html(model, size_by="degree"))
    # nothing asked for: the page opens undimmed, the keystones wait behind a button
    assert o.js("() => ecoGraph.nodes.get({filter: n => n.opacity !== 1}).length") == 0
    o.page.get_by_role("button", name="Top 5 keystones").click()
    bright = o.js("() => ecoGraph.nodes.get({filter: n => n.opacity === 1}).map(n => n.id).sort()")
    assert bright == expected
    o.page.get_by_role("button", name="No highlight").click()
    assert o.js("() => ecoGraph.nodes.get({filter: n => n.opacity !== 1}).length") == 0
    assert_clean(o)


def test_legend_folds_away_so_it_never_hides_nodes_for_good(opened):
    o = opened(render_html(shop_model(), size_by="degree"))
    assert o.js("() => document.getElementById('eco-legend').open") is True
    o.page.locator("#eco-legend summary").click()
    assert o.js("() => document.getElementById('eco-legend').open") is False
    # folded, it is one line high
    assert o.js("() => document.getElementById('eco-legend').getBoundingClientRect().height") < 40
    assert_clean(o)


def test_nodes_named_like_object_prototype_members_are_drawn_and_clickable(opened):
    # In a plain {} the keys "constructor", "toString"... already exist; vis-network then took these
    # nodes for clustered ones and never drew them, while their relationships were drawn.
    model = prototype_ids_model()
    o = opened(render_html(model, size_by="degree"))
    all_ids = sorted(n.id for n in model.nodes)
    assert sorted(PROTOTYPE_IDS.values()) == sorted(set(all_ids) - {"shop", "buyers"})
    assert sorted(o.js("() => ecoNetwork.body.data.nodes.getIds()")) == all_ids
    assert sorted(o.js("() => Object.keys(ecoNetwork.getPositions())")) == all_ids
    assert sorted(o.js("() => ecoNetwork.body.nodeIndices.slice()")) == all_ids  # what vis-network draws
    names = {n.id: n.name for n in model.nodes}
    for node_id in all_ids:
        o.page.mouse.click(*o.node_xy(node_id))
        assert o.js("() => ecoNetwork.getSelectedNodes()") == [node_id]
        assert o.js("() => document.querySelector('.eco-details-name').textContent") == names[node_id]
    # the neighbourhood of "constructor" (members: USES prime and echo) is bright, nothing else
    o.page.mouse.click(*o.node_xy("constructor"))
    bright = o.js("() => ecoGraph.nodes.get({filter: n => n.opacity === 1}).map(n => n.id).sort()")
    assert bright == ["constructor", "hasOwnProperty", "toString"]
    # a lock-in highlight and the search work on these ids too
    assert o.js("() => ecoGraph.findNodes('valueof', 5)") == ["valueOf"]
    assert o.js("() => ecoGraph.selectNode('toString', false)") is True
    assert o.js("() => ecoGraph.selectNode('propertyIsEnumerable', false)") is False
    assert_clean(o)


def test_offered_funnel_lever_marks_the_biggest_lever_step_on_click(opened):
    from pathlib import Path

    from ecosystem_graph.fileio import load_model

    # the newspaper's biggest lever is paying once -> subscriber (elasticity 0.25 x 13,500 / 4,575 = 0.74, see
    # tests/test_report_levers.py): the button lights those two stages and that one CONVERTS_TO relationship
    model = load_model(Path(__file__).resolve().parent.parent / "examples" / "newspaper-funnel.yaml")
    o = opened(render_html(model, size_by="degree"))
    assert o.js("() => ecoGraph.nodes.get({filter: n => n.opacity !== 1}).length") == 0
    o.page.get_by_role("button", name="Biggest funnel lever").click()
    assert sorted(o.js("() => ecoGraph.highlightedNodes()")) == ["paying-once", "subscriber"]
    lit = o.js("() => ecoGraph.edges.get({filter: e => e.hl === true}).map(e => [e.from, e.to, e.type])")
    assert lit == [["paying-once", "subscriber", "CONVERTS_TO"]]
    assert_clean(o)
