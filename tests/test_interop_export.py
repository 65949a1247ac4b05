"""Exports (GraphML, GEXF, CSV pair, JSON, workbook) and the round trips back into a model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from ecosystem_graph.errors import InteropError
from ecosystem_graph.fileio import dumps_model, load_model
from ecosystem_graph.interop import export_model, export_texts, import_source
from ecosystem_graph.interop.interchange import from_interchange
from ecosystem_graph.model import Ecosystem

from .strategies import ecosystem_data

ROOT = Path(__file__).parent.parent
AMAZON = ROOT / "examples" / "amazon.yaml"


def without_none_attributes(data: dict) -> dict:
    """Model data as every export keeps it: attribute values that are None are left out."""
    data = json.loads(json.dumps(data))
    for item in data["nodes"] + data["relationships"]:
        if "attributes" in item:
            item["attributes"] = {k: v for k, v in item["attributes"].items() if v is not None}
            if not item["attributes"]:
                del item["attributes"]
    return data


def close(a, b) -> bool:
    """Equal data, floats equal to 16 significant digits (what a workbook keeps)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-15 * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def small_model() -> Ecosystem:
    return Ecosystem.model_validate({
        "name": "Shop ü", "currency": "EUR", "period": "2024", "money_unit": "million",
        "nodes": [
            {"id": "shop", "kind": "core", "name": "Shop", "tags": ["retail", "a|b"],
             "attributes": {"founded": 1999, "size": "big", "regions": ["EU", "US"], "gone": None}},
            {"id": "app", "kind": "channel", "name": "App", "device": True, "attributes": {"founded": "2010"}},
            {"id": "fans", "kind": "segment", "name": "Fans", "size": 1200, "attributes": {"score": 5.0}},
        ],
        "relationships": [
            {"id": "sales", "from": "fans", "to": "shop", "type": "PAYS", "count": 100, "price": 2.5,
             "stream": "purchase"},
            {"from": "fans", "to": "shop", "type": "PAYS", "amount": 30, "attributes": {"note": "tips"}},
            {"from": "fans", "to": "app", "type": "USES", "switching_cost": 0.4,
             "mechanisms": ["durable_purchase", "loyalty_program"], "cost_types": ["financial"]},
            {"from": "app", "to": "fans", "type": "REACHES", "reach": 0.5},
        ]})


# ------------------------------------------------------------------------------- GraphML and GEXF


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_amazon_through_networkx_readers_keeps_nodes_kinds_relationships_and_money(tmp_path, fmt):
    model = load_model(AMAZON)
    out = tmp_path / f"amazon.{fmt}"
    export_model(model, fmt, out)
    G = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    assert {n: a["kind"] for n, a in G.nodes(data=True)} == {n.id: n.kind for n in model.nodes}
    assert {n: a["label"] for n, a in G.nodes(data=True)} == {n.id: n.name for n in model.nodes}
    read_edges = sorted((u, v, a["rel_type"], a.get("amount")) for u, v, a in G.edges(data=True))
    model_edges = sorted((r.source, r.target, r.type, getattr(r, "amount", None)) for r in model.relationships)
    assert read_edges == model_edges
    money = sum(a["amount"] for _, _, a in G.edges(data=True) if a["rel_type"] == "PAYS")
    assert money == pytest.approx(sum(r.amount for r in model.relationships if r.type == "PAYS"))
    uses = [r for r in model.relationships if r.type == "USES" and r.mechanisms]
    assert uses, "amazon.yaml has USES with lock-in mechanisms"
    mechanisms = sorted(json.loads(a["mechanisms"]) for _, _, a in G.edges(data=True) if "mechanisms" in a)
    assert mechanisms == sorted(r.mechanisms for r in uses)
    # And back into a model: everything, in the file's order (networkx keeps GraphML's graph
    # attributes; GEXF's metadata sits in <meta>, which import reads).
    want = without_none_attributes(model.to_data())
    if fmt == "graphml":
        assert from_interchange(G).to_data() == want
    assert import_source(out).model.to_data() == want


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_formats_encode_lists_and_mixed_types_so_they_survive(tmp_path, fmt):
    model = small_model()
    out = tmp_path / f"m.{fmt}"
    export_model(model, fmt, out)
    G = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    shop = G.nodes["shop"]
    assert json.loads(shop["tags"]) == ["retail", "a|b"]
    assert json.loads(shop["attributes.regions:json"]) == ["EU", "US"]
    # "founded" is a number on one node and text on another: JSON text keeps both exactly.
    assert json.loads(shop["attributes.founded:json"]) == 1999
    assert json.loads(G.nodes["app"]["attributes.founded:json"]) == "2010"
    assert G.nodes["app"]["device"] is True
    assert G.nodes["fans"]["attributes.score"] == 5.0 and G.nodes["fans"]["size"] == 1200
    assert not any("gone" in k for k in shop)
    assert import_source(out).model.to_data() == without_none_attributes(model.to_data())


def test_gexf_keeps_the_metadata_in_its_description(tmp_path):
    export_model(small_model(), "gexf", tmp_path / "m.gexf")
    text = (tmp_path / "m.gexf").read_text()
    assert '<description>{"schema_version": 1, "name": "Shop ü", "currency": "EUR", "period": "2024", ' \
           '"money_unit": "million", "ecograph_format": 1}</description>' in text
    m = import_source(tmp_path / "m.gexf").model
    assert (m.name, m.currency, m.period, m.money_unit) == ("Shop ü", "EUR", "2024", "million")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_are_refused_by_xml_formats_with_the_place(tmp_path, fmt):
    data = small_model().to_data()
    data["nodes"][1]["name"] = "App\x01"
    model = Ecosystem.model_validate(data)
    with pytest.raises(InteropError, match=r"XML cannot hold control characters \(node 'app', name: "
                                           r"character U\+0001\)"):
        export_model(model, fmt, tmp_path / f"m.{fmt}")
    assert not (tmp_path / f"m.{fmt}").exists()
    export_model(model, "json", tmp_path / "m.json")
    assert load_model(tmp_path / "m.json").nodes[1].name == "App\x01"


def test_graph_file_that_is_not_a_valid_model_lists_its_problems(tmp_path):
    G = nx.MultiDiGraph(name="X", currency="EUR", period="1")
    G.add_node("a", kind="core", name="A")
    G.add_node("b", kind="planet", name="B")
    G.add_edge("a", "zz", rel_type="PAYS", amount=1.0)
    nx.write_graphml(G, tmp_path / "g.graphml")
    with pytest.raises(InteropError) as info:
        import_source(tmp_path / "g.graphml")
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{tmp_path / 'g.graphml'}:$.nodes[1].kind: unknown kind 'planet'")
    assert lines[-1] == f"2 errors in {tmp_path / 'g.graphml'}"
    (tmp_path / "bad.graphml").write_text("<graphml><oops")
    with pytest.raises(InteropError, match="not a readable GRAPHML file"):
        import_source(tmp_path / "bad.graphml")


# ----------------------------------------------------------------------------- CSV pair and workbook


def test_csv_pair_export_headers_and_cells(tmp_path):
    written = export_model(small_model(), "csv", tmp_path / "out")
    assert written == [str(tmp_path / "out" / "nodes.csv"), str(tmp_path / "out" / "relationships.csv")]
    nodes = list(csv.reader(io.StringIO((tmp_path / "out" / "nodes.csv").read_text())))
    assert nodes[0] == ["id", "name", "kind", "description", "tags", "device", "size",
                        "attributes.founded:json", "attributes.size", "attributes.regions:json", "score"]
    assert nodes[1] == ["shop", "Shop", "core", "", '["retail", "a|b"]', "", "", "1999", "big", '["EU", "US"]', ""]
    assert nodes[2] == ["app", "App", "channel", "", "", "true", "", '"2010"', "", "", ""]
    assert nodes[3] == ["fans", "Fans", "segment", "", "", "", "1200", "", "", "", "5.0"]
    rels = list(csv.reader(io.StringIO((tmp_path / "out" / "relationships.csv").read_text())))
    assert rels[0] == ["id", "from", "to", "type", "description", "switching_cost", "mechanisms", "cost_types",
                       "amount", "stream", "count", "price", "reach", "note"]
    assert rels[1] == ["sales", "fans", "shop", "PAYS", "", "", "", "", "250.0", "purchase", "100.0", "2.5", "", ""]
    assert rels[3][6:8] == ["durable_purchase | loyalty_program", "financial"]


def test_csv_export_into_a_file_path_is_refused(tmp_path):
    (tmp_path / "x").write_text("keep")
    with pytest.raises(InteropError, match="writes two files into a directory"):
        export_model(small_model(), "csv", tmp_path / "x")
    assert (tmp_path / "x").read_text() == "keep"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_small_model_round_trips_through_tabular_exports(tmp_path, fmt):
    model = small_model()
    out = tmp_path / ("out" if fmt == "csv" else "m.xlsx")
    export_model(model, fmt, out)
    back = import_source(out).model.to_data()
    want = without_none_attributes(model.to_data())
    assert back["nodes"] == want["nodes"]
    assert back["relationships"] == want["relationships"]
    if fmt == "xlsx":  # the workbook also has the Ecosystem sheet
        assert back == want


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tags_with_surrounding_whitespace_or_empty_round_trip_exactly(tmp_path, fmt):
    # "a | b" cannot carry a tag that starts or ends with whitespace (a tab, a CR, a space) or is empty, so
    # such a list is written as JSON text; the import reads a JSON list as written, without stripping
    tags = ["\tpremium", "\rcr", "trailing\t", " space", "", "plain"]
    data = small_model().to_data()
    data["nodes"][0]["tags"] = tags
    out = tmp_path / ("out" if fmt == "csv" else "m.xlsx")
    export_model(Ecosystem.model_validate(data), fmt, out)
    assert import_source(out).model.nodes[0].tags == tags
    # a list written by hand as "a | b" is still split and stripped
    data["nodes"][0]["tags"] = ["retail", "prime"]
    export_model(Ecosystem.model_validate(data), fmt, out)
    assert import_source(out).model.nodes[0].tags == ["retail", "prime"]


def test_workbook_to_model_to_workbook_keeps_labels_and_types(tmp_path):
    from .test_interop_import import good_workbook

    source = good_workbook(tmp_path)
    model = import_source(source).model
    export_model(model, "xlsx", tmp_path / "again.xlsx")
    wb_in = load_workbook(source, read_only=True)
    wb_out = load_workbook(tmp_path / "again.xlsx", read_only=True)
    assert wb_out.sheetnames == ["Elements", "Connections", "Ecosystem"]

    def column(ws, name):
        rows = list(ws.iter_rows(values_only=True))
        i = rows[0].index(name)
        return [r[i] for r in rows[1:]]

    assert column(wb_out["Elements"], "Label") == column(wb_in["Elements"], "Label")
    assert column(wb_out["Elements"], "Type") == ["Core", "Satellite", "Channel", "Partner", "Segment", "Segment"]
    assert column(wb_out["Connections"], "Type") == [
        "PAYS", "USES", "REACHES", "FEEDS", "SUPPLIES", "CONVERTS_TO", "DEPENDS_ON"]
    # From/To hold element IDs, which resolve to the same labels as the source's From/To.
    ids = dict(zip(column(wb_out["Elements"], "ID"), column(wb_out["Elements"], "Label")))
    assert [ids[x] for x in column(wb_out["Connections"], "From")] == column(wb_in["Connections"], "From")
    assert [ids[x] for x in column(wb_out["Connections"], "To")] == column(wb_in["Connections"], "To")
    # The same round trip through the CSV pair.
    export_model(model, "csv", tmp_path / "pair")
    nodes = list(csv.DictReader(io.StringIO((tmp_path / "pair" / "nodes.csv").read_text())))
    assert [(n["name"], n["kind"]) for n in nodes] == [(n.name, n.kind) for n in model.nodes]
    assert import_source(tmp_path / "pair").model.relationships == model.relationships


def test_workbook_cells_that_look_like_formulas_stay_text(tmp_path):
    data = small_model().to_data()
    data["nodes"][0]["name"] = '=HYPERLINK("http://evil.example","click")'
    data["nodes"][0]["description"] = "=1+1"
    model = Ecosystem.model_validate(data)
    export_model(model, "xlsx", tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")["Elements"]
    # Neutralised with a leading quote (and text, not a formula); the import removes the quote.
    assert ws["B2"].value == '\'=HYPERLINK("http://evil.example","click")' and ws["B2"].data_type == "s"
    assert ws["D2"].value == "'=1+1" and ws["D2"].data_type == "s"
    assert import_source(tmp_path / "m.xlsx").model.nodes[0].name == data["nodes"][0]["name"]


def test_json_export_is_the_model_file(tmp_path):
    model = small_model()
    export_model(model, "json", tmp_path / "m.json")
    assert (tmp_path / "m.json").read_text() == dumps_model(model, "json")
    assert export_texts(model, "json") == {"": dumps_model(model, "json")}


def test_failed_export_leaves_the_old_file(tmp_path):
    out = tmp_path / "m.graphml"
    out.write_text("old")
    data = small_model().to_data()
    data["nodes"][0]["description"] = "bad \x02"
    with pytest.raises(InteropError):
        export_model(Ecosystem.model_validate(data), "graphml", out)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.graphml"]


# ------------------------------------------------------------------------------------ property tests


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ecosystem_data(max_nodes=10, max_relationships=15, ranges=True))
def test_random_ecosystems_survive_every_export(tmp_path_factory, data):
    model = Ecosystem.model_validate(data)
    want = without_none_attributes(model.to_data())
    tmp = tmp_path_factory.mktemp("rt")
    for fmt, name in (("graphml", "m.graphml"), ("gexf", "m.gexf"), ("xlsx", "m.xlsx"), ("csv", "pair"),
                      ("json", "m.json")):
        export_model(model, fmt, tmp / name)
        back = import_source(tmp / name).model.to_data()
        if fmt == "csv":  # the CSV pair holds no metadata
            back = {**want, "nodes": back["nodes"], "relationships": back["relationships"]}
        if fmt == "xlsx":  # model fields keep 16 significant digits in a workbook; attributes stay exact
            assert close(back, want), fmt
            assert [n.get("attributes") for n in back["nodes"]] == [n.get("attributes") for n in want["nodes"]]
        else:
            assert back == want, fmt
