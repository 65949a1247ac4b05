"""The sensitivity section: how sure the headline figures are, for models with ranged values.

It runs in the report by default and in ``analyze --only sensitivity`` on request.
"""

from __future__ import annotations

from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "REPORT_DRAWS"]

REPORT_DRAWS = 2000
"""Draws of the Monte Carlo the report (and ``analyze --only sensitivity``) runs, with the analysis seed
(0 unless ``--seed`` says otherwise); ``ecograph sensitivity --draws`` runs more or fewer."""


def _has_ranges(G) -> bool:
    return bool(G.graph.get("assumptions"))


def _run(ctx: SectionContext):
    from ..sensitivity import sensitivity

    ctx.step("sensitivity")
    return sensitivity(ctx.G, draws=REPORT_DRAWS, seed=ctx.seed, depth=ctx.depth, max_paths=ctx.max_paths)


SECTION = register(AnalysisSection(
    name="sensitivity", description="how sure the headline figures are, P10 to P90 over the ranged values",
    run=_run, to_dict=lambda result, top: result.to_dict(),
    tables=lambda result, model, top: result.tables(top),
    order=60, run_order=100, compare_order=60, default=False, in_report=True, applies=_has_ranges,
    title="How sure are these numbers"))
