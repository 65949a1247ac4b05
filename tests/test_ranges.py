"""Ranges on numeric properties: parsing, base values, the assumptions list and the graph's copy of it."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ecosystem_graph.analysis import analyze
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import from_networkx, to_networkx
from ecosystem_graph.model import Assumption, Ecosystem, Range

AMAZON = Path(__file__).resolve().parents[1] / "examples" / "amazon.yaml"


def tiny(nodes_extra=None, rels=None) -> dict:
    return {"name": "Tiny", "currency": "EUR", "period": "2024",
            "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                      {"id": "plus", "kind": "satellite", "name": "Plus"},
                      {"id": "fans", "kind": "segment", "name": "Fans", **(nodes_extra or {})},
                      {"id": "buyers", "kind": "segment", "name": "Buyers"}],
            "relationships": rels if rels is not None else [
                {"from": "fans", "to": "shop", "type": "PAYS", "amount": {"low": 8, "base": 10, "high": 15}}]}


def test_a_range_holds_its_base_number_and_keeps_low_high_and_dist():
    m = Ecosystem.model_validate(tiny())
    pays = m.relationships[0]
    assert pays.amount == 10.0 and isinstance(pays.amount, float)
    r = pays.ranges["amount"]
    assert list(pays.ranges) == ["amount"] and isinstance(r, Range)
    assert (r.low, r.base, r.high, r.dist) == (8.0, 10.0, 15.0, "pert")


def test_low_and_high_default_to_base():
    m = Ecosystem.model_validate(tiny({"size": {"base": 1000, "high": 1200}}))
    r = m.nodes[2].ranges["size"]
    assert (r.low, r.base, r.high) == (1000, 1000, 1200)
    assert m.nodes[2].size == 1000


def test_plain_numbers_have_no_ranges():
    m = Ecosystem.model_validate(tiny(rels=[{"from": "fans", "to": "shop", "type": "PAYS", "amount": 10}]))
    assert m.relationships[0].ranges == {}
    assert m.assumptions() == []
    assert to_networkx(m).graph["assumptions"] == []


def test_files_write_the_range_back_and_plain_files_dump_as_before():
    data = tiny(rels=[{"from": "fans", "to": "shop", "type": "PAYS",
                       "amount": {"low": 8, "base": 10, "high": 15, "dist": "uniform"}},
                      {"from": "fans", "to": "plus", "type": "USES", "share": {"low": 0.2, "base": 0.3, "high": 0.5}}])
    m = Ecosystem.model_validate(data)
    out = m.to_data()
    assert out["relationships"][0]["amount"] == {"low": 8.0, "base": 10.0, "high": 15.0, "dist": "uniform"}
    assert out["relationships"][1]["share"] == {"low": 0.2, "base": 0.3, "high": 0.5}  # pert, the default: not written
    assert m.to_data(ranges=False)["relationships"][0]["amount"] == 10.0
    assert Ecosystem.model_validate(out) == m  # a round trip keeps every range
    plain = load_model(AMAZON.parent / "newspaper-funnel.yaml")  # an example without ranges
    assert plain.assumptions() == []
    assert plain.to_data() == plain.to_data(ranges=False)


def test_assumptions_in_model_order_with_edge_keys():
    rels = [
        {"from": "fans", "to": "shop", "type": "PAYS", "amount": 4},  # PAYS#0, no range
        {"id": "subs", "from": "fans", "to": "plus", "type": "PAYS",
         "count": {"low": 90, "base": 100, "high": 130}, "price": 2},
        {"from": "fans", "to": "shop", "type": "PAYS", "amount": {"low": 5, "base": 6, "high": 7}},  # PAYS#1
        {"from": "plus", "to": "shop", "type": "PAYS", "share_of": "subs",
         "share": {"low": 0.1, "base": 0.15, "high": 0.3, "dist": "triangular"}},  # PAYS#0 of plus->shop
        {"from": "fans", "to": "buyers", "type": "CONVERTS_TO", "rate": {"low": 0.01, "base": 0.02, "high": 0.04}},
    ]
    m = Ecosystem.model_validate(tiny({"size": {"low": 900, "base": 1000, "high": 1500}}, rels))
    got = m.assumptions()
    assert all(isinstance(a, Assumption) for a in got)
    assert [(a.owner, a.key, a.source, a.target, a.type, a.property) for a in got] == [
        ("node", "fans", None, None, "segment", "size"),
        ("relationship", "subs", "fans", "plus", "PAYS", "count"),
        ("relationship", "PAYS#1", "fans", "shop", "PAYS", "amount"),
        ("relationship", "PAYS#0", "plus", "shop", "PAYS", "share"),
        ("relationship", "CONVERTS_TO#0", "fans", "buyers", "CONVERTS_TO", "rate"),
    ]
    assert [(a.low, a.base, a.high, a.dist) for a in got][3] == (0.1, 0.15, 0.3, "triangular")
    assert [a.label for a in got] == ["Fans: size", "Fans pay Plus: count", "Fans pay Shop: amount",
                                      "Plus pays Shop: share of what Fans pay Plus", "Fans convert to Buyers: rate"]
    # count x price = 100 x 2; the linked flow is 0.15 x 200 = 30: both derived amounts read the bases
    assert m.relationships[1].amount == 200.0
    assert m.relationships[3].amount == pytest.approx(30.0)
    # every assumption's key is the key of its edge in the graph, whose attribute is the base number
    G = to_networkx(m)
    assert G.graph["assumptions"] == got
    for a in got[1:]:
        assert G.edges[a.source, a.target, a.key][a.property] == a.base
    assert G.nodes["fans"]["size"] == 1000


def test_a_linked_flow_share_names_its_parent_flow_in_words():
    # The parent in words: "what PAYER pays PAYEE" (a segment pays in the plural: "Fans pay"); when another
    # PAYS joins the same payer and payee, the parent's id follows in brackets; two labels still alike get
    # their own keys in brackets (the dedup of relationships that read alike).
    share = {"low": 0.1, "base": 0.2, "high": 0.3}
    rels = [
        {"id": "subs-a", "from": "fans", "to": "plus", "type": "PAYS", "amount": 100},
        {"id": "subs-b", "from": "fans", "to": "plus", "type": "PAYS", "amount": 50},
        {"id": "fee", "from": "plus", "to": "shop", "type": "PAYS", "amount": 30},
        {"from": "plus", "to": "shop", "type": "PAYS", "share_of": "subs-a", "share": share},  # PAYS#1 of plus->shop
        {"from": "plus", "to": "shop", "type": "PAYS", "share_of": "subs-b", "share": share},  # PAYS#2
        {"id": "cut-1", "from": "shop", "to": "plus", "type": "PAYS", "share_of": "fee", "share": share},
        {"id": "cut-2", "from": "shop", "to": "plus", "type": "PAYS", "share_of": "fee", "share": share},
    ]
    m = Ecosystem.model_validate(tiny(None, rels))
    assert [a.label for a in m.assumptions()] == [
        "Plus pays Shop: share of what Fans pay Plus (subs-a)",
        "Plus pays Shop: share of what Fans pay Plus (subs-b)",
        "Shop pays Plus: share of what Plus pays Shop (fee) (cut-1)",
        "Shop pays Plus: share of what Plus pays Shop (fee) (cut-2)",
    ]


def test_from_networkx_restores_the_ranges():
    rels = [{"id": "subs", "from": "fans", "to": "plus", "type": "PAYS", "amount": {"low": 1, "base": 2, "high": 3}},
            {"from": "fans", "to": "shop", "type": "USES", "switching_cost": {"low": 0.5, "base": 1, "high": 4}}]
    m = Ecosystem.model_validate(tiny({"size": {"low": 10, "base": 20, "high": 30}}, rels))
    back = from_networkx(to_networkx(m))
    assert back.assumptions() == m.assumptions()
    G = to_networkx(m)
    G.edges["fans", "plus", "subs"]["amount"] = 2.5  # edited: the number on the graph wins, without its range
    edited = from_networkx(G)
    assert edited.relationships[0].amount == 2.5 and edited.relationships[0].ranges == {}
    assert [a.property for a in edited.assumptions()] == ["size", "switching_cost"]


def _ranged_copy(data: dict) -> tuple[dict, int]:
    """The same model with every ranged number written as a range around it (bases unchanged)."""
    from ecosystem_graph.model import RANGED_PROPERTIES

    out = copy.deepcopy(data)
    made = 0
    for item in out["nodes"] + out["relationships"]:
        for prop in RANGED_PROPERTIES.get(item.get("kind") or item.get("type"), ()):
            value = item.get(prop)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                item[prop] = {"low": value * 0.5 if prop != "size" else value // 2, "base": value, "high": value}
                made += 1
    return out, made


def _bases(data: dict) -> dict:
    """The same data with every range written as its base number."""
    out = copy.deepcopy(data)
    for item in out["nodes"] + out["relationships"]:
        for key, value in item.items():
            if isinstance(value, dict) and "base" in value:
                item[key] = value["base"]
    return out


def test_analyze_of_a_ranged_model_equals_analyze_of_its_base_numbers():
    shipped = yaml.safe_load(AMAZON.read_text(encoding="utf-8"))
    data = _bases(shipped)
    ranged, made = _ranged_copy(data)
    assert made > 30  # the example's amounts, rates, shares, sizes, switching costs
    plain_model = Ecosystem.model_validate(data)
    ranged_model = Ecosystem.model_validate(ranged)
    assert plain_model.assumptions() == [] and len(ranged_model.assumptions()) == made
    before = analyze(to_networkx(plain_model), parallel=False).to_dict()
    assert analyze(to_networkx(ranged_model), parallel=False).to_dict() == before
    # the example as shipped, with its own 20 ranges, gives the figures of its base numbers too
    assert len(load_model(AMAZON).assumptions()) == 20
    assert analyze(to_networkx(load_model(AMAZON)), parallel=False).to_dict() == before


HEAD = """\
schema_version: 1
name: Test
currency: EUR
period: '2024'
nodes:
  - {id: shop, kind: core, name: Shop}
  - {id: fans, kind: segment, name: Fans}
  - {id: trial, kind: segment, name: Trial}
  - {id: paid, kind: segment, name: Paid}
relationships:
  - {from: fans, to: shop, type: PAYS, amount: 10}
"""
# the relationship a test adds is on line 12 (relationships[1])


def errors_of(tmp_path, text: str) -> list[str]:
    from ecosystem_graph.fileio import check_file

    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return [p.format() for p in check_file(path).problems if p.is_error]


@pytest.mark.parametrize("value, expected", [
    ("{low: 0.5, base: 0.4, high: 0.6}", "low 0.5 is above base 0.4; a range needs low <= base <= high in "
                                          "relationships[1].rate"),
    ("{low: 0.1, base: 0.4, high: 0.3}", "high 0.3 is below base 0.4; a range needs low <= base <= high in "
                                          "relationships[1].rate"),
    ("{low: 0.1, base: 0.4, high: 1.5}", "relationships[1].rate.high is 1.5; must be between 0 and 1"),
    ("{low: .nan, base: 0.4}", "relationships[1].rate.low is NaN; NaN and infinity are not allowed"),
    ("{low: 0.1, high: 0.3}", "missing key 'base' in relationships[1].rate"),
    ("{base: 0.4, dist: normal}", "unknown dist value 'normal' in relationships[1].rate.dist; expected one of "
                                  "triangular, pert, uniform; did you mean 'uniform'?"),
    ("{base: 0.4, mode: 0.3}", "unknown key 'mode' in relationships[1].rate"),
    ("{base: 0.4, hi: 0.5}", "unknown key 'hi' in relationships[1].rate; did you mean 'high'?"),
    ("{base: abc}", "relationships[1].rate.base must be a number, not 'abc'"),
])
def test_bad_ranges_are_located_errors(tmp_path, value, expected):
    text = HEAD + f"  - {{from: fans, to: trial, type: CONVERTS_TO, rate: {value}}}\n"
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{tmp_path}/m.yaml:12:") and errors[0].endswith(": " + expected)


def test_rates_leaving_a_stage_must_stay_within_one_at_their_highs(tmp_path):
    # bases 0.5 + 0.3 = 0.8 are fine; highs 0.7 + 0.4 = 1.1 could exceed 1 in a draw
    text = HEAD + ("  - {from: fans, to: trial, type: CONVERTS_TO, rate: {low: 0.4, base: 0.5, high: 0.7}}\n"
                   "  - {from: fans, to: paid, type: CONVERTS_TO, rate: {low: 0.2, base: 0.3, high: 0.4}}\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:13:53: conversion rates leaving 'fans' sum to 1.1 at their highs (relationships[1], "
        f"relationships[2]); they must not exceed 1 in any draw: lower the highs"]
    fine = text.replace("high: 0.7", "high: 0.6")  # 0.6 + 0.4 = 1.0
    assert errors_of(tmp_path, fine) == []
    # the same check when the ranges are given in Python as Range objects
    from ecosystem_graph.validation import validate_data

    data = yaml.safe_load(text)
    for rel in data["relationships"][1:]:
        rel["rate"] = Range(**rel["rate"])
    model, problems = validate_data(data)
    assert model is None and [p.message for p in problems if p.is_error] == [
        "conversion rates leaving 'fans' sum to 1.1 at their highs (relationships[1], relationships[2]); they must "
        "not exceed 1 in any draw: lower the highs"]


def test_a_range_on_amount_with_count_and_price_is_an_error(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, count: 10, price: 2, amount: {low: 10, base: 20, high: 30}}\n"
    (error,) = errors_of(tmp_path, text)
    assert error.endswith("a range on amount together with count and price: the amount is count x price, so give "
                          "the ranges on count and price in relationships[1]")


# ------------------------------------------------------------------------------------- formats and the store


def ranged_model() -> Ecosystem:
    return Ecosystem.model_validate({
        "name": "Ranged", "currency": "EUR", "period": "2024",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "plus", "kind": "satellite", "name": "Plus"},
                  {"id": "fans", "kind": "segment", "name": "Fans", "size": {"low": 800, "base": 1000, "high": 1500}},
                  {"id": "buyers", "kind": "segment", "name": "Buyers", "size": 10}],
        "relationships": [
            {"id": "subs", "from": "fans", "to": "plus", "type": "PAYS", "count": {"low": 90, "base": 100, "high": 130},
             "price": {"low": 1.5, "base": 2.5, "high": 3, "dist": "uniform"}, "stream": "subscription"},
            {"from": "fans", "to": "shop", "type": "PAYS", "amount": {"low": 5, "base": 6.5, "high": 7}},
            {"from": "plus", "to": "shop", "type": "PAYS", "share_of": "subs",
             "share": {"low": 0.1, "base": 0.15, "high": 0.3, "dist": "triangular"}},
            {"from": "fans", "to": "plus", "type": "USES", "switching_cost": {"low": 0.2, "base": 0.4, "high": 0.5},
             "share": 0.7},
            {"from": "fans", "to": "buyers", "type": "CONVERTS_TO", "rate": {"low": 0.01, "base": 0.02, "high": 0.04}},
            {"from": "plus", "to": "shop", "type": "FEEDS", "strength": 0.3},
        ]})


@pytest.mark.parametrize("fmt, name", [("xlsx", "m.xlsx"), ("csv", "pair"), ("graphml", "m.graphml"),
                                       ("gexf", "m.gexf"), ("json", "m.json")])
def test_every_file_format_keeps_the_ranges(tmp_path, fmt, name):
    from ecosystem_graph.interop import export_model, import_source

    model = ranged_model()
    export_model(model, fmt, tmp_path / name)
    back = import_source(tmp_path / name).model
    assert back.assumptions() == model.assumptions()
    assert back.relationships == model.relationships and back.nodes == model.nodes


def test_workbook_columns_of_a_range():
    from openpyxl import load_workbook
    import io

    from ecosystem_graph.interop.kumu import workbook_bytes

    wb = load_workbook(io.BytesIO(workbook_bytes(ranged_model())), read_only=True)
    rows = list(wb["Connections"].iter_rows(values_only=True))
    head = list(rows[0])
    cells = dict(zip(head, rows[1]))  # the subs payment
    assert head[head.index("Count"):head.index("Count") + 7] == [
        "Count", "Count low", "Count high", "Price", "Price low", "Price high", "Price dist"]
    assert (cells["Count"], cells["Count low"], cells["Count high"]) == (100, 90, 130)
    assert (cells["Price"], cells["Price low"], cells["Price high"], cells["Price dist"]) == (2.5, 1.5, 3, "uniform")
    assert cells["Amount"] == 250  # count x price, a plain number
    assert dict(zip(head, rows[2]))["Amount low"] == 5
    elements = list(wb["Elements"].iter_rows(values_only=True))
    assert list(elements[0][-3:]) == ["Size", "Size low", "Size high"]


def test_workbook_range_problems_point_at_their_cells(tmp_path):
    from ecosystem_graph.errors import InteropError
    from ecosystem_graph.interop import import_source

    from .test_interop_import import make_workbook

    path = make_workbook(tmp_path / "r.xlsx",
                         [["Label", "Type"], ["Shop", "Core"], ["Fans", "Segment"]],
                         [["From", "To", "Type", "Amount", "Amount low", "Amount high", "Reach low"],
                          ["Fans", "Shop", "PAYS", 10, 12, 15, None],
                          ["Fans", "Shop", "PAYS", 10, 2, -1, None]])
    with pytest.raises(InteropError) as caught:
        import_source(path)
    errors = [p.format() for p in caught.value.problems if p.is_error]
    assert errors == [
        f"{path}:Connections!D2: low 12 is above base 10; a range needs low <= base <= high in 'Amount'",
        f"{path}:Connections!F3: 'Amount high' is -1; must be >= 0",
    ]
    no_base = make_workbook(tmp_path / "b.xlsx", [["Label", "Type"], ["Shop", "Core"], ["Fans", "Segment"]],
                            [["From", "To", "Type", "Amount low"], ["Fans", "Shop", "PAYS", 3]])
    with pytest.raises(InteropError) as caught:
        import_source(no_base)
    assert [p.format() for p in caught.value.problems if p.is_error] == [
        f"{no_base}:Connections!A2: PAYS needs an amount, a count and a price, or a share_of and a share in this row",
        f"{no_base}:Connections!D2: 'Amount low' is given without a base value; give the base in a column 'Amount' "
        f"too"]


def test_graph_and_cypher_exports_write_base_and_flat_parts():
    from ecosystem_graph.interop.cypher import cypher_statements
    from ecosystem_graph.interop.interchange import to_interchange

    G = to_interchange(ranged_model())
    edge = G.edges["fans", "plus", "subs"]
    assert (edge["count"], edge["count_low"], edge["count_high"]) == (100.0, 90.0, 130.0)
    assert edge["price_dist"] == "uniform" and "count_dist" not in edge  # pert, the default, is not written
    assert (G.nodes["fans"]["size"], G.nodes["fans"]["size_low"], G.nodes["fans"]["size_high"]) == (1000, 800, 1500)
    script = "\n".join(cypher_statements(ranged_model(), version="v", now="t"))
    assert "amount: 6.5, amount_low: 5.0, amount_high: 7.0" in script
    assert "share: 0.15, share_low: 0.1, share_high: 0.3, share_dist: 'triangular'" in script


def test_store_rows_hold_the_range_columns():
    from ecosystem_graph.store.neo4j import _node_item, _rel_item, model_rows, row_columns

    nodes, rels = model_rows(ranged_model(), "r")
    fans = dict(zip(row_columns("segment"), nodes["segment"][0]))
    assert (fans["size"], fans["size_low"], fans["size_high"], fans["size_dist"]) == (1000, 800, 1500, None)
    subs = dict(zip(row_columns("PAYS"), rels["PAYS"][0]))
    assert (subs["count_low"], subs["price_dist"], subs["amount_low"]) == (90.0, "uniform", None)
    # what a pull reads back (properties without the nulls) is the range again
    stored = {k: v for k, v in subs.items() if v is not None and k not in ("from", "to")}
    _, item = _rel_item("fans", "plus", "PAYS", stored)
    assert item["count"] == {"low": 90.0, "base": 100.0, "high": 130.0}
    assert item["price"] == {"low": 1.5, "base": 2.5, "high": 3.0, "dist": "uniform"}
    _, node = _node_item({k: v for k, v in fans.items() if v is not None})
    assert node["size"] == {"low": 800, "base": 1000, "high": 1500}


# ---------------------------------------------------------------------------------------------- what-if


def test_whatif_scale_scales_low_base_and_high():
    from ecosystem_graph.analysis.scenario import apply_changes

    G = to_networkx(ranged_model())
    H, _ = apply_changes(G, scale={"subs": 2.0})
    count = next(a for a in H.graph["assumptions"] if a.property == "count")
    # the subs amount is count x price: scaling it scales the count, 90/100/130 -> 180/200/260
    assert (count.low, count.base, count.high) == (180.0, 200.0, 260.0)
    assert H.edges["fans", "plus", "subs"]["count"] == 200.0
    assert next(a for a in G.graph["assumptions"] if a.property == "count").base == 100  # G unchanged
    H, _ = apply_changes(G, scale={"fans": 0.5}, remove=["buyers"])
    amount = next(a for a in H.graph["assumptions"] if a.property == "amount")
    assert (amount.low, amount.base, amount.high) == (2.5, 3.25, 3.5)
    # the funnel rate went with buyers; the price is not scaled (the count is)
    assert [a.property for a in H.graph["assumptions"]] == ["size", "count", "price", "amount", "share",
                                                            "switching_cost"]
    assert next(a for a in H.graph["assumptions"] if a.property == "price").base == 2.5


def test_whatif_scale_keeps_ranged_fractions_within_one():
    from ecosystem_graph.analysis.scenario import apply_changes
    from ecosystem_graph.errors import UsageError

    data = ranged_model().to_data()
    data["relationships"][4]["id"] = "conv"
    G = to_networkx(Ecosystem.model_validate(data))
    H, _ = apply_changes(G, scale={"conv": 10})  # highs 0.04 x 10 = 0.4
    rate = H.graph["assumptions"][-1]
    assert (rate.low, rate.base, rate.high) == pytest.approx((0.1, 0.2, 0.4))
    with pytest.raises(UsageError, match=r"the high of rate, 0.04 x 30 = 1.2, exceeds 1"):
        apply_changes(G, scale={"conv": 30})


def test_the_json_schema_takes_a_number_or_a_range():
    import jsonschema

    from ecosystem_graph.model import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    data = ranged_model().to_data()
    assert list(validator.iter_errors(data)) == []
    rel = data["relationships"][1]
    for bad in ({"low": 1, "high": 2}, {"base": 1, "mode": 2}, {"base": 1, "dist": "normal"}, {"base": -1}, [1, 2]):
        rel["amount"] = bad
        assert len(list(validator.iter_errors(data))) == 1, bad
    rel["amount"] = 6.5
    data["relationships"][3]["share"] = {"low": 0.5, "base": 0.7, "high": 1.2}  # a share's high over 1
    assert len(list(validator.iter_errors(data))) == 1


def test_kumu_json_fields_and_csv_columns_read_as_ranges(tmp_path):
    import json

    from ecosystem_graph.interop import import_source

    kumu = {"elements": [{"label": "Shop", "type": "Core"}, {"label": "Fans", "type": "Segment", "size": 100,
                                                             "Size high": 150},
                         {"label": "Buyers", "type": "Segment"}],
            "connections": [{"from": "Fans", "to": "Shop", "type": "pays", "Amount": 4.2, "Amount low": 3,
                             "Amount-High": 5, "Amount dist": "uniform"},
                            {"from": "Fans", "to": "Buyers", "type": "converts to",
                             "Rate": {"low": 0.01, "base": 0.02, "high": 0.05}}]}
    (tmp_path / "k.json").write_text(json.dumps(kumu), encoding="utf-8")
    m = import_source(tmp_path / "k.json").model
    assert [(a.property, a.low, a.base, a.high, a.dist) for a in m.assumptions()] == [
        ("size", 100, 100, 150, "pert"), ("amount", 3.0, 4.2, 5.0, "uniform"), ("rate", 0.01, 0.02, 0.05, "pert")]
    pair = tmp_path / "pair"
    pair.mkdir()
    (pair / "nodes.csv").write_text("id,name,kind\nshop,Shop,core\nfans,Fans,segment\n", encoding="utf-8")
    (pair / "relationships.csv").write_text("from,to,type,amount,amount_low,amount_high\nfans,shop,PAYS,10,8,13\n",
                                            encoding="utf-8")
    m = import_source(pair).model
    assert [(a.key, a.low, a.base, a.high) for a in m.assumptions()] == [("PAYS#0", 8.0, 10.0, 13.0)]


def test_push_pull_and_the_cypher_script_keep_the_ranges_on_a_real_server(bolt_server):
    from neo4j import GraphDatabase

    from ecosystem_graph.interop.cypher import cypher_script, split_script
    from ecosystem_graph.store.neo4j import connect

    model = ranged_model()
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        try:
            store.push(model, "ranges-push")
            pulled = store.pull("ranges-push")
            assert pulled.assumptions() == model.assumptions() and pulled.to_data() == model.to_data()
            with GraphDatabase.driver(bolt_server.uri, auth=(bolt_server.user, bolt_server.password)) as driver:
                with driver.session(database=bolt_server.database) as session:
                    for statement in split_script(cypher_script(model, name="ranges-script")):
                        session.run(statement).consume()
                    row = session.run("MATCH (:EcoNode {ecosystem: 'ranges-push'})-[x:PAYS {id: 'subs'}]->() "
                                      "RETURN x.count AS c, x.count_low AS l, x.count_high AS h, x.price_dist AS d"
                                      ).single()
            # Cypher reads the base under the property's own name, the parts beside it
            assert (row["c"], row["l"], row["h"], row["d"]) == (100.0, 90.0, 130.0, "uniform")
            assert store.pull("ranges-script").to_data() == model.to_data()
        finally:
            for name in ("ranges-push", "ranges-script"):
                if store.exists(name):
                    store.drop(name)


def test_a_saved_yaml_writes_a_range_on_the_line_of_its_property():
    from ecosystem_graph.fileio import dumps_model, parse_model_text

    model = ranged_model()
    text = dumps_model(model)
    assert "  price: {low: 1.5, base: 2.5, high: 3.0, dist: uniform}\n" in text
    assert "  size: {low: 800, base: 1000, high: 1500}\n" in text
    assert parse_model_text(text.encode(), "m.yaml").model == model


def test_a_label_s_verb_agrees_with_a_name_that_reads_as_plural():
    # A segment is a group ("Diners pay"); another node is one actor ("Shop pays") unless its name's last word
    # ends in a lower-case s other than ss, us or is ("Restaurants pay", "Online stores pay"; "Business pays",
    # "AWS pays").
    r = {"low": 1, "base": 2, "high": 3}
    m = Ecosystem.model_validate({
        "name": "Words", "currency": "EUR", "period": "2025",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "stores", "kind": "core", "name": "Online stores"},
                  {"id": "ads", "kind": "satellite", "name": "Restaurant ads"},
                  {"id": "aws", "kind": "satellite", "name": "AWS"},
                  {"id": "biz", "kind": "partner", "name": "Amazon Business"},
                  {"id": "rest", "kind": "partner", "name": "Restaurants"},
                  {"id": "diners", "kind": "segment", "name": "Diners"}],
        "relationships": [{"from": "rest", "to": "ads", "type": "PAYS", "amount": r},
                          {"from": "stores", "to": "rest", "type": "PAYS", "amount": r},
                          {"from": "biz", "to": "shop", "type": "PAYS", "amount": r},
                          {"from": "aws", "to": "shop", "type": "FEEDS", "strength": {"low": 0.1, "base": 0.2}},
                          {"from": "ads", "to": "shop", "type": "FEEDS", "strength": {"low": 0.1, "base": 0.2}},
                          {"from": "diners", "to": "shop", "type": "PAYS", "amount": r}]})
    assert [a.label for a in m.assumptions()] == [
        "Restaurants pay Restaurant ads: amount", "Online stores pay Restaurants: amount",
        "Amazon Business pays Shop: amount", "AWS feeds Shop: strength", "Restaurant ads feed Shop: strength",
        "Diners pay Shop: amount"]
