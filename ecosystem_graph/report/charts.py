"""Report charts drawn with matplotlib (Agg, no pyplot) from plain data, returned as inline SVG text.

Every function takes plain Python data (labels and numbers), so it can be tested without a model, and returns
one ``<svg>`` element as a string: no XML prolog, no DOCTYPE, element ids prefixed so that several charts can
sit in one HTML page, text kept as ``<text>`` (selectable, escaped by matplotlib's XML writer) and mathtext
switched off so that a ``$`` in a user's label is shown as typed.
"""

from __future__ import annotations

import io
import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..model import CHANNEL, CORE, LOCKIN_MECHANISMS, PARTNER, SATELLITE, SEGMENT  # noqa: E402
# the SVG plumbing is shared with the static map (render sits below report)
from ..render.svg import PALETTE, RC_PARAMS, short_label, svg_from_figure  # noqa: E402

__all__ = [
    "KIND_COLORS",
    "PALETTE",
    "RC_PARAMS",
    "FlowBand",
    "FlowNode",
    "bar_chart",
    "tornado_chart",
    "flow_chart",
    "lockin_chart",
    "funnel_chart",
    "compare_chart",
    "SERIES_COLORS",
    "line_chart",
    "share_chart",
    "short_label",
    "svg_from_figure",
]

KIND_COLORS = {
    CORE: "#1f4e79",
    SATELLITE: "#2a9d8f",
    CHANNEL: "#7b68b5",
    PARTNER: "#e09f3e",
    SEGMENT: "#d1495b",
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



_short = short_label


def _tick(value: float, _pos=None) -> str:
    # Plain tick labels with separators (never matplotlib's "1e8" offset text).
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(RC_PARAMS):
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
    with matplotlib.rc_context(RC_PARAMS):
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


@dataclass
class FlowBand:
    """A band of a flow chart: ``value`` sets its thickness, ``label`` is written at its payee's end;
    ``linked`` bands (a share of another payment) are hatched."""

    source: str
    target: str
    value: float
    label: str = ""
    linked: bool = False


_PT = 1 / 72  # one point in inches (the flow chart is laid out in inches)
_NODE_FONT = 8.0
_BAND_FONT = 7.0
_CHAR = 0.57  # mean character width as a share of the font size (DejaVu Sans / Arial)


def _text_width(text: str, size: float) -> float:
    return max((len(line) for line in text.split("\n")), default=0) * size * _CHAR * _PT


def _spread(wanted: list[float], spacing: float, low: float, high: float) -> list[float]:
    """Label heights (top to bottom, descending) moved apart by at least ``spacing``, kept in [low, high]
    as far as they fit: the least movement that removes every overlap of neighbouring labels."""
    ys = list(wanted)
    for i in range(len(ys)):
        ys[i] = min(ys[i], high - i * spacing)
        if i:
            ys[i] = min(ys[i], ys[i - 1] - spacing)
    for i in range(len(ys) - 1, -1, -1):
        floor = low + (len(ys) - 1 - i) * spacing
        if ys[i] < floor:
            ys[i] = floor
        if i < len(ys) - 1 and ys[i] < ys[i + 1] + spacing:
            ys[i] = ys[i + 1] + spacing
    return ys


def flow_chart(nodes: Sequence[FlowNode], bands: Sequence[FlowBand], *, title: str | None = None,
               min_band: float = 2.5, empty_text: str = "no payments in the model") -> str:
    """A layered flow (Sankey) chart: columns of nodes, bands whose thickness is the money they carry.

    Every band keeps at least ``min_band`` points of thickness so that small payments stay visible, is
    written with its ``label`` at its payee's end, and labels of one column are moved apart (with a leader
    line) so that they never overlap. Node labels (``FlowNode.label``, lines split by ``\\n``) sit left
    of the first column and right of the others. A band must run from a column to a later one.

    >>> svg = flow_chart([FlowNode("a", "Buyers", 0), FlowNode("b", "Shop", 1)],
    ...                  [FlowBand("a", "b", 10.0, "EUR 10")])
    >>> "Buyers" in svg and "Shop" in svg and "EUR 10" in svg
    True
    """
    by_id = {n.id: n for n in nodes}
    bands = [b for b in bands if b.value > 0 and b.source in by_id and b.target in by_id
             and by_id[b.source].column < by_id[b.target].column]
    ncols = max((n.column for n in nodes), default=0) + 1
    columns: list[list[FlowNode]] = [[n for n in nodes if n.column == c] for c in range(ncols)]
    tmin = min_band * _PT
    node_w = 0.11
    line_h = _NODE_FONT * 1.25 * _PT
    label_h = {n.id: line_h * (n.label.count("\n") + 1) for n in nodes}
    band_h = _BAND_FONT * 1.35 * _PT
    # Horizontal layout: each gap holds the labels right of a column's nodes and the band labels left of
    # the next column's nodes.
    node_label_w = {n.id: _text_width(n.label, _NODE_FONT) for n in nodes}
    band_label_w = defaultdict(float)
    for b in bands:
        band_label_w[by_id[b.target].column] = max(band_label_w[by_id[b.target].column],
                                                   _text_width(b.label, _BAND_FONT))
    left = max((node_label_w[n.id] for n in columns[0]), default=0.0) + 0.15 if ncols > 1 else 0.1
    xs = [left]
    for c in range(1, ncols):
        right_of_prev = (max((node_label_w[n.id] for n in columns[c - 1]), default=0.0) if c > 1 else 0.0)
        gap = max(right_of_prev + band_label_w[c] + 0.35, 1.1)
        xs.append(xs[-1] + node_w + gap)
    width = xs[-1] + node_w + max((node_label_w[n.id] for n in columns[-1]), default=0.0) + 0.2
    # Vertical layout: room for every node label and every band label of the busiest column.
    labels_per_col = defaultdict(int)
    for b in bands:
        labels_per_col[by_id[b.target].column] += 1
    slot_min = {n.id: label_h[n.id] + 0.05 for n in nodes}  # a node's label fits beside its node
    labels_only = max([sum(slot_min[n.id] for n in col) for col in columns]
                      + [labels_per_col[c] * band_h for c in range(ncols)] + [0.0])
    node_gap = 0.08
    height = max(3.0, 1.6 * labels_only + 0.6)
    top, bottom = height - 0.12, 0.12
    inflow: dict[str, list[FlowBand]] = defaultdict(list)
    outflow: dict[str, list[FlowBand]] = defaultdict(list)
    for b in bands:
        outflow[b.source].append(b)
        inflow[b.target].append(b)

    def thickness(b: FlowBand, scale: float) -> float:
        return max(b.value * scale, tmin)

    def node_height(n: str, scale: float) -> float:
        return max(sum(thickness(b, scale) for b in inflow[n]), sum(thickness(b, scale) for b in outflow[n]), tmin)

    def slot(n: str, scale: float) -> float:
        return max(node_height(n, scale), slot_min[n])

    raw = [sum(max(sum(b.value for b in inflow[n.id]), sum(b.value for b in outflow[n.id])) for n in col)
           for col in columns]
    avail = [top - bottom - node_gap * max(len(col) - 1, 0) for col in columns]
    scale = min((a / r for a, r in zip(avail, raw) if r > 0), default=1.0)
    for _ in range(60):  # label room and the minimum thickness add height: shrink until every column fits
        if all(sum(slot(n.id, scale) for n in col) <= a + 1e-9 for col, a in zip(columns, avail)):
            break
        scale *= 0.95
    pos: dict[str, tuple[float, float, float]] = {}  # id -> (x, top y, height)
    for c, col in enumerate(columns):
        slots = [slot(n.id, scale) for n in col]
        block = sum(slots) + node_gap * max(len(col) - 1, 0)
        y = top - (top - bottom - block) / 2
        for n, room in zip(col, slots):
            h = node_height(n.id, scale)
            pos[n.id] = (xs[c], y - (room - h) / 2, h)
            y -= room + node_gap
    # Each node's bands are stacked in the order of the node at their other end (top first): few crossings.
    out_top: dict[int, float] = {}
    in_top: dict[int, float] = {}
    for nid in pos:
        y = pos[nid][1]
        for b in sorted(outflow[nid], key=lambda b: -pos[b.target][1]):
            out_top[id(b)] = y
            y -= thickness(b, scale)
        y = pos[nid][1]
        for b in sorted(inflow[nid], key=lambda b: -pos[b.source][1]):
            in_top[id(b)] = y
            y -= thickness(b, scale)
    with matplotlib.rc_context(RC_PARAMS):
        fig = _new_figure(width, height)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        for b in sorted(bands, key=lambda b: -b.value):
            h = thickness(b, scale)
            y0, y1 = out_top[id(b)], in_top[id(b)]
            x0, x1 = pos[b.source][0] + node_w, pos[b.target][0]
            mid = (x0 + x1) / 2
            verts = [(x0, y0), (mid, y0), (mid, y1), (x1, y1), (x1, y1 - h), (mid, y1 - h), (mid, y0 - h),
                     (x0, y0 - h), (x0, y0)]
            codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
                     MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
            color = by_id[b.source].color
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=color, alpha=0.5 if b.linked else 0.32,
                                   edgecolor="white" if b.linked else "none", linewidth=0,
                                   hatch="////" if b.linked else None))
        for nid, (x, y, h) in pos.items():
            ax.add_patch(Rectangle((x, y - h), node_w, h, facecolor=by_id[nid].color, edgecolor="none"))
        # Node labels: left of the first column, right of the others; moved apart within a column.
        for c, col in enumerate(columns):
            if not col:
                continue
            wanted = [pos[n.id][1] - pos[n.id][2] / 2 for n in col]
            spacing = max(label_h[n.id] for n in col) + 0.02
            placed = _spread(wanted, spacing, bottom + spacing / 2, top - spacing / 2)
            at_left = c == 0 and ncols > 1
            for n, want, y in zip(col, wanted, placed):
                x = pos[n.id][0]
                tx = x - 0.05 if at_left else x + node_w + 0.05
                ax.text(tx, y, n.label, va="center", ha="right" if at_left else "left", fontsize=_NODE_FONT,
                        color=PALETTE["ink"], linespacing=1.15,
                        bbox=None if at_left else {"boxstyle": "round,pad=0.12", "facecolor": "white",
                                                   "edgecolor": "none", "alpha": 0.85})
                if abs(y - want) > 0.02:
                    ax.plot([x if at_left else x + node_w, tx], [want, y], color=PALETTE["muted"], linewidth=0.5)
        # Band labels at the payee's end, right-aligned against it; moved apart within a column.
        for c in range(1, ncols):
            col_bands = [b for b in bands if by_id[b.target].column == c and b.label]
            col_bands.sort(key=lambda b: -(in_top[id(b)] - thickness(b, scale) / 2))
            wanted = [in_top[id(b)] - thickness(b, scale) / 2 for b in col_bands]
            placed = _spread(wanted, band_h, bottom + band_h / 2, top - band_h / 2)
            for b, want, y in zip(col_bands, wanted, placed):
                x = pos[b.target][0]
                moved = abs(y - want) > 0.015
                tx = x - (0.16 if moved else 0.05)
                ax.text(tx, y, b.label, va="center", ha="right", fontsize=_BAND_FONT, color=PALETTE["ink"],
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                              "alpha": 0.85})
                if moved:
                    ax.plot([tx + 0.01, x], [y, want], color=PALETTE["muted"], linewidth=0.5)
        if not bands:
            ax.text(width / 2, height / 2, empty_text, ha="center", color=PALETTE["muted"])
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
    with matplotlib.rc_context(RC_PARAMS):
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


def funnel_chart(stages: Sequence[tuple[str, float, object]], *, value_format=None, rate_format=None,
                 title: str | None = None, width: float = 9.6) -> str:
    """A funnel: one centred bar per stage whose width is proportional to its members, and above each
    stage every conversion step into it, written as "source → stage: rate".

    ``stages`` are ``(label, members, incoming)``; ``incoming`` is a list of ``(source label, rate)`` (a
    branching funnel has several steps into a stage), or one rate from the stage above, or ``None``.
    Each bar is a group with the id ``funnel-stage-<i>`` (prefixed like every id in the chart).

    >>> svg = funnel_chart([("Flybys", 1000, None), ("Registered", 80, 0.08)])
    >>> "Flybys" in svg and "Flybys → Registered: 8.0%" in svg
    True
    """
    def rate_text(r: float) -> str:
        return rate_format(r) if rate_format else f"{float(r) * 100:.1f}%"

    rows = []
    for i, (label, value, incoming) in enumerate(stages):
        if incoming is None:
            steps = []
        elif isinstance(incoming, (int, float)):
            steps = [(str(stages[i - 1][0]), float(incoming))] if i > 0 else []
        else:
            steps = [(str(src), float(r)) for src, r in incoming]
        rows.append((str(label), float(value), steps))
    top = max((r[1] for r in rows), default=1.0) or 1.0
    line, bar, gap = 0.34, 0.6, 0.22
    # Lay out from the top down: the step lines of a stage, then its bar.
    placed, cursor = [], 0.0
    for label, value, steps in rows:
        text_ys = []
        for _ in steps:
            cursor -= line
            text_ys.append(cursor + line / 2)
        cursor -= 0.06 if steps else gap
        placed.append((cursor - bar / 2, text_ys))
        cursor -= bar
    depth = -cursor
    n = max(len(rows), 1)
    with matplotlib.rc_context(RC_PARAMS):
        fig = _new_figure(width, 0.3 + 0.62 * depth)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(-1.55, 1.05)
        ax.set_ylim(cursor - 0.05, 0.05)
        ax.axis("off")
        for i, ((label, value, steps), (y, text_ys)) in enumerate(zip(rows, placed)):
            w = max(value, 0.0) / top  # linear: the drawn width is proportional to the members
            shade = _blend(PALETTE["primary"], PALETTE["accent"], i / max(n - 1, 1))
            # a hairline edge keeps a stage of a few members visible without widening it
            patch = Rectangle((-w, y - bar / 2), 2 * w, bar, facecolor=shade, edgecolor=shade, linewidth=0.5)
            patch.set_gid(f"funnel-stage-{i}")
            ax.add_patch(patch)
            ax.text(-1.08, y, _short(label, 26), ha="right", va="center", fontsize=9, color=PALETTE["ink"],
                    fontweight="bold")
            inside = w > 0.25
            ax.text(0 if inside else w + 0.03, y, _value_text(value, value_format), va="center",
                    ha="center" if inside else "left", fontsize=8.5,
                    color="white" if inside else PALETTE["ink"])
            for (source, rate), ty in zip(steps, text_ys):
                ax.text(0, ty, f"{_short(source, 30)} → {_short(label, 30)}: {rate_text(rate)}", ha="center",
                        va="center", fontsize=7.5, color=PALETTE["muted"])
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
    with matplotlib.rc_context(RC_PARAMS):
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


SERIES_COLORS = ("#1f4e79", "#2a9d8f", "#e09f3e", "#d1495b", "#7b68b5", "#6a994e", "#b5838d", "#00798c",
                 "#8d6e63", "#3d5a80", "#c77dff", "#588157")
"""One colour per series (offering) of a chart over periods, the same in its line and share charts."""


def line_chart(periods: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *,
               ylabel: str = "", value_format=None, title: str | None = None, label_points: bool = True,
               width: float = 9.6, height: float = 4.6) -> str:
    """One line per series over the periods (x: the periods in order, evenly spaced), each point marked;
    a missing value (None) breaks the line. The last period's values are written right of the lines' ends
    (moved apart so that none overlaps); with ``label_points`` the other points' values too, above them,
    except where one would cover another. The legend is at the right, in the series' order.

    >>> svg = line_chart(["2021", "2022"], [("Ads", [20.0, 60.0], "#1f4e79"), ("Shop", [100.0, None], "#2a9d8f")],
    ...                  ylabel="EUR million", value_format=lambda v: f"{v:g}")
    >>> all(t in svg for t in ("2021", "2022", "Ads", "Shop", ">60<", ">100<", "EUR million"))
    True
    """
    labels = [str(p) for p in periods]
    xs = list(range(len(labels)))
    values = [v for _, vals, _ in series for v in vals if v is not None]
    top = max(values + [0.0])
    with matplotlib.rc_context(RC_PARAMS):
        fig = _new_figure(width, height)
        ax = fig.add_subplot(111)
        ymax = top * 1.15 if top > 0 else 1.0
        gap = ymax * 10.0 / max((height - 0.9) * 72.0, 1.0)  # a 7.5pt label's height, in data units
        last = len(labels) - 1
        for name, vals, color in series:
            ys = [float("nan") if v is None else float(v) for v in vals]
            ax.plot(xs, ys, color=color, linewidth=2.2, marker="o", markersize=5, zorder=3,
                    label=_short(name, 28))
        # Values inside the lines: above each point, largest first, a label left out where it would cover
        # another (the table beside the chart has every figure).
        for i in (range(last) if label_points else []):
            kept: list[float] = []
            points = sorted(((float(vals[i]), color) for _, vals, color in series
                             if i < len(vals) and vals[i] is not None), key=lambda p: -p[0])
            for v, color in points:
                if all(abs(v - k) >= gap for k in kept):
                    kept.append(v)
                    ax.annotate(_value_text(v, value_format), (xs[i], v), textcoords="offset points", xytext=(0, 7),
                                ha="center", fontsize=7.5, color=color, zorder=4,
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        # The last period's values to the right of the lines' ends, moved apart so that none overlaps.
        ends = sorted(((float(vals[last]), color) for _, vals, color in series
                       if len(vals) > last and vals[last] is not None), key=lambda p: -p[0])
        spread = _spread([v for v, _ in ends], gap, 0.0, ymax)
        longest = max((len(_value_text(v, value_format)) for v, _ in ends), default=0) * 7.5 * _CHAR / 72
        room = longest / max(width - 2.8, 1.0)
        right = last + 0.12 + room * (last + 0.5) / max(1 - room, 0.2)
        for (v, color), y in zip(ends, spread):
            ax.annotate(_value_text(v, value_format), (xs[last], v), xytext=(xs[last] + 0.1, y),
                        textcoords="data", ha="left", va="center", fontsize=7.5, color=color, zorder=4,
                        arrowprops=None if abs(y - v) < gap * 0.6 else
                        {"arrowstyle": "-", "color": color, "linewidth": 0.6, "shrinkA": 0, "shrinkB": 3})
        ax.set_xticks(xs, [_short(x, 16) for x in labels])
        ax.set_xlim(-0.35, right)
        ax.set_ylim(0, ymax)
        ax.yaxis.set_major_formatter(FuncFormatter(_tick))
        ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        ax.set_ylabel(ylabel)
        if series:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
        else:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color=PALETTE["muted"])
        return svg_from_figure(fig, title=title)


def share_chart(periods: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]], *,
                title: str | None = None, share_format=None, min_label: float = 0.04, width: float = 9.6,
                height: float = 4.6) -> str:
    """Stacked columns, one per period, each series' share (0..1) of the period's total stacked in the
    series' order from the bottom; shares of at least ``min_label`` are written in their block.

    >>> svg = share_chart(["2021", "2022"], [("Shop", [0.8, 0.6], "#1f4e79"), ("Ads", [0.2, 0.4], "#2a9d8f")],
    ...                   share_format=lambda s: f"{s:.0%}")
    >>> all(t in svg for t in ("2021", "Shop", "Ads", ">80%<", ">40%<", "100%"))
    True
    """
    labels = [str(p) for p in periods]
    xs = list(range(len(labels)))
    fmt_share = share_format or (lambda s: f"{s * 100:.0f}%")
    with matplotlib.rc_context(RC_PARAMS):
        fig = _new_figure(width, height)
        ax = fig.add_subplot(111)
        bottom = [0.0] * len(labels)
        for name, shares, color in series:
            vals = [max(float(v or 0.0), 0.0) for v in shares]
            ax.bar(xs, vals, bottom=bottom, color=color, width=0.62, zorder=2, label=_short(name, 28),
                   edgecolor="white", linewidth=0.6)
            for x, v, b in zip(xs, vals, bottom):
                if v >= min_label:
                    ink = "white" if _dark(color) else PALETTE["ink"]
                    ax.text(x, b + v / 2, fmt_share(v), ha="center", va="center", fontsize=7.5, color=ink, zorder=3)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_xticks(xs, [_short(x, 16) for x in labels])
        ax.set_ylim(0, max(bottom + [1.0]) * 1.02)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{v * 100:.0f}%"))
        ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        ax.set_ylabel("share of ecosystem revenue")
        if series:
            handles, names = ax.get_legend_handles_labels()
            # top of the stack first, as the blocks read from the top
            ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                      fontsize=8.5)
        return svg_from_figure(fig, title=title)


def _dark(color: str) -> bool:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def _tornado_label(label: str, width: int = 50) -> str:
    """An assumption's name on at most two lines (the second cut with an ellipsis), then its range line."""
    import textwrap

    name, _, rest = label.partition("\n")
    lines = textwrap.wrap(" ".join(name.split()), width) or [""]
    if len(lines) > 2:
        lines = [lines[0], _short(" ".join(lines[1:]), width)]
    return "\n".join(lines + ([rest] if rest else []))


def tornado_chart(bars: Sequence[tuple[str, float, float]], base: float, *, value_format=None, xlabel: str = "",
                  title: str | None = None, width: float = 9.6, png: bool = False):
    """A tornado: one bar per assumption from the figure with the assumption at its low to the figure with it
    at its high (every other assumption at its base), around the figure's base value; the widest first.

    ``bars``: ``(label, at_low, at_high)`` as the sensitivity engine gives them (labels may name the
    assumption's range); each end is written with ``value_format``. Returns inline SVG text, or the PNG bytes
    of the same drawing when ``png`` (the deck's picture).

    >>> svg = tornado_chart([("Share", 560.9, 575.9), ("Size", 571.0, 568.5)], 569.9)
    >>> svg.startswith("<svg") and "560.9" in svg and "575.9" in svg and "Share" in svg
    True
    """
    rows = [(str(label), float(lo), float(hi)) for label, lo, hi in bars]
    n = max(len(rows), 1)
    low_color, high_color = PALETTE["warn"], PALETTE["accent"]
    with matplotlib.rc_context(RC_PARAMS):
        fig = _new_figure(width, 0.9 + 0.62 * n)
        ax = fig.add_subplot(111)
        ordered = rows[::-1]  # the first (widest) bar at the top
        span = max([abs(v - base) for _, lo, hi in rows for v in (lo, hi)], default=0.0) or (abs(base) or 1.0) * 0.05
        for y, (_, lo, hi) in enumerate(ordered):
            for end, color in ((lo, low_color), (hi, high_color)):
                ax.barh(y, end - base, left=base, color=color, height=0.62, zorder=2)
            for end, other in ((lo, hi), (hi, lo)):
                right = end > other or (end == other and end >= base)
                ax.text(end + (span * 0.02 if right else -span * 0.02), y, _value_text(end, value_format),
                        va="center", ha="left" if right else "right", fontsize=8, color=PALETTE["ink"])
        ax.vlines(base, -0.45, len(ordered) - 0.55, color=PALETTE["ink"], linewidth=1.0, zorder=3)
        # a label's range (after a line break) is never cut: only the name is shortened
        ax.set_yticks(range(len(ordered)), [_tornado_label(label) for label, _, _ in ordered])
        for tick in ax.get_yticklabels():
            tick.set_multialignment("right")
        ax.set_xlim(base - span * 1.45, base + span * 1.45)
        ax.set_ylim(-0.6, len(ordered) - 0.4 + 0.5)
        ax.text(base, len(ordered) - 0.35, "base " + _value_text(base, value_format), ha="center", va="bottom",
                fontsize=8, color=PALETTE["muted"], bbox=dict(facecolor="white", edgecolor="none", pad=1.5))
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8, zorder=0)
        # a narrow range around a large base: as many decimals as the tick step needs (1.08, 1.09, 1.10)
        ticks = ax.get_xticks()
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos, d=decimals: f"{v:,.{d}f}"))
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(xlabel)
        ax.legend(handles=[Rectangle((0, 0), 1, 1, color=low_color), Rectangle((0, 0), 1, 1, color=high_color)],
                  labels=["assumption at its low", "assumption at its high"], loc="lower left",
                  bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, fontsize=8)
        if not rows:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color=PALETTE["muted"])
        if png:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            buf = io.BytesIO()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
                FigureCanvasAgg(fig)
                fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", pad_inches=0.08,
                            metadata={"Software": None})
            return buf.getvalue()
        return svg_from_figure(fig, title=title)
