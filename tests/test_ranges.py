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
    plain = load_model(AMAZON)
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
                                      "Plus pays Shop: share", "Fans convert to Buyers: rate"]
    # count x price = 100 x 2; the linked flow is 0.15 x 200 = 30: both derived amounts read the bases
    assert m.relationships[1].amount == 200.0
    assert m.relationships[3].amount == pytest.approx(30.0)
    # every assumption's key is the key of its edge in the graph, whose attribute is the base number
    G = to_networkx(m)
    assert G.graph["assumptions"] == got
    for a in got[1:]:
        assert G.edges[a.source, a.target, a.key][a.property] == a.base
    assert G.nodes["fans"]["size"] == 1000


def test_from_networkx_restores_the_ranges():
    rels = [{"id": "subs", "from": "fans", "to": "plus", "type": "PAYS", "amount": {"low": 1, "base": 2, "high": 3}},
            {"from": "fans", "to": "shop", "type": "USES", "switching_cost": {"low": 0.5, "base": 1, "high": 4}}]
    m = Ecosystem.model_validate(tiny({"size": {"low": 10, "base": 20, "high": 30}}, rels))
    back = from_networkx(to_networkx(m))
    assert back.assumptions() == m.assumptions()


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


def test_analyze_of_a_ranged_model_equals_analyze_of_its_base_numbers():
    data = yaml.safe_load(AMAZON.read_text(encoding="utf-8"))
    ranged, made = _ranged_copy(data)
    assert made > 30  # the example's amounts, rates, shares, sizes, switching costs
    plain_model = Ecosystem.model_validate(data)
    ranged_model = Ecosystem.model_validate(ranged)
    assert len(ranged_model.assumptions()) == made
    before = analyze(to_networkx(plain_model), parallel=False).to_dict()
    after = analyze(to_networkx(ranged_model), parallel=False).to_dict()
    assert after == before


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


def test_a_range_on_amount_with_count_and_price_is_an_error(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, count: 10, price: 2, amount: {low: 10, base: 20, high: 30}}\n"
    (error,) = errors_of(tmp_path, text)
    assert error.endswith("a range on amount together with count and price: the amount is count x price, so give "
                          "the ranges on count and price in relationships[1]")
