"""Report charts drawn with matplotlib (Agg, no pyplot) from plain data, returned as inline SVG text.

Every function takes plain Python data (labels and numbers), so it can be tested without a model, and returns
one ``<svg>`` element as a string: no XML prolog, no DOCTYPE, element ids prefixed so that several charts can
sit in one HTML page, text kept as ``<text>`` (selectable, escaped by matplotlib's XML writer) and mathtext
switched off so that a ``$`` in a user's label is shown as typed.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..model import LOCKIN_MECHANISMS  # noqa: E402

__all__ = [
    "KIND_COLORS",
    "PALETTE",
    "FlowNode",
    "bar_chart",
    "flow_chart",
    "lockin_chart",
    "funnel_chart",
    "compare_chart",
    "svg_from_figure",
]

PALETTE = {
    "ink": "#1d2733",
    "muted": "#5b6878",
    "grid": "#e3e7ec",
    "primary": "#1f4e79",
    "accent": "#2a9d8f",
    "warn": "#d1495b",
    "light": "#9fb7cf",
}

KIND_COLORS = {
    "core": "#1f4e79",
    "satellite": "#2a9d8f",
    "channel": "#7b68b5",
    "partner": "#e09f3e",
    "segment": "#d1495b",
    "other": "#9aa5b1",
}
"""One colour per node kind (the same in every chart of a report)."""

MECHANISM_LABELS = {
    "contractual_commitment": "Contract",
    "durable_purchase": "Device",
    "brand_specific_training": "Training",
    "information_and_databases": "Data",
    "specialized_suppliers": "Suppliers",
    "search_costs": "Search",
    "loyalty_program": "Loyalty",
}
"""Short labels of the seven lock-in types (chart axes)."""

MECHANISM_NAMES = {
    "contractual_commitment": "contractual commitment",
    "durable_purchase": "durable purchase (device)",
    "brand_specific_training": "brand-specific training",
    "information_and_databases": "information and databases",
    "specialized_suppliers": "specialised suppliers",
    "search_costs": "search costs",
    "loyalty_program": "loyalty program",
}
"""The seven lock-in types in words (sentences and tables)."""

_RC = {
    "svg.fonttype": "none",  # real <text>: small, selectable, searchable, escaped by the XML writer
    "svg.hashsalt": "ecograph",  # deterministic ids
    "text.parse_math": False,  # a '$' in a name is a dollar sign, not mathtext
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 10,
    "axes.edgecolor": PALETTE["grid"],
    "axes.labelcolor": PALETTE["muted"],
    "xtick.color": PALETTE["muted"],
    "ytick.color": PALETTE["ink"],
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_FONT_STACK = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
_HEADER = re.compile(r"\A.*?(?=<svg\b)", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # a start tag; user text is escaped, so it never matches one
_FONT_FAMILY = re.compile(r"font-family:\s*'?DejaVu Sans'?(?:,\s*[^;\"]+)?")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_counter = [0]


def _short(label: str, limit: int = 34) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg_from_figure(fig: Figure, *, prefix: str | None = None, title: str | None = None) -> str:
    """The figure as one inline ``<svg>`` element (ids prefixed, no prolog; its natural size in points,
    which the report's stylesheet lets shrink to a narrow container)."""
    buf = io.StringIO()
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # Text stays <text>, drawn by the browser with its own fonts; that the measuring font lacks a
        # glyph (CJK, emoji, a control character) only makes matplotlib warn once per glyph on stderr.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        FigureCanvasSVG(fig)
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                    bbox_inches="tight", pad_inches=0.08)
    # Control characters from names are not allowed in XML (a standalone .svg would not open); drop them.
    svg = _XML_INVALID.sub("", _HEADER.sub("", buf.getvalue(), count=1))
    # <metadata> only repeats what the page says; drop it.
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's '*{stroke-linejoin...}' rule would apply to the whole HTML page; the report's
    # stylesheet sets the same on .chart-svg instead.
    svg = re.sub(r"<style\b[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    if prefix is None:
        _counter[0] += 1
        prefix = f"c{_counter[0]}"
    ids = {m for tag in _TAG.findall(svg) for m in _ID.findall(tag)}
    if ids:
        # Prefix every id and every reference to it (inside tags only), so that charts never share an id.
        def fix_tag(m: re.Match) -> str:
            tag = _ID.sub(lambda i: f'id="{prefix}-{i.group(1)}"', m.group(0))
            tag = re.sub(r"url\(#([^)]+)\)", lambda u: f"url(#{prefix}-{u.group(1)})" if u.group(1) in ids
                         else u.group(0), tag)
            return re.sub(r'href="#([^"]+)"', lambda h: f'href="#{prefix}-{h.group(1)}"' if h.group(1) in ids
                          else h.group(0), tag)

        svg = _TAG.sub(fix_tag, svg)
    svg = _FONT_FAMILY.sub(f"font-family: {_FONT_STACK}".replace('"', "'"), svg)
    attrs = ' class="chart-svg" role="img" preserveAspectRatio="xMidYMid meet"'
    svg = svg.replace("<svg ", "<svg" + attrs + " ", 1)
    if title:
        from markupsafe import escape

        svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + f"<title>{escape(title)}</title>", svg, count=1)
    return svg.strip() + "\n"


def _tick(value: float, _pos=None) -> str:
    # Plain tick labels with separators (never matplotlib's "1e8" offset text).
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), dpi=100)
        fig.patch.set_alpha(0)
    return fig


def _value_text(value: float, fmt) -> str:
    return fmt(value) if fmt else f"{value:,.1f}"


def bar_chart(items: Sequence[tuple[str, float]], *, xlabel: str = "", colors: Sequence[str] | None = None,
              value_format=None, max_items: int = 12, other_label: str = "Other", title: str | None = None,
              width: float = 9.6, xmax: float | None = None) -> str:
    """Horizontal bars, largest first, each labelled with its value.

    Items beyond ``max_items`` are summed into one ``Other (n)`` bar so the chart stays readable.

    >>> svg = bar_chart([("Prime", 40.2), ("AWS", 90.8)], xlabel="USD billion")
    >>> svg.startswith("<svg") and "Prime" in svg and "90.8" in svg
    True
    """
    pairs = [(str(label), float(value)) for label, value in items]
    if colors is not None:
        colors = list(colors)
        order = sorted(range(len(pairs)), key=lambda i: -pairs[i][1])
        pairs = [pairs[i] for i in order]
        colors = [colors[i] for i in order]
    else:
        pairs.sort(key=lambda p: -p[1])
        colors = [PALETTE["primary"]] * len(pairs)
    if len(pairs) > max_items:
        rest = pairs[max_items - 1:]
        pairs = pairs[: max_items - 1] + [(f"{other_label} ({len(rest)})", sum(v for _, v in rest))]
        colors = colors[: max_items - 1] + [KIND_COLORS["other"]]
    n = max(len(pairs), 1)
    with matplotlib.rc_context(_RC):
        fig = _new_figure(width, 0.5 + 0.34 * n)
        ax = fig.add_subplot(111)
        labels = [_short(p[0]) for p in pairs][::-1]
        values = [p[1] for p in pairs][::-1]
        ax.barh(range(len(values)), values, color=colors[::-1], height=0.68, zorder=2)
        ax.set_yticks(range(len(values)), labels)
        top = max([v for v in values if v > 0], default=1.0)
        ax.set_xlim(0, (xmax if xmax is not None else top * 1.18))
        for y, v in enumerate(values):
            ax.text(v + top * 0.01, y, _value_text(v, value_format), va="center", ha="left", fontsize=8,
                    color=PALETTE["ink"])
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(xlabel)
        if not pairs:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color=PALETTE["muted"])
        return svg_from_figure(fig, title=title)


@dataclass
class FlowNode:
    """A node of a flow chart: its column (0 = left), a label and a colour."""

    id: str
    label: str
    column: int
    color: str = KIND_COLORS["other"]
    extra: dict = field(default_factory=dict)


def flow_chart(nodes: Sequence[FlowNode], flows: Sequence[tuple[str, str, float]], *, value_format=None,
               column_titles: Sequence[str] = (), title: str | None = None, width: float = 10.0) -> str:
    """A Sankey-style alluvial chart: columns of nodes, ribbons whose width is the money they carry.

    A node's height is the larger of what flows in and what flows out; ribbons may skip columns
    (a segment paying the core directly). Flows with a non-positive value are left out.

    >>> svg = flow_chart([FlowNode("a", "Buyers", 0), FlowNode("b", "Shop", 1)], [("a", "b", 10.0)])
    >>> "Buyers" in svg and "Shop" in svg
    True
    """
    by_id = {n.id: n for n in nodes}
    flows = [(s, t, float(v)) for s, t, v in flows if v > 0 and s in by_id and t in by_id
             and by_id[s].column < by_id[t].column]
    inflow: dict[str, float] = {n.id: 0.0 for n in nodes}
    outflow: dict[str, float] = {n.id: 0.0 for n in nodes}
    for s, t, v in flows:
        outflow[s] += v
        inflow[t] += v
    throughput = {k: max(inflow[k], outflow[k]) for k in by_id}
    shown = [n for n in nodes if throughput[n.id] > 0]
    ncols = max((n.column for n in shown), default=0) + 1
    columns: list[list[FlowNode]] = [[] for _ in range(ncols)]
    for n in shown:
        columns[n.column].append(n)
    for col in columns:
        col.sort(key=lambda n: -throughput[n.id])
    tallest = max((len(c) for c in columns), default=1)
    total = max((sum(throughput[n.id] for n in c) for c in columns), default=1.0) or 1.0
    height_in = max(2.6, min(10.0, 0.95 + 0.36 * tallest))
    gap_total = 0.28  # share of the height given to gaps in the fullest column
    scale = (1.0 - gap_total) / total
    node_w = 0.018
    xs = [0.02 + i * (0.96 - node_w) / max(ncols - 1, 1) for i in range(ncols)]
    pos: dict[str, tuple[float, float, float]] = {}  # id -> (x, y_top, height)
    for ci, col in enumerate(columns):
        used = sum(throughput[n.id] * scale for n in col)
        gap = (1.0 - used) / max(len(col) - 1, 1) if len(col) > 1 else 0.0
        gap = min(gap, 0.08)
        block = used + gap * (len(col) - 1)
        y = 1.0 - (1.0 - block) / 2
        for n in col:
            h = max(throughput[n.id] * scale, 0.003)
            pos[n.id] = (xs[ci], y, h)
            y -= h + gap
    # Each node's ribbons are stacked in the order of the node at their other end (top first), which
    # keeps crossings few.
    out_start: dict[tuple, float] = {}
    in_start: dict[tuple, float] = {}
    for nid in pos:
        outs = sorted((f for f in flows if f[0] == nid), key=lambda f: -pos[f[1]][1])
        ins = sorted((f for f in flows if f[1] == nid), key=lambda f: -pos[f[0]][1])
        y = pos[nid][1]
        for f in outs:
            out_start[f] = y
            y -= f[2] * scale
        y = pos[nid][1]
        for f in ins:
            in_start[f] = y
            y -= f[2] * scale
    with matplotlib.rc_context(_RC):
        fig = _new_figure(width, height_in)
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.93 if column_titles else 1.0))
        ax.set_xlim(-0.24, 1.24)
        ax.set_ylim(-0.02, 1.02)
        ax.axis("off")
        for f in sorted(flows, key=lambda f: -f[2]):
            s, t, v = f
            h = v * scale
            y0_top, y1_top = out_start[f], in_start[f]
            x0, x1 = pos[s][0] + node_w, pos[t][0]
            mid = (x0 + x1) / 2
            verts = [(x0, y0_top), (mid, y0_top), (mid, y1_top), (x1, y1_top),
                     (x1, y1_top - h), (mid, y1_top - h), (mid, y0_top - h), (x0, y0_top - h), (x0, y0_top)]
            codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4,
                     MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=by_id[s].color, alpha=0.32,
                                   edgecolor="none"))
        for nid, (x, y, h) in pos.items():
            node = by_id[nid]
            ax.add_patch(Rectangle((x, y - h), node_w, h, facecolor=node.color, edgecolor="none"))
            text = f"{_short(node.label, 36)}  {_value_text(throughput[nid], value_format)}"
            left = node.column == 0 and ncols > 1
            ax.text(x - 0.008 if left else x + node_w + 0.008, y - h / 2, text, va="center",
                    ha="right" if left else "left", fontsize=7.5, color=PALETTE["ink"],
                    bbox=None if left or node.column == ncols - 1 else
                    {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        for ci, ctitle in enumerate(column_titles[:ncols]):
            ax.text(xs[ci] + node_w / 2, 1.04, ctitle, ha="center", va="bottom", fontsize=8.5,
                    fontweight="bold", color=PALETTE["muted"], transform=ax.transData, clip_on=False)
        if not flows:
            ax.text(0.5, 0.5, "no money flows in the model", ha="center", color=PALETTE["muted"])
        return svg_from_figure(fig, title=title)


def lockin_chart(segments: Sequence[tuple[str, float, Sequence[str]]], *, title: str | None = None,
                 max_items: int = 20, width: float = 9.6) -> str:
    """Lock-in index (0-100) per segment as bars, with a dot matrix of the seven lock-in types present.

    >>> svg = lockin_chart([("Prime members", 82.0, ["loyalty_program"]), ("Occasional", 12.5, [])])
    >>> "Prime members" in svg and "Loyalty" in svg
    True
    """
    rows = sorted(((str(l), float(i), list(m)) for l, i, m in segments), key=lambda r: -r[1])[:max_items]
    n = max(len(rows), 1)
    with matplotlib.rc_context(_RC):
        fig = _new_figure(width, 1.0 + 0.34 * n)
        gs = fig.add_gridspec(1, 2, width_ratios=(1.45, 1.0), wspace=0.04)
        ax = fig.add_subplot(gs[0])
        mx = fig.add_subplot(gs[1], sharey=ax)
        ys = list(range(len(rows)))[::-1]
        colors = [_index_color(r[1]) for r in rows]
        ax.barh(ys, [r[1] for r in rows], color=colors, height=0.66, zorder=2)
        ax.set_yticks(ys, [_short(r[0]) for r in rows])
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 25, 50, 75, 100])
        for y, r in zip(ys, rows):
            ax.text(r[1] + 1.5, y, f"{r[1]:.0f}", va="center", fontsize=8, color=PALETTE["ink"])
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("lock-in index (0 = free to leave, 100 = locked in)")
        for x, mech in enumerate(LOCKIN_MECHANISMS):
            for y, r in zip(ys, rows):
                present = mech in r[2]
                mx.scatter([x], [y], s=46 if present else 14, zorder=3,
                           color=PALETTE["primary"] if present else PALETTE["grid"])
        mx.set_xticks(range(len(LOCKIN_MECHANISMS)), [MECHANISM_LABELS[m] for m in LOCKIN_MECHANISMS],
                      rotation=40, ha="right")
        mx.set_xlim(-0.6, len(LOCKIN_MECHANISMS) - 0.4)
        mx.tick_params(axis="y", left=False, labelleft=False)
        mx.tick_params(axis="x", length=0)
        for side in ("left", "bottom"):
            mx.spines[side].set_visible(False)
        mx.set_title("lock-in types present", fontsize=8.5, color=PALETTE["muted"], loc="left")
        ax.set_ylim(-0.6, len(rows) - 0.4)
        return svg_from_figure(fig, title=title)


def _index_color(index: float) -> str:
    if index >= 60:
        return PALETTE["primary"]
    if index >= 30:
        return PALETTE["light"]
    return PALETTE["warn"]


def funnel_chart(stages: Sequence[tuple[str, float, float | None]], *, value_format=None,
                 title: str | None = None, width: float = 9.6, log: bool = False) -> str:
    """A funnel: one centred bar per stage (width = members), with the conversion rate between stages.

    ``stages`` are ``(label, members, rate_from_previous)``; the first rate is ignored. With ``log``, bar
    widths follow ``log10(members)`` from one member up (for steep funnels); the labels keep the numbers.

    >>> svg = funnel_chart([("Flybys", 1000, None), ("Registered", 80, 0.08)])
    >>> "Flybys" in svg and "8.0%" in svg
    True
    """
    rows = [(str(l), float(v), r) for l, v, r in stages]
    n = max(len(rows), 1)
    top = max((r[1] for r in rows), default=1.0) or 1.0
    with matplotlib.rc_context(_RC):
        fig = _new_figure(width, 0.5 + 0.62 * n)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(-1.55, 1.05)
        ax.set_ylim(-n + 0.35, 0.75)
        ax.axis("off")
        import math

        def share(value: float) -> float:
            if log:
                return math.log10(max(value, 1.0)) / max(math.log10(max(top, 10.0)), 1e-12)
            return value / top

        for i, (label, value, rate) in enumerate(rows):
            w = max(share(value), 0.012)
            y = -i
            shade = _blend(PALETTE["primary"], PALETTE["accent"], i / max(n - 1, 1))
            ax.add_patch(FancyBboxPatch((-w, y - 0.3), 2 * w, 0.6, boxstyle="round,pad=0,rounding_size=0.03",
                                        facecolor=shade, edgecolor="none"))
            ax.text(-1.08, y, _short(label, 26), ha="right", va="center", fontsize=9, color=PALETTE["ink"],
                    fontweight="bold")
            inside = w > 0.25
            ax.text(0 if inside else w + 0.03, y, _value_text(value, value_format), va="center",
                    ha="center" if inside else "left", fontsize=8.5,
                    color="white" if inside else PALETTE["ink"])
            if i > 0 and rate is not None:
                ax.text(-1.08, y + 0.5, f"↓ {float(rate) * 100:.1f}% convert", ha="right", va="center",
                        fontsize=7.5, color=PALETTE["muted"])
        return svg_from_figure(fig, title=title)


def _blend(a: str, b: str, t: float) -> str:
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


def compare_chart(items: Sequence[tuple[str, float, float]], *, xlabel: str = "", value_format=None,
                  labels: tuple[str, str] = ("before", "after"), title: str | None = None,
                  width: float = 9.6) -> str:
    """Paired horizontal bars: each figure before (light) and after (dark) a what-if.

    >>> svg = compare_chart([("Revenue", 100.0, 80.0)], value_format=lambda v: f"{v:g}")
    >>> "Revenue" in svg and "80" in svg and "after" in svg
    True
    """
    rows = [(str(l), float(b), float(a)) for l, b, a in items]
    n = max(len(rows), 1)
    with matplotlib.rc_context(_RC):
        fig = _new_figure(width, 0.8 + 0.55 * n)
        ax = fig.add_subplot(111)
        ys = list(range(len(rows)))[::-1]
        h = 0.36
        top = max([max(b, a) for _, b, a in rows] + [1e-12])
        ax.barh([y + h / 2 for y in ys], [b for _, b, _ in rows], height=h, color=PALETTE["light"], zorder=2,
                label=labels[0])
        ax.barh([y - h / 2 for y in ys], [a for _, _, a in rows], height=h, color=PALETTE["primary"], zorder=2,
                label=labels[1])
        for y, (_, b, a) in zip(ys, rows):
            ax.text(b + top * 0.01, y + h / 2, _value_text(b, value_format), va="center", fontsize=8.5,
                    color=PALETTE["muted"])
            ax.text(a + top * 0.01, y - h / 2, _value_text(a, value_format), va="center", fontsize=8.5,
                    color=PALETTE["ink"])
        ax.set_yticks(ys, [_short(r[0]) for r in rows])
        ax.set_xlim(0, top * 1.2)
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(xlabel)
        ax.legend(loc="lower right", frameon=False, fontsize=9)
        return svg_from_figure(fig, title=title)
