"""``ecograph report``: figures equal the analyses, user strings escaped, Markdown, scenarios, the CLI."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ecosystem_graph.analysis import analyze
from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import save_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.report import build_report, render_report_html, render_report_markdown
from ecosystem_graph.report.methods import file_sha256

PAYLOADS = (
    '<img src="https://evil.invalid/x.png" onerror="window.__pwned=(window.__pwned||0)+1">',
    "</script><script>window.__pwned=(window.__pwned||0)+1</script>",
    '"><svg onload="window.__pwned=(window.__pwned||0)+1">',
    "<a href=\"javascript:window.__pwned=1\">href click</a> '--> <!-- ]]>",
    "{{7*7}} {% raw %} ${7*7} $x^2$ *em* | pipe [l](javascript:x) </style>",
)
"""Strings that would run script, load something or break a format if inserted as markup."""


def report_model(hostile: bool = False) -> Ecosystem:
    """A shop with a membership, an app, a courier, two paying segments and a three-stage funnel.

    Money (EUR million): fans pay the shop 100 (purchase) and the club 20 (subscription); casual pays the
    shop 30; the shop pays the courier 10. So the ecosystem revenue is 150, the core's 130.
    """
    def name(i: int, plain: str) -> str:
        return f"{plain} {PAYLOADS[i % len(PAYLOADS)]}" if hostile else plain

    return Ecosystem.model_validate({
        "name": name(0, "Shop world"), "currency": "EUR", "period": "2024", "money_unit": "million",
        "description": name(1, "A shop and its club."),
        "nodes": [
            {"id": "shop", "kind": "core", "name": name(2, "Shop"), "description": name(3, "The core."),
             "tags": [name(4, "retail")]},
            {"id": "club", "kind": "satellite", "name": name(1, "Club"), "attributes": {"note": name(0, "n")}},
            {"id": "app", "kind": "channel", "name": name(3, "App"), "device": True},
            {"id": "courier", "kind": "partner", "name": name(4, "Courier"), "role": name(2, "carrier")},
            {"id": "fans", "kind": "segment", "name": name(0, "Fans"), "size": 1000},
            {"id": "casual", "kind": "segment", "name": name(1, "Casual buyers"), "size": 4000},
            {"id": "flyby", "kind": "segment", "name": name(2, "Flybys"), "size": 10000},
            {"id": "registered", "kind": "segment", "name": name(3, "Registered"), "size": 500},
        ],
        "relationships": [
            {"id": "fans-buy", "from": "fans", "to": "shop", "type": "PAYS", "amount": 100, "stream": "purchase",
             "description": name(4, "Purchases by fans.")},
            {"id": "fans-fee", "from": "fans", "to": "club", "type": "PAYS", "amount": 20, "stream": "subscription"},
            {"id": "casual-buy", "from": "casual", "to": "shop", "type": "PAYS", "amount": 30, "stream": "purchase"},
            {"from": "shop", "to": "courier", "type": "PAYS", "amount": 10, "stream": "fee"},
            {"from": "fans", "to": "club", "type": "USES", "switching_cost": 0.6,
             "mechanisms": ["loyalty_program", "contractual_commitment"]},
            {"from": "club", "to": "shop", "type": "FEEDS", "strength": 0.8},
            {"from": "fans", "to": "shop", "type": "USES", "switching_cost": 0.3,
             "mechanisms": ["information_and_databases"]},
            {"from": "casual", "to": "app", "type": "USES", "switching_cost": 0.2, "mechanisms": ["search_costs"]},
            {"from": "app", "to": "shop", "type": "FEEDS", "strength": 0.5},
            {"from": "app", "to": "casual", "type": "REACHES", "reach": 0.4},
            {"from": "courier", "to": "shop", "type": "SUPPLIES"},
            {"from": "flyby", "to": "registered", "type": "CONVERTS_TO", "rate": 0.05},
            {"from": "registered", "to": "fans", "type": "CONVERTS_TO", "rate": 0.2},
        ],
    })


class _Collect(HTMLParser):
    """Tags with their attributes, and the figures of every table cell / tile / summary line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.cells: dict[str, dict[str, dict[str, str]]] = {}  # table -> row id -> key -> data-value
        self.figures: dict[str, str] = {}
        self.summary: dict[str, str] = {}
        self.sections: list[str] = []
        self.charts: list[str] = []
        self._table = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, tuple(sorted(k for k, _ in attrs))))
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.cells.setdefault(self._table, {})
        elif tag == "tr" and "data-id" in a and self._table:
            self._row = a["data-id"]
            self.cells[self._table][self._row] = {}
        elif tag == "td" and self._row is not None and "data-value" in a:
            self.cells[self._table][self._row][a["data-key"]] = a["data-value"]
        if "data-figure" in a and "data-value" in a:
            self.figures[a["data-figure"]] = a["data-value"]
        if "data-summary" in a:
            self.summary[a["data-summary"]] = a.get("data-value")
        if tag == "section" and "data-section" in a:
            self.sections.append(a["data-section"])
        if tag == "figure" and "data-chart" in a:
            self.charts.append(a["data-chart"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def shop_report():
    model = report_model()
    raw = yaml.safe_dump(model.to_data(), allow_unicode=True).encode()
    report = build_report(model, source="shop.yaml", raw=raw, top=50)
    return model, raw, report, render_report_html(report)


def close(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


# ----------------------------------------------------------------------------------------- figures


def test_revenue_figures_equal_the_analysis(shop_report):
    model, _, _, page = shop_report
    expected = analyze(to_networkx(model)).to_dict()["revenue"]
    got = parse(page)
    # by hand: fans pay 100 + 20, casual 30 -> revenue 150; into the core 100 + 30 = 130
    assert close(got.figures["revenue"], 150.0) and close(got.figures["core_revenue"], 130.0)
    assert close(expected["ecosystem_revenue"], 150.0) and close(expected["core_revenue"], 130.0)
    rows = got.cells["revenue-nodes"]
    flows = {n["id"]: n for n in expected["nodes"] if n["inflow"] or n["outflow"]}
    assert set(rows) == set(flows)
    for node_id, n in flows.items():
        for key in ("inflow", "outflow", "net"):
            assert close(rows[node_id][key], n[key]), (node_id, key)
    seg = got.cells["revenue-by-segment"]
    assert {k: float(v["amount"]) for k, v in seg.items()} == pytest.approx(expected["by_segment"])
    for side in ("payers", "payees"):
        assert close(got.figures[f"hhi_{side}"], expected["hhi"][side])
    dep = got.cells["dependency"]
    assert {k: float(v["dependency"]) for k, v in dep.items()} == pytest.approx(
        {k: v for k, v in expected["dependency"].items() if v > 0})


def test_lockin_and_centrality_figures_equal_the_analysis(shop_report):
    model, _, _, page = shop_report
    expected = analyze(to_networkx(model)).to_dict()
    got = parse(page)
    rows = got.cells["lockin"]
    assert set(rows) == {s["id"] for s in expected["lockin"]["segments"]}
    for s in expected["lockin"]["segments"]:
        row = rows[s["id"]]
        assert close(row["index"], s["index"]) and close(row["min_cut"], s["min_cut"])
        assert int(row["disjoint_paths"]) == s["disjoint_paths"]
        assert row["mechanisms"].split() == s["mechanisms"]
    cen = got.cells["centrality"]
    assert set(cen) == {n["id"] for n in expected["centrality"]["nodes"]}
    for n in expected["centrality"]["nodes"]:
        for key in ("pagerank", "betweenness", "closeness", "eigenvector", "in_degree", "out_degree"):
            assert close(cen[n["id"]][key], n[key]), (n["id"], key)
    ranks = sorted(cen, key=lambda i: int(cen[i]["rank"]))
    assert [float(cen[i]["pagerank"]) for i in ranks] == sorted(
        (n["pagerank"] for n in expected["centrality"]["nodes"]), reverse=True)


def test_keystone_and_funnel_figures_equal_the_analysis(shop_report):
    model, _, _, page = shop_report
    expected = analyze(to_networkx(model)).to_dict()
    got = parse(page)
    ks = got.cells["keystones"]
    assert set(ks) == {k["id"] for k in expected["keystones"]["nodes"]}
    for k in expected["keystones"]["nodes"]:
        row = ks[k["id"]]
        assert close(row["revenue_at_risk"], k["revenue_at_risk"]), k["id"]
        assert close(row["impact"], k["impact"]), k["id"]
        assert int(row["segments_cut_off"]) == k["segments_cut_off"] and int(row["rank"]) == k["rank"]
        assert int(row["pairs_cut_off"]) == k["pairs_cut_off"]
    assert close(ks["app"]["revenue_at_risk"], 30.0) and ks["app"]["segments_cut_off"] == "1"
    assert close(ks["shop"]["revenue_at_risk"], 130.0)

    (f,) = expected["funnel"]["funnels"]
    stages = got.cells["funnel-1"]
    assert list(stages) == ["flyby", "registered", "fans"]  # in step order
    for st in f["stages"]:
        for key in ("expected_members", "reach_final", "drop_rate", "revenue_per_member"):
            assert close(stages[st["id"]][key], st[key]), (st["id"], key)
    # by hand: 10,000 flybys x 0.05 = 500 registered x 0.2 = 100 fans; conversion 0.05 x 0.2 = 0.01;
    # fans pay 120 (million) for 1,000 members: 0.12 each, so 0.01 x 0.12 = 0.0012 per flyby
    assert [float(stages[i]["expected_members"]) for i in stages] == pytest.approx([10000.0, 500.0, 100.0])
    assert close(got.figures["funnel_conversion"], f["conversion"]) and f["conversion"] == pytest.approx(0.01)
    assert close(got.figures["funnel_bottleneck"], 0.05)
    assert close(got.figures["funnel_revenue_per_entrant"], f["revenue_per_entrant"])
    assert f["revenue_per_entrant"] == pytest.approx(0.0012)
    assert "EUR 1,200.00" in page  # 0.0012 million per entrant, in euros


def test_keystones_in_the_report_match_hand_arithmetic(shop_report):
    # By hand: the app is on casual's only binding path (casual -USES-> app -FEEDS-> shop), so casual's 30
    # are at risk without it and casual is cut off. The club is NOT a keystone for the fans' 100: they also
    # USES the shop directly, so a path without the club remains; the club loses its own 20 (fans' fee).
    ks = parse(shop_report[3]).cells["keystones"]
    assert (float(ks["app"]["revenue_at_risk"]), ks["app"]["segments_cut_off"]) == (30.0, "1")
    assert (float(ks["club"]["revenue_at_risk"]), ks["club"]["segments_cut_off"]) == (20.0, "0")


def test_summary_sentences_carry_their_figures(shop_report):
    _, _, report, page = shop_report
    got = parse(page)
    assert close(got.summary["revenue"], 150.0) and close(got.summary["core_share"], 130.0)
    sentences = {s.key: s for s in report.summary}
    assert sentences["revenue"].figure == "EUR 150 million"
    assert "purchase 87%" in sentences["revenue"].sentence  # 130 of 150
    assert sentences["core_share"].sentence.startswith("The core earns 87% of it directly")
    assert {"most_locked_in", "least_locked_in", "concentration"} <= set(sentences)


def test_methods_appendix_has_hash_version_and_assumptions(shop_report):
    from ecosystem_graph import __version__

    model, raw, report, page = shop_report
    assert report.provenance.sha256 == file_sha256(raw)
    assert f'<code>{file_sha256(raw)}</code>' in page
    assert f"ecosystem-graph {__version__}" in page
    wheres = [a.where for a in report.assumptions]
    assert wheres[0] == "ecosystem" and "core “Shop”" in wheres and "PAYS Fans → Shop" in wheres


def test_sections_and_charts_present(shop_report):
    got = parse(shop_report[3])
    assert got.sections[0] == "summary" and got.sections[-1] == "methods"
    assert {"graph", "revenue", "lockin", "centrality"} <= set(got.sections)
    assert {"revenue-by-offering", "revenue-by-stream", "money-flow", "lockin-index",
            "centrality-pagerank"} <= set(got.charts)


# ----------------------------------------------------------------------------------------- escaping


def test_every_user_string_is_escaped():
    benign = render_report_html(build_report(report_model(False), title="Report", raw=b"x"))
    hostile_model = report_model(True)
    hostile = render_report_html(build_report(hostile_model, title="Title " + PAYLOADS[1], raw=b"x"))
    # Hostile names change the text, never the document's structure: same tags with the same attributes.
    assert parse(hostile).tags == parse(benign).tags
    # ... and they are there, as text.
    assert "&lt;img src=&#34;https://evil.invalid/x.png&#34;" in hostile or \
        "&lt;img src=&quot;https://evil.invalid/x.png&quot;" in hostile
    assert "Title &lt;/script&gt;&lt;script&gt;" in hostile
    assert "{{7*7}} {% raw %} ${7*7} $x^2$" in hostile  # template syntax in a name is text, not evaluated


def test_markdown_escapes_user_strings_and_writes_charts(tmp_path):
    from markdown_it import MarkdownIt

    report = build_report(report_model(True), raw=b"x", graph=False)
    text, files = render_report_markdown(report, "shop-report")
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    # Even rendered with raw HTML allowed, no user string becomes a tag.
    assert "<script" not in html and "<img" not in html.replace('<img src="shop-report-', "") \
        and "onload=" not in html.replace("onload=&quot;", "")
    assert set(files) == {f"shop-report-{c.id}.svg" for s in report.sections for c in s.charts}
    for name in files:
        assert f"]({name})" in text


# ----------------------------------------------------------------------------------------- the CLI


def test_cli_writes_html_and_markdown(tmp_path):
    model_path = tmp_path / "shop.yaml"
    save_model(report_model(), model_path)
    out = tmp_path / "shop-report.html"
    result = CliRunner().invoke(cli, ["report", str(model_path), "-o", str(out), "--title", "Q3 review"])
    assert result.exit_code == 0, result.output
    charts = sum(len(s.charts) for s in build_report(report_model(), graph=False).sections)
    assert re.fullmatch(rf"Wrote {re.escape(str(out))} \([\d.,]+ (KB|MB)\): 8 sections, {charts} charts\n",
                        result.stdout)
    # the model's warnings go to stderr, as with every command
    assert "warning: segment 'flyby' uses nothing" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<title>Q3 review</title>" in page
    assert file_sha256(model_path.read_bytes()) in page
    md = tmp_path / "shop-report.md"
    result = CliRunner().invoke(cli, ["report", str(model_path), "-o", str(md)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.glob("shop-report-*.svg"))
    assert written and all(f"]({name})" in md.read_text() for name in written)
    assert result.stdout.endswith(f"{len(written)} chart files beside it\n")


def test_cli_usage_errors_write_nothing(tmp_path):
    model_path = tmp_path / "shop.yaml"
    save_model(report_model(), model_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("remove: [club]\n")
    out = tmp_path / "r.html"
    runner = CliRunner()
    both = runner.invoke(cli, ["report", str(model_path), "-o", str(out), "--remove", "club",
                               "--scenario", str(scenario)])
    assert both.exit_code == 2
    assert both.output == ("Error: use either --remove or --scenario, not both "
                           "(a scenario file can list removals)\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("remove: [club]\nscales: {}\n")
    res = runner.invoke(cli, ["report", str(model_path), "-o", str(out), "--scenario", str(bad)])
    assert res.exit_code == 2 and res.output == f"Error: {bad}: unknown key 'scales'; did you mean 'scale'?\n"
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope.yaml"), "-o", str(out)])
    assert missing.exit_code == 1 and missing.output == f"Error: {tmp_path / 'nope.yaml'}: no such file\n"
    assert not out.exists()


# ----------------------------------------------------------------------------------------- what-if


def test_scenario_section_shows_every_headline_figure_before_and_after(tmp_path):
    from ecosystem_graph.analysis.scenario import whatif
    from ecosystem_graph.report import ScenarioSpec

    model = report_model()
    spec = ScenarioSpec(name="No club, casual at half", remove=["club"], scale={"casual-buy": 0.5})
    report = build_report(model, scenario=spec, graph=False)
    got = parse(render_report_html(report))
    assert got.sections[:2] == ["summary", "whatif"]
    rows = got.cells["whatif"]
    # by hand: revenue 150 -> 150 - 20 (club fee) - 15 (half of casual's 30) = 115; core 130 -> 115
    assert (float(rows["revenue|(ecosystem)|ecosystem_revenue"]["before"]), float(rows["revenue|(ecosystem)|ecosystem_revenue"]["after"])) \
        == (150.0, 115.0)
    assert float(rows["revenue|(ecosystem)|core_revenue"]["after"]) == 115.0
    # the headline of `ecograph whatif`, in its order: revenue, core revenue, revenue at risk then net of each
    # touched node (club removed, both ends of casual-buy), total lock-in, the funnel
    assert list(rows) == ["revenue|(ecosystem)|ecosystem_revenue", "revenue|(ecosystem)|core_revenue",
                          "keystones|club|revenue_at_risk", "keystones|casual|revenue_at_risk",
                          "keystones|shop|revenue_at_risk", "revenue|club|net", "revenue|casual|net",
                          "revenue|shop|net", "lockin|(ecosystem)|total_index", "funnel|funnel flyby|conversion",
                          "funnel|funnel flyby|expected_converted"]
    # by hand: the club's 20 gone (0 after), casual pays 15 instead of 30, the shop gets 115 instead of 130
    # and keeps 105 instead of 120 after the courier's 10; the funnel 0.05 x 0.2 = 0.01 of 10,000 flybys = 100
    hand = {"keystones|club|revenue_at_risk": (20, 0), "keystones|casual|revenue_at_risk": (30, 15),
            "keystones|shop|revenue_at_risk": (130, 115), "revenue|club|net": (20, 0),
            "revenue|casual|net": (-30, -15), "revenue|shop|net": (120, 105),
            "funnel|funnel flyby|conversion": (0.01, 0.01), "funnel|funnel flyby|expected_converted": (100, 100)}
    for row_id, (before, after) in hand.items():
        assert (close(rows[row_id]["before"], before), close(rows[row_id]["after"], after)) == (True, True), row_id
    assert rows["keystones|club|revenue_at_risk"]["figure"] == "Revenue at risk: Club (removed)"
    # the section opens with tiles of the two revenues after the change (before the tables, no chart first)
    assert (float(got.figures["whatif-ecosystem_revenue"]), float(got.figures["whatif-core_revenue"])) == (115.0, 115.0)
    expected = {(f.section, f.item, f.figure): f for f in whatif(to_networkx(model), remove=["club"],
                                                                    scale={"casual-buy": 0.5}).comparison.figures}
    total = expected[("lockin", "(ecosystem)", "total_index")]
    assert close(rows["lockin|(ecosystem)|total_index"]["after"], total.after)
    # the other changes follow in the same section order: money, revenue at risk, lock-in, funnel
    other = got.cells["whatif-changes"]
    assert "after" not in other["revenue|stream subscription|amount"]  # the only subscription is gone
    order = ["revenue", "keystones", "lockin", "funnel"]
    ranks = [order.index(row_id.split("|")[0]) for row_id in other]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2, 3}
    assert not set(other) & set(rows)  # a headline figure is not repeated
    for row_id, row in other.items():
        f = expected[tuple(row_id.split("|"))]
        for side in ("before", "after"):
            if getattr(f, side) is None:
                assert side not in row
            else:
                assert close(row[side], getattr(f, side)), (row_id, side)
    summary = {s.key: s for s in report.summary}["whatif"]
    assert summary.sentence.startswith("In the what-if “No club, casual at half”, ecosystem revenue would go from "
                                       "EUR 150 million to EUR 115 million, core revenue from EUR 130 million "
                                       "to EUR 115 million")
    assert summary.figure == "−23.3%"


def test_cli_scenario_file_and_unknown_ids(tmp_path):
    model_path = tmp_path / "shop.yaml"
    save_model(report_model(), model_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: Without the app\nremove: [app]\n")
    out = tmp_path / "r.html"
    runner = CliRunner()
    res = runner.invoke(cli, ["report", str(model_path), "-o", str(out), "--scenario", str(scenario), "--no-graph"])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert "What-if: Without the app" in page and "removed node &#39;app&#39; and its 3 relationship(s)" in page
    bad = runner.invoke(cli, ["report", str(model_path), "-o", str(tmp_path / "x.html"), "--remove", "clb"])
    assert bad.exit_code == 2
    assert bad.stderr.splitlines()[-1] == "Error: --remove 'clb': no node or relationship has this id; did you mean 'club'?"
    assert not (tmp_path / "x.html").exists()


def test_technical_annex_takes_the_definitions_from_metrics_md(tmp_path, monkeypatch):
    doc = tmp_path / "metrics.md"
    doc.write_text("# Metrics\n\n## PageRank\n\n`PR(v) = (1-d)/N + d * sum(...)`, weights: PAYS amount.\n\n"
                   "## HHI\n\n`HHI = 10000 * sum(s_i^2)` <script>window.__pwned=1</script>\n", encoding="utf-8")
    monkeypatch.setenv("ECOGRAPH_METRICS_DOC", str(doc))
    report = build_report(report_model(), graph=False, technical=True)
    assert [m.title for m in report.metrics] == ["PageRank", "HHI"]
    page = render_report_html(report)
    annex = page[page.index('id="technical"'):]
    assert "<h4>PageRank</h4>" in annex and "<code>PR(v) = (1-d)/N + d * sum(...)</code>" in annex
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in annex and "<script>window.__pwned" not in page
    assert parse(page).sections[-2:] == ["methods", "technical"]
    text, _ = render_report_markdown(report, "r")
    annex_md = text[text.index("## Technical annex"):]
    assert "### PageRank" in annex_md and "`HHI = 10000 * sum(s_i^2)`" in annex_md
    # without --technical: no annex, no formulas, although the definitions file is there
    plain = build_report(report_model(), graph=False)
    assert plain.metrics == [] and 'id="technical"' not in render_report_html(plain)
    assert "PR(v)" not in render_report_markdown(plain, "r")[0]


@pytest.mark.parametrize("data, sections, summary", [
    ({}, ["graph", "revenue", "keystones", "lockin", "centrality"], ["revenue"]),
    ({"nodes": [{"id": "shop", "kind": "core", "name": "Shop"}, {"id": "f", "kind": "segment", "name": "F"}],
      "relationships": [{"from": "f", "to": "shop", "type": "USES"}]},
     ["graph", "revenue", "keystones", "lockin", "centrality"], ["revenue", "most_locked_in", "central_node"]),
])
def test_models_without_money_or_nodes_still_give_a_report(data, sections, summary):
    model = Ecosystem.model_validate({"name": "Edge", "currency": "EUR", "period": "2024", **data})
    report = build_report(model)
    assert [s.id for s in report.sections] == sections and [s.key for s in report.summary] == summary
    assert report.summary[0].sentence == "The model records no money paid to the ecosystem's offerings."
    got = parse(render_report_html(report))
    assert got.sections == ["summary"] + sections + ["methods"]


def test_amazon_keystone_sentence():
    # Marketplace seller services earns its own 80 + 60.1 = 140.1 (seller services and fulfilment fees),
    # lost with it; sellers bind only to it, and advertisers only through advertising ->
    # marketplace-services -> online-retail, so both lose their one path to the core = 2 segments.
    from ecosystem_graph.fileio import load_model

    report = build_report(load_model("examples/amazon.yaml"), graph=False)
    item = next(i for i in report.summary if i.key == "top_keystone")
    assert item.sentence.startswith("Marketplace seller services is the keystone among the satellites, channels and "
                                    "partners: losing it would put USD 140 "
                                    "billion (80% between USD 133 billion and USD 145 billion) of ecosystem revenue")
    assert "leave 2 segments with no binding to the core" in item.sentence
    assert item.value == pytest.approx(140.1)


def test_newspaper_rankings_say_what_they_measure():
    # The keystone section ranks by removal impact and says what each actor's loss costs in words; the
    # centrality section is "where the money ends up" and shows no bare centrality value.
    from ecosystem_graph.fileio import load_model

    report = build_report(load_model("examples/newspaper-funnel.yaml"), graph=False)
    sections = {s.id: s for s in report.sections}
    ks = sections["keystones"]
    assert ks.title.startswith("Who holds the ecosystem together")
    (table,) = ks.tables
    col = table.keys.index("loss")
    rows = dict(zip(table.row_ids, table.rows))
    assert table.row_ids[:5] == ["news-portal", "subscriber", "plus-subscription", "advertisers", "ad-network"]
    # subscribers: 1,522,596 of 2,476,416 = 61.5% -> "61%"; lock-in 77.38 of 185.24 = 41.8% -> "42%"
    assert rows["subscriber"][col].text == "EUR 1.52 million of revenue (61%), 42% of lock-in"
    assert rows["payment-provider"][col].text == "nothing measurable"
    cen = sections["centrality"]
    assert cen.title == "Where the money ends up" and "not who holds the ecosystem together" in cen.lead
    (ct,) = cen.tables
    pr, bw = ct.keys.index("pagerank"), ct.keys.index("betweenness")
    first = dict(zip(ct.row_ids, ct.rows))["news-portal"]
    # PageRank 0.315 of a total of 1 -> 31.5%; betweenness as a rank among 15 actors (subscribers have more)
    assert first[pr].text == "31.5%" and first[bw].text == "2"
    summary = {i.key: i.sentence for i in report.summary}
    assert "Next most critical: Ad network (loses EUR 900,000 of revenue (36%)) and Newsletter" in summary["top_keystone"]
    assert summary["central_node"].startswith("The money ends up most at News portal (core)")
