"""Lock-in of every segment: binding paths, minimum cut, edge-disjoint paths, mechanisms, 0-100 index."""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import eq, itemgetter, methodcaller
from typing import Any

import networkx as nx
import numpy as np

from ..model import CHANNEL, LOCKIN_MECHANISMS, SEGMENT
from .binding import SINK, BindingIndex
from .rows import lazy_rows

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
    "SegmentSteps",
    "segment_steps",
    "index_value",
    "index_values",
    "flow_groups",
    "disjoint_path_count",
    "flow_nodes",
    "MECHANISM_BITS",
    "MECHANISM_COUNTS",
    "SEQUENTIAL_SUM",
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


class LockinResult:
    """Lock-in of every segment (model order) and the parameters used.

    :func:`lockin` computes every figure as columns (:class:`SegmentSteps` and the per-segment
    arrays below); ``segments``, the list of :class:`SegmentLockin` rows, is built from them on first
    access and cached. Figures over all segments (``total_index``, ``paths_truncated``) read the
    columns directly.
    """

    def __init__(self, segments: list[SegmentLockin] | None = None, depth: int = 4,
                 max_paths: int = DEFAULT_MAX_PATHS, scale: str = "fraction", reference: float = 1.0,
                 method: str = "closed-form", *, columns: _LockinColumns | None = None) -> None:
        self.depth = depth
        self.max_paths = max_paths
        self.scale = scale  # switching costs in 0..1, or "money"
        self.reference = reference  # the switching cost that gives the full cost component
        self.method = method  # "closed-form" (the model's rules hold) or "per-segment" (networkx)
        self.columns = columns
        self._segments = list(segments) if segments is not None or columns is None else None

    segments = lazy_rows("columns", doc="One :class:`SegmentLockin` per segment, model order (built from the "
                                        "columns on first use).")

    def __repr__(self) -> str:
        return (f"LockinResult(segments=<{len(self.segments)}>, depth={self.depth}, max_paths={self.max_paths}, "
                f"scale={self.scale!r}, reference={self.reference!r}, method={self.method!r})")

    def __eq__(self, other) -> bool:
        if not isinstance(other, LockinResult):
            return NotImplemented
        return ((self.depth, self.max_paths, self.scale, self.reference, self.method, self.segments)
                == (other.depth, other.max_paths, other.scale, other.reference, other.method, other.segments))

    def by_id(self) -> dict[str, SegmentLockin]:
        return {s.id: s for s in self.segments}

    @property
    def total_index(self) -> float:
        if self._segments is None:
            return float(sum(self.columns.index.tolist()))
        return float(sum(s.index for s in self.segments))

    @property
    def paths_truncated(self) -> int:
        if self._segments is None:
            return int(self.columns.truncated.sum())
        return sum(1 for s in self.segments if s.paths_truncated)

    @property
    def note(self) -> str | None:
        parts = [f"paths up to {self.depth} relationships"]
        if self.paths_truncated:
            parts.append(f"{self.paths_truncated} segment(s) hit the cap of {self.max_paths} listed paths")
        if self.scale == "money":
            parts.append(f"switching costs in money; {self.reference:g} gives the full cost component")
        return "; ".join(parts)

    def to_dict(self, segments: list[SegmentLockin] | None = None) -> dict:
        """The JSON of the section; ``segments``: the rows to list (default: every segment, model order)."""
        rows = [s.to_dict() for s in (self.segments if segments is None else segments)]
        return {"depth": self.depth, "max_paths": self.max_paths, "scale": self.scale,
                "reference": self.reference, "total_index": self.total_index,
                "paths_truncated": self.paths_truncated, "segments": rows}


def switching_cost_reference(G: nx.MultiDiGraph, index: BindingIndex | None = None) -> tuple[str, float]:
    """``("fraction", 1.0)`` when every switching cost is within 0..1, else ``("money", largest cost)``."""
    if index is not None:
        cached = index.cache.get("cost_reference")
        if cached is not None:
            return cached
        result = _cost_scale(map(_SWITCHING_COST, map(itemgetter(3), index.by_type.get("USES", ()))))
        index.cache["cost_reference"] = result
        return result
    return _cost_scale(d.get("switching_cost") for _, _, d in G.edges(data=True) if d.get("type") == "USES")


_SWITCHING_COST = methodcaller("get", "switching_cost")
_MECHANISMS = methodcaller("get", "mechanisms")


def _cost_scale(costs) -> tuple[str, float]:
    """:func:`switching_cost_reference` from the USES switching costs as given (None when unset)."""
    costs = costs if isinstance(costs, list) and None not in costs else [c for c in costs if c is not None]
    top = max(costs, default=0.0)
    return ("fraction", 1.0) if top <= 1.0 else ("money", float(top))


def lockin_index(min_cut: float, disjoint_paths: int, mechanisms, reference: float = 1.0) -> float:
    """The 0-100 lock-in index: ``100 * (0.5 C + 0.25 P + 0.25 M)`` with ``C = min(1, cut / reference)``,
    ``P = min(paths, 3) / 3``, ``M = mechanisms / 7``.

    >>> lockin_index(0.5, 3, ["loyalty_program"] * 1)
    53.57142857142857
    """
    return index_value(min_cut, disjoint_paths, len(set(mechanisms)), reference)


def index_value(min_cut: float, disjoint_paths: int, mechanisms: int, reference: float) -> float:
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


MECHANISM_BITS = (1 << len(LOCKIN_MECHANISMS)) - 1
"""The mask of the seven lock-in types: bit ``j`` is ``LOCKIN_MECHANISMS[j]`` (other bits are not mechanisms)."""
_MECH_LISTS: dict[int, list] = {}


def _mechanism_list(mask: int) -> list[str]:
    """The lock-in types of a mask of :func:`segment_steps` (their order in LOCKIN_MECHANISMS)."""
    names = _MECH_LISTS.get(mask & MECHANISM_BITS)
    if names is None:
        names = _MECH_LISTS[mask & MECHANISM_BITS] = [m for i, m in enumerate(LOCKIN_MECHANISMS) if mask >> i & 1]
    return list(names)


def _tails(index: BindingIndex, v) -> list[tuple]:
    """The binding paths on from a segment's first-step target ``v`` (a core: none further), each as
    ``(nodes, edges, types, switching_costs)`` from ``v`` on; at most ``max_paths + 1`` of them."""
    if v in index.cores_set:
        return [([v], [], [], [])]
    if index.depth <= 1:
        return []
    out = []
    for rest in index.suffix_paths(v):
        nodes, edges, types, costs, _, _, _ = index.suffix_info(rest)
        out.append(([v, *nodes], edges, types, costs))
    return out


def _mechanisms(index: BindingIndex, steps) -> list[str]:
    found = set()
    for v, _, d in steps:
        found.update(d.get("mechanisms") or ())
        if index.kind.get(v) == CHANNEL and index.G.nodes[v].get("device"):
            found.add("durable_purchase")
    return [m for m in LOCKIN_MECHANISMS if m in found]


def flow_groups(index: BindingIndex, steps) -> tuple[int, list[dict]]:
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
    """:func:`_unit_max_flow` of one group of :func:`flow_groups`, cached on the index."""
    key = (frozenset(group.items()), removed)
    hit = index.disjoint_cache.get(key)
    if hit is None:
        hit = index.disjoint_cache[key] = _unit_max_flow(index, group, removed)
    return hit


def disjoint_path_count(index: BindingIndex, s: str, steps, removed: str | None) -> int:
    """Edge-disjoint binding paths of segment ``s`` (``removed`` left out; ``steps``: its first steps
    that survive the removal): max flow with unit capacity per relationship, split by
    :func:`flow_groups` (the groups' flows cached: segments sharing targets share them)."""
    if len(steps) <= 1:
        return len(steps)
    if not index.sources_closed:
        return edge_disjoint_count(segment_network(index, s, removed), s)
    value, groups = flow_groups(index, steps)
    for group in groups:
        value += _group_flow(index, group, removed)[0]
    return value


def flow_nodes(index: BindingIndex, s: str, steps) -> set:
    """Nodes whose removal may lower the edge-disjoint path count of ``s`` (beyond its first-step
    targets and the nodes on every path on from one, which callers add): the nodes carrying one
    maximum flow of each group of :func:`flow_groups`."""
    if len(steps) <= 1:
        return set()
    out: set = set()
    for group in flow_groups(index, steps)[1]:
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

    Under the model's rules every finite capacity sits on the segment's own USES edges (FEEDS and
    core-sink edges are unbounded), so the cut is the sum of the switching costs of the USES edges
    whose target still reaches a core. On a graph outside those rules (:func:`_schema_holds`) the cut
    is :func:`networkx.minimum_cut_value` of the segment's flow network without ``removed``, as
    :func:`lockin` computes it there.
    """
    steps = _first_steps(index, s, removed)
    schema = index.cache.get("schema")
    if schema is None:
        schema = index.cache["schema"] = _schema_holds(index)
    if schema or not steps:
        cut = float(sum(float(d.get("switching_cost") or 0.0) for _, _, d in steps))
    else:
        cut = float(nx.minimum_cut_value(_flow_network(index, [s], removed), SOURCE, SINK))
    disjoint = disjoint_path_count(index, s, steps, removed)
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
    return from_uses <= {SEGMENT} and SEGMENT not in from_feeds and SEGMENT not in into


def _flow_network(index: BindingIndex, sources, removed: str | None = None) -> nx.DiGraph:
    """Segments' binding network as a networkx flow network: USES capacity = switching cost (0 when
    unset), FEEDS and core -> SINK without capacity (unbounded), SOURCE -> each segment unbounded;
    ``removed`` left out."""
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
            if v not in reach or v == removed:
                continue
            # parallel relationships add their capacities; one unbounded (FEEDS) makes the pair unbounded
            if d.get("type") == "USES":
                cap = float(d.get("switching_cost") or 0.0)
                if not F.has_edge(u, v):
                    F.add_edge(u, v, capacity=cap)
                elif "capacity" in F[u][v]:
                    F[u][v]["capacity"] += cap
            elif F.has_edge(u, v):
                F[u][v].pop("capacity", None)
            else:
                F.add_edge(u, v)
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return F


# --------------------------------------------------------------------------------------- columns


# Python's sum() adds floats one after another up to 3.11 (as np.bincount and np.add.reduceat do);
# from 3.12 it compensates rounding errors, which changes sums of three or more terms.
SEQUENTIAL_SUM = sys.version_info < (3, 12)
"""Whether Python's ``sum()`` adds floats one after another, as the array sums do (Python up to 3.11)."""

MECHANISM_COUNTS = np.array([bin(i).count("1") for i in range(1 << len(LOCKIN_MECHANISMS))], dtype=np.int64)
"""Number of lock-in types in each mask of the seven bits."""


@dataclass(eq=False)
class SegmentSteps:
    """The first steps of every segment (:meth:`BindingIndex.first_steps`: its binding relationships
    whose target reaches a core) as columns, built once per index by :func:`segment_steps`.

    Rows are grouped by segment in model order, each segment's in first-step order: segment ``i``
    owns rows ``start[i]`` to ``start[i] + count[i]``. Per row: the relationship ``(s, v, key, data)``,
    the position of its target in ``targets`` (the distinct targets), its type, its switching cost as
    given and as a number (0 when unset), and its mechanism mask (bit ``j`` for
    ``LOCKIN_MECHANISMS[j]``; ``durable_purchase`` for a device channel). Per segment: ``cut`` (the
    sum of its costs in row order, as Python's ``sum``), ``seg_mask`` (the union of its masks) and
    ``disjoint`` (edge-disjoint binding paths); ``flow_split`` marks the segments whose count needed
    a maximum flow (:func:`flow_groups` found a group, or the sources are not closed).
    """

    segments: list
    start: Any  # numpy int arrays, per segment
    count: Any
    rows: list
    seg: Any  # numpy int array, per row: segment position
    targets: list
    target: Any  # numpy int array, per row: position in targets
    types: list  # per row: the relationship type
    raw_cost: list  # per row: the switching cost as given (None when unset)
    cost: Any  # numpy float array, per row
    mask: Any  # numpy int array, per row
    cut: Any  # numpy float array, per segment
    seg_mask: Any  # numpy int array, per segment
    disjoint: Any  # numpy int array, per segment
    flow_split: Any  # numpy bool array, per segment
    direct: bool  # the index's sources are closed (see BindingIndex.sources_closed)
    schema: bool  # the model's rules hold on the binding network (see _schema_holds)

    def steps(self, i: int) -> list[tuple]:
        """Segment ``i``'s first steps as ``(v, key, data)``."""
        a = int(self.start[i])
        return [(v, k, d) for _, v, k, d in self.rows[a:a + int(self.count[i])]]


def segment_steps(index: BindingIndex) -> SegmentSteps:
    """:class:`SegmentSteps` of the index's graph (cached on the index)."""
    cached = index.cache.get("segment_steps")
    if cached is not None:
        return cached
    kind, reach = index.kind, index.reaches_core
    segments = list(compress(kind, map(eq, kind.values(), repeat(SEGMENT))))
    schema = _schema_holds(index)
    if schema:
        # USES leaves segments only and is all that leaves them: the USES relationships into nodes
        # that reach a core are the segments' first steps, each segment's in first-step order.
        uses = index.by_type.get("USES", [])
        raw = list(map(_SWITCHING_COST, map(itemgetter(3), uses)))
        if index.cache.get("cost_reference") is None:  # read in the same pass (the dicts are many)
            index.cache["cost_reference"] = _cost_scale(raw)
        keep = list(map(reach.__contains__, map(itemgetter(1), uses)))
        if not all(keep):
            rows, raw = list(compress(uses, keep)), list(compress(raw, keep))
        else:
            rows = uses
    else:
        first = index.first_steps
        rows = [(s, *st) for s in segments if s in reach for st in first(s)]
        raw = list(map(_SWITCHING_COST, map(itemgetter(3), rows)))
    position = {s: i for i, s in enumerate(segments)}
    seg = np.fromiter(map(position.__getitem__, map(itemgetter(0), rows)), dtype=np.int64, count=len(rows))
    if len(seg) > 1 and bool((seg[1:] < seg[:-1]).any()):  # relationships not listed by source
        order = np.argsort(seg, kind="stable").tolist()
        rows, raw = [rows[i] for i in order], [raw[i] for i in order]
        seg = seg[order]
    datas = list(map(itemgetter(3), rows))
    types = ["USES"] * len(rows) if schema else [d.get("type") for d in datas]
    tmap = dict.fromkeys(map(itemgetter(1), rows))  # the distinct targets, in order of first use
    targets = list(tmap)
    tmap.update(zip(targets, range(len(targets))))
    target = np.fromiter(map(tmap.__getitem__, map(itemgetter(1), rows)), dtype=np.int64, count=len(rows))
    # float(c or 0.0) of each cost: unset is 0 (and + 0.0 turns a -0.0 into 0.0 as `or` does)
    cost = np.array(raw if None not in raw else [0.0 if c is None else c for c in raw], dtype=float) + 0.0
    # Mechanism masks: each row's names as bits (other names count for nothing), or-ed per row.
    bits = {m: 1 << i for i, m in enumerate(LOCKIN_MECHANISMS)}
    mechanisms = list(map(_MECHANISMS, datas))
    if None in mechanisms:
        mechanisms = [m or () for m in mechanisms]
    keys = list(map(tuple, mechanisms))  # a few distinct lists among many relationships
    masks = dict.fromkeys(keys)
    for key in masks:
        masks[key] = sum(bits.get(m, 0) for m in set(key))
    mask = np.fromiter(map(masks.__getitem__, keys), dtype=np.int64, count=len(rows))
    nodes, durable = index.G.nodes, bits["durable_purchase"]
    device = np.array([durable if kind.get(v) == CHANNEL and nodes[v].get("device") else 0 for v in targets],
                      dtype=np.int64)
    if len(rows):
        mask |= device[target]

    n = len(segments)
    count = np.bincount(seg, minlength=n)
    start = np.zeros(n, dtype=np.int64)
    np.cumsum(count[:-1], out=start[1:])
    # np.bincount adds each segment's costs in row order, from 0.0: Python's sum(costs) (see SEQUENTIAL_SUM)
    cut = np.bincount(seg, weights=cost, minlength=n).astype(float)
    if not SEQUENTIAL_SUM:
        for i in np.flatnonzero(count >= 3).tolist():
            a = int(start[i])
            cut[i] = float(sum(cost[a:a + int(count[i])].tolist()))
    bound = count > 0
    seg_mask = np.zeros(n, dtype=np.int64)
    if len(rows):
        seg_mask[bound] = np.bitwise_or.reduceat(mask, start[bound])

    # Edge-disjoint paths: each step carries one when the targets of a segment's steps are cores or
    # alone in their flow component (flow_groups); otherwise a maximum flow counts them.
    direct = index.sources_closed
    flow_split = np.zeros(n, dtype=bool)
    if direct:
        comp = index.flow_component()
        ids: dict = {}
        tcomp = np.array([-1 if c is None else ids.setdefault(c, len(ids)) for c in map(comp.get, targets)],
                         dtype=np.int64)
        rcomp = tcomp[target] if len(rows) else tcomp
        shared = (rcomp >= 0) & (count[seg] > 1)
        key = np.unique(seg[shared] * max(len(ids), 1) + rcomp[shared], return_counts=True)
        flow_split[key[0][key[1] > 1] // max(len(ids), 1)] = True
    else:
        flow_split = count > 1
    disjoint = count.copy()
    result = SegmentSteps(segments=segments, start=start, count=count, rows=rows, seg=seg, targets=targets,
                          target=target, types=types, raw_cost=raw, cost=cost, mask=mask, cut=cut,
                          seg_mask=seg_mask, disjoint=disjoint,
                          flow_split=flow_split, direct=direct, schema=schema)
    for i in np.flatnonzero(flow_split).tolist():
        disjoint[i] = disjoint_path_count(index, segments[i], result.steps(i), None)
    index.cache["segment_steps"] = result
    return result


def index_values(cut, disjoint, mechanisms, reference: float):
    """:func:`index_value` over arrays: the same operations in the same order, hence the same doubles."""
    c = np.minimum(1.0, cut / reference) if reference > 0 else np.zeros(len(cut))
    p = np.minimum(disjoint, PATH_SATURATION) / PATH_SATURATION
    m = mechanisms / len(LOCKIN_MECHANISMS)
    return 100.0 * (0.5 * c + 0.25 * p + 0.25 * m)


@dataclass(eq=False)
class _LockinColumns:
    """What :func:`lockin` computed, per segment (model order), and how to build its rows."""

    steps: SegmentSteps
    names: list
    cut: Any  # numpy float array (the closed form, or networkx's cut per segment)
    index: Any  # numpy float array
    truncated: Any  # numpy bool array
    tails: list | None  # direct: binding paths on from each target (_tails), by target position
    records: dict | None  # otherwise: per bound segment, its paths as (first step, suffix_info of the rest)
    core_mask: Any  # direct: the cores reached, one bit per core (model order)
    cores: list  # the index's cores
    core_lists: dict | None  # otherwise: the cores reached per bound segment
    cut_edges: dict | None  # per-segment method: networkx's cut edges per bound segment
    max_paths: int

    def rows(self) -> list[SegmentLockin]:
        """The :class:`SegmentLockin` of every segment."""
        st = self.steps
        rows, cap, cores, tails = st.rows, self.max_paths, self.cores, self.tails
        target, types, raw = st.target.tolist(), st.types, st.raw_cost
        core_lists: dict = {}
        out = []
        for i, (s, name, a, n, cut, idx, disjoint, mask, truncated) in enumerate(zip(
                st.segments, self.names, st.start.tolist(), st.count.tolist(), self.cut.tolist(),
                self.index.tolist(), st.disjoint.tolist(), st.seg_mask.tolist(), self.truncated.tolist())):
            if not n:
                out.append(SegmentLockin(s, name))
                continue
            b = a + n
            mine = rows[a:b]
            if tails is not None:
                # each first step followed by each path on from its target (see _tails)
                firsts = zip(mine, target[a:b], types[a:b], raw[a:b])
                if not truncated:
                    paths = [BindingPath([s, *nodes], [e0, *edges], [t0, *rest_types],
                                         [c0 if t0 == "USES" else None, *costs])
                             for (_, v, k, _), t, t0, c0 in firsts for e0 in ((s, v, k),)
                             for nodes, edges, rest_types, costs in tails[t]]
                else:
                    paths = []
                    for (_, v, k, _), t, t0, c0 in firsts:
                        e0, c0 = (s, v, k), c0 if t0 == "USES" else None
                        for nodes, edges, rest_types, costs in tails[t][:cap - len(paths)]:
                            paths.append(BindingPath([s, *nodes], [e0, *edges], [t0, *rest_types], [c0, *costs]))
                cmask = self.core_mask[i]
                reached = core_lists.get(cmask)
                if reached is None:
                    reached = core_lists[cmask] = [c for j, c in enumerate(cores) if cmask >> j & 1]
            else:
                paths = [BindingPath([u0, v0, *nodes], [(u0, v0, k0), *edges], [t0, *rest_types],
                                     [d0.get("switching_cost") if t0 == "USES" else None, *costs])
                         for (u0, v0, k0, d0), (nodes, edges, rest_types, costs) in self.records[s]
                         for t0 in (d0.get("type"),)]
                reached = self.core_lists[s]
            edges = self.cut_edges[s] if self.cut_edges is not None else [(s, v, k) for _, v, k, _ in mine]
            out.append(SegmentLockin(s, name, paths, truncated, list(reached), cut, edges, disjoint,
                                     _mechanism_list(mask), idx))
        return out


def lockin(G: nx.MultiDiGraph, *, depth: int = 4, max_paths: int = DEFAULT_MAX_PATHS,
           index: BindingIndex | None = None) -> LockinResult:
    """Lock-in of every segment.

    Binding paths: simple paths of USES/FEEDS relationships from the segment to a core, at most
    ``depth`` relationships, at most ``max_paths`` listed; a segment's paths are its first steps
    followed by the paths on from each step's target (built once per target). Minimum cut between the
    segment and a super-sink joined to every core, USES switching costs as capacities (unset = 0),
    FEEDS and the sink edges unbounded (a competitor wins the customer, it cannot break the ecosystem's
    internal links). Under the model's rules (USES only out of segments, nothing else out of them,
    no binding edge into them) the cut has a closed form, used here without any flow computation:
    the segment's USES relationships into nodes that reach a core, the sum of their switching costs
    (``method`` "closed-form"). A graph outside those rules (built by hand) gets
    :func:`networkx.minimum_cut` on each segment's flow network instead ("per-segment").
    Edge-disjoint binding paths: maximum flow with unit capacities, split by flow component of the
    binding network (a step into a core or into a component no other step enters carries one path;
    the rest by depth-first augmenting paths, cached by first-step targets). Mechanisms: lock-in
    types on the segment's bindings that lead to a core (+ durable_purchase for device channels).
    Index: :func:`lockin_index`. The readable definition of every figure is
    :func:`ecosystem_graph.analysis.reference.segment_lockin`.

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
    st = segment_steps(index)  # before the reference: it reads the switching costs in the same pass
    scale, reference = switching_cost_reference(G, index)
    segments = st.segments
    bound = [s for s, n in zip(segments, st.count.tolist()) if n]

    cut = st.cut
    cut_edges: dict | None = None
    method = "closed-form"
    if bound and not st.schema:
        # Outside the model's rules the closed form does not hold: networkx min cut per segment.
        # (Under them every finite capacity is on the segment's own USES edges, the rest of its
        # network is unbounded and reaches the sink: the minimum cut is exactly its USES edges into
        # nodes that reach a core - docs/metrics.md; tests compare with networkx max flow.)
        method = "per-segment"
        cut, cut_edges = cut.copy(), {}
        position = {s: i for i, s in enumerate(segments)}
        for s in bound:
            F = _flow_network(index, [s])
            value, (S_side, T_side) = nx.minimum_cut(F, SOURCE, SINK)
            cut_edges[s] = [(u, v, k) for u in S_side if u != SOURCE for v, k, d in index.succ.get(u, ())
                            if v in T_side and v in index.reaches_core and d.get("type") == "USES"]
            cut[position[s]] = float(value)

    cap = index.max_paths
    n = len(segments)
    tails = records = core_mask = core_lists = None
    if st.direct:
        # Under the model's rules a segment's paths are its first steps followed by the paths on from
        # each step's target (BindingIndex.path_records): each target's "tails" are built once, and
        # the cores it reaches are those of its targets.
        tails = [_tails(index, v) for v in st.targets]
        per_target = np.array([len(t) for t in tails], dtype=np.int64)
        found = np.bincount(st.seg, weights=per_target[st.target], minlength=n) if len(st.rows) else np.zeros(n)
        truncated = found > cap
        cores = index.cores
        bit = {c: 1 << j for j, c in enumerate(cores)}
        # one bit per core: int64 holds 62 of them, Python integers (object arrays) any number
        dtype = np.int64 if len(cores) < 63 else object
        tcores = np.array([sum(bit[c] for c in index.core_reach(v)) for v in st.targets], dtype=dtype)
        core_mask = np.zeros(n, dtype=dtype)
        if len(st.rows):
            has = st.count > 0
            core_mask[has] = np.bitwise_or.reduceat(tcores[st.target], st.start[has])
        core_mask = core_mask.tolist()
    else:
        records, core_lists = {}, {}
        truncated = np.zeros(n, dtype=bool)
        for i, s in enumerate(segments):
            if s in index.reaches_core:
                paths, truncated[i] = index.path_records(s)
                records[s] = [(step, index.suffix_info(rest)[:4]) for step, rest in paths]
                core_lists[s] = index.core_reach(s)
    names = index.names
    value = index_values(cut, st.disjoint, MECHANISM_COUNTS[st.seg_mask & MECHANISM_BITS], reference)
    columns = _LockinColumns(steps=st, names=[names[s] for s in segments], cut=cut, index=value,
                             truncated=truncated, tails=tails, records=records, core_mask=core_mask,
                             cores=list(index.cores), core_lists=core_lists, cut_edges=cut_edges, max_paths=cap)
    return LockinResult(depth=index.depth, max_paths=index.max_paths, scale=scale, reference=reference,
                        method=method, columns=columns)
