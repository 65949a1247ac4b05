"""Page polish in Debian's headless Chromium: the legend never covers a node, print hides every control,
a highlight fits its nodes into view after a search zoomed in, and a tooltip goes when the pointer leaves."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ecosystem_graph.fileio import load_model, write_text_atomic
from ecosystem_graph.generate import generate_model
from ecosystem_graph.render import render_html
from ecosystem_graph.report import build_report, render_report_html

pytestmark = [pytest.mark.browser]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _open(browser, tmp_path, html: str, name: str):
    path = tmp_path / name
    write_text_atomic(path, html)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="commit")
    # Poll with evaluate(): the pages' Content-Security-Policy forbids eval, which wait_for_function uses.
    deadline = time.monotonic() + 90
    while not page.evaluate("!!(window.ecoGraph && window.ecoGraph.ready && window.ecoGraph.stabilized)"):
        assert time.monotonic() < deadline, "the graph was not drawn within 90 s"
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    page.evaluate("document.getElementById('eco-graph').scrollIntoView()")
    return page, errors


def _node_points(page) -> dict[str, list[float]]:
    """Every node's centre in page coordinates (viewport), from vis-network's own positions."""
    return page.evaluate("""() => {
        const r = document.getElementById('eco-canvas').getBoundingClientRect();
        const pos = ecoNetwork.getPositions();
        const out = {};
        for (const id of Object.keys(pos)) {
            const d = ecoNetwork.canvasToDOM(pos[id]);
            out[id] = [r.left + d.x, r.top + d.y];
        }
        return out;
    }""")


def _rect(page, selector: str) -> dict:
    return page.evaluate("s => { const r = document.querySelector(s).getBoundingClientRect(); "
                         "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }", selector)


def _inside(point, r) -> bool:
    return r["left"] <= point[0] <= r["right"] and r["top"] <= point[1] <= r["bottom"]


def _pages():
    amazon = load_model(EXAMPLES / "amazon.yaml")
    paper = load_model(EXAMPLES / "newspaper-funnel.yaml")
    big = generate_model(200, seed=3)
    return [("amazon-render", render_html(amazon)), ("paper-render", render_html(paper)),
            ("big-render", render_html(big)),
            ("amazon-report", render_report_html(build_report(amazon, raw=b"x"))),
            ("paper-report", render_report_html(build_report(paper, raw=b"x"))),
            ("big-report", render_report_html(build_report(big, raw=b"x")))]


@pytest.mark.parametrize("name,html", _pages(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_no_node_centre_lies_under_the_legend(browser, tmp_path, name, html):
    page, errors = _open(browser, tmp_path, html, name + ".html")
    points = _node_points(page)
    legend = _rect(page, "#eco-legend")
    canvas = _rect(page, "#eco-canvas")
    assert legend["bottom"] - legend["top"] > 20  # open, with its rows
    under = [i for i, p in points.items() if _inside(p, legend)]
    assert under == []
    # and the legend is drawn outside the drawing area altogether
    assert legend["top"] >= canvas["bottom"] - 0.5
    assert errors == []
    page.close()


def _controls_visible(page) -> list[str]:
    """Every control that would be shown: inputs, buttons, the legend's toggle."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
            'input, button, select, summary, #eco-search, #eco-kind-filters, #eco-highlights'))
        .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                       return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; })
        .map(e => e.id || e.tagName + '.' + e.className)""")


@pytest.mark.parametrize("kind", ["render", "report"])
def test_print_media_hides_every_control(browser, tmp_path, kind):
    model = load_model(EXAMPLES / "amazon.yaml")
    html = (render_html(model, highlights=["keystones"]) if kind == "render"
            else render_report_html(build_report(model, raw=b"x")))
    page, errors = _open(browser, tmp_path, html, kind + ".html")
    on_screen = _controls_visible(page)
    assert "eco-search" in on_screen and "eco-kind-filters" in on_screen  # there are controls to hide
    page.emulate_media(media="print")
    page.wait_for_timeout(100)
    assert _controls_visible(page) == []
    # the drawing takes the panel's place and is drawn again at that size; the legend's rows stay on paper
    page.wait_for_timeout(300)
    sizes = page.evaluate("[document.getElementById('eco-graph').getBoundingClientRect().width, "
                          "document.querySelector('#eco-canvas canvas').getBoundingClientRect().width, "
                          "document.querySelector('#eco-canvas canvas').width / window.devicePixelRatio]")
    assert sizes[1] >= sizes[0] - 4 and sizes[2] == pytest.approx(sizes[1], abs=2)
    assert page.evaluate("document.querySelector('.eco-legend-row').getBoundingClientRect().height") > 0
    assert errors == []
    page.close()


def _wait_still(page) -> None:
    """Until the view stops moving (a fit animates)."""
    last = None
    for _ in range(60):
        now = page.evaluate("[ecoNetwork.getScale(), ecoNetwork.getViewPosition().x, ecoNetwork.getViewPosition().y]")
        if now == last:
            return
        last = now
        page.wait_for_timeout(100)


@pytest.mark.parametrize("example", ["amazon.yaml", "newspaper-funnel.yaml"])
def test_highlight_after_a_search_shows_all_its_nodes(browser, tmp_path, example):
    model = load_model(EXAMPLES / example)
    page, errors = _open(browser, tmp_path, render_html(model, highlights=["keystones"]), "hl.html")
    # search zooms in on one node far from most of the keystones
    first = page.evaluate("ecoGraph.data.nodes[ecoGraph.data.nodes.length - 1].id")
    page.fill("#eco-search", first)
    page.press("#eco-search", "Enter")
    _wait_still(page)
    page.evaluate("id => ecoNetwork.moveTo({scale: 3, position: ecoNetwork.getPosition(id)})", first)
    _wait_still(page)
    wanted = page.evaluate("ecoGraph.data.highlights[0].nodes")
    canvas = _rect(page, "#eco-canvas")
    before = _node_points(page)
    assert any(not _inside(before[i], canvas) for i in wanted)  # the zoom left some of them off-screen
    page.locator(".eco-hl-button[data-index='0']").click()
    _wait_still(page)
    after = _node_points(page)
    assert len(wanted) >= 2
    assert [i for i in wanted if not _inside(after[i], canvas)] == []
    assert errors == []
    page.close()


def test_highlight_given_on_load_is_fitted_into_view(browser, tmp_path):
    model = generate_model(200, seed=3)
    page, errors = _open(browser, tmp_path, render_html(model, highlights=["keystones"]), "load.html")
    _wait_still(page)
    wanted = page.evaluate("ecoGraph.highlightedNodes()")
    canvas = _rect(page, "#eco-canvas")
    after = _node_points(page)
    assert wanted and [i for i in wanted if not _inside(after[i], canvas)] == []
    assert errors == []
    page.close()


def test_tooltip_hides_when_the_pointer_leaves(browser, tmp_path):
    model = load_model(EXAMPLES / "amazon.yaml")
    page, errors = _open(browser, tmp_path, render_html(model), "tip.html")
    node = page.evaluate("ecoGraph.data.nodes[0].id")
    x, y = _node_points(page)[node]
    visible = "(() => { const t = document.querySelector('#eco-graph div.vis-tooltip'); " \
              "return !!t && getComputedStyle(t).visibility !== 'hidden' && t.textContent.length > 0; })()"
    for leave_to in ["blank canvas", "outside"]:
        page.mouse.move(x, y)
        page.mouse.move(x + 1, y + 1)
        deadline = time.monotonic() + 5
        while not page.evaluate(visible):
            assert time.monotonic() < deadline, "no tooltip over the node"
            page.wait_for_timeout(50)
        if leave_to == "blank canvas":
            canvas = _rect(page, "#eco-canvas")
            page.mouse.move(canvas["left"] + 3, canvas["top"] + 3)
        else:
            page.mouse.move(640, 5)  # the page header, off the graph, in one jump
        page.wait_for_timeout(400)
        assert page.evaluate(visible) is False, leave_to
    assert errors == []
    page.close()
