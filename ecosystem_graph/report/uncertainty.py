"""How sure the report's numbers are: intervals beside the headline figures and their own section.

The "How sure are these numbers" section holds tornado charts, the P10-P90 table and the assumptions that
drive the uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import numbers
from ..analysis.builtin.sensitivity import REPORT_DRAWS
from . import charts, fmt
from .document import Chart, ReportTable, Section, cell

__all__ = ["Headline", "headline_stats", "scenario_intervals", "interval_text", "figure_text", "add_intervals", "sensitivity_section",
           "TORNADO_BARS", "DRIVERS_SHOWN", "REPORT_DRAWS"]

TORNADO_BARS = 8
"""Assumptions drawn per tornado chart (the widest swings; the rest move the figure less)."""
DRIVERS_SHOWN = 8
"""Assumptions listed as driving most of the uncertainty."""

_SHARE_PROPERTIES = frozenset({"share", "rate", "reach", "strength", "criticality"})
_MONEY_PROPERTIES = frozenset({"amount"})


@dataclass
class Headline:
    """A headline figure of the report with its distribution: ``key`` is its executive-summary line's key,
    ``how`` how it is written (``money``, ``share``, ``index``)."""

    key: str
    label: str
    stats: object  # FigureStats
    how: str


def headline_stats(sens, analysis) -> list[Headline]:
    """The report's headline figures that the sensitivity run has, in the executive summary's order:
    ecosystem revenue, core revenue, revenue at risk of the top keystone, the average lock-in and the lock-in
    of the most locked-in segment, conversion of the largest funnel (the items the summary's tiles and
    sentences name)."""
    from .summary import KEYSTONE_KINDS

    stats = sens.by_name()
    wanted: list[tuple[str, str, str, str]] = [
        ("revenue", "Ecosystem revenue", "ecosystem revenue", "money"),
        ("core_share", "Core revenue", "core revenue", "money")]
    ks = getattr(analysis, "keystones", None)
    ranked = [k for k in (ks.nodes if ks is not None else []) if k.kind in KEYSTONE_KINDS
              and getattr(k, "impact", 0.0) > 0]
    if ranked and ranked[0].revenue_at_risk > 0:
        top = ranked[0]
        wanted.append(("top_keystone", f"Revenue at risk without {top.name}", f"revenue at risk without {top.id}",
                       "money"))
    lock = getattr(analysis, "lockin", None)
    if lock is not None and lock.segments:
        wanted.append(("mean_lockin", "Average lock-in", "average lock-in index", "index"))
        most = min(lock.segments, key=lambda x: (-x.index, x.id))
        wanted.append(("most_locked_in", f"Lock-in of {most.name}", f"lock-in index of {most.id}", "index"))
    funnel = getattr(analysis, "funnel", None)
    if funnel is not None and funnel.funnels:
        f = sorted(funnel.funnels, key=lambda f: -sum((st.size or 0) for st in f.stages if st.entry))[0]
        entry = next((st.name for st in f.stages if st.id == f.entry), f.entry)
        wanted.append(("funnel_conversion", f"Conversion from {entry}", f"conversion from {f.entry}", "share"))
    return [Headline(key, label, stats[name], how) for key, label, name, how in wanted if name in stats]


def figure_text(value: float, h: Headline, ctx) -> str:
    """``value`` of headline ``h`` as the report writes it; money in the unit of the figure's base value, so
    that an interval reads in the unit of its tile.

    >>> class C: currency, unit = "USD", "billion"
    >>> h = Headline("revenue", "Ecosystem revenue", type("S", (), {"base": 569.9})(), "money")
    >>> figure_text(569.9, h, C()), figure_text(1203.4, h, C())
    ('USD 570 billion', 'USD 1,203 billion')
    """
    if h.how == "money":
        base = h.stats.base
        scale = numbers.money_scale(abs(base) if base else max(abs(h.stats.p10), abs(h.stats.p90)), ctx.unit)
        return fmt.money(value, ctx.currency, ctx.unit, scale=scale)
    if h.how == "share":
        return fmt.share(value, 2)
    return f"{value:.0f}"


def interval_text(h: Headline, ctx) -> str | None:
    """"80% between USD 563 billion and USD 575 billion" (P10 and P90), or None when the ranges do not
    move the figure as written."""
    low, high = figure_text(h.stats.p10, h, ctx), figure_text(h.stats.p90, h, ctx)
    if low == high:
        return None
    return f"80% between {low} and {high}"


def _beside(text: str, figure: str, interval: str) -> str | None:
    """``text`` with ``(interval)`` right after the first ``figure`` in it; None when it is not there."""
    at = text.find(figure) if figure else -1
    if at < 0:
        return None
    end = at + len(figure)
    return f"{text[:end]} ({interval}){text[end:]}"


def add_intervals(summary, kpis, heads: list[Headline], ctx) -> None:
    """Write each headline figure's P10-P90 interval beside it, in place: in its executive-summary sentence
    (right after the figure, or as a closing clause when the sentence does not write it) and in the detail of
    its tile (ecosystem revenue, core revenue, average lock-in)."""
    by_key = {h.key: h for h in heads}

    def interval_of(key):
        """(headline, base text, interval text) of the figure ``key``, or None when it has no interval."""
        h = by_key.get(key)
        interval = interval_text(h, ctx) if h is not None else None
        return None if interval is None else (h, figure_text(h.stats.base, h, ctx), interval)

    for item in summary:
        found = interval_of(item.key)
        if found is not None:
            h, base, interval = found
            item.sentence = (_beside(item.sentence, base, interval)
                             or f"{item.sentence} {h.label}: {base} ({interval}).")
    for k in kpis:
        found = interval_of(k.key)
        if found is None:
            continue
        h, base, interval = found
        if k.text == base or k.text.startswith(f"{base} "):  # "42 / 100" beside the index 42
            k.detail = f"{k.detail}; {interval}" if k.detail else interval
        else:
            k.detail = _beside(k.detail or "", base, interval) or f"{h.label}: {base} ({interval})"

_SCENARIO_FIGURES = {"ecosystem_revenue": ("ecosystem revenue", "money"), "core_revenue": ("core revenue", "money"),
                     "revenue_at_risk": ("revenue at risk without {item}", "money"), "net": ("net of {item}", "money"),
                     "conversion": ("conversion from {entry}", "share"),
                     "expected_converted": ("expected converted from {entry}", "count")}


def scenario_intervals(sens, figures, ctx) -> list[str | None]:
    """For each what-if headline figure (:class:`~ecosystem_graph.analysis.scenario.HeadlineFigure`), the
    P10-P90 interval of its value after the changes ("80% between ..."), from the sensitivity run on the
    changed model; None where the figure has none (the total lock-in, a figure the ranges do not move)."""
    stats = sens.by_name()
    out: list[str | None] = []
    for f in figures:
        spec = _SCENARIO_FIGURES.get(f.figure)
        entry = f.item[len("funnel "):] if f.item.startswith("funnel ") else f.item
        st = stats.get(spec[0].format(item=f.item, entry=entry)) if spec else None
        if st is None or f.after is None:
            out.append(None)
            continue
        if spec[1] == "count":
            low, high = fmt.number(st.p10, 1), fmt.number(st.p90, 1)
            out.append(f"80% between {low} and {high}" if low != high else None)
        else:
            out.append(interval_text(Headline(f.figure, f.label, st, spec[1]), ctx))
    return out


def _values(record, values, ctx) -> list[str]:
    """An assumption's values (low, base, high) in its own terms: money in one unit, a share, or a plain
    number; a missing value reads "–"."""
    if record is not None and record.property in _MONEY_PROPERTIES:
        scale = numbers.money_scale([v for v in values if v is not None], ctx.unit)
        return [fmt.money(v, ctx.currency, ctx.unit, scale=scale) if v is not None else "–" for v in values]
    if record is not None and record.property in _SHARE_PROPERTIES:
        return [fmt.share(v, 1) for v in values]
    return [numbers.format_number(v) if v is not None else "–" for v in values]


def sensitivity_section(sens, ctx) -> Section:
    """The report section "How sure are these numbers": one sentence per headline figure, the table of their
    base, P10, P50 and P90, a tornado chart per headline figure the ranges move, and the assumptions that
    drive most of the uncertainty."""
    heads = headline_stats(sens, getattr(ctx, "analysis", None))
    records = {r.label: r for r in sens.assumptions}
    n = len(sens.assumptions)
    s = Section(id="sensitivity", title="How sure are these numbers",
                lead=(f"{n:,} of the model's figures are estimates given as a range (a low, a base and a high). "
                      f"The headline figures were recomputed for {sens.draws:,} combinations of those estimates, "
                      f"each drawn within its range and most often near its base: “80% between A and B” means "
                      f"that 8 in 10 of the combinations give a figure between A and B. The rest of the report "
                      f"uses the base values."))
    t = ReportTable("uncertainty", "Headline figures and their range",
                    ["Figure", "Base", "P10", "P50", "P90"], ["figure", "base", "p10", "p50", "p90"],
                    total=len(heads),
                    note="Base: every estimate at its base value (the figure in the rest of the report). P10: 1 in "
                         "10 combinations gives less; P50: the middle one; P90: 1 in 10 gives more.")
    steady = []
    for h in heads:
        st = h.stats
        t.row_ids.append(st.figure.name)
        t.rows.append([cell(h.label)] + [cell(v, figure_text(v, h, ctx)) for v in (st.base, st.p10, st.p50, st.p90)])
        interval = interval_text(h, ctx)
        if interval is None:
            steady.append(h.label)
            continue
        s.paragraphs.append(f"{h.label}: {figure_text(st.base, h, ctx)} at the base values; in 8 of 10 "
                            f"combinations between {figure_text(st.p10, h, ctx)} and {figure_text(st.p90, h, ctx)}.")
    if steady:
        s.notes.append(f"{_join(steady)} {'does' if len(steady) == 1 else 'do'} not depend on the ranged estimates "
                       f"(or move by less than the figure's rounding).")
    s.tables.append(t)
    for h in heads:
        if h.key in ("mean_lockin", "most_locked_in"):
            continue  # the tornado charts are for the money and funnel figures; lock-in is in the table
        bars = sens.tornado.get(h.stats.figure.name, [])[:TORNADO_BARS]
        if not bars or interval_text(h, ctx) is None:
            continue
        rows = [(f"{' '.join(b.assumption.split())}\n" + " to ".join(_values(records.get(b.assumption),
                                                                            (b.low, b.high), ctx)),
                 b.at_low, b.at_high) for b in bars]
        vfmt = (lambda v, h=h: figure_text(v, h, ctx))
        xlabel = (fmt.money_axis_label(ctx.currency, ctx.unit, ctx.period) if h.how == "money"
                  else "share" if h.how == "share" else "index (0–100)")
        if h.how == "share":  # the axis in percent, as the values are written
            rows = [(lab, lo * 100, hi * 100) for lab, lo, hi in rows]
            base, vfmt, xlabel = h.stats.base * 100, (lambda v, h=h: figure_text(v / 100, h, ctx)), "%"
        elif h.how == "money":  # the axis in the unit the figure is written in (billion beside "EUR 1.10 billion")
            div, unit = numbers.money_scale(abs(h.stats.base) or max(abs(lo) for _, lo, _ in rows), ctx.unit)
            rows = [(lab, lo / div, hi / div) for lab, lo, hi in rows]
            base, vfmt = h.stats.base / div, (lambda v, h=h, div=div: figure_text(v * div, h, ctx))
            xlabel = fmt.money_axis_label(ctx.currency, unit, ctx.period)
        else:
            base = h.stats.base
        kw = dict(value_format=vfmt, xlabel=xlabel, title=f"What moves {h.label.lower()}")
        chart = Chart(f"tornado-{h.key}", f"What moves {h.label[:1].lower() + h.label[1:]}",
                      charts.tornado_chart(rows, base, **kw),
                      f"Each bar sets one estimate to its low (red end) and to its high (green end), every other "
                      f"at its base; the line is the figure at the base values ({figure_text(h.stats.base, h, ctx)}). "
                      f"The widest bars are the estimates worth checking first.",
                      data=[(lab, hi - lo) for lab, lo, hi in rows])
        chart.image = charts.tornado_chart(rows, base, png=True, **kw)
        s.charts.append(chart)
    drivers = _drivers(sens, heads)
    if drivers:
        d = ReportTable("drivers-of-uncertainty", "The estimates that drive most of the uncertainty",
                        ["Estimate", "Range (low to high)", "Base", "Moves most", "Figure at low", "Figure at high",
                         "Swing (share of the figure)"],
                        ["assumption", "range", "base", "figure", "at_low", "at_high", "swing"],
                        total=len(drivers),
                        note="Ranked by the largest swing each estimate causes in a headline figure, as a share of "
                             "that figure's base value (the estimate moved from its low to its high, every other "
                             "at its base).")
        for label, h, bar, rel in drivers[:DRIVERS_SHOWN]:
            r = records.get(label)
            base = r.base if r is not None else None
            low_t, base_t, high_t = _values(r, (bar.low, base, bar.high), ctx)
            d.row_ids.append(label)
            d.rows.append([cell(label), cell(None, f"{low_t} to {high_t}", numeric=True),
                           cell(None, base_t, numeric=True), cell(h.label),
                           cell(bar.at_low, figure_text(bar.at_low, h, ctx)),
                           cell(bar.at_high, figure_text(bar.at_high, h, ctx)),
                           cell(rel, fmt.share(rel, 1))])
        s.tables.append(d)
    idle = n - len(drivers)
    if idle > 0:
        s.notes.append(f"{idle:,} other estimate{'s' if idle != 1 else ''} move{'s' if idle == 1 else ''} none of these "
                       f"headline figures; `ecograph sensitivity` lists every figure and what moves it.")
    return s


def _drivers(sens, heads: list[Headline]) -> list[tuple[str, Headline, object, float]]:
    """Each assumption's largest swing relative to a headline figure's base: (label, headline, bar, swing/|base|),
    largest first; an assumption that moves no headline figure is left out."""
    best: dict[str, tuple[str, Headline, object, float]] = {}
    for h in heads:
        base = abs(h.stats.base)
        if not base:
            continue
        for bar in sens.tornado.get(h.stats.figure.name, []):
            rel = bar.swing / base
            if rel > 0 and (bar.assumption not in best or rel > best[bar.assumption][3]):
                best[bar.assumption] = (bar.assumption, h, bar, rel)
    return sorted(best.values(), key=lambda x: (-x[3], x[0]))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
