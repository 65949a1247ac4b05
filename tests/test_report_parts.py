"""Report building blocks from plain data: charts, number formats, Markdown escaping, methods, scenario files."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

import pytest

from ecosystem_graph.errors import InputError, UsageError
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.report import charts, fmt
from ecosystem_graph.report.markdown import md_escape, standalone_svg
from ecosystem_graph.report.methods import (
    file_sha256,
    model_assumptions,
    parse_metric_definitions,
    yaml_comments,
)
from ecosystem_graph.report.scenario_file import load_scenario, parse_scenario

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> \"q\" & <a href='javascript:alert(1)'>$x^2$</a> -->"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def _ids(svg: str) -> set[str]:
    return set(re.findall(r'<[^<>]*\bid="([^"]+)"', svg))


# ------------------------------------------------------------------------------------------ charts


def test_bar_chart_is_one_well_formed_svg_with_every_label_and_value():
    svg = charts.bar_chart([("Prime", 40.2), ("AWS", 90.8), ("Ads", 46.9)], xlabel="USD billion",
                           value_format=lambda v: f"{v:.1f}")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    texts = _texts(svg)
    for expected in ("Prime", "AWS", "Ads", "40.2", "90.8", "46.9", "USD billion"):
        assert expected in texts
    # largest first: AWS is drawn on the top row (the highest y label position is the last tick)
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<style" not in svg


def test_bar_chart_groups_the_tail_into_other():
    items = [(f"n{i}", float(i)) for i in range(1, 21)]  # 20 items, sum 210
    svg = charts.bar_chart(items, max_items=5, value_format=lambda v: f"{v:g}")
    texts = _texts(svg)
    # top 4 kept (20, 19, 18, 17), the other 16 summed: 210 - 74 = 136
    assert {"n20", "n19", "n18", "n17", "Other (16)", "136"} <= set(texts)
    assert "n16" not in texts


def test_chart_text_is_escaped_and_shown_as_typed():
    svg = charts.bar_chart([(HOSTILE, 3.0)], value_format=lambda v: "3")
    ET.fromstring(svg)  # still well-formed XML: nothing the label holds broke out of its <text>
    assert "<script" not in svg and "<a " not in svg
    assert charts._short(HOSTILE) in _texts(svg)
    # mathtext off: a dollar sign in a name is a dollar sign
    assert "Cost in $x^2$ & co" in _texts(charts.bar_chart([("Cost in $x^2$ & co", 1.0)]))


def test_charts_in_one_page_never_share_an_id():
    a = charts.bar_chart([("A", 1.0)])
    b = charts.bar_chart([("A", 1.0)])
    assert _ids(a) and not (_ids(a) & _ids(b))
    for svg in (a, b):  # every internal reference points at an id of the same chart
        refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
        assert refs <= _ids(svg)


def _band_thicknesses(svg: str) -> list[float]:
    """Thickness (points) at the payee's end of every band: the vertical LINETO of its outline."""
    out = []
    for d in re.findall(r'<path d="([^"]*)"', svg):
        d = " ".join(d.split())
        if " C " not in d or " L " not in d:
            continue
        head, tail = d.split(" L ", 1)
        before = [float(x) for x in head.replace("M", " ").replace("C", " ").split()][-2:]
        after = [float(x) for x in tail.split()[:2]]
        out.append(abs(after[1] - before[1]))
    return out


def test_flow_chart_writes_every_band_label_keeps_small_bands_visible_and_drops_backward_bands():
    nodes = [charts.FlowNode("seg", "Buyers", 0), charts.FlowNode("store", "Store", 1),
             charts.FlowNode("app", "App", 2)]
    bands = [charts.FlowBand("seg", "store", 1000.0, "EUR 1,000"), charts.FlowBand("store", "app", 850.0, "EUR 850", True),
             charts.FlowBand("seg", "app", 0.01, "EUR 0.010"), charts.FlowBand("app", "seg", 999.0, "EUR 999")]
    svg = charts.flow_chart(nodes, bands, min_band=2.5)
    texts = _texts(svg)
    assert {"Buyers", "Store", "App", "EUR 1,000", "EUR 850", "EUR 0.010"} <= set(texts)
    assert "EUR 999" not in texts  # a band must run to a later column
    thick = sorted(_band_thicknesses(svg))
    assert len(thick) == 3
    # the 0.01 band is drawn at the minimum (2.5 pt), the others to scale: 850 / 1000 of the largest
    assert thick[0] == pytest.approx(2.5, abs=0.05)
    assert thick[1] / thick[2] == pytest.approx(0.85, rel=1e-3)
    assert 'id="' in svg and "pattern" in svg  # the linked band is hatched (an SVG pattern)


def test_flow_chart_moves_crowded_labels_apart():
    nodes = [charts.FlowNode(f"p{i}", f"Payer {i}", 0) for i in range(8)] + [charts.FlowNode("shop", "Shop", 1)]
    bands = [charts.FlowBand(f"p{i}", "shop", 1000.0 if i == 0 else 0.001, f"EUR {i}") for i in range(8)]
    root = ET.fromstring(charts.flow_chart(nodes, bands))
    ys = sorted(float(t.get("y")) for t in root.iter(f"{SVG_NS}text") if "".join(t.itertext()).startswith("EUR"))
    assert len(ys) == 8
    # 7 pt labels: no two closer than their line height (the seven tiny bands arrive at the same spot)
    assert min(b - a for a, b in zip(ys, ys[1:])) >= 7.0


def test_spread_keeps_order_spacing_and_bounds():
    ys = charts._spread([5.0, 5.0, 4.99, 1.0], 0.5, 0.0, 5.0)
    assert ys == sorted(ys, reverse=True) and all(a - b >= 0.5 - 1e-12 for a, b in zip(ys, ys[1:]))
    assert ys[0] <= 5.0 and ys[-1] == 1.0  # the last one was free where it was


def test_lockin_chart_marks_exactly_the_mechanisms_present():
    svg = charts.lockin_chart([("Members", 80.0, ["loyalty_program", "durable_purchase"]), ("Casual", 10.0, [])])
    texts = _texts(svg)
    assert {"Members", "Casual", "80", "10"} <= set(texts)
    assert [charts.MECHANISM_LABELS[m] for m in charts.LOCKIN_MECHANISMS] == [
        t for t in texts if t in charts.MECHANISM_LABELS.values()]


def test_funnel_chart_shows_stages_members_and_rates():
    svg = charts.funnel_chart([("Flyby", 1000, None), ("Registered", 80, 0.08), ("Subscriber", 20, 0.25)],
                              value_format=lambda v: f"{v:,.0f}")
    texts = _texts(svg)
    assert {"Flyby", "Registered", "Subscriber", "1,000", "80", "20"} <= set(texts)
    assert "Flyby → Registered: 8.0%" in texts and "Registered → Subscriber: 25.0%" in texts


def _stage_widths(svg: str) -> list[float]:
    """The drawn width of each stage's bar, from the x coordinates of its path."""
    root = ET.fromstring(svg)
    widths = {}
    for g in root.iter(f"{SVG_NS}g"):
        m = re.search(r"-funnel-stage-(\d+)$", g.get("id", ""))
        if m:
            d = next(g.iter(f"{SVG_NS}path")).get("d")
            xs = [float(x) for x in re.findall(r"[ML]\s*(-?[\d.]+)\s", d)]
            widths[int(m.group(1))] = max(xs) - min(xs)
    return [widths[i] for i in sorted(widths)]


def test_funnel_chart_is_linear_and_labels_every_step_of_a_branching_funnel():
    # Flyby 2,000,000 splits into Registered (8%) and Trial (1%); both feed Subscriber.
    members = [2_000_000, 160_000, 20_000, 4_060]
    stages = [("Flyby", members[0], []),
              ("Registered", members[1], [("Flyby", 0.08)]),
              ("Trial", members[2], [("Flyby", 0.01)]),
              ("Subscriber", members[3], [("Registered", 0.0203), ("Trial", 0.04)])]
    svg = charts.funnel_chart(stages, value_format=lambda v: f"{v:,.0f}", title="Branching")
    widths = _stage_widths(svg)
    assert len(widths) == 4
    for w, m in zip(widths[1:], members[1:]):
        # linear: 160,000 / 2,000,000 = 0.08 of the top bar (a log scale would draw 0.82)
        assert w / widths[0] == pytest.approx(m / members[0], rel=0.01)
    texts = _texts(svg)
    steps = ["Flyby → Registered: 8.0%", "Flyby → Trial: 1.0%", "Registered → Subscriber: 2.0%",
             "Trial → Subscriber: 4.0%"]
    assert [t for t in texts if "→" in t] == steps  # one label per step, in stage order


def test_standalone_svg_has_prolog_and_size():
    svg = standalone_svg(charts.bar_chart([("A", 1.0)]))
    assert svg.startswith("<?xml")
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert root.get("width").endswith("pt") and root.get("height").endswith("pt")


# ------------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize("value, unit, expected", [
    (574.785, "billion", "USD 575 billion"),  # three significant digits
    (1200, "billion", "USD 1.20 trillion"),  # moved up a unit to stay under 1,000
    (0.0, "billion", "USD 0"),  # nothing is nothing in any unit
    (None, "billion", "–"),
    (754_035_603.9, "thousand", "USD 754 billion"),
    (1200, None, "USD 1,200"),  # plain amounts stay plain below a million
    (2_500_000, None, "USD 2.50 million"),
    (0.0123, "billion", "USD 12.3 million"),  # below one model unit: moved down a unit
    (0.00004, "billion", "USD 40,000"),
    (35_820, None, "USD 35,820"),
    (0.004, "k€", "USD 0.00400 k€"),  # an unknown unit: more decimals, never 0.0
    (12.5, "k€", "USD 12.5 k€"),  # a unit the report does not know is kept
])
def test_money(value, unit, expected):
    assert fmt.money(value, "USD", unit) == expected


def test_share_signed_and_change():
    assert fmt.share(0.4567) == "45.7%"
    assert fmt.signed(-3.25, 1) == "−3.2" or fmt.signed(-3.25, 1) == "−3.3"
    assert fmt.signed(2) == "+2"
    assert fmt.change(200.0, 150.0) == "−25.0%"
    assert fmt.change(0.0, 5.0) == "–"


def test_md_escape_makes_markup_inert():
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render("x " + md_escape(HOSTILE) + " | *b* [l](javascript:1)")
    # Rendered by a Markdown engine that allows raw HTML, the escaped text gives no tag at all.
    assert "<script" not in html and "<a " not in html.split("[l]")[0]
    assert "&lt;script&gt;" in html


# ------------------------------------------------------------------------------------------ methods


def test_metric_sections_from_markdown():
    text = "# Metrics\nintro\n## PageRank\nPR = (1-d)/N\n```\n# not a heading\n```\n### HHI\nsum of squares\n"
    defs = parse_metric_definitions(text)
    assert [(d.title, d.level) for d in defs] == [("PageRank", 2), ("HHI", 3)]
    assert "# not a heading" in defs[0].markdown and "intro" not in defs[0].markdown


def test_yaml_comments_ignores_hashes_inside_values():
    raw = ("# header line\nname: 'A # not a comment'  # real one\nurl: http://x#frag\n"
           "# yaml-language-server: $schema=x.json\nlist: [a, b] # after a list\n")
    assert yaml_comments(raw) == [(1, "header line"), (2, "real one"), (5, "after a list")]


def test_assumptions_attach_comments_to_their_items():
    raw = (b"# Money in EUR millions; sizes are estimates.\n"
           b"name: Shop\ncurrency: EUR\nperiod: '2024'\n"
           b"description: A small shop.\n"
           b"nodes:\n"
           b"  # --- the core\n"
           b"  - {id: shop, kind: core, name: Shop}\n"
           b"  # the segment below is a guess\n"
           b"  - id: fans\n    kind: segment\n    name: Fans\n    size: 100  # from a survey\n"
           b"relationships:\n"
           b"  - from: fans\n    to: shop\n    type: PAYS\n    amount: 10  # assumption: 10 per fan\n"
           b"    description: Fans buy merchandise.\n")
    import yaml

    model = Ecosystem.model_validate(yaml.safe_load(raw))
    items, left_out = model_assumptions(model, raw)
    got = [(a.where, a.text) for a in items]
    assert got == [
        ("ecosystem", "A small shop."),
        ("model file", "Money in EUR millions; sizes are estimates."),
        ("sections of the file", "the core"),
        ("segment “Fans”", "the segment below is a guess · size: from a survey"),
        ("PAYS Fans → Shop", "Fans buy merchandise. · amount: assumption: 10 per fan"),
    ]
    assert left_out == 0
    few, left = model_assumptions(model, raw, limit=2)
    assert len(few) == 2 and left == 3


def test_a_comment_below_a_block_item_describes_the_next_item():
    # PyYAML ends a block mapping where the next item starts, after the comment lines between the two;
    # those comments introduce the next item (as in examples/amazon.yaml's FEEDS list), not the one above.
    raw = (b"name: Shop\ncurrency: EUR\nperiod: '2024'\n"
           b"nodes:\n"
           b"  - {id: shop, kind: core, name: Shop}\n"
           b"  - {id: app, kind: satellite, name: App}\n"
           b"  - id: fans\n    kind: segment\n    name: Fans\n"
           b"relationships:\n"
           b"  - from: fans\n    to: shop\n    type: PAYS\n    amount: 10  # assumption: 10 per fan\n"
           b"  # --- satellites feeding the core\n"
           b"  # the app brings repeat buyers\n"
           b"  - {from: app, to: shop, type: FEEDS, strength: 0.5}\n"
           b"  - from: fans\n    to: app\n    type: USES\n"
           b"    switching_cost: 0.2\n"
           b"  # a note after the last item\n")
    import yaml

    model = Ecosystem.model_validate(yaml.safe_load(raw))
    items, _ = model_assumptions(model, raw)
    got = [(a.where, a.text) for a in items]
    assert ("PAYS Fans → Shop", "amount: assumption: 10 per fan") in got
    assert ("FEEDS App → Shop", "the app brings repeat buyers") in got
    assert not any(where == "USES Fans → App" for where, _ in got)
    # a comment after the last item introduces nothing: it is listed with the file's own notes
    assert ("sections of the file", "satellites feeding the core; a note after the last item") in got


def test_file_sha256_is_the_sha256_of_the_bytes():
    data = b"name: x\n"
    assert file_sha256(data) == hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------ scenarios


def test_scenario_file_round_trip(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: No AWS\ndescription: spin-off\nremove: [aws]\nscale:\n  prime: 0.5\n  ad-spend: 2\n")
    spec = load_scenario(path)
    assert (spec.name, spec.description, spec.remove, spec.scale) == (
        "No AWS", "spin-off", ["aws"], {"prime": 0.5, "ad-spend": 2.0})
    assert spec.label == "No AWS"
    assert parse_scenario({"remove": "aws", "scale": {"x": 1}}).label == "without aws; x × 1"


@pytest.mark.parametrize("data, message", [
    ({"removes": ["a"]}, "unknown key 'removes'; did you mean 'remove'?"),
    ({"scale": {"a": -1}}, "scale factor for 'a' must be a number from 0 to 1,000,000, not -1"),
    ({"scale": {"a": "half"}}, "scale factor for 'a' must be a number from 0 to 1,000,000, not 'half'"),
    ({"scale": ["a"]}, "'scale' must map ids to factors"),
    ({"remove": [{"a": 1}]}, "'remove' must be a list of node or relationship ids"),
    ({"remove": ["a"], "scale": {"a": 2}}, "a both removed and scaled; choose one"),
    ([1, 2], "a scenario is a mapping"),
])
def test_bad_scenarios_say_what_is_wrong(data, message):
    with pytest.raises(UsageError) as info:
        parse_scenario(data, "s.yaml")
    assert message in str(info.value) and str(info.value).startswith("s.yaml: ")


def test_unreadable_scenario_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("remove: [a\n")
    with pytest.raises(InputError, match=r"bad.yaml:\d+:\d+: not valid YAML"):
        load_scenario(bad)


def test_money_flows_columns_pass_through_chains_cycles_and_groups():
    import networkx as nx

    from ecosystem_graph.report.flows import money_flows

    G = nx.MultiDiGraph()
    G.add_nodes_from([("fans", {"kind": "segment"}), ("store", {"kind": "partner"}), ("app", {"kind": "satellite"}),
                      ("psp", {"kind": "partner"}), ("ads", {"kind": "partner"})])
    G.add_edge("fans", "store", key="buy", type="PAYS", amount=100.0)
    G.add_edge("store", "app", key="payout", type="PAYS", amount=85.0, share_of="buy", share=0.85)
    G.add_edge("app", "psp", key="fee", type="PAYS", amount=2.0)
    G.add_edge("app", "ads", key="ads", type="PAYS", amount=5.0)
    G.add_edge("ads", "app", key="rebate", type="PAYS", amount=1.0)  # closes a cycle app -> ads -> app
    G.add_edge("fans", "app", key="FEEDS#0", type="FEEDS", strength=0.5)  # influence: never drawn
    f = money_flows(G)
    # payer, the store passing 85% on, the app, then what the app pays; the rebate goes to a second app box
    assert f.columns == [["fans"], ["store"], ["app"], ["ads", "psp"], ["app@ads"]]
    assert f.copies == {"app@ads": "app"}
    assert sorted((p.source, p.target, p.amount) for p in f.payments) == [
        ("ads", "app@ads", 1.0), ("app", "ads", 5.0), ("app", "psp", 2.0), ("fans", "store", 100.0),
        ("store", "app", 85.0)]
    # 30 payers of one shop, at most 12 boxes a column: the 11 largest and one group of 19
    H = nx.MultiDiGraph()
    H.add_node("shop", kind="core")
    for i in range(30):
        H.add_node(f"s{i}", kind="segment")
        H.add_edge(f"s{i}", "shop", type="PAYS", amount=float(i + 1))
    g = money_flows(H, max_per_column=12)
    assert len(g.columns[0]) == 12 and g.grouped["@other-0"] == [f"s{i}" for i in range(18, -1, -1)]
    merged = [p for p in g.payments if p.source == "@other-0"]
    assert len(merged) == 1 and merged[0].amount == sum(range(1, 20)) and merged[0].id == ""  # unlabelled
