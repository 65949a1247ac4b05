"""The PowerPoint deck: opened with python-pptx and checked against the model and the analysis figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.shapes.connector import Connector
from pptx.util import Inches

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import save_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.report import build_report
from ecosystem_graph.report.pptx import MAP_MAX_NODES, render_report_pptx

from .render_models import shop_model

ROOT = Path(__file__).resolve().parent.parent
AMAZON = ROOT / "examples" / "amazon.yaml"
NEWSPAPER = ROOT / "examples" / "newspaper-funnel.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def deck_of(model_path: Path, tmp_path: Path, *extra: str) -> Presentation:
    out = tmp_path / (model_path.stem + ".pptx")
    result = run("report", model_path, "-o", out, *extra)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    return Presentation(str(out))


def analysis_json(model_path: Path) -> dict:
    result = run("analyze", model_path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def titles(prs) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in prs.slides]


def chart_on(prs, title: str):
    for slide in prs.slides:
        if slide.shapes.title.text_frame.text == title:
            charts = [s.chart for s in slide.shapes if s.has_chart]
            assert len(charts) == 1
            return charts[0]
    raise AssertionError(f"no slide titled {title!r}: {titles(prs)}")


def chart_pairs(chart) -> list[tuple[str, float]]:
    """(category, value) pairs of the chart's one series, the largest first as read on the slide."""
    (series,) = chart.plots[0].series
    pairs = list(zip(chart.plots[0].categories, series.values))
    return pairs[::-1]  # a horizontal bar chart stores its bottom bar first


def assert_inside(prs) -> None:
    W, H = prs.slide_width, prs.slide_height
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= W, (number, shape.name, shape.left + shape.width, W)
            assert shape.top + shape.height <= H, (number, shape.name, shape.top + shape.height, H)


def test_amazon_deck_slides_and_titles(tmp_path):
    prs = deck_of(AMAZON, tmp_path)
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)  # 16:9
    # Amazon has money, keystones and lock-in but no funnel: title, summary, map, two revenue charts,
    # two keystone charts, the lock-in chart, how sure the numbers are (it has ranges: the interval table and
    # two tornado pictures) and the methods slide.
    assert titles(prs) == [
        "Amazon: ecosystem report", "Executive summary", "The ecosystem at a glance",
        "Revenue by offering (core, satellites, channels)",
        "Share of ecosystem revenue that depends on each satellite and channel",
        "Removal impact (top actors)", "Revenue at risk if the actor were lost", "Lock-in index per segment",
        "How sure are these numbers", "What moves ecosystem revenue",
        "What moves revenue at risk without Marketplace seller services", "How to read the figures"]
    texts = [s.text_frame.text for s in prs.slides[1].shapes if s.has_text_frame]
    assert "Ecosystem revenue" in texts and "USD 570 billion" in texts  # a KPI tile as real text
    body = " ".join(texts)
    assert "Online stores" in body
    methods = " ".join(s.text_frame.text for s in prs.slides[-1].shapes if s.has_text_frame)
    for word in ("networkx", ".py", "(I - Q)", "pagerank"):  # client words, no library or file names
        assert word not in methods


def test_every_node_is_a_shape_and_connectors_join_the_right_shapes():
    model = shop_model()
    deck = render_report_pptx(build_report(model, graph=False))
    from io import BytesIO

    prs = Presentation(BytesIO(deck.data))
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "The ecosystem at a glance")
    nodes = {s.name[len("node "):]: s for s in slide.shapes if s.name.startswith("node ")}
    assert {n: s.text_frame.text for n, s in nodes.items()} == {n.id: n.name for n in model.nodes}
    by_id = {s.shape_id: n for n, s in nodes.items()}
    connectors = [s for s in slide.shapes if isinstance(s, Connector)
                  and s._element.nvCxnSpPr.cNvCxnSpPr.find(qn("a:stCxn")) is not None]  # legend lines are not glued
    joined = []
    for c in connectors:
        nv = c._element.nvCxnSpPr.cNvCxnSpPr
        u, v = by_id[int(nv.find(qn("a:stCxn")).get("id"))], by_id[int(nv.find(qn("a:endCxn")).get("id"))]
        a, b = nodes[u], nodes[v]
        assert (c.begin_x, c.begin_y) == (a.left + a.width // 2, a.top + a.height // 2)
        assert (c.end_x, c.end_y) == (b.left + b.width // 2, b.top + b.height // 2)
        joined.append((u, v, c.name.split(" ")[0]))
    # the 10 relationships of the model, each (from, to, type) once: none is merged
    assert sorted(joined) == sorted((r.source, r.target, r.type) for r in model.relationships)
    pays = {(u, v): c.line.width for c, (u, v, t) in zip(connectors, joined) if t == "PAYS"}
    # money as width: members -> prime (100) is drawn wider than buyers -> shop (25), wider than shop -> carrier (4)
    assert pays[("members", "prime")] > pays[("buyers", "shop")] > pays[("shop", "carrier")]


def test_charts_hold_the_analysis_figures(tmp_path):
    prs = deck_of(NEWSPAPER, tmp_path)
    data = analysis_json(NEWSPAPER)
    names = {n["id"]: n["name"] for n in data["keystones"]["nodes"]}
    rev = data["revenue"]
    expected = sorted(((names[n], a) for n, a in rev["revenue_by_offering"].items() if a), key=lambda p: -p[1])
    got = chart_pairs(chart_on(prs, "Revenue by offering (core, satellites, channels)"))
    assert [c for c, _ in got] == [c for c, _ in expected[:12]]
    assert [v for _, v in got] == pytest.approx([v for _, v in expected[:12]], rel=1e-12)
    impact = [(k["name"], k["impact"]) for k in data["keystones"]["nodes"] if k["impact"] > 0][:12]
    got = chart_pairs(chart_on(prs, "Removal impact (top actors)"))
    assert [c for c, _ in got] == [c for c, _ in impact]
    assert [v for _, v in got] == pytest.approx([v for _, v in impact], rel=1e-12)
    lock = sorted(((s["name"], s["index"]) for s in data["lockin"]["segments"]), key=lambda p: -p[1])
    got = chart_pairs(chart_on(prs, "Lock-in index per segment"))
    assert dict(got) == pytest.approx(dict(lock), rel=1e-12) and len(got) == len(lock)
    assert [v for _, v in got] == sorted((v for _, v in got), reverse=True)  # most locked-in first
    funnel = data["funnel"]["funnels"][0]
    got = chart_pairs(chart_on(prs, "Funnel stages"))
    # the entry stage first with its own size, and every stage's expected members
    assert got[0] == (funnel["stages"][0]["name"], funnel["stages"][0]["size"])
    assert dict(got) == pytest.approx({s["name"]: s["expected_members"] for s in funnel["stages"]}, rel=1e-12)
    # the next slide lists the same stages, in the chart's order, with their rates
    at = titles(prs).index("Funnel stages")
    assert titles(prs)[at + 1] == "Funnel stages: the figures"
    table = next(s.table for s in prs.slides[at + 1].shapes if s.has_table)
    assert [table.cell(r, 0).text for r in range(1, len(table.rows))] == [c for c, _ in got]
    assert table.cell(0, 3).text == "Reach the last stage"
    assert titles(prs)[at + 2] == "Funnel stages: step rates and levers"
    levers = next(s.table for s in prs.slides[at + 2].shapes if s.has_table)
    steps = {levers.cell(r, 0).text for r in range(1, len(levers.rows))}
    assert len(steps) == len(funnel["steps"]) and levers.cell(0, 1).text == "Rate"


def test_whatif_deck_has_the_before_after_table(tmp_path):
    prs = deck_of(AMAZON, tmp_path, "--remove", "prime")
    assert titles(prs)[3] == "What-if: remove Prime" or titles(prs)[3].startswith("What-if")
    table = next(s.table for s in prs.slides[3].shapes if s.has_table)
    header = [table.cell(0, c).text for c in range(len(table.columns))]
    # Amazon has ranges: the after figures' 80% range (P10 to P90) as a last column
    assert header == ["Figure", "Before", "After", "Change", "Change %", "After: 80% range (P10 to P90)"]
    first = [table.cell(1, c).text for c in range(len(table.columns))]
    assert first[0] == "Ecosystem revenue" and first[1] == "USD 570 billion"
    # a neutral style: light grey header, white body, dark text (not the theme's blue table style)
    assert str(table.cell(0, 0).fill.fore_color.rgb) == "F3F4F6"
    assert str(table.cell(1, 0).fill.fore_color.rgb) == "FFFFFF"
    assert str(table.cell(1, 1).text_frame.paragraphs[0].runs[0].font.color.rgb) == "333333"
    assert_inside(prs)


@pytest.mark.parametrize("path", [AMAZON, NEWSPAPER])
def test_every_shape_is_inside_its_slide(path, tmp_path):
    assert_inside(deck_of(path, tmp_path))


def test_a_200_node_model_is_drawn_from_its_top_actors(tmp_path):
    model_path = tmp_path / "big.yaml"
    save_model(generate_model(200, seed=3), model_path)
    prs = deck_of(model_path, tmp_path)
    assert_inside(prs)
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "The ecosystem at a glance")
    drawn = [s.name[len("node "):] for s in slide.shapes if s.name.startswith("node ")]
    assert len(drawn) == MAP_MAX_NODES
    ranked = [k["id"] for k in analysis_json(model_path)["keystones"]["nodes"]]
    assert set(drawn) == set(ranked[:MAP_MAX_NODES])  # the headline ranking decides which are shown
    text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "200 actors" in text and f"shows the {MAP_MAX_NODES}" in text


def test_template_masters_are_used(tmp_path):
    template = Presentation()  # python-pptx's default: 4:3, layouts "Title Slide" ... "Title Only"
    title_only = next(layout for layout in template.slide_layouts if layout.name == "Title Only")
    firm_title = title_only.placeholders[0]  # the firm's title position, which the deck's slides inherit
    firm_title.left, firm_title.top, firm_title.width, firm_title.height = (Inches(1.25), Inches(0.3), Inches(7),
                                                                           Inches(0.9))
    template.slides.add_slide(template.slide_layouts[1]).shapes.title.text = "An example slide of the template"
    path = tmp_path / "firm.pptx"
    template.save(str(path))
    prs = deck_of(AMAZON, tmp_path, "--template", path)
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))  # the template's size
    assert "An example slide of the template" not in titles(prs)
    assert prs.slides[0].slide_layout.name == "Title Slide"
    assert {s.slide_layout.name for s in list(prs.slides)[1:]} == {"Title Only"}
    summary_title = prs.slides[1].shapes.title
    assert (summary_title.left, summary_title.top, summary_title.width) == (Inches(1.25), Inches(0.3), Inches(7))
    assert summary_title.text_frame.text == "Executive summary"
    for slide in list(prs.slides)[1:]:  # content starts under the firm's title, never over it
        title = slide.shapes.title
        assert all(s.top >= title.top + title.height for s in slide.shapes if s.shape_id != title.shape_id)
    assert_inside(prs)


def test_template_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.pptx"
    bad.write_text("not a deck")
    old = tmp_path / "d.pptx"
    old.write_bytes(b"the deck of last week")
    result = CliRunner().invoke(cli, ["report", str(AMAZON), "-o", str(old), "--template", str(bad)])
    assert result.exit_code != 0 and "not a PowerPoint template" in result.output
    assert "Traceback" not in result.output and old.read_bytes() == b"the deck of last week"  # left as it was
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    result = CliRunner().invoke(cli, ["report", str(AMAZON), "-o", str(tmp_path / "d.html"), "--template", str(bad)])
    assert result.exit_code != 0 and "--template applies to a PowerPoint deck only" in result.output


def test_format_option_writes_a_deck_whatever_the_name(tmp_path):
    out = tmp_path / "deck.bin"
    result = run("report", AMAZON, "-o", out, "--format", "pptx")
    assert result.exit_code == 0 and "12 slides, 5 charts" in result.output  # as in the titles test above
    assert len(Presentation(str(out)).slides) == 12


def test_control_characters_are_dropped_and_long_names_cut():
    from io import BytesIO

    model = shop_model()
    doc = build_report(model, graph=False)
    doc.title = "Tiny\x00 shop\x1b report\x0c"  # characters an XML document cannot hold
    long_name = "Occasional buyers of very many different products across every single category " * 3
    doc.graph.nodes["buyers"]["name"] = long_name
    prs = Presentation(BytesIO(render_report_pptx(doc).data))
    assert prs.slides[0].shapes.title.text_frame.text == "Tiny shop report"
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "The ecosystem at a glance")
    label = next(s for s in slide.shapes if s.name == "node buyers").text_frame.text
    assert label.endswith("…") and long_name.startswith(label[:-1]) and len(label) < len(long_name)
    assert_inside(prs)
