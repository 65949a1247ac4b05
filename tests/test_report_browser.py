"""The report in Debian's headless Chromium: no page error, no request to any host, charts and graph drawn,
hostile strings inert; a 10,000-node model gives a usable report (aggregated graph, top-N tables)."""

from __future__ import annotations

import time

import pytest

from ecosystem_graph.fileio import write_text_atomic
from ecosystem_graph.generate import generate_model
from ecosystem_graph.report import build_report, render_report_html
from tests.render_models import PROTOTYPE_IDS, prototype_ids_model
from tests.test_report import parse, report_model

pytestmark = [pytest.mark.browser]


def open_report(browser, path, timeout_ms: int = 60_000):
    """Open a report file; return (page, page errors, requests to anything but file:/data:, dialogs)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="commit")
    # Poll with evaluate(): the report's Content-Security-Policy forbids eval, which wait_for_function uses.
    deadline = time.monotonic() + timeout_ms / 1000
    ready = "window.ecoNetwork !== undefined && document.querySelector('#methods') !== null"
    while not page.evaluate(ready):
        if time.monotonic() > deadline:
            pytest.fail(f"the report did not draw its graph within {timeout_ms / 1000:.0f} s")
        page.wait_for_timeout(100)
    return page, errors, requests, dialogs


def test_report_opens_offline_with_charts_and_graph(browser, tmp_path):
    report = build_report(report_model(hostile=True), raw=b"x")
    path = tmp_path / "report.html"
    write_text_atomic(path, render_report_html(report))
    page, errors, requests, dialogs = open_report(browser, path)
    expected_charts = [c.id for s in report.sections for c in s.charts]
    drawn = page.eval_on_selector_all("figure.chart", "fs => fs.map(f => [f.dataset.chart, "
                                      "f.querySelector('svg').getBoundingClientRect().width])")
    assert [c for c, _ in drawn] == expected_charts
    assert all(width > 100 for _, width in drawn)
    counts = page.evaluate("[window.ecoNetwork.body.data.nodes.length, window.ecoNetwork.body.data.edges.length]")
    assert counts == [report.counts["nodes"], report.counts["relationships"]]
    # hover and click on the first few nodes, then print layout: nothing hostile runs
    for node_id in page.evaluate("window.ecoNetwork.body.data.nodes.getIds().slice(0, 4)"):
        page.evaluate("id => window.ecoNetwork.selectNodes([id])", node_id)
        pos = page.evaluate("id => window.ecoNetwork.canvasToDOM(window.ecoNetwork.getPositions([id])[id])", node_id)
        box = page.locator("#graph-box canvas").first.bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert errors == [] and requests == [] and dialogs == []
    page.close()


@pytest.mark.slow
def test_large_model_report_is_usable(browser, tmp_path):
    model = generate_model(10_000, seed=2)
    report = build_report(model, raw=b"generated", top=15)
    html = render_report_html(report)
    path = tmp_path / "big.html"
    write_text_atomic(path, html)
    got = parse(html)
    # top-N tables: at most 15 rows each, and the caption says how many there are in all
    assert got.cells and all(len(rows) <= 15 for rows in got.cells.values())
    assert "(top 15 of 10,000)" in html  # the centrality ranking
    graph = next(s for s in report.sections if s.id == "graph")
    assert graph.graph_note.startswith("The model has 10,000 nodes; to stay readable, segments and partners")
    page, errors, requests, _ = open_report(browser, path, timeout_ms=90_000)
    shown = page.evaluate("window.ecoNetwork.body.data.nodes.length")
    assert 0 < shown < 2_000  # aggregated: groups instead of 10,000 nodes
    assert page.eval_on_selector_all("figure.chart svg", "s => s.length") == sum(len(s.charts) for s in report.sections)
    assert errors == [] and requests == []
    page.close()


def test_report_graph_draws_nodes_named_like_object_prototype_members(browser, tmp_path):
    model = prototype_ids_model()
    path = tmp_path / "report.html"
    write_text_atomic(path, render_report_html(build_report(model, raw=b"x")))
    page, errors, requests, dialogs = open_report(browser, path)
    all_ids = sorted(n.id for n in model.nodes)
    assert set(PROTOTYPE_IDS.values()) < set(all_ids)
    assert sorted(page.evaluate("Object.keys(window.ecoNetwork.getPositions())")) == all_ids
    assert sorted(page.evaluate("window.ecoNetwork.body.nodeIndices.slice()")) == all_ids
    page.locator("#graph-box canvas").first.scroll_into_view_if_needed()
    for node_id in sorted(PROTOTYPE_IDS.values()):
        pos = page.evaluate("id => window.ecoNetwork.canvasToDOM(window.ecoNetwork.getPositions([id])[id])", node_id)
        box = page.locator("#graph-box canvas").first.bounding_box()
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        assert page.evaluate("window.ecoNetwork.getSelectedNodes()") == [node_id]
    assert errors == [] and requests == [] and dialogs == []
    page.close()
