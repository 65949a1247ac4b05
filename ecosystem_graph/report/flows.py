"""Chart data for the money-flow chart: every payment (PAYS) of the model, laid out in columns from payer to payee."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

import networkx as nx

__all__ = ["Payment", "MoneyFlows", "money_flows", "payments_from_graph", "feeds_drivers"]

OTHER = "other"


@dataclass(frozen=True)
class Payment:
    """One payment drawn: its relationship id, payer, payee, amount (derived for a linked flow), stream, and
    the payment it is a share of (``share_of``, ``share``) when it is a linked flow."""

    id: str
    source: str
    target: str
    amount: float
    stream: str | None = None
    share_of: str | None = None
    share: float | None = None

    @property
    def linked(self) -> bool:
        return self.share_of is not None


@dataclass
class MoneyFlows:
    """The money-flow chart's nodes in columns (payers left, each payee right of every node paying it) and
    the payments between them.

    ``columns`` hold node ids, top to bottom; a node that is paid by a node in its own or a later column (a
    cycle of payments) is drawn a second time right of its payer, as ``copies[copy id] = node id``.
    ``payments`` are the drawn payments with their ends mapped to drawn nodes; ``grouped`` maps an
    "other" node of a column to the actors it holds (when a column has more than ``max_per_column``).
    """

    columns: list[list[str]] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)
    grouped: dict[str, list[str]] = field(default_factory=dict)

    def original(self, node: str) -> str:
        return self.copies.get(node, node)


def _get(p: Any, name: str, default=None):
    return p.get(name, default) if isinstance(p, dict) else getattr(p, name, default)


def payments_from_graph(G: nx.MultiDiGraph) -> list[Payment]:
    """Every PAYS edge of ``G`` with a positive amount, model order (the same list as the analysis's
    ``payments``: the amount of a linked flow is the derived one the graph carries)."""
    out = []
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("type") != "PAYS" or not d.get("amount") or u == v:
            continue
        out.append(Payment(str(d.get("id") or k), u, v, float(d["amount"]), d.get("stream"), d.get("share_of"),
                           d.get("share")))
    return out


def _as_payments(items: Iterable[Any]) -> list[Payment]:
    out = []
    for p in items:
        if isinstance(p, Payment):
            out.append(p)
            continue
        source = _get(p, "from", None) or _get(p, "source", None) or _get(p, "payer", None)
        target = _get(p, "to", None) or _get(p, "target", None) or _get(p, "payee", None)
        amount = _get(p, "amount", 0.0) or 0.0
        if source is None or target is None or amount <= 0 or source == target:
            continue
        out.append(Payment(str(_get(p, "id", "")), source, target, float(amount), _get(p, "stream"),
                           _get(p, "share_of"), _get(p, "share")))
    return out


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Column of each node (longest chain of payments leading to it) and the edges that close a cycle."""
    D = nx.DiGraph()
    D.add_nodes_from(nodes)
    D.add_edges_from(edges)
    # Break cycles by dropping the edges a depth-first search (model order) finds going back up its stack:
    # what is left has no cycle, in one pass over the edges.
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(D.successors(root)))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(D.successors(child))))
    D.remove_edges_from(back)
    layer: dict[str, int] = {}
    for n in nx.topological_sort(D):
        preds = list(D.predecessors(n))
        layer[n] = max((layer[p] + 1 for p in preds), default=0)
    return layer, back


def money_flows(G: nx.MultiDiGraph, payments: Iterable[Any] | None = None, *,
                max_per_column: int = 12) -> MoneyFlows:
    """The money-flow chart's data: ``payments`` (the analysis's ``payments`` list; default: the PAYS
    edges of ``G``) laid out in columns.

    A column with more than ``max_per_column`` nodes keeps its largest ones and merges the rest into one
    "other" node, so that a 10,000-node model still gives a readable chart.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("fans", {"kind": "segment"}), ("store", {"kind": "partner"}),
    ...                   ("app", {"kind": "satellite"})])
    >>> _ = G.add_edge("fans", "store", key="buy", type="PAYS", amount=100.0)
    >>> _ = G.add_edge("store", "app", key="payout", type="PAYS", amount=85.0, share_of="buy", share=0.85)
    >>> f = money_flows(G)
    >>> f.columns, [(p.source, p.target, p.amount, p.linked) for p in f.payments]
    ([['fans'], ['store'], ['app']], [('fans', 'store', 100.0, False), ('store', 'app', 85.0, True)])
    """
    pays = payments_from_graph(G) if payments is None else _as_payments(payments)
    out = MoneyFlows()
    if not pays:
        return out
    order = {n: i for i, n in enumerate(G.nodes)}
    nodes = sorted({p.source for p in pays} | {p.target for p in pays}, key=lambda n: order.get(n, len(order)))
    layer, back = _layers(nodes, [(p.source, p.target) for p in pays])
    drawn: list[Payment] = []
    for p in pays:
        if (p.source, p.target) in back:
            copy = f"{p.target}@{p.source}"
            out.copies[copy] = p.target
            layer[copy] = layer[p.source] + 1
            drawn.append(Payment(p.id, p.source, copy, p.amount, p.stream, p.share_of, p.share))
        else:
            drawn.append(p)
    through: dict[str, float] = defaultdict(float)
    inflow: dict[str, float] = defaultdict(float)
    outflow: dict[str, float] = defaultdict(float)
    for p in drawn:
        outflow[p.source] += p.amount
        inflow[p.target] += p.amount
    for n in layer:
        through[n] = max(inflow[n], outflow[n])
    ncols = max(layer.values()) + 1
    columns: list[list[str]] = [[] for _ in range(ncols)]
    for n in sorted(layer, key=lambda n: (-through[n], order.get(out.original(n), len(order)), n)):
        columns[layer[n]].append(n)
    image = {n: n for n in layer}
    for ci, col in enumerate(columns):
        if len(col) > max_per_column:
            keep, rest = col[: max_per_column - 1], col[max_per_column - 1:]
            other = f"@{OTHER}-{ci}"  # "@" is in no node id: a group never takes an actor's id
            out.grouped[other] = [out.original(n) for n in rest]
            image.update({n: other for n in rest})
            columns[ci] = keep + [other]
    if out.grouped:
        merged: dict[tuple[str, str], float] = defaultdict(float)
        kept: list[Payment] = []
        for p in drawn:
            s, t = image[p.source], image[p.target]
            if s in out.grouped or t in out.grouped:
                merged[(s, t)] += p.amount
            else:
                kept.append(p)
        drawn = kept + [Payment("", s, t, a) for (s, t), a in merged.items()]
    out.columns = _order_columns(columns, drawn)
    out.payments = drawn
    return out


def _order_columns(columns: list[list[str]], payments: list[Payment]) -> list[list[str]]:
    """Nodes of each column ordered by the mean position of their payers (fewer crossing bands); the
    first column stays largest first."""
    result = [list(columns[0])] if columns else []
    pos = {n: i / max(len(result[0]), 1) for i, n in enumerate(result[0])} if result else {}
    payers: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for p in payments:
        payers[p.target].append((p.source, p.amount))
    for col in columns[1:]:
        def centre(n: str, col=col) -> float:
            known = [(pos[s], a) for s, a in payers.get(n, []) if s in pos]
            total = sum(a for _, a in known)
            return sum(x * a for x, a in known) / total if total else 2.0 + col.index(n) / len(col)

        ordered = sorted(col, key=lambda n: (centre(n), col.index(n)))
        pos.update({n: i / max(len(ordered), 1) for i, n in enumerate(ordered)})
        result.append(ordered)
    return result


def feeds_drivers(G: nx.MultiDiGraph) -> dict[str, list[tuple[str, float | None]]]:
    """For each node that FEEDS point to: the nodes feeding it and the FEEDS strength (None when unset),
    strongest first, nodes in model order.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["core", "web", "app"])
    >>> _ = G.add_edge("web", "core", type="FEEDS", strength=0.9)
    >>> _ = G.add_edge("app", "core", type="FEEDS")
    >>> feeds_drivers(G)
    {'core': [('web', 0.9), ('app', None)]}
    """
    out: dict[str, list[tuple[str, float | None]]] = {}
    for n in G.nodes:
        fed = [(u, d.get("strength")) for u, _, d in G.in_edges(n, data=True) if d.get("type") == "FEEDS"]
        if fed:
            out[n] = sorted(fed, key=lambda x: -(x[1] if x[1] is not None else -1.0))
    return out
