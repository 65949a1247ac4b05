"""The evolution report (ecograph report --timeline): HTML, Markdown and the deck against hand-worked figures."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import save_model
from ecosystem_graph.report.evolution import build_timeline_report
from ecosystem_graph.report.html import render_report_html
from ecosystem_graph.report.markdown import md_escape
from tests.render_models import PAYLOADS
from tests.timeline_models import PERIODS, snapshot, three_periods

ROOT = Path(__file__).resolve().parent.parent
AMAZON = sorted((ROOT / "examples" / "amazon-timeline").glob("amazon-*.yaml"))

# tests/timeline_models.py: revenue shop 100, 110, 115; ads 20, 60, 130; cloud 30 in 2023 (ecosystem 120, 170, 275)
OVERTAKES = ("In 2023, Advertising (EUR 130 million) overtook the core Online shop (EUR 115 million) as a source "
             "of revenue; in 2022 it had EUR 60.0 million against EUR 110 million.")
CROSSES = re.compile(r"In 2022, Advertising [^.]*35\.3% of ecosystem revenue \(EUR 60\.0 million\), above 25\.0%; "
                     r"in 2021 it [^.]*16\.7%\.")  # 60 / 170 = 35.3%, 20 / 120 = 16.7%
# shares 100/120, 20/120; 110/170, 60/170; 115/275, 130/275, 30/275
SHARE_LABELS = {"83.3%", "16.7%", "64.7%", "35.3%", "41.8%", "47.3%", "10.9%"}
MONEY_LABELS = {"EUR 100 million", "EUR 110 million", "EUR 115 million", "EUR 20.0 million", "EUR 60.0 million",
                "EUR 130 million", "EUR 30.0 million"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write_snapshots(tmp_path: Path, models) -> list[Path]:
    paths = []
    for m in models:
        path = tmp_path / f"shop-{m.period[:4]}.yaml"
        save_model(m, path)
        paths.append(path)
    return paths


def svg_texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def chart(doc, chart_id: str):
    return next(c for s in doc.sections for c in s.charts if c.id == chart_id)


def test_summary_holds_the_growth_and_every_shift_sentence():
    doc = build_timeline_report(list(reversed(three_periods())), graph=False)  # given out of order: sorted
    sentences = [item.sentence for item in doc.summary]
    # 120 -> 275: +129.2%; compound over 2 years: sqrt(275 / 120) - 1 = 51.4%
    assert sentences[0] == ("Ecosystem revenue went from EUR 120 million in 2021 to EUR 275 million in 2023, "
                            "51.4% a year.")
    assert doc.summary[0].figure == "+129.2%"
    crosses = [x for x in sentences if CROSSES.fullmatch(x)]
    assert OVERTAKES in sentences and len(crosses) == 1
    figures = {item.sentence: item.figure for item in doc.summary}
    assert figures[OVERTAKES] == "EUR 130 million" and figures[crosses[0]] == "35.3%"
    assert doc.period == "2021 to 2023 (3 snapshots)"
    kpis = {k.key: k for k in doc.kpis}
    assert kpis["ecosystem_revenue"].value == 275.0 and kpis["largest_offering"].text == "Advertising"


def test_chart_labels_are_the_timeline_figures():
    doc = build_timeline_report(three_periods(), graph=False)
    lines = chart(doc, "timeline-revenue-lines")
    assert lines.categories == list(PERIODS)
    assert dict(lines.series) == {"Advertising": [20.0, 60.0, 130.0], "Online shop": [100.0, 110.0, 115.0],
                                  "Cloud": [None, None, 30.0]}
    texts = svg_texts(lines.svg)
    assert {t for t in texts if re.match(r"EUR \d", t)} == MONEY_LABELS
    assert "EUR million" in texts and set(PERIODS) <= set(texts)
    shares = chart(doc, "timeline-revenue-shares")
    assert dict(shares.series)["Advertising"] == pytest.approx([20 / 120, 60 / 170, 130 / 275])
    assert {t for t in svg_texts(shares.svg) if t.endswith("%") and t not in {"0%", "20%", "40%", "60%", "80%",
                                                                              "100%"}} == SHARE_LABELS


def test_html_report_embeds_the_slider_graph_and_escapes_names(tmp_path):
    hostile = {"ads": "Ads " + PAYLOADS[1], "cloud": "Cloud " + PAYLOADS[0]}
    models = [snapshot(p, rename=hostile, label=p) for p in PERIODS]
    page = render_report_html(build_timeline_report(models))
    assert 'id="eco-period"' in page and page.count('class="eco-period-tick"') == 3
    for payload in PAYLOADS[:2]:
        assert payload not in page
    assert html.escape("Ads " + PAYLOADS[1], quote=False) in page  # the summary sentence, escaped
    assert "overtook the core Online shop" in page
    assert "Figures per period" in page and 'data-table="timeline-periods"' in page


def test_markdown_report_files(tmp_path):
    paths = write_snapshots(tmp_path, three_periods())
    out = tmp_path / "evolution.md"
    result = run("report", "--timeline", *paths, "-o", out)
    assert result.exit_code == 0, result.output
    assert "evolution over 3 snapshots" in result.output
    text = out.read_text(encoding="utf-8")
    assert md_escape(OVERTAKES) in text and CROSSES.search(text.replace("\\", ""))
    for name in ("evolution-map.svg", "evolution-timeline-revenue-lines.svg", "evolution-timeline-revenue-shares.svg"):
        assert f"]({name})" in text and (tmp_path / name).is_file()
    assert "## The ecosystem in 2023" in text
    # the per-period table: 2022 grew 170 / 120 - 1 = 41.7%, the core 110 / 100 - 1 = 10.0%
    row = next(line for line in text.splitlines() if line.startswith("| 2022 |"))
    assert "EUR 170 million" in row and "+41.7%" in row and "+10.0%" in row
    svg = (tmp_path / "evolution-timeline-revenue-shares.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and SHARE_LABELS <= set(svg_texts(svg))


def test_deck_has_the_charts_over_time(tmp_path):
    paths = write_snapshots(tmp_path, three_periods())
    out = tmp_path / "evolution.pptx"
    result = run("report", "--timeline", *reversed(paths), "-o", out)
    assert result.exit_code == 0, result.output
    prs = Presentation(str(out))
    charts = {slide.shapes.title.text_frame.text: [s.chart for s in slide.shapes if s.has_chart]
              for slide in prs.slides}
    lines = charts["Revenue per offering over time"][0]
    assert list(lines.plots[0].categories) == list(PERIODS)
    values = {s.name: list(s.values) for s in lines.plots[0].series}
    assert values == {"Advertising": [20.0, 60.0, 130.0], "Online shop": [100.0, 110.0, 115.0],
                      "Cloud": [None, None, 30.0]}
    shares = charts["Share of ecosystem revenue per offering"][0]
    got = {s.name: list(s.values) for s in shares.plots[0].series}
    assert got["Online shop"] == pytest.approx([100 / 120, 110 / 170, 115 / 275])
    summary = next(slide for slide in prs.slides if slide.shapes.title.text_frame.text == "Executive summary")
    text = "\n".join(sh.text_frame.text for sh in summary.shapes if sh.has_text_frame)
    assert OVERTAKES in text and CROSSES.search(text)
    assert "The ecosystem at a glance" in charts  # the last period's map


def point_labels(chart) -> dict[str, list[str | None]]:
    """Per series, each point's own label text (None: no own text; "hidden": its value not shown)."""
    out = {}
    for s in chart.plots[0].series:
        texts = []
        for j in range(len(list(s.values))):
            dlbl = s.points[j].data_label._dLbl
            if dlbl is None:
                texts.append(None)
            elif dlbl.xpath("c:showVal[@val='0']"):
                texts.append("hidden")
            else:
                texts.append(s.points[j].data_label.text_frame.text)
        out[s.name] = texts
    return out


def test_deck_labels_read_as_the_tables_and_small_shares_stay_unwritten(tmp_path):
    out = tmp_path / "amazon.pptx"
    assert run("report", "--timeline", *AMAZON, "-o", out).exit_code == 0
    prs = Presentation(str(out))
    charts = {slide.shapes.title.text_frame.text: [s.chart for s in slide.shapes if s.has_chart]
              for slide in prs.slides}
    lines = point_labels(charts["Revenue per offering over time"][0])
    # USD billion as the table writes them (three significant digits): AWS 3.108 / 25.655 / 90.757 ->
    # 3.11 / 25.7 / 90.8; the online stores 55.3 / 123 / 231.872 -> 232 (not "231.9")
    assert lines["Amazon Web Services"] == ["3.11", "25.7", "90.8"]
    assert lines["Online stores"][2] == "232"
    assert lines["Physical stores"] == [None, "17.2", "20.0"]  # no stores in 2013: no point
    shares = point_labels(charts["Share of ecosystem revenue per offering"][0])
    # 2013: physical stores 0 and advertising 1.23 / 74.5 = 1.7% are under 4%: not written, as in the
    # report; 2023: AWS 90.757 / 569.827 = 15.9%, physical stores 20.03 / 569.827 = 3.5%: not written
    assert shares["Physical stores"] == ["hidden", "7.4%", "hidden"]
    assert shares["Advertising"][0] == "hidden"
    assert shares["Amazon Web Services"][2] == "15.9%"


def test_amazon_timeline_report_charts_match_the_annual_reports(tmp_path):
    doc = build_timeline_report([__import__("ecosystem_graph.api", fromlist=["load"]).load(p) for p in AMAZON],
                                graph=False)
    lines = dict(chart(doc, "timeline-revenue-lines").series)
    # Amazon's 10-K net sales, USD billion: AWS 3.108 (2013), 25.655 (2018), 90.757 (2023)
    assert lines["Amazon Web Services"] == pytest.approx([3.108, 25.655, 90.757], abs=0.001)
    assert "USD 90.8 billion" in svg_texts(chart(doc, "timeline-revenue-lines").svg)


@pytest.mark.parametrize("args, message", [
    (("--timeline", "A"), "--timeline needs at least two model files"),
    (("A", "B"), "report takes one model file, got 2; for snapshots of one ecosystem over time use --timeline"),
    (("--timeline", "A", "B", "--remove", "ads"), "--remove applies to the report of one model"),
    (("A", "--shift", "0.3"), "--shift applies to an evolution report only"),
])
def test_cli_refuses_what_does_not_combine(tmp_path, args, message):
    paths = write_snapshots(tmp_path, three_periods()[:2])
    args = [str(paths[0]) if a == "A" else str(paths[1]) if a == "B" else a for a in args]
    result = run("report", *args, "-o", tmp_path / "x.html")
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_refuses_snapshots_in_two_currencies(tmp_path):
    a, b = write_snapshots(tmp_path, three_periods()[:2])
    b.write_text(b.read_text(encoding="utf-8").replace("currency: EUR", "currency: USD"), encoding="utf-8")
    result = run("report", "--timeline", a, b, "-o", tmp_path / "x.html")
    assert result.exit_code != 0 and "differ in currency" in result.output
    assert not (tmp_path / "x.html").exists()


def test_hostile_periods_are_text_in_every_output(tmp_path):
    labels = [f"{p} {PAYLOADS[i]}" for i, p in enumerate(PERIODS)]  # not sortable: kept as given
    models = [snapshot(p, label=label) for p, label in zip(PERIODS, labels)]
    doc = build_timeline_report(models, as_given=True)
    page = render_report_html(doc)
    for payload in PAYLOADS[:3]:
        assert payload not in page
    from markupsafe import escape

    assert str(escape(labels[0])) in page  # as Jinja writes it, quotes included
    assert chart(doc, "timeline-revenue-lines").categories == labels
    ticks = {label[:15] + "…" for label in labels}  # long period names are cut to 16 characters on the axis
    assert ticks <= set(svg_texts(chart(doc, "timeline-revenue-lines").svg))  # escaped by the XML writer
    md_doc = build_timeline_report(models, as_given=True, graph_format="svg")
    from ecosystem_graph.report.markdown import render_report_markdown

    text, files = render_report_markdown(md_doc, "evo")
    assert PAYLOADS[1] not in text and md_escape(labels[1]) in text
    assert all(PAYLOADS[1] not in svg for svg in files.values())


def test_net_per_actor_per_period():
    doc = build_timeline_report(three_periods(), graph=False)
    t = next(t for s in doc.sections for t in s.tables if t.id == "timeline-net")
    rows = dict(zip(t.row_ids, t.rows))
    # the shop: 100 in 2021; 110 - 10 paid to the carrier = 100 in 2022; 115 - 12 = 103 in 2023
    assert [c.value for c in rows["shop"][2:]] == [100.0, 100.0, 103.0]
    # the buyers pay the shop, and the cloud in 2023: 100, 110, 115 + 30 = 145
    assert [c.value for c in rows["buyers"][2:]] == [-100.0, -110.0, -145.0]
    assert [c.text for c in rows["carrier"][2:]] == ["–", "EUR 10.0 million", "EUR 12.0 million"]


def test_no_shift_sentence_writes_the_threshold_as_the_shift_sentences_do():
    # the 2021 snapshot twice (second one labelled 2022): same figures, so no shift; 0.25 reads 25.0% as in
    # "above 25.0%" of the shift sentences and the CLI's no-shift row
    doc = build_timeline_report([snapshot("2021"), snapshot("2021", label="2022")], graph=False)
    (item,) = [x for x in doc.summary if x.key == "no-shift"]
    assert "no offering's share of revenue crossed 25.0%, the top keystone stayed" in item.sentence
