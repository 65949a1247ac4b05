"""Keystones: what removing each node costs (revenue, segments cut off, lock-in, connections), ranked by removal impact."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat

import networkx as nx
import numpy as np

from ..gc_pause import gc_paused
from ..model import CORE, EXTERNAL_KINDS, OFFERING_KINDS, SEGMENT
from .binding import SINK, BindingIndex
from .lockin import (MECHANISM_BITS, MECHANISM_COUNTS, SEQUENTIAL_SUM, disjoint_path_count, flow_groups, flow_nodes,
                     index_value, index_values, segment_figures, segment_network, segment_steps,
                     switching_cost_reference)
from .rows import lazy_rows

__all__ = ["Keystone", "KeystoneResult", "keystones", "pairs_cut_off"]


@dataclass
class Keystone:
    """The cost of removing one node."""

    id: str
    name: str
    kind: str
    revenue_at_risk: float  # ecosystem revenue lost when the node goes
    core_revenue_at_risk: float  # the part of it paid into cores
    revenue_share: float  # revenue_at_risk / ecosystem revenue (0 when there is none)
    segments_cut_off: int  # other segments left without any binding path to a core
    lockin_change: float  # change of the total lock-in index (sum over segments); <= 0
    rank: int = 0
    pairs_cut_off: int = 0  # pairs of other actors connected (any relationship) only through the node
    segments_share: float = 0.0  # segments_cut_off / segments bound to a core
    lockin_share: float = 0.0  # lock-in lost (-lockin_change) / total lock-in
    pairs_share: float = 0.0  # pairs_cut_off / connected pairs of actors
    impact: float = 0.0  # removal impact: mean of revenue_share, segments_share, lockin_share, pairs_share

    def to_dict(self) -> dict:
        # the fields in order, as dataclasses.asdict gives them (without its deep copies)
        return {"id": self.id, "name": self.name, "kind": self.kind, "revenue_at_risk": self.revenue_at_risk,
                "core_revenue_at_risk": self.core_revenue_at_risk, "revenue_share": self.revenue_share,
                "segments_cut_off": self.segments_cut_off, "lockin_change": self.lockin_change,
                "rank": self.rank, "pairs_cut_off": self.pairs_cut_off, "segments_share": self.segments_share,
                "lockin_share": self.lockin_share, "pairs_share": self.pairs_share, "impact": self.impact}


@dataclass(eq=False)
class _KeystoneColumns:
    """What :func:`keystones` computed, per node in model order, and the ranking."""

    ids: list
    names: list
    kinds: list
    at_risk: list
    core_at_risk: list
    share: list
    cut_off: list
    change: list
    pairs: list
    segments_share: list
    lockin_share: list
    pairs_share: list
    impact: list
    order: list  # positions of the nodes, highest removal impact first

    def rows(self) -> list[Keystone]:
        """The :class:`Keystone` of every node, ranked."""
        ids, names, kinds, at_risk, core, share, cut_off, change = (
            self.ids, self.names, self.kinds, self.at_risk, self.core_at_risk, self.share, self.cut_off, self.change)
        pairs, seg_share, lock_share, pair_share, impact = (
            self.pairs, self.segments_share, self.lockin_share, self.pairs_share, self.impact)
        return [Keystone(ids[i], names[i], kinds[i], at_risk[i], core[i], share[i], cut_off[i], change[i], rank,
                         pairs[i], seg_share[i], lock_share[i], pair_share[i], impact[i])
                for rank, i in enumerate(self.order, 1)]

    def dicts(self) -> list[dict]:
        """``[k.to_dict() for k in rows()]`` without the objects."""
        ids, names, kinds, at_risk, core, share, cut_off, change = (
            self.ids, self.names, self.kinds, self.at_risk, self.core_at_risk, self.share, self.cut_off, self.change)
        pairs, seg_share, lock_share, pair_share, impact = (
            self.pairs, self.segments_share, self.lockin_share, self.pairs_share, self.impact)
        return [{"id": ids[i], "name": names[i], "kind": kinds[i], "revenue_at_risk": at_risk[i],
                 "core_revenue_at_risk": core[i], "revenue_share": share[i], "segments_cut_off": cut_off[i],
                 "lockin_change": change[i], "rank": rank, "pairs_cut_off": pairs[i],
                 "segments_share": seg_share[i], "lockin_share": lock_share[i], "pairs_share": pair_share[i],
                 "impact": impact[i]} for rank, i in enumerate(self.order, 1)]


class KeystoneResult:
    """Every node's removal cost, ranked by removal impact (highest first).

    :func:`keystones` computes the figures as columns; ``nodes``, the list of :class:`Keystone` rows,
    is built from them on first access and cached (``to_dict`` reads the columns directly).
    """

    def __init__(self, nodes: list[Keystone] | None = None, core_revenue: float = 0.0, total_lockin: float = 0.0,
                 *, ecosystem_revenue: float = 0.0, columns: _KeystoneColumns | None = None,
                 bound_segments: int = 0, connected_pairs: int = 0) -> None:
        self.ecosystem_revenue = ecosystem_revenue
        self.bound_segments = bound_segments  # segments with a binding path to a core
        self.connected_pairs = connected_pairs  # pairs of actors joined by some chain of relationships
        self.core_revenue = core_revenue
        self.total_lockin = total_lockin
        self.columns = columns
        self._nodes = list(nodes) if nodes is not None or columns is None else None

    nodes = lazy_rows("columns", doc="One :class:`Keystone` per node, ranked (built from the columns on first use).")

    def __repr__(self) -> str:
        return (f"KeystoneResult(nodes=<{len(self.nodes)}>, ecosystem_revenue={self.ecosystem_revenue!r}, "
                f"core_revenue={self.core_revenue!r}, total_lockin={self.total_lockin!r})")

    def __eq__(self, other) -> bool:
        if not isinstance(other, KeystoneResult):
            return NotImplemented
        return ((self.nodes, self.ecosystem_revenue, self.core_revenue, self.total_lockin)
                == (other.nodes, other.ecosystem_revenue, other.core_revenue, other.total_lockin))

    def by_id(self) -> dict[str, Keystone]:
        return {k.id: k for k in self.nodes}

    def to_dict(self, nodes: list[Keystone] | None = None) -> dict:
        """The JSON of the section; ``nodes``: the rows to list (default: every node, ranked)."""
        with gc_paused():
            if nodes is not None:
                nodes = [k.to_dict() for k in nodes]
            else:
                nodes = self.columns.dicts() if self._nodes is None else [k.to_dict() for k in self.nodes]
        return {"ecosystem_revenue": self.ecosystem_revenue, "core_revenue": self.core_revenue,
                "total_lockin": self.total_lockin, "bound_segments": self.bound_segments,
                "connected_pairs": self.connected_pairs, "ranked_by": "impact", "nodes": nodes}


def _removals(index: BindingIndex, steps) -> list[tuple]:
    """The removals that can change the lock-in of a segment with these first steps, and what they
    change: ``[(x, kept, disjoint), ...]`` where ``kept`` lists the positions of the steps that
    survive removing ``x`` (its target is not ``x`` and ``x`` is not on every path on from it) and
    ``disjoint`` is the edge-disjoint path count without ``x``.

    Candidates: the first-step targets and the nodes on every path on from one (they drop steps,
    hence change the cut and the mechanisms) and the nodes carrying one maximum flow of the
    disjoint paths (:func:`~ecosystem_graph.analysis.lockin.flow_nodes`); removing any other node
    of the segment's network leaves its cut, mechanisms and flow, hence its figures, as they are. A
    candidate that drops no step and leaves the count is left out too (it changes nothing)."""
    doms = [index.sink_dominators(v) for v, _, _ in steps]
    candidates: dict = {}
    for d in doms:
        candidates.update(dict.fromkeys(d))
    every = tuple(range(len(steps)))
    if not flow_groups(index, steps)[1]:
        # Every target is a core or alone in its flow component: each surviving step carries one
        # path, and every candidate drops at least the step into it.
        out = []
        for x in candidates:
            kept = tuple([i for i in every if x not in doms[i]])
            out.append((x, kept, len(kept)))
        return out
    candidates.update(dict.fromkeys(flow_nodes(index, None, steps)))
    before = None
    out = []
    for x in candidates:
        kept = tuple([i for i in every if x not in doms[i]])
        disjoint = disjoint_path_count(index, None, [steps[i] for i in kept], x)
        if len(kept) == len(every):
            if before is None:
                before = disjoint_path_count(index, None, steps, None)
            if disjoint == before:
                continue
        out.append((x, kept, disjoint))
    return out


def _ranges(starts, lengths):
    """``concatenate([arange(a, a + n) for a, n in zip(starts, lengths)])`` without the loop."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def _closed_changes(index: BindingIndex, st, base, reference: float, position: dict) -> tuple:
    """Segments cut off and lock-in change per node (arrays over ``position``) when the index's sources
    are closed: every figure of a segment after removing ``x`` follows from its first steps (see
    :func:`_removals`), computed for all segments at once on the columns of
    :func:`~ecosystem_graph.analysis.lockin.segment_steps`.

    Each (segment, removed node) gives one change, and a node's total adds them in segment order
    (``np.bincount`` adds in input order): the doubles of the per-segment loop ``change[x] += ...``.
    """
    n_nodes, n_targets = len(position), len(st.targets)
    doms = [index.sink_dominators(v) for v in st.targets]  # the nodes on every path on from each target
    dlen = np.array([len(d) for d in doms], dtype=np.int64)
    dptr = np.zeros(n_targets, dtype=np.int64)
    np.cumsum(dlen[:-1], out=dptr[1:])
    dnode = np.fromiter((position[x] for d in doms for x in d), dtype=np.int64, count=int(dlen.sum()))
    count, start, seg, target = st.count, st.start, st.seg, st.target
    n_seg = len(count)

    # Segments cut off: x is on every path from s when it is on every path on from each of its
    # distinct first-step targets (a target used twice only in segments of several steps).
    multi = count[seg] > 1
    pairs = np.concatenate((seg[~multi] * max(n_targets, 1) + target[~multi],
                            np.unique(seg[multi] * max(n_targets, 1) + target[multi])))
    pseg, ptarget = pairs // max(n_targets, 1), pairs % max(n_targets, 1)
    distinct = np.bincount(pseg, minlength=n_seg)
    eseg = np.repeat(pseg, dlen[ptarget])
    enode = dnode[_ranges(dptr[ptarget], dlen[ptarget])]
    alone = distinct[eseg] == 1
    cut_off = np.bincount(enode[alone], minlength=n_nodes)
    keys, times = np.unique(eseg[~alone] * n_nodes + enode[~alone], return_counts=True)
    every = keys[times == distinct[keys // n_nodes]]
    cut_off += np.bincount(every % n_nodes, minlength=n_nodes)

    # Lock-in change, as (segment, node, change) triples. One binding: removing its target or a node
    # on every path on from it leaves none (index 0, a change of -base); nothing else changes the
    # segment's figures.
    parts = []
    one = count[seg] == 1
    rseg, rtarget = seg[one], target[one]
    eseg = np.repeat(rseg, dlen[rtarget])
    parts.append((eseg, dnode[_ranges(dptr[rtarget], dlen[rtarget])], -base[eseg]))
    # Several bindings, each target a core or alone in its flow component (each surviving step
    # carries one path): the candidates are the nodes on every path on from some target; removing x
    # drops the steps whose target has x on every path on from it.
    in_python = st.flow_split | (count > 62)  # a max flow to redo, or too many steps for a bit mask
    several = (count[seg] > 1) & ~in_python[seg]
    rows = np.flatnonzero(several)
    rseg, rtarget = seg[rows], target[rows]
    reps = dlen[rtarget]
    eseg = np.repeat(rseg, reps)
    ebit = np.left_shift(1, np.repeat(rows - start[rseg], reps))
    key = eseg * n_nodes + dnode[_ranges(dptr[rtarget], reps)]
    o = np.argsort(key, kind="stable")
    key, ebit = key[o], ebit[o]
    if len(key):
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        dropped = np.bitwise_or.reduceat(ebit, first)
        gkey = key[first]
        size = np.diff(np.append(first, len(key)))  # steps dropped
    else:
        dropped = gkey = size = np.zeros(0, dtype=np.int64)
    gseg, gnode = gkey // n_nodes, gkey % n_nodes
    n_steps = count[gseg]
    kept = n_steps - size
    # the costs and masks of the kept steps, in step order
    group = np.repeat(np.arange(len(gkey), dtype=np.int64), n_steps)
    step = _ranges(np.zeros(len(gkey), dtype=np.int64), n_steps)
    live = (np.repeat(dropped, n_steps) >> step & 1) == 0
    group, row = group[live], np.repeat(start[gseg], n_steps)[live] + step[live]
    cut = np.bincount(group, weights=st.cost[row], minlength=len(gkey)).astype(float)
    has = kept > 0
    mask = np.zeros(len(gkey), dtype=np.int64)
    if len(group):
        firsts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))  # groups keeping a step
        mask[has] = np.bitwise_or.reduceat(st.mask[row], firsts)
    if not SEQUENTIAL_SUM:
        for g in np.flatnonzero(kept >= 3).tolist():
            cut[g] = float(sum(st.cost[row[group == g]].tolist()))
    after = index_values(cut, kept, MECHANISM_COUNTS[mask & MECHANISM_BITS], reference)
    parts.append((gseg, gnode, np.where(has, after - base[gseg], -base[gseg])))

    # The rest (a flow group, or very many steps): _removals, cached by first-step targets.
    removals: dict = {}
    segs, nodes, values = [], [], []
    for i in np.flatnonzero(in_python & (count > 1)).tolist():
        steps = st.steps(i)
        key = tuple([v for v, _, _ in steps])
        todo = removals.get(key)
        if todo is None:
            todo = removals[key] = _removals(index, steps)
        a, b = int(start[i]), float(base[i])
        costs, masks = st.cost[a:a + len(steps)].tolist(), st.mask[a:a + len(steps)].tolist()
        for x, kept_steps, disjoint in todo:
            segs.append(i)
            nodes.append(position[x])
            if not kept_steps:  # no binding left: index 0
                values.append(-b)
                continue
            m = 0
            for j in kept_steps:
                m |= masks[j]
            after = index_value(float(sum([costs[j] for j in kept_steps])), disjoint,
                                (m & MECHANISM_BITS).bit_count(), reference)
            values.append(after - b)
    parts.append((np.array(segs, dtype=np.int64), np.array(nodes, dtype=np.int64), np.array(values, dtype=float)))

    seg_all = np.concatenate([p[0] for p in parts])
    o = np.argsort(seg_all, kind="stable")
    node_all = np.concatenate([p[1] for p in parts])[o]
    value_all = np.concatenate([p[2] for p in parts])[o]
    change = np.bincount(node_all, weights=value_all, minlength=n_nodes).astype(float)
    return cut_off, change


def keystones(G: nx.MultiDiGraph, *, depth: int = 4, index: BindingIndex | None = None,
              lockin_result=None) -> KeystoneResult:
    """Removal cost of every node, ranked by removal impact (then revenue at risk, segments cut off,
    lock-in lost, id).

    - revenue at risk of ``x``: every PAYS from a segment/partner ``p`` into an offering ``o`` (core,
      satellite, channel) such that ``x`` is ``p``, ``o``, or on *every* binding path from ``p`` to
      ``o`` (a dominator); payers with no binding path to ``o`` lose their payment only with ``p`` or
      ``o``; a linked PAYS is also lost with everything its ``share_of`` PAYS is lost with (any PAYS,
      transitively). ``core_revenue_at_risk``: the part of it paid into cores;
    - segments cut off: other segments that have a binding path to some core, and none without ``x``;
    - lock-in change: the total lock-in index (sum over segments) after removing ``x`` minus before,
      recomputed for every segment whose binding network holds ``x`` (a removed segment loses its
      own index); the switching-cost reference of the intact model is kept;
    - pairs cut off: pairs of other nodes joined by some chain of relationships (any type, either
      direction) and by none without ``x`` (:func:`pairs_cut_off`);
    - removal impact: the mean of four shares, each 0..1: ``revenue_share``, ``segments_share``
      (segments cut off / segments with a binding path to a core), ``lockin_share`` (lock-in lost /
      total lock-in) and ``pairs_share`` (pairs cut off / connected pairs).

    Computed without removing anything: revenue at risk from dominators of the binding network, the
    lock-in change from each segment's first steps (closed forms under the model's rules, networkx's
    cut per segment outside them), the pairs from one depth-first search. The readable definition,
    removing each node and re-running the analyses: :func:`ecosystem_graph.analysis.reference.keystones`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("shop", "core"), ("app", "channel"), ("fans", "segment")]:
    ...     G.add_node(n, kind=k, name=n)
    >>> _ = G.add_edge("fans", "shop", type="PAYS", amount=100.0)
    >>> _ = G.add_edge("fans", "app", type="USES", switching_cost=0.5); _ = G.add_edge("app", "shop", type="FEEDS")
    >>> [(k.id, k.revenue_at_risk, k.segments_cut_off, k.pairs_cut_off) for k in keystones(G).nodes]
    [('app', 100.0, 1, 0), ('shop', 100.0, 1, 0), ('fans', 100.0, 0, 0)]
    """
    if index is None:
        index = BindingIndex(G, depth=depth)
    kind = index.kind
    _, reference = switching_cost_reference(G, index)
    ids = list(G)
    at_risk = dict.fromkeys(ids, 0.0)

    at_risk_core = dict.fromkeys(ids, 0.0)
    revenue, core_revenue = _revenue_at_risk(index, at_risk, at_risk_core)

    # the closed forms need the model's rules (segment_steps(index).schema); a hand-made graph outside
    # them is recomputed segment by segment with networkx's cut, as lockin() computes it there
    if index.sources_closed and segment_steps(index).schema:
        st = segment_steps(index)
        columns = getattr(lockin_result, "columns", None)
        if lockin_result is None:
            base = index_values(st.cut, st.disjoint, MECHANISM_COUNTS[st.seg_mask & MECHANISM_BITS], reference)
            total = float(sum(base.tolist()))
        elif columns is not None and columns.steps is st:  # lockin() on this index: its columns
            base = columns.index
            total = float(sum(base.tolist()))
        else:
            before = {s.id: s.index for s in lockin_result.segments}
            base = np.array([before.get(s, 0.0) for s in st.segments], dtype=float)
            total = float(sum(before.values()))
        position = dict(zip(ids, range(len(ids))))
        cut_off, change = _closed_changes(index, st, base, reference, position)
        own = np.fromiter(map(position.__getitem__, st.segments), dtype=np.int64, count=len(st.segments))
        change[own] -= base  # a removed segment loses its own index
        cut_off, change = cut_off.tolist(), change.tolist()
    else:
        cut_off, change, total = _open_changes(G, index, reference, lockin_result)
    risk = list(at_risk.values())  # in model order, as ids
    share = (np.array(risk, dtype=float) / revenue).tolist() if revenue > 0 else [0.0] * len(ids)
    pairs, connected = pairs_cut_off(G)
    pairs = [pairs[v] for v in ids]
    bound = sum(1 for v, k in kind.items() if k == SEGMENT and v in index.reaches_core)
    seg_share = [c / bound if bound else 0.0 for c in cut_off]
    lock_share = [max(0.0, -c) / total if total > 0 else 0.0 for c in change]
    pair_share = [p / connected if connected else 0.0 for p in pairs]
    impact = [(a + b + c + d) / 4 for a, b, c, d in zip(share, seg_share, lock_share, pair_share)]
    # ranked by (-impact, -revenue at risk, -segments cut off, lock-in change, id); with string ids
    # (every model's) numpy's stable lexsort (last key first) gives the order of Python's sort on those tuples
    if ids and set(map(type, ids)) == {str}:
        order = np.lexsort((np.array(ids, dtype=str), np.array(change, dtype=float),
                            -np.array(cut_off, dtype=np.int64), -np.array(risk, dtype=float),
                            -np.array(impact, dtype=float))).tolist()
    else:
        order = sorted(range(len(ids)), key=lambda i: (-impact[i], -risk[i], -cut_off[i], change[i], ids[i]))
    names = index.names
    columns = _KeystoneColumns(ids=ids, names=list(map(names.__getitem__, ids)),
                               kinds=list(map(kind.get, ids, repeat(""))),
                               at_risk=risk, core_at_risk=list(at_risk_core.values()), share=share,
                               cut_off=cut_off, change=change, pairs=pairs, segments_share=seg_share,
                               lockin_share=lock_share, pairs_share=pair_share, impact=impact, order=order)
    return KeystoneResult(ecosystem_revenue=revenue, core_revenue=core_revenue, total_lockin=total,
                          columns=columns, bound_segments=bound, connected_pairs=connected)


def pairs_cut_off(G: nx.Graph) -> tuple[dict, int]:
    """For every node ``x``: the pairs of other nodes joined by some chain of relationships (any type,
    either direction) and by none without ``x``; and the number of joined pairs in the whole graph.

    Hopcroft-Tarjan low points on one depth-first search tree per component (scipy's
    ``depth_first_order``): removing ``x`` splits its component into the subtrees of the children
    ``c`` with ``low(c) >= disc(x)`` and the rest; the pairs cut off are the pairs taken from two
    different parts.

    Examples
    --------
    >>> import networkx as nx
    >>> cut, joined = pairs_cut_off(nx.path_graph(["a", "b", "c", "d"]))
    >>> cut, joined  # b separates a from c and d; c separates d from a and b
    ({'a': 0, 'b': 2, 'c': 2, 'd': 0}, 6)
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components, depth_first_order

    nodes = list(G)
    n = len(nodes)
    cut = dict.fromkeys(nodes, 0)
    if n < 3:
        return cut, n * (n - 1) // 2
    position = dict(zip(nodes, range(n)))
    # the undirected simple graph as a symmetric CSR matrix, without building an edge list of G
    adj = G._succ if G.is_directed() else G._adj  # networkx's own algorithms read these dicts too
    lengths = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    dst = np.fromiter(map(position.__getitem__, chain.from_iterable(adj.values())), dtype=np.int64,
                      count=int(lengths.sum()))
    src = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = src != dst  # self-loops join nothing
    src, dst = src[keep], dst[keep]
    A = csr_matrix((np.ones(2 * len(src), dtype=np.int8), (np.concatenate((src, dst)), np.concatenate((dst, src)))),
                   shape=(n, n))
    A.sum_duplicates()
    indptr, indices = A.indptr, A.indices
    n_comp, label = connected_components(A, directed=False)
    comp_size = np.bincount(label, minlength=n_comp)
    joined = int((comp_size * (comp_size - 1) // 2).sum())
    # one depth-first tree per component of 3 or more nodes (smaller ones have no cut vertex)
    order_parts, parent = [], np.full(n, -1, dtype=np.int64)
    first = np.full(n_comp, -1, dtype=np.int64)
    first[label[::-1]] = np.arange(n - 1, -1, -1)  # each component's first node
    for c in np.flatnonzero(comp_size >= 3).tolist():
        order, pred = depth_first_order(A, int(first[c]), directed=False, return_predecessors=True)
        order_parts.append(order)
        parent[order[1:]] = pred[order[1:]]
    if not order_parts:
        return cut, joined
    order = np.concatenate(order_parts)
    disc = np.full(n, n, dtype=np.int64)
    disc[order] = np.arange(len(order), dtype=np.int64)
    # own low point: the earliest discovery among the node and its neighbours other than its tree parent
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    seen = np.where(indices == parent[row], n, disc[indices])
    own = disc.copy()
    has = np.diff(indptr) > 0
    own[has] = np.minimum(own[has], np.minimum.reduceat(seen, indptr[:-1][has]))
    # low point and size of each subtree: children before parents (reverse discovery order)
    low, size, par = own.tolist(), [1] * n, parent.tolist()
    for v in reversed(order.tolist()):
        p = par[v]
        if p >= 0:
            size[p] += size[v]
            if low[v] < low[p]:
                low[p] = low[v]
    low_a, size_a = np.array(low, dtype=np.int64), np.array(size, dtype=np.int64)
    child = order[parent[order] >= 0]
    apart = child[low_a[child] >= disc[parent[child]]]  # subtrees cut off from their parent
    if not len(apart):
        return cut, joined
    p = parent[apart]
    parts = np.bincount(p, weights=size_a[apart], minlength=n).astype(np.int64)
    squares = np.bincount(p, weights=size_a[apart] ** 2, minlength=n).astype(np.int64)
    others = comp_size[label] - 1
    rest = others - parts
    pairs = (others * others - squares - rest * rest) // 2
    for i in np.unique(p).tolist():
        cut[nodes[i]] = int(pairs[i])
    return cut, joined


def _revenue_at_risk(index: BindingIndex, at_risk: dict, at_risk_core: dict) -> tuple[float, float]:
    """Add to ``at_risk`` (and ``at_risk_core``) every node's ecosystem revenue (core revenue) lost when
    it goes; return the ecosystem revenue and the core revenue.

    A payment is lost with its payer, its payee, a node on every binding path from payer to payee
    (:meth:`~ecosystem_graph.analysis.binding.BindingIndex.payee_dominators`; none when there is no
    such path) and, for a linked payment, every node its ``share_of`` payment is lost with.
    """
    kind = index.kind
    pays = index.by_type.get("PAYS", [])
    external = {n for n, k in kind.items() if k in EXTERNAL_KINDS}
    offerings = {n for n, k in kind.items() if k in OFFERING_KINDS}
    cores = index.cores_set
    revenue = core_revenue = 0.0
    pair_pay: dict[tuple, float] = {}  # unlinked revenue payments per (payer, payee), model order
    linked_pay: list = []  # linked revenue payments
    amounts, _, linked = index.pays_columns()
    linked = set(linked)
    for i, e, amount in zip(range(len(pays)), pays, amounts):
        u, v = e[0], e[1]
        if u in external and v in offerings:
            amount = float(amount)
            revenue += amount
            if v in cores:
                core_revenue += amount
            if i in linked:
                linked_pay.append((e, amount))
            else:
                key = (u, v)
                pair_pay[key] = pair_pay.get(key, 0.0) + amount
    dominators, reaching = index.payee_dominators, index.reaching
    for (p, c), amount in pair_pay.items():
        at_risk[p] += amount
        if c not in cores and p not in reaching(c):  # no binding path (most payments into satellites)
            at_risk[c] += amount
            continue
        doms = dominators(p, c)
        if c in cores:
            at_risk_core[p] += amount
            for x in doms or (c,):
                if x != p:
                    at_risk[x] += amount
                    at_risk_core[x] += amount
            if doms and c not in doms:
                at_risk[c] += amount
                at_risk_core[c] += amount
        else:
            for x in doms or (c,):
                if x != p:
                    at_risk[x] += amount
            if doms and c not in doms:
                at_risk[c] += amount
    if linked_pay:
        by_key = {e[2]: e for e in pays}
        lost_with: dict = {}

        def lost(e) -> set:
            # the nodes whose removal stops payment e (its share_of chain is acyclic: validated)
            hit = lost_with.get(e[2])
            if hit is None:
                u, v, _, d = e
                hit = {u, v}
                doms = index.payee_dominators(u, v)
                if doms:
                    hit |= doms
                parent = by_key.get(d.get("share_of"))
                if parent is not None:
                    hit |= lost(parent)
                lost_with[e[2]] = hit
            return hit

        for e, amount in linked_pay:
            core = kind.get(e[1]) == CORE
            for x in lost(e):
                at_risk[x] += amount
                if core:
                    at_risk_core[x] += amount
    return revenue, core_revenue


def _open_changes(G: nx.MultiDiGraph, index: BindingIndex, reference: float, lockin_result) -> tuple:
    """Segments cut off, lock-in change (lists over ``G``'s nodes) and the total lock-in when the
    index's sources are not closed (a hand-made graph outside the model's rules): every segment
    recomputed without every node of its network."""
    kind = index.kind
    cut_off = dict.fromkeys(G, 0)
    change = dict.fromkeys(G, 0.0)
    segments = [n for n, k in kind.items() if k == SEGMENT]
    if lockin_result is not None:
        before = {s.id: s.index for s in lockin_result.segments}
    else:
        before = {s: (segment_figures(index, s, reference)[3] if s in index.reaches_core else 0.0)
                  for s in segments}
    for s in segments:
        base = before.get(s, 0.0)
        change[s] -= base
        if s not in index.reaches_core:
            continue
        for x in index.dominators_but_self(s).get(SINK, ()):
            if x != s:
                cut_off[x] += 1
        for x in segment_network(index, s):
            if x != s and x != SINK:
                change[x] += segment_figures(index, s, reference, removed=x)[3] - base
    return list(cut_off.values()), list(change.values()), float(sum(before.values()))
