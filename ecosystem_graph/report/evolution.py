"""The evolution report: snapshots of one ecosystem over periods laid out as a report (shifts, charts, slider graph)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Sequence

from .. import __version__
from ..errors import RenderError, UsageError
from ..graph import to_networkx
from . import charts, fmt
from .document import Chart, Kpi, Report, ReportTable, Section, SummaryItem, cell
from .methods import Assumption, FigureMethod, Provenance, file_sha256, model_assumptions, plain_methods

__all__ = ["build_timeline_report", "TIMELINE_METHOD", "CHART_SERIES"]

CHART_SERIES = 8
"""Offerings drawn one by one in the charts over time; the others are summed as "Other offerings"."""
KEYSTONES_SHOWN = 5
NET_ROWS = 12

TIMELINE_METHOD = FigureMethod(
    "timeline", "Figures over time",
    "Each snapshot is analysed on its own, exactly as a one-period report would analyse it; actors and "
    "relationships are matched across snapshots by their ids. Growth compares a period with the one before; "
    "compound annual growth spreads the change from the first to the last period with revenue evenly over "
    "the years between them. A share is an offering's revenue divided by the ecosystem's revenue of the same "
    "period. A role shift is reported when a satellite's revenue overtakes a core's, when an offering's share "
    "crosses the threshold, when the actor the ecosystem would miss most changes, or when a segment's lock-in "
    "moves by more than 10 points.",
    "The snapshots model the same ecosystem in one currency and money unit; amounts are nominal (not adjusted "
    "for inflation); an actor keeps its id from one snapshot to the next.")


class _Money:
    """Money in the timeline's currency and unit."""

    def __init__(self, currency: str, unit: str | None):
        self.currency, self.unit = currency, unit

    def __call__(self, value) -> str:
        return fmt.money(value, self.currency, self.unit)

    def scale(self, values) -> tuple[float, str, Callable[[float], str]]:
        """(divisor, axis label, value format from a scaled value) for a chart of ``values``."""
        divisor, unit = fmt.money_scale(max((abs(v) for v in values), default=0.0), self.unit)
        return divisor, fmt.money_axis_label(self.currency, unit), lambda v: self(v * divisor)


def _ordered_models(result, labelled: list[tuple[str | None, Any]]) -> list[tuple[str | None, Any]]:
    """The snapshots in the timeline's order (its periods are distinct: checked by :func:`timeline`)."""
    by_period = {str(m.period).strip(): (label, m) for label, m in labelled}
    return [by_period[p.period] for p in result.periods]


def _chart_offerings(result) -> tuple[list[str], bool]:
    """The offerings the charts draw one by one (largest revenue in the last period first, then earlier
    periods), and whether the rest are summed as "Other offerings"."""
    earning = [o for o in result.offerings if any(p.revenue_by_offering.get(o) for p in result.periods)]
    ranked = sorted(earning, key=lambda o: tuple(-(p.revenue_by_offering.get(o) or 0.0)
                                                  for p in reversed(result.periods)))
    if len(ranked) <= CHART_SERIES:
        return ranked, False
    return ranked[: CHART_SERIES - 1], True


def _revenue_section(result, money: _Money) -> Section:
    periods = [p.period for p in result.periods]
    s = Section(id="timeline-revenue", title="Revenue over time",
                lead=f"What customers and partners paid each offering (core, satellites, channels) in each period, "
                     f"in {fmt.money_axis_label(money.currency, money.unit)}, and each offering's share of the "
                     f"ecosystem's revenue.")
    shown, other = _chart_offerings(result)
    colors = {o: charts.SERIES_COLORS[i % len(charts.SERIES_COLORS)] for i, o in enumerate(shown)}
    series: list[tuple[str, list, str]] = []
    for o in shown:
        series.append((result.name_of(o), [p.revenue_by_offering[o] if o in p.revenue_by_offering else None
                                           for p in result.periods], colors[o]))
    if other:
        rest = [sum(v for k, v in p.revenue_by_offering.items() if k not in colors) for p in result.periods]
        series.append((f"Other offerings ({len(result.offerings) - len(shown)})", rest, charts.KIND_COLORS["other"]))
    values = [v for _, vals, _ in series for v in vals if v is not None]
    div, label, vfmt = money.scale(values)
    many = len(series) * len(periods) > 40  # beyond that, only each line's last value is written
    s.charts.append(Chart(
        "timeline-revenue-lines", "Revenue per offering over time",
        charts.line_chart(periods, [(n, [None if v is None else v / div for v in vals], c) for n, vals, c in series],
                          ylabel=label, value_format=vfmt, title="Revenue per offering over time",
                          label_points=not many),
        "Each line is one offering's revenue in each period; a line starts in the first period the offering "
        "exists." + (" Values are written at each line's last period only" if many else
                     " A value that would cover another is left out") + " (the table below has every figure).",
        categories=periods, series=[(n, list(vals)) for n, vals, _ in series], kind="line",
        value_label=fmt.money_axis_label(money.currency, money.unit),  # the series are in the model's unit
        tables=[_offering_table(result, money)]))
    shares = []
    for name, vals, color in series:
        shares.append((name, [(v or 0.0) / p.ecosystem_revenue if p.ecosystem_revenue else 0.0
                              for v, p in zip(vals, result.periods)], color))
    # revenue the offerings do not account for (there should be none: ecosystem revenue is theirs)
    gap = [1.0 - sum(sh[i] for _, sh, _ in shares) if p.ecosystem_revenue else 0.0
           for i, p in enumerate(result.periods)]
    if any(g > 1e-9 for g in gap):
        shares.append(("Not attributed to an offering", [max(g, 0.0) for g in gap], charts.PALETTE["light"]))
    s.charts.append(Chart(
        "timeline-revenue-shares", "Share of ecosystem revenue per offering",
        charts.share_chart(periods, shares, share_format=fmt.share,
                           title="Share of ecosystem revenue per offering"),
        "Each column is one period's ecosystem revenue (100%), split by offering; shares under 4% are not written "
        "in their block (the table below has them).",
        categories=periods, series=[(n, list(v)) for n, v, _ in shares], kind="stacked",
        value_label="share of ecosystem revenue", tables=[_share_table(result, shown, other)]))
    return s


def _offering_table(result, money: _Money) -> ReportTable:
    periods = [p.period for p in result.periods]
    t = ReportTable("timeline-offerings", "Revenue by offering", ["Offering", "Kind"] + periods + ["Annual growth"],
                    ["name", "kind"] + [f"revenue_{i}" for i in range(len(periods))] + ["cagr"],
                    note="Annual growth: compound annual growth from the first to the last period with revenue"
                         if result.period_kind == "year" else "Annual growth needs periods that are years.")
    earning = [o for o in result.offerings if any(p.revenue_by_offering.get(o) for p in result.periods)]
    for o in sorted(earning, key=lambda o: -(result.periods[-1].revenue_by_offering.get(o) or 0.0)):
        t.row_ids.append(o)
        g = result.cagr.get(o)
        t.rows.append([cell(result.name_of(o)), cell(result.kind_of(o) or "")]
                      + [cell(p.revenue_by_offering.get(o), money(p.revenue_by_offering.get(o)), numeric=True)
                         if o in p.revenue_by_offering else cell(None, "–", numeric=True) for p in result.periods]
                      + [cell(g, fmt.share(g), numeric=True)])
    return t


def _share_table(result, shown: list[str], other: bool) -> ReportTable:
    periods = [p.period for p in result.periods]
    t = ReportTable("timeline-shares", "Share of ecosystem revenue by offering", ["Offering"] + periods,
                    ["name"] + [f"share_{i}" for i in range(len(periods))])
    earning = [o for o in result.offerings if any(p.revenue_by_offering.get(o) for p in result.periods)]
    for o in sorted(earning, key=lambda o: -(result.periods[-1].revenue_by_offering.get(o) or 0.0)):
        t.row_ids.append(o)
        t.rows.append([cell(result.name_of(o))] + [cell(p.share(o), fmt.share(p.share(o)), numeric=True)
                                                   if o in p.revenue_by_offering else cell(None, "–", numeric=True)
                                                   for p in result.periods])
    return t


def _period_table(result, money: _Money) -> ReportTable:
    growth = {c.to_period: c for c in result.changes}
    t = ReportTable("timeline-periods", "Ecosystem revenue by period",
                    ["Period", "Ecosystem revenue", "Growth", "Core revenue", "Core growth", "Largest offering",
                     "Nodes", "Relationships"],
                    ["period", "ecosystem_revenue", "growth", "core_revenue", "core_growth", "largest", "nodes",
                     "relationships"])
    if result.ecosystem_cagr is not None:
        t.note = (f"Ecosystem revenue grew {fmt.share(result.ecosystem_cagr)} a year (compound) from "
                  f"{result.periods[0].period} to {result.periods[-1].period}.")
    for p in result.periods:
        c = growth.get(p.period)
        g = c.ecosystem_revenue_growth if c else None
        cg = c.core_revenue_growth if c else None
        top = p.largest_offering
        t.row_ids.append(p.period)
        t.rows.append([cell(p.period), cell(p.ecosystem_revenue, money(p.ecosystem_revenue)),
                       cell(g, _signed_share(g), numeric=True), cell(p.core_revenue, money(p.core_revenue)),
                       cell(cg, _signed_share(cg), numeric=True),
                       cell(p.names.get(top, top) if top else "–"), cell(len(p.nodes)), cell(len(p.relationships))])
    return t


def _signed_share(x: float | None) -> str:
    if x is None:
        return "–"
    return ("+" if x > 0 else "") + fmt.share(x)


def _figures_section(result, money: _Money, keystones_shown: int) -> Section:
    periods = [p.period for p in result.periods]
    s = Section(id="timeline-figures", title="Figures per period",
                lead="The headline figures of each snapshot side by side: revenue and growth, the actors the "
                     "ecosystem would miss most, each actor's net, how locked in each customer segment is, and what "
                     "appeared or disappeared between periods.")
    s.tables.append(_period_table(result, money))
    depth = min(keystones_shown, max((len(p.keystones) for p in result.periods), default=0))
    if depth:
        t = ReportTable("timeline-keystones", "The actors the ecosystem would miss most (keystones)",
                        ["Rank"] + periods, ["rank"] + [f"keystone_{i}" for i in range(len(periods))],
                        note="By removal impact: what the ecosystem would lose without the actor, in each period.")
        for r in range(depth):
            t.row_ids.append(str(r + 1))
            t.rows.append([cell(r + 1)] + [cell(p.names.get(p.keystones[r], p.keystones[r]) if r < len(p.keystones)
                                                else "–") for p in result.periods])
        s.tables.append(t)
    actors = list(dict.fromkeys(x for p in result.periods for x in p.net))
    if actors:
        ranked = sorted(actors, key=lambda a: -abs(result.periods[-1].net.get(a, 0.0)))
        t = ReportTable("timeline-net", "Net per actor: money in minus money out", ["Actor", "Kind"] + periods,
                        ["name", "kind"] + [f"net_{i}" for i in range(len(periods))], total=len(ranked),
                        note=f"The {min(len(ranked), NET_ROWS)} actors with the largest net in {periods[-1]}, "
                             f"in or out." if len(ranked) > NET_ROWS else None)
        for a in ranked[:NET_ROWS]:
            t.row_ids.append(a)
            t.rows.append([cell(result.name_of(a)), cell(result.kind_of(a) or "")] + [
                cell(p.net[a], money(p.net[a])) if a in p.net else cell(None, "–", numeric=True)
                for p in result.periods])
        s.tables.append(t)
    segments = sorted(dict.fromkeys(x for p in result.periods for x in p.lockin),
                      key=lambda x: -(result.periods[-1].lockin.get(x) or 0.0))
    if segments:
        s.tables.append(_figure_by_period(result, "timeline-lockin", "Lock-in index by customer segment (0–100)",
                                          "Segment", "lockin", segments, lambda p: p.lockin,
                                          lambda v: f"{v:.1f}"))
    entries = list(dict.fromkeys(x for p in result.periods for x in p.conversion))
    if entries:
        s.tables.append(_figure_by_period(result, "timeline-funnels", "Funnel conversion by entry stage",
                                          "Entry stage", "conversion", entries, lambda p: p.conversion,
                                          lambda v: fmt.share(v, 2)))
    if result.changes:
        t = ReportTable("timeline-changes", "Actors that appeared or disappeared",
                        ["Change", "Appeared", "Disappeared", "Relationships added", "Relationships removed"],
                        ["change", "appeared", "disappeared", "relationships_appeared", "relationships_disappeared"],
                        note="Actors and relationships are matched by their ids, as the model comparison does.")
        for c in result.changes:
            t.row_ids.append(f"{c.from_period}->{c.to_period}")
            t.rows.append([cell(f"{c.from_period} → {c.to_period}"),
                           cell(";".join(c.appeared), ", ".join(result.name_of(n) for n in c.appeared) or "–"),
                           cell(";".join(c.disappeared), ", ".join(result.name_of(n) for n in c.disappeared) or "–"),
                           cell(len(c.relationships_appeared)), cell(len(c.relationships_disappeared))])
        s.tables.append(t)
    return s


def _graph_section(models: list, result, graph_format: str, step, max_nodes: int, height: str) -> Section:
    last = result.periods[-1].period
    if graph_format == "html":
        section = Section(id="graph", title="The ecosystem over time",
                          lead="Every actor and relationship of every snapshot, each actor in one place throughout. "
                               "Move the slider (or press ← →) to see a period: its actors and relationships "
                               "appear, and node sizes follow the money through each actor in that period, on one "
                               "scale for all periods. Click a node for its figures in the period shown.")
        step("embedding the interactive graph")
        from ..render.timeline import render_timeline_fragment

        if max(len(m.nodes) for m in models) > max_nodes:
            section.notes.append(f"The snapshots are too large for the slider graph here (more than {max_nodes:,} "
                                 f"nodes); `ecograph render` draws each snapshot.")
            return section
        try:
            section.graph_html = render_timeline_fragment(models, height="680px")
        except RenderError as exc:
            section.notes.append(f"The interactive graph could not be drawn: {exc}")
        return section
    section = Section(id="graph", title=f"The ecosystem in {last}",
                      lead=f"Every actor and relationship of the last snapshot ({last}): the core in the centre, then "
                           f"rings of satellites, channels and partners, and customer segments; node size shows what "
                           f"the ecosystem would lose without the node, line width the money paid. The HTML version "
                           f"of this report has the graph with a period slider.")
    step("drawing the ecosystem map")
    from ..render.static import static_map

    try:
        section.graph_svg = static_map(models[-1], fmt="svg", max_nodes=max_nodes).content
    except RenderError as exc:
        section.notes.append(f"The ecosystem map could not be drawn: {exc}")
    return section


def _shift_figure(shift, money: _Money) -> tuple[str, float | None]:
    f = shift.figures
    if shift.kind == "overtakes_core":
        value = f["satellite_revenue"][1]
        return money(value), value
    if shift.kind == "share_crossed":
        value = f["share"][1]
        return fmt.share(value), value
    if shift.kind == "lockin_moved":
        before, after = f["index"]
        return f"{before:.1f} → {after:.1f}", after - before
    return " → ".join(shift.periods), None


def _summary(result, money: _Money) -> tuple[list[Kpi], list[SummaryItem]]:
    first, last = result.periods[0], result.periods[-1]
    kpis = [Kpi("ecosystem_revenue", f"Ecosystem revenue {last.period}", last.ecosystem_revenue,
                money(last.ecosystem_revenue),
                f"{fmt.change(first.ecosystem_revenue, last.ecosystem_revenue)} since {first.period}"
                if first.ecosystem_revenue else f"none in {first.period}")]
    if result.ecosystem_cagr is not None:
        kpis.append(Kpi("ecosystem_cagr", "Annual growth", result.ecosystem_cagr, fmt.share(result.ecosystem_cagr),
                        f"compound, {first.period}–{last.period}"))
    kpis.append(Kpi("core_revenue", f"Core revenue {last.period}", last.core_revenue, money(last.core_revenue),
                    fmt.share(last.core_revenue / last.ecosystem_revenue) + " of ecosystem revenue"
                    if last.ecosystem_revenue else None))
    top = last.largest_offering
    if top is not None:
        kpis.append(Kpi("largest_offering", f"Largest offering {last.period}", last.revenue_by_offering[top],
                        last.names.get(top, top), f"{money(last.revenue_by_offering[top])}, "
                                                  f"{fmt.share(last.share(top))} of ecosystem revenue"))
    kpis.append(Kpi("shifts", "Role shifts", float(len(result.shifts)), f"{len(result.shifts):,}",
                    f"between {len(result.periods)} snapshots"))
    items: list[SummaryItem] = []
    if first.ecosystem_revenue:
        text = (f"Ecosystem revenue went from {money(first.ecosystem_revenue)} in {first.period} to "
                f"{money(last.ecosystem_revenue)} in {last.period}")
        if result.ecosystem_cagr is not None:
            text += f", {fmt.share(result.ecosystem_cagr)} a year"
        items.append(SummaryItem("growth", text + ".", fmt.change(first.ecosystem_revenue, last.ecosystem_revenue),
                                 last.ecosystem_revenue / first.ecosystem_revenue - 1.0))
    for i, shift in enumerate(result.shifts):
        figure, value = _shift_figure(shift, money)
        items.append(SummaryItem(f"shift-{shift.kind}-{i}", shift.sentence, figure, value))
    for i, sug in enumerate(result.suggestions):
        items.append(SummaryItem(f"suggestion-{i}", sug.sentence, "suggestion"))
    if not result.shifts:
        items.append(SummaryItem("no-shift", f"No role shift from {first.period} to {last.period}: no satellite "
                                             f"overtook a core, no offering's share of revenue crossed "
                                             f"{fmt.share(result.shift_threshold)}, the top keystone stayed and "
                                             f"no segment's lock-in moved by more than 10 points.", "–"))
    return kpis, items


def _figure_by_period(result, table_id: str, title: str, first: str, key: str, items: list, figures_of,
                      text_of) -> ReportTable:
    """One row per item (a segment, a funnel's entry stage), one column per period: the item's figure, or
    a dash in a period without it."""
    periods = [p.period for p in result.periods]
    t = ReportTable(table_id, title, [first] + periods, ["name"] + [f"{key}_{i}" for i in range(len(periods))])
    for item in items:
        t.row_ids.append(item)
        t.rows.append([cell(result.name_of(item))] + [
            cell(figures_of(p)[item], text_of(figures_of(p)[item])) if item in figures_of(p)
            else cell(None, "–", numeric=True) for p in result.periods])
    return t


def build_timeline_report(
    models: Sequence[Any],
    *,
    sources: Sequence[str] | None = None,
    raws: Sequence[bytes | None] | None = None,
    title: str | None = None,
    as_given: bool = False,
    shift: float = 0.25,
    graph: bool = True,
    graph_format: str = "html",
    on_step: Callable[[str], None] | None = None,
    max_nodes: int = 2000,
    top: int | None = None,
) -> Report:
    """Analyse snapshots of one ecosystem with :func:`ecosystem_graph.analysis.timeline.timeline` and lay the
    result out as a :class:`~ecosystem_graph.report.document.Report` that the report writers render (HTML,
    Markdown, deck).

    The executive summary gives the growth, every role shift and suggestion as sentences; then the graph
    (with a period slider in HTML, the last snapshot's map for Markdown), revenue per offering over time
    (line chart) and each offering's share (stacked columns), the figures per period, and the methods.

    Parameters
    ----------
    models : sequence of Ecosystem
        The snapshots (sorted by period unless ``as_given``).
    sources, raws : sequences, optional
        Each snapshot's file name and bytes, in the order of ``models`` (for the tables, SHA-256 and comments).
    title : str, optional
        Default: "<ecosystem>: evolution <first period>–<last period>".
    as_given, shift :
        As for :func:`~ecosystem_graph.analysis.timeline.timeline`.
    graph : bool
        Include the graph section.
    graph_format : {"html", "svg"}
        The slider graph (for the HTML report) or the last snapshot's static map (Markdown).
    max_nodes : int
        Largest snapshot drawn in the report's graph.
    top : int, optional
        Keystone ranks shown per period (default 5).
    """
    from ..analysis.timeline import timeline

    step = on_step or (lambda label: None)
    if graph_format not in ("html", "svg"):
        raise UsageError(f"graph_format must be html or svg, not '{graph_format}'")
    models = list(models)
    sources = list(sources) if sources is not None else [None] * len(models)
    raws = list(raws) if raws is not None else [None] * len(models)
    if len(sources) != len(models) or len(raws) != len(models):
        raise UsageError("sources and raws must name every snapshot")
    step("analysing the snapshots")
    labelled = [(src, m) for src, m in zip(sources, models)]
    result = timeline([(src, m) if src else m for src, m in labelled], as_given=as_given, shift=shift)
    order = {id(m): i for i, m in enumerate(models)}
    ordered = [m for _, m in _ordered_models(result, labelled)]
    idx = [order[id(m)] for m in ordered]
    money = _Money(result.currency or "", result.money_unit)
    step("drawing charts")
    sections: list[Section] = []
    if graph:
        sections.append(_graph_section(ordered, result, graph_format, step, max_nodes, "680px"))
    sections.append(_revenue_section(result, money))
    sections.append(_figures_section(result, money, KEYSTONES_SHOWN if top is None else top))
    fmt.rescale_money_columns([t for sec in sections for t in sec.tables + [x for c in sec.charts for x in c.tables]],
                              money.currency, money.unit)
    kpis, summary = _summary(result, money)
    assumptions: list[Assumption] = []
    left_out = 0
    for i in idx:
        found, more = model_assumptions(models[i], raws[i])
        assumptions += [Assumption(f"{models[i].period} · {a.where}", a.text) for a in found]
        left_out += more
    hashes = "; ".join(f"{models[i].period} {file_sha256(raws[i])}" for i in idx if raws[i] is not None)
    first, last = result.periods[0].period, result.periods[-1].period
    provenance = Provenance(
        tool_version=__version__,
        model_file=", ".join(sources[i] or "(in memory)" for i in idx),
        sha256=hashes or None,  # one per snapshot, in the order of the periods
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    G = to_networkx(ordered[-1])
    return Report(
        title=title or f"{ordered[-1].name}: evolution {first}–{last}",
        ecosystem=ordered[-1].name,
        period=f"{first} to {last} ({len(ordered)} snapshots)",
        currency=result.currency or "",
        money_unit=result.money_unit,
        summary=summary,
        kpis=kpis,
        sections=sections,
        metrics=[],
        assumptions=assumptions,
        assumptions_left_out=left_out,
        provenance=provenance,
        counts={"nodes": G.number_of_nodes(), "relationships": G.number_of_edges()},
        graph=G,
        ranking=list(result.periods[-1].keystones),
        methods=[TIMELINE_METHOD] + plain_methods(["revenue", "keystones", "lockin", "funnel"]),
        eyebrow="Evolution report",
    )
