"""Importing Kumu workbooks, Kumu JSON and CSV pairs: mapping, ids, and every problem located at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ecosystem_graph.errors import InputError, InteropError, UsageError
from ecosystem_graph.interop import ImportOptions, import_format, import_source, parse_type_map
from ecosystem_graph.interop.slug import SlugAllocator, slugify
from ecosystem_graph.model import ID_PATTERN

DATA = Path(__file__).parent / "data" / "interop"


def make_workbook(path: Path, elements: list[list], connections: list[list] | None = None,
                  metadata: list[list] | None = None) -> Path:
    """A workbook with an Elements sheet (and Connections / Ecosystem sheets when given)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Elements"
    for row in elements:
        ws.append(row)
    if connections is not None:
        ws = wb.create_sheet("Connections")
        for row in connections:
            ws.append(row)
    if metadata is not None:
        ws = wb.create_sheet("Ecosystem")
        for row in metadata:
            ws.append(row)
    wb.save(path)
    return path


def error_lines(exc: InteropError) -> list[str]:
    return [p.format() for p in exc.problems if p.is_error]


# --------------------------------------------------------------------------------------------- slugs


def test_slugify_folds_accents_and_punctuation():
    assert slugify("Prime Video (US)") == "prime-video-us"
    assert slugify("Café Crème") == "cafe-creme"
    assert slugify("  --AWS--  ") == "aws"
    assert slugify("東京", fallback="segment") == "segment"
    assert slugify("x" * 300) == "x" * 80


def test_slug_allocator_keeps_reserved_ids_and_numbers_clashes():
    ids = SlugAllocator(reserved=["prime"])
    assert [ids.allocate("Prime"), ids.allocate("PRIME"), ids.allocate("Prime 2"), ids.allocate("Prime")] == \
        ["prime-2", "prime-3", "prime-2-2", "prime-4"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=30))
def test_allocated_ids_are_valid_and_unique_for_any_labels(labels):
    ids = SlugAllocator()
    out = [ids.allocate(label, fallback="node") for label in labels]
    assert all(re.match(ID_PATTERN, i) for i in out)
    assert len({i.lower() for i in out}) == len(out)


# -------------------------------------------------------------------------------------------- --map


def test_parse_type_map_sorts_kinds_and_relationship_types():
    tm = parse_type_map(["Product=satellite", "Buys from=pays", " Sells Through = Depends on "])
    assert tm.kinds == {"product": "satellite"}
    assert tm.relationships == {"buys from": "PAYS", "sells through": "DEPENDS_ON"}


@pytest.mark.parametrize("item, message", [
    ("Product", "--map 'Product' must look like 'Source type=kind'"),
    ("=core", "--map '=core' must look like 'Source type=kind'"),
    ("Product=planet", "--map 'Product=planet': 'planet' is neither a node kind (core, satellite, channel, "
                       "partner, segment) nor a relationship type (USES, PAYS, FEEDS, REACHES, SUPPLIES, "
                       "DEPENDS_ON, CONVERTS_TO)"),
    ("Product=sattelite", "did you mean 'satellite'?"),
])
def test_parse_type_map_refuses_bad_items(item, message):
    with pytest.raises(UsageError) as info:
        parse_type_map([item])
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------- workbook


def good_workbook(tmp_path: Path) -> Path:
    return make_workbook(
        tmp_path / "shop.xlsx",
        [["Label", "Type", "Description", "Tags", "Size", "Region", "Role"],
         ["Online Shop", "Business core", "Our shop", "retail | web"],
         ["Loyalty Club", "Satellites"],
         ["Café App", "channel"],
         ["Carrier Co", "Partner", None, None, 7, None, "carrier"],
         ["Regulars", "Customer segment", None, None, 1200, "EU"],
         ["Flybys", "SEGMENT", None, None, 50000]],
        [["From", "To", "Type", "Amount", "Stream", "Switching cost", "Mechanisms", "Note", "Rate"],
         ["Regulars", "Online Shop", "Pays", 120.5, "Purchase"],
         ["Regulars", "Loyalty Club", "uses", None, None, 0.4, "Loyalty program | contractual commitment",
          "joined 2021"],
         ["Café App", "Regulars", "REACHES"],
         ["Loyalty Club", "Online Shop", "feed"],
         ["Carrier Co", "Online Shop", "Supplies", 3],
         ["Flybys", "Regulars", "converts to", None, None, None, None, None, 0.05],
         ["Online Shop", "Carrier Co", "depends on"]],
        [["name", "Shop 2024"], ["currency", "EUR"], ["period", 2024], ["money_unit", "thousand"]])


def test_workbook_import_maps_types_columns_and_metadata(tmp_path):
    result = import_source(good_workbook(tmp_path))
    m = result.model
    assert (m.name, m.currency, m.period, m.money_unit) == ("Shop 2024", "EUR", "2024", "thousand")
    nodes = {n.id: n for n in m.nodes}
    assert [(n.id, n.kind) for n in m.nodes] == [
        ("online-shop", "core"), ("loyalty-club", "satellite"), ("cafe-app", "channel"),
        ("carrier-co", "partner"), ("regulars", "segment"), ("flybys", "segment")]
    assert nodes["online-shop"].tags == ["retail", "web"]
    assert nodes["online-shop"].description == "Our shop"
    assert nodes["cafe-app"].name == "Café App"
    assert nodes["regulars"].size == 1200 and nodes["regulars"].attributes == {"Region": "EU"}
    # Size is a field of segments only: on a partner it is an attribute; Role is a partner field.
    assert nodes["carrier-co"].role == "carrier" and nodes["carrier-co"].attributes == {"Size": 7}
    rels = [(r.source, r.target, r.type) for r in m.relationships]
    assert rels == [("regulars", "online-shop", "PAYS"), ("regulars", "loyalty-club", "USES"),
                    ("cafe-app", "regulars", "REACHES"), ("loyalty-club", "online-shop", "FEEDS"),
                    ("carrier-co", "online-shop", "SUPPLIES"), ("flybys", "regulars", "CONVERTS_TO"),
                    ("online-shop", "carrier-co", "DEPENDS_ON")]
    pays, uses = m.relationships[0], m.relationships[1]
    assert (pays.amount, pays.stream) == (120.5, "purchase")
    assert uses.switching_cost == 0.4
    assert uses.mechanisms == ["loyalty_program", "contractual_commitment"]
    assert uses.attributes == {"Note": "joined 2021"}
    # Amount is not a SUPPLIES property: it is kept as an attribute, not dropped.
    assert m.relationships[4].attributes == {"Amount": 3}
    assert m.relationships[5].rate == 0.05
    # Model validation runs on the import too: its warnings point at the element's row.
    assert [p.format() for p in result.warnings] == [
        f"{tmp_path / 'shop.xlsx'}:Elements!A7: warning: segment 'flybys' uses nothing and no channel reaches it"]


def test_workbook_options_override_the_metadata_sheet(tmp_path):
    opts = ImportOptions(name="Other", currency="CHF", period="FY25")
    m = import_source(good_workbook(tmp_path), opts).model
    assert (m.name, m.currency, m.period, m.money_unit) == ("Other", "CHF", "FY25", "thousand")


def test_workbook_without_metadata_gets_documented_defaults_and_warnings(tmp_path):
    path = make_workbook(tmp_path / "my_shop-map.xlsx",
                         [["Label", "Type"], ["Shop", "core"], ["Fans", "segment"]],
                         [["From", "To", "Type", "Amount"], ["Fans", "Shop", "PAYS", 1]])
    result = import_source(path)
    assert (result.model.name, result.model.currency, result.model.period) == ("my shop map", "USD", "unspecified")
    assert [p.format() for p in result.warnings] == [
        f"{path}: warning: no currency given; assumed USD (set it with --currency)",
        f"{path}: warning: no period given; set to 'unspecified' (set it with --period, e.g. --period 2023)",
        f"{path}:Elements!A3: warning: segment 'fans' uses nothing and no channel reaches it",
    ]


def test_workbook_problems_are_all_reported_with_sheet_and_cell(tmp_path):
    path = make_workbook(
        tmp_path / "bad.xlsx",
        [["Label", "Type", "Description", "Tags", "Size"],
         ["Shop", "Core"],
         ["Prime", "Satellite"],
         ["Moon Base", "Planet"],
         [None, "Segment", "no label"],
         ["Prime", "Satellite"],
         ["Fans", "Segment", None, None, -5]],
        [["From", "To", "Type", "Amount"],
         ["Fans", "Shop", "Pays", 10],
         ["Fans", "Shopp", "Pays", 5],
         ["Fans", "Prime", "Subscribes"],
         ["Fans", "Shop", "Pays", -3],
         ["Shop", "Fans", "Reaches"]])
    with pytest.raises(InteropError) as info:
        import_source(path)
    assert error_lines(info.value) == [
        f"{path}:Elements!B4: unknown element type 'Planet' for 'Moon Base'; expected one of core, satellite, "
        f"channel, partner, segment; did you mean 'partner'? (or map it: --map 'Planet=kind')",
        f"{path}:Elements!A5: missing label: every element needs a Label",
        f"{path}:Elements!A6: duplicate label 'Prime'; first used at {path}:Elements!A3 (labels name elements "
        f"in From/To, so they must be unique; or give each element an ID)",
        f"{path}:Elements!E7: 'Size' is -5; must be >= 0",
        f"{path}:Connections!B3: 'Shopp' in To is not an element in Elements; did you mean 'Shop'?",
        f"{path}:Connections!B4: 'Prime' in To is the label of several elements; refer to one by its ID",
        f"{path}:Connections!C4: unknown connection type 'Subscribes'; expected one of USES, PAYS, FEEDS, "
        f"REACHES, SUPPLIES, DEPENDS_ON, CONVERTS_TO (or map it: --map 'Subscribes=TYPE')",
        f"{path}:Connections!D5: 'Amount' is -3; must be >= 0",
        f"{path}:Connections!C6: REACHES from core 'shop' to segment 'fans' is not allowed in this row; "
        f"REACHES goes from channel to segment",
    ]
    assert str(info.value).endswith(f"9 errors in {path}; nothing written")


def test_map_option_resolves_custom_types(tmp_path):
    path = make_workbook(tmp_path / "m.xlsx",
                         [["Label", "Type"], ["Shop", "Store"], ["Club", "Product"], ["Fans", "Audience"]],
                         [["From", "To", "Type", "Amount"], ["Fans", "Shop", "Buys from", 3],
                          ["Fans", "Club", "Member of"]])
    with pytest.raises(InteropError) as info:
        import_source(path)
    assert len(error_lines(info.value)) == 5
    opts = ImportOptions(type_map=parse_type_map(
        ["store=core", "PRODUCT=satellite", "audience=Segment", "buys from=PAYS", "Member Of=uses"]))
    m = import_source(path, opts).model
    assert [n.kind for n in m.nodes] == ["core", "satellite", "segment"]
    assert [(r.type, r.target) for r in m.relationships] == [("PAYS", "shop"), ("USES", "club")]


def test_duplicate_labels_are_fine_when_ids_tell_them_apart(tmp_path):
    path = make_workbook(tmp_path / "ids.xlsx",
                         [["ID", "Label", "Type"], ["shop-de", "Shop", "core"], ["shop-fr", "Shop", "core"],
                          ["fans", "Fans", "segment"]],
                         [["From", "To", "Type", "Amount"], ["fans", "shop-de", "PAYS", 1],
                          ["Fans", "shop-fr", "PAYS", 2], ["Fans", "Shop", "PAYS", 3]])
    with pytest.raises(InteropError) as info:
        import_source(path)
    assert error_lines(info.value) == [
        f"{path}:Connections!B4: 'Shop' in To is the label of several elements; refer to one by its ID"]


def test_labels_that_slugify_alike_get_distinct_ids(tmp_path):
    path = make_workbook(tmp_path / "s.xlsx",
                         [["Label", "Type"], ["AWS", "satellite"], ["A.W.S.", "satellite"], ["a w s", "satellite"],
                          ["Shop", "core"], ["東京", "segment"], ["大阪", "segment"]])
    m = import_source(path).model
    assert [n.id for n in m.nodes] == ["aws", "a-w-s", "a-w-s-2", "shop", "segment", "segment-2"]


def test_workbook_without_elements_sheet_and_unreadable_files(tmp_path):
    wb = Workbook()
    wb.active.title = "Nodes"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InteropError, match=r"no sheet named 'Elements' \(found: Nodes\)"):
        import_source(tmp_path / "x.xlsx")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(InputError, match="not a readable .xlsx workbook"):
        import_source(tmp_path / "fake.xlsx")
    with pytest.raises(InputError, match="no such file"):
        import_source(tmp_path / "missing.xlsx")
    with pytest.raises(InputError, match="over the limit of 10 bytes"):
        import_source(good_workbook(tmp_path), max_bytes=10)
    with pytest.raises(InputError, match="cannot tell the format"):
        import_format(tmp_path / "model.txt")


def test_duplicate_columns_are_reported(tmp_path):
    path = make_workbook(tmp_path / "d.xlsx", [["Label", "Type", "type"], ["Shop", "core", "satellite"]])
    with pytest.raises(InteropError) as info:
        import_source(path)
    assert error_lines(info.value) == [f"{path}:Elements!C1: duplicate column 'type' (same as 'Type')"]


# ------------------------------------------------------------------------------------------ Kumu JSON


def test_kumu_blueprint_import():
    result = import_source(DATA / "kumu-blueprint.json", ImportOptions(currency="EUR", period="2024"))
    m = result.model
    assert [(n.id, n.kind) for n in m.nodes] == [
        ("regional-news-site", "core"), ("digital-subscription", "satellite"), ("mobile-app", "channel"),
        ("e-reader", "channel"), ("payments", "partner"), ("flybys", "segment"), ("subscribers", "segment")]
    nodes = m.node_index()
    assert nodes["regional-news-site"].tags == ["news", "local"]
    assert nodes["digital-subscription"].attributes == {"Launch Year": 2019}
    assert nodes["e-reader"].device is True and nodes["mobile-app"].device is False
    assert nodes["payments"].role == "billing"
    assert nodes["subscribers"].size == 42000
    assert nodes["subscribers"].attributes == {"Favorite Dessert": "shave ice"}
    by_type = {r.type: r for r in m.relationships}
    assert (by_type["PAYS"].amount, by_type["PAYS"].stream) == (4.2, "subscription")
    uses = [r for r in m.relationships if r.type == "USES"]
    assert uses[0].mechanisms == ["search_costs"]
    assert uses[1].mechanisms == ["durable_purchase", "information_and_databases"]
    assert uses[1].cost_types == ["financial"]
    assert by_type["CONVERTS_TO"].rate == 0.02 and by_type["CONVERTS_TO"].attributes == {}
    assert (by_type["SUPPLIES"].source, by_type["SUPPLIES"].target) == ("payments", "digital-subscription")
    assert by_type["FEEDS"].strength == 0.7


def test_kumu_backup_resolves_kumu_ids_but_keeps_slugs():
    result = import_source(DATA / "kumu-backup.json")
    m = result.model
    assert [(n.id, n.name, n.kind) for n in m.nodes] == [("shop", "Shop", "core"), ("fans", "Fans", "segment")]
    assert m.nodes[1].attributes == {"Region": "EU"}
    rel = m.relationships[0]
    assert (rel.id, rel.source, rel.target, rel.type, rel.amount) == (None, "fans", "shop", "PAYS", 10.0)
    warning = [p.format() for p in result.warnings if "mutual" in p.message]
    text = (DATA / "kumu-backup.json").read_text()
    line = text[: text.index('"direction"')].count("\n") + 1
    assert warning == [f"{DATA / 'kumu-backup.json'}:{line}:70: warning: connection is mutual in the source; "
                       f"imported as directed From -> To"]


def test_kumu_json_problems_carry_line_and_column(tmp_path):
    text = """{
  "elements": [
    {"label": "Shop", "type": "core"},
    {"label": "Fans", "type": "segmnt"},
    {"type": "satellite"},
    {"label": "Club", "type": "satellite"}
  ],
  "connections": [
    {"from": "Club", "to": "Shop", "type": "PAYS", "amount": "lots"},
    {"from": "Fans", "to": "Shop", "type": "PAYS", "amount": -1},
    {"from": "Fan", "to": "Shop", "type": "PAYS", "amount": 2}
  ]
}
"""
    path = tmp_path / "map.json"
    path.write_text(text)
    with pytest.raises(InteropError) as info:
        import_source(path)
    # The connection from Fans (whose type is wrong) is not checked further: one mistake, one message.
    assert error_lines(info.value) == [
        f"{path}:4:31: unknown element type 'segmnt' for 'Fans'; expected one of core, satellite, channel, "
        f"partner, segment; did you mean 'segment'? (or map it: --map 'segmnt=kind')",
        f"{path}:5:5: missing label: every element needs a Label",
        f"{path}:9:62: 'amount' must be a number, not 'lots'",
        f"{path}:11:14: 'Fan' in From is not an element in Elements; did you mean 'Fans'?",
    ]


@pytest.mark.parametrize("text, message", [
    ('{"nodes": 1, "elements": 3}', "not a Kumu JSON file"),
    ('[1, 2]', "not a Kumu JSON file"),
    ('{"elements": [1]}', "elements[0] must be an object, not int"),
    ('{"elements": [], "connections": {}}', "'connections' must be a list"),
])
def test_kumu_json_of_the_wrong_shape(tmp_path, text, message):
    (tmp_path / "k.json").write_text(text)
    with pytest.raises(InteropError, match=re.escape(message)):
        import_source(tmp_path / "k.json")


def test_kumu_json_syntax_error(tmp_path):
    (tmp_path / "k.json").write_text('{"elements": [\n  {"label": "A",}\n]}')
    with pytest.raises(InputError, match=r"k\.json:2:17: JSON syntax error"):
        import_source(tmp_path / "k.json")


# -------------------------------------------------------------------------------------------- CSV pair


def test_csv_pair_with_semicolons_bom_and_decimal_commas():
    m = import_source(DATA / "csv-semicolon").model
    assert [(n.id, n.kind) for n in m.nodes] == [("online-shop", "core"), ("loyalty-club", "satellite"),
                                                 ("regulars", "segment"), ("website", "channel")]
    assert m.nodes[0].tags == ["retail", "web"]
    assert m.nodes[2].size == 1200 and m.nodes[2].attributes == {"Region": "EU"}
    pays, uses = m.relationships[0], m.relationships[1]
    assert (pays.type, pays.amount, pays.stream) == ("PAYS", 120.5, "purchase")
    assert uses.mechanisms == ["loyalty_program"] and uses.attributes == {"Note": "joined; stays"}
    # Either file of the pair names the pair.
    again = import_source(DATA / "csv-semicolon" / "relationships.csv").model
    assert (again.nodes, again.relationships) == (m.nodes, m.relationships)


def test_csv_problems_carry_line_and_field_number(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        "id,name,kind,size\nshop,Shop,core,\nfans,Fans,segment,many\n,Ghost,satellite\nx,X,widget,\n")
    (tmp_path / "relationships.csv").write_text(
        'from,to,type,amount,rate\nfans,shop,PAYS,5,\nfans,shop,PAYS,,\n"fans",nowhere,PAYS,1,\n')
    with pytest.raises(InteropError) as info:
        import_source(tmp_path)
    n, r = tmp_path / "nodes.csv", tmp_path / "relationships.csv"
    assert error_lines(info.value) == [
        f"{n}:3:4: 'size' must be a whole number, not 'many'",
        f"{n}:5:3: unknown element type 'widget' for 'X'; expected one of core, satellite, channel, partner, "
        f"segment (or map it: --map 'widget=kind')",
        f"{r}:3:1: PAYS needs an amount, a count and a price, or a share_of and a share in this row",
        f"{r}:4:2: 'nowhere' in To is not an element in nodes.csv",
    ]


def test_csv_infers_numbers_and_booleans_in_attribute_columns(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        "name,kind,score,flag,code,label2\nShop,core,12,true,007,1.5e3\nFans,segment,-3,false,x,2\n")
    (tmp_path / "relationships.csv").write_text("from,to,type,amount\nFans,Shop,PAYS,1\n")
    m = import_source(tmp_path).model
    assert m.nodes[0].attributes == {"score": 12, "flag": True, "code": "007", "label2": 1500.0}
    assert m.nodes[1].attributes == {"score": -3, "flag": False, "code": "x", "label2": 2}


def test_csv_pair_needs_both_files(tmp_path):
    (tmp_path / "nodes.csv").write_text("name,kind\nShop,core\n")
    with pytest.raises(InputError, match="relationships.csv: no such file"):
        import_source(tmp_path / "nodes.csv")
    (tmp_path / "things.csv").write_text("a\n")
    with pytest.raises(InputError, match="needs a pair of files named nodes.csv and relationships.csv"):
        import_source(tmp_path / "things.csv")


def test_non_utf8_csv_is_refused_clearly(tmp_path):
    (tmp_path / "nodes.csv").write_bytes("name,kind\nCaf\xe9,core\n".encode("latin-1"))
    (tmp_path / "relationships.csv").write_text("from,to,type\n")
    with pytest.raises(InputError, match="not UTF-8 text .* save the CSV as UTF-8"):
        import_source(tmp_path)


def test_model_json_is_accepted_as_a_source(tmp_path):
    data = {"name": "T", "currency": "EUR", "period": "2024",
            "nodes": [{"id": "a", "kind": "core", "name": "A"}, {"id": "s", "kind": "segment", "name": "S"}],
            "relationships": [{"from": "s", "to": "a", "type": "PAYS", "amount": 2}]}
    (tmp_path / "m.json").write_text(json.dumps(data))
    m = import_source(tmp_path / "m.json", ImportOptions(period="2025")).model
    assert (m.period, m.relationships[0].amount) == ("2025", 2.0)
    data["relationships"][0]["amount"] = -1
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(InteropError, match="relationships\\[0\\].amount is -1; must be >= 0"):
        import_source(tmp_path / "m.json")


def test_unknown_type_message_keeps_braces_in_labels(tmp_path):
    # A label with format braces must reach the message as typed (no str.format on user text).
    import json as _json

    from ecosystem_graph.errors import InteropError
    from ecosystem_graph.interop import import_source

    src = tmp_path / "k.json"
    src.write_text(_json.dumps({"elements": [{"attributes": {"label": "Shop {raw} {0}", "element type": "Gadget"}}],
                                "connections": []}), encoding="utf-8")
    with pytest.raises(InteropError) as info:
        import_source(src)
    assert "unknown element type 'Gadget' for 'Shop {raw} {0}'" in str(info.value)
