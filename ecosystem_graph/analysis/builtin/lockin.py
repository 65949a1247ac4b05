"""The lock-in section: how strongly each customer segment is bound to a core, and by which paths."""

from __future__ import annotations

from .. import lockin
from ..section_tables import COUNT, INDEX, TEXT, cut, join_notes, more, ranked_to_dict, shorten, table_for
from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "ranked"]


def ranked(result) -> list:
    """The segments by lock-in index, highest first."""
    return sorted(result.segments, key=lambda s: -s.index) if result else []


def _run(ctx: SectionContext):
    return lockin.lockin(ctx.G, index=ctx.index)


def _tables(result, model, top):
    Table = table_for(model)
    shown = cut(ranked(result), top)
    rows = [[s.id, s.name, s.index, s.min_cut, s.disjoint_paths, s.mechanisms,
             shorten([v for _, v, _ in s.cut_edges]), f"{len(s.paths)}{'+' if s.paths_truncated else ''}"]
            for s in shown]
    out = [Table("Lock-in", ["segment", "name", "index (0-100)", "min cut", "disjoint paths", "mechanisms",
                             "cut bindings (to)", "paths"], rows,
                 join_notes(more(len(result.segments), "segments, by index", top), result.note),
                 kinds=[TEXT, TEXT, INDEX, INDEX, COUNT, TEXT, TEXT, TEXT])]
    path_rows = []
    for s in shown:
        for p in s.paths:
            path_rows.append([s.id, " -> ".join(p.nodes), " ".join(p.types), p.total_switching_cost])
    out.append(Table("Binding paths", ["segment", "path", "relationships", "switching cost"], path_rows,
                     kinds=[TEXT, TEXT, TEXT, INDEX]))
    return out


def _figures(result):
    yield "(ecosystem)", "total_index", result.total_index
    for s in result.segments:
        yield s.id, "index", s.index
        yield s.id, "min_cut", s.min_cut
        yield s.id, "disjoint_paths", float(s.disjoint_paths)
        yield s.id, "mechanisms", float(len(s.mechanisms))
        yield s.id, "paths", float(len(s.paths))


SECTION = register(AnalysisSection(
    name="lockin", description="how bound each segment is to a core",
    run=_run, step="lock-in", to_dict=ranked_to_dict(ranked), tables=_tables, figures=_figures,
    uses_binding_index=True,
    order=40, run_order=20, compare_order=30, title="Lock-in"))
