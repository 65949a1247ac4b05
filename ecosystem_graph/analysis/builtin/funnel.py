"""The funnel section: each funnel's conversion, stages, bottleneck and levers."""

from __future__ import annotations

from ...numbers import format_count, format_money, format_share
from .. import funnel
from ..section_tables import COUNT, INDEX, MONEY, SHARE, TEXT, money_label, table_for
from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "lever_headline"]


def _run(ctx: SectionContext):
    index = ctx.index_if_built
    if index is not None:  # only the relationships the funnel reads (each type in model order)
        by_type = index.by_type
        return funnel.funnel(ctx.G, edges=by_type.get("CONVERTS_TO", []) + by_type.get("PAYS", []))
    return funnel.funnel(ctx.G, edges=ctx.edges)


def _to_dict(result, top):
    f = result.to_dict()
    f["funnels"] = list(f["funnels"])[:top] if top is not None else list(f["funnels"])
    return f


def lever_headline(f, model: dict) -> str:
    """One sentence naming the biggest lever of funnel ``f`` and what 10% more of its rate brings."""
    x = f.biggest_lever
    more = x.extra_converted_per_10pct
    gain = f"{format_count(more)} more converted"
    if f.expected_converted:
        gain += f" (+{format_share(more / f.expected_converted)})"
    if x.extra_revenue_per_10pct is not None:
        amount = format_money(x.extra_revenue_per_10pct, model.get("currency"), model.get("money_unit"))
        gain += f" and {amount} more revenue"
    return (f"Biggest lever of the funnel from {f.entry}: {x.source}->{x.target} (rate {format_share(x.rate)}); "
            f"raising it by "
            f"10% of itself gives {gain}" + (" (capped: the stage's rates out reach 1)" if x.capped else ""))


def _tables(result, model, top):
    Table = table_for(model)
    money = money_label(model)
    funnels = result.funnels
    shown = funnels[:top] if top is not None else funnels
    rows = []
    for f in shown:
        lever, low = f.biggest_lever, f.bottleneck
        rows.append([f.entry, f.finals, len(f.stages), f.conversion,
                     f"{lever.source}->{lever.target}" if lever else None,
                     lever.elasticity if lever else None,
                     f"{low.source}->{low.target} ({format_share(low.rate)})" if low else None,
                     f.revenue_per_entrant, f.expected_converted])
    notes = ["elasticity: % more converted per 1% more of the lever's rate; the lowest rate is often a side "
             "branch, not the lever"]
    if top is not None and len(funnels) > top:
        notes.insert(0, f"top {top} of {len(funnels):,} funnels")
    out = [Table("Funnels", ["entry", "final stages", "stages", "conversion", "biggest lever", "elasticity",
                             "lowest rate", f"revenue per entrant{money}", "expected converted"], rows,
                 "; ".join(notes), kinds=[TEXT, TEXT, COUNT, SHARE, TEXT, INDEX, TEXT, MONEY, COUNT])]
    if shown and shown[0].biggest_lever is not None:
        out[0].note = lever_headline(shown[0], model) + ". " + out[0].note
    detail = shown[:3]
    for f in detail:
        out.append(Table(f"Funnel from {f.entry}",
                         ["stage", "name", "size", "expected members", "reaches final", "drop rate",
                          f"revenue per member{money}"],
                         [[s.id, s.name, s.size, s.expected_members, s.reach_final, s.drop_rate,
                           s.revenue_per_member] for s in f.stages],
                         kinds=[TEXT, TEXT, COUNT, COUNT, SHARE, SHARE, MONEY]))
        capped = any(x.capped for x in f.levers)
        out.append(Table(f"Levers of the funnel from {f.entry}",
                         ["step", "rate", "elasticity", "extra converted per +1 point",
                          "extra converted per +10% of the rate", f"extra revenue per +10%{money}", "capped"],
                         [[f"{x.source}->{x.target}", x.rate, x.elasticity, x.extra_converted_per_point,
                           x.extra_converted_per_10pct, x.extra_revenue_per_10pct, x.capped] for x in f.levers],
                         "ranked by elasticity (% more converted per 1% more of the step's rate); +1 point: "
                         "the rate plus 0.01, +10%: the rate times 1.1, every other rate kept" + (
                             "; capped: the stage's rates out would pass 1, so the raise stops at 1"
                             if capped else ""), kinds=[TEXT, SHARE, INDEX, COUNT, COUNT, MONEY, TEXT]))
    if len(shown) > len(detail):
        out[-1].note = f"stage tables of the first {len(detail)} funnels; every funnel is in the JSON output"
    return out


def _figures(result):
    for f in result.funnels:
        item = f"funnel {f.entry}"
        yield item, "conversion", f.conversion
        yield item, "expected_converted", f.expected_converted
        if f.revenue_per_entrant is not None:
            yield item, "revenue_per_entrant", f.revenue_per_entrant
        for s in f.stages:
            for name in ("expected_members", "reach_final", "drop_rate"):
                yield s.id, name, float(getattr(s, name))
            if s.revenue_per_member is not None:
                yield s.id, "revenue_per_member", s.revenue_per_member


SECTION = register(AnalysisSection(
    name="funnel", description="conversion and levers",
    run=_run, to_dict=_to_dict, tables=_tables, figures=_figures,
    order=50, run_order=40, compare_order=40, title="Funnel"))
