"""Revenue flows (e3value-style net value flow), revenue by stream and segment, dependency, concentration."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import networkx as nx

from ._common import ECOSYSTEM_KINDS, EXTERNAL_KINDS, BindingIndex

__all__ = ["NodeFlow", "RevenueResult", "revenue_flows", "hhi", "path_weight"]


@dataclass
class NodeFlow:
    """Money per period into and out of one node; ``net = inflow - outflow``."""

    id: str
    kind: str
    inflow: float
    outflow: float
    net: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RevenueResult:
    """Every revenue figure of a model (see docs/metrics.md for the formulas)."""

    nodes: list[NodeFlow] = field(default_factory=list)
    revenue: float = 0.0  # PAYS from segments/partners into cores, satellites and channels
    core_revenue: float = 0.0  # PAYS from segments/partners into cores
    by_stream: dict[str, float] = field(default_factory=dict)
    by_segment: dict[str, float] = field(default_factory=dict)
    by_payee: dict[str, float] = field(default_factory=dict)
    dependency: dict[str, float] = field(default_factory=dict)  # share of core revenue
    dependent_revenue: dict[str, float] = field(default_factory=dict)  # the same in money
    direct_core_revenue: float = 0.0  # attributed to direct bindings (no satellite/channel between)
    unbound_core_revenue: float = 0.0  # paid by payers without a binding path to that core
    hhi: dict = field(default_factory=dict)  # {"payers": 0..10000 | None, "payees": ...}
    paths_truncated: int = 0  # payers whose path enumeration hit the cap
    currency: str | None = None
    money_unit: str | None = None

    def by_id(self) -> dict[str, NodeFlow]:
        return {n.id: n for n in self.nodes}

    @property
    def note(self) -> str | None:
        if self.paths_truncated:
            return (f"binding paths of {self.paths_truncated} payer(s) hit the path cap; their core revenue "
                    f"is attributed over the paths found")
        return None

    def to_dict(self) -> dict:
        return {
            "currency": self.currency, "money_unit": self.money_unit,
            "revenue": self.revenue, "core_revenue": self.core_revenue,
            "nodes": [n.to_dict() for n in self.nodes],
            "by_stream": self.by_stream, "by_segment": self.by_segment, "by_payee": self.by_payee,
            "dependency": self.dependency, "dependent_revenue": self.dependent_revenue,
            "direct_core_revenue": self.direct_core_revenue, "unbound_core_revenue": self.unbound_core_revenue,
            "hhi": self.hhi, "paths_truncated": self.paths_truncated,
        }


def hhi(amounts) -> float | None:
    """Herfindahl-Hirschman index on the 0..10,000 scale: ``10000 * sum(share_i ** 2)``.

    >>> hhi([50, 50]), hhi([100]), hhi([])
    (5000.0, 10000.0, None)
    """
    values = [float(a) for a in amounts if a > 0]
    total = sum(values)
    if total <= 0:
        return None
    return 10000.0 * sum((a / total) ** 2 for a in values)


def path_weight(path) -> float:
    """Product of the binding weights on a path: USES ``share``, FEEDS ``strength`` (1 when unset)."""
    w = 1.0
    for _, _, _, d in path:
        prop = "share" if d.get("type") == "USES" else "strength"
        value = d.get(prop)
        w *= 1.0 if value is None else float(value)
    return w


def revenue_flows(G: nx.MultiDiGraph, *, depth: int = 4, max_paths: int = 50,
                  index: BindingIndex | None = None) -> RevenueResult:
    """Net value flow of every node, revenue totals, dependency of core revenue, concentration.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("shop", "core"), ("app", "channel"), ("fans", "segment")]:
    ...     G.add_node(n, kind=k, name=n)
    >>> _ = G.add_edge("fans", "shop", type="PAYS", amount=100.0, stream="purchase")
    >>> _ = G.add_edge("fans", "app", type="USES"); _ = G.add_edge("app", "shop", type="FEEDS")
    >>> r = revenue_flows(G)
    >>> r.core_revenue, r.dependency, r.by_id()["fans"].net
    (100.0, {'app': 1.0}, -100.0)
    """
    if index is None:
        index = BindingIndex(G, depth=depth, max_paths=max_paths)
    kind = index.kind
    inflow = dict.fromkeys(G, 0.0)
    outflow = dict.fromkeys(G, 0.0)
    by_stream: dict[str, float] = {}
    by_segment: dict[str, float] = {}
    by_payer: dict[str, float] = {}
    by_payee: dict[str, float] = {}
    core_pay: dict[tuple, float] = {}
    revenue = core_revenue = 0.0
    for u, v, _, d in index.by_type.get("PAYS", ()):
        amount = float(d.get("amount") or 0.0)
        outflow[u] += amount
        inflow[v] += amount
        if kind.get(u) in EXTERNAL_KINDS and kind.get(v) in ECOSYSTEM_KINDS:
            revenue += amount
            stream = d.get("stream") or "unspecified"
            by_stream[stream] = by_stream.get(stream, 0.0) + amount
            by_payer[u] = by_payer.get(u, 0.0) + amount
            by_payee[v] = by_payee.get(v, 0.0) + amount
            if kind.get(u) == "segment":
                by_segment[u] = by_segment.get(u, 0.0) + amount
            if kind.get(v) == "core":
                core_revenue += amount
                core_pay[(u, v)] = core_pay.get((u, v), 0.0) + amount

    dependent = {n: 0.0 for n, k in kind.items() if k in ("satellite", "channel")}
    direct = unbound = 0.0
    truncated_payers = set()
    sat_chan = ("satellite", "channel")
    for (payer, core), amount in core_pay.items():
        records, truncated = index.path_records(payer)
        if truncated:
            truncated_payers.add(payer)
        # each path is its first step and a shared rest (BindingIndex.suffix_info): the rest's
        # weights, end and satellites/channels are computed once
        to_core = []
        for step, rest in records:
            _, _, _, _, factors, end, between = index.suffix_info(rest)
            if (end if rest else step[1]) == core:
                to_core.append((step, rest, factors, between))
        if not to_core:
            unbound += amount
            continue
        # path_weight: the product of the weights along the path, first step first
        weights = []
        for (_, _, _, d), _, factors, _ in to_core:
            value = d.get("share" if d.get("type") == "USES" else "strength")
            w = 1.0 * (1.0 if value is None else float(value))
            for f in factors:
                w *= f
            weights.append(w)
        total_w = sum(weights)
        if total_w <= 0:
            weights, total_w = [1.0] * len(to_core), float(len(to_core))
        for (step, rest, _, between_rest), w in zip(to_core, weights):
            part = amount * w / total_w
            # satellites and channels entered before the last step: the first step's target (when
            # the path goes on) and those of the rest
            if rest and kind.get(step[1]) in sat_chan:
                between = [step[1], *between_rest]
            else:
                between = between_rest
            if not between:
                direct += part
            for node in dict.fromkeys(between):
                dependent[node] += part
    dependency = {n: (a / core_revenue if core_revenue > 0 else 0.0) for n, a in dependent.items()}
    nodes = [NodeFlow(n, kind.get(n, ""), inflow[n], outflow[n], inflow[n] - outflow[n])
             for n in G]
    return RevenueResult(
        nodes=nodes, revenue=revenue, core_revenue=core_revenue,
        by_stream=dict(sorted(by_stream.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_segment=dict(sorted(by_segment.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_payee=dict(sorted(by_payee.items(), key=lambda kv: (-kv[1], kv[0]))),
        dependency=dependency, dependent_revenue=dependent, direct_core_revenue=direct,
        unbound_core_revenue=unbound, hhi={"payers": hhi(by_payer.values()), "payees": hhi(by_payee.values())},
        paths_truncated=len(truncated_payers), currency=G.graph.get("currency"),
        money_unit=G.graph.get("money_unit"))
