"""The static map: the ecosystem drawn with matplotlib as SVG or PNG, in the HTML page's layout, colours and shapes."""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, RegularPolygon, Wedge  # noqa: E402

from ..errors import RenderError, UsageError  # noqa: E402
from ..model import CORE, SATELLITE  # noqa: E402
from .html import Highlight, graph_data  # noqa: E402
from .svg import RC_PARAMS, short_label, standalone_svg, svg_from_figure  # noqa: E402
from .style import HIGHLIGHT_COLOR, KIND_STYLES  # noqa: E402

__all__ = ["STATIC_FORMATS", "STATIC_MAX_NODES", "PNG_DPI", "LABEL_LIMIT", "NODE_LABEL_MAX", "StaticMap",
           "map_figure", "static_map", "write_static"]

STATIC_FORMATS = ("svg", "png")
STATIC_MAX_NODES = 1000
"""Default group limit of the static map (the page's is 10,000): a picture cannot be zoomed into."""
PNG_DPI = 150
"""Pixels per inch of PNG output (a 14 x 9 inch map is 2100 x 1350 pixels)."""
LABEL_LIMIT = 250
"""Up to this many nodes every node is named on the map; above it only cores and highlighted nodes are,
and satellites and groups while there are at most 60 of them (the rest would be a carpet of text)."""
NODE_LABEL_MAX = 24
"""Longer node names are cut with an ellipsis on the map."""

_ARROW_LIMIT = 400  # up to this many edges: arrows (and curves for parallel relationships); above, plain lines
_FADED = 0.22  # opacity of what a highlight leaves out
_ENLARGE = 1.1  # the page's node size (a radius in layout pixels) -> marker radius in layout units
_INK, _MUTED = "#1d2733", "#5b6878"
_VERTICES = {"hexagon": (6, 0.0), "diamond": (4, 0.0), "triangle": (3, 0.0), "square": (4, math.pi / 4)}
_LEGEND_MARKER = {"hexagon": "h", "dot": "o", "diamond": "D", "triangle": "^", "square": "s"}


@dataclass
class StaticMap:
    """A drawn map: ``content`` (SVG text or PNG bytes) and the summary of what it shows."""

    format: str
    content: str | bytes
    summary: dict[str, Any]


def _figure_size(n_nodes: int) -> tuple[float, float]:
    """Inches: 14 x 9 up to 60 nodes, then growing with the square root of the node count (at most 40 wide)."""
    scale = min(40 / 14, max(1.0, math.sqrt(n_nodes / 60)))
    return 14 * scale, 9 * scale


def _linestyle(dashes) -> Any:
    return "solid" if not dashes else (0, tuple(d / 2.5 for d in dashes))


def _node_patch(x: float, y: float, radius: float, shape: str, **style) -> Any:
    if shape in _VERTICES:
        vertices, orientation = _VERTICES[shape]
        return RegularPolygon((x, y), vertices, radius=radius * (1.25 if vertices < 6 else 1.1),
                              orientation=orientation, **style)
    return Circle((x, y), radius, **style)


def map_figure(data: dict) -> Figure:
    """The map of :func:`ecosystem_graph.render.html.graph_data` output as a matplotlib Figure.

    The drawing sits in the left axes (``fig.axes[0]``, equal aspect), the legend in a column of its
    own on the right (``fig.legends[0]``), so it can never cover a node. Node markers carry the gid
    ``node-<i>`` (i = position in ``data["nodes"]``) and are kept in the axes' ``patches`` in that
    order after the ring bands.
    """
    nodes, edges = data["nodes"], data["edges"]
    with matplotlib.rc_context(RC_PARAMS), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        width, height = _figure_size(len(nodes))
        fig = Figure(figsize=(width, height), dpi=100)
        k = width / 14  # text and legend grow with a larger map, so they read the same once it is fitted to a page
        fig.patch.set_facecolor("white")
        FigureCanvasAgg(fig)
        legend_left = 0.73
        ax = fig.add_axes((0.01, 0.01, legend_left - 0.03, 0.91))
        ax.set_aspect("equal")
        ax.axis("off")
        fig.text(0.01, 0.975, short_label(data["title"], 90), fontsize=15 * k, fontweight="bold", color=_INK,
                 va="top")
        s = data["summary"]
        sub = f"{s['shown_nodes']:,} nodes, {s['shown_edges']:,} relationships"
        if data["aggregated"]:
            sub += f" (model: {s['nodes']:,} nodes; segments and partners grouped)"
        fig.text(0.01, 0.945, sub, fontsize=9.5 * k, color=_MUTED, va="top")

        active = [h for h in data["highlights"] if not h["offered"]]
        lit_nodes = {n for h in active for n in h["nodes"]}
        lit_edges = {e for h in active for e in h["edges"]}
        pos = {n["id"]: (n["x"], -n["y"]) for n in nodes}  # the page's y axis points down
        radius = {n["id"]: n["size"] * _ENLARGE for n in nodes}

        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        pad = max(radius.values(), default=20.0) + 90.0
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)

        for ring in data["rings"]:  # faint bands behind each ring, as on the page
            outer = ring["outer"] + 40
            ax.add_patch(Wedge((0, 0), outer, 0, 360, width=outer - max(ring["inner"] - 40, 0), facecolor="#f3f5f8",
                               edgecolor="none", zorder=0))

        _draw_edges(ax, edges, pos, radius, lit_edges, bool(active))

        label_all = len(nodes) <= LABEL_LIMIT
        # above LABEL_LIMIT: satellites and groups are named only while they are few enough to read
        named_few = sum(n["kind"] == SATELLITE or n["group"] for n in nodes) <= 60
        font = 8.0 if len(nodes) <= 60 else 6.5 * k
        for i, n in enumerate(nodes):
            style = KIND_STYLES[n["kind"]]
            lit = n["id"] in lit_nodes
            faded = bool(active) and not lit
            x, y = pos[n["id"]]
            patch = _node_patch(x, y, radius[n["id"]], style["shape"], facecolor=style["color"],
                                edgecolor=HIGHLIGHT_COLOR if lit else "white", linewidth=(3.5 if lit else 1.0) * k,
                                alpha=_FADED if faded else 1.0, zorder=3)
            patch.set_gid(f"node-{i}")
            ax.add_patch(patch)
            if label_all or lit or n["kind"] == CORE or ((n["kind"] == SATELLITE or n["group"]) and named_few):
                ax.text(x, y - radius[n["id"]] * 1.3 - 6, short_label(n["name"], NODE_LABEL_MAX), ha="center",
                        va="top", fontsize=font, color=_INK, alpha=0.35 if faded else 1.0, zorder=4,
                        fontweight="bold" if lit or n["kind"] == CORE else "normal")

        legend = fig.legend(handles=_legend_handles(data, active, k), loc="upper left",
                            bbox_to_anchor=(legend_left, 0.92), frameon=False, fontsize=9 * k, title_fontsize=9.5 * k,
                            title="Legend", alignment="left", borderaxespad=0.0, handlelength=2.6)
        legend.get_title().set_fontweight("bold")
        fig.text(legend_left + 0.005, 0.02, textwrap.fill("Node size: " + data["size_label"], 44), fontsize=8 * k,
                 color=_MUTED, va="bottom")
    return fig


def _draw_edges(ax, edges: list, pos: dict, radius: dict, lit_edges: set, any_active: bool) -> None:
    from .style import TYPE_STYLES

    arrows = len(edges) <= _ARROW_LIMIT
    plain: dict[tuple, list] = {}
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        ts = TYPE_STYLES.get(e["type"], {"color": _MUTED, "dashes": False})
        lit = e["id"] in lit_edges
        color = HIGHLIGHT_COLOR if lit else ts["color"]
        # thinner and lighter when there are too many to draw as arrows, so that they do not hide the nodes
        width = e["width"] * (0.9 if lit else (0.6 if arrows else 0.2)) + (1.5 if lit else 0.0)
        alpha = 1.0 if lit else (_FADED if any_active else (0.75 if arrows else 0.35))
        if not arrows:
            plain.setdefault((color, width, alpha, str(ts["dashes"])), []).append(((x1, y1), (x2, y2)))
            continue
        d = math.hypot(x2 - x1, y2 - y1) or 1.0
        ra, rb = radius[e["from"]] + 4, radius[e["to"]] + 8
        a = (x1 + (x2 - x1) * ra / d, y1 + (y2 - y1) * ra / d)
        b = (x2 - (x2 - x1) * rb / d, y2 - (y2 - y1) * rb / d)
        j = e.get("curve", 0)
        bend = 0.0 if j == 0 else (0.18 * ((j + 1) // 2)) * (1 if j % 2 else -1)
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=6 + width * 1.5,
                                     connectionstyle=f"arc3,rad={bend}", color=color, linewidth=width,
                                     linestyle=_linestyle(ts["dashes"]), alpha=alpha, zorder=2 if lit else 1))
    for (color, width, alpha, _), segments in plain.items():
        dashes = next((t["dashes"] for t in TYPE_STYLES.values() if t["color"] == color), False)
        ax.add_collection(LineCollection(segments, colors=color, linewidths=width, alpha=alpha, zorder=1,
                                         linestyles=_linestyle(dashes)))


def _legend_handles(data: dict, active: list, k: float) -> list:
    handles = []
    for kind in data["kinds"]:
        if kind["count"]:
            handles.append(Line2D([], [], linestyle="none", marker=_LEGEND_MARKER[kind["shape"]], markersize=9 * k,
                                  markerfacecolor=kind["color"], markeredgecolor="white",
                                  label=f"{kind['plural'] if kind['count'] > 1 else kind['label']} "
                                        f"({kind['count']:,})"))
    for t in data["types"]:
        if t["count"]:
            handles.append(Line2D([], [], color=t["color"], linewidth=2 * k, linestyle=_linestyle(t["dashes"]),
                                  label=f"{t['label']} ({t['count']:,})"))
    for h in active:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=10 * k, markerfacecolor="white",
                              markeredgecolor=HIGHLIGHT_COLOR, markeredgewidth=3 * k,
                              label=textwrap.fill("Highlighted: " + short_label(h["label"], 70), 34)))
    return handles


def static_map(model, *, fmt: str = "svg", size_by: str = "impact", highlights: Sequence[Highlight | str] = (),
               title: str | None = None, analysis: Any = None, max_nodes: int = STATIC_MAX_NODES) -> StaticMap:
    """The map of ``model`` as SVG text or PNG bytes, with what the interactive page shows: the ring layout,
    kind colours and shapes, relationship colours and dashes, money as line width, node size by ``size_by``,
    the asked ``highlights`` (all drawn at once) and groups above ``max_nodes``.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> m = Ecosystem.model_validate({"name": "Tiny <b>", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "shop", "kind": "core", "name": "Shop & Co"}]})
    >>> svg = static_map(m, size_by="degree").content
    >>> "Shop &amp; Co" in svg, "Tiny &lt;b&gt;" in svg, "Tiny <b>" in svg
    (True, True, False)
    """
    if fmt not in STATIC_FORMATS:
        raise UsageError(f"format must be one of {', '.join(STATIC_FORMATS)}, not '{fmt}'")
    data = graph_data(model, size_by=size_by, highlights=highlights, layout="ecosystem", title=title,
                      analysis=analysis, max_nodes=max_nodes)
    fig = map_figure(data)
    if fmt == "svg":

        content: str | bytes = standalone_svg(svg_from_figure(fig, prefix="map", title=data["title"]))
    else:
        buf = io.BytesIO()
        with matplotlib.rc_context(RC_PARAMS), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
            fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        content = buf.getvalue()
    summary = {**data["summary"], "aggregated": data["aggregated"], "notes": data["notes"]}
    return StaticMap(fmt, content, summary)


def write_static(model, path, *, fmt: str = "svg", **options: Any) -> dict[str, Any]:
    """Write :func:`static_map` to ``path`` atomically; return the summary of what it shows (with ``bytes``)."""
    from ..fileio import write_bytes_atomic, write_text_atomic

    drawn = static_map(model, fmt=fmt, **options)
    try:
        if isinstance(drawn.content, str):
            write_text_atomic(path, drawn.content)
            size = len(drawn.content.encode("utf-8"))
        else:
            write_bytes_atomic(path, drawn.content)
            size = len(drawn.content)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return {**drawn.summary, "bytes": size}
