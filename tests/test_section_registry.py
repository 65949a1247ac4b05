"""The registry of analysis sections: today's five in today's orders, and a section registered from this test
module alone appearing in every output (analyze, --only, whatif, diff, report, render)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from ecosystem_graph.analysis import Analysis, analyze, parse_only, scenario
from ecosystem_graph.analysis import sections as registry
from ecosystem_graph.analysis.sections import AnalysisSection, register, unregister
from ecosystem_graph.cli import cli
from ecosystem_graph.errors import UsageError
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.tables import Table

BUILTIN = ("centrality", "keystones", "revenue", "lockin", "funnel")
REGISTERED = BUILTIN + ("sensitivity",)  # sensitivity: on request, and in the report of a ranged model

MODEL = {
    "name": "Toy", "currency": "EUR", "period": "2024",
    "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
              {"id": "app", "kind": "channel", "name": "App"},
              {"id": "maker", "kind": "partner", "name": "Maker"},
              {"id": "fans", "kind": "segment", "name": "Fans"}],
    "relationships": [{"id": "fans-pay", "from": "fans", "to": "shop", "type": "PAYS", "amount": 10},
                      {"id": "fans-app", "from": "fans", "to": "app", "type": "USES", "switching_cost": 0.5},
                      {"id": "app-shop", "from": "app", "to": "shop", "type": "FEEDS", "strength": 0.8},
                      {"id": "maker-shop", "from": "maker", "to": "shop", "type": "SUPPLIES"}],
}
# Relationships of each node, counted by hand over the four above (each counts at both of its ends):
# shop: fans-pay, app-shop, maker-shop = 3; app: fans-app, app-shop = 2; fans: fans-pay, fans-app = 2; maker: 1.
DEGREES = {"shop": 3, "app": 2, "fans": 2, "maker": 1}


def _ranked(result: dict) -> list:
    return sorted(result.items(), key=lambda kv: (-kv[1], kv[0]))


def _degree_section() -> AnalysisSection:
    """The toy section: the number of relationships of each node (both directions, every type)."""
    return AnalysisSection(
        name="degree", description="relationships of each actor", order=60,
        run=lambda ctx: {n: ctx.G.degree(n) for n in ctx.G},
        to_dict=lambda result, top: {"nodes": [{"id": n, "degree": d} for n, d in _ranked(result)][:top]},
        tables=lambda result, model, top: [Table("Degree: relationships of each actor", ["id", "relationships"],
                                                 [[n, d] for n, d in _ranked(result)][:top], kinds=["text", "count"])],
        figures=lambda result: [(n, "degree", float(d)) for n, d in result.items()],
        headline=lambda result, model: [(f"The most connected actor is {_ranked(result)[0][0]} with "
                                         f"{_ranked(result)[0][1]} relationships.", str(_ranked(result)[0][1]),
                                         float(_ranked(result)[0][1]))],
        highlight=lambda result, G, ids: {"label": "Most connected actors", "nodes": [n for n, _ in
                                                                                     _ranked(result)[:2]],
                                          "edges": []},
        figure_kinds={"degree": "count"})


@pytest.fixture
def degree():
    section = register(_degree_section())
    yield section
    unregister("degree")
    assert registry.names() == REGISTERED  # nothing of the toy is left behind


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(MODEL), encoding="utf-8")
    return path


def _without(rel_id: str) -> dict:
    return dict(MODEL, relationships=[r for r in MODEL["relationships"] if r["id"] != rel_id])


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout  # without the model's warnings on stderr


# ------------------------------------------------------------------------------------- today's registry


def test_the_registry_holds_todays_five_sections_in_todays_orders():
    # the five built-in analyses run by default; sensitivity (the report's "How sure are these numbers") on request
    assert registry.names() == REGISTERED
    assert registry.default_names() == BUILTIN
    assert parse_only(None) == BUILTIN and parse_only("funnel,revenue") == ("revenue", "funnel")
    import ecosystem_graph.analysis as analysis

    assert analysis.SECTIONS == REGISTERED
    # what-if, diff and the report list money first, rank changes last
    assert scenario.SECTION_ORDER == ("revenue", "keystones", "lockin", "funnel", "centrality", "sensitivity", "rank")
    # run order: keystones reuse the lock-in of the run, the betweenness (centrality) may come from a child last
    by_run = sorted(registry.sections(), key=lambda s: s.order if s.run_order is None else s.run_order)
    assert [s.name for s in by_run] == ["revenue", "lockin", "keystones", "funnel", "centrality", "sensitivity"]
    assert [s.name for s in registry.sections() if s.uses_binding_index] == ["keystones", "revenue", "lockin"]


def test_progress_steps_are_todays():
    steps = []
    analyze(to_networkx(Ecosystem.model_validate(MODEL)), progress=steps.append, parallel=False)
    assert steps == ["binding network", "revenue flows", "lock-in", "keystones", "funnel", "centrality"]


def test_register_refuses_a_taken_or_malformed_name():
    with pytest.raises(ValueError, match="already registered"):
        register(_degree_section().__class__(name="revenue", description="x", run=lambda ctx: None))
    with pytest.raises(ValueError, match="lower-case"):
        AnalysisSection(name="Bad Name", description="x", run=lambda ctx: None)
    with pytest.raises(ValueError, match="rank"):
        AnalysisSection(name="rank", description="x", run=lambda ctx: None)
    assert registry.names() == REGISTERED


# -------------------------------------------------------------------------------- a toy section everywhere


def test_toy_section_in_the_python_api(degree):
    a = analyze(to_networkx(Ecosystem.model_validate(MODEL)), parallel=False)
    assert a.degree == DEGREES and a.results["degree"] == DEGREES
    assert a.revenue.core_revenue == 10.0  # the built-ins still run beside it
    doc = a.to_dict()
    assert list(doc)[-1] == "degree"  # order 60: after the funnel (50)
    assert doc["degree"]["nodes"] == [{"id": "shop", "degree": 3}, {"id": "app", "degree": 2},
                                      {"id": "fans", "degree": 2}, {"id": "maker", "degree": 1}]
    assert a.to_dict(top=1)["degree"]["nodes"] == [{"id": "shop", "degree": 3}]
    table = a.tables()[-1]
    assert table.title == "Degree: relationships of each actor" and table.rows[0] == ["shop", 3]
    assert "Degree: relationships of each actor" in a._repr_html_()
    only = analyze(to_networkx(Ecosystem.model_validate(MODEL)), only="degree")
    assert only.degree == DEGREES and only.revenue is None and list(only.to_dict())[-1] == "degree"


def test_toy_section_degrees_match_an_independent_count(degree):
    # brute force over the model's relationships, not the graph the section reads
    counted: dict[str, int] = {n["id"]: 0 for n in MODEL["nodes"]}
    for r in MODEL["relationships"]:
        counted[r["from"]] += 1
        counted[r["to"]] += 1
    assert analyze(to_networkx(Ecosystem.model_validate(MODEL)), only="degree").degree == counted == DEGREES


def test_toy_section_in_analyze_json_and_tables(degree, model_file):
    doc = json.loads(run("analyze", model_file, "--format", "json"))
    assert doc["degree"]["nodes"][0] == {"id": "shop", "degree": 3}
    assert set(BUILTIN) - {"funnel"} <= set(doc)  # no CONVERTS_TO: no funnel
    table = run("analyze", model_file, "--only", "degree")
    assert "Degree: relationships of each actor" in table and "Revenue" not in table
    markdown = run("analyze", model_file, "--only", "degree", "--format", "markdown")
    assert "| shop | 3 |" in markdown.replace("  ", " ")


def test_toy_section_in_only_choices_and_help(degree, model_file):
    assert parse_only("degree, revenue") == ("revenue", "degree")
    with pytest.raises(UsageError, match="did you mean 'degree'"):
        parse_only("degre")
    for command in (["analyze"], ["db", "analyze"]):
        text = " ".join(run(*command, "--help").split())
        assert "degree (relationships of each actor)" in text
    for command in (["whatif"], ["diff"]):
        assert "centrality, keystones, revenue, lockin, funnel, degree." in " ".join(run(*command, "--help").split())
    result = CliRunner().invoke(cli, ["analyze", str(model_file), "--only", "degre"])
    assert result.exit_code != 0 and "did you mean 'degree'" in result.output


def test_toy_section_in_whatif_and_diff(degree, model_file, tmp_path):
    # without app-shop: shop 3 -> 2, app 2 -> 1
    doc = json.loads(run("whatif", model_file, "--remove", "app-shop", "--format", "json"))
    figures = {(f["section"], f["item"], f["figure"]): f for f in doc["figures"]}
    assert (figures[("degree", "shop", "degree")]["before"], figures[("degree", "shop", "degree")]["after"]) == (3, 2)
    assert figures[("degree", "app", "degree")]["change"] == -1.0
    assert figures[("degree", "maker", "degree")]["status"] == "same"
    # listed after the built-ins and before the rank changes
    sections = list(dict.fromkeys("rank" if f["figure"] == "rank" else f["section"] for f in doc["figures"]))
    assert sections.index("degree") == sections.index("centrality") + 1
    assert sections[-1] == "rank"
    table = run("whatif", model_file, "--remove", "app-shop", "--only", "degree")
    assert "Figures: degree" in table
    other = tmp_path / "other.json"
    other.write_text(json.dumps(_without("fans-app")), encoding="utf-8")
    diff = json.loads(run("diff", model_file, other, "--only", "degree", "--format", "json"))
    # without fans-app: fans 2 -> 1, app 2 -> 1
    changed = {(f["item"], f["before"], f["after"]) for f in diff["figures"] if f["status"] != "same"}
    assert changed == {("fans", 2.0, 1.0), ("app", 2.0, 1.0)}


def test_toy_section_figures_feed_the_comparison(degree):
    G = to_networkx(Ecosystem.model_validate(MODEL))
    s = scenario.whatif(G, remove=["maker"], only="degree", parallel=False)
    by_key = s.comparison.by_key
    assert by_key[("degree", "shop", "degree")].change == -1.0
    assert by_key[("degree", "maker", "degree")].status == "removed"
    assert scenario.figure_kind("degree", "degree") == "count"


def test_toy_section_in_the_html_and_markdown_report(degree, model_file, tmp_path):
    from ecosystem_graph.report.build import build_report

    report = build_report(Ecosystem.model_validate(MODEL), graph=False)
    ids = [s.id for s in report.sections]
    assert ids == ["revenue", "keystones", "lockin", "centrality", "degree"]
    section = report.sections[-1]
    assert section.title == "Relationships of each actor"
    assert [[c.text for c in row] for row in section.tables[0].rows] == [["shop", "3"], ["app", "2"], ["fans", "2"],
                                                                         ["maker", "1"]]
    assert report.summary[-1].sentence == "The most connected actor is shop with 3 relationships."
    html_path, md_path = tmp_path / "toy.html", tmp_path / "toy.md"
    run("report", model_file, "-o", html_path, "--no-graph")
    run("report", model_file, "-o", md_path, "--no-graph")
    html = html_path.read_text(encoding="utf-8")
    assert 'data-section="degree"' in html and "Degree: relationships of each actor" in html
    assert "The most connected actor is shop with 3 relationships." in html
    markdown = md_path.read_text(encoding="utf-8")
    assert "Relationships of each actor" in markdown and "Degree: relationships of each actor" in markdown
    assert re.search(r"\|\s*shop\s*\|\s*3\s*\|", markdown)
    # the deck: the generic section's table on a slide of its own, every degree in its cells
    from pptx import Presentation

    deck_path = tmp_path / "toy.pptx"
    run("report", model_file, "-o", deck_path, "--no-graph")
    slides = Presentation(str(deck_path)).slides
    tables = [(slide, shape.table) for slide in slides for shape in slide.shapes if shape.has_table]
    toy = [(slide, t) for slide, t in tables if t.cell(0, 0).text == "id" and t.cell(0, 1).text == "relationships"]
    assert len(toy) == 1
    slide, table = toy[0]
    assert slide.shapes.title.text == "Relationships of each actor"
    assert [[table.cell(r, c).text for c in range(2)] for r in range(1, len(table.rows))] == [
        ["shop", "3"], ["app", "2"], ["fans", "2"], ["maker", "1"]]


def test_toy_section_in_the_render_page(degree, model_file, tmp_path):
    from ecosystem_graph.render import graph_data

    model = Ecosystem.model_validate(MODEL)
    offered = [h for h in graph_data(model)["highlights"] if h["kind"] == "degree"]
    assert offered == [{"label": "Most connected actors", "kind": "degree", "offered": True,
                        "nodes": ["shop", "app"], "edges": []}]
    asked = graph_data(model, highlights=["degree"])["highlights"][0]
    assert (asked["kind"], asked["offered"], asked["nodes"]) == ("degree", False, ["shop", "app"])
    assert "degree[:IDS] (relationships of each actor)" in " ".join(run("render", "--help").split())
    page = tmp_path / "toy.html"
    run("render", model_file, "-o", page, "--highlight", "degree")
    data = json.loads(re.search(r'id="eco-graph-data">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
                      .group(1))
    assert data["highlights"][0]["label"] == "Most connected actors"
    result = CliRunner().invoke(cli, ["render", str(model_file), "-o", str(page), "--highlight", "degrees"])
    assert result.exit_code != 0 and "keystones, degree or levers" in result.output


def test_an_optional_section_runs_only_where_it_applies_and_on_request():
    # e.g. a sensitivity section that needs ranges in the model, run only when asked for
    section = register(AnalysisSection(name="needs_ranges", description="only with ranges", order=70,
                                       run=lambda ctx: {"ran": True}, to_dict=lambda result, top: result,
                                       default=False, applies=lambda G: G.graph.get("name") == "Ranged"))
    try:
        G = to_networkx(Ecosystem.model_validate(MODEL))
        assert parse_only(None) == BUILTIN  # not run by default
        a = analyze(G, only="needs_ranges")
        assert a.needs_ranges is None and "needs_ranges" not in a.to_dict()  # the model has no ranges
        G.graph["name"] = "Ranged"
        assert analyze(G, only="needs_ranges").to_dict()["needs_ranges"] == {"ran": True}
        assert "needs_ranges (only with ranges) [on request]" in registry.only_help()
    finally:
        unregister(section.name)


def test_analysis_keeps_attribute_access_for_every_section():
    a = Analysis(model={"name": "x"}, revenue="r")
    assert a.revenue == "r" and a.results == {"revenue": "r"} and a.keystones is None
    with pytest.raises(AttributeError):
        a.no_such_section  # noqa: B018
