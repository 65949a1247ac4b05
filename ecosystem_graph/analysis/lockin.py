"""Lock-in of every segment: binding paths, minimum cut, edge-disjoint paths, mechanisms, 0-100 index."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from operator import itemgetter

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
    if index is not None:
        cached = getattr(index, "_cost_reference", None)
        if cached is not None:
            return cached
        datas = (d for _, _, _, d in index.by_type.get("USES", ()))
    else:
        datas = (d for _, _, d in G.edges(data=True))
    costs = [c for c in (d.get("switching_cost") for d in datas if d.get("type") == "USES") if c is not None]
    top = max(costs, default=0.0)
    result = ("fraction", 1.0) if top <= 1.0 else ("money", float(top))
    if index is not None:
        index._cost_reference = result
    return result


def lockin_index(min_cut: float, disjoint_paths: int, mechanisms, reference: float = 1.0) -> float:
    """The 0-100 lock-in index: ``100 * (0.5 C + 0.25 P + 0.25 M)`` with ``C = min(1, cut / reference)``,
    ``P = min(paths, 3) / 3``, ``M = mechanisms / 7``.

    >>> lockin_index(0.5, 3, ["loyalty_program"] * 1)
    53.57142857142857
    """
    return _index_value(min_cut, disjoint_paths, len(set(mechanisms)), reference)


def _index_value(min_cut: float, disjoint_paths: int, mechanisms: int, reference: float) -> float:
    """:func:`lockin_index` from the number of distinct mechanisms."""
    c = min(1.0, min_cut / reference) if reference > 0 else 0.0
    p = min(disjoint_paths, PATH_SATURATION) / PATH_SATURATION
    m = mechanisms / len(LOCKIN_MECHANISMS)
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


_KNOWN = (1 << len(LOCKIN_MECHANISMS)) - 1  # bits of the seven lock-in types
_MECH_LISTS: dict[int, list] = {}


def _mechanism_list(mask: int) -> list[str]:
    """The lock-in types of a mask of :func:`_segment_steps` (their order in LOCKIN_MECHANISMS)."""
    names = _MECH_LISTS.get(mask & _KNOWN)
    if names is None:
        names = _MECH_LISTS[mask & _KNOWN] = [m for i, m in enumerate(LOCKIN_MECHANISMS) if mask >> i & 1]
    return list(names)


def _segment_steps(index: BindingIndex, s: str) -> tuple:
    """``(steps, costs, masks, cut)`` of segment ``s``, cached on the index: its first steps
    (:meth:`BindingIndex.first_steps`), each step's switching cost (0 when unset) and mechanism mask
    (one bit per lock-in type, the seven first in LOCKIN_MECHANISMS order, further bits for names
    outside them; ``durable_purchase`` for a device channel), and the cut (sum of the costs)."""
    cache = getattr(index, "_lockin_steps", None)
    if cache is None:
        cache = index._lockin_steps = {}
        index._mech_bits = {m: 1 << i for i, m in enumerate(LOCKIN_MECHANISMS)}
        index._device = {}
    hit = cache.get(s)
    if hit is not None:
        return hit
    bits, device, kind, nodes = index._mech_bits, index._device, index.kind, index.G.nodes
    steps = index.first_steps(s)
    costs, masks = [], []
    durable = bits["durable_purchase"]
    for v, _, d in steps:
        costs.append(float(d.get("switching_cost") or 0.0))
        mask = 0
        mechs = d.get("mechanisms")
        if mechs:
            for m in mechs:
                bit = bits.get(m)
                if bit is None:
                    bit = bits[m] = 1 << len(bits)
                mask |= bit
        dev = device.get(v)
        if dev is None:
            dev = device[v] = bool(kind.get(v) == "channel" and nodes[v].get("device"))
        if dev:
            mask |= durable
        masks.append(mask)
    hit = cache[s] = (steps, costs, masks, float(sum(costs)))
    return hit


def _tails(index: BindingIndex, v) -> list[tuple]:
    """The binding paths on from a segment's first-step target ``v`` (a core: none further), each as
    ``(nodes, edges, types, switching_costs)`` from ``v`` on; at most ``max_paths + 1`` of them."""
    if v in index.cores_set:
        return [([v], [], [], [])]
    if index.depth <= 1:
        return []
    out = []
    for rest in index._suffix_paths(v):
        nodes, edges, types, costs, _, _, _ = index.suffix_info(rest)
        out.append(([v, *nodes], edges, types, costs))
    return out


def _mechanisms(index: BindingIndex, steps) -> list[str]:
    found = set()
    for v, _, d in steps:
        found.update(d.get("mechanisms") or ())
        if index.kind.get(v) == "channel" and index.G.nodes[v].get("device"):
            found.add("durable_purchase")
    return [m for m in LOCKIN_MECHANISMS if m in found]


def _flow_groups(index: BindingIndex, steps) -> tuple[int, list[dict]]:
    """Split a segment's (kept) first steps for the edge-disjoint path count: ``(value, groups)``.

    A step into a core carries one path on its own (the core's edge to the sink is unbounded). The
    other targets fall into :meth:`BindingIndex.flow_component` s, whose flow networks share no
    relationship, so their maximum flows add up: a component reached by one step carries one path
    (its target reaches a core: it was kept), any other component (several targets, or one target
    reached twice) is a group ``{target: relationships}`` whose flow :func:`_group_flow` computes.
    """
    comp = index.flow_component()
    value = 0
    by_comp: dict = {}
    for v, _, _ in steps:
        c = comp.get(v)
        if c is None:  # a core
            value += 1
            continue
        group = by_comp.get(c)
        if group is None:
            by_comp[c] = {v: 1}
        else:
            group[v] = group.get(v, 0) + 1
    groups = []
    for group in by_comp.values():
        if len(group) == 1 and next(iter(group.values())) == 1:
            value += 1
        else:
            groups.append(group)
    return value, groups


def _group_flow(index: BindingIndex, group: dict, removed) -> tuple[int, set]:
    """:func:`_unit_max_flow` of one group of :func:`_flow_groups`, cached on the index."""
    key = (frozenset(group.items()), removed)
    hit = index.disjoint_cache.get(key)
    if hit is None:
        hit = index.disjoint_cache[key] = _unit_max_flow(index, group, removed)
    return hit


def _disjoint(index: BindingIndex, s: str, steps, removed: str | None) -> int:
    """Edge-disjoint binding paths of segment ``s`` (``removed`` left out; ``steps``: its first steps
    that survive the removal): max flow with unit capacity per relationship, split by
    :func:`_flow_groups` (the groups' flows cached: segments sharing targets share them)."""
    if len(steps) <= 1:
        return len(steps)
    if not index.sources_closed:
        return edge_disjoint_count(segment_network(index, s, removed), s)
    value, groups = _flow_groups(index, steps)
    for group in groups:
        value += _group_flow(index, group, removed)[0]
    return value


def _flow_nodes(index: BindingIndex, s: str, steps) -> set:
    """Nodes whose removal may lower the edge-disjoint path count of ``s`` (beyond its first-step
    targets and the nodes on every path on from one, which callers add): the nodes carrying one
    maximum flow of each group of :func:`_flow_groups`."""
    if len(steps) <= 1:
        return set()
    out: set = set()
    for group in _flow_groups(index, steps)[1]:
        out |= _group_flow(index, group, None)[1]
    return out


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
    count_row, cores, reach = index.count_row, index.cores_set, index.reaches_core
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
            for v, c in count_row(u).items():
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
    kind = index.kind.get
    uses, feeds = index.by_type.get("USES", []), index.by_type.get("FEEDS", [])
    from_uses = set(map(kind, map(itemgetter(0), uses)))
    from_feeds = set(map(kind, map(itemgetter(0), feeds)))
    into = set(map(kind, map(itemgetter(1), uses))) | set(map(kind, map(itemgetter(1), feeds)))
    return from_uses <= {"segment"} and "segment" not in from_feeds and "segment" not in into


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

    names = index.names
    reach = index.reaches_core
    # Under the model's rules a segment's paths are its first steps followed by the paths on from
    # each step's target (BindingIndex.path_records): each target's "tails" are built once.
    direct = index.sources_closed
    cap = index.max_paths
    tails: dict = {}
    core_reach = index._core_reach
    comp = index.flow_component() if direct else {}
    out = []
    for s in segments:
        name = names[s]
        if s not in reach:
            out.append(SegmentLockin(id=s, name=name))
            continue
        steps, _, masks, cut = _segment_steps(index, s)
        paths = []
        if direct:
            truncated = False
            for v, k, d in steps:
                tail = tails.get(v)
                if tail is None:
                    tail = tails[v] = _tails(index, v)
                t0 = d.get("type")
                c0 = d.get("switching_cost") if t0 == "USES" else None
                e0 = (s, v, k)
                for nodes, edges, types, costs in tail:
                    if len(paths) == cap:
                        truncated = True
                        break
                    paths.append(BindingPath([s, *nodes], [e0, *edges], [t0, *types], [c0, *costs]))
                if truncated:
                    break
        else:
            records, truncated = index.path_records(s)
            for (u0, v0, k0, d0), rest in records:
                nodes, edges, types, costs, _, _, _ = index.suffix_info(rest)
                t0 = d0.get("type")
                paths.append(BindingPath(nodes=[u0, v0, *nodes], edges=[(u0, v0, k0), *edges], types=[t0, *types],
                                         switching_costs=[d0.get("switching_cost") if t0 == "USES" else None,
                                                          *costs]))
        if method == "closed-form":
            # Every finite capacity is on the segment's own USES edges, the rest of its network is
            # unbounded and reaches the sink: the minimum cut is exactly its USES edges into nodes
            # that reach a core (docs/metrics.md; tests compare with networkx max flow).
            edges = [(s, v, k) for v, k, _ in steps]
        else:
            cut, edges = cut_value[s], cut_edges[s]
        n = len(steps)
        if n <= 1:
            disjoint = n
        elif direct:
            # targets that are cores or alone in their flow component carry one path each
            comps = [c for c in map(comp.get, [v for v, _, _ in steps]) if c is not None]
            disjoint = n if len(set(comps)) == len(comps) else _disjoint(index, s, steps, None)
        else:
            disjoint = _disjoint(index, s, steps, None)
        mask = 0
        for m in masks:
            mask |= m
        mechs = _mechanism_list(mask)
        if direct:  # the cores reached from its first-step targets
            v = steps[0][0]
            cores = core_reach.get(v)
            if cores is None:
                cores = index.core_reach(v)
            if len(steps) > 1 and any(st[0] != v for st in steps):
                cores = index.core_reach(s)
            cores = list(cores)
        else:
            cores = list(index.core_reach(s))
        out.append(SegmentLockin(id=s, name=name, paths=paths, paths_truncated=truncated, cores=cores,
                                 min_cut=cut, cut_edges=edges, disjoint_paths=disjoint, mechanisms=mechs,
                                 index=_index_value(cut, disjoint, len(mechs), reference)))
    return LockinResult(segments=out, depth=index.depth, max_paths=index.max_paths, scale=scale,
                        reference=reference, method=method)
