"""The funnel: CONVERTS_TO chains as an absorbing Markov chain (converted and dropped absorb)."""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass, field

import networkx as nx
import numpy as np

from ..errors import AnalysisError
from ._common import edge_list

__all__ = ["FunnelStage", "FunnelStep", "Funnel", "FunnelResult", "funnel"]


@dataclass
class FunnelStage:
    """One stage (a segment) of a funnel."""

    id: str
    name: str
    size: int | None
    entry: bool  # nothing converts into it
    final: bool  # it converts to nothing: reaching it is conversion (absorbing)
    drop_rate: float  # share leaving the funnel from this stage (1 - sum of rates out); 0 for final stages
    reach_final: float  # probability that a member of this stage ends in a final stage
    expected_members: float  # expected members passing through, for the entry stages' sizes
    revenue_per_member: float | None  # PAYS out of the stage / its size (None: pays but size unknown)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FunnelStep:
    """A CONVERTS_TO relationship."""

    source: str
    target: str
    rate: float

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "rate": self.rate}


@dataclass
class Funnel:
    """One connected funnel (a chain, or a tree/graph of stages)."""

    stages: list[FunnelStage]
    steps: list[FunnelStep]
    entry: str  # the first entry stage (model order); per-entrant figures refer to it
    finals: list[str]
    conversion: float  # P(an entrant of `entry` reaches a final stage)
    bottleneck: FunnelStep | None  # the step with the lowest rate
    revenue_per_entrant: float | None  # expected revenue collected from one entrant of `entry`
    expected_converted: float  # expected members reaching a final stage, for the entry sizes

    def to_dict(self) -> dict:
        return {"entry": self.entry, "finals": self.finals, "conversion": self.conversion,
                "bottleneck": self.bottleneck.to_dict() if self.bottleneck else None,
                "revenue_per_entrant": self.revenue_per_entrant, "expected_converted": self.expected_converted,
                "stages": [s.to_dict() for s in self.stages], "steps": [s.to_dict() for s in self.steps]}


@dataclass
class FunnelResult:
    """Every funnel of the model (weakly connected groups of CONVERTS_TO relationships)."""

    funnels: list[Funnel] = field(default_factory=list)

    def by_id(self) -> dict[str, FunnelStage]:
        return {s.id: s for f in self.funnels for s in f.stages}

    def to_dict(self) -> dict:
        return {"funnels": [f.to_dict() for f in self.funnels]}


def funnel(G: nx.MultiDiGraph, *, edges: list | None = None) -> FunnelResult | None:
    """The funnels of the model as absorbing Markov chains; None when there is no CONVERTS_TO.

    A stage with CONVERTS_TO out of it is transient: it moves to each next stage with the step's rate
    and drops out with ``1 - sum(rates)``; a stage with none is final (converted, absorbing). With
    ``Q`` the transient-to-transient rates, ``N = (I - Q)^-1`` gives expected visits and ``N R`` the
    absorption probabilities (Kemeny & Snell).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, size in [("flyby", 1000), ("known", 100), ("paying", 20)]:
    ...     G.add_node(n, kind="segment", name=n, size=size)
    >>> _ = G.add_edge("flyby", "known", type="CONVERTS_TO", rate=0.1)
    >>> _ = G.add_edge("known", "paying", type="CONVERTS_TO", rate=0.2)
    >>> f = funnel(G).funnels[0]
    >>> round(f.conversion, 4), f.bottleneck.target, [round(s.expected_members, 1) for s in f.stages]
    (0.02, 'known', [1000.0, 100.0, 20.0])
    """
    if edges is None:
        edges = edge_list(G)
    succ: dict = {}  # stage -> {next stage: [rates of the steps, model order]}
    pred_count: dict = {}  # stage -> number of steps into it
    payments: dict[str, float] = {}
    for u, v, _, d in edges:
        t = d.get("type")
        if t == "CONVERTS_TO":
            succ.setdefault(u, {}).setdefault(v, []).append(float(d.get("rate") or 0.0))
            succ.setdefault(v, {})
            pred_count[v] = pred_count.get(v, 0) + 1
            pred_count.setdefault(u, 0)
        elif t == "PAYS":
            payments[u] = payments.get(u, 0.0) + float(d.get("amount") or 0.0)
    if not succ:
        return None
    payments = {u: a for u, a in payments.items() if u in succ}
    order = {n: i for i, n in enumerate(G)}
    prepared = [_prepare(succ, pred_count, _topological(comp, succ, pred_count, order) or comp)
                for comp in _components(succ, order)]  # stages in funnel order; model order if they loop
    _invert(prepared)
    return FunnelResult(funnels=[_one_funnel(G, succ, p, payments) for p in prepared])


def _components(succ: dict, order: dict) -> list[list]:
    """Weakly connected groups of stages, each in model order, groups ordered by their first stage."""
    undirected: dict = {u: set(out) for u, out in succ.items()}
    for u, out in succ.items():
        for v in out:
            undirected[v].add(u)
    seen: set = set()
    comps = []
    for start in undirected:
        if start in seen:
            continue
        seen.add(start)
        comp, stack = [start], [start]
        while stack:
            for w in undirected[stack.pop()]:
                if w not in seen:
                    seen.add(w)
                    comp.append(w)
                    stack.append(w)
        comps.append(sorted(comp, key=order.__getitem__))
    comps.sort(key=lambda c: order[c[0]])
    return comps


def _topological(comp: list, succ: dict, pred_count: dict, order: dict) -> list | None:
    """Stages in topological order, ties broken by model order (networkx's
    ``lexicographical_topological_sort``); None when the steps loop."""
    indegree = {s: pred_count[s] for s in comp}
    heap = [order[s] for s in comp if indegree[s] == 0]
    heapq.heapify(heap)
    by_order = {order[s]: s for s in comp}
    out = []
    while heap:
        u = by_order[heapq.heappop(heap)]
        out.append(u)
        for v, rates in succ[u].items():
            indegree[v] -= len(rates)
            if indegree[v] == 0:
                heapq.heappush(heap, order[v])
    return out if len(out) == len(comp) else None


def _prepare(succ: dict, pred_count: dict, stages: list) -> dict:
    """The chain of one funnel: its stages, transient and final stages, entries, ``Q`` and ``R``."""
    transient = [s for s in stages if succ[s]]
    finals = [s for s in stages if not succ[s]]
    entries = [s for s in stages if pred_count[s] == 0] or stages[:1]
    ti = {s: i for i, s in enumerate(transient)}
    fi = {s: i for i, s in enumerate(finals)}
    Q = np.zeros((len(transient), len(transient)))
    R = np.zeros((len(transient), len(finals)))
    for u in transient:
        for v, rates in succ[u].items():
            for r in rates:
                if v in ti:
                    Q[ti[u], ti[v]] += r
                else:
                    R[ti[u], fi[v]] += r
    return {"stages": stages, "transient": transient, "finals": finals, "entries": entries, "ti": ti, "fi": fi,
            "Q": Q, "R": R}


def _invert(prepared: list[dict]) -> None:
    """``N = (I - Q)^-1`` of every funnel, funnels of the same size inverted together (numpy's
    stacked ``inv`` runs the same LAPACK solve per matrix); AnalysisError naming the first funnel,
    in funnel order, whose loop has no way out."""
    by_size: dict[int, list] = {}
    for p in prepared:
        by_size.setdefault(len(p["transient"]), []).append(p)
    for size, group in by_size.items():
        eye = np.eye(size)
        try:
            inverses = np.linalg.inv(np.stack([eye - p["Q"] for p in group]))
        except np.linalg.LinAlgError:
            inverses = None
        if inverses is not None:
            for p, N in zip(group, inverses):
                p["N"] = N
    for p in prepared:
        if "N" not in p:
            try:
                p["N"] = np.linalg.inv(np.eye(len(p["transient"])) - p["Q"])
            except np.linalg.LinAlgError:
                raise AnalysisError(f"the funnel through '{p['transient'][0]}' loops with no way out (every rate "
                                    f"in the loop is 1); lower a rate so members can drop out or convert") from None


def _one_funnel(G, succ: dict, prepared: dict, payments: dict) -> Funnel:
    stages, transient, finals, entries = (prepared["stages"], prepared["transient"], prepared["finals"],
                                          prepared["entries"])
    ti, fi, R, N = prepared["ti"], prepared["fi"], prepared["R"], prepared["N"]
    B = N @ R
    N_rows, B_rows = N.tolist(), B.tolist()
    B_sums = B.sum(axis=1).tolist() if len(transient) else []

    def visits(entry: str) -> dict:
        if entry in ti:
            row = dict(zip(transient, N_rows[ti[entry]]))
            row.update(zip(finals, B_rows[ti[entry]]))
        else:
            row = {s: (1.0 if s == entry else 0.0) for s in stages}
        return row

    attrs = G.nodes
    sizes = {s: attrs[s].get("size") for s in stages}
    expected = dict.fromkeys(stages, 0.0)
    for e in entries:
        for s, x in visits(e).items():
            expected[s] += (sizes[e] or 0) * x
    per_member: dict = {}
    for s in stages:
        paid = payments.get(s, 0.0)
        if paid <= 0:
            per_member[s] = 0.0
        else:
            per_member[s] = paid / sizes[s] if sizes[s] else None
    entry = entries[0]
    v_entry = visits(entry)
    known = [v_entry[s] * per_member[s] for s in stages if v_entry[s] > 0 and per_member[s] is not None]
    unknown = any(v_entry[s] > 0 and per_member[s] is None for s in stages)
    revenue_per_entrant = None if unknown else float(sum(known))

    out_stages = []
    for s in stages:
        if s in fi:
            reach, drop = 1.0, 0.0
        else:
            reach = B_sums[ti[s]]
            drop = max(0.0, 1.0 - sum(r for rates in succ[s].values() for r in rates))
        out_stages.append(FunnelStage(s, attrs[s].get("name", s), sizes[s], s in entries, s in fi, drop, reach,
                                      expected[s], per_member[s]))
    steps = [FunnelStep(u, v, r) for u in transient for v, rates in succ[u].items() for r in rates]
    order = {s: i for i, s in enumerate(stages)}
    steps.sort(key=lambda st: (order[st.source], order[st.target]))
    bottleneck = min(steps, key=lambda st: st.rate) if steps else None
    conversion = 1.0 if entry in fi else B_sums[ti[entry]]
    return Funnel(stages=out_stages, steps=steps, entry=entry, finals=finals, conversion=conversion,
                  bottleneck=bottleneck, revenue_per_entrant=revenue_per_entrant,
                  expected_converted=float(sum(expected[f] for f in finals)))
