"""The timeline page: snapshots of one ecosystem on one graph, with a slider that selects the period shown."""

from __future__ import annotations

import math
from typing import Any, Sequence

import networkx as nx

from ..errors import RenderError, UsageError
from ..graph import from_networkx, to_networkx
from .html import (
    MAX_NODES,
    SIZE_METRICS,
    fragment_from_data,
    graph_data,
    node_size,
    page_from_data,
    write_page,
)
from .style import KIND_STYLES

__all__ = ["TIMELINE_SIZE_DEFAULT", "timeline_graph_data", "render_timeline_fragment", "render_timeline_html",
           "write_timeline_html"]

TIMELINE_SIZE_DEFAULT = "revenue"
"""A timeline sizes nodes by the money through them: one scale for every period, so growth shows as growth."""


def _check(models: Sequence[Any], size_by: str) -> None:
    if len(models) < 2:
        raise UsageError(f"a timeline needs at least two snapshots, not {len(models)}")
    if size_by not in SIZE_METRICS:
        raise UsageError(f"size_by must be one of {', '.join(SIZE_METRICS)}, not '{size_by}'")
    first = models[0]
    for m in models[1:]:
        if (m.currency, m.money_unit) != (first.currency, first.money_unit):
            raise UsageError(
                f"the snapshots must use one currency and money unit: period {first.period} is in "
                f"{' '.join(p for p in (first.currency, first.money_unit) if p)}, period {m.period} in "
                f"{' '.join(p for p in (m.currency, m.money_unit) if p)}")
    big = [m for m in models if len(m.nodes) > MAX_NODES]
    if big:
        raise UsageError(f"the timeline page draws snapshots of up to {MAX_NODES:,} nodes; period {big[0].period} "
                         f"has {len(big[0].nodes):,}")


def _union_graph(graphs: Sequence[nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """Every node and relationship of any snapshot, each as in the last snapshot that has it (nodes are matched
    by id, relationships by their two ends and key, as ``ecograph diff`` matches them)."""
    union = nx.MultiDiGraph()
    union.graph.update(graphs[-1].graph)
    for G in graphs:
        for n, attrs in G.nodes(data=True):
            if n in union:
                union.nodes[n].clear()
                union.nodes[n].update(attrs)
            else:
                union.add_node(n, **attrs)
    for G in graphs:
        for u, v, k, attrs in G.edges(keys=True, data=True):
            if union.has_edge(u, v, k):
                union.edges[u, v, k].clear()
                union.edges[u, v, k].update(attrs)
            else:
                union.add_edge(u, v, key=k, **attrs)
    return union


def _edge_ids(data: dict, G: nx.MultiDiGraph) -> dict[tuple, str]:
    """(u, v, key) -> the page's edge id: the page numbers the graph's edges in networkx order."""
    keys = list(G.edges(keys=True))
    if len(keys) != len(data["edges"]) or any((e["from"], e["to"]) != k[:2] for e, k in zip(data["edges"], keys)):
        raise RenderError("the timeline could not match the page's relationships to the model's")
    return {k: e["id"] for k, e in zip(keys, data["edges"])}


def timeline_graph_data(
    models: Sequence[Any],
    *,
    size_by: str = TIMELINE_SIZE_DEFAULT,
    title: str | None = None,
    labels: Sequence[str] | None = None,
    start: int | None = None,
) -> dict[str, Any]:
    """The page data of :func:`~ecosystem_graph.render.html.graph_data` for a sequence of snapshots, with a
    ``timeline`` entry saying what each period shows.

    One layout is computed over every node of any snapshot, so a node keeps its place in every period;
    each period shows only its own nodes and relationships, sized and described by that period's figures.
    Node sizes and line widths use one scale across all periods.

    Parameters
    ----------
    models : sequence of Ecosystem
        The snapshots, in the order the slider shows them (see :func:`ecosystem_graph.analysis.timeline`
        for ordering by period); one currency and money unit.
    size_by : {"revenue", "impact", "pagerank", "degree"}
        The figure behind node sizes, as on the single page (default: money through the node).
    title : str, optional
        Page heading (default: the last snapshot's name).
    labels : sequence of str, optional
        The slider's label of each snapshot (default: each model's ``period``).
    start : int, optional
        The period shown on opening (default: the last).
    """
    models = list(models)
    _check(models, size_by)
    labels = [str(m.period) for m in models] if labels is None else [str(x) for x in labels]
    if len(labels) != len(models):
        raise UsageError(f"{len(labels)} labels for {len(models)} snapshots")
    start = len(models) - 1 if start is None else start
    if not 0 <= start < len(models):
        raise UsageError(f"start must be between 0 and {len(models) - 1}, not {start}")
    graphs = [to_networkx(m) for m in models]
    per_period = [graph_data(m, size_by=size_by, highlights=(), layout="ecosystem") for m in models]

    union_model = from_networkx(_union_graph(graphs), validate=False)
    union_G = to_networkx(union_model)
    data = graph_data(union_model, size_by="degree", highlights=(), layout="ecosystem",
                      title=title or models[-1].name)
    data["highlights"] = []  # a highlight belongs to one period's figures; the tooltips rank keystones per period
    union_edges = _edge_ids(data, union_G)

    # One scale for all periods: a node twice the money is twice the area, whichever the period.
    top_value = max((n["value"] for d in per_period for n in d["nodes"]), default=0.0)
    top_amount = max((a for G in graphs for _, _, a in G.edges(data="amount") if a is not None), default=0.0)

    node_periods: dict[str, list] = {n["id"]: [0] * len(models) for n in data["nodes"]}
    edge_periods: dict[str, list] = {e["id"]: [0] * len(models) for e in data["edges"]}
    counts = []
    for i, (d, G) in enumerate(zip(per_period, graphs)):
        for n in d["nodes"]:
            node_periods[n["id"]][i] = {"n": n["name"], "l": n["label"], "k": n["kind"], "t": n["title"],
                                        "d": n["d"], "s": node_size(n["value"], top_value)}
        ids = _edge_ids(d, G)
        by_id = {e["id"]: e for e in d["edges"]}
        for key, eid in ids.items():
            e = by_id[eid]
            amount = G.edges[key].get("amount")
            width = 1.2 if amount is None or top_amount <= 0 else round(1.0 + 9.0 * math.sqrt(amount / top_amount), 2)
            edge_periods[union_edges[key]][i] = {"t": e["title"], "w": width}
        counts.append({"nodes": len(d["nodes"]), "relationships": len(d["edges"])})

    # The page opens on `start`: its own figures in the top-level fields, so the first drawing is already right.
    for n in data["nodes"]:
        p = node_periods[n["id"]][start]
        if p:
            n.update(name=p["n"], label=p["l"], kind=p["k"], title=p["t"], d=p["d"], size=p["s"])
    for e in data["edges"]:
        p = edge_periods[e["id"]][start]
        if p:
            e.update(title=p["t"], width=p["w"])
    data["meta"]["period"] = f"{labels[0]} to {labels[-1]} ({len(labels)} snapshots)"
    data["size_by"] = size_by
    data["size_label"] = per_period[0]["size_label"] + ", one scale for every period"
    data["timeline"] = {
        "labels": labels,
        "start": start,
        "counts": counts,
        "kind_labels": {k: s["label"] for k, s in KIND_STYLES.items()},
        "nodes": node_periods,
        "edges": edge_periods,
    }
    return data


def render_timeline_fragment(models: Sequence[Any], *, height: str = "720px", **options: Any) -> str:
    """The timeline graph as an embeddable HTML fragment (see :func:`render_timeline_html` for ``options``)."""
    return fragment_from_data(timeline_graph_data(models, **options), height)


def render_timeline_html(models: Sequence[Any], **options: Any) -> str:
    """The whole timeline page: one self-contained HTML document that works offline.

    ``options`` are those of :func:`timeline_graph_data`. The slider (or the left and right arrow keys)
    selects the period; ``window.ecoGraph.setPeriod(i)`` does the same from a script.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> def snap(period, nodes):
    ...     return Ecosystem.model_validate({"name": "Shop", "currency": "EUR", "period": period,
    ...         "nodes": [{"id": n, "kind": "core" if n == "shop" else "satellite", "name": n} for n in nodes]})
    >>> page = render_timeline_html([snap("2022", ["shop"]), snap("2023 <b>", ["shop", "ads"])], size_by="degree")
    >>> 'id="eco-period"' in page, "2023 &lt;b&gt;" in page, "2023 <b>" in page
    (True, True, False)
    """
    return page_from_data(timeline_graph_data(models, **options))


def write_timeline_html(models: Sequence[Any], path, **options: Any) -> dict[str, Any]:
    """Write :func:`render_timeline_html` to ``path`` (UTF-8, atomically); return what it shows."""
    data = timeline_graph_data(models, **options)
    page = write_page(data, path)
    return {"periods": data["timeline"]["labels"], "nodes": data["summary"]["shown_nodes"],
            "relationships": data["summary"]["shown_edges"], "bytes": len(page.encode("utf-8"))}
