"""The keystones section: what the ecosystem would lose without each actor, ranked by removal impact."""

from __future__ import annotations

from .. import keystones
from ..section_tables import (COUNT, MONEY, PERCENT, TEXT, cut, join_notes, money_label, more, ranked_to_dict,
                              row_figures, table_for)
from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "KEYSTONE_NOTE"]

KEYSTONE_NOTE = ("Ranked by removal impact: the average of the shares of ecosystem revenue, of segments bound "
                 "to a core, of lock-in and of connected pairs of actors that the ecosystem loses without the actor")
"""What the keystone ranking measures, in client words (tables, report, render)."""

FIGURES = ("rank", "revenue_at_risk", "core_revenue_at_risk", "revenue_share", "segments_cut_off", "lockin_change")


def _run(ctx: SectionContext):
    # reuses the lock-in of the run when there is one (lock-in runs first)
    return keystones.keystones(ctx.G, index=ctx.index, lockin_result=ctx.results.get("lockin"))


def _tables(result, model, top):
    Table = table_for(model)
    money = money_label(model)
    rows = [[n.rank, n.id, n.name, n.kind, 100 * n.impact, n.revenue_at_risk, 100 * n.revenue_share,
             n.core_revenue_at_risk, n.segments_cut_off, 100 * n.lockin_share, n.pairs_cut_off]
            for n in cut(result.nodes, top)]
    return [Table("Keystones: what the ecosystem would lose without each actor",
                  ["rank", "id", "name", "kind", "removal impact (%)", f"revenue at risk{money}",
                   "% of ecosystem revenue", f"core revenue at risk{money}", "segments cut off",
                   "% of lock-in lost", "pairs cut off"], rows,
                  join_notes(KEYSTONE_NOTE, more(len(result.nodes), "nodes", top)),
                  kinds=[COUNT, TEXT, TEXT, TEXT, PERCENT, MONEY, PERCENT, MONEY, COUNT, PERCENT, COUNT])]


SECTION = register(AnalysisSection(
    name="keystones", description="what the ecosystem loses without each actor",
    run=_run, to_dict=ranked_to_dict(lambda result: result.nodes), tables=_tables,
    figures=lambda result: row_figures(result.nodes, FIGURES), uses_binding_index=True,
    order=20, run_order=30, compare_order=20, title="Keystones"))
