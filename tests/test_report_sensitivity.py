"""The report's "How sure are these numbers": intervals beside the headline figures, the interval table, the
tornado charts and the drivers, in HTML, Markdown and the deck; absent for a model without ranges."""

from __future__ import annotations

import html as htmllib
import io
import math
import re

import pytest
from pptx import Presentation

from ecosystem_graph.analysis.sensitivity import sensitivity
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.report import build_report, render_report_html, render_report_markdown
from ecosystem_graph.report.pptx import render_report_pptx

HOSTILE = 'Fans <script>alert(1)</script> & "co" | *x* $y$'


def hand_model(name: str = "Fans", ranged: bool = True) -> Ecosystem:
    """Fans pay the shop X (triangular 80, 100, 130, EUR million), buyers a fixed 1,000: ecosystem revenue
    = core revenue = 1,000 + X."""
    amount = {"low": 80, "base": 100, "high": 130, "dist": "triangular"} if ranged else 100
    return Ecosystem.model_validate({
        "name": "Hand", "currency": "EUR", "money_unit": "million", "period": "2024",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "fans", "kind": "segment", "name": name},
                  {"id": "buyers", "kind": "segment", "name": "Buyers"}],
        "relationships": [{"from": "fans", "to": "shop", "type": "PAYS", "amount": amount},
                          {"from": "buyers", "to": "shop", "type": "PAYS", "amount": 1000}]})


# Closed form for X ~ triangular(a=80, c=100, b=130): F(c) = (c - a) / (b - a) = 20 / 50 = 0.4.
#   P10 (below the mode): (x - a)^2 = 0.1 (b - a)(c - a) = 0.1 * 50 * 20 = 100      -> x = 90
#   P50 (above the mode): (b - x)^2 = 0.5 (b - a)(b - c) = 0.5 * 50 * 30 = 750      -> x = 130 - 27.386 = 102.614
#   P90 (above the mode): (b - x)^2 = 0.1 * 50 * 30 = 150                           -> x = 130 - 12.247 = 117.753
# Ecosystem revenue = 1,000 + X: P10 1,090, P50 1,102.6, P90 1,117.8 (EUR million), base 1,100;
# tornado: X at its low 1,080, at its high 1,130.
# Written in the unit of the base (EUR 1.10 billion, three significant digits): P10 "EUR 1.09 billion",
# P50 "EUR 1.10 billion", P90 "EUR 1.12 billion"; the sampled quantiles (2,000 draws) are within
# 3 standard errors (about 1 million) of the closed form, far from a rounding edge (5 million away at least).
P10, P50, P90 = 1000.0 + 90.0, 1000.0 + 130.0 - math.sqrt(750), 1000.0 + 130.0 - math.sqrt(150)


@pytest.fixture(scope="module")
def hand_doc():
    return build_report(hand_model(), graph=False)


def test_the_engine_agrees_with_the_closed_form():
    r = sensitivity(hand_model(), draws=2000, seed=0)
    f = r.by_name()["ecosystem revenue"]
    assert f.base == 1100.0
    assert abs(f.p10 - P10) < 1.5 and abs(f.p50 - P50) < 1.5 and abs(f.p90 - P90) < 1.5
    bar = r.tornado["ecosystem revenue"][0]
    assert (bar.at_low, bar.at_high) == (1080.0, 1130.0)


def test_tiles_and_summary_show_the_interval_in_the_tile_s_rounding(hand_doc):
    interval = "80% between EUR 1.09 billion and EUR 1.12 billion"
    tiles = {k.key: k for k in hand_doc.kpis}
    assert tiles["revenue"].text == "EUR 1.10 billion"
    assert tiles["revenue"].detail == f"per 2024; {interval}"
    assert tiles["core_share"].detail == f"EUR 1.10 billion ({interval}) paid to the core"
    summary = {s.key: s for s in hand_doc.summary}
    assert f"EUR 1.10 billion ({interval}) in 2024" in summary["revenue"].sentence
    assert summary["revenue"].figure == "EUR 1.10 billion"


def test_html_and_markdown_show_the_interval_and_the_table(hand_doc):
    page = render_report_html(hand_doc)
    md, files = render_report_markdown(hand_doc, "hand")
    for text in (page, md):
        assert "80% between EUR 1.09 billion and EUR 1.12 billion" in text
        assert "How sure are these numbers" in text
    # the table: base, P10, P50, P90 of ecosystem revenue
    assert "| Ecosystem revenue | EUR 1.10 billion | EUR 1.09 billion | EUR 1.10 billion | EUR 1.12 billion |" in md
    row = re.search(r'<tr data-id="ecosystem revenue">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td\b.*?</td>", row.group(1), re.S)]
    assert cells == ["Ecosystem revenue", "EUR 1.10 billion", "EUR 1.09 billion", "EUR 1.10 billion", "EUR 1.12 billion"]
    assert "hand-tornado-revenue.svg" in files and "(hand-tornado-revenue.svg)" in md


def test_the_tornado_chart_labels_are_the_engine_s_ends(hand_doc):
    r = sensitivity(hand_model(), draws=2000, seed=0)
    bar = r.tornado["ecosystem revenue"][0]
    section = next(s for s in hand_doc.sections if s.id == "sensitivity")
    chart = next(c for c in section.charts if c.id == "tornado-revenue")
    texts = [htmllib.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", chart.svg)]
    # 1,080 and 1,130 EUR million, in the unit of the base (billion, three significant digits)
    assert (bar.at_low, bar.at_high) == (1080.0, 1130.0)
    assert "EUR 1.08 billion" in texts and "EUR 1.13 billion" in texts
    # the assumption's own range (EUR 80 million to EUR 130 million) under its name
    assert "EUR 80.0 million to EUR 130 million" in texts
    # the axis in the unit of the figure (EUR billion), its ticks with the decimals their step needs
    assert "EUR billion (2024)" in texts and "1.08" in texts and "1.13" in texts


def test_a_model_without_ranges_has_no_section_and_no_interval():
    doc = build_report(hand_model(ranged=False), graph=False)
    assert all(s.id != "sensitivity" for s in doc.sections)
    page = render_report_html(doc)
    md, files = render_report_markdown(doc, "hand")
    for text in (page, md):
        assert "80% between" not in text and "How sure are these numbers" not in text
    assert not any("tornado" in name for name in files)


def test_hostile_names_are_escaped_everywhere():
    doc = build_report(hand_model(HOSTILE), graph=False)
    page = render_report_html(doc)
    assert "<script>alert(1)</script>" not in page
    assert "Fans &lt;script&gt;alert(1)&lt;/script&gt;" in page
    section = next(s for s in doc.sections if s.id == "sensitivity")
    for chart in section.charts:
        assert "<script>" not in chart.svg
        assert "&lt;script&gt;" in chart.svg  # the assumption's label, escaped by the SVG writer
    md, files = render_report_markdown(doc, "hand")
    assert "<script>" not in md and all("<script>" not in svg for svg in files.values())
    deck = Presentation(io.BytesIO(render_report_pptx(doc, draw_map=False).data))
    texts = [sh.text_frame.text for sl in deck.slides for sh in sl.shapes if sh.has_text_frame]
    texts += [c.text for sl in deck.slides for sh in sl.shapes if sh.has_table for row in sh.table.rows for c in row.cells]
    assert any(HOSTILE.split(" <")[0] in t for t in texts)


def test_the_deck_has_the_interval_table_and_a_tornado_picture(hand_doc):
    deck = Presentation(io.BytesIO(render_report_pptx(hand_doc, draw_map=False).data))
    titles = [sl.shapes.title.text for sl in deck.slides]
    assert "How sure are these numbers" in titles
    table_slide = deck.slides[titles.index("How sure are these numbers")]
    table = next(sh.table for sh in table_slide.shapes if sh.has_table)
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Figure", "Base", "P10", "P50", "P90"]
    assert ["Ecosystem revenue", "EUR 1.10 billion", "EUR 1.09 billion", "EUR 1.10 billion", "EUR 1.12 billion"] in rows
    picture_slide = deck.slides[titles.index("What moves ecosystem revenue")]
    pictures = [sh for sh in picture_slide.shapes if sh.shape_type == 13]
    assert len(pictures) == 1 and pictures[0].image.blob[:8] == b"\x89PNG\r\n\x1a\n"


def test_drivers_rank_by_swing_relative_to_the_figure():
    # two ranges: fans' X (swing 50 on 1,100 = 4.5%) and buyers' Y = 1,000 (900..1,300: swing 400 = 36.4%)
    data = hand_model().to_data()
    data["relationships"][1]["amount"] = {"low": 900, "base": 1000, "high": 1300, "dist": "uniform"}
    doc = build_report(Ecosystem.model_validate(data), graph=False)
    section = next(s for s in doc.sections if s.id == "sensitivity")
    drivers = next(t for t in section.tables if t.id == "drivers-of-uncertainty")
    assert [[c.text for c in r[:3]] for r in drivers.rows] == [
        ["Buyers pay Shop: amount", "EUR 0.900 billion to EUR 1.30 billion", "EUR 1.00 billion"],  # one unit a row
        ["Fans pay Shop: amount", "EUR 80.0 million to EUR 130 million", "EUR 100 million"]]
    assert [round(r[-1].value, 4) for r in drivers.rows] == [round(400 / 1100, 4), round(50 / 1100, 4)]


def test_a_scenario_on_a_ranged_model_shows_base_values_and_the_scaled_intervals():
    from ecosystem_graph.analysis.scenario import apply_changes, whatif
    from ecosystem_graph.report import ScenarioSpec

    data = hand_model().to_data()
    data["relationships"][0]["id"] = "fan-pay"
    model = Ecosystem.model_validate(data)
    # whatif on a ranged model compares base values: X = 100 doubled -> 200, ecosystem revenue 1,100 -> 1,200
    s = whatif(to_networkx(model), scale={"fan-pay": 2.0})
    rev = next(f for f in s.comparison.headline if f.figure == "ecosystem_revenue")
    assert (rev.before, rev.after) == (1100.0, 1200.0)
    # the range is scaled with it: triangular(160, 200, 260); P10 = 1,000 + 2 x 90 = 1,180,
    # P90 = 1,000 + 2 x 117.753 = 1,235.5 (sampled within 3 standard errors, about 2.5 million)
    H, _ = apply_changes(to_networkx(model), [], {"fan-pay": 2.0})
    after = sensitivity(H, draws=2000, seed=0).by_name()["ecosystem revenue"]
    assert after.base == 1200.0
    assert abs(after.p10 - 1180.0) < 2.5 and abs(after.p90 - (1000 + 2 * (130 - math.sqrt(150)))) < 2.5
    doc = build_report(model, graph=False, scenario=ScenarioSpec(scale={"fan-pay": 2.0}))
    section = next(x for x in doc.sections if x.id == "whatif")
    table = next(t for t in section.tables if t.id == "whatif")
    assert table.columns[-1] == "After: 80% range (P10 to P90)"
    row = table.rows[table.row_ids.index("revenue|(ecosystem)|ecosystem_revenue")]
    # written in the unit of the after value (EUR 1.20 billion), as its tile
    expected = f"EUR {after.p10 / 1000:.2f} billion to EUR {after.p90 / 1000:.2f} billion"
    assert [c.text for c in row[1:3]] == ["EUR 1.10 billion", "EUR 1.20 billion"]
    assert row[-1].text == expected
    tile = next(k for k in section.kpis if k.key == "whatif-ecosystem_revenue")
    assert tile.detail.endswith("; 80% between " + expected.replace(" to ", " and "))


def test_a_scenario_on_a_model_without_ranges_keeps_its_table():
    from ecosystem_graph.report import ScenarioSpec

    data = hand_model(ranged=False).to_data()
    data["relationships"][0]["id"] = "fan-pay"
    doc = build_report(Ecosystem.model_validate(data), graph=False, scenario=ScenarioSpec(scale={"fan-pay": 2.0}))
    table = next(t for s in doc.sections if s.id == "whatif" for t in s.tables if t.id == "whatif")
    assert table.columns == ["Figure", "Before", "After", "Change", "Change %"]


def test_the_methods_say_how_many_draws_and_the_annex_has_the_formulas():
    doc = build_report(hand_model(), graph=False, technical=True)
    method = next(m for m in doc.methods if m.section == "sensitivity")
    assert "2,000 combinations" in method.text and "8 in 10" in method.text
    assert any("Sensitivity" in m.title and "swing" in m.markdown for m in doc.metrics)
    plain = build_report(hand_model(ranged=False), graph=False)
    assert all(m.section != "sensitivity" for m in plain.methods)


def test_analyze_runs_sensitivity_on_request_only(tmp_path):
    import json

    from click.testing import CliRunner

    from ecosystem_graph.cli import cli
    from ecosystem_graph.fileio import save_model

    path = tmp_path / "hand.yaml"
    save_model(hand_model(), path)
    # (stdout only: the hand model's warnings go to stderr)
    default = json.loads(CliRunner().invoke(cli, ["analyze", str(path), "--format", "json"]).stdout)
    assert "sensitivity" not in default and "revenue" in default
    r = CliRunner().invoke(cli, ["analyze", str(path), "--only", "sensitivity", "--format", "json"])
    doc = json.loads(r.stdout)
    figures = {f["figure"]: f for f in doc["sensitivity"]["figures"]}
    assert doc["sensitivity"]["draws"] == 2000 and figures["ecosystem revenue"]["base"] == 1100.0
    assert abs(figures["ecosystem revenue"]["p10"] - P10) < 1.5
    r = CliRunner().invoke(cli, ["whatif", str(path), "--scale", "shop=2", "--only", "sensitivity"])
    assert r.exit_code == 2 and "'sensitivity' has no figures to compare" in r.output


def lockin_model() -> Ecosystem:
    """Two segments bound to the shop by one USES each: fans with switching cost X ~ uniform(0.2, 0.6), buyers 0.2."""
    return Ecosystem.model_validate({
        "name": "Hand", "currency": "EUR", "money_unit": "million", "period": "2024",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "fans", "kind": "segment", "name": "Fans"},
                  {"id": "buyers", "kind": "segment", "name": "Buyers"}],
        "relationships": [
            {"from": "fans", "to": "shop", "type": "PAYS", "amount": 100},
            {"from": "buyers", "to": "shop", "type": "PAYS", "amount": 1000},
            {"from": "fans", "to": "shop", "type": "USES",
             "switching_cost": {"low": 0.2, "base": 0.4, "high": 0.6, "dist": "uniform"}},
            {"from": "buyers", "to": "shop", "type": "USES", "switching_cost": 0.2}]})


def test_the_average_lock_in_tile_shows_its_interval():
    # Fans' cut is its one switching cost X (no cost is over 1, so the reference is 1): its index moves by
    # 50 x (X - 0.4), the average over the two segments by 25 x (X - 0.4). X ~ uniform(0.2, 0.6):
    # P10 = 0.2 + 0.1 x 0.4 = 0.24 and P90 = 0.56, so the average's P10 and P90 are its base -4 and +4.
    from ecosystem_graph.api import analyze

    segments = analyze(lockin_model()).lockin.segments
    base = sum(s.index for s in segments) / 2  # the tile's average, as analyze gives the indices
    f = sensitivity(lockin_model(), draws=2000, seed=0).by_name()["average lock-in index"]
    assert f.base == pytest.approx(base, abs=1e-12)
    # 2,000 draws: the sampled quantiles of a uniform are within about 0.2 of the exact ones here
    assert abs(f.p10 - (base - 4)) < 0.2 and abs(f.p90 - (base + 4)) < 0.2
    tile = {k.key: k for k in build_report(lockin_model(), graph=False).kpis}["mean_lockin"]
    assert tile.text == f"{base:.0f} / 100"
    assert tile.detail == f"over 2 segments; 80% between {base - 4:.0f} and {base + 4:.0f}"
