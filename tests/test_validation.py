"""One test per validation error class: the exact message and its FILE:LINE:COL location."""

from __future__ import annotations

import json

import pytest

from ecosystem_graph.errors import ModelValidationError
from ecosystem_graph.fileio import check_file, load_model

HEAD = """\
schema_version: 1
name: Test
currency: EUR
period: '2024'
nodes:
  - id: shop
    kind: core
    name: Shop
  - id: prime-video
    kind: satellite
    name: Prime Video
  - id: fans
    kind: segment
    name: Fans
relationships:
  - from: fans
    to: shop
    type: PAYS
    amount: 10
"""
# Lines 1-19 above; the relationship added by each test starts at line 20 (relationships[1]).


def at(text: str, line: int, token: str, nth: int = 1) -> str:
    """``LINE:COL`` of the nth occurrence of ``token`` on 1-based ``line`` of ``text``."""
    row = text.splitlines()[line - 1]
    col = -1
    for _ in range(nth):
        col = row.index(token, col + 1)
    return f"{line}:{col + 1}"


def problems_of(tmp_path, text: str, name: str = "m.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [p.format() for p in check_file(path).problems]


def errors_of(tmp_path, text: str, name: str = "m.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [p.format() for p in check_file(path).errors]


def test_valid_head_has_only_the_expected_warning(tmp_path):
    # prime-video takes part in nothing, and fans only pays: warnings, not errors.
    assert problems_of(tmp_path, HEAD) == [
        f"{tmp_path}/m.yaml:9:5: warning: node 'prime-video' has no relationships",
        f"{tmp_path}/m.yaml:12:5: warning: segment 'fans' uses nothing and no channel reaches it",
    ]


def test_unknown_node_reference_names_line_and_suggests(tmp_path):
    text = HEAD + "  - {from: fans, to: prime-vidoe, type: USES}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, 'prime-vidoe')}: unknown node 'prime-vidoe' in relationships[1].to; did you mean 'prime-video'?"
    ]


def test_unknown_node_without_close_match_has_no_suggestion(tmp_path):
    text = HEAD + "  - {from: zzzzzz, to: shop, type: PAYS, amount: 1}\n"
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:{at(text, 20, 'zzzzzz')}: unknown node 'zzzzzz' in relationships[1].from"]


def test_unknown_key_points_at_the_key_and_suggests(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, amout: 3}\n"
    errs = errors_of(tmp_path, text)
    assert f"{tmp_path}/m.yaml:{at(text, 20, 'amout')}: unknown key 'amout' in relationships[1]; did you mean 'amount'?" in errs


def test_unknown_top_level_key(tmp_path):
    text = HEAD.replace("period: '2024'\n", "period: '2024'\ncurrancy: EUR\n")
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:5:1: unknown key 'currancy' in (top level); did you mean 'currency'?"]


def test_duplicate_id(tmp_path):
    text = HEAD.replace("relationships:\n", "  - id: shop\n    kind: satellite\n    name: Again\nrelationships:\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:15:9: duplicate id 'shop' in nodes[3].id; first defined in nodes[0]"
    ]


def test_unknown_kind_suggests_the_lower_case_kind(tmp_path):
    text = HEAD.replace("kind: satellite", "kind: Satelite")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:10:11: unknown kind 'Satelite' in nodes[1].kind; expected one of core, satellite, "
        "channel, partner, segment; did you mean 'satellite'?"
    ]


def test_unknown_relationship_type(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: USED}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, 'USED')}: unknown type 'USED' in relationships[1].type; expected one of USES, PAYS, "
        "FEEDS, REACHES, SUPPLIES, DEPENDS_ON, CONVERTS_TO; did you mean 'USES'?"
    ]


def test_missing_required_key(tmp_path):
    text = HEAD.replace("    name: Fans\n", "")
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:12:5: missing key 'name' in nodes[2]"]


def test_type_not_allowed_between_these_kinds(tmp_path):
    text = HEAD + "  - {from: shop, to: fans, type: USES}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, 'USES')}: USES from core 'shop' to segment 'fans' is not allowed in relationships[1]; "
        "USES goes from segment to core, satellite or channel"
    ]


def test_self_loop(tmp_path):
    text = HEAD + "  - {from: shop, to: shop, type: DEPENDS_ON}\n"
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:{at(text, 20, 'shop', nth=2)}: relationships[1] joins 'shop' to itself"]


@pytest.mark.parametrize(
    "prop, value, expected",
    [
        ("share", "1.5", "relationships[1].share is 1.5; must be between 0 and 1"),
        ("share", "-0.1", "relationships[1].share is -0.1; must be between 0 and 1"),
        ("switching_cost", "-2", "relationships[1].switching_cost is -2; must be >= 0"),
        ("share", ".nan", "relationships[1].share is NaN; NaN and infinity are not allowed"),
        ("switching_cost", ".inf", "relationships[1].switching_cost is inf; NaN and infinity are not allowed"),
    ],
)
def test_ranges_and_non_finite_numbers(tmp_path, prop, value, expected):
    text = HEAD + f"  - {{from: fans, to: prime-video, type: USES, {prop}: {value}}}\n"
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:{at(text, 20, value)}: {expected}"]


def test_negative_amount_and_count(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, count: -1, price: 2}\n"
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:{at(text, 20, '-1')}: relationships[1].count is -1; must be >= 0"]


def test_amount_must_equal_count_times_price(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, amount: 5, count: 2, price: 3}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, '5')}: amount 5 is not count x price = 2 x 3 = 6 in relationships[1]"
    ]


def test_amount_is_derived_from_count_and_price(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, count: 4, price: 2.5}\n"
    (tmp_path / "m.yaml").write_text(text)
    model = load_model(tmp_path / "m.yaml")
    assert model.relationships[1].amount == 10.0  # 4 x 2.5


def test_pays_needs_money(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: PAYS, stream: fee}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:20:5: PAYS needs an amount, a count and a price, or a share_of and a share in relationships[1]"
    ]


def test_unknown_mechanism_suggests(tmp_path):
    text = HEAD + "  - {from: fans, to: shop, type: USES, mechanisms: [loyalty]}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, 'loyalty')}: unknown mechanisms value 'loyalty' in relationships[1].mechanisms[0]; expected "
        "one of contractual_commitment, durable_purchase, brand_specific_training, information_and_databases, "
        "specialized_suppliers, search_costs, loyalty_program; did you mean 'loyalty_program'?"
    ]


def test_conversion_rates_leaving_a_stage_over_one(tmp_path):
    text = HEAD.replace("relationships:\n", "  - {id: b, kind: segment, name: B}\n  - {id: c, kind: segment, name: C}\n"
                        "relationships:\n")
    text += "  - {from: fans, to: b, type: CONVERTS_TO, rate: 0.7}\n  - {from: fans, to: c, type: CONVERTS_TO, rate: 0.4}\n"
    # 0.7 + 0.4 = 1.1 > 1; reported at the last of them (line 23, its rate at column 50).
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 23, '0.4')}: conversion rates leaving 'fans' sum to 1.1 (relationships[1], relationships[2]); "
        "they must not exceed 1"
    ]


@pytest.mark.parametrize("first, second", [('"0.7"', '"0.4"'), ("true", "0.4"), ('{base: 0.1, high: "0.95"}', "0.1")])
def test_conversion_rates_written_as_text_or_true_count_in_the_sum(tmp_path, first, second):
    # The model reads "0.7" as 0.7 and true as 1 (pydantic's lax numbers), so the sum must read them too:
    # "0.7" + "0.4" = 1.1; true + 0.4 = 1.4; at their highs "0.95" + 0.1 = 1.05 (0.1 + 0.1 = 0.2 at base).
    text = HEAD.replace("relationships:\n", "  - {id: b, kind: segment, name: B}\n  - {id: c, kind: segment, name: C}\n"
                        "relationships:\n")
    text += (f"  - {{from: fans, to: b, type: CONVERTS_TO, rate: {first}}}\n"
             f"  - {{from: fans, to: c, type: CONVERTS_TO, rate: {second}}}\n")
    total = {'"0.7"': "sum to 1.1 (", "true": "sum to 1.4 (", "{base": "sum to 1.05 at their highs ("}
    (error,) = errors_of(tmp_path, text)
    assert f"conversion rates leaving 'fans' {total[first.split(':')[0]]}relationships[1], relationships[2])" in error


def test_a_rate_of_hundreds_of_digits_is_an_error_not_a_crash(tmp_path):
    text = HEAD.replace("relationships:\n", "  - {id: b, kind: segment, name: B}\nrelationships:\n")
    text += "  - {from: fans, to: b, type: CONVERTS_TO, rate: " + "9" * 401 + "}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 21, '999')}: relationships[1].rate must be a number, not a number of 401 digits"]


def test_a_type_that_is_a_list_is_an_error_not_a_crash(tmp_path):
    text = HEAD.replace("    type: PAYS\n", "    type: [PAYS]\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 18, '[')}: unknown type '['PAYS']' in relationships[0].type; expected one of "
        "USES, PAYS, FEEDS, REACHES, SUPPLIES, DEPENDS_ON, CONVERTS_TO; did you mean 'PAYS'?"]


def test_a_share_of_naming_a_relationship_of_no_valid_type_is_one_error(tmp_path):
    # The type's own error says it; a second one ("names a ['PAYS'] relationship") would contradict it.
    text = HEAD.replace("  - from: fans\n    to: shop\n    type: PAYS\n",
                        "  - id: sales\n    from: fans\n    to: shop\n    type: [PAYS]\n")
    text += "  - {from: shop, to: prime-video, type: PAYS, share_of: sales, share: 0.5}\n"
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and "unknown type '['PAYS']' in relationships[0].type" in errors[0]


def test_binary_data_is_refused_where_it_is(tmp_path):
    # A reference written as !!binary would be read as text by the model but skipped by the checks across items.
    text = HEAD.replace("    to: shop\n", "    to: !!binary c2hvcA==\n")  # "shop"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 17, '!!binary')}: YAML syntax error: binary data (!!binary) cannot be a value "
        "of a model file; write it as text"]


def test_conversion_rates_summing_to_exactly_one_are_fine(tmp_path):
    text = HEAD.replace("relationships:\n", "  - {id: b, kind: segment, name: B}\n  - {id: c, kind: segment, name: C}\n"
                        "relationships:\n")
    text += "  - {from: fans, to: b, type: CONVERTS_TO, rate: 0.7}\n  - {from: fans, to: c, type: CONVERTS_TO, rate: 0.3}\n"
    assert errors_of(tmp_path, text) == []


def test_invalid_id_and_currency(tmp_path):
    text = HEAD.replace("currency: EUR", "currency: euro").replace("id: fans", "id: Die Fans")
    text = text.replace("from: fans", "from: Die Fans")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:3:11: currency 'euro' must be a 3-letter ISO 4217 code in capitals, e.g. 'USD' or 'EUR'",
        f"{tmp_path}/m.yaml:12:9: nodes[2].id 'Die Fans' is not a valid id: use letters, digits, '-', '_' and '.', "
        "starting with a letter or digit (e.g. 'die-fans')",
    ]


def test_wrong_value_type(tmp_path):
    text = HEAD.replace("amount: 10", "amount: ten")
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:19:13: relationships[0].amount must be a number, not 'ten'"]


def test_unsupported_schema_version(tmp_path):
    text = HEAD.replace("schema_version: 1", "schema_version: 2")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:1:17: schema_version 2 is not supported; this version of ecograph reads schema_version 1"
    ]


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    text = HEAD.replace("    name: Shop\n", "    name: Shop: the best\n")
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:8:15: YAML syntax error: mapping values are not allowed in this context"]


def test_json_syntax_error_has_line_and_column(tmp_path):
    assert errors_of(tmp_path, '{"name": "x",\n  "nodes": [}\n', "m.json") == [
        f"{tmp_path}/m.json:2:13: JSON syntax error: Expecting value"
    ]


def test_json_problems_are_located_by_line_and_column(tmp_path):
    import yaml

    data = yaml.safe_load(HEAD + "  - {from: fans, to: prime-vidoe, type: USES}\n")
    text = json.dumps(data, indent=1)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "prime-vidoe" in ln)
    QUOTED_TYPO = '"prime-vidoe"'  # a JSON string value starts at its opening quote
    assert errors_of(tmp_path, text, "m.json") == [
        f"{tmp_path}/m.json:{at(text, line, QUOTED_TYPO)}: unknown node 'prime-vidoe' in relationships[1].to; did you mean 'prime-video'?"
    ]


def test_not_a_mapping(tmp_path):
    assert errors_of(tmp_path, "- just\n- a list\n") == [
        f"{tmp_path}/m.yaml:1:1: the file must be a mapping with keys name, currency, period, nodes and "
        "relationships; found list"
    ]


def test_empty_file(tmp_path):
    assert errors_of(tmp_path, "") == [
        f"{tmp_path}/m.yaml:$: the file must be a mapping with keys name, currency, period, nodes and relationships; "
        "found an empty document"
    ]


def test_all_problems_are_reported_at_once_in_file_order(tmp_path):
    text = HEAD.replace("kind: satellite", "kind: sattelite") + "  - {from: fans, to: nobody, type: USES, share: 2}\n"
    errs = errors_of(tmp_path, text)
    assert [e.split(": ", 1)[0] for e in errs] == [f"{tmp_path}/m.yaml:{at(text, 10, 'sattelite')}",
                                                    f"{tmp_path}/m.yaml:{at(text, 20, 'nobody')}",
                                                    f"{tmp_path}/m.yaml:{at(text, 20, '2}')}"]


def test_warnings_for_unserved_segment_and_core_without_revenue(tmp_path):
    text = """\
schema_version: 1
name: W
currency: EUR
period: '2024'
nodes:
  - {id: shop, kind: core, name: Shop}
  - {id: app, kind: channel, name: App}
  - {id: fans, kind: segment, name: Fans}
relationships:
  - {from: app, to: shop, type: FEEDS}
  - {from: fans, to: app, type: PAYS, amount: 1}
"""
    assert problems_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:6:5: warning: core 'shop' has no revenue (nothing PAYS it)",
        f"{tmp_path}/m.yaml:8:5: warning: segment 'fans' uses nothing and no channel reaches it",
    ]


def test_load_model_raises_with_every_problem(tmp_path):
    (tmp_path / "m.yaml").write_text(HEAD + "  - {from: x, to: y, type: USES}\n")
    with pytest.raises(ModelValidationError) as info:
        load_model(tmp_path / "m.yaml")
    assert str(info.value).splitlines()[-1] == f"2 errors in {tmp_path}/m.yaml"
    # two errors, and the warnings for prime-video (no relationships) and fans (nothing serves it)
    assert [p.severity for p in info.value.problems] == ["warning", "warning", "error", "error"]


def test_suggestion_is_fast_with_many_ids(tmp_path):
    # 20,000 ids: the suggestion still finds the near miss (a length prefilter keeps it quick).
    nodes = "".join(f"  - {{id: seg-{i:05d}, kind: segment, name: S}}\n" for i in range(20000))
    nodes += "  - {id: prime-members, kind: segment, name: P}\n"
    text = HEAD.replace("relationships:\n", nodes + "relationships:\n") + "  - {from: prime-membres, to: shop, type: USES}\n"
    line = 20 + 20001
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:{at(text, line, 'prime-membres')}: unknown node "
                                         "'prime-membres' in relationships[1].from; did you mean 'prime-members'?"]


# ------------------------------------------------------------------------------- duplicate keys

AMOUNT_TWICE = HEAD + """\
  - from: fans
    to: prime-video
    type: PAYS
    amount: 5
    amount: 7
"""
# Lines 20-24: 'amount' first at line 23, again at line 24 column 5.


def test_duplicate_key_in_a_relationship_is_located_with_its_first_line(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(AMOUNT_TWICE)
    result = check_file(path)
    assert result.model is None
    assert [p.format() for p in result.errors] == [f"{path}:24:5: duplicate key 'amount' (first at line 23)"]


def test_duplicate_id_key_is_reported_with_the_problems_it_causes(tmp_path):
    # 'id' given twice in nodes[0] (lines 6 and 8): the last value wins, so 'shop' no longer exists and
    # the relationship to it (line 18, "    to: shop", 'shop' at column 9) is a second error.
    text = HEAD.replace("    kind: core\n", "    kind: core\n    id: shop-again\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:8:5: duplicate key 'id' (first at line 6)",
        f"{tmp_path}/m.yaml:18:9: unknown node 'shop' in relationships[0].to; did you mean 'shop-again'?",
    ]


def test_duplicate_top_level_key(tmp_path):
    # A second 'nodes' at line 20 replaces the first (line 5): 'fans' and 'shop' become unknown
    # (line 16 "  - from: fans": column 11; line 17 "    to: shop": column 9).
    text = HEAD + "nodes:\n  - {id: x, kind: core, name: X}\n"
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:16:11: unknown node 'fans' in relationships[0].from",
        f"{tmp_path}/m.yaml:17:9: unknown node 'shop' in relationships[0].to",
        f"{tmp_path}/m.yaml:20:1: duplicate key 'nodes' (first at line 5)",
    ]


def test_duplicate_keys_in_flow_mappings_and_in_a_merge(tmp_path):
    # In a flow mapping the repeated key has its own column; a key that overrides a merged one ('<<')
    # is not a duplicate (that is what merge keys are for).
    text = HEAD + ("  - {from: fans, to: shop, type: USES, share: 0.5, share: 0.6}\n"
                   "  - &base {from: fans, to: prime-video, type: USES}\n"
                   "  - {<<: *base, to: shop, share: 0.1}\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:{at(text, 20, 'share', 2)}: duplicate key 'share' (first at line 20)",
    ]


def test_duplicate_keys_in_json(tmp_path):
    text = """\
{"schema_version": 1, "name": "T", "currency": "EUR", "period": "2024",
 "nodes": [
  {"id": "shop", "kind": "core", "name": "Shop"},
  {"id": "fans", "kind": "segment", "name": "Fans", "name": "Fans again"}
 ],
 "relationships": [
  {"from": "fans", "to": "shop", "type": "PAYS",
   "amount": 5,
   "amount": 7}
 ],
 "name": "T2"
}
"""
    # Repeated: "name" in nodes[1] (line 4, second '"name"'), "amount" (line 9, column 4; first at
    # line 8), and the top-level "name" (line 11, column 2; first at line 1).
    quoted_name = '"name"'  # a JSON key starts at its opening quote
    assert errors_of(tmp_path, text, "m.json") == [
        f"{tmp_path}/m.json:{at(text, 4, quoted_name, 2)}: duplicate key 'name' (first at line 4)",
        f"{tmp_path}/m.json:9:4: duplicate key 'amount' (first at line 8)",
        f"{tmp_path}/m.json:11:2: duplicate key 'name' (first at line 1)",
    ]


def test_validate_command_exits_1_on_a_duplicate_key(tmp_path):
    from click.testing import CliRunner

    from ecosystem_graph.cli import cli

    path = tmp_path / "m.yaml"
    path.write_text(AMOUNT_TWICE)
    result = CliRunner().invoke(cli, ["validate", "-q", str(path)])
    assert result.exit_code == 1
    assert result.output == f"{path}:24:5: duplicate key 'amount' (first at line 23)\n"


def test_duplicate_json_key_where_the_yaml_reader_gives_up_is_still_an_error(tmp_path):
    # A key over 1024 characters is valid JSON but not a YAML implicit key, so the repeated 'name' cannot
    # be placed by the YAML reader: it is reported at the mapping holding it (the top level, 1:1),
    # without its first line; the long key is found (1:2, after the opening brace) before the reader stops.
    long_key = "k" * 1100
    text = ('{"' + long_key + '": 1, "name": "a", "name": "b", "currency": "EUR", "period": "1"}')
    assert errors_of(tmp_path, text, "m.json") == [
        f"{tmp_path}/m.json:1:1: duplicate key 'name'",
        f"{tmp_path}/m.json:1:2: unknown key '{long_key}' in (top level)",
    ]


def test_omitted_lists_and_maps_are_new_for_every_item():
    # The defaults of tags, attributes, mechanisms, cost_types, nodes and relationships come from factories:
    # filling one item's list must leave every other item's (and a later model's) empty.
    from ecosystem_graph.model import CoreNode, Ecosystem, Uses

    first = CoreNode(id="a", kind="core", name="A")
    second = CoreNode(id="b", kind="core", name="B")
    first.tags.append("x")
    first.attributes["k"] = 1
    assert (second.tags, second.attributes) == ([], {})
    one = Uses(type="USES", **{"from": "s", "to": "a"})
    one.mechanisms.append("search_costs")
    one.cost_types.append("financial")
    other = Uses(type="USES", **{"from": "s", "to": "b"})
    assert (other.mechanisms, other.cost_types) == ([], [])
    model = Ecosystem(name="E", currency="EUR", period="2024")
    model.nodes.append(first)
    assert Ecosystem(name="F", currency="EUR", period="2024").nodes == []
    # and a file written back leaves them out, as before
    assert "tags" not in Ecosystem(name="G", currency="EUR", period="2024", nodes=[second]).to_data()["nodes"][0]
