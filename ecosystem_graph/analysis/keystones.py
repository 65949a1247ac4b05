"""Keystones: what removing each node costs (core revenue lost, segments cut off, lock-in lost), ranked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import networkx as nx

from ._common import EXTERNAL_KINDS, SINK, BindingIndex
from .lockin import segment_figures, segment_network, switching_cost_reference

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
    _, reference = switching_cost_reference(G)
    at_risk = dict.fromkeys(G, 0.0)
    cut_off = dict.fromkeys(G, 0)
    change = dict.fromkeys(G, 0.0)

    core_revenue = 0.0
    core_pay: dict[tuple, float] = {}
    for u, v, d in G.edges(data=True):
        if d.get("type") == "PAYS" and kind.get(v) == "core" and kind.get(u) in EXTERNAL_KINDS:
            amount = float(d.get("amount") or 0.0)
            core_pay[(u, v)] = core_pay.get((u, v), 0.0) + amount
            core_revenue += amount
    for (p, c), amount in core_pay.items():
        hit = {p, c} | index.dominators(p).get(c, set())
        for x in hit:
            at_risk[x] += amount

    segments = [n for n, k in kind.items() if k == "segment"]
    if lockin_result is not None:
        before = {s.id: s.index for s in lockin_result.segments}
    else:
        before = {s: (segment_figures(index, s, reference)[3] if s in index.reaches_core else 0.0)
                  for s in segments}
    for s in segments:
        change[s] -= before.get(s, 0.0)
        if s not in index.reaches_core:
            continue
        for x in index.dominators(s).get(SINK, ()):
            if x != s:
                cut_off[x] += 1
        base = before.get(s, 0.0)
        for x in segment_network(index, s):
            if x == s or x == SINK:
                continue
            after = segment_figures(index, s, reference, removed=x)[3]
            change[x] += after - base

    total = float(sum(before.values()))
    out = [Keystone(id=n, name=G.nodes[n].get("name", n), kind=kind.get(n, ""), revenue_at_risk=at_risk[n],
                    revenue_share=(at_risk[n] / core_revenue if core_revenue > 0 else 0.0),
                    segments_cut_off=cut_off[n], lockin_change=change[n]) for n in G]
    out.sort(key=lambda k: (-k.revenue_at_risk, -k.segments_cut_off, k.lockin_change, k.id))
    for i, k in enumerate(out, 1):
        k.rank = i
    return KeystoneResult(nodes=out, core_revenue=core_revenue, total_lockin=total)

