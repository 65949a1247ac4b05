"""SVG from matplotlib figures: the shared chart settings, inline ``<svg>`` elements and standalone SVG files.

The report's charts and the static map share this plumbing: real ``<text>`` (selectable, escaped by
matplotlib's XML writer), mathtext off so a ``$`` in a name stays a dollar sign, deterministic and prefixed
ids so that several drawings can sit in one page.
"""

from __future__ import annotations

import io
import re
import warnings

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["PALETTE", "RC_PARAMS", "short_label", "svg_from_figure", "standalone_svg"]

PALETTE = {
    "ink": "#1d2733",
    "muted": "#5b6878",
    "grid": "#e3e7ec",
    "primary": "#1f4e79",
    "accent": "#2a9d8f",
    "warn": "#d1495b",
    "light": "#9fb7cf",
}

RC_PARAMS = {
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
"""The matplotlib settings of every chart and of the static map (``matplotlib.rc_context(RC_PARAMS)``)."""
_FONT_STACK = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
_HEADER = re.compile(r"\A.*?(?=<svg\b)", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # a start tag; user text is escaped, so it never matches one
_FONT_FAMILY = re.compile(r"font-family:\s*'?DejaVu Sans'?(?:,\s*[^;\"]+)?")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_counter = [0]


def short_label(label: str, limit: int = 34) -> str:
    """``label`` on one line, cut to ``limit`` characters with an ellipsis."""
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg_from_figure(fig: Figure, *, prefix: str | None = None, title: str | None = None) -> str:
    """The figure as one inline ``<svg>`` element (ids prefixed, no prolog; its natural size in points,
    which the report's stylesheet lets shrink to a narrow container)."""
    buf = io.StringIO()
    with matplotlib.rc_context(RC_PARAMS), warnings.catch_warnings():
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


_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def standalone_svg(svg: str) -> str:
    """An inline chart SVG as a file of its own: XML prolog, and a size (in points, from its viewBox when
    it has none)."""
    m = _VIEWBOX.search(svg)
    if m and not re.search(r'<svg\b[^>]*\swidth="', svg):
        svg = svg.replace("<svg ", f'<svg width="{m.group(1)}pt" height="{m.group(2)}pt" ', 1)
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + svg
