"""Lock-in of every segment: binding paths, minimum cut, edge-disjoint paths, mechanisms, 0-100 index."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from ..model import LOCKIN_MECHANISMS
from ._common import SINK, BindingIndex

__all__ = [
    "BindingPath",
    "SegmentLockin",
    "LockinResult",
    "lockin",
    "lockin_index",
    "switching_cost_reference",
    "segment_network",
    "edge_disjoint_count",
    "DEFAULT_MAX_PATHS",
]

DEFAULT_MAX_PATHS = 50
"""Binding paths listed per segment at most (the cap is reported when hit)."""

SOURCE = ("__ecograph_super_source__",)
PATH_SATURATION = 3  # this many edge-disjoint binding paths give the full path component


@dataclass
class BindingPath:
    """One chain of bindings from a segment to a core."""

    nodes: list[str]
    edges: list[tuple]  # (u, v, key)
    types: list[str]
    switching_costs: list  # per edge: the USES switching cost, None for FEEDS or when unset

    @property
    def total_switching_cost(self) -> float:
        return float(sum(c for c in self.switching_costs if c is not None))

    def to_dict(self) -> dict:
        return {"nodes": self.nodes, "edges": [list(e) for e in self.edges], "types": self.types,
                "switching_costs": self.switching_costs, "total_switching_cost": self.total_switching_cost}


@dataclass
class SegmentLockin:
    """How strongly one segment is tied to the core(s)."""

    id: str
    name: str
    paths: list[BindingPath] = field(default_factory=list)
    paths_truncated: bool = False
    cores: list[str] = field(default_factory=list)  # cores it has a binding path to (any length)
    min_cut: float = 0.0
    cut_edges: list[tuple] = field(default_factory=list)  # (u, v, key)
    disjoint_paths: int = 0
    mechanisms: list[str] = field(default_factory=list)
    index: float = 0.0

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "cores": self.cores, "index": self.index,
                "min_cut": self.min_cut, "cut_edges": [list(e) for e in self.cut_edges],
                "disjoint_paths": self.disjoint_paths, "mechanisms": self.mechanisms,
                "paths_truncated": self.paths_truncated, "paths": [p.to_dict() for p in self.paths]}


@dataclass
class LockinResult:
    """Lock-in of every segment (model order) and the parameters used."""

    segments: list[SegmentLockin] = field(default_factory=list)
    depth: int = 4
    max_paths: int = DEFAULT_MAX_PATHS
    scale: str = "fraction"  # switching costs in 0..1, or "money"
    reference: float = 1.0  # the switching cost that gives the full cost component
    method: str = "closed-form"  # "closed-form" (the model's rules hold) or "per-segment" (networkx)

    def by_id(self) -> dict[str, SegmentLockin]:
        return {s.id: s for s in self.segments}

    @property
    def total_index(self) -> float:
        return float(sum(s.index for s in self.segments))

    @property
    def paths_truncated(self) -> int:
        return sum(1 for s in self.segments if s.paths_truncated)

    @property
    def note(self) -> str | None:
        parts = [f"paths up to {self.depth} relationships"]
        if self.paths_truncated:
            parts.append(f"{self.paths_truncated} segment(s) hit the cap of {self.max_paths} listed paths")
        if self.scale == "money":
            parts.append(f"switching costs in money; {self.reference:g} gives the full cost component")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {"depth": self.depth, "max_paths": self.max_paths, "scale": self.scale,
                "reference": self.reference, "total_index": self.total_index,
                "paths_truncated": self.paths_truncated, "segments": [s.to_dict() for s in self.segments]}


def switching_cost_reference(G: nx.MultiDiGraph, index: BindingIndex | None = None) -> tuple[str, float]:
    """``("fraction", 1.0)`` when every switching cost is within 0..1, else ``("money", largest cost)``."""
    if index is not None:  # USES edges are binding edges: the index holds them all
        datas = (d for out in index.succ.values() for _, _, d in out)
    else:
        datas = (d for _, _, d in G.edges(data=True))
    costs = [c for c in (d.get("switching_cost") for d in datas if d.get("type") == "USES") if c is not None]
    top = max(costs, default=0.0)
    return ("fraction", 1.0) if top <= 1.0 else ("money", float(top))


def lockin_index(min_cut: float, disjoint_paths: int, mechanisms, reference: float = 1.0) -> float:
    """The 0-100 lock-in index: ``100 * (0.5 C + 0.25 P + 0.25 M)`` with ``C = min(1, cut / reference)``,
    ``P = min(paths, 3) / 3``, ``M = mechanisms / 7``.

    >>> lockin_index(0.5, 3, ["loyalty_program"] * 1)
    53.57142857142857
    """
    c = min(1.0, min_cut / reference) if reference > 0 else 0.0
    p = min(disjoint_paths, PATH_SATURATION) / PATH_SATURATION
    m = len(set(mechanisms)) / len(LOCKIN_MECHANISMS)
    return 100.0 * (0.5 * c + 0.25 * p + 0.25 * m)


# ------------------------------------------------------------------------------------------ helpers


def _first_steps(index: BindingIndex, s: str, removed: str | None = None) -> list[tuple]:
    """The segment's USES edges whose target still has a binding path to a core: ``(v, key, data)``.

    With ``removed``, a target survives only if ``removed`` is not on every one of its paths."""
    out = []
    for v, k, d in index.succ.get(s, ()):
        if v == removed or v not in index.reaches_core:
            continue
        if removed is not None and removed in index.dominators(v).get(SINK, ()):
            continue
        out.append((v, k, d))
    return out


def segment_network(index: BindingIndex, s: str, removed: str | None = None) -> dict:
    """The segment's flow network: ``{u: {v: multiplicity}}`` over binding edges between nodes that
    reach a core, cores joined to ``SINK``; ``removed`` left out."""
    net: dict = {}
    stack, seen = [s], {s}
    cores = set(index.cores)
    while stack:
        u = stack.pop()
        row = net.setdefault(u, {})
        if u in cores:
            row[SINK] = float("inf")
            continue
        for v, _, _ in index.succ.get(u, ()):
            if v == removed or v not in index.reaches_core:
                continue
            row[v] = row.get(v, 0) + 1
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return net


def edge_disjoint_count(net: dict, s, t=SINK) -> int:
    """Maximum number of edge-disjoint s-t paths (unit capacity per edge, Edmonds-Karp): the max
    flow of the network with each relationship's multiplicity as capacity."""
    residual: dict = {}
    for u, row in net.items():
        for v, c in row.items():
            residual.setdefault(u, {})[v] = residual.get(u, {}).get(v, 0) + c
            residual.setdefault(v, {}).setdefault(u, 0)
    flow = 0
    while True:
        parent = {s: None}
        queue = deque([s])
        while queue and t not in parent:
            u = queue.popleft()
            for v, c in residual.get(u, {}).items():
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if t not in parent:
            return flow
        # unit augmentation (every s-t path has a finite edge: the segment's own relationships)
        v = t
        while parent[v] is not None:
            u = parent[v]
            residual[u][v] -= 1
            residual[v][u] += 1
            v = u
        flow += 1


def _mechanisms(index: BindingIndex, steps) -> list[str]:
    found = set()
    for v, _, d in steps:
        found.update(d.get("mechanisms") or ())
        if index.kind.get(v) == "channel" and index.G.nodes[v].get("device"):
            found.add("durable_purchase")
    return [m for m in LOCKIN_MECHANISMS if m in found]


def _disjoint(index: BindingIndex, s: str, steps, removed: str | None) -> int:
    """Edge-disjoint binding paths of segment ``s`` (``removed`` left out): max flow with unit
    capacity per relationship, cached by what it depends on, the multiset of first-step targets and
    the removed node (segments sharing targets share the count)."""
    if len(steps) <= 1:
        return len(steps)
    if not index.sources_closed:
        return edge_disjoint_count(segment_network(index, s, removed), s)
    targets: dict = {}
    for v, _, _ in steps:
        targets[v] = targets.get(v, 0) + 1
    key = (frozenset(targets.items()), removed)
    cache = index.disjoint_cache
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = _unit_max_flow(index, targets, removed)
    return hit[0]


def _flow_nodes(index: BindingIndex, s: str, steps) -> set:
    """Nodes carrying flow in one maximum flow of ``s``'s network (after :func:`_disjoint`)."""
    if len(steps) <= 1:
        return {v for v, _, _ in steps}
    targets: dict = {}
    for v, _, _ in steps:
        targets[v] = targets.get(v, 0) + 1
    key = (frozenset(targets.items()), None)
    hit = index.disjoint_cache.get(key)
    if hit is None:
        hit = index.disjoint_cache[key] = _unit_max_flow(index, targets, None)
    return hit[1]


def _unit_max_flow(index: BindingIndex, targets: dict, removed) -> tuple[int, set]:
    """Max flow from a segment whose first steps reach ``targets`` (``{node: relationships}``) to the
    super-sink, each binding relationship of capacity 1, cores joined to the sink without bound,
    ``removed`` left out; and the nodes carrying that flow.

    Ford-Fulkerson with depth-first augmenting paths, exploring the binding network lazily: the
    flow is at most the number of first steps, and the last (failing) search only visits the source
    side of the minimum cut, so a segment costs what its bottleneck neighbourhood costs, not its whole
    network. Gives the value of :func:`edge_disjoint_count` on :func:`segment_network`.
    """
    SRC = ("__ecograph_segment__",)
    counts, cores, reach = index.succ_counts, index.cores_set, index.reaches_core
    bound = sum(targets.values())
    flow: dict = {}  # (u, v) -> net flow u -> v (skew-symmetric)
    into: dict = {}  # v -> nodes u with net flow u -> v > 0 (the residual back edges of v)

    def residual_out(u):
        if u is SRC:
            for v, c in targets.items():
                if v != removed:
                    yield v, c - flow.get((u, v), 0)
        elif u in cores:
            yield SINK, 1  # unbounded: one unit at a time is all an augmenting path needs
        else:
            for v, c in counts.get(u, {}).items():
                if v != removed and v in reach:
                    yield v, c - flow.get((u, v), 0)
        for w in into.get(u, ()):  # net flow w -> u can be pushed back
            yield w, 1

    value = 0
    while value < bound:
        parent = {SRC: None}
        stack = [SRC]
        found = False
        while stack and not found:
            u = stack.pop()
            for v, r in residual_out(u):
                if r > 0 and v not in parent:
                    parent[v] = u
                    if v == SINK:
                        found = True
                        break
                    stack.append(v)
        if not found:
            break
        v = SINK
        while parent[v] is not None:
            u = parent[v]
            if v != SINK:
                f = flow.get((u, v), 0) + 1
                flow[(u, v)], flow[(v, u)] = f, -f
                if f > 0:
                    into.setdefault(v, set()).add(u)
                else:
                    into.get(v, set()).discard(u)
                if f < 0:
                    into.setdefault(u, set()).add(v)
                else:
                    into.get(u, set()).discard(v)
            v = u
        value += 1
    return value, {v for (u, v), f in flow.items() if f > 0}


def segment_figures(index: BindingIndex, s: str, reference: float, removed: str | None = None):
    """``(min_cut, disjoint_paths, mechanisms, index)`` of segment ``s`` (with ``removed`` left out).

    Exact shortcut of the flow computation, valid because every finite capacity sits on the
    segment's own USES edges (FEEDS and core-sink edges are unbounded): the cut is the sum of the
    switching costs of the USES edges whose target reaches a core.
    """
    steps = _first_steps(index, s, removed)
    cut = float(sum(float(d.get("switching_cost") or 0.0) for _, _, d in steps))
    disjoint = _disjoint(index, s, steps, removed)
    mechs = _mechanisms(index, steps)
    return cut, disjoint, mechs, lockin_index(cut, disjoint, mechs, reference)


def _schema_holds(index: BindingIndex) -> bool:
    """The closed-form cut needs the model's rules on the binding network: USES only out of segments,
    nothing but USES out of a segment, no binding edge into a segment."""
    kind = index.kind
    for u, out in index.succ.items():
        from_segment = kind.get(u) == "segment"
        for v, _, d in out:
            if (d.get("type") == "USES") != from_segment or kind.get(v) == "segment":
                return False
    return True


def _flow_network(index: BindingIndex, sources) -> nx.DiGraph:
    """Segments' binding network as a networkx flow network: USES capacity = switching cost (0 when
    unset), FEEDS and core -> SINK without capacity (unbounded), SOURCE -> each segment unbounded."""
    F = nx.DiGraph()
    reach = index.reaches_core
    for s in sources:
        F.add_edge(SOURCE, s)
    stack, seen = list(sources), set(sources)
    cores = set(index.cores)
    while stack:
        u = stack.pop()
        if u in cores:
            F.add_edge(u, SINK)
            continue
        for v, _, d in index.succ.get(u, ()):
            if v not in reach:
                continue
            if d.get("type") == "USES":
                cap = float(d.get("switching_cost") or 0.0)
                if F.has_edge(u, v):
                    F[u][v]["capacity"] += cap
                else:
                    F.add_edge(u, v, capacity=cap)
            elif not F.has_edge(u, v):
                F.add_edge(u, v)
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return F


def _binding_path(p: list[tuple], cache: dict) -> BindingPath:
    """A raw path ``[(u, v, key, data), ...]`` as a :class:`BindingPath`; the part after the first
    step is shared by many segments, so its lists are built once (keyed by its edges)."""
    u0, v0, k0, d0 = p[0]
    t0 = d0.get("type")
    head_cost = d0.get("switching_cost") if t0 == "USES" else None
    rest = p[1:]
    key = tuple((u, v, k) for u, v, k, _ in rest)
    tail = cache.get(key)
    if tail is None:
        tail = cache[key] = ([v for _, v, _, _ in rest], list(key), [d.get("type") for *_, d in rest],
                             [d.get("switching_cost") if d.get("type") == "USES" else None for *_, d in rest])
    nodes, edges, types, costs = tail
    return BindingPath(nodes=[u0, v0] + nodes, edges=[(u0, v0, k0)] + edges, types=[t0] + types,
                       switching_costs=[head_cost] + costs)


def lockin(G: nx.MultiDiGraph, *, depth: int = 4, max_paths: int = DEFAULT_MAX_PATHS,
           index: BindingIndex | None = None) -> LockinResult:
    """Lock-in of every segment.

    Binding paths: simple paths of USES/FEEDS relationships from the segment to a core, at most
    ``depth`` relationships, at most ``max_paths`` listed. Minimum cut between the segment and a
    super-sink joined to every core, USES switching costs as capacities (unset = 0), FEEDS and the
    sink edges unbounded (a competitor wins the customer, it cannot break the ecosystem's internal
    links): computed with :func:`networkx.minimum_cut` on one network holding every segment behind a
    super-source (each finite edge belongs to one segment, so the cut splits per segment). Edge-disjoint
    binding paths: maximum flow with unit capacities. Mechanisms: lock-in types on the segment's
    bindings that lead to a core (+ durable_purchase for device channels). Index: :func:`lockin_index`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("shop", "core"), ("club", "satellite"), ("fans", "segment")]:
    ...     G.add_node(n, kind=k, name=n)
    >>> _ = G.add_edge("fans", "club", type="USES", switching_cost=0.4, mechanisms=["loyalty_program"])
    >>> _ = G.add_edge("fans", "shop", type="USES", switching_cost=0.2)
    >>> _ = G.add_edge("club", "shop", type="FEEDS")
    >>> s = lockin(G).by_id()["fans"]
    >>> round(s.min_cut, 3), s.disjoint_paths, [p.nodes for p in s.paths], round(s.index, 2)
    (0.6, 2, [['fans', 'club', 'shop'], ['fans', 'shop']], 50.24)
    """
    if index is None:
        index = BindingIndex(G, depth=depth, max_paths=max_paths)
    scale, reference = switching_cost_reference(G, index)
    segments = [n for n, k in index.kind.items() if k == "segment"]
    bound = [s for s in segments if s in index.reaches_core]

    cut_value: dict[str, float] = {}
    cut_edges: dict[str, list] = {}
    method = "closed-form"
    if bound and not _schema_holds(index):
        # Outside the model's rules the closed form does not hold: networkx min cut per segment.
        method = "per-segment"
        for s in bound:
            F = _flow_network(index, [s])
            value, (S_side, T_side) = nx.minimum_cut(F, SOURCE, SINK)
            edges = [(u, v, k) for u in S_side if u != SOURCE for v, k, d in index.succ.get(u, ())
                     if v in T_side and v in index.reaches_core and d.get("type") == "USES"]
            cut_value[s], cut_edges[s] = float(value), edges

    names = {n: a.get("name", n) for n, a in G.nodes(data=True)}
    suffix_cache: dict = {}
    out = []
    for s in segments:
        name = names[s]
        if s not in index.reaches_core:
            out.append(SegmentLockin(id=s, name=name))
            continue
        raw_paths, truncated = index.paths(s)
        paths = [_binding_path(p, suffix_cache) for p in raw_paths]
        steps = _first_steps(index, s)
        if method == "closed-form":
            # Every finite capacity is on the segment's own USES edges, the rest of its network is
            # unbounded and reaches the sink: the minimum cut is exactly its USES edges into nodes
            # that reach a core (docs/metrics.md; tests compare with networkx max flow).
            cut = float(sum(float(d.get("switching_cost") or 0.0) for _, _, d in steps))
            edges = [(s, v, k) for v, k, _ in steps]
        else:
            cut, edges = cut_value[s], cut_edges[s]
        disjoint = _disjoint(index, s, steps, None)
        mechs = _mechanisms(index, steps)
        dom = index.dominators_but_self(s)
        cores = [c for c in index.cores if c in dom]
        out.append(SegmentLockin(id=s, name=name, paths=paths, paths_truncated=truncated, cores=cores,
                                 min_cut=cut, cut_edges=edges, disjoint_paths=disjoint, mechanisms=mechs,
                                 index=lockin_index(cut, disjoint, mechs, reference)))
    return LockinResult(segments=out, depth=index.depth, max_paths=index.max_paths, scale=scale,
                        reference=reference, method=method)
