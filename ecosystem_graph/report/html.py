"""The report as one self-contained HTML file (Jinja2, autoescaped; charts inline; no request to any host)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .document import Report

__all__ = ["render_report_html", "markdown_to_html"]


@dataclass
class _RenderedMetric:
    title: str
    html: str


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("ecosystem_graph.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # Raw HTML off: anything that looks like a tag in the source is shown as text; unsafe link schemes
    # (javascript:, vbscript:, file:, data: other than images) are refused by markdown-it's validateLink.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_to_html(text: str) -> str:
    """Markdown (CommonMark + tables) as HTML, with raw HTML in the source escaped.

    >>> markdown_to_html("**PR** = <b>x</b>")
    '<p><strong>PR</strong> = &lt;b&gt;x&lt;/b&gt;</p>\\n'
    """
    return _markdown().render(text)


def render_report_html(report: Report) -> str:
    """The whole report page. User strings are escaped by the template; the chart SVGs (text escaped
    by matplotlib's XML writer), the graph fragment (escaped by :mod:`ecosystem_graph.render`) and the
    metric definitions (Markdown rendered with raw HTML off) are inserted as they are."""
    from markupsafe import Markup

    metrics = [_RenderedMetric(Markup(_markdown().renderInline(m.title)), markdown_to_html(m.markdown))
               for m in report.metrics]
    return _environment().get_template("report.html.j2").render(report=report, metrics_html=metrics)
