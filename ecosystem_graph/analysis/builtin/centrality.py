"""The centrality section: degree, betweenness, closeness, PageRank, eigenvector of every node."""

from __future__ import annotations

from .. import centrality
from ..binding import collapsed, money_reference
from ..section_tables import COUNT, NUMBER, TEXT, cut, join_notes, more, ranked_to_dict, row_figures, table_for
from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "CENTRALITY_NOTE", "ranked"]

CENTRALITY_NOTE = ("PageRank follows the money and the bindings to where they end up, so suppliers paid by the "
                   "ecosystem rank high; for who holds the ecosystem together, see the keystones")
"""What the PageRank ranking measures, in client words."""

FIGURES = ("in_degree", "out_degree", "betweenness", "closeness", "pagerank", "eigenvector")


def ranked(result) -> list:
    """The nodes by PageRank, highest first."""
    return sorted(result.nodes, key=lambda n: -n.pagerank) if result else []


def _start(ctx: SectionContext):
    # first of all, so that a child process computes the betweenness while this one does everything else
    return centrality.start_betweenness(ctx.G, sample_above=ctx.sample_above, seed=ctx.seed,
                                        background=ctx.parallel)


def _run(ctx: SectionContext):
    betweenness = ctx.started.get("centrality")
    if betweenness is None:
        betweenness = ctx.started["centrality"] = _start(ctx)
    index = ctx.index_if_built
    # the binding index has the payments at hand: the money reference without another pass
    ref = money_reference(ctx.G, index.by_type.get("PAYS", [])) if index is not None else None
    return centrality.centrality(ctx.G, sample_above=ctx.sample_above, seed=ctx.seed,
                                 C=collapsed(ctx.G, ctx.edges, money_ref=ref), edges=ctx.edges,
                                 betweenness=betweenness)


def _tables(result, model, top):
    Table = table_for(model)
    rows = [[n.id, n.name, n.kind, n.in_degree, n.out_degree, n.betweenness, n.closeness, n.pagerank,
             n.eigenvector] for n in cut(ranked(result), top)]
    return [Table("Centrality: where the money ends up",
                  ["id", "name", "kind", "in", "out", "betweenness", "closeness", "pagerank", "eigenvector"], rows,
                  join_notes(CENTRALITY_NOTE, more(len(result.nodes), "nodes, by PageRank", top), result.note),
                  kinds=[TEXT, TEXT, TEXT, COUNT, COUNT, NUMBER, NUMBER, NUMBER, NUMBER])]


SECTION = register(AnalysisSection(
    name="centrality", description="where the money ends up",
    run=_run, start=_start, to_dict=ranked_to_dict(ranked), tables=_tables,
    figures=lambda result: row_figures(result.nodes, FIGURES),
    order=10, run_order=90, compare_order=50, title="Where the money ends up"))
