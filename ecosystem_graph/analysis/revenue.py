"""Revenue flows (e3value-style net value flow), revenue by stream and segment, dependency, concentration."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

import networkx as nx
import numpy as np

from ..model import CORE, EXTERNAL_KINDS, OFFERING_KINDS, OUTER_OFFERING_KINDS, SEGMENT
from .binding import BindingIndex
from .rows import lazy_rows

__all__ = ["NodeFlow", "NodeFlows", "RevenueResult", "revenue_flows", "hhi", "path_weight"]


@dataclass
class NodeFlow:
    """Money per period into and out of one node; ``net = inflow - outflow``."""

    id: str
    kind: str
    inflow: float
    outflow: float
    net: float

    def to_dict(self) -> dict:
        # the dict dataclasses.asdict gives (str and float fields: nothing to copy deeply), built directly
        return {"id": self.id, "kind": self.kind, "inflow": self.inflow, "outflow": self.outflow, "net": self.net}


@dataclass(eq=False)
class NodeFlows:
    """The :class:`NodeFlow` figures of every node as columns, in model order.

    ``ids`` and ``kinds`` are lists, ``inflow``, ``outflow`` and ``net`` float arrays: what
    :func:`revenue_flows` computes (one ``bincount`` per column instead of a dict update per payment).
    """

    ids: list
    kinds: list
    inflow: np.ndarray
    outflow: np.ndarray
    net: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def __eq__(self, other) -> bool:
        if not isinstance(other, NodeFlows):
            return NotImplemented
        return (self.ids == other.ids and self.kinds == other.kinds
                and all(np.array_equal(a, b) for a, b in ((self.inflow, other.inflow), (self.outflow, other.outflow),
                                                          (self.net, other.net))))

    def rows(self) -> list[NodeFlow]:
        """One :class:`NodeFlow` per node, model order."""
        return list(map(NodeFlow, self.ids, self.kinds, self.inflow.tolist(), self.outflow.tolist(),
                        self.net.tolist()))

    def to_dicts(self) -> list[dict]:
        """``[row.to_dict() for row in rows()]`` straight from the columns."""
        return [{"id": n, "kind": k, "inflow": i, "outflow": o, "net": x}
                for n, k, i, o, x in zip(self.ids, self.kinds, self.inflow.tolist(), self.outflow.tolist(),
                                         self.net.tolist())]


def _payment_rows(payment_columns: tuple) -> list[dict]:
    pays, amounts, streams = payment_columns
    return [{"id": d.get("id") or k, "from": u, "to": v, "amount": a, "stream": st,
             "share_of": d.get("share_of"), "share": d.get("share")}
            for (u, v, k, d), a, st in zip(pays, amounts, streams)]


@dataclass
class RevenueResult:
    """Every money figure of a model (the vocabulary and formulas are in docs/metrics.md).

    The per-node flows are held as columns (``flows``); ``nodes``, the list of :class:`NodeFlow` rows,
    is built from them on first access and kept (``to_dict`` reads the columns directly).
    """

    flows: NodeFlows | None = field(default=None, repr=False)
    ecosystem_revenue: float = 0.0  # PAYS from segments/partners into cores, satellites and channels
    core_revenue: float = 0.0  # the part of it paid into cores
    revenue_by_offering: dict[str, float] = field(default_factory=dict)  # every offering, model order
    pass_through: dict[str, float] = field(default_factory=dict)  # linked PAYS paid on from what a node received
    ecosystem_payouts: float = 0.0  # PAYS from offerings to segments/partners
    ecosystem_net: float = 0.0  # ecosystem_revenue - ecosystem_payouts
    payment_columns: tuple | None = field(default=None, repr=False, compare=False)  # (pays, amounts, streams)
    by_stream: dict[str, float] = field(default_factory=dict)
    by_segment: dict[str, float] = field(default_factory=dict)
    dependency: dict[str, float] = field(default_factory=dict)  # share of ecosystem revenue
    dependent_revenue: dict[str, float] = field(default_factory=dict)  # the same in money
    direct_revenue: float = 0.0  # attributed to binding paths with no satellite/channel between
    unbound_revenue: float = 0.0  # paid by payers without a binding path to that offering
    hhi: dict = field(default_factory=dict)  # {"payers": 0..10000 | None, "payees": ...}
    paths_truncated: int = 0  # payers whose path enumeration hit the cap
    currency: str | None = None
    money_unit: str | None = None
    _nodes: list | None = field(default=None, init=False, repr=False, compare=False)
    _payments: list | None = field(default=None, init=False, repr=False, compare=False)

    payments = lazy_rows("payment_columns", _payment_rows, doc=(
        """Every PAYS with its resolved amount (derived for a linked one): ``{id, from, to, amount, stream,
        share_of, share}``, ``id`` the relationship id or its edge key ``TYPE#n``, ``stream``
        ``"unspecified"`` when unset; in the graph's order (built on first access)."""))
    nodes = lazy_rows("flows", doc="Inflow, outflow and net of every node, model order (built from ``flows`` once).")

    def by_id(self) -> dict[str, NodeFlow]:
        return {n.id: n for n in self.nodes}

    @property
    def note(self) -> str | None:
        if self.paths_truncated:
            return (f"binding paths of {self.paths_truncated} payer(s) hit the path cap; their revenue "
                    f"is attributed over the paths found")
        return None

    def to_dict(self, nodes: list[NodeFlow] | None = None) -> dict:
        """The JSON of the section; ``nodes``: the rows to list (default: every node, model order)."""
        if nodes is not None:
            nodes = [n.to_dict() for n in nodes]
        else:
            nodes = (self.flows.to_dicts() if self._nodes is None and self.flows is not None
                     else [n.to_dict() for n in self.nodes])
        return {
            "currency": self.currency, "money_unit": self.money_unit,
            "ecosystem_revenue": self.ecosystem_revenue, "core_revenue": self.core_revenue,
            "revenue_by_offering": self.revenue_by_offering, "pass_through": self.pass_through,
            "ecosystem_payouts": self.ecosystem_payouts, "ecosystem_net": self.ecosystem_net,
            "nodes": nodes, "payments": self.payments,
            "by_stream": self.by_stream, "by_segment": self.by_segment,
            "dependency": self.dependency, "dependent_revenue": self.dependent_revenue,
            "direct_revenue": self.direct_revenue, "unbound_revenue": self.unbound_revenue,
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
    """Net value flow of every node, ecosystem revenue and its split, dependency, concentration.

    Every total is a ``bincount`` or ``cumsum`` over the payments as columns (the doubles of adding them
    one by one in model order); the attribution walks the binding paths of each (payer, payee) pair once.
    The readable definitions: :func:`ecosystem_graph.analysis.reference.revenue` and
    :func:`~ecosystem_graph.analysis.reference.dependent_revenue`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("shop", "core"), ("app", "channel"), ("fans", "segment")]:
    ...     G.add_node(n, kind=k, name=n)
    >>> _ = G.add_edge("fans", "shop", type="PAYS", amount=100.0, stream="purchase")
    >>> _ = G.add_edge("fans", "app", type="USES"); _ = G.add_edge("app", "shop", type="FEEDS")
    >>> r = revenue_flows(G)
    >>> r.ecosystem_revenue, r.core_revenue, r.dependency, r.by_id()["fans"].net
    (100.0, 100.0, {'app': 1.0}, -100.0)
    """
    if index is None:
        index = BindingIndex(G, depth=depth, max_paths=max_paths)
    kind = index.kind
    ids = list(G)
    # kinds in model order: index.kind is G's node order unless G changed since the index was built
    kinds = list(kind.values()) if list(kind) == ids else [kind.get(n, "") for n in ids]
    pays = index.by_type.get("PAYS", [])
    m = len(pays)
    # The payments as columns: payer and payee positions (model order), amounts. Every sum below is
    # np.bincount or np.cumsum: both add in input order, so each total is bit-identical to adding the
    # payments one by one in model order as a loop over them would.
    pos = dict(zip(ids, range(len(ids))))
    src = np.fromiter(map(pos.__getitem__, map(itemgetter(0), pays)), dtype=np.intp, count=m)
    dst = np.fromiter(map(pos.__getitem__, map(itemgetter(1), pays)), dtype=np.intp, count=m)
    # amounts, streams and linked payments read in one visit to each relationship's data (shared with
    # the keystones); np.array converts each amount as float() does. A linked payment (share_of)
    # carries its derived amount.
    amount_list, streams, linked = index.pays_columns()
    amounts = np.array(amount_list, dtype=float)
    inflow = np.bincount(dst, weights=amounts, minlength=len(ids)) if m else np.zeros(len(ids))
    outflow = np.bincount(src, weights=amounts, minlength=len(ids)) if m else np.zeros(len(ids))
    amount_list = amounts.tolist()
    payment_columns = (pays, amount_list, streams)

    # node kinds as small codes: the revenue payments go from segments/partners into cores/satellites/channels
    codes = {k: i for i, k in enumerate(dict.fromkeys(kinds))}
    kcode = np.fromiter(map(codes.__getitem__, kinds), dtype=np.intp, count=len(kinds))

    def flags(test) -> np.ndarray:
        return np.array([bool(test(k)) for k in codes], dtype=bool)[kcode]

    is_ext, is_eco = flags(EXTERNAL_KINDS.__contains__), flags(OFFERING_KINDS.__contains__)
    is_seg, is_core = flags(lambda k: k == SEGMENT), flags(lambda k: k == CORE)
    sel = np.flatnonzero(is_ext[src] & is_eco[dst])  # the revenue payments, model order
    r_src, r_dst, r_amount = src[sel], dst[sel], amounts[sel]
    revenue = _running_sum(r_amount)
    payouts = _running_sum(amounts[np.flatnonzero(is_eco[src] & is_ext[dst])])
    _, by_payer = _grouped(r_src, r_amount)
    payees, by_payee = _grouped(r_dst, r_amount)
    into = dict(zip(payees.tolist(), by_payee.tolist()))
    by_offering = {ids[i]: into.get(i, 0.0) for i in np.flatnonzero(is_eco).tolist()}
    seg = is_seg[r_src]
    segments, by_segment = _grouped(r_src[seg], r_amount[seg])
    # streams: a few distinct names, coded by first appearance
    streams = [streams[i] for i in sel.tolist()]
    stream_code = {st: i for i, st in enumerate(dict.fromkeys(streams))}
    code = np.fromiter(map(stream_code.__getitem__, streams), dtype=np.intp, count=len(streams))
    by_stream = np.bincount(code, weights=r_amount, minlength=len(stream_code))
    core_revenue = _running_sum(r_amount[np.flatnonzero(is_core[r_dst])])

    # pass-through: linked payments out of the node that received the flow they are a share of
    pass_through: dict[str, float] = {}
    if linked:
        payee_of = {e[2]: e[1] for e in pays}
        for i in linked:
            u, _, _, d = pays[i]
            if payee_of.get(d["share_of"]) == u:
                pass_through[u] = pass_through.get(u, 0.0) + amount_list[i]
        pass_through = {n: pass_through[n] for n in sorted(pass_through, key=pos.__getitem__)
                        if pass_through[n] > 0}

    # dependency: every revenue payment, summed per (payer, payee), split over the binding paths
    # from payer to payee; the payee's own revenue counts in full for itself
    pair_pay: dict[tuple, float] = {}
    for u, v, a in zip(r_src.tolist(), r_dst.tolist(), r_amount.tolist()):
        key = (ids[u], ids[v])
        pair_pay[key] = pair_pay.get(key, 0.0) + a
    dependent = {n: by_offering[n] for n, k in kind.items() if k in OUTER_OFFERING_KINDS}
    direct = unbound = 0.0
    truncated_payers = set()
    reaching = index.reaching
    for (payer, payee), amount in pair_pay.items():
        if kind.get(payee) == CORE:
            records, truncated = index.path_records(payer)
            to_payee = []
            for step, rest in records:
                _, _, _, _, factors, end, between = index.suffix_info(rest)
                if (end if rest else step[1]) == payee:
                    to_payee.append((step, rest, factors, between))
        elif payer not in reaching(payee):  # no binding path (most payments into satellites)
            unbound += amount
            continue
        else:
            records, truncated = index.paths_to(payer, payee)
            to_payee = []
            for step, rest in records:
                _, _, _, _, factors, _, between = index.suffix_info(rest)
                to_payee.append((step, rest, factors, between))
        if truncated:
            truncated_payers.add(payer)
        if not to_payee:
            unbound += amount
            continue
        # path_weight: the product of the weights along the path, first step first
        weights = []
        for (_, _, _, d), _, factors, _ in to_payee:
            value = d.get("share" if d.get("type") == "USES" else "strength")
            w = 1.0 * (1.0 if value is None else float(value))
            for f in factors:
                w *= f
            weights.append(w)
        total_w = sum(weights)
        if total_w <= 0:
            weights, total_w = [1.0] * len(to_payee), float(len(to_payee))
        for (step, rest, _, between_rest), w in zip(to_payee, weights):
            part = amount * w / total_w
            # satellites and channels entered before the last step: the first step's target (when
            # the path goes on) and those of the rest
            if rest and kind.get(step[1]) in OUTER_OFFERING_KINDS:
                between = [step[1], *between_rest]
            else:
                between = between_rest
            if not between:
                direct += part
            for node in dict.fromkeys(between):
                if node != payee:
                    dependent[node] += part
    dependency = {n: (a / revenue if revenue > 0 else 0.0) for n, a in dependent.items()}
    return RevenueResult(
        flows=NodeFlows(ids, kinds, inflow, outflow, inflow - outflow), ecosystem_revenue=revenue,
        core_revenue=core_revenue, revenue_by_offering=by_offering, pass_through=pass_through,
        ecosystem_payouts=payouts, ecosystem_net=revenue - payouts, payment_columns=payment_columns,
        by_stream=_ranked(list(stream_code), np.arange(len(stream_code)), by_stream),
        by_segment=_ranked(ids, segments, by_segment),
        dependency=dependency, dependent_revenue=dependent, direct_revenue=direct,
        unbound_revenue=unbound, hhi={"payers": _hhi(by_payer), "payees": _hhi(by_payee)},
        paths_truncated=len(truncated_payers), currency=G.graph.get("currency"),
        money_unit=G.graph.get("money_unit"))


def _running_sum(values: np.ndarray) -> float:
    """``0.0 + values[0] + values[1] + ...`` added in order (``np.cumsum`` does not pair up terms as
    ``np.sum`` does; the final ``+ 0.0`` gives the 0.0 a Python loop starting at 0.0 gives for -0.0)."""
    return float(np.cumsum(values)[-1]) + 0.0 if len(values) else 0.0


def _grouped(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` in order of first appearance and the sum of the ``weights`` of each: the
    items of ``d`` after ``d[k] = d.get(k, 0.0) + w`` for each key and weight in turn."""
    if not len(keys):
        return keys, np.zeros(0)
    uniq, first = np.unique(keys, return_index=True)
    uniq = uniq[np.argsort(first)]
    return uniq, np.bincount(keys, weights=weights)[uniq]


def _ranked(names: list, keys: np.ndarray, values: np.ndarray) -> dict:
    """``{names[key]: value}`` by value, largest first, ties by name: ``dict(sorted(..., key=lambda kv:
    (-kv[1], kv[0])))`` without a Python comparison per pair (only within runs of equal values)."""
    if np.isnan(values).any():  # NaN compares false both ways: leave its order to Python's sort
        return dict(sorted(zip(map(names.__getitem__, keys.tolist()), values.tolist()),
                           key=lambda kv: (-kv[1], kv[0])))
    order = np.argsort(-values, kind="stable")
    values = values[order]
    ranked = list(map(names.__getitem__, keys[order].tolist()))
    # runs of equal values (0.0 and -0.0 are equal here as in Python): sorted by name
    edge = np.diff(np.concatenate(([False], values[1:] == values[:-1], [False])).astype(np.int8))
    for a, b in zip(np.flatnonzero(edge == 1).tolist(), (np.flatnonzero(edge == -1) + 1).tolist()):
        ranked[a:b] = sorted(ranked[a:b])
    return dict(zip(ranked, values.tolist()))


def _hhi(values: np.ndarray) -> float | None:
    """:func:`hhi` of a float array, with the same operations in the same order: the total added up in
    order, each share squared by Python's ``**`` (C ``pow``, which may round unlike ``x * x``)."""
    values = values[values > 0]
    total = _running_sum(values)
    if total <= 0:
        return None
    return 10000.0 * sum(map(pow, (values / total).tolist(), repeat(2)))
