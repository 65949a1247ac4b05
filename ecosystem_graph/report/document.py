"""The report as plain data (sections, tables, charts, summary): what the HTML and Markdown outputs render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .methods import Assumption, FigureMethod, MetricDefinition, Provenance

__all__ = ["Cell", "ReportTable", "Chart", "Kpi", "SummaryItem", "Section", "Report", "cell"]


@dataclass
class Cell:
    """One table cell: the text shown, and the raw value behind it (written as ``data-value``)."""

    text: str
    value: Any = None
    numeric: bool = False


def cell(value: Any, text: str | None = None, numeric: bool | None = None) -> Cell:
    """A cell for ``value``; numbers are right-aligned and keep their raw value (``numeric=True`` aligns a
    missing figure like a number)."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    numeric = is_number if numeric is None else numeric
    if text is None:
        from ..tables import format_cell

        text = format_cell(value)
    return Cell(text=text, value=value if is_number or isinstance(value, str) else None, numeric=numeric)


@dataclass
class ReportTable:
    """A table of the report. ``keys`` name the columns for machines (``data-key``), ``row_ids`` the rows
    (``data-id``, usually a node id); ``total`` says how many rows there are before the top-N cut."""

    id: str
    title: str
    columns: list[str]
    keys: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list)
    note: str | None = None
    total: int | None = None


@dataclass
class Chart:
    """A chart as inline SVG (drawn by :mod:`ecosystem_graph.report.charts`)."""

    id: str
    title: str
    svg: str
    caption: str | None = None
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour) swatches under the chart
    tables: list["ReportTable"] = field(default_factory=list)  # tables read with the chart, shown right under it
    # The figures drawn, unscaled, as (category, value) with what the values are (the deck's native charts)
    data: list[tuple[str, float]] = field(default_factory=list)
    value_label: str | None = None
    # A chart over periods: the periods, and per series (label, one value per period, None where absent);
    # ``kind`` says how the deck draws it: "line" (values) or "stacked" (shares 0..1 of each period's total)
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list]] = field(default_factory=list)
    kind: str = "bar"
    image: bytes | None = None  # the chart as a PNG picture, for a deck slide (a tornado chart)


@dataclass
class Kpi:
    """A headline figure shown as a tile: ``label``, formatted ``text``, raw ``value``."""

    key: str
    label: str
    value: float | None
    text: str
    detail: str | None = None


@dataclass
class SummaryItem:
    """One line of the executive summary: a sentence a client understands, and the figure it rests on."""

    key: str
    sentence: str
    figure: str
    value: float | None = None


@dataclass
class Section:
    """A section of the report (one printed page or more)."""

    id: str
    title: str
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    graph_html: str | None = None  # the interactive graph fragment (already safe HTML)
    graph_svg: str | None = None  # the static map as a standalone SVG file (for Markdown)
    graph_note: str | None = None


@dataclass
class Report:
    """Everything in a report, ready to render as HTML or Markdown."""

    title: str
    ecosystem: str
    period: str
    currency: str
    money_unit: str | None
    summary: list[SummaryItem]
    kpis: list[Kpi]
    sections: list[Section]
    metrics: list[MetricDefinition]
    assumptions: list[Assumption]
    assumptions_left_out: int
    provenance: Provenance
    scenario_label: str | None = None
    graph_head: str | None = None  # already-safe HTML for <head> (unused by the default graph fragment)
    graph_scripts: str | None = None  # already-safe scripts written once at the end of <body>
    counts: dict[str, int] = field(default_factory=dict)
    graph: Any = None  # the model as a networkx graph (the deck draws its map from it)
    ranking: list[str] = field(default_factory=list)  # node ids, the headline ranking (removal impact) first
    methods: list[FigureMethod] = field(default_factory=list)  # each figure in plain words
    technical: bool = False  # add the technical annex (``metrics`` with formulas and implementation notes)
    eyebrow: str = "Ecosystem report"  # the line above the title on the cover ("Evolution report" for a timeline)
