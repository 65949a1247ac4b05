"""The binding network shared by lock-in, keystones and revenue attribution, and the edge weights and collapsed graph of the centralities."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, not_
from typing import Any

import networkx as nx

from ..model import CORE, EXTERNAL_KINDS, OUTER_OFFERING_KINDS

__all__ = [
    "FRACTION_PROPERTY",
    "BINDING_TYPES",
    "SINK",
    "money_reference",
    "edge_weight",
    "collapse",
    "collapsed",
    "Collapsed",
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
    again and again costs more than the arithmetic done on the edges). Walks the adjacency dicts
    directly: the order of ``G.edges(keys=True, data=True)`` without the view's overhead.
    """
    if not G.is_multigraph():
        return [(u, v, 0, d) for u, v, d in G.edges(data=True)]
    return [(u, v, k, d) for u, nbrs in G.adjacency() for v, kd in nbrs.items() for k, d in kd.items()]


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


@dataclass
class Collapsed:
    """The collapsed graph of :func:`collapse` as arrays (for scipy), and as a networkx graph on demand.

    ``nodes``: node ids in model order; ``src``, ``dst``: positions in ``nodes`` of each collapsed
    edge (one per ordered pair, in model order); ``weight``: its weight. ``D``: the same graph as a
    networkx ``DiGraph``, built on first use (the analyses run on the arrays and on the model graph
    itself; building a 300k-edge ``DiGraph`` costs about a second).
    """

    nodes: list
    src: Any  # numpy int array
    dst: Any  # numpy int array
    weight: Any  # numpy float array
    in_degree: Any = None  # numpy int array: relationships into each node (parallel ones each count)
    out_degree: Any = None  # and out of it; None when built from a collapsed graph alone
    _D: nx.DiGraph | None = field(default=None, repr=False)

    @property
    def D(self) -> nx.DiGraph:
        if self._D is None:
            nodes = self.nodes
            D = nx.DiGraph()
            D.add_nodes_from(nodes)
            D.add_weighted_edges_from(zip(map(nodes.__getitem__, self.src.tolist()),
                                          map(nodes.__getitem__, self.dst.tolist()), self.weight.tolist()))
            self._D = D
        return self._D

    def position(self) -> dict:
        """``{node id: position in nodes}``."""
        return {v: i for i, v in enumerate(self.nodes)}


def collapsed(G: nx.MultiDiGraph, edges: list[tuple] | None = None, *,
              money_ref: float | None = None) -> Collapsed:
    """:func:`collapse` as arrays (:class:`Collapsed`). ``edges``: :func:`edge_list` of ``G`` and
    ``money_ref``: :func:`money_reference` of ``G``, when at hand."""
    import numpy as np

    if edges is None:
        edges = edge_list(G)
    if money_ref is None:
        money_ref = money_reference(G, edges)
    nodes = list(G)
    n = len(nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    m = len(edges)
    src = np.fromiter(map(pos.__getitem__, map(itemgetter(0), edges)), dtype=np.int64, count=m)
    dst = np.fromiter(map(pos.__getitem__, map(itemgetter(1), edges)), dtype=np.int64, count=m)
    fp = FRACTION_PROPERTY
    # edge_weight of every relationship, inlined (a function call per relationship costs more than its
    # arithmetic): PAYS amount / money_ref, else the type's fraction property, 1 when unset.
    weight = np.array([float(d.get("amount") or 0.0) / money_ref if d.get("type") == "PAYS"
                       else (1.0 if (x := d.get(fp.get(d.get("type")))) is None else float(x))
                       for d in map(itemgetter(3), edges)], dtype=float)
    in_degree, out_degree = np.bincount(dst, minlength=n), np.bincount(src, minlength=n)
    if not m:
        return Collapsed(nodes, src, dst, weight, in_degree, out_degree)
    # edge_list lists the relationships of one ordered pair one after the other (model order): a pair
    # starts where (src, dst) changes. bincount adds each pair's weights one by one in that order, from
    # 0.0: the sum a loop over the pair's relationships gives, to the last bit.
    key = src * n + dst
    first = np.concatenate(([True], key[1:] != key[:-1]))
    starts = np.flatnonzero(first)
    pair = np.cumsum(first) - 1
    return Collapsed(nodes, src[starts], dst[starts], np.bincount(pair, weights=weight, minlength=len(starts)),
                     in_degree, out_degree)


def collapse(G: nx.MultiDiGraph, edges: list[tuple] | None = None) -> nx.DiGraph:
    """The simple directed graph of G: one edge per ordered pair, ``weight`` = sum of the
    relationships' weights (:func:`edge_weight`), in model order. ``edges``: :func:`edge_list` of
    ``G`` when at hand."""
    return collapsed(G, edges).D


GLOBAL_DOMINATOR_CORES = 32
"""Up to this many cores the dominators of every offering come from one dominator tree per core
(and one for the super-sink) over the whole binding network; above, per offering."""


@dataclass
class BindingIndex:
    """The binding network (USES + FEEDS edges) of a graph, with what every analysis asks of it.

    - ``succ[u]``: list of ``(v, key, data)`` binding edges out of ``u`` (model order);
    - ``cores``: core ids; ``reaches_core``: nodes with a binding path to some core (cores included);
    - ``by_type[t]``: the relationships of type ``t`` as ``(u, v, key, data)``, model order;
    - ``dominators(y)``: for each core ``c`` reachable from ``y``, the set of nodes on *every* binding
      path from ``y`` to ``c`` (``y`` and ``c`` included), and under key ``SINK`` the nodes on every
      path from ``y`` to any core;
    - ``paths(u)``: simple binding paths from ``u`` to the cores, at most ``depth`` edges, at most
      ``max_paths`` of them (``truncated`` tells when the cap was hit).

    Under the model's rules segments and partners have no incoming binding edges (USES leaves segments
    only; FEEDS enters cores and satellites only), which is what makes the per-source shortcuts below
    exact; ``sources_closed`` tells whether that holds, and a hand-made graph that breaks it gets the
    general searches (networkx dominators, depth-first paths from the node itself).
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
    cache: dict = field(default_factory=dict)
    """What an analysis derives from this index and keeps with it for the next one (lock-in's
    ``"cost_reference"`` and ``"segment_steps"``)."""

    def __post_init__(self) -> None:
        G = self.G
        if self.edges is None:
            self.edges = edge_list(G)
        self.kind = kind = {n: a.get("kind") for n, a in G.nodes(data=True)}
        self.cores = [n for n, k in kind.items() if k == CORE]
        # One pass over the relationships for the groups by type and the binding network: at this
        # size the cost is reaching each relationship's data in memory, once rather than per task.
        by_type: dict[str, list] = {}
        succ: dict[str, list] = {}
        pred: dict[str, list] = {}
        for e in self.edges:
            u, v, k, d = e
            t = d.get("type")
            group = by_type.get(t)
            if group is None:
                group = by_type[t] = []
            group.append(e)
            if t == "USES" or t == "FEEDS":
                out = succ.get(u)
                if out is None:
                    out = succ[u] = []
                out.append((v, k, d))
                into = pred.get(v)
                if into is None:
                    into = pred[v] = []
                into.append(u)
        self.by_type = by_type
        self.succ = succ
        self.pred = pred
        # Per-source shortcuts (dominators and paths from a segment or partner built from what its
        # first steps lead to) need: no binding edge enters a segment or partner (the model's rules).
        self.sources_closed = not any(kind.get(v) in EXTERNAL_KINDS for v in pred)
        # Reverse search from the cores: who has a binding path to a core.
        seen = set(self.cores)
        stack = list(self.cores)
        while stack:
            for u in pred.get(stack.pop(), ()):
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        self.reaches_core = seen
        self._dom_by_targets: dict = {}
        self._suffixes: dict = {}
        self._records: dict = {}
        self._suffix_info: dict = {}
        self._steps: dict = {}
        self._core_reach: dict = {}
        self._trees: dict | None = None
        self._components: dict | None = None
        self.disjoint_cache: dict = {}  # lockin: edge-disjoint path counts by first-step targets
        self._reaching: dict = {}  # offering -> the nodes with a binding path to it
        self._dom_to: dict = {}
        self._paths_to: dict = {}
        self._suffixes_to: dict = {}

    def _inner_succ(self) -> list:
        """``succ``'s items but those of segments and partners (most of them), model order (cached)."""
        inner = self.__dict__.get("_inner")
        if inner is None:
            external = map(EXTERNAL_KINDS.__contains__, map(self.kind.get, self.succ))
            inner = self._inner = list(compress(self.succ.items(), map(not_, external)))
        return inner

    @property
    def succ_counts(self) -> dict:
        """``{u: {v: number of binding relationships u -> v}}`` (built on first use)."""
        counts = getattr(self, "_succ_counts", None)
        if counts is None:
            counts = self._succ_counts = {}
            for u, out in self.succ.items():
                row = counts[u] = {}
                for v, _, _ in out:
                    row[v] = row.get(v, 0) + 1
        return counts

    def count_row(self, u) -> dict:
        """``succ_counts[u]``, built for ``u`` alone on first use."""
        rows = self.__dict__.setdefault("_count_rows", {})
        row = rows.get(u)
        if row is None:
            row = rows[u] = {}
            for v, _, _ in self.succ.get(u, ()):
                row[v] = row.get(v, 0) + 1
        return row

    @property
    def names(self) -> dict:
        """``{node id: name}`` (the id when the node has no name)."""
        names = getattr(self, "_names", None)
        if names is None:
            names = self._names = {n: a.get("name", n) for n, a in self.G.nodes(data=True)}
        return names

    def first_targets(self, y: str) -> list:
        """Distinct targets of ``y``'s binding edges that reach a core, in model order."""
        reach = self.reaches_core
        return list(dict.fromkeys(v for v, _, _ in self.succ.get(y, ()) if v in reach))

    def first_steps(self, y: str) -> list:
        """``y``'s binding edges whose target reaches a core: ``(v, key, data)``, model order (cached)."""
        steps = self._steps.get(y)
        if steps is None:
            reach = self.reaches_core
            steps = self._steps[y] = [st for st in self.succ.get(y, ()) if st[0] in reach]
        return steps

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
        elif self.sources_closed and len(self.cores) <= GLOBAL_DOMINATOR_CORES:
            result = self._tree_dominators(y)
        else:
            result = self._offering_dominators(y)
        self._dom[y] = result
        return result

    def sink_dominators(self, y: str):
        """The nodes on every binding path from ``y`` to any core (``dominators(y)[SINK]``; empty when
        ``y`` reaches none)."""
        return self.dominators(y).get(SINK, frozenset())

    def dominators_but_self(self, y: str) -> dict:
        """Like :meth:`dominators` but ``y`` itself may be left out of the sets (for a segment or
        partner the sets are shared with every source of the same first-step targets): for callers
        that add or skip ``y`` anyway, without a copy per source."""
        if y in self._dom:
            return self._dom[y]
        if y in self.reaches_core and self.kind.get(y) in EXTERNAL_KINDS and self.sources_closed:
            return self._shared_source_dominators(y)
        return self.dominators(y)

    def core_reach(self, y: str) -> list:
        """The cores ``y`` has a binding path to (any length), in model order (cached; do not modify)."""
        hit = self._core_reach.get(y)
        if hit is None:
            if self.sources_closed and self.kind.get(y) in EXTERNAL_KINDS:
                steps = self.first_steps(y)
                if not steps:
                    return []
                v = steps[0][0]
                hit = self.core_reach(v)
                if any(st[0] != v for st in steps):
                    reached = set(hit)
                    for w, _, _ in steps:
                        reached.update(self.core_reach(w))
                    hit = [c for c in self.cores if c in reached]
                return hit  # not cached: asked once per source
            else:
                dom = self.dominators(y)
                hit = [c for c in self.cores if c in dom]
            self._core_reach[y] = hit
        return hit

    def source_sink_dominators(self, y: str):
        """``dominators_but_self(y).get(SINK, ())`` without building the per-core sets: for a segment
        or partner with one first-step target, that target's set (do not modify)."""
        if self.sources_closed and self.kind.get(y) in EXTERNAL_KINDS and y not in self._dom:
            steps = self.first_steps(y)
            if not steps:
                return ()
            v = steps[0][0]
            if all(st[0] == v for st in steps):
                return self.dominators(v).get(SINK, ())
        return self.dominators_but_self(y).get(SINK, ())

    def _shared_source_dominators(self, y: str) -> dict:
        # Sources with the same first-step targets share everything but themselves: cache by targets.
        targets = frozenset(v for v, _, _ in self.first_steps(y))
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

    def dominator_network(self) -> nx.DiGraph:
        """The reversed binding network among the nodes that reach a core, sources left out (they have
        no incoming binding edge, so no path from anything else passes through them), with the
        super-sink pointing to every core: the graph :meth:`dominators` runs networkx's
        ``immediate_dominators`` on (rooted at ``SINK`` and at each core)."""
        R = nx.DiGraph()
        reach = self.reaches_core
        for u, out in self._inner_succ():
            if u in reach:
                for v, _, _ in out:
                    if v in reach:
                        R.add_edge(v, u)
        for c in self.cores:
            R.add_edge(SINK, c)
        return R

    def _dominator_trees(self) -> dict:
        """``{root: immediate post-dominators}`` for the super-sink and each core: networkx
        ``immediate_dominators`` on :meth:`dominator_network` rooted there. The nodes on every path
        from ``y`` to a root are ``y``'s chain up that tree."""
        if self._trees is None:
            R = self.dominator_network()
            self._trees = {root: nx.immediate_dominators(R, root) for root in [SINK, *self.cores]}
        return self._trees

    def _tree_dominators(self, y: str) -> dict:
        out: dict = {}
        for target, idom in self._dominator_trees().items():
            if y != target and y not in idom:
                continue  # y does not reach this core
            chain, node = {y}, y
            while node != target:
                node = idom[node]
                chain.add(node)
            chain.discard(SINK)
            out[target] = chain
        # cores first (model order), then SINK, as the per-offering computation lists them
        return {t: out[t] for t in [*self.cores, SINK] if t in out}

    def _offering_dominators(self, y: str) -> dict:
        H = nx.DiGraph()
        H.add_node(y)
        stack, seen = [y], {y}
        while stack:
            u = stack.pop()
            if self.kind.get(u) == CORE:
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

    def flow_component(self) -> dict:
        """``{node: component}`` over the nodes that reach a core, neither cores nor sources:
        weakly connected components of the binding relationships between them. With the cores
        merged into the super-sink (their edges to it are unbounded), the flow networks of targets
        in different components share no edge, so their maximum flows add up."""
        if self._components is None:
            reach, cores = self.reaches_core, self.cores_set
            parent: dict = {}

            def find(x):
                root = x
                while parent[root] != root:
                    root = parent[root]
                while parent[x] != root:
                    parent[x], x = root, parent[x]
                return root

            for u, out in self._inner_succ():
                if u not in reach or u in cores:
                    continue
                if u not in parent:
                    parent[u] = u
                for v, _, _ in out:
                    if v in reach and v not in cores:
                        if v not in parent:
                            parent[v] = v
                        a, b = find(u), find(v)
                        if a != b:
                            parent[a] = b
            self._components = {x: find(x) for x in parent}
        return self._components

    # ------------------------------------------------------------------------------------ paths

    def paths(self, source: str) -> tuple[list[list[tuple]], bool]:
        """Binding paths from ``source`` to any core: each a list of ``(u, v, key, data)``.

        Depth-first in model order, simple (no node twice), at most ``depth`` edges, stopping at
        ``max_paths``; returns ``(paths, truncated)``. A segment's or partner's paths are its first
        steps followed by the (cached) paths on from each step's target, which many sources share.
        """
        cached = self._paths.get(source)
        if cached is None:
            records, truncated = self.path_records(source)
            cached = self._paths[source] = ([[step, *rest] for step, rest in records], truncated)
        return cached

    def path_records(self, source: str) -> tuple[list[tuple], bool]:
        """:meth:`paths` as ``(first step, rest)`` pairs: ``first step`` is ``(source, v, key, data)``,
        ``rest`` the list of the following steps, shared by every path that continues the same way
        (see :meth:`suffix_info`); and ``truncated``."""
        cached = self._records.get(source)
        if cached is not None:
            return cached
        if source not in self.reaches_core or self.kind.get(source) == CORE:
            result: tuple = ([], False)
        elif self.kind.get(source) in EXTERNAL_KINDS and self.sources_closed:
            cap = self.max_paths
            found: list[tuple] = []
            cores = self.cores_set
            for v, k, d in self.first_steps(source):
                step = (source, v, k, d)
                if v in cores:
                    found.append((step, _EMPTY))
                elif self.depth > 1:
                    found.extend([(step, rest) for rest in self.suffix_paths(v)])
                if len(found) > cap:
                    break
            result = (found[:cap], len(found) > cap)
        else:
            paths, truncated = self._dfs_paths(source, 0, self.max_paths)
            result = ([(p[0], p[1:]) for p in paths], truncated)
        self._records[source] = result
        return result

    def suffix_info(self, rest: list) -> tuple:
        """What a path's steps after the first give, computed once per shared ``rest``:
        ``(nodes, edges, types, switching_costs, weights, end, between)`` - the nodes reached, the
        ``(u, v, key)`` edges, the types, the USES switching costs (None for FEEDS), the binding
        weights (USES share, FEEDS strength, 1 when unset), the core it ends at (None for an empty
        rest) and the satellites and channels entered before the last step."""
        key = id(rest)
        hit = self._suffix_info.get(key)
        if hit is not None and hit[0] is rest:
            return hit[1]
        kind = self.kind
        nodes, edges, types, costs, weights = [], [], [], [], []
        for u, v, k, d in rest:
            t = d.get("type")
            nodes.append(v)
            edges.append((u, v, k))
            types.append(t)
            costs.append(d.get("switching_cost") if t == "USES" else None)
            value = d.get("share" if t == "USES" else "strength")
            weights.append(1.0 if value is None else float(value))
        between = [st[1] for st in rest[:-1] if kind.get(st[1]) in OUTER_OFFERING_KINDS]
        info = (nodes, edges, types, costs, weights, rest[-1][1] if rest else None, between)
        self._suffix_info[key] = (rest, info)  # holds rest: its id stays its own
        return info

    def pays_columns(self) -> tuple[list, list, list]:
        """``(amounts, streams, linked)`` of ``by_type["PAYS"]``: each payment's amount (0.0 when unset),
        its stream (``"unspecified"`` when unset) and the positions of the linked payments (``share_of``
        set). Read in one visit to each relationship's data (scattered over a large heap, the reads cost
        more than the arithmetic) and cached: the revenue flows and the keystones share them."""
        cols = self.__dict__.get("_pays_columns")
        if cols is None:
            amounts: list = []
            streams: list = []
            linked: list = []
            add_amount, add_stream = amounts.append, streams.append
            for i, e in enumerate(self.by_type.get("PAYS", ())):
                d = e[3]
                add_amount(d.get("amount") or 0.0)
                add_stream(d.get("stream") or "unspecified")
                if d.get("share_of") is not None:
                    linked.append(i)
            cols = self._pays_columns = (amounts, streams, linked)
        return cols

    # ------------------------------------------------------------- paths to any offering

    def reaching(self, target: str) -> frozenset:
        """The nodes with a binding path to ``target`` (``target`` included; cached)."""
        hit = self._reaching.get(target)
        if hit is None:
            seen, stack, pred = {target}, [target], self.pred
            while stack:
                for u in pred.get(stack.pop(), ()):
                    if u not in seen:
                        seen.add(u)
                        stack.append(u)
            hit = self._reaching[target] = frozenset(seen)
        return hit

    def payee_dominators(self, payer: str, payee: str):
        """The nodes on every binding path from ``payer`` to ``payee`` (any length; ``payee`` included,
        ``payer`` possibly left out: callers add it), or None when there is no such path.

        Into a core: :meth:`dominators_but_self`. Into any other node: networkx
        ``immediate_dominators`` on the binding network between ``payer`` and ``payee``; a segment's or
        partner's set is the intersection of its first-step targets' sets (nothing enters a source).
        """
        if payer == payee:
            return None
        if self.kind.get(payee) == CORE:
            return self.dominators_but_self(payer).get(payee)
        reach = self._reaching.get(payee) or self.reaching(payee)
        if payer not in reach:
            return None
        if self.sources_closed and self.kind.get(payer) in EXTERNAL_KINDS:
            result = None
            for w in dict.fromkeys(v for v, _, _ in self.succ.get(payer, ()) if v in reach):
                doms = self._dominators_to(w, payee)
                result = doms if result is None else result & doms
            return result
        return self._dominators_to(payer, payee)

    def _dominators_to(self, start: str, target: str) -> frozenset:
        key = (start, target)
        hit = self._dom_to.get(key)
        if hit is None:
            if start == target:
                hit = frozenset((target,))
            else:
                reach = self.reaching(target)
                H = nx.DiGraph()
                H.add_node(start)
                stack, seen = [start], {start}
                while stack:
                    u = stack.pop()
                    if u == target:
                        continue  # paths end at the target
                    for v, _, _ in self.succ.get(u, ()):
                        if v in reach:
                            H.add_edge(u, v)
                            if v not in seen:
                                seen.add(v)
                                stack.append(v)
                idom = nx.immediate_dominators(H, start)
                chain, node = {target}, target
                while node != start:
                    node = idom[node]
                    chain.add(node)
                hit = frozenset(chain)
            self._dom_to[key] = hit
        return hit

    def paths_to(self, source: str, target: str) -> tuple[list[tuple], bool]:
        """Simple binding paths from ``source`` to ``target`` (any node but a core: :meth:`path_records`
        covers those), as :meth:`path_records` gives them: depth-first in model order, at most ``depth``
        relationships, at most ``max_paths`` (and ``truncated``); a source's paths share their rests."""
        key = (source, target)
        cached = self._paths_to.get(key)
        if cached is not None:
            return cached
        reach = self._reaching.get(target) or self.reaching(target)
        if source == target or source not in reach:
            result: tuple = ([], False)
        elif self.kind.get(source) in EXTERNAL_KINDS and self.sources_closed:
            cap = self.max_paths
            found: list[tuple] = []
            for v, k, d in self.succ.get(source, ()):
                step = (source, v, k, d)
                if v == target:
                    found.append((step, _EMPTY))
                elif v in reach and self.depth > 1:
                    rests = self._suffixes_to.get((v, target))
                    if rests is None:
                        rests = self._suffixes_to[(v, target)] = self._dfs_to(v, target, 1, cap + 1)[0]
                    found.extend([(step, rest) for rest in rests])
                if len(found) > cap:
                    break
            result = (found[:cap], len(found) > cap)
        else:
            paths, truncated = self._dfs_to(source, target, 0, self.max_paths)
            result = ([(p[0], p[1:]) for p in paths], truncated)
        self._paths_to[key] = result
        return result

    def _dfs_to(self, source: str, target: str, prefix: int, cap: int) -> tuple[list[list[tuple]], bool]:
        """:meth:`_dfs_paths` towards one ``target`` (passing through cores too)."""
        return self._dfs(source, frozenset((target,)), self.reaching(target), prefix, cap)

    @property
    def cores_set(self) -> frozenset:
        cs = getattr(self, "_cores_set", None)
        if cs is None:
            cs = self._cores_set = frozenset(self.cores)
        return cs

    def suffix_paths(self, v: str) -> list[list[tuple]]:
        """Paths on from ``v`` (not a core) entered by a source's first step: at most ``depth - 1``
        edges, at most ``max_paths + 1`` of them (enough to tell truncation)."""
        cached = self._suffixes.get(v)
        if cached is None:
            cached = self._suffixes[v] = self._dfs_paths(v, 1, self.max_paths + 1)[0]
        return cached

    def _dfs_paths(self, source: str, prefix: int, cap: int) -> tuple[list[list[tuple]], bool]:
        """Simple paths from ``source`` to a core, depth-first in model order, reached after
        ``prefix`` edges (so at most ``depth - prefix`` more); at most ``cap`` of them."""
        return self._dfs(source, self.cores_set, self.reaches_core, prefix, cap)

    def _dfs(self, source: str, targets: frozenset, reach, prefix: int, cap: int) -> tuple[list[list[tuple]], bool]:
        """Simple paths from ``source`` that end at the first of ``targets`` they meet, through nodes in
        ``reach`` only (those from which a target can be reached), depth-first in model order, at most
        ``depth - prefix`` edges and at most ``cap`` paths; and whether the cap cut the search short."""
        found: list[list[tuple]] = []
        truncated = False
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
            if v in targets:
                if len(found) >= cap:
                    truncated = True
                    break
                found.append(path + [(u, v, k, d)])
                continue
            if len(path) + 1 >= limit:
                continue  # a target could only be reached beyond the depth
            path.append((u, v, k, d))
            on_path.add(v)
            stack.append((v, iter(succ.get(v, ()))))
        return found, truncated


_EMPTY: list = []
"""The rest of a one-step path (shared: never modified)."""
