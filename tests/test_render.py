"""Unit tests of the HTML page (no browser): layout, graph data, escaping, aggregation, the CLI."""

from __future__ import annotations

import html
import json
import math
import os
import re

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.errors import RenderError, UsageError
from ecosystem_graph.fileio import save_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.render import (
    PHYSICS_LIMIT,
    Highlight,
    ecosystem_layout,
    graph_data,
    parse_highlight,
    render_fragment,
    render_html,
)
from ecosystem_graph.render.aggregate import aggregate
from ecosystem_graph.render.layout import RING_OF_KIND
from tests.render_models import PAYLOADS, hostile_model, shop_model


def _embedded_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="eco-graph-data">(.*?)</script>', page, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


# ----------------------------------------------------------------------------------------- layout


def test_layout_puts_each_kind_on_its_ring_in_order():
    model = generate_model(600, seed=3)
    G = to_networkx(model)
    pos = ecosystem_layout({n: a["kind"] for n, a in G.nodes(data=True)}, G.edges())
    radius = {n: math.hypot(*p) for n, p in pos.items()}
    by_ring: dict[int, list[float]] = {}
    for n, a in G.nodes(data=True):
        by_ring.setdefault(RING_OF_KIND[a["kind"]], []).append(radius[n])
    assert by_ring[0] == [0.0]  # one core, in the centre
    for inner, outer in ((1, 2), (2, 3)):
        assert max(by_ring[inner]) < min(by_ring[outer])
    assert len(pos) == 600


def test_layout_keeps_nodes_apart_on_crowded_rings():
    model = generate_model(2000, seed=1)
    G = to_networkx(model)
    pos = ecosystem_layout({n: a["kind"] for n, a in G.nodes(data=True)}, G.edges(), spacing=70)
    # bucket the points on a 40 px grid and compare neighbours only (the whole set is 2M pairs)
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for x, y in pos.values():
        grid.setdefault((int(x // 40), int(y // 40)), []).append((x, y))
    closest = math.inf
    for (gx, gy), pts in grid.items():
        near = [q for dx in (-1, 0, 1) for dy in (-1, 0, 1) for q in grid.get((gx + dx, gy + dy), [])]
        for p in pts:
            for q in near:
                if p is not q:
                    closest = min(closest, math.dist(p, q))
    assert closest >= 40


def test_layout_places_a_segment_next_to_the_channel_it_uses():
    kinds = {"core": "core"}
    edges = []
    for i in range(4):
        kinds[f"sat{i}"] = "satellite"
        edges.append((f"sat{i}", "core"))
    for i in range(4):
        kinds[f"ch{i}"] = "channel"
        edges.append((f"ch{i}", f"sat{i}"))
    for i in range(4):  # segment i uses channel (3 - i): the order differs from the channels' order
        kinds[f"seg{i}"] = "segment"
        edges.append((f"seg{i}", f"ch{3 - i}"))
    pos = ecosystem_layout(kinds, edges)

    def angle(n):
        return math.atan2(pos[n][1], pos[n][0])

    def gap(a, b):
        d = abs(angle(a) - angle(b)) % (2 * math.pi)
        return min(d, 2 * math.pi - d)

    for i in range(4):
        mine = gap(f"seg{i}", f"ch{3 - i}")
        assert all(mine < gap(f"seg{i}", f"ch{j}") for j in range(4) if j != 3 - i)
        assert gap(f"ch{i}", f"sat{i}") < 1e-3  # one node per slot: on its satellite's angle (0.1 px rounding)


# ----------------------------------------------------------------------------------------- data


def test_graph_data_has_every_node_and_relationship_with_sizes_and_widths():
    model = shop_model()
    data = graph_data(model, size_by="degree")
    assert sorted(n["id"] for n in data["nodes"]) == sorted(n.id for n in model.nodes)
    assert len(data["edges"]) == len(model.relationships) == 10
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    # degrees: shop 5 (the most), app 2, members 3; size = 12 + 36 * sqrt(degree / 5)
    assert sizes["shop"] == 48.0
    assert sizes["app"] == pytest.approx(12 + 36 * math.sqrt(2 / 5), abs=0.01)
    assert sizes["members"] == pytest.approx(12 + 36 * math.sqrt(3 / 5), abs=0.01)
    widths = {(e["from"], e["to"], e["type"]): e["width"] for e in data["edges"]}
    # PAYS width = 1 + 9 * sqrt(amount / 100): 100 -> 10, 25 -> 5.5, 4 -> 2.8; other types 1.2
    assert widths[("members", "prime", "PAYS")] == 10.0
    assert widths[("buyers", "shop", "PAYS")] == 5.5
    assert widths[("shop", "carrier", "PAYS")] == 2.8
    assert widths[("members", "prime", "USES")] == 1.2
    assert {k["kind"]: k["count"] for k in data["kinds"]} == {
        "core": 1, "satellite": 1, "channel": 2, "partner": 1, "segment": 2}
    tip = next(n["title"] for n in data["nodes"] if n["id"] == "members")
    assert tip.splitlines()[:3] == ["Prime members", "Customer segment", "Size: 1,000 members"]
    edge_tip = next(e["title"] for e in data["edges"] if e["type"] == "PAYS" and e["from"] == "members")
    assert edge_tip.splitlines() == ["Prime members \u2192 Prime", "PAYS", "Amount: EUR 100 million",
                                     "Stream: subscription"]


def test_path_highlight_is_the_shortest_path_in_either_direction():
    data = graph_data(shop_model(), size_by="degree", highlights=["path:buyers,carrier"])
    (h,) = [h for h in data["highlights"] if h["kind"] == "path"]
    assert h["nodes"] == ["buyers", "shop", "carrier"]
    edges = {e["id"]: (e["from"], e["to"], e["type"]) for e in data["edges"]}
    assert sorted(edges[e] for e in h["edges"]) == [
        ("buyers", "shop", "PAYS"), ("carrier", "shop", "SUPPLIES"), ("shop", "carrier", "PAYS")]
    # app -> prime has no directed path (prime feeds the shop); the undirected one is app - buyers - shop - prime
    data = graph_data(shop_model(), size_by="degree", highlights=["path:app,prime"])
    assert data["highlights"][0]["nodes"] == ["app", "buyers", "shop", "prime"]


def test_parse_highlight_and_bad_targets():
    assert parse_highlight("lockin:members") == Highlight("lockin", ("members",))
    assert parse_highlight("path:a, b ,c") == Highlight("path", ("a", "b", "c"))
    assert parse_highlight("keystones") == Highlight("keystones")
    assert parse_highlight("levers") == parse_highlight("Lever") == Highlight("levers")
    for bad in ("lockin:", "path:a", "keystones:x", "levers:x", "foo:bar"):
        with pytest.raises(UsageError, match="is not one of lockin:SEGMENT_ID, path:A,B, keystones or levers"):
            parse_highlight(bad)
    with pytest.raises(UsageError, match=r"--highlight path: no node 'carier' \(did you mean 'carrier'\?\)"):
        graph_data(shop_model(), size_by="degree", highlights=["path:buyers,carier"])
    with pytest.raises(UsageError, match="--highlight lockin: 'prime' is a satellite, not a segment"):
        graph_data(shop_model(), size_by="degree", highlights=["lockin:prime"])
    with pytest.raises(UsageError, match="size_by must be one of impact, pagerank, revenue, degree"):
        graph_data(shop_model(), size_by="money")


def test_force_layout_falls_back_to_fixed_positions_on_large_graphs():
    small = graph_data(shop_model(), size_by="degree", layout="force")
    assert small["physics"] is True and small["layout"] == "force" and small["notes"] == []
    big = graph_data(generate_model(PHYSICS_LIMIT + 50, seed=2), size_by="degree", layout="force")
    assert big["physics"] is False and big["curves"] is False and big["large"] is True
    assert big["layout"] == "ecosystem"
    assert big["notes"] == [f"The force layout runs in the browser only up to {PHYSICS_LIMIT:,} nodes; this graph "
                            f"has {PHYSICS_LIMIT + 50:,}, so it uses the ecosystem layout with fixed positions."]


# ----------------------------------------------------------------------------------------- aggregation


def test_aggregation_collapses_segments_then_partners_and_keeps_the_money():
    model = generate_model(400, seed=5)
    G = to_networkx(model)
    agg = aggregate(G, max_nodes=60)
    H = agg.graph
    assert agg.collapsed_kinds == ["segment", "partner"]
    # every original node is shown exactly once: as itself or inside one group
    kept = [n for n in H if n not in agg.members]
    assert len(kept) + sum(len(m) for m in agg.members.values()) == 400
    assert {n for m in agg.members.values() for n in m} == set(agg.group_of)
    # partners are grouped by role: the generator uses four roles
    partner_groups = [g for g in agg.members if g.startswith("group:partner:")]
    assert sorted(partner_groups) == sorted(f"group:partner:role:{r}" for r in
                                            ("producer", "carrier", "device maker", "service provider"))
    # money between different shown nodes is summed, never lost; only payments inside one group vanish
    inside = sum(a["amount"] for u, v, a in G.edges(data=True)
                 if a["type"] == "PAYS" and agg.image(u) == agg.image(v) and u != v)
    total = sum(a["amount"] for _, _, a in G.edges(data=True) if a["type"] == "PAYS")
    shown = sum(a["amount"] for _, _, a in H.edges(data=True) if a["type"] == "PAYS")
    assert shown == pytest.approx(total - inside)
    merged = sum(a.get("merged", 1) for _, _, a in H.edges(data=True))
    dropped = sum(1 for u, v in G.edges() if agg.image(u) == agg.image(v) and (u in agg.group_of))
    assert merged + dropped == G.number_of_edges()


def test_aggregated_page_says_so_and_maps_highlights_to_groups():
    model = generate_model(400, seed=5)
    data = graph_data(model, size_by="degree", max_nodes=60, highlights=["path:seg-100,core-001"])
    assert data["aggregated"] is True
    assert data["summary"] == {"nodes": 400, "relationships": len(model.relationships),
                               "shown_nodes": len(data["nodes"]), "shown_edges": len(data["edges"])}
    assert data["notes"][0].startswith("This ecosystem has 400 nodes and ")
    assert "segments collapsed into" in data["notes"][0] and "partners collapsed into 4 groups by role" in data["notes"][0]
    shown = {n["id"] for n in data["nodes"]}
    assert "seg-100" not in shown
    assert set(data["highlights"][0]["nodes"]) <= shown and "core-001" in data["highlights"][0]["nodes"]
    assert any(n.startswith("group:segment:") for n in data["highlights"][0]["nodes"])
    assert graph_data(model, size_by="degree", max_nodes=400)["aggregated"] is False


# ----------------------------------------------------------------------------------------- the page


def test_page_is_self_contained_and_offline():
    page = render_html(shop_model(), size_by="degree")
    assert page.startswith("<!DOCTYPE html>")
    assert "<link" not in page and not re.search(r"<script[^>]+src=", page)
    assert page.count("\n<script") == 3  # the data, vis-network, our page script
    assert "sourceMappingURL" not in page
    assert "vis.Network" in page and "window.ecoNetwork" in page
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert csp.startswith("default-src 'none'; script-src 'sha256-") and "unsafe-inline" not in csp.split(";")[1]


def test_every_user_string_is_escaped_in_the_markup_and_round_trips_in_the_data():
    model = hostile_model()
    page = render_html(model, size_by="degree", title="Report " + PAYLOADS[0], highlights=["path:buyers,carrier"])
    for marker in ("<img", "<svg onload", "</script><script>window", "<a href=\"javascript", "<b>bold"):
        assert marker not in page
    assert "Report &lt;img src=&#34;https://evil.invalid/x.png&#34;" in page
    data = _embedded_data(page)
    names = {n.id: n.name for n in model.nodes}
    assert {n["id"]: n["name"] for n in data["nodes"]} == names
    assert data["title"] == "Report " + PAYLOADS[0]
    assert data["meta"]["name"] == model.name and data["meta"]["description"] == model.description
    shop = next(n for n in data["nodes"] if n["id"] == "shop")
    assert ["Tags", PAYLOADS[2]] in shop["d"] and [PAYLOADS[3], PAYLOADS[4]] in shop["d"]


def test_fragment_is_embeddable():
    frag = render_fragment(shop_model(), size_by="degree", height="600px")
    assert "<html" not in frag and "<body" not in frag
    assert frag.count('id="eco-graph"') == 1 and 'style="height: 600px"' in frag
    with pytest.raises(UsageError):
        render_fragment(shop_model(), size_by="degree", height="1px;background:url(x)")


# ----------------------------------------------------------------------------------------- the CLI


def test_cli_render_writes_the_page(tmp_path):
    src = tmp_path / "shop.yaml"
    save_model(shop_model(), src)
    out = tmp_path / "shop.html"
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out), "--size-by", "degree",
                                      "--highlight", "path:buyers,carrier", "--title", "Shop"])
    assert result.exit_code == 0, result.output
    size = os.path.getsize(out) / 1e6
    assert result.output == f"Wrote {out} (7 nodes, 10 relationships shown; {size:.1f} MB)\n"
    data = _embedded_data(out.read_text(encoding="utf-8"))
    assert data["title"] == "Shop" and data["highlights"][0]["nodes"] == ["buyers", "shop", "carrier"]


def test_cli_render_aggregation_note_goes_to_stderr(tmp_path):
    src = tmp_path / "big.yaml"
    save_model(generate_model(300, seed=1), src)
    out = tmp_path / "big.html"
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out), "--size-by", "degree",
                                                      "--max-nodes", "120"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Note: This ecosystem has 300 nodes and ")
    assert ", aggregated; " in result.stdout


def test_cli_render_errors_are_one_line_and_write_nothing(tmp_path):
    src = tmp_path / "shop.yaml"
    save_model(shop_model(), src)
    out = tmp_path / "shop.html"
    runner = CliRunner()
    r = runner.invoke(cli, ["render", str(src), "-o", str(out), "--size-by", "degree", "--highlight", "path:x,shop"])
    assert (r.exit_code, r.stderr) == (2, "Error: --highlight path: no node 'x'\n")
    r = runner.invoke(cli, ["render", str(src), "-o", str(out), "--highlight", "nope"])
    assert (r.exit_code, r.stderr) == (
        2, "Error: --highlight 'nope' is not one of lockin:SEGMENT_ID, path:A,B, keystones or levers\n")
    r = runner.invoke(cli, ["render", str(src), "-o", str(tmp_path / "missing" / "x.html"), "--size-by", "degree"])
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {tmp_path / 'missing' / 'x.html'}: cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.yaml"]


# ----------------------------------------------------------------------------------------- money figures


_UNITS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _amount(text: str) -> "Approx":
    """'EUR 1.28 million' -> what it may stand for: 1,280,000 give or take half its last digit (0.005 million)."""
    parts = text.split()
    digits = parts[1].replace(",", "")
    factor = _UNITS[parts[2]] if len(parts) > 2 else 1.0
    half = 0.5 * 10 ** -(len(digits.split(".")[1]) if "." in digits else 0) * factor
    return pytest.approx(float(digits) * factor, abs=half * (1 + 1e-9))


def test_panel_tooltips_and_sizes_use_the_analysis_money_figures():
    from pathlib import Path

    from ecosystem_graph.fileio import load_model

    path = Path(__file__).resolve().parent.parent / "examples" / "newsroom-passthrough.yaml"
    res = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    figures = json.loads(res.output)
    rev, ks = figures["revenue"], {k["id"]: k for k in figures["keystones"]["nodes"]}
    flows = {n["id"]: n for n in rev["nodes"]}
    data = graph_data(load_model(path), size_by="revenue")
    by_id = {n["id"]: n for n in data["nodes"]}
    # hand arithmetic: the news site is paid day passes 12,000 x 2.99 = 35,880, the marketplace's payout
    # 840,000 and direct ads 400,000: revenue 1,275,880; it pays 120,000 for hosting: net 1,155,880
    site = dict(by_id["news-site"]["d"])
    # shown with three significant digits, like every money figure
    assert site["Revenue (paid by customers and partners)"] == "EUR 1.28 million"
    assert site["Net"] == "EUR 1.16 million"
    assert "Revenue: EUR 1.28 million" in by_id["news-site"]["title"].splitlines()
    top = max(max(f["inflow"], f["outflow"]) for f in flows.values())
    for n in by_id.values():
        panel = dict(n["d"])
        f = flows[n["id"]]
        for label, figure in (("Money in", f["inflow"]), ("Money out", f["outflow"])):
            if f["inflow"] or f["outflow"]:
                assert figure == _amount(panel[label]), (n["id"], label)
        if n["kind"] in ("core", "satellite", "channel"):
            assert rev["revenue_by_offering"][n["id"]] == _amount(panel["Revenue (paid by customers and partners)"])
        else:
            assert "Revenue (paid by customers and partners)" not in panel
        k = ks[n["id"]]
        if k["revenue_at_risk"] > 0:
            assert k["revenue_at_risk"] == _amount(panel["Revenue at risk if lost"])
            assert k["core_revenue_at_risk"] == _amount(panel["Core revenue at risk if lost"])
        # --size-by revenue: area grows with the money through the node, the larger of in and out
        assert n["size"] == pytest.approx(12 + 36 * math.sqrt(max(f["inflow"], f["outflow"]) / top), abs=0.01)


# ----------------------------------------------------------------------------------------- funnel levers


def _newspaper():
    from pathlib import Path

    from ecosystem_graph.fileio import load_model

    return load_model(Path(__file__).resolve().parent.parent / "examples" / "newspaper-funnel.yaml")


def test_converts_to_tooltips_rank_each_step_among_the_funnel_levers():
    data = graph_data(_newspaper(), size_by="degree")
    tips = {(e["from"], e["to"]): e["title"].splitlines() for e in data["edges"] if e["type"] == "CONVERTS_TO"}
    # hand arithmetic (1,500,000 flybys; only they enter): expected members registered 1.5M x 0.04 = 60,000,
    # paying once 1.5M x 0.005 + 60,000 x 0.1 = 13,500. A 10% raise of paying once -> subscriber (0.25 -> 0.275)
    # adds 13,500 x 0.025 = 337.5 subscribers; of flyby -> registered (0.04 -> 0.044): 1.5M x 0.004 = 6,000 more
    # registered, each reaching a subscription with 0.02 + 0.1 x 0.25 = 0.045: 270; of registered -> subscriber
    # (0.02 -> 0.022): 60,000 x 0.002 = 120. Elasticities 3,375 / 4,575 = 0.74 > 2,700 / 4,575 = 0.59 > ...
    assert "Lever #1 of 5: 10% more on this rate brings 338 more converted" in tips[("paying-once", "subscriber")]
    assert "Lever #2 of 5: 10% more on this rate brings 270 more converted" in tips[("flyby", "registered")]
    assert "Lever #5 of 5: 10% more on this rate brings 120 more converted" in tips[("registered", "subscriber")]
    assert sorted(line.split(":")[0] for t in tips.values() for line in t if line.startswith("Lever #")) == [
        f"Lever #{i} of 5" for i in range(1, 6)]
    others = [e["title"] for e in data["edges"] if e["type"] != "CONVERTS_TO"]
    assert others and not any("Lever #" in t for t in others)


def test_biggest_funnel_lever_is_offered_on_small_graphs_and_shown_when_asked():
    data = graph_data(_newspaper(), size_by="degree")
    edge_of = {e["id"]: (e["from"], e["to"], e["type"]) for e in data["edges"]}
    (offered,) = [h for h in data["highlights"] if h["kind"] == "levers"]
    assert offered["label"] == "Biggest funnel lever" and offered["offered"] is True
    assert sorted(offered["nodes"]) == ["paying-once", "subscriber"]
    assert [edge_of[e] for e in offered["edges"]] == [("paying-once", "subscriber", "CONVERTS_TO")]
    asked = graph_data(_newspaper(), size_by="degree", highlights=["levers"])
    assert [(h["kind"], h["offered"]) for h in asked["highlights"]][0] == ("levers", False)
    assert sum(h["kind"] == "levers" for h in asked["highlights"]) == 1  # not offered a second time
    # a model without a funnel: nothing offered; asking is one clear error
    assert not [h for h in graph_data(shop_model(), size_by="degree")["highlights"] if h["kind"] == "levers"]
    with pytest.raises(UsageError, match="--highlight levers: the model has no funnel"):
        graph_data(shop_model(), size_by="degree", highlights=["levers"])


def test_each_funnel_offers_its_own_biggest_lever():
    from ecosystem_graph.model import Ecosystem

    # two separate chains: a -> b (0.5) -> c (0.2) and x -> y (0.3); in a chain every step has elasticity 1,
    # ties go to step order, so each funnel's first step is its biggest lever
    model = Ecosystem.model_validate({
        "name": "two funnels", "currency": "EUR", "period": "2024",
        "nodes": [{"id": i, "kind": "segment", "name": i.upper(), "size": 100} for i in "abcxy"],
        "relationships": [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
                          {"from": "b", "to": "c", "type": "CONVERTS_TO", "rate": 0.2},
                          {"from": "x", "to": "y", "type": "CONVERTS_TO", "rate": 0.3}]})
    data = graph_data(model, size_by="degree")
    edge_of = {e["id"]: (e["from"], e["to"]) for e in data["edges"]}
    (h,) = [h for h in data["highlights"] if h["kind"] == "levers"]
    assert h["label"] == "Biggest lever of each funnel (2)"
    assert sorted(edge_of[e] for e in h["edges"]) == [("a", "b"), ("x", "y")]


# ----------------------------------------------------------------------------------------- default size


def test_default_size_follows_the_removal_impact_ranking(tmp_path):
    from pathlib import Path

    from ecosystem_graph.fileio import load_model
    from tests.analysis_helpers import model as build_model

    # the bridge model: shop (core) paid 100 by fans and 10 by seller; broker links two makers to the rest.
    # Removal impact: shop (1 + 1 + 1 + 7/15) / 4 = 52/60; fans (100/110 + 1) / 4; broker (7/15) / 4 = 7/60;
    # seller (10/110) / 4; the makers 0. Size = 12 + 36 * sqrt(impact / 52/60).
    nodes = [{"id": "shop", "kind": "core", "name": "Shop"}, {"id": "fans", "kind": "segment", "name": "Fans"},
             {"id": "seller", "kind": "partner", "name": "Seller"}, {"id": "broker", "kind": "partner", "name": "Broker"},
             {"id": "maker1", "kind": "partner", "name": "Maker 1"}, {"id": "maker2", "kind": "partner", "name": "M2"}]
    rels = [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 100},
            {"from": "fans", "to": "shop", "type": "USES", "switching_cost": 0.5, "mechanisms": ["loyalty_program"]},
            {"from": "seller", "to": "shop", "type": "PAYS", "amount": 10},
            {"from": "broker", "to": "shop", "type": "SUPPLIES"},
            {"from": "maker1", "to": "broker", "type": "DEPENDS_ON"}, {"from": "maker2", "to": "broker", "type": "DEPENDS_ON"}]
    data = graph_data(build_model(nodes, rels))
    assert data["size_by"] == "impact" and data["size_label"] == "removal impact, what the ecosystem would lose without it"
    size = {n["id"]: n["size"] for n in data["nodes"]}
    top = 52 / 60
    expected = {"shop": 48.0, "fans": 12 + 36 * math.sqrt((100 / 110 + 1) / 4 / top),
                "broker": 12 + 36 * math.sqrt(7 / 60 / top), "seller": 12 + 36 * math.sqrt(10 / 110 / 4 / top),
                "maker1": 12.0, "maker2": 12.0}
    assert size == pytest.approx(expected, abs=0.01)
    # the newspaper: the core, then the subscribers, drawn larger than the payment provider (a cost supplier,
    # 4th by money-weighted PageRank)
    paper = graph_data(load_model(Path(__file__).resolve().parent.parent / "examples" / "newspaper-funnel.yaml"))
    by_size = [n["id"] for n in sorted(paper["nodes"], key=lambda n: -n["size"])]
    assert by_size[:3] == ["news-portal", "subscriber", "plus-subscription"]
    assert by_size.index("payment-provider") > by_size.index("advertisers")
    # the CLI without --size-by draws the same sizes
    src, out = tmp_path / "bridge.yaml", tmp_path / "bridge.html"
    save_model(build_model(nodes, rels), src)
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = _embedded_data(out.read_text(encoding="utf-8"))
    assert page["size_by"] == "impact"
    assert {n["id"]: n["size"] for n in page["nodes"]} == pytest.approx(expected, abs=0.01)
