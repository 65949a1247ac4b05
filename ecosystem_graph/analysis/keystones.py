"""Keystones: what removing each node costs (core revenue lost, segments cut off, lock-in lost), ranked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import networkx as nx
import numpy as np

from ._common import EXTERNAL_KINDS, SINK, BindingIndex
from .lockin import (_KNOWN, _disjoint, _flow_groups, _flow_nodes, _index_value, _segment_steps, segment_figures,
                     segment_network, switching_cost_reference)

__all__ = ["Keystone", "KeystoneResult", "keystones"]


@dataclass
class Keystone:
    """The cost of removing one node."""

    id: str
    name: str
    kind: str
    revenue_at_risk: float  # core revenue that no longer reaches a core
    revenue_share: float  # revenue_at_risk / core revenue (0 when there is none)
    segments_cut_off: int  # other segments left without any binding path to a core
    lockin_change: float  # change of the total lock-in index (sum over segments); <= 0
    rank: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class KeystoneResult:
    """Every node's removal cost, ranked (most costly first)."""

    nodes: list[Keystone] = field(default_factory=list)
    core_revenue: float = 0.0
    total_lockin: float = 0.0

    def by_id(self) -> dict[str, Keystone]:
        return {k.id: k for k in self.nodes}

    def to_dict(self) -> dict:
        return {"core_revenue": self.core_revenue, "total_lockin": self.total_lockin,
                "nodes": [k.to_dict() for k in self.nodes]}


def _removals(index: BindingIndex, steps) -> list[tuple]:
    """The removals that can change the lock-in of a segment with these first steps, and what they
    change: ``[(x, kept, disjoint), ...]`` where ``kept`` lists the positions of the steps that
    survive removing ``x`` (its target is not ``x`` and ``x`` is not on every path on from it) and
    ``disjoint`` is the edge-disjoint path count without ``x``.

    Candidates: the first-step targets and the nodes on every path on from one (they drop steps,
    hence change the cut and the mechanisms) and the nodes carrying one maximum flow of the
    disjoint paths (:func:`~ecosystem_graph.analysis.lockin._flow_nodes`); removing any other node
    of the segment's network leaves its cut, mechanisms and flow, hence its figures, as they are. A
    candidate that drops no step and leaves the count is left out too (it changes nothing)."""
    doms = [index.sink_dominators(v) for v, _, _ in steps]
    candidates: dict = {}
    for d in doms:
        candidates.update(dict.fromkeys(d))
    every = tuple(range(len(steps)))
    if not _flow_groups(index, steps)[1]:
        # Every target is a core or alone in its flow component: each surviving step carries one
        # path, and every candidate drops at least the step into it.
        out = []
        for x in candidates:
            kept = tuple([i for i in every if x not in doms[i]])
            out.append((x, kept, len(kept)))
        return out
    candidates.update(dict.fromkeys(_flow_nodes(index, None, steps)))
    before = None
    out = []
    for x in candidates:
        kept = tuple([i for i in every if x not in doms[i]])
        disjoint = _disjoint(index, None, [steps[i] for i in kept], x)
        if len(kept) == len(every):
            if before is None:
                before = _disjoint(index, None, steps, None)
            if disjoint == before:
                continue
        out.append((x, kept, disjoint))
    return out


def keystones(G: nx.MultiDiGraph, *, depth: int = 4, index: BindingIndex | None = None,
              lockin_result=None) -> KeystoneResult:
    """Removal cost of every node, ranked by revenue at risk, then segments cut off, then lock-in lost.

    - revenue at risk of ``x``: every PAYS from a segment/partner ``p`` into a core ``c`` such that
      ``x`` is ``p``, ``c``, or on *every* binding path from ``p`` to ``c`` (a dominator); payers with
      no binding path to ``c`` lose their payment only with ``p`` or ``c``;
    - segments cut off: other segments that have a binding path to some core, and none without ``x``;
    - lock-in change: the total lock-in index (sum over segments) after removing ``x`` minus before,
      recomputed for every segment whose binding network holds ``x`` (a removed segment loses its
      own index); the switching-cost reference of the intact model is kept.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("shop", "core"), ("app", "channel"), ("fans", "segment")]:
    ...     G.add_node(n, kind=k, name=n)
    >>> _ = G.add_edge("fans", "shop", type="PAYS", amount=100.0)
    >>> _ = G.add_edge("fans", "app", type="USES", switching_cost=0.5); _ = G.add_edge("app", "shop", type="FEEDS")
    >>> [(k.id, k.revenue_at_risk, k.segments_cut_off) for k in keystones(G).nodes]
    [('app', 100.0, 1), ('shop', 100.0, 1), ('fans', 100.0, 0)]
    """
    if index is None:
        index = BindingIndex(G, depth=depth)
    kind = index.kind
    _, reference = switching_cost_reference(G, index)
    at_risk = dict.fromkeys(G, 0.0)
    cut_off = dict.fromkeys(G, 0)
    change = dict.fromkeys(G, 0.0)

    core_revenue = 0.0
    core_pay: dict[tuple, float] = {}
    for u, v, _, d in index.by_type.get("PAYS", ()):
        if kind.get(v) == "core" and kind.get(u) in EXTERNAL_KINDS:
            amount = float(d.get("amount") or 0.0)
            core_pay[(u, v)] = core_pay.get((u, v), 0.0) + amount
            core_revenue += amount
    for (p, c), amount in core_pay.items():
        hit = {p, c} | index.dominators_but_self(p).get(c, set())
        for x in hit:
            at_risk[x] += amount

    segments = [n for n, k in kind.items() if k == "segment"]
    if lockin_result is not None:
        before = {s.id: s.index for s in lockin_result.segments}
    else:
        before = {s: (segment_figures(index, s, reference)[3] if s in index.reaches_core else 0.0)
                  for s in segments}
    # Which removals can change a segment's lock-in (see _removals) depends only on its first-step
    # targets: cached by them. The segment's own costs and mechanisms then give the index after.
    removals: dict = {}
    closed = index.sources_closed
    reach = index.reaches_core
    for s in segments:
        base = before.get(s, 0.0)
        change[s] -= base
        if s not in reach:
            continue
        if closed:
            steps, costs, masks, _ = _segment_steps(index, s)
            v = steps[0][0]
            sink_doms = index.sink_dominators(v)
            for w, _, _ in steps:
                if w != v:  # on every path from s: on every path from each first-step target
                    sink_doms = sink_doms & index.sink_dominators(w)
        else:
            sink_doms = index.dominators_but_self(s).get(SINK, ())
        for x in sink_doms:
            if x != s:
                cut_off[x] += 1
        if not closed:  # a hand-made graph outside the model's rules: every node
            for x in segment_network(index, s):
                if x != s and x != SINK:
                    change[x] += segment_figures(index, s, reference, removed=x)[3] - base
            continue
        if len(steps) == 1:
            # one binding: removing its target or a node on every path on from it leaves no
            # binding (index 0, a change of -base); nothing else changes the segment's figures
            for x in sink_doms:
                change[x] -= base
            continue
        key = tuple([v for v, _, _ in steps])
        todo = removals.get(key)
        if todo is None:
            todo = removals[key] = _removals(index, steps)
        for x, kept, disjoint in todo:
            if not kept:  # no binding left: index 0
                change[x] -= base
                continue
            mask = 0
            for i in kept:
                mask |= masks[i]
            after = _index_value(float(sum([costs[i] for i in kept])), disjoint, (mask & _KNOWN).bit_count(),
                                 reference)
            change[x] += after - base

    total = float(sum(before.values()))
    names = index.names
    ids = list(G)
    share = [(at_risk[n] / core_revenue if core_revenue > 0 else 0.0) for n in ids]
    nodes = [Keystone(n, names[n], kind.get(n, ""), at_risk[n], r, cut_off[n], change[n])
             for n, r in zip(ids, share)]
    # ranked by (-revenue at risk, -segments cut off, lock-in change, id); with string ids (every
    # model's) numpy's stable lexsort (last key first) gives the order of Python's sort on those tuples
    if ids and all(type(n) is str for n in ids):
        order = np.lexsort((np.array(ids, dtype=str), np.array([change[n] for n in ids], dtype=float),
                            -np.array([cut_off[n] for n in ids], dtype=np.int64),
                            -np.array([at_risk[n] for n in ids], dtype=float)))
        out = [nodes[i] for i in order.tolist()]
    else:
        out = sorted(nodes, key=lambda k: (-k.revenue_at_risk, -k.segments_cut_off, k.lockin_change, k.id))
    for i, k in enumerate(out, 1):
        k.rank = i
    return KeystoneResult(nodes=out, core_revenue=core_revenue, total_lockin=total)

