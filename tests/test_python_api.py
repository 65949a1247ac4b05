"""The Python API of ``ecosystem_graph`` (docs/python-api.md): each function on real models, the notebook displays."""

from __future__ import annotations

import doctest
import inspect
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

import ecosystem_graph as eg
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.render.layout import ecosystem_layout
from ecosystem_graph.render.style import KIND_STYLES

ROOT = Path(__file__).resolve().parent.parent
AMAZON = ROOT / "examples" / "amazon.yaml"
DOC = ROOT / "docs" / "python-api.md"
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def tiny(name: str = "Shop", fans_name: str = "Fans"):
    """Two segments paying one core 10 and 5: ecosystem revenue 10 + 5 = 15."""
    return eg.Ecosystem.model_validate({
        "name": name, "currency": "EUR", "period": "2024",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "fans", "kind": "segment", "name": fans_name},
                  {"id": "pros", "kind": "segment", "name": "Pros"}],
        "relationships": [{"id": "p1", "from": "fans", "to": "shop", "type": "PAYS", "amount": 10},
                          {"id": "p2", "from": "pros", "to": "shop", "type": "PAYS", "amount": 5}]})


class _Tags(HTMLParser):
    """Start tags with their (unescaped) attributes, and the text, of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> _Tags:
    p = _Tags()
    p.feed(fragment)
    p.close()
    return p


# ------------------------------------------------------------------------------------------------ docs


def test_the_walk_through_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(DOC), module_relative=False, globs={"tmp": tmp_path},
                              optionflags=doctest.ELLIPSIS, raise_on_error=False, verbose=False)
    assert result.attempted >= 20 and result.failed == 0


def test_every_exported_name_is_documented_and_has_a_docstring():
    text = DOC.read_text(encoding="utf-8")
    assert len(eg.__all__) == len(set(eg.__all__)) >= 26
    for name in eg.__all__:
        assert f"`{name}" in text, f"{name} is not in docs/python-api.md"
        if name != "__version__":
            assert inspect.getdoc(getattr(eg, name)), f"{name} has no docstring"
    assert set(dir(eg)) >= set(eg.__all__)


def test_import_is_cheap_and_loads_on_first_use():
    code = ("import sys, ecosystem_graph as eg; heavy = {'pydantic', 'networkx', 'numpy', 'scipy', 'pyvis'};"
            "print(sorted(heavy & set(sys.modules))); eg.Ecosystem; print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split("\n")[:2] == ["[]", "True"]


def test_render_and_report_are_callable_even_after_their_packages_are_imported():
    code = ("import ecosystem_graph.render.html, ecosystem_graph.report.build, ecosystem_graph as eg;"
            "m = eg.load('examples/amazon.yaml'); print(eg.render(m)[:15], eg.render.html.__name__,"
            " callable(eg.report))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "<!DOCTYPE html> ecosystem_graph.render.html True"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        eg.nonsense  # noqa: B018


# ------------------------------------------------------------------------------------------ load, save


def test_load_save_round_trip_in_both_formats(tmp_path):
    model = eg.load(AMAZON)
    assert (model.name, len(model.nodes), len(model.relationships)) == ("Amazon", 25, 66)
    for name in ("m.yaml", "m.json"):
        eg.save(model, tmp_path / name)
        assert eg.load(tmp_path / name) == model
    assert (tmp_path / "m.json").read_text().lstrip().startswith("{")


def test_load_errors(tmp_path):
    with pytest.raises(eg.InputError):
        eg.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\ncurrency: EURO\nperiod: 2024\nnodes: []\n")
    with pytest.raises(eg.ModelValidationError) as info:
        eg.load(bad)
    assert isinstance(info.value, eg.EcographError) and "currency" in str(info.value)
    with pytest.raises(eg.InputError):
        eg.load(AMAZON, max_bytes=100)


# ----------------------------------------------------------------------------------- analyze, whatif, diff


def test_analyze_takes_a_model_or_its_graph():
    model = eg.load(AMAZON)
    by_model = eg.analyze(model)
    by_graph = eg.analyze(to_networkx(model))
    assert by_model.revenue.ecosystem_revenue == by_graph.revenue.ecosystem_revenue
    assert by_model.to_dict() == by_graph.to_dict()


def test_analyze_on_a_hand_computed_model():
    a = eg.analyze(tiny(), only="revenue")
    assert a.revenue.ecosystem_revenue == 15  # 10 + 5
    assert (a.centrality, a.lockin) == (None, None)
    b = eg.analyze(tiny(), only=["revenue", "centrality"])
    # PageRank of the sink core agrees with networkx on the same (simple) graph
    ref = nx.pagerank(nx.DiGraph([("fans", "shop"), ("pros", "shop")]))
    assert {n.id: n.pagerank for n in b.centrality.nodes}["shop"] == pytest.approx(ref["shop"], rel=1e-6)


def test_analyze_rejects_an_unknown_section():
    with pytest.raises(eg.UsageError):
        eg.analyze(tiny(), only="nonsense")


def test_whatif_remove_and_scale():
    s = eg.whatif(tiny(), remove=["pros"], only="revenue")
    assert (s.before.revenue.ecosystem_revenue, s.after.revenue.ecosystem_revenue) == (15, 10)  # 15 - 5
    by_dict = eg.whatif(tiny(), scale={"p1": 0.5}, only="revenue")
    by_text = eg.whatif(to_networkx(tiny()), scale=["p1=0.5"], only="revenue")
    assert by_dict.after.revenue.ecosystem_revenue == by_text.after.revenue.ecosystem_revenue == 10  # 5 + 5
    amazon = eg.whatif(eg.load(AMAZON), remove=["prime"], only="revenue")
    assert round(amazon.after.revenue.ecosystem_revenue, 1) == 529.7  # 569.9 - Prime fees 40.2
    with pytest.raises(eg.UsageError):
        eg.whatif(tiny(), remove=["nobody"])


def test_diff_of_models_and_paths(tmp_path):
    a = tiny()
    b = a.model_copy(update={"relationships": a.relationships[:1]})
    d = eg.diff(a, b, only="revenue")
    assert [(r.key, r.status) for r in d.relationships] == [("p2", "removed")]
    assert (d.before.revenue.ecosystem_revenue, d.after.revenue.ecosystem_revenue) == (15, 10)
    eg.save(a, tmp_path / "a.yaml")
    assert eg.diff(tmp_path / "a.yaml", a).identical


# ------------------------------------------------------------------------------------------ render, report


def test_render_returns_html_with_every_node_or_writes_it(tmp_path):
    model = eg.load(AMAZON)
    page = eg.render(model, size_by="degree")
    assert page.startswith("<!DOCTYPE html>")
    for node in model.nodes:
        assert f'"{node.id}"' in page
    summary = eg.render(model, tmp_path / "a.html", size_by="degree")
    assert summary["nodes"] == 25 and (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    eg.render(model, tmp_path / "a.svg", size_by="degree")
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    eg.render(model, tmp_path / "a.png", size_by="degree")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_format_by_suffix(tmp_path):
    model = tiny("Tiny & Co")
    eg.report(model, tmp_path / "r.html", graph=False)
    assert "Tiny &amp; Co" in (tmp_path / "r.html").read_text(encoding="utf-8")
    eg.report(model, tmp_path / "r.md", graph=False)
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")
    eg.report(model, tmp_path / "r.pptx", graph=False)
    with zipfile.ZipFile(tmp_path / "r.pptx") as deck:
        assert "ppt/presentation.xml" in deck.namelist()
    # with the map: the Markdown report embeds the static map written beside it
    eg.report(model, tmp_path / "m.md")
    assert "m-map.svg" in (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "<svg" in (tmp_path / "m-map.svg").read_text(encoding="utf-8")
    with pytest.raises(eg.OutputError, match="cannot write"):
        eg.report(model, tmp_path / "no-such-dir" / "r.html", graph=False)


# ---------------------------------------------------------------------------------------- import, export


@pytest.mark.parametrize("fmt, name", [("graphml", "m.graphml"), ("gexf", "m.gexf"), ("xlsx", "m.xlsx"),
                                       ("csv", "m-csv")])
def test_export_import_round_trip(tmp_path, fmt, name):
    model = eg.load(AMAZON)
    written = eg.export(model, tmp_path / name, fmt)
    assert written and all(Path(p).exists() for p in written)
    back = eg.import_source(tmp_path / name, name=model.name, currency=model.currency, period=model.period,
                            money_unit=model.money_unit)
    assert (back.nodes, back.relationships) == (model.nodes, model.relationships)
    if fmt != "csv":  # the CSV pair holds nodes and relationships only, not the model's description
        assert back == model


def test_import_options_and_errors(tmp_path):
    eg.export(tiny(), tmp_path / "t.graphml", "graphml")
    assert eg.import_source(tmp_path / "t.graphml", name="Renamed").name == "Renamed"
    with pytest.raises(eg.InputError):
        eg.import_source(tmp_path / "missing.graphml")


# ------------------------------------------------------------------------------------------------ store


def test_push_then_pull(fresh_database, unique_name):
    model = eg.load(AMAZON)
    conn = {"uri": fresh_database.uri, "user": fresh_database.user, "password": fresh_database.password,
            "database": fresh_database.database}
    result = eg.push(model, unique_name, **conn)
    assert (result.nodes, result.relationships) == (25, 66)
    assert eg.pull(unique_name, **conn) == model
    with pytest.raises(eg.StoreNotFoundError):
        eg.pull(unique_name + "-absent", **conn)


# --------------------------------------------------------------------------------------- notebook display


def test_model_repr_html_is_an_iframe_with_the_escaped_page():
    model = tiny(HOSTILE, fans_name=HOSTILE)
    shown = model._repr_html_()
    tags = parse(shown).tags
    assert [t for t, _ in tags] == ["iframe"]  # the hostile text made no tag of its own
    document = tags[0][1]["srcdoc"]
    assert document.startswith("<!DOCTYPE html>") and "ecoNetwork" in document
    inner = parse(document)
    assert not any(t == "img" for t, _ in inner.tags)  # the onerror image stayed text
    assert "<script>alert(1)" not in document
    assert tags[0][1]["title"] == HOSTILE
    assert not re.search(r"<script[^>]+src=", document)  # nothing fetched: the scripts are inlined


@pytest.mark.browser
def test_model_repr_html_draws_offline_in_a_browser(tmp_path):
    """A notebook output cell is an HTML fragment in a page: the iframe's scripts draw every node, with no
    request outside the page and no dialog from the hostile name."""
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "notebook.html"
    page_file.write_text("<!DOCTYPE html><html><body><p>cell</p>" + tiny(HOSTILE, fans_name=HOSTILE)._repr_html_()
                         + "</body></html>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            requests, dialogs, errors = [], [], []
            page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "about:", "data:")) else None)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            frame = page.frames[1]
            frame.wait_for_function("window.ecoNetwork !== undefined")
            ids = frame.evaluate("window.ecoNetwork.body.data.nodes.getIds()")
        finally:
            browser.close()
    assert sorted(ids) == ["fans", "pros", "shop"]
    assert (requests, dialogs, errors) == ([], [], [])


def test_analysis_repr_html_escapes_every_cell():
    a = eg.analyze(tiny(fans_name=HOSTILE), only="revenue,centrality")
    shown = a._repr_html_()
    p = parse(shown)
    assert {t for t, _ in p.tags} <= {"h4", "table", "thead", "tr", "th", "tbody", "td", "p"}
    assert HOSTILE in p.text  # one cell holds the name, as text
    assert shown.count("<table>") == len(a.tables())


def test_to_pyvis_has_the_layout_colours_and_escaped_titles():
    model = tiny(fans_name=HOSTILE)
    net = eg.to_pyvis(model)
    assert [n["id"] for n in net.nodes] == ["shop", "fans", "pros"]
    assert len(net.edges) == 2
    pos = ecosystem_layout({n.id: n.kind for n in model.nodes}, [(r.source, r.target) for r in model.relationships])
    for n, m in zip(net.nodes, model.nodes):
        assert (n["x"], n["y"]) == pos[m.id]
        assert (n["color"], n["shape"]) == (KIND_STYLES[m.kind]["color"], KIND_STYLES[m.kind]["shape"])
        assert "<" not in n["title"] and '"' not in n["title"]
    fans = net.get_node("fans")
    assert fans["title"].startswith("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
    assert fans["label"] == HOSTILE  # labels are drawn on a canvas as text, not parsed as HTML
    assert all("<" not in e["title"] for e in net.edges)
    amazon = eg.to_pyvis(eg.load(AMAZON))
    assert len(amazon.nodes) == 25 and len(amazon.edges) == 66
