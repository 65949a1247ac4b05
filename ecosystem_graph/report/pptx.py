"""The report as an editable PowerPoint deck: native text, shapes, connectors, charts and tables."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from ..errors import InputError
from ..analysis.builtin.sensitivity import REPORT_DRAWS
from ..analysis.sections import names as section_names
from ..numbers import format_money, format_share
from .build import SECTION_BUILDERS
from .document import Chart, Report, ReportTable

__all__ = ["Deck", "render_report_pptx", "check_template", "MAP_MAX_NODES", "clean_text"]

MAP_MAX_NODES = 60
"""Above this many nodes the map slide draws the actors ranked highest by removal impact and says so."""
CHART_ITEMS = 12
TABLE_ROWS = 12

_SLIDE_W_IN, _SLIDE_H_IN = 13.333, 7.5
_EMU_PER_IN = 914400
_EMU_PER_PT = 12700
_TEXT = "333333"
_MUTED = "6b7280"
_ACCENT = "2874a6"
_TILE = "f3f4f6"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")

# Which charts the deck shows, in deck order within their section; the rest stay in the HTML report.
_DECK_CHARTS = ("revenue-by-offering", "revenue-dependency", "keystones-impact", "keystones-revenue", "lockin-index")
_DECK_TABLES = ("whatif", "timeline-periods")
_SECTION_ORDER = ("whatif", "timeline-revenue", "timeline-figures", "revenue", "keystones", "lockin", "funnel")

# One sentence per figure, in the client's words (the report's own methods appendix is technical).
_METHODS = {
    "revenue": "Ecosystem revenue is what customers and partners pay the core, its satellites and channels in the "
               "model's period; payments between the ecosystem's own offerings are not counted twice.",
    "dependency": "Revenue depending on an offering is its own revenue plus the revenue of customers who reach "
                  "the offering they pay through it.",
    "keystones": "Removal impact is what the ecosystem would lose without an actor: the average of the revenue, "
                 "customer segments, lock-in and connections lost, from 0% (nothing) to 100% (everything).",
    "lockin": "Lock-in (0 to 100) says how hard it would be for a competitor to detach a customer segment: how "
              "costly its cheapest bindings are to break, how many independent ties it has, and the kinds of "
              "lock-in present.",
    "funnel": "The funnel follows the members of the entry stage through each step's conversion rate; conversion "
              "is the share who reach a final stage.",
    "sensitivity": f"“80% between A and B”: the model's uncertain estimates were drawn {REPORT_DRAWS:,} times within their "
                   "ranges and 8 in 10 of the results lie between A and B; a tornado bar shows how far one "
                   "estimate, moved from its low to its high, moves the figure.",
    "whatif": "The what-if recomputes every figure on the model with the listed changes and compares it with the "
              "model as it is.",
    "timeline": "Each snapshot is analysed on its own and actors are matched across snapshots by their ids; growth "
                "compares a period with the one before, annual growth spreads the change evenly over the years, a "
                "share is an offering's part of that period's ecosystem revenue.",
    "sources": "Every figure comes from the model's own actors, relationships and amounts; nothing is estimated "
               "beyond what the model states.",
}


def clean_text(text) -> str:
    """``text`` without the control characters an XML document cannot hold (tabs and new lines stay).

    >>> clean_text("Shop\\x00 A\\x1b")
    'Shop A'
    """
    return _CONTROL.sub("", str(text if text is not None else ""))


def _fit(text: str, width: int, height: int, sizes=(18, 16, 14, 12, 11, 10, 9, 8, 7)) -> tuple[str, int]:
    """The largest font size (pt) at which ``text`` fits a box of ``width`` x ``height`` EMU (a width per
    character of 0.6 em, lines of 1.2 em); at the smallest size the text is cut with an ellipsis.

    >>> _fit("Online stores", 2 * 914400, 914400, (40, 20, 10))
    ('Online stores', 20)
    >>> _fit("x" * 500, 914400, 12700 * 12, (10,))[0][-3:]
    'xx…'
    """
    text = clean_text(text)
    w_pt, h_pt = width / _EMU_PER_PT, height / _EMU_PER_PT
    paragraphs = text.split("\n")
    size = sizes[-1]
    longest = max((len(w) for w in text.split()), default=0)
    for size in sizes:
        per_line = max(1, int(w_pt / (size * 0.6)))
        lines = sum(max(1, math.ceil(len(p) / per_line)) for p in paragraphs)
        if lines * size * 1.2 <= h_pt and longest <= per_line:  # no word broken in two
            return text, size
    per_line = max(1, int(w_pt / (size * 0.6)))
    max_lines = max(1, int(h_pt / (size * 1.2)))
    budget = per_line * max_lines
    return (text[: max(1, budget - 1)].rstrip() + "…" if len(text) > budget else text), size


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def check_template(path: str) -> None:
    """Raise :class:`~ecosystem_graph.errors.InputError` unless ``path`` opens as a PowerPoint deck (checked
    before the analyses run, so that a wrong file fails at once)."""
    _open_template(path)


def _open_template(path: str):
    from pptx import Presentation

    try:
        return Presentation(path)
    except Exception as exc:  # python-pptx raises many types for a file that is not a deck
        raise InputError(f"{path}: not a PowerPoint template ({type(exc).__name__}: {exc})") from None


class _Deck:
    """The presentation being written and its geometry."""

    def __init__(self, template: str | None):
        from pptx import Presentation
        from pptx.util import Emu

        if template is not None:
            self.prs = _open_template(template)
            self._drop_slides()
        else:
            self.prs = Presentation()
            self.prs.slide_width = Emu(int(_SLIDE_W_IN * _EMU_PER_IN))
            self.prs.slide_height = Emu(int(_SLIDE_H_IN * _EMU_PER_IN))
        self.own_layouts = template is None
        self.title_bottom = 0
        self.W, self.H = int(self.prs.slide_width), int(self.prs.slide_height)
        self.margin = int(self.W * 0.04)
        self.title_layout = self._layout("Title Slide", 0)
        self.body_layout = self._layout("Title Only", 5)

    def _drop_slides(self) -> None:
        """A template's own slides are examples, not part of the deck."""
        ids = self.prs.slides._sldIdLst
        for sld in list(ids):
            self.prs.part.drop_rel(sld.rId)
            ids.remove(sld)

    def _layout(self, name: str, index: int):
        layouts = list(self.prs.slide_layouts)
        for layout in layouts:
            if layout.name == name:
                return layout
        return layouts[min(index, len(layouts) - 1)]

    # ----------------------------------------------------------------------------- building blocks

    def slide(self, title: str):
        """A slide with ``title`` in its title placeholder (or a text box when the layout has none)."""
        slide = self.prs.slides.add_slide(self.body_layout)
        box = (self.margin, int(self.H * 0.04), self.W - 2 * self.margin, int(self.H * 0.12))
        shape = slide.shapes.title
        if shape is None:
            self.text(slide, title, *box, sizes=(28, 24, 20, 18, 16), bold=True)
            self.title_bottom = box[1] + box[3]
            return slide
        self.fill(shape, title, box, (28, 24, 20, 18, 16))
        self.title_bottom = int(shape.top) + int(shape.height)
        if self.own_layouts:
            from pptx.enum.text import PP_ALIGN

            for p in shape.text_frame.paragraphs:
                p.alignment = PP_ALIGN.LEFT
                for r in p.runs:
                    r.font.bold = True
                    r.font.color.rgb = _rgb(_TEXT)
        return slide

    def fill(self, shape, text: str, box: tuple[int, int, int, int], sizes: tuple[int, ...]) -> None:
        """Put ``text`` into the placeholder ``shape`` at the largest of ``sizes`` it fits in; the shape is
        moved to ``box`` on the deck's own layouts or when a template's placeholder lies off the slide."""
        from pptx.util import Pt

        if self.own_layouts or not _within(shape, self.W, self.H):
            shape.left, shape.top, shape.width, shape.height = box
        fitted, size = _fit(text, int(shape.width) - 2 * 91440, int(shape.height) - 2 * 45720, sizes)
        shape.text_frame.word_wrap = True
        shape.text_frame.text = fitted
        for p in shape.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(size)

    @property
    def body_top(self) -> int:
        """Where content starts: under the title of the slide last made (a template's may sit lower)."""
        return min(max(int(self.H * 0.18), self.title_bottom + int(self.H * 0.015)), int(self.H * 0.35))

    def text(self, slide, text: str, left: int, top: int, width: int, height: int, *, sizes=(18, 16, 14, 12, 11, 10),
             bold: bool = False, colour: str = _TEXT, align=None, anchor=None, bullets: bool = False):
        """A text box at the given place, its font shrunk (and the text cut) so that it stays inside."""
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Pt

        left, top = max(0, left), max(0, top)
        width, height = min(width, self.W - left), min(height, self.H - top)
        box = slide.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        inner_w, inner_h = width - 2 * 91440, height - 2 * 45720
        fitted, size = _fit(text, inner_w, inner_h, sizes)
        if bullets:
            fitted = "\n".join("• " + line for line in fitted.split("\n"))
        for i, line in enumerate(fitted.split("\n")):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = p.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = _rgb(colour)
            if align is not None:
                p.alignment = align
            if bullets:
                p.space_after = Pt(size * 0.5)
        if anchor is not None:
            tf.vertical_anchor = anchor
        return box


def _within(shape, W: int, H: int) -> bool:
    try:
        return (shape.left is not None and shape.left >= 0 and shape.top >= 0
                and shape.left + shape.width <= W and shape.top + shape.height <= H)
    except TypeError:
        return False


# --------------------------------------------------------------------------------------------- slides


def _title_slide(deck: _Deck, doc: Report) -> None:
    slide = deck.prs.slides.add_slide(deck.title_layout)
    lines = [f"{doc.ecosystem} · {doc.period}" + (f" · {doc.currency}" if doc.currency else "")]
    if doc.scenario_label:
        lines.append(f"With the what-if: {doc.scenario_label}")
    lines.append(f"{doc.counts.get('nodes', 0):,} actors, {doc.counts.get('relationships', 0):,} relationships · "
                 f"{doc.provenance.generated}")
    subtitle = "\n".join(lines)
    placeholders = {p.placeholder_format.idx: p for p in slide.placeholders}
    title_box = (deck.margin, int(deck.H * 0.30), deck.W - 2 * deck.margin, int(deck.H * 0.20))
    sub_box = (deck.margin, int(deck.H * 0.54), deck.W - 2 * deck.margin, int(deck.H * 0.20))
    for idx, text, box, sizes in ((0, doc.title, title_box, (40, 36, 32, 28, 24, 20)),
                                  (1, subtitle, sub_box, (20, 18, 16, 14, 12))):
        ph = placeholders.get(idx)
        if ph is None:
            deck.text(slide, text, *box, sizes=sizes, bold=idx == 0)
            continue
        deck.fill(ph, text, box, sizes)
        if deck.own_layouts:
            for p in ph.text_frame.paragraphs:
                for r in p.runs:
                    r.font.color.rgb = _rgb(_TEXT if idx == 0 else _MUTED)
    for ph in list(slide.placeholders):  # an empty placeholder shows "Click to add text" in the editor
        if ph.placeholder_format.idx not in (0, 1):
            ph._element.getparent().remove(ph._element)


def _summary_slide(deck: _Deck, doc: Report) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR

    slide = deck.slide("Executive summary")
    m, top = deck.margin, deck.body_top
    kpis = doc.kpis[:8]
    per_row = 4
    gap = int(deck.W * 0.012)
    tile_w = (deck.W - 2 * m - (per_row - 1) * gap) // per_row
    tile_h = int(deck.H * 0.15)
    rows = math.ceil(len(kpis) / per_row)
    for i, k in enumerate(kpis):
        x = m + (i % per_row) * (tile_w + gap)
        y = top + (i // per_row) * (tile_h + gap)
        tile = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y, tile_w, tile_h)
        tile.fill.solid()
        tile.fill.fore_color.rgb = _rgb(_TILE)
        tile.line.fill.background()
        tile.shadow.inherit = False
        pad = int(tile_w * 0.05)
        deck.text(slide, k.label, x + pad, y, tile_w - 2 * pad, int(tile_h * 0.3), sizes=(11, 10, 9, 8),
                  colour=_MUTED)
        deck.text(slide, k.text, x + pad, y + int(tile_h * 0.28), tile_w - 2 * pad, int(tile_h * 0.4),
                  sizes=(24, 20, 18, 16, 14, 12), bold=True, anchor=MSO_ANCHOR.MIDDLE)
        if k.detail:
            deck.text(slide, k.detail, x + pad, y + int(tile_h * 0.68), tile_w - 2 * pad, int(tile_h * 0.32),
                      sizes=(9, 8, 7), colour=_MUTED)
    y = top + rows * (tile_h + gap) + gap
    sentences = "\n".join(item.sentence for item in doc.summary)
    if sentences:
        deck.text(slide, sentences, m, y, deck.W - 2 * m, deck.H - y - int(deck.H * 0.04),
                  sizes=(16, 14, 13, 12, 11, 10, 9), bullets=True)


def _map_nodes(doc: Report) -> tuple[list[str], str | None]:
    """The nodes the map draws (all, or the top ones by the headline ranking) and the note saying so."""
    G = doc.graph
    nodes = list(G.nodes)
    if len(nodes) <= MAP_MAX_NODES:
        return nodes, None
    ranked = [n for n in doc.ranking if n in G] + [n for n in nodes if n not in set(doc.ranking)]
    keep = set(ranked[:MAP_MAX_NODES])
    shown = [n for n in nodes if n in keep]
    return shown, (f"The model has {len(nodes):,} actors; the map shows the {MAP_MAX_NODES} the ecosystem would miss "
                   f"most (highest removal impact) and the relationships between them.")


_SHAPES = {"hexagon": "HEXAGON", "dot": "OVAL", "diamond": "DIAMOND", "triangle": "ISOSCELES_TRIANGLE",
           "square": "ROUNDED_RECTANGLE"}
_TEXT_AREA = {"hexagon": (0.62, 0.8), "dot": (0.64, 0.68), "diamond": (0.44, 0.5), "triangle": (0.44, 0.45),
              "square": (0.86, 0.8)}
"""The part of each shape's width and height its text has (the rectangle PowerPoint writes the text in)."""
_DASHES = {"FEEDS": "DASH", "REACHES": "ROUND_DOT", "SUPPLIES": "SQUARE_DOT", "DEPENDS_ON": "LONG_DASH_DOT"}


def _map_slide(deck: _Deck, doc: Report) -> None:
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Pt

    from ..model import CORE, SEGMENT
    from ..render.layout import ecosystem_layout
    from ..render.style import KIND_STYLES, TYPE_STYLES

    G = doc.graph
    slide = deck.slide("The ecosystem at a glance")
    nodes, note = _map_nodes(doc)
    shown = set(nodes)
    kinds = {n: G.nodes[n].get("kind", SEGMENT) for n in nodes}
    edges = [(u, v) for u, v in G.edges() if u in shown and v in shown]
    pos = ecosystem_layout(kinds, edges)
    # The drawing area: left of the legend, under the title (and above the note when there is one).
    m = deck.margin
    legend_w = int(deck.W * 0.17)
    area_l, area_t = m, deck.body_top
    area_w = deck.W - 2 * m - legend_w - int(deck.W * 0.01)
    area_h = deck.H - area_t - int(deck.H * (0.09 if note else 0.03))
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x, span_y = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    # The rings are stretched into ellipses (up to 1.6 times wider than high) to use the wide slide.
    node_w = int(min(1.3 * _EMU_PER_IN, area_w * 0.16))
    for _ in range(3):
        node_h = int(node_w * 0.55)
        sy = (area_h - node_h) / span_y
        sx = min((area_w - node_w) / span_x, 1.6 * sy)
        closest = _closest_distance([(x * sx, y * sy * 1.8) for x, y in pos.values()])  # height counts ~2x
        node_w = int(max(0.4 * _EMU_PER_IN, min(1.3 * _EMU_PER_IN, area_w * 0.16, closest * 0.92 or node_w)))
    node_h = int(node_w * 0.55)
    sy = (area_h - node_h) / span_y
    sx = min((area_w - node_w) / span_x, 1.6 * sy)
    cx0 = area_l + area_w / 2 - (max(xs) + min(xs)) / 2 * sx
    cy0 = area_t + area_h / 2 - (max(ys) + min(ys)) / 2 * sy
    font = max(6, min(11, int(node_h / _EMU_PER_PT / 3.2)))
    shapes = {}
    for n in nodes:
        kind = kinds[n]
        style = KIND_STYLES.get(kind, KIND_STYLES[SEGMENT])
        x, y = pos[n]
        left = int(cx0 + x * sx - node_w / 2)
        top = int(cy0 + y * sy - node_h / 2)
        shape = slide.shapes.add_shape(getattr(MSO_SHAPE, _SHAPES[style["shape"]]), left, top, node_w, node_h)
        shape.name = clean_text(f"node {n}")[:200]
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(style["color"])
        shape.line.color.rgb = _rgb("ffffff")
        shape.line.width = Pt(0.75)
        shape.shadow.inherit = False
        tf = shape.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, int(node_w * 0.03))
        inner_w, inner_h = _TEXT_AREA[style["shape"]]
        name, size = _fit(G.nodes[n].get("name", n), int(node_w * inner_w), int(node_h * inner_h),
                          tuple(range(font, 4, -1)))
        tf.text = name
        for p in tf.paragraphs:
            p.alignment = PP_ALIGN.CENTER
            for r in p.runs:
                r.font.size = Pt(size)
                r.font.color.rgb = _rgb("ffffff")
                r.font.bold = kind == CORE
        shapes[n] = shape
    # One connector per (pair, type); PAYS lines as wide as the money they carry (summed).
    merged: dict[tuple[str, str, str], float] = {}
    for u, v, data in G.edges(data=True):
        if u in shown and v in shown and u != v:
            key = (u, v, data.get("type", "USES"))
            merged[key] = merged.get(key, 0.0) + float(data.get("amount") or 0.0)
    top_money = max((a for (_, _, t), a in merged.items() if t == "PAYS"), default=0.0)
    first_node = shapes[nodes[0]]._element if nodes else None
    for (u, v, rtype), amount in merged.items():
        a, b = shapes[u], shapes[v]
        line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, a.left + a.width // 2, a.top + a.height // 2,
                                          b.left + b.width // 2, b.top + b.height // 2)
        line.name = clean_text(f"{rtype} {u} -> {v}")[:200]
        _glue(line, a.shape_id, b.shape_id)
        style = TYPE_STYLES.get(rtype, {"color": "#999999"})
        line.line.color.rgb = _rgb(style["color"])
        width = 1.0
        if rtype == "PAYS" and top_money > 0:
            width = 0.75 + 4.0 * math.sqrt(max(amount, 0.0) / top_money)
        line.line.width = Pt(width)
        if rtype in _DASHES:
            line.line.dash_style = getattr(MSO_LINE_DASH_STYLE, _DASHES[rtype])
        _arrow_head(line)
        if first_node is not None:  # lines under the nodes, so they seem to start at their edges
            first_node.addprevious(line._element)
    _legend(deck, slide, {kinds[n] for n in nodes}, {t for (_, _, t) in merged},
            deck.W - m - legend_w, area_t, legend_w, area_h)
    if note:
        deck.text(slide, note, m, deck.H - int(deck.H * 0.085), deck.W - 2 * m, int(deck.H * 0.07),
                  sizes=(12, 11, 10, 9), colour=_MUTED)


def _closest_distance(points: list[tuple[float, float]]) -> float:
    """The smallest distance between two points (a grid of cells keeps it near linear)."""
    if len(points) < 2:
        return 0.0
    best = math.inf
    pts = sorted(points)
    for i, (x, y) in enumerate(pts):  # sweep on x: stop once the x gap alone exceeds the best distance
        for x2, y2 in pts[i + 1:]:
            if x2 - x >= best:
                break
            best = min(best, math.hypot(x2 - x, y2 - y))
    return best


def _glue(connector, begin_id: int, end_id: int) -> None:
    """Record the shapes a connector joins (``a:stCxn``/``a:endCxn``), so that it follows them when moved."""
    from pptx.oxml.ns import qn

    cNvCxnSpPr = connector._element.nvCxnSpPr.cNvCxnSpPr
    for tag, shape_id in (("a:stCxn", begin_id), ("a:endCxn", end_id)):
        el = cNvCxnSpPr.makeelement(qn(tag), {"id": str(shape_id), "idx": "0"})
        cNvCxnSpPr.append(el)


def _arrow_head(connector) -> None:
    from pptx.oxml.ns import qn

    ln = connector.line._get_or_add_ln()
    tail = ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"})
    ln.append(tail)


def _legend(deck: _Deck, slide, kinds: set, types: set, left: int, top: int, width: int, height: int) -> None:
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    from ..model import NODE_KINDS, RELATIONSHIP_TYPES
    from ..render.style import KIND_STYLES, TYPE_STYLES

    entries = [("kind", k) for k in NODE_KINDS if k in kinds] + [("type", t) for t in RELATIONSHIP_TYPES if t in types]
    row = min(int(height / max(len(entries), 1)), int(0.34 * _EMU_PER_IN))
    sw = int(row * 0.9)
    for i, (what, key) in enumerate(entries):
        y = top + i * row
        if what == "kind":
            style = KIND_STYLES[key]
            mark = slide.shapes.add_shape(getattr(MSO_SHAPE, _SHAPES[style["shape"]]), left, y + row // 8,
                                          int(sw * 0.9), int(row * 0.7))
            mark.fill.solid()
            mark.fill.fore_color.rgb = _rgb(style["color"])
            mark.line.fill.background()
            mark.shadow.inherit = False
        else:
            style = TYPE_STYLES[key]
            mark = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, left, y + row // 2, left + sw, y + row // 2)
            mark.line.color.rgb = _rgb(style["color"])
            mark.line.width = Pt(2)
            if key in _DASHES:
                mark.line.dash_style = getattr(MSO_LINE_DASH_STYLE, _DASHES[key])
        deck.text(slide, style["label"], left + sw + int(row * 0.2), y, width - sw - int(row * 0.2), row,
                  sizes=(11, 10, 9, 8, 7), colour=_TEXT)


def _chart_format(chart: Chart) -> str:
    label = (chart.value_label or "").lower()
    if "share" in label or "impact" in label:
        return "0.0%"
    if "index" in label:
        return "0.0"
    return "#,##0"


def _chart_slide(deck: _Deck, chart: Chart, section_title: str) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Pt

    slide = deck.slide(chart.title)
    data = chart.data[:CHART_ITEMS]
    cd = CategoryChartData(number_format=_chart_format(chart))
    # a horizontal bar chart draws its first category at the bottom: reversed, the largest reads first
    cd.categories = [_short(clean_text(c), 40) for c, _ in reversed(data)]
    cd.add_series(clean_text(chart.value_label or section_title), [float(v) for _, v in reversed(data)])
    m, top = deck.margin, deck.body_top
    caption_h = int(deck.H * 0.12)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, m, top, deck.W - 2 * m,
                                   deck.H - top - caption_h - int(deck.H * 0.03), cd)
    ch = frame.chart
    ch.has_legend = False
    ch.font.size = Pt(11)
    plot = ch.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format = _chart_format(chart)
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(10)
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = _rgb(_ACCENT)
    ch.value_axis.has_major_gridlines = False
    ch.value_axis.tick_labels.font.size = Pt(10)
    ch.value_axis.tick_labels.number_format = _chart_format(chart)
    ch.value_axis.tick_labels.number_format_is_linked = False
    if _chart_format(chart) == "0.0":  # the lock-in index runs from 0 to 100
        ch.value_axis.minimum_scale, ch.value_axis.maximum_scale = 0, 100
        ch.value_axis.tick_labels.number_format = "0"
    ch.value_axis.has_title = True
    ch.value_axis.axis_title.text_frame.text = clean_text(chart.value_label or "")
    ch.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    ch.category_axis.tick_labels.font.size = Pt(10)
    ch.has_title = False
    caption = chart.caption or ""
    if chart.id == "lockin-index":  # the report's chart also dots the lock-in types; the deck's bars do not
        caption = re.sub(r"\s*Dots:[^.]*\.", "", caption).strip() or "Most locked-in first."
    if chart.id.startswith("funnel-"):  # the report's caption speaks of its own drawing (rates, log widths)
        caption = ("Expected members at each stage for the members entering the funnel, the bars to scale; "
                   "the next slides give each stage's figures and each step's rate.")
    if len(chart.data) > CHART_ITEMS:
        caption = f"The {CHART_ITEMS} largest of {len(chart.data):,}. " + caption
    if caption:
        deck.text(slide, caption, m, deck.H - caption_h - int(deck.H * 0.02), deck.W - 2 * m, caption_h,
                  sizes=(12, 11, 10, 9, 8), colour=_MUTED)


def _picture_slide(deck: _Deck, chart: Chart) -> None:
    """A chart drawn as a picture (its PNG), fitted inside the body, with its caption below."""
    from pptx.util import Emu

    slide = deck.slide(chart.title)
    m, top = deck.margin, deck.body_top
    caption_h = int(deck.H * 0.12)
    pic = slide.shapes.add_picture(io.BytesIO(chart.image), m, top)
    box_w, box_h = deck.W - 2 * m, deck.H - top - caption_h - int(deck.H * 0.03)
    ratio = min(box_w / pic.width, box_h / pic.height)
    pic.width, pic.height = Emu(int(pic.width * ratio)), Emu(int(pic.height * ratio))
    pic.left = Emu(int(m + (box_w - pic.width) / 2))
    if chart.caption:
        deck.text(slide, chart.caption, m, deck.H - caption_h - int(deck.H * 0.02), deck.W - 2 * m, caption_h,
                  sizes=(12, 11, 10, 9, 8), colour=_MUTED)


_SHARE_LABEL_MIN = 0.04  # the report's stacked chart writes no share under 4% in its block


def _axis_number(value: float, unit: str | None) -> str:
    """An amount in the model's ``unit`` as the tables write it, without currency and unit (the axis title
    has them).

    >>> _axis_number(231.872, "billion"), _axis_number(90.757, "billion"), _axis_number(3.107, "billion")
    ('232', '90.8', '3.11')
    >>> _axis_number(20.03, "billion"), _axis_number(1234.6, None)
    ('20.0', '1,235')
    """
    text = format_money(value, "", unit, scale=(1.0, unit))
    return text[: -len(unit) - 1] if unit and text.endswith(" " + unit) else text


def _series_chart_slide(deck: _Deck, chart: Chart, money_unit: str | None = None) -> None:
    """A chart over periods as a native chart: one line per series (``kind`` "line"), or stacked columns of
    shares (``kind`` "stacked"); the series' values as they are (money in the model's unit, shares 0..1)."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Pt

    slide = deck.slide(chart.title)
    stacked = chart.kind == "stacked"
    number_format = "0.0%" if stacked else "#,##0.0"
    cd = CategoryChartData(number_format=number_format)
    cd.categories = [_short(clean_text(c), 20) for c in chart.categories]
    for name, values in chart.series:
        cd.add_series(_short(clean_text(name), 40), [None if v is None else float(v) for v in values])
    m, top = deck.margin, deck.body_top
    caption_h = int(deck.H * 0.12)
    kind = XL_CHART_TYPE.COLUMN_STACKED_100 if stacked else XL_CHART_TYPE.LINE_MARKERS
    frame = slide.shapes.add_chart(kind, m, top, deck.W - 2 * m, deck.H - top - caption_h - int(deck.H * 0.03), cd)
    ch = frame.chart
    ch.has_legend = True
    ch.legend.position = XL_LEGEND_POSITION.RIGHT
    ch.legend.include_in_layout = False
    ch.legend.font.size = Pt(11)
    ch.font.size = Pt(11)
    plot = ch.plots[0]
    if stacked:
        plot.gap_width = 60
        plot.overlap = 100
    plot.has_data_labels = True
    plot.data_labels.number_format = number_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(9)
    # each label as the tables write it (numbers.py: "232", "90.8", "3.11"; "74.3%"), not a fixed decimal
    # ("231.9"); a share under 4% is left unwritten, as in the report ("0.0%" for an offering not yet there)
    for (_, values), ser in zip(chart.series, plot.series):
        for j, v in enumerate(values):
            if v is None:
                continue
            label = ser.points[j].data_label
            if stacked and float(v) < _SHARE_LABEL_MIN:
                # no value shown for this point (python-pptx has no API for it: the dLbl's showVal)
                for show in label._get_or_add_dLbl().xpath("c:showVal"):
                    show.set("val", "0")
                continue
            label.text_frame.text = format_share(float(v)) if stacked else _axis_number(float(v), money_unit)
            for run in label.text_frame.paragraphs[0].runs:
                run.font.size = Pt(9)
    ch.value_axis.has_major_gridlines = True
    ch.value_axis.tick_labels.font.size = Pt(10)
    ch.value_axis.tick_labels.number_format = "0%" if stacked else "#,##0"
    ch.value_axis.tick_labels.number_format_is_linked = False
    ch.value_axis.has_title = True
    ch.value_axis.axis_title.text_frame.text = clean_text(chart.value_label or "")
    ch.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    ch.category_axis.tick_labels.font.size = Pt(11)
    ch.has_title = False
    # the report's captions speak of its own drawing and the table under it; the deck has neither
    caption = ("Each column is one period's ecosystem revenue (100%), split by offering; shares under 4% are not "
               "written in their block." if stacked else
               f"Each line is one offering's revenue in each period ({clean_text(chart.value_label or '')}); a line "
               f"starts in the first period the offering exists.")
    deck.text(slide, caption, m, deck.H - caption_h - int(deck.H * 0.02), deck.W - 2 * m, caption_h,
              sizes=(12, 11, 10, 9, 8), colour=_MUTED)


def _table_slide(deck: _Deck, table: ReportTable, title: str, lead: str | None = None) -> None:
    slide = deck.slide(title)
    m, top = deck.margin, deck.body_top
    if lead:
        deck.text(slide, lead, m, top, deck.W - 2 * m, int(deck.H * 0.08), sizes=(14, 12, 11, 10, 9), colour=_MUTED)
        top += int(deck.H * 0.09)
    rows = table.rows[:TABLE_ROWS]
    n_cols = len(table.columns)
    # one row spare: a header that wraps grows its row when the deck is opened
    row_h = int(min(0.4 * _EMU_PER_IN, (deck.H - top - int(deck.H * 0.05)) / (len(rows) + 2)))
    width = deck.W - 2 * m
    frame = slide.shapes.add_table(len(rows) + 1, n_cols, m, top, width, row_h * (len(rows) + 1))
    tbl = frame.table
    # Column widths follow their longest cell (a header may wrap, but never inside a word).
    col_w = [max(6, max((len(w) for w in c.split()), default=0) + 1,
                 min(40, max((len(r[i].text) for r in rows), default=0))) for i, c in enumerate(table.columns)]
    total = sum(col_w)
    for i, w in enumerate(col_w):
        tbl.columns[i].width = int(width * w / total)
    for r in range(len(rows) + 1):
        tbl.rows[r].height = row_h
    cells = [(0, c, head, False) for c, head in enumerate(table.columns)]
    cells += [(r, c, value.text, value.numeric) for r, row in enumerate(rows, start=1) for c, value in enumerate(row)]
    # one font size for the whole table: the largest at which every cell fits
    size = min(_fit(text, int(tbl.columns[c].width) - 2 * 45720, row_h - 2 * 18288, _TABLE_SIZES)[1]
               for _, c, text, _ in cells)
    for r, c, text, numeric in cells:
        _cell_text(tbl.cell(r, c), text, int(tbl.columns[c].width), row_h, size, bold=r == 0, right=numeric)


_TABLE_SIZES = (12, 11, 10, 9, 8)


def _cell_text(cell, text: str, width: int, height: int, size: int, *, bold: bool = False,
               right: bool = False) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    cell.margin_left = cell.margin_right = 45720
    cell.margin_top = cell.margin_bottom = 18288
    fitted, _ = _fit(text, width - 2 * 45720, height - 2 * 18288, (size,))
    cell.text = fitted
    # a neutral table: light grey header, white body, the deck's text colour (not the theme's blue style)
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(_TILE if bold else "ffffff")
    for p in cell.text_frame.paragraphs:
        if right:
            p.alignment = PP_ALIGN.RIGHT
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.color.rgb = _rgb(_TEXT)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _methods_slide(deck: _Deck, doc: Report) -> None:
    present = {s.id for s in doc.sections}
    keys = ["timeline"] if "timeline-revenue" in present else []
    keys += [k for k in ("revenue", "dependency", "keystones", "lockin", "funnel", "sensitivity", "whatif")
             if (k == "dependency" and any(c.id == "revenue-dependency" for s in doc.sections for c in s.charts))
             or k in present] + ["sources"]
    slide = deck.slide("How to read the figures")
    m, top = deck.margin, deck.body_top
    deck.text(slide, "\n".join(_METHODS[k] for k in keys), m, top, deck.W - 2 * m, deck.H - top - int(deck.H * 0.1),
              sizes=(16, 14, 13, 12, 11, 10), bullets=True)
    deck.text(slide, f"Model file SHA-256 {doc.provenance.sha256 or 'not recorded'} · {doc.provenance.generated}",
              m, deck.H - int(deck.H * 0.08), deck.W - 2 * m, int(deck.H * 0.05), sizes=(9, 8, 7), colour=_MUTED)


@dataclass
class Deck:
    """A written deck: the .pptx bytes (for the caller to write atomically) and what is in it."""

    data: bytes
    slides: int
    charts: int


def render_report_pptx(doc: Report, template: str | None = None, *, draw_map: bool = True) -> Deck:
    """The report as a 16:9 PowerPoint deck.

    Slides: title; executive summary (headline tiles and sentences); the ecosystem map drawn with one
    shape per actor and one connector per relationship type between two actors; one native bar chart per
    revenue, keystone, lock-in and funnel chart of the report (its data the analysis figures); the
    what-if's before/after table; how to read the figures.

    Parameters
    ----------
    doc : Report
        From :func:`~ecosystem_graph.report.build.build_report`.
    template : str, optional
        A .pptx whose slide masters and layouts ("Title Slide", "Title Only") the deck uses; its own
        slides are left out.
    draw_map : bool
        Include the map slide.
    """
    deck = _Deck(template)
    _title_slide(deck, doc)
    _summary_slide(deck, doc)
    if draw_map and doc.graph is not None and doc.graph.number_of_nodes():
        _map_slide(deck, doc)
    sections = {s.id: s for s in doc.sections}
    for sid in _SECTION_ORDER:
        s = sections.get(sid)
        if s is None:
            continue
        for t in s.tables:
            if t.id in _DECK_TABLES and t.rows:
                _table_slide(deck, t, s.title, "; ".join(s.paragraphs) or s.lead)
        tables = {t.id: t for t in s.tables}
        for c in s.charts:
            if c.series and c.categories:  # a chart over periods (the evolution report)
                _series_chart_slide(deck, c, doc.money_unit)
                continue
            if c.data and (c.id in _DECK_CHARTS or c.id.startswith("funnel-")):
                _chart_slide(deck, c, s.title)
                stages = tables.get(c.id) if c.id.startswith("funnel-") else None
                if stages is not None and stages.rows:  # the stages in figures, then each step's rate
                    _table_slide(deck, stages, f"{c.title}: the figures")
                levers = tables.get("levers-" + c.id[len("funnel-"):]) if c.id.startswith("funnel-") else None
                if levers is not None and levers.rows:
                    _table_slide(deck, levers, f"{c.title}: step rates and levers", levers.note)
    s = sections.get("sensitivity")
    if s is not None:  # how sure the numbers are: the interval table, then each tornado chart as a picture
        for t in s.tables:
            if t.id == "uncertainty" and t.rows:
                _table_slide(deck, t, s.title, t.note)
        for c in s.charts:
            if c.image:
                _picture_slide(deck, c)
    for s in doc.sections:  # any other registered section: its tables, as the report's generic section shows it
        if s.id in SECTION_BUILDERS or s.id not in section_names():  # built-ins: their own slides above
            continue
        for t in s.tables:
            if t.rows:
                _table_slide(deck, t, s.title, "; ".join(s.paragraphs) or s.lead)
    _methods_slide(deck, doc)
    out = io.BytesIO()
    deck.prs.save(out)
    charts = sum(1 for slide in deck.prs.slides for shape in slide.shapes if shape.has_chart)
    return Deck(out.getvalue(), len(deck.prs.slides), charts)
