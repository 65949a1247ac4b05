"""Keystones: what removing each node costs (core revenue lost, segments cut off, lock-in lost), ranked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import networkx as nx

from ._common import EXTERNAL_KINDS, SINK, BindingIndex
from .lockin import (_disjoint, _first_steps, _flow_nodes, lockin_index, segment_figures, segment_network,
                     switching_cost_reference)

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


def _removal_changes(index: BindingIndex, s: str, steps, xs, base: float, reference: float, change: dict,
                     sink_doms: dict) -> None:
    """``change[x] += index of s without x - base`` for each x in ``xs``: the figures of
    :func:`~ecosystem_graph.analysis.lockin.segment_figures` with ``removed=x``, inlined (a step
    survives unless its target is x or x is on every path on from it; only the number of distinct
    mechanisms enters the index)."""
    kind, nodes = index.kind, index.G.nodes
    info = []
    for v, k, d in steps:
        doms = sink_doms.get(v)
        if doms is None:
            doms = sink_doms[v] = index.dominators(v).get(SINK, frozenset())
        mechs = set(d.get("mechanisms") or ())
        if kind.get(v) == "channel" and nodes[v].get("device"):
            mechs.add("durable_purchase")
        info.append((v, k, d, doms, float(d.get("switching_cost") or 0.0), mechs))
    for x in xs:
        kept = [i for i in info if i[0] != x and x not in i[3]]
        cut = float(sum(i[4] for i in kept))
        disjoint = _disjoint(index, s, [(v, k, d) for v, k, d, *_ in kept], x)
        mechs = set().union(*(i[5] for i in kept)) if kept else set()
        after = lockin_index(cut, disjoint, mechs, reference)
        change[x] += after - base


def _count(steps) -> dict:
    out: dict = {}
    for v, _, _ in steps:
        out[v] = out.get(v, 0) + 1
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
    for u, v, _, d in index.edges:
        if d.get("type") == "PAYS" and kind.get(v) == "core" and kind.get(u) in EXTERNAL_KINDS:
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
    # Which removals can change a segment's lock-in: the nodes of its binding network that are a
    # first-step target or on every path on from one (they change its cut and mechanisms) or carry
    # one maximum flow of its disjoint paths (any other node leaves that flow, hence the count,
    # intact). Removing any other node of its network changes nothing (adds exactly 0). These nodes
    # depend only on the segment's first-step targets: cached by them.
    affected: dict = {}
    sink_doms: dict = {}
    for s in segments:
        change[s] -= before.get(s, 0.0)
        if s not in index.reaches_core:
            continue
        for x in index.dominators_but_self(s).get(SINK, ()):
            if x != s:
                cut_off[x] += 1
        base = before.get(s, 0.0)
        if not index.sources_closed:  # a hand-made graph outside the model's rules: every node
            for x in segment_network(index, s):
                if x != s and x != SINK:
                    change[x] += segment_figures(index, s, reference, removed=x)[3] - base
            continue
        steps = _first_steps(index, s)
        key = frozenset(_count(steps).items())
        xs = affected.get(key)
        if xs is None:
            found = set(_flow_nodes(index, s, steps))
            for v in {v for v, _, _ in steps}:
                found.add(v)
                found.update(index.dominators(v).get(SINK, ()))
            xs = affected[key] = [x for x in found if x != s]
        _removal_changes(index, s, steps, xs, base, reference, change, sink_doms)

    total = float(sum(before.values()))
    names = {n: a.get("name", n) for n, a in G.nodes(data=True)}
    out = [Keystone(id=n, name=names[n], kind=kind.get(n, ""), revenue_at_risk=at_risk[n],
                    revenue_share=(at_risk[n] / core_revenue if core_revenue > 0 else 0.0),
                    segments_cut_off=cut_off[n], lockin_change=change[n]) for n in G]
    out.sort(key=lambda k: (-k.revenue_at_risk, -k.segments_cut_off, k.lockin_change, k.id))
    for i, k in enumerate(out, 1):
        k.rank = i
    return KeystoneResult(nodes=out, core_revenue=core_revenue, total_lockin=total)

