"""Building a report: run the analyses, lay their results out as sections, charts and tables."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Callable

import networkx as nx

from .. import __version__
from ..errors import RenderError, UsageError
from ..graph import to_networkx
from . import charts, fmt
from .document import Chart, Kpi, Report, ReportTable, Section, cell
from .flows import feeds_drivers, money_flows
from .methods import Provenance, file_sha256, load_metric_definitions, model_assumptions, plain_methods
from .scenario_file import ScenarioSpec
from .summary import executive_summary, headline_figures, keystone_loss_text, lever_count, lever_rate
from .uncertainty import add_intervals, headline_stats, scenario_intervals, sensitivity_section

__all__ = ["build_report", "DEFAULT_TOP", "GRAPH_HEIGHT", "GRAPH_MAX_NODES", "SECTION_BUILDERS", "generic_section",
           "analysis_sections", "report_sections", "report_table"]

DEFAULT_TOP = 15
"""Rows per ranking table (the full results are in ``ecograph analyze``)."""
GRAPH_HEIGHT = "680px"
GRAPH_MAX_NODES = 2000
"""Above this many nodes the report's graph is aggregated (segments, then partners, collapsed into groups):
a document to send stays a few MB and draws at once; ``ecograph render`` can show every node."""
CHART_ITEMS = 12


def _legend(kinds) -> list[tuple[str, str]]:
    """Colour swatches for the kinds present in a chart, in vocabulary order."""
    from ..model import NODE_KINDS
    from ..render.style import KIND_STYLES

    present = set(kinds)
    return [(KIND_STYLES[k]["label"], _kind_color(k)) for k in NODE_KINDS if k in present]


def _kind_color(kind: str | None) -> str:
    try:
        from ..render.style import KIND_STYLES

        return KIND_STYLES[kind]["color"]
    except (ImportError, KeyError):
        return charts.KIND_COLORS.get(kind or "other", charts.KIND_COLORS["other"])


class _Ctx:
    """What every section builder needs: the graph, names, money formatting, the top-N cut."""

    def __init__(self, G: nx.MultiDiGraph, top: int):
        self.G = G
        self.top = top
        self.currency = G.graph.get("currency", "")
        self.unit = G.graph.get("money_unit")
        self.period = G.graph.get("period")
        self.names = {n: d.get("name", n) for n, d in G.nodes(data=True)}
        self.kinds = {n: d.get("kind") for n, d in G.nodes(data=True)}
        self.analysis = None  # the report's analysis, once run (the sensitivity section reads its headlines)

    def name(self, node: str) -> str:
        return self.names.get(node, str(node))

    def money(self, value) -> str:
        return fmt.money(value, self.currency, self.unit)

    @property
    def money_label(self) -> str:
        return fmt.money_axis_label(self.currency, self.unit, self.period)

    def chart_money(self, values) -> tuple[float, str, Callable[[float], str]]:
        """For a money chart: the divisor that puts its largest value in a readable unit, the axis label
        in that unit, and the format of the values written beside the bars (money, from the scaled value)."""
        divisor, unit = fmt.money_scale(max((abs(v) for v in values), default=0.0), self.unit)
        label = fmt.money_axis_label(self.currency, unit, self.period)
        # Values are written as money (currency and unit), each the analysis figure it shows.
        return divisor, label, lambda v: self.money(v * divisor)

    def edge_text(self, edge) -> str:
        u, v = edge[0], edge[1]
        rtype = ""
        if len(edge) > 2 and self.G.has_edge(u, v, edge[2]):
            rtype = self.G.edges[u, v, edge[2]].get("type", "")
        return f"{self.name(u)} → {self.name(v)}" + (f" ({rtype})" if rtype else "")


def build_report(
    model,
    *,
    source: str | None = None,
    raw: bytes | None = None,
    title: str | None = None,
    scenario: ScenarioSpec | None = None,
    top: int = DEFAULT_TOP,
    graph: bool = True,
    graph_format: str = "html",
    seed: int = 0,
    on_step: Callable[[str], None] | None = None,
    technical: bool = False,
) -> Report:
    """Analyse ``model`` and lay out a :class:`~ecosystem_graph.report.document.Report`.

    Parameters
    ----------
    model : Ecosystem
    source, raw : str, bytes, optional
        The model file's path and bytes (for the SHA-256 and the comments in the methods appendix).
    title : str, optional
        Report title (default: "<ecosystem name> ecosystem report").
    scenario : ScenarioSpec, optional
        Removals/scalings; adds a before/after section with every headline figure and its change.
    top : int
        Rows in each ranking table.
    graph : bool
        Include the ecosystem map (needs :mod:`ecosystem_graph.render`).
    graph_format : {"html", "svg"}
        The map as the interactive graph (for the HTML report) or as a static SVG map (for Markdown).
    on_step : callable, optional
        Called with a short label before each step (for progress display).
    technical : bool
        Add the technical annex: every figure's definition with its formulas and implementation notes.
        Without it the methods section explains the figures in plain words only.
    """
    from ..analysis import analyze

    step = on_step or (lambda label: None)
    if top < 1:
        raise UsageError(f"top must be at least 1, not {top}")
    if graph_format not in ("html", "svg"):
        raise UsageError(f"graph_format must be html or svg, not '{graph_format}'")
    G = to_networkx(model)
    ctx = _Ctx(G, top)
    changed = None
    if scenario is not None and not scenario.is_empty():
        from ..analysis.scenario import apply_changes

        changed = apply_changes(G, scenario.remove, scenario.scale)  # unknown ids fail here, before any work
    step("analysing")
    analysis = analyze(G, only=report_sections(), seed=seed, progress=lambda name: step(f"analysing ({name})"))
    sections: list[Section] = []
    comparison = None
    if changed is not None:
        comparison = _run_scenario(changed, analysis, seed, step, G, scenario)
    step("drawing charts")
    ctx.analysis = analysis
    if graph:
        sections.append(_graph_section(model, analysis, ctx, step) if graph_format == "html"
                        else _static_map_section(model, analysis, ctx, step))
    if comparison is not None:
        sections.append(_scenario_section(comparison, scenario, ctx))
    sections += analysis_sections(analysis, ctx)
    # each money column in one unit, chosen from its largest amount (EUR 0.720 million beside EUR 2.40 million)
    fmt.rescale_money_columns([t for sec in sections for t in sec.tables + [x for c in sec.charts for x in c.tables]],
                              ctx.currency, ctx.unit)
    step("writing the methods appendix")
    metrics, metrics_source = load_metric_definitions() if technical else ([], None)
    assumptions, left_out = model_assumptions(model, raw)
    notes = []
    if technical and not metrics_source:
        notes.append("docs/metrics.md was not found; set ECOGRAPH_METRICS_DOC to its path to include the "
                     "metric definitions.")
    provenance = Provenance(
        tool_version=__version__,
        model_file=source,
        sha256=file_sha256(raw) if raw is not None else None,
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        metrics_source="docs/metrics.md" if metrics_source else None,
        notes=notes,
    )
    summary = executive_summary(analysis, ctx) + (_scenario_summary(comparison, scenario, ctx)
                                                  if comparison is not None else [])
    kpis = headline_figures(analysis, ctx)
    sens = analysis.results.get("sensitivity")
    if sens is not None:  # a model with ranged values: each headline figure with its P10-P90 interval
        add_intervals(summary, kpis, headline_stats(sens, analysis), ctx)
    return Report(
        title=title or f"{model.name}: ecosystem report",
        ecosystem=model.name,
        period=str(model.period),
        currency=model.currency,
        money_unit=model.money_unit,
        summary=summary,
        kpis=kpis,
        sections=sections,
        metrics=metrics,
        assumptions=assumptions,
        assumptions_left_out=left_out,
        provenance=provenance,
        scenario_label=scenario.label if comparison is not None else None,
        counts={"nodes": G.number_of_nodes(), "relationships": G.number_of_edges()},
        graph=G,
        ranking=[k.id for k in getattr(getattr(analysis, "keystones", None), "nodes", None) or []],
        methods=plain_methods(s.id for s in sections),
        technical=technical,
    )


# ------------------------------------------------------------------------------------------ sections


def _graph_section(model, analysis, ctx: _Ctx, step) -> Section:
    section = Section(id="graph", title="The ecosystem at a glance",
                      lead="Every actor and relationship of the model. Drag to pan, scroll to zoom, click a node "
                           "for its figures; filter by kind or relationship type on the right.")
    step("embedding the interactive graph")
    from ..render.html import render_fragment
    try:
        section.graph_html = render_fragment(model, height=GRAPH_HEIGHT, analysis=analysis,
                                             max_nodes=GRAPH_MAX_NODES)
    except RenderError as exc:
        section.notes.append(f"The interactive graph could not be drawn: {exc}")
        return section
    section.graph_note = _grouped_note(ctx, "in this view", "; `ecograph render` draws every node")
    return section


def _static_map_section(model, analysis, ctx: _Ctx, step) -> Section:
    section = Section(id="graph", title="The ecosystem at a glance",
                      lead="Every actor and relationship of the model: the core in the centre, then rings of "
                           "satellites, channels and partners, and customer segments; node size shows what the "
                           "ecosystem would lose without the node, line width the money paid.")
    step("drawing the ecosystem map")
    from ..render.static import static_map
    try:
        section.graph_svg = static_map(model, fmt="svg", analysis=analysis, max_nodes=GRAPH_MAX_NODES).content
    except RenderError as exc:
        section.notes.append(f"The ecosystem map could not be drawn: {exc}")
        return section
    section.graph_note = _grouped_note(ctx, "on this map")
    return section


def _grouped_note(ctx: _Ctx, where: str, more: str = "") -> str | None:
    """Why a drawing of a model above GRAPH_MAX_NODES shows groups of segments and partners; None below."""
    n = ctx.G.number_of_nodes()
    if n <= GRAPH_MAX_NODES:
        return None
    return (f"The model has {n:,} nodes; to stay readable, segments and partners are collapsed into groups "
            f"{where} (the tables list them one by one{more}).")


def _revenue_section(rev, ctx: _Ctx) -> Section:
    G = ctx.G
    s = Section(id="revenue", title="Revenue flows",
                lead=f"Where the ecosystem's money comes from and where it goes, per {ctx.period or 'period'}, "
                     f"in {fmt.money_axis_label(ctx.currency, ctx.unit)}.")
    s.kpis = [
        Kpi("revenue", "Ecosystem revenue", rev.ecosystem_revenue, ctx.money(rev.ecosystem_revenue),
            "paid by customers and partners to the core, satellites and channels"),
        Kpi("core_revenue", "Core revenue", rev.core_revenue, ctx.money(rev.core_revenue),
            fmt.share(rev.core_revenue / rev.ecosystem_revenue) + " of ecosystem revenue" if rev.ecosystem_revenue else None),
        Kpi("ecosystem_payouts", "Paid on by the ecosystem", rev.ecosystem_payouts, ctx.money(rev.ecosystem_payouts),
            "payouts, shares and supplier costs the offerings pay to partners and customers"),
        Kpi("ecosystem_net", "Kept by the ecosystem", rev.ecosystem_net, ctx.money(rev.ecosystem_net),
            "ecosystem revenue minus what the offerings pay on"),
    ]
    for side, label in (("payers", "Concentration of payers"), ("payees", "Concentration of payees")):
        value = (rev.hhi or {}).get(side)
        s.kpis.append(Kpi(f"hhi_{side}", label, value, fmt.number(value, 0) if value is not None else "–",
                          _hhi_band(value) + " (HHI, 0–10,000)" if value is not None else "no payments"))
    payees = sorted([(n, a) for n, a in rev.revenue_by_offering.items() if a], key=lambda kv: (-kv[1], kv[0]))
    if payees:
        div, label, vfmt = ctx.chart_money([a for _, a in payees])
        s.charts.append(Chart("revenue-by-offering", "Revenue by offering (core, satellites, channels)",
                              charts.bar_chart([(ctx.name(n), a / div) for n, a in payees],
                                               colors=[_kind_color(ctx.kinds.get(n)) for n, _ in payees],
                                               xlabel=label, value_format=vfmt, max_items=CHART_ITEMS,
                                               other_label="Other offerings", title="Revenue by offering"),
                              "Revenue per offering: what customers and partners pay each offering directly "
                              "(payments between the ecosystem's own offerings are not revenue).",
                              data=[(ctx.name(n), a) for n, a in payees], value_label=ctx.money_label))
        s.charts[-1].legend = _legend(ctx.kinds.get(n) for n, _ in payees)
    if rev.by_stream:
        div, label, vfmt = ctx.chart_money(rev.by_stream.values())
        s.charts.append(Chart("revenue-by-stream", "Revenue by stream",
                              charts.bar_chart([(k, v / div) for k, v in rev.by_stream.items()], xlabel=label,
                                               value_format=vfmt, colors=[charts.PALETTE["accent"]] *
                                               len(rev.by_stream), title="Revenue by stream"),
                              "Purchase, subscription, commission, fee, advertising and usage revenue."))
    drivers_table = None
    drivers = feeds_drivers(G)
    if drivers:
        t = ReportTable("drivers", "What drives each offering (influence, not money)",
                        ["Offering", "Driven by (FEEDS strength, 0–1)"], ["name", "fed_by"],
                        total=len(drivers),
                        note="FEEDS relationships carry traffic, demand or data from one offering to another; "
                             "they are influence, not money, so the chart does not draw them.")
        for n, fed in list(drivers.items())[: ctx.top]:
            t.row_ids.append(n)
            t.rows.append([cell(ctx.name(n)),
                           cell(";".join(u for u, _ in fed),
                                ", ".join(f"{ctx.name(u)} {fmt.number(w, 2) if w is not None else '(unset)'}"
                                          for u, w in fed))])
        drivers_table = t
    flows = money_flows(G, getattr(rev, "payments", None), max_per_column=CHART_ITEMS)
    if flows.payments:
        s.charts.append(Chart("money-flow", "Who pays whom", _flow_svg(flows, rev, ctx),
                              "Every band is a payment in the model, labelled with its amount and drawn to "
                              "scale (the thinnest a little wider, so that they stay visible): payers on the "
                              "left pay the offerings, and money passed on (payouts, shares of another "
                              "payment, hatched, and supplier costs) continues to the right."))
        s.charts[-1].legend = _legend(ctx.kinds.get(flows.original(n))
                                      for col in flows.columns for n in col if n not in flows.grouped)
        if drivers_table is not None:
            s.charts[-1].tables.append(drivers_table)  # read beside the chart: influence, not money
    elif drivers_table is not None:
        s.tables.append(drivers_table)
    if rev.pass_through:
        by_id = rev.by_id()
        t = ReportTable("pass-through", "Pass-through: money received and paid on",
                        ["Actor", "Kind", "Receives", "Passes on", "Net"], ["name", "kind", "inflow", "pass_through", "net"],
                        total=len(rev.pass_through),
                        note="Pass-through is the part of what an actor receives that it pays on as a share "
                             "(an app store's payout, a marketplace's payout, a revenue share).")
        for n, a in sorted(rev.pass_through.items(), key=lambda kv: (-kv[1], kv[0]))[: ctx.top]:
            f = by_id.get(n)
            t.row_ids.append(n)
            t.rows.append([cell(ctx.name(n)), cell(ctx.kinds.get(n)),
                           cell(f.inflow if f else None, ctx.money(f.inflow) if f else "–"), cell(a, ctx.money(a)),
                           cell(f.net if f else None, ctx.money(f.net) if f else "–")])
        s.tables.append(t)
    dep = sorted(((n, v) for n, v in rev.dependency.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    if dep:
        s.charts.append(Chart("revenue-dependency",
                              "Share of ecosystem revenue that depends on each satellite and channel",
                              charts.bar_chart([(ctx.name(n), v * 100) for n, v in dep],
                                               colors=[_kind_color(ctx.kinds.get(n)) for n, _ in dep],
                                               xlabel="% of ecosystem revenue", max_items=CHART_ITEMS,
                                               value_format=lambda v: f"{v:.1f}%", title="Revenue dependency"),
                              "An offering's own revenue plus the revenue of customers whose binding path to "
                              "the offering they pay runs through it (shared over the paths by USES share × "
                              "FEEDS strength).", data=[(ctx.name(n), v) for n, v in dep],
                              value_label="share of ecosystem revenue"))
        s.charts[-1].legend = _legend(ctx.kinds.get(n) for n, _ in dep)
        t = ReportTable("dependency", "Revenue depending on each satellite and channel",
                        ["Node", "Kind", "Own revenue", "Revenue depending on it", "Share of ecosystem revenue"],
                        ["name", "kind", "revenue_by_offering", "dependent_revenue", "dependency"], total=len(dep))
        for n, v in dep[: ctx.top]:
            t.row_ids.append(n)
            own = rev.revenue_by_offering.get(n, 0.0)
            t.rows.append([cell(ctx.name(n)), cell(ctx.kinds.get(n)), cell(own, ctx.money(own)),
                           cell(rev.dependent_revenue.get(n, 0.0), ctx.money(rev.dependent_revenue.get(n, 0.0))),
                           cell(v, fmt.share(v))])
        s.tables.append(t)
    nodes = sorted(rev.nodes, key=lambda f: (-(f.inflow + f.outflow), f.id))
    nodes = [f for f in nodes if f.inflow or f.outflow]
    t = ReportTable("revenue-nodes", "Net per actor: money in and out",
                    ["Actor", "Kind", "In", "Out", "Net"], ["name", "kind", "inflow", "outflow", "net"],
                    total=len(nodes), note=rev.note)
    for f in nodes[: ctx.top]:
        t.row_ids.append(f.id)
        t.rows.append([cell(ctx.name(f.id)), cell(f.kind), cell(f.inflow, ctx.money(f.inflow)),
                       cell(f.outflow, ctx.money(f.outflow)), cell(f.net, ctx.money(f.net))])
    s.tables.append(t)
    if rev.by_segment:
        segs = list(rev.by_segment.items())
        t = ReportTable("revenue-by-segment", "Revenue by paying segment", ["Segment", "Pays", "Share"],
                        ["name", "amount", "share"], total=len(segs))
        for n, a in segs[: ctx.top]:
            t.row_ids.append(n)
            t.rows.append([cell(ctx.name(n)), cell(a, ctx.money(a)),
                           cell(a / rev.ecosystem_revenue if rev.ecosystem_revenue else None,
                                fmt.share(a / rev.ecosystem_revenue) if rev.ecosystem_revenue else "–")])
        s.tables.append(t)
    if rev.unbound_revenue:
        s.notes.append(f"{ctx.money(rev.unbound_revenue)} of ecosystem revenue comes from payers with no binding "
                       f"path (USES/FEEDS) to the offering they pay; it depends on no satellite or channel in the model.")
    return s


def _hhi_band(value) -> str:
    # US DOJ/FTC horizontal merger guidelines (2010) bands on the 0..10,000 scale.
    if value is None:
        return ""
    if value < 1500:
        return "unconcentrated"
    if value <= 2500:
        return "moderately concentrated"
    return "highly concentrated"


def _flow_svg(flows, rev, ctx: _Ctx) -> str:
    """The money-flow chart: node labels are the analysis's inflow (or, for a payer only, outflow), band
    labels the payments' amounts, each formatted as money."""
    figures = rev.by_id()
    nodes = []
    for c, col in enumerate(flows.columns):
        for n in col:
            if n in flows.grouped:
                label = f"Other ({len(flows.grouped[n]):,} actors)"
                kind = "other"
            else:
                original = flows.original(n)
                kind = ctx.kinds.get(original, "other")
                label = charts.short_label(ctx.name(original), 30)
                f = figures.get(original)
                if n in flows.copies:
                    label += "\n(paid again)"
                elif f is not None and f.inflow > 0:
                    label += f"\nreceives {ctx.money(f.inflow)}"
                elif f is not None and f.outflow > 0:
                    label += f"\npays {ctx.money(f.outflow)}"
            nodes.append(charts.FlowNode(n, label, c, _kind_color(kind)))
    bands = []
    for p in flows.payments:
        if not p.id:  # payments merged into an "other" node: a sum, drawn without a figure
            bands.append(charts.FlowBand(p.source, p.target, p.amount))
            continue
        label = ctx.money(p.amount)
        if p.linked and p.share is not None:
            label += f" ({fmt.share(p.share, 0)} share)"
        bands.append(charts.FlowBand(p.source, p.target, p.amount, label, p.linked))
    return charts.flow_chart(nodes, bands, title="Who pays whom")


def _ranks(values: list[float]) -> list[int]:
    """Competition ranks (1 = highest; ties share the best rank) of ``values``."""
    order = sorted(values, reverse=True)
    first = {}
    for i, v in enumerate(order, 1):
        first.setdefault(v, i)
    return [first[v] for v in values]


def _centrality_section(cen, ctx: _Ctx) -> Section:
    s = Section(id="centrality", title="Where the money ends up",
                lead="Money-weighted PageRank follows the payments and bindings to where they end up, so the actors "
                     "that receive the most (suppliers paid by the ecosystem included) rank first; it shows where "
                     "the money lands, not who holds the ecosystem together (see the keystones for that).")
    ranked = sorted(cen.nodes, key=lambda c: (-c.pagerank, c.id))
    top = ranked[:CHART_ITEMS]
    s.charts.append(Chart("centrality-pagerank", "Where the money ends up (money-weighted PageRank, top actors)",
                          charts.bar_chart([(c.name, 100 * c.pagerank) for c in top],
                                           colors=[_kind_color(c.kind) for c in top],
                                           xlabel="share of the money-following walk (%)",
                                           max_items=CHART_ITEMS, value_format=lambda v: f"{v:.1f}%",
                                           title="Where the money ends up"),
                          "The share of its time a walker who follows payments (weighted by amount) and bindings "
                          "spends at each actor; all actors add up to 100%."))
    s.charts[-1].legend = _legend(c.kind for c in top)
    by_betw = sorted(cen.nodes, key=lambda c: (-c.betweenness, c.id))[:CHART_ITEMS]
    if any(c.betweenness > 0 for c in by_betw):
        s.charts.append(Chart("centrality-betweenness", "Go-betweens (top actors)",
                              charts.bar_chart([(c.name, 100 * c.betweenness) for c in by_betw if c.betweenness > 0],
                                               colors=[_kind_color(c.kind) for c in by_betw if c.betweenness > 0],
                                               xlabel="shortest routes between other actors through it (%)",
                                               max_items=CHART_ITEMS, value_format=lambda v: f"{v:.1f}%",
                                               title="Go-betweens"),
                              "The share of the shortest routes (following the direction of the relationships) "
                              "between two other actors that pass through the actor."))
        s.charts[-1].legend = _legend(c.kind for c in by_betw)
    nodes = list(cen.nodes)
    n = len(nodes)
    ranks = {f: dict(zip((c.id for c in nodes), _ranks([getattr(c, f) for c in nodes])))
             for f in ("betweenness", "closeness", "eigenvector")}
    t = ReportTable("centrality", "Where the money ends up (ranked by money-weighted PageRank)",
                    ["#", "Actor", "Kind", "Share of the money walk", "Go-between rank", "Reachability rank",
                     "Well-connected rank", "In", "Out"],
                    ["rank", "name", "kind", "pagerank", "betweenness", "closeness", "eigenvector", "in_degree",
                     "out_degree"], total=len(ranked),
                    note=_join_notes(
                        f"Ranks out of {n:,} actors (1 = highest). Share of the money walk: money-weighted "
                        "PageRank as a share of 100%; go-between: shortest routes between others through the "
                        "actor (betweenness); reachability: how close the others are to it (closeness); "
                        "well-connected: connected to other well-connected actors (eigenvector); in, out: "
                        "relationships.", cen.note))
    for i, c in enumerate(ranked[: ctx.top], start=1):
        t.row_ids.append(c.id)
        t.rows.append([cell(i), cell(c.name), cell(c.kind), cell(c.pagerank, fmt.share(c.pagerank)),
                       cell(c.betweenness, f"{ranks['betweenness'][c.id]:,}"),
                       cell(c.closeness, f"{ranks['closeness'][c.id]:,}"),
                       cell(c.eigenvector, f"{ranks['eigenvector'][c.id]:,}"), cell(c.in_degree),
                       cell(c.out_degree)])
    s.tables.append(t)
    return s


def _join_notes(*notes) -> str:
    return " ".join(n[0].upper() + n[1:].rstrip(".") + "." for n in notes if n)


def _mechanism_text(mechanisms) -> str:
    return ", ".join(charts.MECHANISM_NAMES.get(m, m) for m in mechanisms) or "none"


def _lockin_section(lock, ctx: _Ctx) -> Section:
    s = Section(id="lockin", title="Lock-in of customer segments",
                lead="How hard it is for a competitor to detach each segment from the core: the cheapest set of "
                     "bindings to break (minimum cut over switching costs), the number of independent binding "
                     "paths, and the lock-in types present, combined into a 0–100 index.")
    segs = sorted(lock.segments, key=lambda x: (-x.index, x.id))
    if not segs:
        s.paragraphs.append("The model has no customer segments.")
        return s
    if len(segs) > 20:
        shown = segs[:10] + segs[-10:]
        caption = (f"The 10 most and the 10 least locked-in of {len(segs):,} segments. Dots: lock-in types "
                   f"present on the segment's bindings.")
    else:
        shown, caption = segs, "Dots: the lock-in types present on each segment's bindings."
    s.charts.append(Chart("lockin-index", "Lock-in index per segment",
                          charts.lockin_chart([(x.name, x.index, x.mechanisms) for x in shown],
                                              title="Lock-in index per segment", max_items=len(shown)),
                          caption, data=[(x.name, x.index) for x in shown], value_label="lock-in index (0–100)"))
    t = ReportTable("lockin", "Lock-in per segment (most locked-in first)",
                    ["Segment", "Index", "Min. cut", "Independent paths", "Lock-in types", "Weakest bindings (cut)"],
                    ["name", "index", "min_cut", "disjoint_paths", "mechanisms", "cut_edges"],
                    total=len(segs), note=lock.note)
    for x in _top_and_bottom(segs, ctx.top):
        t.row_ids.append(x.id)
        t.rows.append([cell(x.name), cell(x.index, f"{x.index:.1f}"), cell(x.min_cut, fmt.number(x.min_cut, 2)),
                       cell(x.disjoint_paths), cell(" ".join(x.mechanisms), _mechanism_text(x.mechanisms)),
                       cell(";".join(f"{e[0]}>{e[1]}" for e in x.cut_edges),
                            "; ".join(ctx.edge_text(e) for e in x.cut_edges[:4])
                            + (f" (+{len(x.cut_edges) - 4})" if len(x.cut_edges) > 4 else "") or "–")])
    s.tables.append(t)
    unbound = [x for x in segs if not x.cores]
    if unbound:
        names = ", ".join(x.name for x in unbound[:5]) + (f" and {len(unbound) - 5:,} more" if len(unbound) > 5 else "")
        s.notes.append(f"{len(unbound):,} segment(s) have no binding path to any core: {names}.")
    return s


def _top_and_bottom(items: list, top: int) -> list:
    """The first ``top`` items, or, when there are many, the best and the worst half each."""
    if len(items) <= top:
        return items
    head = (top + 1) // 2
    return items[:head] + items[-(top - head):]


def _keystone_section(ks, ctx: _Ctx) -> Section:
    s = Section(id="keystones", title="Who holds the ecosystem together: what each actor's loss would cost",
                lead="Actors ranked by what the ecosystem would lose without them: the average of four shares, "
                     "ecosystem revenue no longer paid, segments left with no binding to a core, lock-in lost and "
                     "pairs of actors no longer connected.")
    nodes = list(ks.nodes)
    hit = [k for k in nodes if k.impact > 0][:CHART_ITEMS]
    if hit:
        s.charts.append(Chart("keystones-impact", "Removal impact (top actors)",
                              charts.bar_chart([(k.name, 100 * k.impact) for k in hit],
                                               colors=[_kind_color(k.kind) for k in hit],
                                               xlabel="removal impact (% , average of the four shares)",
                                               value_format=lambda v: f"{v:.1f}%", max_items=CHART_ITEMS,
                                               title="Removal impact"),
                              "Removal impact: the average of the share of ecosystem revenue, of segments bound "
                              "to a core, of lock-in and of connected pairs of actors lost with the actor; 100% "
                              "would mean losing all four entirely.", data=[(k.name, k.impact) for k in hit],
                              value_label="removal impact (share)"))
        s.charts[-1].legend = _legend(k.kind for k in hit)
    risky = sorted((k for k in nodes if k.revenue_at_risk > 0), key=lambda k: (-k.revenue_at_risk, k.id))
    risky = risky[:CHART_ITEMS]
    if risky:
        div, label, vfmt = ctx.chart_money([k.revenue_at_risk for k in risky])
        s.charts.append(Chart("keystones-revenue", "Revenue at risk if the actor were lost",
                              charts.bar_chart([(k.name, k.revenue_at_risk / div) for k in risky],
                                               colors=[_kind_color(k.kind) for k in risky], xlabel=label,
                                               value_format=vfmt, max_items=CHART_ITEMS,
                                               title="Revenue at risk"),
                              "An actor puts a payment at risk when it pays it, receives it, is on every binding "
                              "path from the payer to the offering paid, or when the payment is a share of one "
                              "that stops.", data=[(k.name, k.revenue_at_risk) for k in risky],
                              value_label=ctx.money_label))
        s.charts[-1].legend = _legend(k.kind for k in risky)
    t = ReportTable("keystones", "Who holds the ecosystem together (ranked by removal impact)",
                    ["#", "Actor", "Kind", "Removal impact", "What would be lost", "Revenue at risk",
                     "Segments cut off", "Pairs separated"],
                    # the share of revenue and of lock-in lost are written in "What would be lost": a column
                    # each would push the table past the page
                    ["rank", "name", "kind", "impact", "loss", "revenue_at_risk", "segments_cut_off",
                     "pairs_cut_off"], total=len(nodes),
                    note=f"Removal impact: the average of the shares of ecosystem revenue, of the "
                         f"{ks.bound_segments:,} segments bound to a core, of the total lock-in and of the "
                         f"{ks.connected_pairs:,} connected pairs of actors that would be lost without the actor. "
                         f"Revenue at risk: the ecosystem revenue no longer paid without the actor; pairs "
                         f"separated: pairs of other actors left with no chain of relationships between them.")
    for k in nodes[: ctx.top]:
        t.row_ids.append(k.id)
        t.rows.append([cell(k.rank), cell(k.name), cell(k.kind), cell(k.impact, fmt.share(k.impact)),
                       cell(keystone_loss_text(k, ctx.money)),
                       cell(k.revenue_at_risk, ctx.money(k.revenue_at_risk)), cell(k.segments_cut_off),
                       cell(k.pairs_cut_off)])
    s.tables.append(t)
    return s


def _funnel_order(f) -> list:
    """Stages of one funnel in step order (entry first), model order among equals."""
    order = {st.id: i for i, st in enumerate(f.stages)}
    D = nx.DiGraph()
    D.add_nodes_from(order)
    D.add_edges_from((st.source, st.target) for st in f.steps)
    try:
        ids = list(nx.lexicographical_topological_sort(D, key=order.__getitem__))
    except nx.NetworkXUnfeasible:  # a loop: keep the model's order
        ids = list(order)
    by_id = {st.id: st for st in f.stages}
    return [by_id[i] for i in ids]


MAX_FUNNEL_CHARTS = 3


def _funnel_section(result, ctx: _Ctx) -> Section:
    s = Section(id="funnel", title="Customer funnel",
                lead="Stages joined by conversion rates: members move on with each step's rate or drop out; "
                     "reaching a final stage is conversion.")
    funnels = sorted(result.funnels, key=lambda f: -sum((st.size or 0) for st in f.stages if st.entry))
    if not funnels:
        return s
    main = funnels[0]
    names = {st.id: st.name for f in funnels for st in f.stages}
    s.kpis = [Kpi("funnel_conversion", "Conversion of the first stage", main.conversion, fmt.share(main.conversion, 2),
                  f"{names.get(main.entry, main.entry)} → {_join_names([names.get(x, x) for x in main.finals])}")]
    if main.biggest_lever is not None:
        x = main.biggest_lever
        s.kpis.append(Kpi("funnel_biggest_lever", "Biggest lever", x.extra_converted_per_10pct,
                          f"{names.get(x.source, x.source)} → {names.get(x.target, x.target)}",
                          f"+{lever_count(x.extra_converted_per_10pct)} converted per +10% of the rate"))
    if main.bottleneck is not None:
        b = main.bottleneck
        s.kpis.append(Kpi("funnel_bottleneck", "Lowest rate step", b.rate, fmt.share(b.rate, 1),
                          f"{names.get(b.source, b.source)} → {names.get(b.target, b.target)}"))
    if main.revenue_per_entrant is not None:
        s.kpis.append(Kpi("funnel_revenue_per_entrant", "Revenue per entrant", main.revenue_per_entrant,
                          fmt.money_each(main.revenue_per_entrant, ctx.currency, ctx.unit),
                          f"per member entering at {names.get(main.entry, main.entry)}"))
    for i, f in enumerate(funnels[:MAX_FUNNEL_CHARTS]):
        stages = _funnel_order(f)
        incoming: dict[str, list[tuple[str, float]]] = {}
        for st in f.steps:
            incoming.setdefault(st.target, []).append((names.get(st.source, st.source), st.rate))
        rows = [(st.name, st.expected_members, incoming.get(st.id, [])) for st in stages]
        title = "Funnel stages" if len(funnels) == 1 else f"Funnel from {names.get(f.entry, f.entry)}"
        s.charts.append(Chart(f"funnel-{i + 1}", title,
                              charts.funnel_chart(rows, value_format=lambda v: fmt.number(round(v)),
                                                  rate_format=lambda r: fmt.share(r, 1), title=title),
                              "Expected members per stage for the entry stage's size; bar widths are proportional "
                              "to members. Above each stage, every step into it with its conversion rate.",
                              data=[(name, v) for name, v, _ in rows], value_label="expected members"))
        t = ReportTable(f"funnel-{i + 1}", f"{title}: stages", ["Stage", "Members", "Expected members",
                                                                  "Reach the last stage", "Drop out",
                                                                  "Revenue per member"],
                        ["name", "size", "expected_members", "reach_final", "drop_rate", "revenue_per_member"])
        for st in stages:
            t.row_ids.append(st.id)
            rpm = st.revenue_per_member
            t.rows.append([cell(st.name), cell(st.size), cell(st.expected_members, fmt.number(round(st.expected_members, 1), 1)),
                           cell(st.reach_final, fmt.share(st.reach_final, 2)), cell(st.drop_rate, fmt.share(st.drop_rate)),
                           cell(rpm, fmt.money_each(rpm, ctx.currency, ctx.unit))])
        s.tables.append(t)
        if f.levers:
            s.tables.append(_lever_table(f"levers-{i + 1}", f"{title}: levers", f, names, ctx))
    if len(funnels) > 1:
        t = ReportTable("funnels", "All funnels", ["Entry stage", "Final stage(s)", "Conversion", "Biggest lever",
                                                    "Elasticity", "Lowest rate step", "Lowest rate"],
                        ["entry", "finals", "conversion", "biggest_lever", "elasticity", "bottleneck",
                         "bottleneck_rate"], total=len(funnels))
        for f in funnels[: ctx.top]:
            t.row_ids.append(f.entry)
            b, x = f.bottleneck, f.biggest_lever
            el = x.elasticity if x is not None else None
            t.rows.append([cell(names.get(f.entry, f.entry)), cell(_join_names([names.get(x, x) for x in f.finals])),
                           cell(f.conversion, fmt.share(f.conversion, 2)),
                           cell(f"{names.get(x.source, x.source)} → {names.get(x.target, x.target)}" if x else "–"),
                           cell(el, f"{el:.2f}" if el is not None else "–"),
                           cell(f"{names.get(b.source, b.source)} → {names.get(b.target, b.target)}" if b else "–"),
                           cell(b.rate if b else None, fmt.share(b.rate) if b else "–")])
        s.tables.append(t)
        if len(funnels) > MAX_FUNNEL_CHARTS:
            s.notes.append(f"{len(funnels):,} funnels; the charts show the {MAX_FUNNEL_CHARTS} with the most "
                           f"entrants.")
    return s


def _lever_table(table_id: str, title: str, f, names: dict, ctx: _Ctx) -> ReportTable:
    """One funnel's levers, biggest first: what raising each step's rate brings in conversions and revenue."""
    t = ReportTable(table_id, title, ["Step", "Rate", "Elasticity", "Extra converted per +1 point",
                                      "Extra converted per +10%", "Extra revenue per +10%", "Capped"],
                    ["step", "rate", "elasticity", "extra_converted_per_point", "extra_converted_per_10pct",
                     "extra_revenue_per_10pct", "capped"])
    x = f.biggest_lever
    if x.elasticity is not None:
        t.note = (f"Elasticity: 1% more on a step's rate gives that many % more converted customers (here, 1% more "
                  f"on {names.get(x.source, x.source)} → {names.get(x.target, x.target)} gives "
                  f"{x.elasticity:.2f}% more). ")
    else:
        t.note = "Elasticity: 1% more on a step's rate gives that many % more converted customers. "
    t.note += ("Each row raises one rate and keeps the others; +1 point: the rate plus one percentage point, "
               "+10%: the rate times 1.1.")
    for x in f.levers:
        t.row_ids.append(f"{x.source}->{x.target}")
        rev = x.extra_revenue_per_10pct
        t.rows.append([cell(f"{names.get(x.source, x.source)} → {names.get(x.target, x.target)}"),
                       cell(x.rate, lever_rate(x.rate)),
                       cell(x.elasticity, f"{x.elasticity:.2f}" if x.elasticity is not None else "–"),
                       cell(x.extra_converted_per_point, lever_count(x.extra_converted_per_point)),
                       cell(x.extra_converted_per_10pct, lever_count(x.extra_converted_per_10pct)),
                       cell(rev, ctx.money(rev) if rev is not None else "–"),
                       cell(x.capped, "yes" if x.capped else "no")])
    if any(x.capped for x in f.levers):
        t.note += " Capped: the stage's rates out would pass 100%, so the raise stops there."
    return t


def _join_names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")


# ------------------------------------------------------------------------------- sections by name


SECTION_BUILDERS: dict[str, Callable] = {
    "revenue": _revenue_section,
    "keystones": _keystone_section,
    "lockin": _lockin_section,
    "funnel": _funnel_section,
    "centrality": _centrality_section,
    "sensitivity": sensitivity_section,
}
"""The report's own section builder of each analysis section, ``builder(result, ctx) -> Section``; any other
registered section is laid out by :func:`generic_section`."""


def report_sections() -> tuple[str, ...]:
    """The analysis sections the report runs (those declared ``in_report``), in registry order."""
    from ..analysis.sections import sections

    return tuple(s.name for s in sections() if s.in_report)


def analysis_sections(analysis, ctx: _Ctx) -> list[Section]:
    """A report section for every analysis section with a result, in the what-if order (money first)."""
    from ..analysis.sections import comparison_order, get

    out = []
    for name in comparison_order():
        result = analysis.results.get(name)
        if result is None:
            continue
        builder = SECTION_BUILDERS.get(name)
        out.append(builder(result, ctx) if builder is not None else generic_section(get(name), result, analysis.model,
                                                                                    ctx))
    return out


def _column_key(header: str, seen: dict[str, int]) -> str:
    key = "".join(c if c.isalnum() else "_" for c in str(header).lower()).strip("_") or "column"
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}_{seen[key]}"


def report_table(table, table_id: str) -> ReportTable:
    """A :class:`~ecosystem_graph.tables.Table` of an analysis section as a report table: every cell's text as
    the terminal writes it (each column by its kind), its raw value kept."""
    seen: dict[str, int] = {}
    out = ReportTable(table_id, table.title, [str(c) for c in table.columns],
                      [_column_key(c, seen) for c in table.columns], note=table.note, total=len(table.rows))
    for raw, text in zip(table.rows, table.formatted_rows()):
        out.rows.append([cell(value, shown) for value, shown in zip(raw, text)])
        out.row_ids.append(str(raw[0]) if raw else "")
    return out


def generic_section(section, result, model: dict, ctx: _Ctx) -> Section:
    """The report section of an analysis section the report has no builder for: its description as the lead,
    its headline sentences, and its tables (``ctx.top`` rows each)."""
    s = Section(id=section.name, title=section.report_title,
                lead=section.description[:1].upper() + section.description[1:] + ".")
    if section.headline is not None:
        s.paragraphs = [sentence for sentence, _, _ in section.headline(result, model)]
    tables = section.tables(result, model, ctx.top) if section.tables is not None else []
    s.tables = [report_table(t, f"{section.name}-{i + 1}") for i, t in enumerate(tables)]
    return s


# ------------------------------------------------------------------------------------------ what-if


class _Comparison:
    """A what-if's changes, the analysis after them, and the analysis package's figure-by-figure comparison."""

    def __init__(self, changes, after, comparison):
        self.changes = changes
        self.after = after
        self.comparison = comparison
        self.by_key = {(f.section, f.item, f.figure): f for f in comparison.figures}


def _run_scenario(changed, analysis, seed: int, step, G, spec: ScenarioSpec) -> _Comparison:
    from ..analysis import analyze
    from ..analysis.scenario import compare, node_names, touched_nodes

    H, changes = changed
    after = analyze(H, only=report_sections(), seed=seed, progress=lambda name: step(f"what-if ({name})"))
    touched = touched_nodes(G, spec.remove, spec.scale or {})
    return _Comparison(changes, after, compare(analysis, after, touched, node_names(G)))


_HEADLINE_FORMAT = {"ecosystem_revenue": "money", "core_revenue": "money", "revenue_at_risk": "money",
                    "net": "money", "total_lockin": "index", "conversion": "share", "expected_converted": "number"}
"""How the report prints each kind of headline figure (:func:`ecosystem_graph.analysis.scenario.headline`)."""


_MONEY_FIGURES = frozenset({"inflow", "outflow", "net", "paid", "amount", "dependent_revenue", "revenue",
                            "core_revenue", "direct_revenue", "unbound_revenue", "ecosystem_revenue",
                            "ecosystem_payouts", "ecosystem_net", "revenue_by_offering", "pass_through",
                            "core_revenue_at_risk", "revenue_at_risk"})


def _fmt_figure(value, how: str, ctx: _Ctx) -> str:
    if value is None:
        return "–"
    if how == "money":
        return ctx.money(value)
    if how == "share":
        return fmt.share(value, 2)
    if how == "index":
        return f"{value:.1f}"
    return fmt.number(value, 1)


def _scenario_section(cmp: _Comparison, spec: ScenarioSpec, ctx: _Ctx) -> Section:
    s = Section(id="whatif", title=f"What-if: {spec.label}",
                lead=spec.description or "Every headline figure before and after the changes below, "
                                         "recomputed on the changed model.")
    s.paragraphs = ["Changes: " + "; ".join(cmp.changes) + "."] if cmp.changes else []
    t = ReportTable("whatif", "Headline figures before and after", ["Figure", "Before", "After", "Change", "Change %"],
                    ["figure", "before", "after", "change", "change_pct"])
    sens_after = cmp.after.results.get("sensitivity")
    intervals = scenario_intervals(sens_after, cmp.comparison.headline, ctx) if sens_after is not None else None
    if intervals is not None:  # a ranged model: the figures after the changes with their P10-P90 interval
        t.columns.append("After: 80% range (P10 to P90)")
        t.keys.append("after_interval")
        t.note = (f"After: the changed model at the base values; 80% range: its P10 to its P90 over "
                  f"{sens_after.draws:,} draws of its ranged estimates (the changes applied to each range).")
    for i, f in enumerate(cmp.comparison.headline):
        how, label = _HEADLINE_FORMAT[f.figure], f.label
        t.row_ids.append("|".join(f.key))
        delta = f.change
        if delta is None:
            delta_text = "removed" if f.after is None else "added"
        elif math.isclose(f.before, f.after, rel_tol=1e-9, abs_tol=1e-12):
            delta_text = "no change"
        elif how == "money":
            delta_text = ("+" if delta > 0 else "") + ctx.money(delta)
        elif how == "share":
            delta_text = fmt.signed(delta * 100, 2) + " pts"
        else:
            delta_text = fmt.signed(delta, 1)
        t.rows.append([cell(label), cell(f.before, _fmt_figure(f.before, how, ctx), numeric=True),
                       cell(f.after, _fmt_figure(f.after, how, ctx), numeric=True),
                       cell(delta, delta_text, numeric=True),
                       cell(None, fmt.change(f.before, f.after), numeric=True)])
        if intervals is not None:
            low_high = intervals[i].removeprefix("80% between ").split(" and ", 1) if intervals[i] else ["–"]
            t.rows[-1].append(cell(None, " to ".join(low_high), numeric=True))
        if f.figure in ("ecosystem_revenue", "core_revenue") and f.before is not None and f.after is not None:
            # tiles first, as every scenario output leads with the headline (a chart would come before it)
            s.kpis.append(Kpi(f"whatif-{f.figure}", f"{label} after", f.after, ctx.money(f.after),
                              f"{fmt.change(f.before, f.after)} from {ctx.money(f.before)}"
                              + (f"; {intervals[i]}" if intervals is not None and intervals[i] else "")))
    s.tables.append(t)
    shown = {f.key for f in cmp.comparison.headline}
    changed = [f for f in cmp.comparison.changed() if (f.section, f.item, f.figure) not in shown]

    def size(f) -> float:
        return abs(f.change) if f.change is not None else abs(f.before if f.before is not None else f.after or 0.0)

    money_rows = sorted((f for f in changed if f.section == "revenue" and f.figure in _MONEY_FIGURES), key=lambda f: -size(f))
    keystone_rows = sorted((f for f in changed if f.section == "keystones" and f.figure == "revenue_at_risk"),
                           key=lambda f: -size(f))
    lock_rows = sorted((f for f in changed if f.section == "lockin" and f.figure in ("index", "min_cut", "disjoint_paths")),
                       key=lambda f: -size(f))
    funnel_rows = [f for f in changed if f.section == "funnel"]
    # the order of `ecograph whatif`: money, keystones, lock-in, funnel (centrality and ranks are left to it)
    rows = money_rows[: ctx.top] + keystone_rows[: ctx.top] + lock_rows[: ctx.top] + funnel_rows[: ctx.top]
    t2 = ReportTable("whatif-changes", "Other changes: money, revenue at risk, lock-in, funnel",
                     ["Analysis", "Item", "Figure", "Before", "After", "Change"],
                     ["section", "item", "figure", "before", "after", "change"],
                     note=f"{len(cmp.comparison.changed()):,} of {len(cmp.comparison.figures):,} figures changed, "
                          f"headline, centrality and rank figures included; `ecograph whatif` lists every one.")
    for f in rows:
        how = "money" if f.figure in _MONEY_FIGURES else "number"
        t2.row_ids.append(f"{f.section}|{f.item}|{f.figure}")
        if f.change is None:
            delta = "removed" if f.after is None else "added"
        else:
            delta = ("+" if f.change > 0 else "") + ctx.money(f.change) if how == "money" else fmt.signed(f.change, 2)
        t2.rows.append([cell(f.section), cell(ctx.name(f.item)), cell(f.figure.replace("_", " ")),
                        cell(f.before, _fmt_figure(f.before, how, ctx), numeric=True),
                        cell(f.after, _fmt_figure(f.after, how, ctx), numeric=True),
                        cell(f.change, delta, numeric=True)])
    s.tables.append(t2)
    return s


def _scenario_summary(cmp: _Comparison, spec: ScenarioSpec, ctx: _Ctx) -> list:
    from .document import SummaryItem

    rev = cmp.by_key.get(("revenue", "(ecosystem)", "ecosystem_revenue"))
    core = cmp.by_key.get(("revenue", "(ecosystem)", "core_revenue"))
    if rev is None or rev.before is None or rev.after is None:
        return []
    text = (f"In the what-if “{spec.label}”, ecosystem revenue would go from {ctx.money(rev.before)} to "
            f"{ctx.money(rev.after)}")
    if core is not None and core.before is not None and core.after is not None:
        text += f", core revenue from {ctx.money(core.before)} to {ctx.money(core.after)}"
    lost = [f for f in cmp.comparison.figures if f.section == "lockin" and f.figure == "index"
            and f.before and f.before > 0 and (f.after or 0.0) == 0.0]
    if lost:
        text += f"; {len(lost)} segment{'s' if len(lost) != 1 else ''} would lose every binding to the core"
    return [SummaryItem("whatif", text + ".", fmt.change(rev.before, rev.after), rev.after - rev.before)]
