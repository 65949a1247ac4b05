"""The interactive HTML page: graph data from a model, and one self-contained, offline page (vis-network inlined)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import networkx as nx

from ..errors import RenderError, UsageError
from ..graph import to_networkx
from ..model import CHANNEL, SEGMENT, payment_words
from ..numbers import format_count, format_money, format_share
from ..tables import format_cell
from .aggregate import Aggregation, aggregate
from .layout import ecosystem_layout
from .style import HIGHLIGHT_COLOR, KIND_STYLES, legend_kinds, legend_types

__all__ = [
    "SIZE_METRICS",
    "LAYOUTS",
    "PHYSICS_LIMIT",
    "CURVE_LIMIT",
    "MAX_NODES",
    "KEYSTONE_AUTO_LIMIT",
    "HIGHLIGHT_RESOLVERS",
    "HIGHLIGHT_SECTIONS",
    "section_highlights",
    "Highlight",
    "parse_highlight",
    "graph_data",
    "render_fragment",
    "render_html",
    "write_html",
    "vis_network_assets",
    "node_size",
    "fragment_from_data",
    "page_from_data",
    "write_page",
]

SIZE_METRICS = ("impact", "pagerank", "revenue", "degree")
"""Node size metrics; the first, the keystones' removal impact, is the default."""
LAYOUTS = ("ecosystem", "force")
PHYSICS_LIMIT = 1000
"""Above this many nodes the page never runs physics: positions come from Python, edges are straight."""
CURVE_LIMIT = 400
"""Up to this many edges, parallel relationships are drawn as separate curves."""
MAX_NODES = 10_000
"""Above this many nodes, segments then partners are collapsed into groups (``max_nodes`` changes it)."""
KEYSTONE_AUTO_LIMIT = 300
"""Keystones are computed for the page without being asked up to this many nodes."""
KEYSTONES_SHOWN = 5

_LABEL_MAX = 40
_MIN_SIZE, _MAX_SIZE = 12.0, 48.0


# --------------------------------------------------------------------------------------- highlights


@dataclass(frozen=True)
class Highlight:
    """What to highlight: ``lockin`` of one segment, a ``path`` through nodes, the ``keystones``, or the
    ``levers`` (each funnel's biggest lever)."""

    kind: str
    ids: tuple[str, ...] = ()

    def spec(self) -> str:
        return self.kind + (":" + ",".join(self.ids) if self.ids else "")


def parse_highlight(spec: str) -> Highlight:
    """Parse ``lockin:SEGMENT_ID``, ``path:A,B[,C...]``, ``keystones`` or ``levers`` (``lever`` too), or
    ``NAME[:IDS]`` of a registered analysis section with a ``highlight`` hook.

    >>> parse_highlight("path:prime,retail"), parse_highlight("lever")
    (Highlight(kind='path', ids=('prime', 'retail')), Highlight(kind='levers', ids=()))
    """
    kind, _, rest = spec.partition(":")
    kind = kind.strip().lower()
    ids = tuple(x.strip() for x in rest.split(",") if x.strip())
    if kind == "lockin" and len(ids) == 1:
        return Highlight("lockin", ids)
    if kind == "path" and len(ids) >= 2:
        return Highlight("path", ids)
    if kind == "keystones" and not ids:
        return Highlight("keystones")
    if kind in ("levers", "lever") and not ids:
        return Highlight("levers")
    if kind in (s.name for s in section_highlights()):
        return Highlight(kind, ids)
    others = "".join(f", {s.name}" for s in section_highlights())
    raise UsageError(f"--highlight '{spec}' is not one of lockin:SEGMENT_ID, path:A,B, keystones{others} or levers")


HIGHLIGHT_SECTIONS = frozenset({"lockin", "keystones", "funnel", "revenue", "centrality"})
"""The analysis sections the page shows with its own code (``lockin:``, ``keystones``, ``levers``, the node
details); any other registered section with a ``highlight`` hook is a highlight of its own name."""


def section_highlights() -> list:
    """The registered analysis sections highlighted through their ``highlight`` hook (the generic fallback)."""
    from ..analysis.sections import sections

    return [s for s in sections() if s.highlight is not None and s.name not in HIGHLIGHT_SECTIONS]


# ------------------------------------------------------------------------------------------ analyses


def _analysis(name: str):
    # Plain imports (in the function: the page's start-up needs none of them until a figure is asked for).
    from ..analysis import centrality, funnel, keystones, lockin, revenue

    modules = {"centrality": centrality, "funnel": funnel, "keystones": keystones, "lockin": lockin,
               "revenue": revenue}
    return modules[name]


class _Analyses:
    """The analysis results the page uses, taken from ``analysis`` when given, else computed on demand."""

    def __init__(self, G: nx.MultiDiGraph, analysis: Any = None):
        self.G = G
        self.given = analysis
        self._cache: dict[str, Any] = {}

    def _get(self, attr: str, module: str, func: str, **kwargs):
        if attr in self._cache:
            return self._cache[attr]
        result = getattr(self.given, attr, None) if self.given is not None else None
        if result is None:
            mod = _analysis(module)
            result = getattr(mod, func)(self.G, **kwargs)
        self._cache[attr] = result
        return result

    def section(self, name: str):
        """The result of the registered analysis section ``name``: from the given analysis, else computed
        (by :func:`~ecosystem_graph.analysis.analyze` with ``only=name``)."""
        key = f"section:{name}"
        if key not in self._cache:
            result = (getattr(self.given, "results", None) or {}).get(name) if self.given is not None else None
            if result is None:
                from ..analysis import analyze

                result = analyze(self.G, only=[name], parallel=False).results.get(name)
            self._cache[key] = result
        return self._cache[key]

    def pagerank(self) -> dict[str, float]:
        """Money-weighted PageRank by id: from the given centrality, else the cheap
        ``money_pagerank`` (the same figure, without betweenness and closeness)."""
        if "pagerank" not in self._cache:
            cent = getattr(self.given, "centrality", None)
            if cent is not None:
                self._cache["pagerank"] = {n.id: n.pagerank for n in cent.nodes}
            else:
                self._cache["pagerank"] = _analysis("centrality").money_pagerank(self.G)
        return self._cache["pagerank"]

    def revenue(self):
        return self._get("revenue", "revenue", "revenue_flows")

    def lockin(self):
        return self._get("lockin", "lockin", "lockin")

    def keystones(self):
        return self._get("keystones", "keystones", "keystones")

    def funnel(self):
        return self._get("funnel", "funnel", "funnel")


# ------------------------------------------------------------------------------------------ formatting


def _money(amount: float | None, G: nx.MultiDiGraph) -> str:
    """Money as everywhere else (:func:`ecosystem_graph.numbers.format_money`): ``EUR 1.28 million``."""
    if amount is None:
        return ""
    return format_money(float(amount), G.graph.get("currency", ""), G.graph.get("money_unit"))


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _scale(values: dict[str, float]) -> dict[str, float]:
    """Node sizes: area grows with the value (square root), from _MIN_SIZE to _MAX_SIZE."""
    top = max((v for v in values.values() if v > 0), default=0.0)
    return {k: node_size(v, top) for k, v in values.items()}


def node_size(value: float, top: float) -> float:
    """The size of a node whose figure is ``value`` when the largest figure shown is ``top``: its area grows
    with the value (square root), from 12 to 48 pixels; every node gets 20 when no figure is positive.

    >>> node_size(25.0, 100.0), node_size(100.0, 100.0), node_size(0.0, 0.0)
    (30.0, 48.0, 20.0)
    """
    if top <= 0:
        return (_MIN_SIZE + _MAX_SIZE) / 3
    return round(_MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * math.sqrt(max(value, 0.0) / top), 2)


def _json_for_script(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` or line
    separators left raw, so no user string can close the tag or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ------------------------------------------------------------------------------------------ the data


def _node_metrics(G: nx.MultiDiGraph, size_by: str, an: _Analyses) -> tuple[dict[str, float], dict, dict]:
    """(metric per original node, centrality by id, revenue flows by id)."""
    # reuse given centrality for the tooltips, but do not compute it only for them (PageRank alone is cheap)
    cent = getattr(an.given, "centrality", None) if an.given is not None else None
    rev = an.revenue()
    cent_by = cent.by_id() if cent is not None else {}
    rev_by = rev.by_id() if rev is not None else {}
    if size_by == "impact":
        ks = an.keystones()
        by_id = {k.id: k.impact for k in ks.nodes}
        metric = {n: float(by_id.get(n, 0.0)) for n in G}
    elif size_by == "pagerank":
        pagerank = an.pagerank()
        metric = {n: float(pagerank.get(n, 0.0) or 0.0) for n in G}
    elif size_by == "revenue":
        metric = {}
        for n in G:
            f = rev_by.get(n)
            metric[n] = max(float(f.inflow), float(f.outflow)) if f is not None else 0.0
    else:
        metric = {n: float(d) for n, d in G.degree()}
    return metric, cent_by, rev_by


def _node_details(G: nx.MultiDiGraph, node: str, attrs: dict, cent_by: dict, rev_by: dict,
                  dependency: dict, keystone_rank: dict,
                  pagerank: dict | None = None, revenue: Any = None,
                  keystone: Any = None) -> tuple[list[list[str]], list[str]]:
    """(details rows for the side panel, key-figure lines for the tooltip); money figures are those of the
    analysis (``revenue``: RevenueResult, ``keystone``: the node's Keystone), named as in docs/metrics.md."""
    kind = attrs.get("kind", "")
    rows: list[list[str]] = [["Kind", KIND_STYLES.get(kind, {}).get("label", kind)]]
    members = attrs.get("members")
    if members:
        rows.append(["Group of", f"{members:,} {'segments' if kind == SEGMENT else 'partners'}"])
        names = attrs.get("member_names") or []
        more = members - len(names)
        rows.append(["Members", ", ".join(names) + (f" and {more:,} more" if more > 0 else "")])
    else:
        rows.append(["Id", node])
    if attrs.get("description"):
        rows.append(["Description", str(attrs["description"])])
    tips: list[str] = []
    if kind == CHANNEL and attrs.get("device"):
        rows.append(["Device", "yes (a durable purchase: also a lock-in)"])
    if attrs.get("role"):
        rows.append(["Role", str(attrs["role"])])
    if attrs.get("size") is not None:
        rows.append(["Size", f"{format_cell(attrs['size'])} members"])
        tips.append(f"Size: {format_cell(attrs['size'])} members")
    if attrs.get("tags"):
        rows.append(["Tags", ", ".join(str(t) for t in attrs["tags"])])
    for key, value in (attrs.get("attributes") or {}).items():
        rows.append([str(key), format_cell(value)])
    f = rev_by.get(node)
    if f is not None and (f.inflow or f.outflow):
        rows += [["Money in", _money(f.inflow, G)], ["Money out", _money(f.outflow, G)],
                 ["Net", _money(f.net, G)]]
        if f.inflow:
            tips.append(f"Money in: {_money(f.inflow, G)}")
        if f.outflow:
            tips.append(f"Money out: {_money(f.outflow, G)}")
    by_offering = getattr(revenue, "revenue_by_offering", None) or {}
    if node in by_offering:
        rows.append(["Revenue (paid by customers and partners)", _money(by_offering[node], G)])
        tips.append(f"Revenue: {_money(by_offering[node], G)}")
    passed = (getattr(revenue, "pass_through", None) or {}).get(node)
    if passed:
        rows.append(["Pass-through (received and paid on)", _money(passed, G)])
        tips.append(f"Pass-through: {_money(passed, G)}")
    if node in dependency:
        rows.append(["Share of ecosystem revenue depending on it", format_share(dependency[node])])
    if keystone is not None and keystone.impact > 0:
        rows.append(["Removal impact (what the ecosystem would lose without it)", format_share(keystone.impact)])
        tips.append(f"Removal impact: {format_share(keystone.impact)}")
    if keystone is not None and keystone.revenue_at_risk > 0:
        rows.append(["Revenue at risk if lost", _money(keystone.revenue_at_risk, G)])
        rows.append(["Core revenue at risk if lost", _money(keystone.core_revenue_at_risk, G)])
        tips.append(f"Revenue at risk: {_money(keystone.revenue_at_risk, G)}")
    c = cent_by.get(node)
    if c is not None:
        rows.append(["Where the money ends up (money-weighted PageRank, all actors = 100%)", f"{c.pagerank:.1%}"])
        rows.append(["Shortest routes between others through it (betweenness)", f"{c.betweenness:.1%}"])
        tips.append(f"Money ends up here (PageRank): {c.pagerank:.1%}")
    elif pagerank and node in pagerank:  # sized by PageRank without the full centrality
        rows.append(["Where the money ends up (money-weighted PageRank, all actors = 100%)", f"{pagerank[node]:.1%}"])
        tips.append(f"Money ends up here (PageRank): {pagerank[node]:.1%}")
    rows.append(["Relationships", f"{G.in_degree(node):,} in, {G.out_degree(node):,} out"])
    tips.append(f"Relationships: {G.in_degree(node):,} in, {G.out_degree(node):,} out")
    if node in keystone_rank:
        rows.append(["Keystone", f"#{keystone_rank[node]}"])
        tips.append(f"Keystone #{keystone_rank[node]}")
    return rows, tips


def _lever_count(value: float) -> str:
    """Extra converted members as the report writes them: whole from 10 on, else three significant digits."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.3g}"


def _lever_lines(funnel_result: Any) -> dict[tuple[str, str], str]:
    """The tooltip line of each funnel step (from, to): its place among its funnel's levers and what 10% more
    on its rate brings."""
    out: dict[tuple[str, str], str] = {}
    for f in (funnel_result.funnels if funnel_result is not None else []):
        n = len(f.levers)
        for i, x in enumerate(f.levers, 1):
            out[(x.source, x.target)] = (f"Lever #{i} of {n}: 10% more on this rate brings "
                                         f"{_lever_count(x.extra_converted_per_10pct)} more converted"
                                         + (" (capped)" if x.capped else ""))
    return out


def _lever_highlight(funnel_result: Any, G: nx.MultiDiGraph) -> dict:
    """Each funnel's biggest lever: its two stages and its CONVERTS_TO relationship."""
    nodes: dict[str, None] = {}
    edges: dict[tuple, None] = {}
    for f in (funnel_result.funnels if funnel_result is not None else []):
        x = f.biggest_lever
        if x is None:
            continue
        nodes.update(dict.fromkeys((x.source, x.target)))
        for key, attrs in (G.get_edge_data(x.source, x.target) or {}).items():
            if attrs.get("type") == "CONVERTS_TO":
                edges[(x.source, x.target, key)] = None
    n = len(funnel_result.funnels) if funnel_result is not None else 0
    label = "Biggest funnel lever" if n <= 1 else f"Biggest lever of each funnel ({n:,})"
    return {"label": label, "kind": "levers", "nodes": list(nodes), "edges": list(edges)}


def _edge_title(G: nx.MultiDiGraph, u: str, v: str, attrs: dict, lever: str | None = None,
                parents: dict | None = None) -> str:
    """The tooltip of a relationship; ``parents``: each PAYS by id in words (:func:`payment_words`), for the
    flow a linked flow is a share of."""
    rtype = attrs.get("type", "")
    lines = [f"{G.nodes[u].get('name', u)} \u2192 {G.nodes[v].get('name', v)}", rtype]
    if attrs.get("merged"):
        lines[1] += f" \u00d7 {attrs['merged']:,} relationships"
    if attrs.get("amount") is not None:
        lines.append("Amount: " + _money(attrs["amount"], G))
        if attrs.get("share_of") is not None:  # a linked flow: its amount is derived, say from what
            parent = (parents or {}).get(attrs["share_of"])
            what = parent if parent else f"'{attrs['share_of']}'"
            lines[-1] += f" (derived: {format_share(attrs.get('share'))} of {what})"
    if attrs.get("stream"):
        lines.append(f"Stream: {attrs['stream']}")
    if attrs.get("count") is not None and attrs.get("price") is not None:
        price = format_money(attrs["price"], G.graph.get("currency", ""), G.graph.get("money_unit"))
        lines.append(f"{format_count(attrs['count'])} \u00d7 {price}")
    for key, label in (("switching_cost", "Switching cost"), ("share", "Share"), ("strength", "Strength"),
                       ("reach", "Reach"), ("criticality", "Criticality"), ("rate", "Conversion rate")):
        if attrs.get(key) is not None:
            value = attrs[key]
            lines.append(f"{label}: {format_share(value) if key in ('share', 'rate') else format_cell(value)}")
    if lever:
        lines.append(lever)
    if attrs.get("mechanisms"):
        lines.append("Lock-in: " + ", ".join(m.replace("_", " ") for m in attrs["mechanisms"]))
    if attrs.get("cost_types"):
        lines.append("Switching costs: " + ", ".join(attrs["cost_types"]))
    if attrs.get("description"):
        lines.append(str(attrs["description"]))
    for key, value in (attrs.get("attributes") or {}).items():
        lines.append(f"{key}: {format_cell(value)}")
    return "\n".join(lines)


def _check_ids(G: nx.MultiDiGraph, ids: Iterable[str], what: str) -> None:
    from ..validation import suggest

    for node in ids:
        if node not in G:
            hint = suggest(node, G.nodes)
            raise UsageError(f"{what}: no node '{node}'" + (f" (did you mean '{hint}'?)" if hint else ""))


def _lockin_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses) -> dict:
    """The binding paths of one segment to the core."""
    seg = h.ids[0]
    _check_ids(G, [seg], "--highlight lockin")
    if G.nodes[seg].get("kind") != SEGMENT:
        raise UsageError(f"--highlight lockin: '{seg}' is a {G.nodes[seg].get('kind')}, not a segment")
    result = an.lockin()
    entry = result.by_id().get(seg)
    nodes: dict[str, None] = {seg: None}
    edges: dict[tuple, None] = {}
    for path in (entry.paths if entry is not None else []):
        nodes.update(dict.fromkeys(path.nodes))
        edges.update(dict.fromkeys(tuple(e) for e in path.edges))
    name = G.nodes[seg].get("name", seg)
    n_paths = len(entry.paths) if entry is not None else 0
    label = f"Lock-in of {name}: {n_paths} binding path{'s' if n_paths != 1 else ''}"
    if entry is not None and getattr(entry, "mechanisms", None):
        label += " (" + ", ".join(m.replace("_", " ") for m in entry.mechanisms) + ")"
    return {"label": label, "kind": "lockin", "nodes": list(nodes), "edges": list(edges)}


def _path_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses) -> dict:
    """The shortest path through the given nodes (following the directions where it can)."""
    _check_ids(G, h.ids, "--highlight path")
    undirected = None
    nodes = {h.ids[0]: None}
    edges = {}
    for a, b in zip(h.ids, h.ids[1:]):
        try:
            hop = nx.shortest_path(G, a, b)
        except nx.NetworkXNoPath:
            undirected = undirected if undirected is not None else G.to_undirected(as_view=True)
            try:
                hop = nx.shortest_path(undirected, a, b)
            except nx.NetworkXNoPath:
                raise UsageError(f"--highlight path: no path between '{a}' and '{b}'") from None
        nodes.update(dict.fromkeys(hop))
        for x, y in zip(hop, hop[1:]):
            for p, q in ((x, y), (y, x)):
                for key in (G.get_edge_data(p, q) or {}):
                    edges[(p, q, key)] = None
    names = " \u2192 ".join(G.nodes[i].get("name", i) for i in h.ids)
    return {"label": f"Path {names} ({len(nodes)} nodes)", "kind": "path", "nodes": list(nodes),
            "edges": list(edges)}


def _levers_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses) -> dict:
    """Each funnel's biggest lever."""
    result = an.funnel()
    if result is None or not result.funnels:
        raise UsageError("--highlight levers: the model has no funnel (no CONVERTS_TO relationship)")
    return _lever_highlight(result, G)


def _keystones_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses) -> dict:
    """The first keystones by removal impact."""
    result = an.keystones()
    top = [k.id for k in result.nodes[:KEYSTONES_SHOWN]]
    return {"label": f"Top {len(top)} keystones", "kind": "keystones", "nodes": top, "edges": []}


HIGHLIGHT_RESOLVERS = {"lockin": _lockin_highlight, "path": _path_highlight, "levers": _levers_highlight,
                       "keystones": _keystones_highlight}
"""The page's own resolver of each highlight kind; any other kind is a registered section's (generic)."""


def _section_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses, offered: bool = False) -> dict | None:
    """The highlight of a registered analysis section through its ``highlight`` hook (None: nothing to mark)."""
    from ..analysis.sections import get

    section = get(h.kind)
    result = an.section(h.kind)
    marked = section.highlight(result, G, h.ids) if result is not None else None
    if not marked:
        if offered:
            return None
        raise UsageError(f"--highlight {h.spec()}: the {h.kind} analysis has nothing to highlight in this model")
    nodes = [n for n in marked.get("nodes", ()) if n in G]
    edges = [tuple(e) for e in marked.get("edges", ()) if G.has_edge(*e)]
    return {"label": str(marked.get("label") or section.report_title), "kind": h.kind, "nodes": nodes,
            "edges": edges}


def _resolve_highlight(h: Highlight, G: nx.MultiDiGraph, an: _Analyses) -> dict:
    """Nodes and edge keys (u, v, key) of one highlight, with a label saying what they are."""
    resolver = HIGHLIGHT_RESOLVERS.get(h.kind)
    return resolver(h, G, an) if resolver is not None else _section_highlight(h, G, an)


def graph_data(
    model,
    *,
    size_by: str = "impact",
    highlights: Sequence[Highlight | str] = (),
    layout: str = "ecosystem",
    title: str | None = None,
    analysis: Any = None,
    max_nodes: int = MAX_NODES,
) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data (no markup: the page inserts it as text).

    Parameters are those of :func:`render_html`. Raises UsageError for an unknown size metric,
    layout, or highlight target.
    """
    if size_by not in SIZE_METRICS:
        raise UsageError(f"size_by must be one of {', '.join(SIZE_METRICS)}, not '{size_by}'")
    if layout not in LAYOUTS:
        raise UsageError(f"layout must be one of {', '.join(LAYOUTS)}, not '{layout}'")
    hls = [parse_highlight(h) if isinstance(h, str) else h for h in highlights]
    G = to_networkx(model)
    an = _Analyses(G, analysis)
    notes: list[str] = []

    metric, cent_by, rev_by = _node_metrics(G, size_by, an)
    rev = an._cache.get("revenue")
    dependency = dict(getattr(rev, "dependency", None) or {})
    resolved = [_resolve_highlight(h, G, an) for h in hls]
    keystone_rank: dict[str, int] = {}
    ks = an._cache.get("keystones")
    asked = any(h.kind == "keystones" for h in hls)
    if ks is None and not asked and G.number_of_nodes() <= KEYSTONE_AUTO_LIMIT:
        ks = an.keystones()  # small graphs: offer the keystones without being asked
    if ks is not None and not asked and ks.nodes:
            # "offered": a button on the page, not switched on when the page opens (only asked-for ones are)
            resolved.append({"label": f"Top {min(KEYSTONES_SHOWN, len(ks.nodes))} keystones", "kind": "keystones",
                             "nodes": [k.id for k in ks.nodes[:KEYSTONES_SHOWN]], "edges": [], "offered": True})
    if ks is not None:
        keystone_rank = {k.id: i + 1 for i, k in enumerate(ks.nodes[:KEYSTONES_SHOWN])}
    small = G.number_of_nodes() <= KEYSTONE_AUTO_LIMIT
    fun = an._cache.get("funnel")
    if fun is None and any(t == "CONVERTS_TO" for _, _, t in G.edges(data="type")):
        fun = an.funnel()  # the CONVERTS_TO tooltips name each step's lever rank (cheap: 0.35 s at 100k)
    lever_lines = _lever_lines(fun)
    if small and fun is not None and fun.funnels and not any(h.kind == "levers" for h in hls):
        resolved.append(dict(_lever_highlight(fun, G), offered=True))
    if small:  # every other section's highlight, offered as the keystones are
        for section in section_highlights():
            if not any(h.kind == section.name for h in hls):
                marked = _section_highlight(Highlight(section.name), G, an, offered=True)
                if marked is not None:
                    resolved.append(dict(marked, offered=True))
    ks_by = {k.id: k for k in ks.nodes} if ks is not None else {}

    agg: Aggregation | None = aggregate(G, max_nodes)
    shown = G if agg is None else agg.graph
    if agg is not None:
        notes.append(agg.note)
        grouped: dict[str, float] = {}
        for n, v in metric.items():
            grouped[agg.image(n)] = grouped.get(agg.image(n), 0.0) + v
        metric = grouped
        for h in resolved:
            h["nodes"] = list(dict.fromkeys(agg.image(n) for n in h["nodes"]))
            h["edges"] = list(dict.fromkeys(_edge_image(G, agg, u, v, k) for u, v, k in h["edges"]))

    n_shown, e_shown = shown.number_of_nodes(), shown.number_of_edges()
    physics = False
    if layout == "force" and n_shown > PHYSICS_LIMIT:
        notes.append(f"The force layout runs in the browser only up to {PHYSICS_LIMIT:,} nodes; this graph has "
                     f"{n_shown:,}, so it uses the ecosystem layout with fixed positions.")
        layout = "ecosystem"
    if layout == "force":
        physics = True
    kinds = {n: a.get("kind", SEGMENT) for n, a in shown.nodes(data=True)}
    pos = ecosystem_layout(kinds, ((u, v) for u, v in shown.edges()),
                           spacing=110.0 if n_shown <= 150 else 70.0)
    rings = [] if physics else _ring_guides(kinds, pos)

    sizes = _scale({n: metric.get(n, 0.0) for n in shown})
    nodes = []
    for n, attrs in shown.nodes(data=True):
        name = str(attrs.get("name", n))
        if attrs.get("members"):
            details, tips = _node_details(shown, n, attrs, {}, {}, {}, {})
        else:
            details, tips = _node_details(shown, n, attrs, cent_by, rev_by, dependency, keystone_rank,
                                          an._cache.get("pagerank"), rev, ks_by.get(n))
        kind = attrs.get("kind", SEGMENT)
        x, y = pos[n]
        nodes.append({
            "id": n, "label": _short(name), "name": name, "kind": kind, "x": x, "y": y, "size": sizes[n],
            "value": metric.get(n, 0.0),  # the figure behind the size (a timeline scales it across periods)
            "title": "\n".join([name, KIND_STYLES[kind]["label"]] + tips), "d": details,
            "group": bool(attrs.get("members")),
        })

    amounts = [a for _, _, a in shown.edges(data="amount") if a is not None]
    top_amount = max(amounts, default=0.0)
    curves = e_shown <= CURVE_LIMIT and not physics
    pair_count: dict[frozenset, int] = {}
    edge_index: dict[tuple, str] = {}
    edges = []
    # a linked flow's tooltip names the flow it is a share of by its payer and payee (ids are not for clients)
    # (its id in brackets when another PAYS joins the same payer and payee, as in the assumption labels)
    pays = [(u, v, key) for u, v, key, t in G.edges(keys=True, data="type") if t == "PAYS"]
    pays_per_pair: dict[tuple, int] = {}
    for u, v, _ in pays:
        pays_per_pair[(u, v)] = pays_per_pair.get((u, v), 0) + 1
    parents = {key: payment_words(G.nodes[u].get("name", u), G.nodes[u].get("kind"), G.nodes[v].get("name", v),
                                  key if pays_per_pair[(u, v)] > 1 else None)
               for u, v, key in pays if isinstance(key, str)}
    for i, (u, v, key, attrs) in enumerate(shown.edges(keys=True, data=True)):
        eid = f"e{i}"
        edge_index[(u, v, key)] = eid
        rtype = attrs.get("type", "")
        width = 1.2
        if attrs.get("amount") is not None and top_amount > 0:
            width = round(1.0 + 9.0 * math.sqrt(attrs["amount"] / top_amount), 2)
        item = {"id": eid, "from": u, "to": v, "type": rtype, "width": width,
                "title": _edge_title(shown, u, v, attrs,
                                     None if attrs.get("merged") or rtype != "CONVERTS_TO" else lever_lines.get((u, v)),
                                     parents)}
        if curves:
            pair = frozenset((u, v))
            j = pair_count.get(pair, 0)
            pair_count[pair] = j + 1
            item["curve"] = j
        edges.append(item)

    highlights_out = []
    for h in resolved:
        highlights_out.append({"label": h["label"], "kind": h["kind"], "offered": bool(h.get("offered")),
                               "nodes": [n for n in h["nodes"] if n in shown],
                               "edges": [edge_index[e] for e in h["edges"] if e in edge_index]})

    kind_counts: dict[str, int] = {}
    for k in kinds.values():
        kind_counts[k] = kind_counts.get(k, 0) + 1
    type_counts: dict[str, int] = {}
    for _, _, t in shown.edges(data="type"):
        type_counts[t] = type_counts.get(t, 0) + 1
    meta = {k: G.graph.get(k) for k in ("name", "currency", "period", "money_unit", "description")}
    page_title = title or meta["name"] or "Ecosystem"
    size_label = {"impact": "removal impact, what the ecosystem would lose without it",
                  "pagerank": "where the money ends up, money-weighted PageRank", "revenue": "money through the node",
                  "degree": "number of relationships"}[size_by]
    return {
        "format_version": 1,
        "title": page_title,
        "meta": meta,
        "summary": {"nodes": len(model.nodes), "relationships": len(model.relationships),
                    "shown_nodes": n_shown, "shown_edges": e_shown},
        "size_by": size_by,
        "size_label": size_label,
        "layout": layout,
        "physics": physics,
        "large": n_shown > PHYSICS_LIMIT,
        "curves": curves,
        "aggregated": agg is not None,
        "notes": notes,
        "highlight_color": HIGHLIGHT_COLOR,
        "rings": rings,
        "kinds": [dict(k, count=kind_counts.get(k["kind"], 0)) for k in legend_kinds()],
        "types": [dict(t, count=type_counts.get(t["type"], 0)) for t in legend_types()],
        "highlights": highlights_out,
        "nodes": nodes,
        "edges": edges,
    }


_RING_LABELS = ("", "Satellites", "Channels and partners", "Customer segments")


def _ring_guides(kinds: dict[str, str], pos: dict[str, tuple[float, float]]) -> list[dict]:
    """Inner and outer radius of each ring of the ecosystem layout, for the faint bands behind it."""
    from .layout import RING_OF_KIND

    spans: dict[int, list[float]] = {}
    for node, kind in kinds.items():
        ring = RING_OF_KIND.get(kind, 3)
        if ring == 0:
            continue
        r = math.hypot(*pos[node])
        span = spans.setdefault(ring, [r, r])
        span[0], span[1] = min(span[0], r), max(span[1], r)
    return [{"label": _RING_LABELS[ring], "inner": round(a, 1), "outer": round(b, 1)}
            for ring, (a, b) in sorted(spans.items())]


def _edge_image(G: nx.MultiDiGraph, agg: Aggregation, u: str, v: str, key: str) -> tuple[str, str, str]:
    """The edge that shows (u, v, key) in the aggregated graph (merged edges are keyed by their type)."""
    if u not in agg.group_of and v not in agg.group_of:
        return (u, v, key)
    return (agg.image(u), agg.image(v), G.edges[u, v, key]["type"])


# ------------------------------------------------------------------------------------------ the page


_VIS_DIRS = ("templates/lib/vis-9.1.2", "lib/vis-9.1.2")


@lru_cache(maxsize=1)
def vis_network_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of vis-network as shipped inside the installed pyvis package, to inline."""
    try:
        import pyvis
    except ImportError as exc:  # pragma: no cover - pyvis is a dependency
        raise RenderError(f"pyvis is needed for vis-network: {exc}") from None
    base = Path(pyvis.__file__).parent
    for sub in _VIS_DIRS:
        js, css = base / sub / "vis-network.min.js", base / sub / "vis-network.css"
        if js.is_file() and css.is_file():
            js_text, css_text = js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")
            # no source map: the page must never ask for another file
            js_text = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js_text.rstrip())
            if "</script" in js_text.lower() or "</style" in css_text.lower():
                raise RenderError(f"{js.parent}: vis-network cannot be inlined safely (contains a closing tag)")
            return js_text, css_text
    raise RenderError(f"vis-network not found in the pyvis package at {base} (looked in {', '.join(_VIS_DIRS)})")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("ecosystem_graph.render").joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("ecosystem_graph.render", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _fragment_from_data(data: dict, height: str) -> str:
    from markupsafe import Markup

    vis_js, vis_css = vis_network_assets()
    return _environment().get_template("fragment.html.j2").render(
        data=data, height=height, data_json=Markup(_json_for_script(data)),
        vis_js=Markup(vis_js), vis_css=Markup(vis_css),
        app_js=Markup(_asset("graph.js")), app_css=Markup(_asset("graph.css")),
    )


def render_fragment(model, *, height: str = "720px", **options: Any) -> str:
    """The graph as an embeddable HTML fragment: styles, the graph container with its side panel, the
    data and the scripts (vis-network inlined). Include it once in a page; it needs nothing else.

    ``height`` is a CSS length for the container; ``options`` are those of :func:`render_html`.
    The page exposes ``window.ecoNetwork`` (the vis Network) and ``window.ecoGraph`` (see docs/render.md).
    """
    if not _css_length_ok(height):
        raise UsageError(f"height must be a CSS length such as 720px or 80vh, not '{height}'")
    return _fragment_from_data(graph_data(model, **options), height)


def _css_length_ok(value: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?(px|vh|em|rem|%)", value))


def render_html(
    model,
    *,
    size_by: str = "impact",
    highlights: Sequence[Highlight | str] = (),
    layout: str = "ecosystem",
    title: str | None = None,
    analysis: Any = None,
    max_nodes: int = MAX_NODES,
) -> str:
    """The whole interactive page for ``model``: one self-contained HTML document that works offline.

    Parameters
    ----------
    model : Ecosystem
    size_by : {"impact", "pagerank", "revenue", "degree"}
        Node size metric: ``impact`` (default), the keystones' removal impact (what the ecosystem would lose
        without the node); ``pagerank``, where the money ends up; ``revenue``, money through the node;
        ``degree``, relationships (needs no analysis).
    highlights : sequence of Highlight or str
        ``"lockin:SEGMENT_ID"``, ``"path:A,B"``, ``"keystones"`` or ``"levers"``; the first is shown on load, all are
        buttons in the side panel.
    layout : {"ecosystem", "force"}
        Rings around the core (positions computed in Python), or a force layout run in the browser
        (up to ``PHYSICS_LIMIT`` nodes).
    title : str, optional
        Page heading (default: the ecosystem's name).
    analysis : Analysis, optional
        Results of :func:`ecosystem_graph.analysis.analyze` to reuse instead of computing them again.
    max_nodes : int
        Above this many nodes, segments then partners are collapsed into groups, and the page says so.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> m = Ecosystem.model_validate({"name": "Tiny <b>", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "shop", "kind": "core", "name": "Shop"}]})
    >>> page = render_html(m, size_by="degree")
    >>> page.startswith("<!DOCTYPE html>"), "Tiny &lt;b&gt;" in page, "Tiny <b>" in page
    (True, True, False)
    """
    data = graph_data(model, size_by=size_by, highlights=highlights, layout=layout, title=title,
                      analysis=analysis, max_nodes=max_nodes)
    return _page_from_data(data)


def _script_hash(text: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _page_from_data(data: dict) -> str:
    # The page allows only its own two scripts (by hash), inline styles and data: images: even a
    # string that slipped through escaping could neither run nor load anything.
    vis_js, _ = vis_network_assets()
    csp = ("default-src 'none'; script-src " + _script_hash(vis_js) + " " + _script_hash(_asset("graph.js"))
           + "; style-src 'unsafe-inline'; img-src data:; font-src data:")
    return _environment().get_template("page.html.j2").render(data=data, fragment=_fragment_from_data(data, "100%"),
                                                              csp=csp)


def fragment_from_data(data: dict, height: str = "720px") -> str:
    """The embeddable fragment for page data already built (by :func:`graph_data` or a timeline)."""
    if not _css_length_ok(height):
        raise UsageError(f"height must be a CSS length such as 720px or 80vh, not '{height}'")
    return _fragment_from_data(data, height)


def page_from_data(data: dict) -> str:
    """The whole page for page data already built (by :func:`graph_data` or a timeline)."""
    return _page_from_data(data)


def write_page(data: dict, path) -> str:
    """Write the page of ``data`` (see :func:`page_from_data`) to ``path``, UTF-8 and atomically; return the
    page. RenderError when the file cannot be written."""
    from ..fileio import write_text_atomic

    page = _page_from_data(data)
    try:
        write_text_atomic(path, page)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return page


def write_html(model, path, **options: Any) -> dict[str, Any]:
    """Write :func:`render_html` to ``path`` (UTF-8, atomically); return the summary of what it shows."""
    data = graph_data(model, **options)
    page = write_page(data, path)
    return {**data["summary"], "aggregated": data["aggregated"], "notes": data["notes"], "layout": data["layout"],
            "bytes": len(page.encode("utf-8"))}
