"""Shared helpers of the analyses: edge weights, the collapsed graph and the binding network."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = [
    "FRACTION_PROPERTY",
    "ECOSYSTEM_KINDS",
    "EXTERNAL_KINDS",
    "BINDING_TYPES",
    "SINK",
    "money_reference",
    "edge_weight",
    "collapse",
    "nodes_of_kind",
    "edge_list",
    "BindingIndex",
]

FRACTION_PROPERTY = {
    "USES": "share",
    "FEEDS": "strength",
    "REACHES": "reach",
    "DEPENDS_ON": "criticality",
    "CONVERTS_TO": "rate",
}
"""The 0..1 property that weighs a non-money relationship in PageRank and eigenvector centrality."""

ECOSYSTEM_KINDS = frozenset({"core", "satellite", "channel"})
"""The orchestrator's own offerings: money paid into them is ecosystem revenue."""

EXTERNAL_KINDS = frozenset({"segment", "partner"})
"""Actors outside the orchestrator: customers and third parties."""

BINDING_TYPES = frozenset({"USES", "FEEDS"})
"""Relationship types that make up binding paths (segment USES x, x FEEDS ... the core)."""

SINK = ("__ecograph_super_sink__",)
"""The super-sink joined to every core (a tuple, so it can never clash with a model id)."""


def nodes_of_kind(G: nx.MultiDiGraph, kind: str) -> list[str]:
    """Ids of the nodes of one kind, in model order."""
    return [n for n, k in G.nodes(data="kind") if k == kind]


def edge_list(G: nx.MultiDiGraph) -> list[tuple]:
    """Every relationship of ``G`` once as ``(u, v, key, data)``, in model order.

    One pass over the graph that the analyses share (iterating a large ``MultiDiGraph``'s edge view
    again and again costs more than the arithmetic done on the edges).
    """
    return list(G.edges(keys=True, data=True))


def money_reference(G: nx.MultiDiGraph, edges: list[tuple] | None = None) -> float:
    """The median of the positive PAYS amounts (1.0 when there are none): a "typical payment"."""
    if edges is None:
        edges = edge_list(G)
    amounts = [a for a in (d.get("amount") for _, _, _, d in edges if d.get("type") == "PAYS") if a and a > 0]
    return float(statistics.median(amounts)) if amounts else 1.0


def edge_weight(data: dict[str, Any], money_ref: float) -> float:
    """Weight of one relationship for PageRank / eigenvector centrality.

    PAYS: ``amount / money_ref`` (a typical payment weighs 1). Other types: their 0..1 property
    (USES share, FEEDS strength, REACHES reach, DEPENDS_ON criticality, CONVERTS_TO rate) when set,
    else 1 (as much as a typical payment). SUPPLIES: 1.

    >>> edge_weight({"type": "PAYS", "amount": 30.0}, 10.0), edge_weight({"type": "FEEDS"}, 10.0)
    (3.0, 1.0)
    """
    rtype = data.get("type")
    if rtype == "PAYS":
        return float(data.get("amount") or 0.0) / money_ref
    prop = FRACTION_PROPERTY.get(rtype)
    if prop is not None and data.get(prop) is not None:
        return float(data[prop])
    return 1.0


def collapse(G: nx.MultiDiGraph, edges: list[tuple] | None = None) -> nx.DiGraph:
    """The simple directed graph of G: one edge per ordered pair, ``weight`` = sum of the
    relationships' weights (:func:`edge_weight`). ``edges``: :func:`edge_list` of ``G`` when at hand."""
    if edges is None:
        edges = edge_list(G)
    ref = money_reference(G, edges)
    weights: dict[tuple, float] = {}
    for u, v, _, d in edges:
        weights[(u, v)] = weights.get((u, v), 0.0) + edge_weight(d, ref)
    D = nx.DiGraph()
    D.add_nodes_from(G)
    D.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
    return D


@dataclass
class BindingIndex:
    """The binding network (USES + FEEDS edges) of a graph, with what every analysis asks of it.

    - ``succ[u]``: list of ``(v, key, data)`` binding edges out of ``u`` (model order);
    - ``cores``: core ids; ``reaches_core``: nodes with a binding path to some core (cores included);
    - ``dominators(y)``: for each core ``c`` reachable from ``y``, the set of nodes on *every* binding
      path from ``y`` to ``c`` (``y`` and ``c`` included), and under key ``SINK`` the nodes on every
      path from ``y`` to any core;
    - ``paths(u)``: simple binding paths from ``u`` to the cores, at most ``depth`` edges, at most
      ``max_paths`` of them (``truncated`` tells when the cap was hit).

    Segments and partners never have incoming binding edges (USES leaves segments only; FEEDS enters
    cores and satellites only), which is what makes the per-source shortcuts below exact.
    """

    G: nx.MultiDiGraph
    depth: int = 4
    max_paths: int = 50
    edges: list | None = None  # edge_list(G), computed when not given
    succ: dict = field(default_factory=dict)
    cores: list = field(default_factory=list)
    reaches_core: set = field(default_factory=set)
    _dom: dict = field(default_factory=dict)
    _paths: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        G = self.G
        if self.edges is None:
            self.edges = edge_list(G)
        self.kind = dict(G.nodes(data="kind"))
        self.cores = [n for n, k in self.kind.items() if k == "core"]
        succ: dict[str, list] = {}
        pred: dict[str, list] = {}
        for u, v, k, d in self.edges:
            if d.get("type") in BINDING_TYPES:
                succ.setdefault(u, []).append((v, k, d))
                pred.setdefault(v, []).append(u)
        self.succ = succ
        counts: dict = {}  # u -> {v: number of binding relationships u -> v}
        for u, out in succ.items():
            row = counts[u] = {}
            for v, _, _ in out:
                row[v] = row.get(v, 0) + 1
        self.succ_counts = counts
        # Per-source shortcuts (dominators and paths from a segment or partner built from what its
        # first steps lead to) need: no binding edge enters a segment or partner (the model's rules).
        kind = self.kind
        self.sources_closed = not any(kind.get(v) in EXTERNAL_KINDS for v in pred)
        # Reverse search from the cores: who has a binding path to a core.
        seen = set(self.cores)
        stack = list(self.cores)
        while stack:
            v = stack.pop()
            for u in pred.get(v, ()):
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        self.reaches_core = seen
        self._dom_by_targets: dict = {}
        self._suffixes: dict = {}
        self.disjoint_cache: dict = {}  # lockin: edge-disjoint path counts by first-step targets

    def first_targets(self, y: str) -> list:
        """Distinct targets of ``y``'s binding edges that reach a core, in model order."""
        reach = self.reaches_core
        return list(dict.fromkeys(v for v, _, _ in self.succ.get(y, ()) if v in reach))

    # -------------------------------------------------------------------------------- dominators

    def dominators(self, y: str) -> dict:
        """``{core: set, ..., SINK: set}``: nodes on every binding path from ``y`` to that core (to any
        core for SINK). Only reachable cores appear; empty dict when ``y`` reaches no core."""
        if y in self._dom:
            return self._dom[y]
        if y not in self.reaches_core:
            result: dict = {}
        elif self.kind.get(y) in EXTERNAL_KINDS and self.sources_closed:
            # A pure source: a node is on every path iff it is on every path of each first step.
            result = self._source_dominators(y)
        else:
            result = self._offering_dominators(y)
        self._dom[y] = result
        return result

    def dominators_but_self(self, y: str) -> dict:
        """Like :meth:`dominators` but ``y`` itself may be left out of the sets (for a segment or
        partner the sets are shared with every source of the same first-step targets): for callers
        that add or skip ``y`` anyway, without a copy per source."""
        if y in self._dom:
            return self._dom[y]
        if y in self.reaches_core and self.kind.get(y) in EXTERNAL_KINDS and self.sources_closed:
            return self._shared_source_dominators(y)
        return self.dominators(y)

    def _shared_source_dominators(self, y: str) -> dict:
        # Sources with the same first-step targets share everything but themselves: cache by targets.
        targets = frozenset(self.first_targets(y))
        per_target = self._dom_by_targets.get(targets)
        if per_target is None:
            per_target = {}
            for v in targets:
                for target, doms in self.dominators(v).items():
                    if target in per_target:
                        per_target[target] = per_target[target] & doms
                    else:
                        per_target[target] = set(doms)
            self._dom_by_targets[targets] = per_target
        return per_target

    def _source_dominators(self, y: str) -> dict:
        return {t: d | {y} for t, d in self._shared_source_dominators(y).items()}

    def _offering_dominators(self, y: str) -> dict:
        H = nx.DiGraph()
        H.add_node(y)
        stack, seen = [y], {y}
        while stack:
            u = stack.pop()
            if self.kind.get(u) == "core":
                H.add_edge(u, SINK)
            for v, _, _ in self.succ.get(u, ()):
                if v in self.reaches_core:
                    H.add_edge(u, v)
                    if v not in seen:
                        seen.add(v)
                        stack.append(v)
        idom = nx.immediate_dominators(H, y)
        out: dict = {}
        # The start y is a core when a segment USES the core directly; networkx >= 3.5 leaves y out of idom.
        for target in [c for c in self.cores if c in idom or c == y] + [SINK]:
            chain, node = set(), target
            while True:
                chain.add(node)
                parent = idom.get(node, node)  # networkx >= 3.5 leaves the start out of idom
                if parent == node or node == y:
                    break
                node = parent
            chain.discard(SINK)
            out[target] = chain
        return out

    # ------------------------------------------------------------------------------------ paths

    def paths(self, source: str) -> tuple[list[list[tuple]], bool]:
        """Binding paths from ``source`` to any core: each a list of ``(u, v, key, data)``.

        Depth-first in model order, simple (no node twice), at most ``depth`` edges, stopping at
        ``max_paths``; returns ``(paths, truncated)``. A segment's or partner's paths are its first
        steps followed by the (cached) paths on from each step's target, which many sources share.
        """
        cached = self._paths.get(source)
        if cached is not None:
            return cached
        if source not in self.reaches_core or self.kind.get(source) == "core":
            result: tuple = ([], False)
        elif self.kind.get(source) in EXTERNAL_KINDS and self.sources_closed:
            cap = self.max_paths
            found: list[list[tuple]] = []
            cores = self.cores_set
            for v, k, d in self.succ.get(source, ()):
                if v not in self.reaches_core:
                    continue
                step = (source, v, k, d)
                if v in cores:
                    found.append([step])
                elif self.depth > 1:
                    found.extend([step] + rest for rest in self._suffix_paths(v))
                if len(found) > cap:
                    break
            result = (found[:cap], len(found) > cap)
        else:
            result = self._dfs_paths(source, 0, self.max_paths)
        self._paths[source] = result
        return result

    @property
    def cores_set(self) -> frozenset:
        cs = getattr(self, "_cores_set", None)
        if cs is None:
            cs = self._cores_set = frozenset(self.cores)
        return cs

    def _suffix_paths(self, v: str) -> list[list[tuple]]:
        """Paths on from ``v`` (not a core) entered by a source's first step: at most ``depth - 1``
        edges, at most ``max_paths + 1`` of them (enough to tell truncation)."""
        cached = self._suffixes.get(v)
        if cached is None:
            cached = self._suffixes[v] = self._dfs_paths(v, 1, self.max_paths + 1)[0]
        return cached

    def _dfs_paths(self, source: str, prefix: int, cap: int) -> tuple[list[list[tuple]], bool]:
        """Simple paths from ``source`` to a core, depth-first in model order, reached after
        ``prefix`` edges (so at most ``depth - prefix`` more); at most ``cap`` of them."""
        found: list[list[tuple]] = []
        truncated = False
        cores = self.cores_set
        reach = self.reaches_core
        succ = self.succ
        limit = self.depth - prefix
        path: list[tuple] = []
        on_path = {source}
        # iterative DFS: stack of (node, iterator over its out-edges)
        stack = [(source, iter(succ.get(source, ())))]
        while stack:
            u, it = stack[-1]
            step = next(it, None)
            if step is None:
                stack.pop()
                if path:
                    on_path.discard(path.pop()[1])
                continue
            v, k, d = step
            if v in on_path or v not in reach:
                continue
            if v in cores:
                if len(found) >= cap:
                    truncated = True
                    break
                found.append(path + [(u, v, k, d)])
                continue
            if len(path) + 1 >= limit:
                continue  # a core could only be reached beyond the depth
            path.append((u, v, k, d))
            on_path.add(v)
            stack.append((v, iter(succ.get(v, ()))))
        return found, truncated
