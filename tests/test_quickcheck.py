"""The quick check behind ``ecograph validate``: it vouches only for what the pydantic model accepts cleanly.

The model is the reference: every case here is decided by ``validate_data`` (the model) and the quick check
must never say yes where the model finds any problem; on clean files it must say yes, or validate would
never take the quick path.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosystem_graph import quickcheck
from ecosystem_graph.cli import cli
from ecosystem_graph.errors import EcographError
from ecosystem_graph.fileio import check_file
from ecosystem_graph.model import json_schema
from ecosystem_graph.quickcheck import SCHEMA_FILE, core_schema_of, vouch
from ecosystem_graph.validation import validate_data

from .hostile import base_model, make_cases
from .strategies import ecosystem_data, linked_ecosystem_data

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILES = sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("ecosystem_graph/templates/*.yaml"),
                      *ROOT.glob("tests/data/*.yaml")])


def clean(data: dict) -> bool:
    """The reference: the model accepts the data with no problem, not even a warning."""
    model, problems = validate_data(copy.deepcopy(data))
    return model is not None and not problems


def test_the_schema_in_the_package_is_the_models_schema():
    # The quick check reads this copy; after a change to the model, regenerate it with
    # `ecograph schema -o ecosystem_graph/model.schema.json`.
    printed = CliRunner().invoke(cli, ["schema"]).output
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed
    assert json.loads(printed) == json_schema()


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_quick_check_agrees_with_the_model_on_every_bundled_model(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert vouch(data) == clean(data)


def test_the_bundled_examples_take_the_quick_path():
    # Otherwise the quick path would be dead code: the examples are clean, and validate vouches for them.
    for name in ("amazon.yaml", "newspaper-funnel.yaml", "newsroom-passthrough.yaml"):
        result = check_file(ROOT / "examples" / name, build_model=False)
        assert result.model is None and result.vouched is not None and result.problems == []


def test_counts_of_a_vouched_file_are_those_of_the_model():
    quick = check_file(ROOT / "examples" / "amazon.yaml", build_model=False)
    full = check_file(ROOT / "examples" / "amazon.yaml")
    # examples/amazon.yaml: 25 nodes and 66 relationships (counted with yaml.safe_load)
    assert quick.counts == full.counts == (25, 66)
    assert quick.valid and full.valid


def rich_model() -> dict:
    """A clean model with every rule in play: ranges, count x price, a linked flow chain, attributes, a period
    given as a number, a funnel; each case below breaks one thing."""
    data = base_model()
    data["period"] = 2024
    data["nodes"][0]["attributes"] = {"founded": 1994, "tags": ["a", 2, 3.5, True]}
    data["nodes"][2]["size"] = {"low": 800, "base": 1000, "high": 1200}
    data["relationships"][0].update({"id": "sales", "count": 500, "price": 10})
    data["relationships"][0].pop("amount")
    data["relationships"][1]["amount"] = {"low": 800, "base": 900, "high": 1000, "dist": "uniform"}
    data["relationships"] += [
        {"id": "payout", "from": "core", "to": "app", "type": "PAYS", "share_of": "sales", "share": 0.3},
        {"from": "app", "to": "payers", "type": "PAYS", "share_of": "payout", "share": {"low": 0.1, "base": 0.2}},
    ]
    return data


def test_the_rich_model_is_clean_and_vouched_for():
    data = rich_model()
    assert clean(data)
    assert vouch(data)


def _set(path: tuple, value):
    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


def _drop(path: tuple):
    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return change


def _append(section: str, item: dict):
    return lambda data: data[section].append(item)


# Each case breaks one rule of the model; the model finds at least one problem, and the quick check must refuse.
BROKEN = {
    "range low above base": _set(("nodes", 2, "size"), {"low": 1100, "base": 1000}),
    "range high below base": _set(("relationships", 1, "amount"), {"base": 900, "high": 899.5}),
    "range bound out of 0..1": _set(("relationships", 2, "share"), {"low": 0.5, "base": 0.9, "high": 1.2}),
    "unknown distribution": _set(("relationships", 1, "amount"), {"base": 900, "dist": "normal"}),
    "amount is not count x price": _set(("relationships", 0, "amount"), 4999),
    "count x price over the maximum": _set(("relationships", 0, "price"), 1e16),
    # 2e17 x 10 = 2e18 > 1e18 at the highs; 500 x 10 = 5,000 at base
    "count x price over the maximum at their highs": _set(("relationships", 0, "count"),
                                                          {"base": 500, "high": 2e17}),
    "a range on amount with count and price": _set(("relationships", 0, "amount"), {"base": 5000}),
    "PAYS without amount": _drop(("relationships", 0, "count")),
    "share without share_of": _drop(("relationships", 6, "share_of")),
    "share_of together with an amount": _set(("relationships", 6, "amount"), 10),
    "share_of without share": _drop(("relationships", 6, "share")),
    "share_of an unknown flow": _set(("relationships", 6, "share_of"), "sale"),
    "share_of a relationship that is not a PAYS": _set(("relationships", 6, "share_of"), "upgrade"),
    "share_of cycle": lambda d: d["relationships"][0].update({"share_of": "payout", "share": 0.5,
                                                              "count": None, "price": None}),
    "over-long whole number in attributes": _set(("nodes", 0, "attributes", "founded"), 10**100),
    "NaN amount": _set(("relationships", 1, "amount"), math.nan),
    "infinite switching cost": _set(("relationships", 2, "switching_cost"), math.inf),
    "NaN in attributes": _set(("nodes", 0, "attributes", "ratio"), math.nan),
    "fractional segment size": _set(("nodes", 3, "size"), 100.5),
    "negative amount": _set(("relationships", 1, "amount"), -1),
    "share above 1": _set(("relationships", 2, "share"), 1.5),
    "text for a number": _set(("relationships", 5, "rate"), "ten percent"),
    "unknown key": _set(("nodes", 1, "colour"), "red"),
    "unknown kind": _set(("nodes", 1, "kind"), "store"),
    "unknown type": _set(("relationships", 4, "type"), "LIKES"),
    "missing name": _drop(("nodes", 1, "name")),
    "empty name": _set(("nodes", 1, "name"), ""),
    "bad id": _set(("nodes", 1, "id"), "-app"),
    "bad currency": _set(("currency",), "euro"),
    "schema version 2": _set(("schema_version",), 2),
    "period as a list": _set(("period",), [2024]),
    "unknown mechanism": _set(("relationships", 3, "mechanisms"), ["habit"]),
    "tags not a list": _set(("nodes", 0, "tags"), "core"),
    "a node that is not a mapping": _set(("nodes", 1), "app"),
    "nodes not a list": _set(("nodes",), {"core": {}}),
    "duplicate node id": _set(("nodes", 3, "id"), "buyers"),
    "duplicate relationship id": _set(("relationships", 5, "id"), "sales"),
    "unknown node": _set(("relationships", 4, "to"), "buyer"),
    "a relationship to itself": _set(("relationships", 4, "to"), "app"),
    "a kind a type may not join": _set(("relationships", 4, "from"), "core"),
    "conversion rates over 1": _append("relationships", {"from": "buyers", "to": "payers", "type": "CONVERTS_TO",
                                                         "rate": 0.95}),
    # 0.1 + 0.1 = 0.2 at base, 0.95 + 0.1 = 1.05 at the highs
    "conversion rates over 1 at their highs": lambda d: (
        d["relationships"][5].update(rate={"base": 0.1, "high": 0.95}),
        d["relationships"].append({"from": "buyers", "to": "payers", "type": "CONVERTS_TO", "rate": 0.1})),
    # Warnings: the model accepts these, the quick check leaves them to it so that validate prints them.
    "an isolated node (a warning)": _append("nodes", {"id": "alone", "kind": "partner", "name": "Alone"}),
    "a segment that uses nothing (a warning)": lambda d: d["relationships"].pop(3),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_quick_check_refuses_what_the_model_finds_a_problem_in(name):
    data = rich_model()
    BROKEN[name](data)
    assert not clean(data)
    assert not vouch(data)


def test_a_form_only_the_model_knows_goes_to_the_model():
    # One-sided: "source"/"target" are the model's own field names, which it accepts; the quick check knows
    # only the file format's "from"/"to" and leaves such data to the model.
    data = rich_model()
    data["relationships"][4]["source"] = data["relationships"][4].pop("from")
    assert clean(data)
    assert not vouch(data)


@pytest.mark.parametrize("node", [
    {"not": {"type": "string"}},
    {"type": "number", "exclusiveMinimum": 0},  # Field(gt=0)
    {"type": "integer", "multipleOf": 5},
    {"type": "array", "items": {"type": "string"}, "minItems": 1},  # a list with min_length
    {"type": "array", "items": {"type": "string"}, "uniqueItems": True},  # a set
    {"type": "string", "format": "date"},  # a date
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}},
    {"anyOf": [{"type": "string"}, {"type": "null"}], "minLength": 2},
])
def test_a_schema_form_the_converter_does_not_know_is_refused_not_guessed(node):
    # A constraint the quick check would not apply would let it vouch for what the model refuses.
    with pytest.raises(ValueError, match="model.schema.json: "):
        core_schema_of(node)


def test_sections_in_a_form_no_file_gives_go_to_the_model():
    # Tuples (Python callers; YAML and JSON give lists) are the model's to read, and it reads them.
    data = rich_model()
    data["nodes"] = tuple(data["nodes"])
    assert not vouch(data)
    assert validate_data(copy.deepcopy(data))[0] is not None


# ------------------------------------------------------------------- every file of the hostile battery


def test_validate_says_the_same_with_and_without_the_quick_path_on_the_hostile_battery(tmp_path):
    cases = [c for c in make_cases(tmp_path) if c.role == "model" and c.path.is_file()]
    assert len(cases) > 40
    for case in cases:
        runs = []
        for build_model in (True, False):
            try:
                result = check_file(case.path, build_model=build_model)
            except EcographError as exc:  # an unreadable file: the same error either way
                runs.append(("raised", type(exc).__name__, str(exc)))
                continue
            runs.append((result.valid, [p.format() for p in result.problems],
                         result.counts if result.valid else None))
        assert runs[0] == runs[1], case.name


# -------------------------------------------------------------------- random models and random breakage


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ecosystem_data(ranges=True), linked_ecosystem_data()))
def test_on_random_models_the_quick_check_says_what_the_model_says(data):
    assert vouch(data) == clean(data)


HOSTILE_VALUES = [None, "", "x", -1, 0, 0.5, 1, 2, 1e19, math.nan, math.inf, True, [], {}, ["a"],
                  {"base": 0.5}, {"low": 2, "base": 1}, {"base": 1, "high": 0}, {"base": "1"}, 10**101,
                  "USES", "core", "buyers", "sales"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_after_any_one_change_the_quick_check_never_vouches_for_what_the_model_refuses(draw):
    data = rich_model()
    section = draw.draw(st.sampled_from(["nodes", "relationships", None]))
    if section is None:
        target = data
    else:
        target = data[section][draw.draw(st.integers(0, len(data[section]) - 1))]
    keys = sorted(target) + ["amount", "share_of", "share", "size", "rate", "count", "id", "extra"]
    key = draw.draw(st.sampled_from(keys))
    if draw.draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = draw.draw(st.sampled_from(HOSTILE_VALUES))
    if vouch(data):
        assert clean(data)


def test_validate_prints_the_same_with_the_quick_path_and_without(tmp_path, monkeypatch):
    # The command as a user runs it, on every bundled model and every model file of the hostile battery:
    # the same output, errors and exit code when the quick check is switched off (the model reads every file).
    paths = MODEL_FILES + [c.path for c in make_cases(tmp_path / "battery") if c.role == "model" and c.path.is_file()]
    runner = CliRunner()

    def outputs():
        return [(r.exit_code, r.stdout, r.stderr) for r in
                (runner.invoke(cli, ["validate", str(p), "--max-bytes", "1000000"]) for p in paths)]

    quick = outputs()
    monkeypatch.setattr(quickcheck, "vouch", lambda data, references=None: False)
    assert outputs() == quick
    assert sum(code == 0 for code, _, _ in quick) >= 8 and sum(code == 1 for code, _, _ in quick) >= 40
