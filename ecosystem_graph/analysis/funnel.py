"""The funnel: CONVERTS_TO chains as an absorbing Markov chain (converted and dropped absorb)."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import eq, itemgetter, methodcaller

import networkx as nx
import numpy as np

from ..errors import AnalysisError
from ..model import OFFERING_KINDS
from .binding import edge_list

__all__ = ["FunnelStage", "FunnelStep", "FunnelLever", "Funnel", "FunnelResult", "funnel", "stage_visits"]


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
    revenue_per_member: float | None  # ecosystem revenue the stage brings / its size (None: pays, size unknown)

    def to_dict(self) -> dict:
        # what dataclasses.asdict gives (no field needs a deep copy), built directly
        return {"id": self.id, "name": self.name, "size": self.size, "entry": self.entry, "final": self.final,
                "drop_rate": self.drop_rate, "reach_final": self.reach_final,
                "expected_members": self.expected_members, "revenue_per_member": self.revenue_per_member}


@dataclass
class FunnelStep:
    """A CONVERTS_TO relationship."""

    source: str
    target: str
    rate: float

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "rate": self.rate}


@dataclass
class FunnelLever:
    """What raising one step's rate brings, all other rates equal (the drop out of its stage falls).

    Exact on the absorbing chain: raising the step ``from -> to`` by ``d`` adds ``d`` to one cell of
    ``Q`` (or ``R``), so by Sherman-Morrison the expected members change by ``d x m(from) / (1 - d x
    N[to, from]) x visits(to)``, with ``m`` the expected members and ``visits(to)`` the expected visits
    from one member of ``to``. ``capped``: the stage's rates out would pass 1, so the raise is cut to
    what is left of its drop rate.
    """

    source: str
    target: str
    rate: float
    elasticity: float | None  # (d converted / d rate) x rate / converted; None when nothing converts
    extra_converted_per_point: float  # rate + 0.01
    extra_converted_per_10pct: float  # rate x 1.1
    extra_revenue_per_10pct: float | None  # None when a stage whose members grow pays but has no size
    capped: bool = False

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "rate": self.rate, "elasticity": self.elasticity,
                "extra_converted_per_point": self.extra_converted_per_point,
                "extra_converted_per_10pct": self.extra_converted_per_10pct,
                "extra_revenue_per_10pct": self.extra_revenue_per_10pct, "capped": self.capped}


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
    levers: list[FunnelLever] = field(default_factory=list)  # every step, highest elasticity first

    @property
    def biggest_lever(self) -> FunnelLever | None:
        """The step whose rate moves the final conversions most (the first lever)."""
        return self.levers[0] if self.levers else None

    def to_dict(self) -> dict:
        return {"entry": self.entry, "finals": self.finals, "conversion": self.conversion,
                "bottleneck": self.bottleneck.to_dict() if self.bottleneck else None,
                "biggest_lever": self.levers[0].to_dict() if self.levers else None,
                "revenue_per_entrant": self.revenue_per_entrant, "expected_converted": self.expected_converted,
                "stages": [s.to_dict() for s in self.stages], "steps": [s.to_dict() for s in self.steps],
                "levers": [x.to_dict() for x in self.levers]}


@dataclass
class FunnelResult:
    """Every funnel of the model (weakly connected groups of CONVERTS_TO relationships).

    :func:`funnel` computes the figures of funnels of one shape together and keeps them as columns
    (``columns``, one :class:`_FunnelColumns` per shape; ``order``: ``(columns, member)`` in funnel
    order); ``funnels``, the :class:`Funnel` objects, is built from them on first access and kept
    (``to_dict`` reads the columns directly).
    """

    columns: list = field(default_factory=list, repr=False)
    order: list = field(default_factory=list, repr=False)
    _funnels: list | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def funnels(self) -> list[Funnel]:
        """The funnels, ordered by their first stage in model order."""
        if self._funnels is None:
            self._funnels = [c.funnel(j) for c, j in self.order]
        return self._funnels

    @funnels.setter
    def funnels(self, funnels: list[Funnel]) -> None:
        self._funnels = list(funnels)
        self.columns, self.order = [], []

    def by_id(self) -> dict[str, FunnelStage]:
        return {s.id: s for f in self.funnels for s in f.stages}

    def to_dict(self) -> dict:
        if self._funnels is not None:
            return {"funnels": [f.to_dict() for f in self._funnels]}
        return {"funnels": [c.funnel_dict(j) for c, j in self.order]}


def funnel(G: nx.MultiDiGraph, *, edges: list | None = None) -> FunnelResult | None:
    """The funnels of the model as absorbing Markov chains; None when there is no CONVERTS_TO.

    A stage with CONVERTS_TO out of it is transient: it moves to each next stage with the step's rate
    and drops out with ``1 - sum(rates)``; a stage with none is final (converted, absorbing). With
    ``Q`` the transient-to-transient rates, ``N = (I - Q)^-1`` gives expected visits and ``N R`` the
    absorption probabilities (Kemeny & Snell). Each funnel's levers (:class:`FunnelLever`) follow from
    ``N`` in closed form. Funnels of one shape are solved together (stacked inverses). The readable
    definitions, one funnel at a time and the levers by solving again with each rate raised:
    :func:`ecosystem_graph.analysis.reference.funnels` and :func:`~ecosystem_graph.analysis.reference.funnel_levers`.

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

    Levers: in a chain each step has elasticity 1; one point more on flyby -> known brings 1000 x 0.01
    more known members, of whom 0.2 convert:

    >>> [(x.source, round(x.elasticity, 6), round(x.extra_converted_per_point, 6)) for x in f.levers]
    [('flyby', 1.0, 2.0), ('known', 1.0, 1.0)]
    """
    if edges is None:
        edges = edge_list(G)
    # the relationships by type without a Python-level step per relationship (most are not CONVERTS_TO)
    types = list(map(methodcaller("get", "type"), map(itemgetter(3), edges)))
    succ: dict = {}  # stage -> {next stage: [rates of the steps, model order]}
    targets = []
    for u, v, _, d in compress(edges, map(eq, types, repeat("CONVERTS_TO"))):
        r = float(d.get("rate") or 0.0)
        targets.append(v)
        out = succ.get(u)
        if out is None:
            succ[u] = {v: [r]}
        elif v in out:
            out[v].append(r)
        else:
            out[v] = [r]
    for v in targets:
        if v not in succ:
            succ[v] = {}
    pred_count = dict.fromkeys(succ, 0)  # stage -> number of steps into it
    pred_count.update(Counter(targets))
    if not succ:
        return None
    payments = _stage_revenue(G, edges, types, succ)
    order = {n: i for i, n in enumerate(filter(succ.__contains__, G))}  # stages' model order
    funnels = _chains(succ, pred_count, order)
    rest = [s for s in succ if s not in funnels.members]
    for comp in _components(succ, rest, order):
        stages = _topological(comp, succ, pred_count, order) or comp  # model order if the steps loop
        funnels.add(order[comp[0]], stages, succ, pred_count)
    columns = _solve(G, funnels, succ, pred_count, payments)
    return FunnelResult(columns=columns, order=_funnel_order(columns))


class _Funnels:
    """The funnels found, each as its stages and the rates of its steps, grouped by :class:`_Layout`."""

    def __init__(self) -> None:
        self.members: set = set()  # stages of the funnels so far
        self.groups: dict = {}  # layout key -> (layout, [(funnel position key, stages, rates)])

    def add_chain(self, first: int, stages: list, rates: list) -> None:
        key = len(stages)
        group = self.groups.get(key)
        if group is None:
            n = len(stages)
            group = self.groups[key] = (_Layout(n, [(i, i + 1) for i in range(n - 1)]), [])
        group[1].append((first, stages, rates))

    def add(self, first: int, stages: list, succ: dict, pred_count: dict) -> None:
        at = {s: i for i, s in enumerate(stages)}
        steps = []
        rates = []
        for u in stages:
            for v, rs in succ[u].items():
                for r in rs:
                    steps.append((at[u], at[v]))
                    rates.append(r)
        entries = tuple(i for i, s in enumerate(stages) if pred_count[s] == 0)
        key = (len(stages), tuple(steps), entries)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = (_Layout(len(stages), steps, entries), [])
        group[1].append((first, stages, rates))


class _Layout:
    """The shape of a funnel, shared by every funnel with the same shape: ``n`` stages (funnel order),
    its steps as ``(from, to)`` stage positions (in the order the transient stages are listed, each
    stage's steps in model order: the order Q and R are filled in), the entry positions."""

    def __init__(self, n: int, steps: list, entries: tuple | None = None) -> None:
        self.n = n
        self.steps = steps
        has_out = [False] * n
        for i, _ in steps:
            has_out[i] = True
        if entries is None:
            entries = tuple(sorted(set(range(n)) - {j for _, j in steps}))
        self.entries = list(entries) or [0]
        self.transient = [i for i in range(n) if has_out[i]]
        self.finals = [i for i in range(n) if not has_out[i]]
        ti = {s: k for k, s in enumerate(self.transient)}
        fi = {s: k for k, s in enumerate(self.finals)}
        self.ti = ti
        # a stage's visits from a transient entry: row of N (transient) or of B = N R (final)
        self.slots = [(True, ti[i]) if has_out[i] else (False, fi[i]) for i in range(n)]
        self.q_cells = [(e, ti[i], ti[j]) for e, (i, j) in enumerate(steps) if has_out[j]]
        self.r_cells = [(e, ti[i], fi[j]) for e, (i, j) in enumerate(steps) if not has_out[j]]
        # each transient stage's steps are consecutive: [start, stop) into the rates
        self.out_span = {}
        for e, (i, _) in enumerate(steps):
            a, _ = self.out_span.get(i, (e, e))
            self.out_span[i] = (a, e + 1)
        # FunnelStep order: by (from, to) position, stable
        self.step_order = sorted(range(len(steps)), key=lambda e: steps[e])


def stage_visits(N: np.ndarray, B: np.ndarray, transient: list, finals: list, ti: dict, n: int,
                 entry: int) -> np.ndarray:
    """Expected visits of each stage from one entrant of stage position ``entry``, for a stack of funnels
    of one shape (or one funnel per draw).

    Parameters
    ----------
    N : ndarray, shape (m, t, t)
        ``(I - Q)^-1`` of each of the ``m`` funnels: expected visits of transient stages from transient stages.
    B : ndarray, shape (m, t, f)
        ``N R``: the probability of ending in each final stage from each transient stage.
    transient, finals : list of int
        The stage positions of the transient stages (with a way out) and of the final stages.
    ti : dict
        A transient stage position -> its index in ``N``.
    n : int
        The number of stages.
    entry : int
        The entrant's stage position (a final entry is visited once and left no more).

    Returns
    -------
    ndarray, shape (m, n)
        Visits of every stage position, funnel by funnel.

    Examples
    --------
    Two stages, the first converting to the second at 0.4 (N = 1, B = 0.4):

    >>> stage_visits(np.ones((1, 1, 1)), np.full((1, 1, 1), 0.4), [0], [1], {0: 0}, 2, 0).tolist()
    [[1.0, 0.4]]
    >>> stage_visits(np.ones((1, 1, 1)), np.full((1, 1, 1), 0.4), [0], [1], {0: 0}, 2, 1).tolist()
    [[0.0, 1.0]]
    """
    out = np.zeros((len(N), n))
    if entry in ti:
        out[:, transient] = N[:, ti[entry], :]
        out[:, finals] = B[:, ti[entry], :]
    else:
        out[:, entry] = 1.0
    return out


def _stage_revenue(G, edges: list, types: list, stages: dict) -> dict[str, float]:
    """The ecosystem revenue each stage brings, added in model order: every PAYS into an offering (core,
    satellite, channel) whose payer is the stage, or - for a linked PAYS - whose chain of ``share_of`` starts
    at a payment of the stage (an app store's payout of the subscribers' in-app payments). What the stage
    pays a partner and never reaches an offering (a marketplace seller's share, an app store's cut) is not
    the ecosystem's revenue."""
    pays = list(compress(edges, map(eq, types, repeat("PAYS"))))
    by_id = {d["id"]: (u, d) for u, _, _, d in pays if d.get("id") is not None}
    nodes = G.nodes
    payments: dict[str, float] = {}
    for u, v, _, d in pays:
        if nodes[v].get("kind") not in OFFERING_KINDS:
            continue
        payer, link, seen = u, d.get("share_of"), set()
        while link in by_id and link not in seen:  # up the chain of shares to the payment it starts from
            seen.add(link)
            payer, root = by_id[link]
            link = root.get("share_of")
        if payer in stages:
            payments[payer] = payments.get(payer, 0.0) + float(d.get("amount") or 0.0)
    return payments


def _chains(succ: dict, pred_count: dict, order: dict) -> _Funnels:
    """The funnels that are plain chains (entry -> ... -> final, one step between consecutive stages,
    nothing else into or out of them), found by walking on from each entry; the stage order is the
    chain's (its only topological order). The other stages are left for :func:`_components`."""
    funnels = _Funnels()
    members = funnels.members
    for head, count in pred_count.items():
        if count:
            continue
        stages, rates, u = [head], [], head
        while True:
            out = succ[u]
            if not out:
                break
            if len(out) != 1:
                stages = None
                break
            ((v, rs),) = out.items()
            if len(rs) != 1 or pred_count[v] != 1:
                stages = None
                break
            stages.append(v)
            rates.append(rs[0])
            u = v
        if stages is not None:
            funnels.add_chain(min(map(order.__getitem__, stages)), stages, rates)
            members.update(stages)
    return funnels


def _components(succ: dict, stages: list, order: dict) -> list[list]:
    """Weakly connected groups of ``stages`` (whole groups: no step leaves them), each in model order."""
    undirected: dict = {u: set(succ[u]) for u in stages}
    for u in stages:
        for v in succ[u]:
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
    """The chain of one funnel: its stages, transient and final stages, entries, ``Q`` and ``R`` (the
    plain definition, one funnel at a time; :func:`_solve` fills the same cells for many at once)."""
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


def _solve(G, funnels: _Funnels, succ: dict, pred_count: dict, payments: dict) -> list[_FunnelColumns]:
    """Every funnel as an absorbing chain, the funnels of one layout together: ``Q`` and ``R`` filled
    column by column (each cell adds its rates in the order one funnel at a time adds them), ``N = (I -
    Q)^-1`` by numpy's stacked ``inv`` (the same LAPACK solve per matrix), ``B = N R`` by stacked
    ``matmul`` (the same BLAS call per matrix): the bits of solving the funnels one by one.
    AnalysisError naming the first funnel, in funnel order, whose loop has no way out."""
    solved = []
    failed = []  # (funnel position, first transient stage) of funnels whose loop has no way out
    for layout, members in funnels.groups.values():
        k, n_t, n_f = len(members), len(layout.transient), len(layout.finals)
        rates = np.array([r for _, _, r in members], dtype=float).reshape(k, len(layout.steps))
        Q = np.zeros((k, n_t, n_t))
        R = np.zeros((k, n_t, n_f))
        for e, a, b in layout.q_cells:
            Q[:, a, b] += rates[:, e]
        for e, a, c in layout.r_cells:
            R[:, a, c] += rates[:, e]
        try:
            N = np.linalg.inv(np.eye(n_t) - Q)
        except np.linalg.LinAlgError:  # some funnel of this layout has a closed loop: which, one at a time
            for first, stages, _ in members:
                p = _prepare(succ, pred_count, stages)
                try:
                    np.linalg.inv(np.eye(n_t) - p["Q"])
                except np.linalg.LinAlgError:
                    failed.append((first, p["transient"][0]))
            continue
        if not failed:
            solved.append(_FunnelColumns(G, layout, members, rates, N, N @ R, payments))
    if failed:
        stage = min(failed)[1]
        raise AnalysisError(f"the funnel through '{stage}' loops with no way out (every rate in the loop is 1); "
                            f"lower a rate so members can drop out or convert")
    return solved


def _funnel_order(columns: list) -> list[tuple]:
    """``(columns, member)`` of every funnel, ordered by the funnel's first stage in model order."""
    keyed = [(first, c, j) for c in columns for j, (first, _, _) in enumerate(c.members)]
    keyed.sort(key=itemgetter(0))
    return [(c, j) for _, c, j in keyed]


class _FunnelColumns:
    """The figures of the funnels of one layout as columns: per stage (``k x n`` lists, funnel by
    funnel) and per funnel (length ``k``), computed for all of them at once.

    Column by column, with the operations a loop over one funnel's stages does and in the same order
    (so the same bits): expected members add ``size * visits`` entry by entry onto 0.0; revenue per
    entrant adds ``visits * revenue per member`` stage by stage onto 0.0, skipping stages not visited;
    drop rates are ``max(0.0, 1.0 - rates added up)``; the bottleneck is the first step of lowest rate.
    """

    def __init__(self, G, layout: _Layout, members: list, rates: np.ndarray, N: np.ndarray, B: np.ndarray,
                 payments: dict) -> None:
        k, n = len(members), layout.n
        transient, finals, entries, ti = layout.transient, layout.finals, layout.entries, layout.ti
        self.layout, self.members = layout, members
        nodes = G.nodes
        ids = [st for _, stages, _ in members for st in stages]  # k x n, funnel by funnel
        attrs = [nodes[st] for st in ids]
        sizes = [a.get("size") for a in attrs]
        self.ids, self.sizes = ids, sizes
        self.names = [a.get("name", st) for a, st in zip(attrs, ids)]
        weight = np.array([float(x or 0) for x in sizes]).reshape(k, n)  # (size or 0) as int * float does
        sums = B.sum(axis=2)  # P(absorbed in a final stage) from each transient stage

        def visits(e: int) -> np.ndarray:
            return stage_visits(N, B, transient, finals, ti, n, e)

        v_entry = visits(entries[0])
        expected = np.zeros((k, n))
        for e in entries:
            expected = expected + weight[:, e:e + 1] * (v_entry if e == entries[0] else visits(e))
        paid = np.array([payments.get(st, 0.0) for st in ids], dtype=float).reshape(k, n)
        pays = ~(paid <= 0)
        unknown_size = pays & ~np.array([bool(x) for x in sizes]).reshape(k, n)  # pays, size None or 0
        per_member = np.zeros((k, n))
        np.divide(paid, weight, out=per_member, where=pays & ~unknown_size)
        visited = v_entry > 0
        per_entrant = np.zeros(k)
        for i in range(n):
            take = visited[:, i] & ~unknown_size[:, i]
            per_entrant = np.where(take, per_entrant + v_entry[:, i] * per_member[:, i], per_entrant)
        reach = np.ones((k, n))
        reach[:, transient] = sums
        drop = np.zeros((k, n))
        totals = np.zeros((k, n))  # rates out of each stage, added up
        for i in transient:
            a, b = layout.out_span[i]
            total = np.zeros(k)
            for e in range(a, b):
                total = total + rates[:, e]
            totals[:, i] = total
            left = 1.0 - total
            drop[:, i] = np.where(left > 0.0, left, 0.0)
        converted = np.zeros(k)
        for f in finals:
            converted = converted + expected[:, f]

        self.drop, self.reach, self.expected = drop.ravel().tolist(), reach.ravel().tolist(), expected.ravel().tolist()
        self.per_member = per_member.ravel().tolist()
        for j in np.flatnonzero(unknown_size.ravel()).tolist():
            self.per_member[j] = None
        self.conversion = (np.ones(k) if entries[0] not in ti else sums[:, ti[entries[0]]]).tolist()
        self.per_entrant = per_entrant.tolist()
        for j in np.flatnonzero((visited & unknown_size).any(axis=1)).tolist():
            self.per_entrant[j] = None
        self.converted = converted.tolist()
        self.is_entry = [i in entries for i in range(n)]
        self.is_final = [i not in ti for i in range(n)]
        # steps in FunnelStep order; the bottleneck: the first of the lowest rate (min() keeps the first)
        self.step_order = [(e, *layout.steps[e]) for e in layout.step_order]
        ordered = rates[:, layout.step_order]
        if not len(layout.steps):
            self.bottleneck = [None] * k
        elif np.isnan(ordered).any():  # NaN is never lower: min() over the rates as Python compares them
            self.bottleneck = [min(range(len(row)), key=row.__getitem__) for row in ordered.tolist()]
        else:
            self.bottleneck = np.argmin(ordered, axis=1).tolist()
        self._levers(rates, N, expected, reach, totals, per_member, unknown_size, converted, visits)

    def _levers(self, rates, N, expected, reach, totals, per_member, unknown_size, converted, visits) -> None:
        """Every step's :class:`FunnelLever` figures as ``k x steps`` lists in FunnelStep order, for all
        funnels of the layout at once, and ``lever_rank``: each funnel's steps by elasticity, highest
        first (elasticities equal to 9 decimals in step order).

        Raising step ``a -> b`` by ``d`` adds ``d`` to one cell of ``Q`` (``R`` when ``b`` is final):
        ``N' = N + d N[:, a] N[b, :] / (1 - d N[b, a])`` (Sherman-Morrison), so every stage's expected
        members grow by ``d x m_a / (1 - d N[b, a]) x visits_b`` (``m_a``: expected members of ``a``,
        ``visits_b``: expected visits from one member of ``b``, which reach a final stage ``reach_b``
        times); the derivative at ``d = 0`` is ``m_a x reach_b``.
        """
        layout = self.layout
        k, ti = rates.shape[0], layout.ti
        cols = len(layout.step_order)
        known_pm = np.where(unknown_size, 0.0, per_member)
        per_visit = {}  # target position -> (revenue of one member's visits on, unknown?)
        for b in {layout.steps[e][1] for e in layout.step_order}:
            v = visits(b)
            per_visit[b] = ((v * known_pm).sum(axis=1), ((v > 0) & unknown_size).any(axis=1))
        elasticity = np.full((k, cols), np.nan)
        per_point, per_10, revenue_10 = np.zeros((k, cols)), np.zeros((k, cols)), np.zeros((k, cols))
        capped = np.zeros((k, cols), dtype=bool)
        has_converted = converted > 0
        safe_converted = np.where(has_converted, converted, 1.0)
        for col, e in enumerate(layout.step_order):
            a, b = layout.steps[e]
            r, m, reach_b = rates[:, e], expected[:, a], reach[:, b]
            back = N[:, ti[b], ti[a]] if b in ti else np.zeros(k)  # visits of `a` from one member of `b`
            room = np.maximum(0.0, 1.0 - totals[:, a])  # what is left of the drop rate
            d_point, d_10 = np.minimum(0.01, room), np.minimum(0.1 * r, room)
            capped[:, col] = (d_point < 0.01) | (d_10 < 0.1 * r)
            grown = []
            for d in (d_point, d_10):
                # 1 - d N[b, a] <= 0 only when the raise closes a loop with no way out, from which
                # nothing reaches a final stage (reach_b = 0): no extra conversion, revenue unknown
                den = 1.0 - d * back
                ok = den > 1e-12
                grown.append((np.where(ok, d * m / np.where(ok, den, 1.0), 0.0), ok))
            (g_point, _), (g_10, ok_10) = grown
            per_point[:, col] = g_point * reach_b
            per_10[:, col] = g_10 * reach_b
            pay, unknown = per_visit[b]
            revenue_10[:, col] = np.where(ok_10 & ~(unknown & (g_10 != 0)), g_10 * pay, np.nan)
            elasticity[:, col] = np.where(has_converted, m * reach_b * r / safe_converted, np.nan)
        key = np.where(np.isnan(elasticity), np.inf, -np.round(elasticity, 9))
        self.lever_rank = np.lexsort((np.broadcast_to(np.arange(cols), (k, cols)), key), axis=-1).tolist()
        self.lever_elasticity = _nan_to_none(elasticity)
        self.lever_per_point, self.lever_per_10 = per_point.tolist(), per_10.tolist()
        self.lever_revenue_10 = _nan_to_none(revenue_10)
        self.lever_capped = capped.tolist()

    def funnel(self, j: int) -> Funnel:
        """The :class:`Funnel` of member ``j``."""
        n = self.layout.n
        at = slice(j * n, (j + 1) * n)
        _, stages, rates = self.members[j]
        steps = [FunnelStep(stages[a], stages[b], rates[e]) for e, a, b in self.step_order]
        best = self.bottleneck[j]
        entry = self.layout.entries[0]
        return Funnel(
            stages=list(map(FunnelStage, self.ids[at], self.names[at], self.sizes[at], self.is_entry,
                            self.is_final, self.drop[at], self.reach[at], self.expected[at], self.per_member[at])),
            steps=steps, entry=stages[entry], finals=[stages[i] for i in self.layout.finals],
            conversion=self.conversion[j], bottleneck=None if best is None else steps[best],
            revenue_per_entrant=self.per_entrant[j], expected_converted=self.converted[j],
            levers=[FunnelLever(steps[c].source, steps[c].target, steps[c].rate, *figures)
                    for c, figures in self._lever_rows(j)])

    def _lever_rows(self, j: int) -> list[tuple]:
        """Member ``j``'s levers, ranked: ``(step column, (elasticity, extra per point, extra per 10%,
        extra revenue per 10%, capped))``."""
        el, pp, p10 = self.lever_elasticity[j], self.lever_per_point[j], self.lever_per_10[j]
        rev, cap = self.lever_revenue_10[j], self.lever_capped[j]
        return [(c, (el[c], pp[c], p10[c], rev[c], cap[c])) for c in self.lever_rank[j]]

    def funnel_dict(self, j: int) -> dict:
        """``funnel(j).to_dict()`` straight from the columns."""
        n = self.layout.n
        at = slice(j * n, (j + 1) * n)
        _, stages, rates = self.members[j]
        steps = [{"from": stages[a], "to": stages[b], "rate": rates[e]} for e, a, b in self.step_order]
        best = self.bottleneck[j]
        levers = [{**steps[c], "elasticity": el, "extra_converted_per_point": pp, "extra_converted_per_10pct": p10,
                   "extra_revenue_per_10pct": rev, "capped": cap}
                  for c, (el, pp, p10, rev, cap) in self._lever_rows(j)]
        return {"entry": stages[self.layout.entries[0]], "finals": [stages[i] for i in self.layout.finals],
                "conversion": self.conversion[j], "bottleneck": None if best is None else dict(steps[best]),
                "biggest_lever": dict(levers[0]) if levers else None,
                "revenue_per_entrant": self.per_entrant[j], "expected_converted": self.converted[j],
                "stages": [{"id": i, "name": nm, "size": sz, "entry": en, "final": fi, "drop_rate": dr,
                            "reach_final": re, "expected_members": ex, "revenue_per_member": pm}
                           for i, nm, sz, en, fi, dr, re, ex, pm in zip(
                               self.ids[at], self.names[at], self.sizes[at], self.is_entry, self.is_final,
                               self.drop[at], self.reach[at], self.expected[at], self.per_member[at])],
                "steps": steps, "levers": levers}


def _nan_to_none(values: np.ndarray) -> list:
    """``values.tolist()`` with NaN as None (JSON null)."""
    out = values.tolist()
    for j, c in zip(*np.nonzero(np.isnan(values))):
        out[j][c] = None
    return out
