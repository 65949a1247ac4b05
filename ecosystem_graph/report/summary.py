"""The executive summary: headline figures and one plain sentence per finding, from the analysis results."""

from __future__ import annotations

from ..model import KEYSTONE_KINDS
from . import fmt
from .document import Kpi, SummaryItem

__all__ = ["keystone_loss_text", "headline_figures", "executive_summary", "lever_clause", "lever_rate",
           "lever_raised_rate", "lever_count", "HHI_HIGH", "HHI_MODERATE", "SUMMARIZED", "section_headlines"]

HHI_MODERATE = 1500.0
HHI_HIGH = 2500.0


def _join(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def headline_figures(analysis, ctx) -> list[Kpi]:
    """The tiles at the top of the report: revenue, core share, concentration, lock-in, funnel."""
    out: list[Kpi] = []
    rev = getattr(analysis, "revenue", None)
    if rev is not None:
        out.append(Kpi("revenue", "Ecosystem revenue", rev.ecosystem_revenue, ctx.money(rev.ecosystem_revenue),
                       f"per {ctx.period}" if ctx.period else None))
        share = rev.core_revenue / rev.ecosystem_revenue if rev.ecosystem_revenue else None
        out.append(Kpi("core_share", "Core revenue", share, fmt.share(share),
                       f"{ctx.money(rev.core_revenue)} paid to the core"))
        top_stream = next(iter(rev.by_stream.items()), None)
        if top_stream and rev.ecosystem_revenue:
            out.append(Kpi("top_stream", "Largest revenue stream", top_stream[1] / rev.ecosystem_revenue,
                           fmt.share(top_stream[1] / rev.ecosystem_revenue), top_stream[0]))
    lock = getattr(analysis, "lockin", None)
    if lock is not None and lock.segments:
        mean = sum(s.index for s in lock.segments) / len(lock.segments)
        out.append(Kpi("mean_lockin", "Average lock-in", mean, f"{mean:.0f} / 100",
                       f"over {len(lock.segments):,} segment{'s' if len(lock.segments) != 1 else ''}"))
    return out


def executive_summary(analysis, ctx) -> list[SummaryItem]:
    """One sentence per finding, each with the figure it rests on, in the order a client reads them."""
    items: list[SummaryItem] = []
    rev = getattr(analysis, "revenue", None)
    if rev is not None:
        items += _revenue_items(rev, ctx)
    ks = getattr(analysis, "keystones", None)
    if ks is not None:
        items += _keystone_items(ks, ctx)
    lock = getattr(analysis, "lockin", None)
    if lock is not None:
        items += _lockin_items(lock, ctx)
    funnel = getattr(analysis, "funnel", None)
    if funnel is not None:
        items += _funnel_items(funnel, ctx)
    cen = getattr(analysis, "centrality", None)
    if cen is not None and cen.nodes:
        best = max(cen.nodes, key=lambda c: (c.pagerank, c.id))
        items.append(SummaryItem(
            "central_node",
            f"The money ends up most at {best.name} ({best.kind}): a walker following payments and bindings "
            f"spends {fmt.share(best.pagerank, 0)} of its time there (money-weighted PageRank); this is where "
            f"money lands, not who holds the ecosystem together.",
            fmt.share(best.pagerank, 0), best.pagerank))
    items += section_headlines(analysis)
    return items


SUMMARIZED = frozenset({"revenue", "keystones", "lockin", "funnel", "centrality"})
"""The analysis sections the executive summary writes its own sentences for."""


def section_headlines(analysis) -> list[SummaryItem]:
    """The headline sentences of every other analysis section with a result (its ``headline`` hook), in the
    report's order."""
    from ..analysis.sections import comparison_order, get

    results = getattr(analysis, "results", None) or {}
    items: list[SummaryItem] = []
    for name in comparison_order():
        section, result = get(name), results.get(name)
        if name in SUMMARIZED or result is None or section.headline is None:
            continue
        for i, (sentence, figure, value) in enumerate(section.headline(result, analysis.model)):
            items.append(SummaryItem(name if i == 0 else f"{name}-{i + 1}", sentence, figure, value))
    return items


def _revenue_items(rev, ctx) -> list[SummaryItem]:
    items: list[SummaryItem] = []
    if rev.ecosystem_revenue <= 0:
        items.append(SummaryItem("revenue", "The model records no money paid to the ecosystem's offerings.",
                                 ctx.money(0.0), 0.0))
        return items
    streams = list(rev.by_stream.items())
    parts = [f"{name} {fmt.share(a / rev.ecosystem_revenue, 0)}" for name, a in streams[:3]]
    if len(streams) > 3:
        parts.append(f"{len(streams) - 3} more stream{'s' if len(streams) > 4 else ''}")
    split = _join(parts)
    more = ""
    items.append(SummaryItem(
        "revenue",
        f"Customers and partners pay the ecosystem {ctx.money(rev.ecosystem_revenue)}"
        f"{' in ' + ctx.period if ctx.period else ''}; by stream: {split}{more}.",
        ctx.money(rev.ecosystem_revenue), rev.ecosystem_revenue))
    core_share = rev.core_revenue / rev.ecosystem_revenue
    items.append(SummaryItem(
        "core_share",
        f"The core earns {fmt.share(core_share, 0)} of it directly; the satellites and channels earn the other "
        f"{fmt.share(1 - core_share, 0)}.",
        ctx.money(rev.core_revenue), rev.core_revenue))
    dep = sorted(((n, v) for n, v in rev.dependency.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    if dep:
        n, v = dep[0]
        items.append(SummaryItem(
            "dependency",
            f"{ctx.name(n)} is the {ctx.kinds.get(n, 'node')} the ecosystem's revenue depends on most: its own "
            f"revenue and that of customers bound through it make {fmt.share(v, 0)} of ecosystem revenue.",
            fmt.share(v), v))
    payees = (rev.hhi or {}).get("payees")
    payers = (rev.hhi or {}).get("payers")
    if payees is not None:
        top_payee = min(rev.revenue_by_offering.items(), key=lambda kv: (-kv[1], kv[0]), default=None)
        lead = ""
        if top_payee:
            lead = f"; {ctx.name(top_payee[0])} alone takes {fmt.share(top_payee[1] / rev.ecosystem_revenue, 0)}"
        band = ("highly concentrated" if payees > HHI_HIGH else "moderately concentrated" if payees >= HHI_MODERATE
                else "spread")
        items.append(SummaryItem(
            "concentration",
            f"Revenue is {band} across the ecosystem's offerings{lead}"
            + (f" (payers: HHI {payers:,.0f})." if payers is not None else "."),
            f"HHI {payees:,.0f}", payees))
    return items


AMONG = "among the satellites, channels and partners"
"""Said in the sentence, so that it agrees with the keystone table, where a core or a segment may rank higher."""


def keystone_loss_text(k, money) -> str:
    """What the ecosystem loses without the actor, in words: "EUR 1.5 million of revenue (61%), 2 segments
    cut off, 42% of lock-in, 7 pairs of actors separated"; ``money`` formats an amount."""
    parts = []
    if k.revenue_at_risk > 0:
        parts.append(f"{money(k.revenue_at_risk)} of revenue ({fmt.share(k.revenue_share, 0)})")
    if k.segments_cut_off:
        parts.append(f"{k.segments_cut_off:,} segment{'s' if k.segments_cut_off != 1 else ''} cut off")
    if k.lockin_share > 0:
        parts.append(f"{fmt.share(k.lockin_share, 0)} of lock-in")
    if k.pairs_cut_off:
        parts.append(f"{k.pairs_cut_off:,} pair{'s' if k.pairs_cut_off != 1 else ''} of actors separated")
    return ", ".join(parts) or "nothing measurable"



def _keystone_items(ks, ctx) -> list[SummaryItem]:
    # in the order of the removal impact (the keystone ranking)
    ranked = [k for k in ks.nodes if k.kind in KEYSTONE_KINDS and getattr(k, "impact", 0.0) > 0]
    if not ranked:
        return []
    top = ranked[0]
    n_cut = top.segments_cut_off
    segments = f"{n_cut} segment{'s' if n_cut != 1 else ''}"

    def why(k) -> str:
        return f"{k.name} (loses {keystone_loss_text(k, ctx.money)})"

    others = _join([why(k) for k in ranked[1:3]])
    then = f" Next most critical: {others}." if others else ""
    if top.revenue_at_risk > 0:
        cut = f" and leave {segments} with no binding to the core" if n_cut else ""
        core = getattr(top, "core_revenue_at_risk", 0.0) or 0.0
        core_part = f", {ctx.money(core)} of it core revenue," if core > 0 else ""
        sentence = (f"{top.name} is the keystone {AMONG}: losing it would put {ctx.money(top.revenue_at_risk)} of ecosystem "
                    f"revenue ({fmt.share(top.revenue_share, 0)}){core_part} at risk{cut}.{then}")
        return [SummaryItem("top_keystone", sentence, ctx.money(top.revenue_at_risk), top.revenue_at_risk)]
    if n_cut:
        # No revenue at risk: the cost of losing the keystone is the segments it alone ties to the core.
        sentence = (f"{top.name} is the keystone {AMONG}: losing it would leave {segments} with no binding to the core; "
                    f"no ecosystem revenue is at risk.{then}")
        return [SummaryItem("top_keystone", sentence, segments, float(n_cut))]
    sentence = (f"{top.name} is the keystone {AMONG}: without it the ecosystem would lose "
                f"{keystone_loss_text(top, ctx.money)}; no ecosystem revenue is at risk.{then}")
    return [SummaryItem("top_keystone", sentence, fmt.share(top.impact), top.impact)]


def _binding(seg, edge, ctx) -> str:
    """A cut edge in words: the segment's own binding is named by what it binds to."""
    u, v = edge[0], edge[1]
    return ctx.name(v) if u == seg.id else f"{ctx.name(u)} → {ctx.name(v)}"


def _bindings(seg, ctx, shown: int = 2) -> str:
    names = [_binding(seg, e, ctx) for e in seg.cut_edges[:shown]]
    more = len(seg.cut_edges) - shown
    return _join(names + ([f"{more} more"] if more > 0 else []))


def _lockin_items(lock, ctx) -> list[SummaryItem]:
    segs = sorted(lock.segments, key=lambda x: (-x.index, x.id))
    if not segs:
        return []
    most = segs[0]
    n_cut = len(most.cut_edges)
    if n_cut:
        how = (f"to win it, a competitor would have to break {n_cut} binding{'s' if n_cut != 1 else ''} at once "
               f"({_bindings(most, ctx)})")
    else:
        how = "yet no binding ties it to the core"
    items = [SummaryItem(
        "most_locked_in",
        f"{most.name} is the most locked-in segment, held by {_mechs(most)}; {how}.",
        f"index {most.index:.0f} / 100", most.index)]
    if len(segs) > 1:
        least = segs[-1]
        if not least.cores:
            sentence = (f"{least.name} is the least locked-in segment: no chain of bindings ties it to the core, "
                        f"so it is not locked in to the core (it may still be bound to other offerings).")
        else:
            n = len(least.cut_edges)
            sentence = (f"{least.name} is the least locked-in segment: breaking {n} binding{'s' if n != 1 else ''} "
                        f"({_bindings(least, ctx)}) would detach it from the core.")
        items.append(SummaryItem("least_locked_in", sentence, f"index {least.index:.0f} / 100", least.index))
    return items


def _mechs(seg) -> str:
    from .charts import MECHANISM_NAMES

    if not seg.mechanisms:
        return "no recorded lock-in type"
    labels = [MECHANISM_NAMES.get(m, m) for m in seg.mechanisms]
    if len(labels) > 3:
        return f"{len(labels)} of the 7 lock-in types"
    return f"{len(labels)} of the 7 lock-in type{'s' if len(labels) != 1 else ''} ({_join(labels)})"


def _funnel_items(result, ctx) -> list[SummaryItem]:
    funnels = sorted(result.funnels, key=lambda f: -sum((st.size or 0) for st in f.stages if st.entry))
    if not funnels:
        return []
    f = funnels[0]
    names = {st.id: st.name for st in f.stages}
    entry, finals = names.get(f.entry, f.entry), _join([names.get(x, x) for x in f.finals])
    per = 1000 if f.conversion >= 0.001 else 100_000
    sentence = (f"Of every {per:,} {entry}, {fmt.number(f.conversion * per, 1)} end up as {finals}")
    if f.biggest_lever is not None:
        sentence += "; " + lever_clause(f, names, ctx)
    more = f" ({len(funnels):,} funnels in the model; this is the largest)" if len(funnels) > 1 else ""
    return [SummaryItem("funnel_conversion", sentence + more + ".", fmt.share(f.conversion, 2), f.conversion)]


def lever_rate(rate: float) -> str:
    """A step's rate as a share, with a second decimal below 1% (0.50% -> 0.55% must read apart).

    >>> lever_rate(0.25), lever_rate(0.275), lever_rate(0.0055)
    ('25.0%', '27.5%', '0.55%')
    """
    return fmt.share(rate, 1 if rate >= 0.01 else 2)


def lever_count(value: float) -> str:
    """Extra converted members: whole from 10 on, one decimal from 1, three significant digits below.

    >>> lever_count(337.5), lever_count(2.345), lever_count(0.01234)
    ('338', '2.3', '0.0123')
    """
    if value >= 10:
        return fmt.number(round(value))
    if value >= 1:
        return fmt.number(value, 1)
    return f"{value:.3g}"


def lever_raised_rate(f, x) -> float:
    """The rate of lever ``x`` after the +10% raise: ``rate x 1.1``, cut (capped) to what is left of its
    stage's drop rate, as the analysis does."""
    out_of_stage = sum(st.rate for st in f.steps if st.source == x.source)
    return x.rate + min(0.1 * x.rate, max(0.0, 1.0 - out_of_stage))


def lever_clause(f, names: dict, ctx) -> str:
    """"the biggest lever is A → B: 10% more of its rate (25.0% → 27.5%) brings 338 more C (+7.4%) and
    EUR 43,835 more revenue": funnel ``f``'s biggest lever, what raising its rate by 10% of itself brings."""
    x = f.biggest_lever
    rates = f"{lever_rate(x.rate)} → {lever_rate(lever_raised_rate(f, x))}"
    who = names.get(f.finals[0], f.finals[0]) if len(f.finals) == 1 else "converted customers"
    text = (f"the biggest lever is {names.get(x.source, x.source)} → {names.get(x.target, x.target)}: 10% more "
            f"of its rate ({rates}) brings {lever_count(x.extra_converted_per_10pct)} more {who}")
    if f.expected_converted:
        text += f" (+{fmt.share(x.extra_converted_per_10pct / f.expected_converted, 1)})"
    if x.extra_revenue_per_10pct:  # unknown (None) or nothing (a funnel without money): no revenue clause
        text += f" and {ctx.money(x.extra_revenue_per_10pct)} more revenue"
    return text + (" (capped)" if x.capped else "")
