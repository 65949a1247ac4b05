"""The static map (ecograph render -o map.svg / map.png) and the Markdown report's embedded map."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model, save_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.render.html import graph_data
from ecosystem_graph.render.static import map_figure, static_map
from ecosystem_graph.render.style import HIGHLIGHT_COLOR
from tests.render_models import shop_model

SVG = "{http://www.w3.org/2000/svg}"
SHOP_NAMES = ["Online shop", "Prime", "App", "Echo", "Carrier", "Prime members", "Occasional buyers"]


def _markers(root: ET.Element) -> dict[int, ET.Element]:
    """Node marker groups by node index (gid node-<i>, prefixed map- by the SVG writer)."""
    out = {}
    for g in root.iter(SVG + "g"):
        m = re.fullmatch(r"map-node-(\d+)", g.get("id", ""))
        if m:
            out[int(m.group(1))] = g
    return out


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def _marker_style(group: ET.Element) -> str:
    return " ".join(p.get("style", "") for p in group.iter(SVG + "path"))


def test_svg_parses_with_one_marker_and_the_name_of_every_node():
    svg = static_map(shop_model(), size_by="degree").content
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == SVG + "svg"
    assert sorted(_markers(root)) == list(range(7))  # 7 nodes in shop_model, one marker each
    texts = _texts(root)
    for name in SHOP_NAMES:
        assert name in texts
    assert "Tiny shop" in texts  # the title


def _legend_clear_of_nodes(model, **options) -> int:
    data = graph_data(model, **options)
    fig = map_figure(data)
    renderer = fig.canvas.get_renderer()
    legend_box = fig.legends[0].get_window_extent(renderer)
    ax = fig.axes[0]
    markers = [p for p in ax.patches if str(p.get_gid() or "").startswith("node-")]
    assert len(markers) == len(data["nodes"])
    for node, marker in zip(data["nodes"], markers):
        cx, cy = ax.transData.transform((node["x"], -node["y"]))
        assert not (legend_box.x0 <= cx <= legend_box.x1 and legend_box.y0 <= cy <= legend_box.y1), node["name"]
        assert not marker.get_window_extent(renderer).overlaps(legend_box), node["name"]
    # and the whole legend lies in the figure, to the right of the drawing area
    fig_box = fig.bbox
    assert legend_box.x0 >= ax.get_window_extent(renderer).x1 and legend_box.x1 <= fig_box.x1
    assert legend_box.y0 >= fig_box.y0 and legend_box.y1 <= fig_box.y1
    return len(markers)


def test_legend_covers_no_node_in_the_shop_both_examples_and_a_200_node_model():
    assert _legend_clear_of_nodes(shop_model(), size_by="degree", highlights=["lockin:members"]) == 7
    assert _legend_clear_of_nodes(load_model("examples/amazon.yaml"), highlights=["lockin:prime-members"]) == 25
    assert _legend_clear_of_nodes(load_model("examples/newspaper-funnel.yaml"), highlights=["levers"]) == 15
    assert _legend_clear_of_nodes(generate_model(200, seed=3), size_by="degree") == 200


def test_a_highlight_rings_its_nodes_and_fades_the_others():
    plain = _markers(ET.fromstring(static_map(shop_model(), size_by="degree").content.encode()))
    lit = _markers(ET.fromstring(static_map(shop_model(), size_by="degree",
                                            highlights=["lockin:members"]).content.encode()))
    # lock-in of members: members -USES-> prime -FEEDS-> shop and members -USES-> echo -FEEDS-> shop
    # (render_models.shop_model), i.e. nodes 0 shop, 1 prime, 3 echo, 5 members in the model's order
    ringed = {i for i, g in lit.items() if HIGHLIGHT_COLOR in _marker_style(g)}
    assert ringed == {0, 1, 3, 5}
    assert not any(HIGHLIGHT_COLOR in _marker_style(g) for g in plain.values())
    for i in (2, 4, 6):  # app, carrier, buyers: faded
        assert "opacity: 0.22" in _marker_style(lit[i])
        assert "opacity: 0.22" not in _marker_style(plain[i])


def test_hostile_names_are_escaped_and_the_svg_stays_well_formed():
    data = shop_model().to_data()
    data["name"] = "Eco <script>alert(1)</script> & co"
    data["nodes"][1]["name"] = "<b>&\x01\x07</b>"
    data["nodes"][2]["name"] = "<script>x</script>"
    svg = static_map(Ecosystem.model_validate(data), size_by="degree").content
    assert "<script" not in svg and "<b>" not in svg and "\x01" not in svg and "\x07" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    root = ET.fromstring(svg.encode("utf-8"))  # well-formed despite the control characters
    texts = _texts(root)
    assert "<script>x</script>" in texts and "<b>&</b>" in texts
    assert "Eco <script>alert(1)</script> & co" in texts
    assert not list(root.iter(SVG + "script")) and not list(root.iter(SVG + "b"))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_is_a_png_of_the_expected_size():
    drawn = static_map(shop_model(), fmt="png", size_by="degree")
    assert _png_size(drawn.content) == (2100, 1350)  # 14 x 9 inches at 150 dpi (up to 60 nodes)


def test_cli_writes_svg_or_png_by_suffix_or_format(tmp_path):
    src = tmp_path / "shop.yaml"
    save_model(shop_model(), src)
    runner = CliRunner()
    r = runner.invoke(cli, ["render", str(src), "-o", str(tmp_path / "map.svg"), "--size-by", "degree",
                            "--highlight", "path:buyers,carrier"])
    assert r.exit_code == 0, r.output
    assert "SVG map: 7 nodes, 10 relationships" in r.output
    root = ET.parse(tmp_path / "map.svg").getroot()
    assert len(_markers(root)) == 7
    # buyers -PAYS-> shop -PAYS-> carrier: nodes 6, 0, 4 ringed
    assert {i for i, g in _markers(root).items() if HIGHLIGHT_COLOR in _marker_style(g)} == {0, 4, 6}
    r = runner.invoke(cli, ["render", str(src), "-o", str(tmp_path / "map.png"), "--size-by", "degree"])
    assert r.exit_code == 0, r.output
    assert _png_size((tmp_path / "map.png").read_bytes()) == (2100, 1350)
    r = runner.invoke(cli, ["render", str(src), "-o", str(tmp_path / "map.img"), "--format", "png"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "map.img").read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(cli, ["render", str(src), "-o", str(tmp_path / "f.svg"), "--layout", "force"])
    assert r.exit_code != 0 and "ecosystem layout" in r.output and not (tmp_path / "f.svg").exists()


def test_above_the_node_limit_the_map_shows_groups():
    model = generate_model(200, seed=3)
    drawn = static_map(model, size_by="degree", max_nodes=50)
    assert drawn.summary["aggregated"] and drawn.summary["nodes"] == 200
    shown = drawn.summary["shown_nodes"]
    assert shown <= 50
    assert len(_markers(ET.fromstring(drawn.content.encode()))) == shown


def test_markdown_report_embeds_the_map_and_not_the_page_controls(tmp_path):
    out = tmp_path / "shop.md"
    src = tmp_path / "shop.yaml"
    save_model(shop_model(), src)
    r = CliRunner().invoke(cli, ["report", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "](shop-map.svg)" in text
    assert "Drag to pan" not in text and "scroll to zoom" not in text and "click a node" not in text
    root = ET.parse(tmp_path / "shop-map.svg").getroot()
    assert len(_markers(root)) == 7
    assert set(SHOP_NAMES) <= set(_texts(root))


def test_injection_payloads_in_every_field_stay_text():
    from tests.render_models import PAYLOADS, hostile_model

    svg = static_map(hostile_model(), size_by="degree", highlights=["lockin:members"]).content
    root = ET.fromstring(svg.encode("utf-8"))
    tags = {el.tag for el in root.iter()}
    assert all(t.startswith(SVG) for t in tags), tags  # nothing outside the SVG namespace (no <img>, <b>)
    assert not tags & {SVG + "script", SVG + "a", SVG + "foreignObject"}
    assert not any(name.lower().startswith("on") for el in root.iter() for name in el.attrib)
    texts = _texts(root)
    assert "Eco " + PAYLOADS[1] in texts  # the ecosystem's name, as typed, as the title
    assert sum(len(t) for t in texts if "<" in t) > 0  # the payloads are there, as text
