"""Conversion between an :class:`~ecosystem_graph.model.Ecosystem` and a networkx ``MultiDiGraph``."""

from __future__ import annotations

from typing import Any

import networkx as nx

from .errors import ModelValidationError
from .validation import validate_data

__all__ = ["to_networkx", "from_networkx", "edge_key", "resolve_linked_amounts", "linked_to",
           "GRAPH_METADATA_KEYS"]

GRAPH_METADATA_KEYS = ("schema_version", "name", "currency", "period", "money_unit", "description")


def edge_key(rel_id: str | None, rtype: str, ordinal: int) -> str:
    """Key of a relationship's edge: its ``id`` when it has one, else ``TYPE#n`` (n-th of that type
    between the same two nodes), so that several relationships between one pair all survive."""
    return rel_id if rel_id else f"{rtype}#{ordinal}"


def to_networkx(model) -> nx.MultiDiGraph:
    """The ecosystem as a directed multigraph.

    Graph attributes hold the metadata and ``assumptions`` (the model's ranged numbers, a list of
    :class:`~ecosystem_graph.model.Assumption`, empty when none); each node has ``kind`` plus all its
    fields; each edge has ``type`` plus all its properties (``id`` only when the relationship has one),
    a ranged property as its base number. A linked PAYS carries ``share_of``, ``share`` and its derived
    ``amount``.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> m = Ecosystem.model_validate({"name": "Tiny", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
    ...               {"id": "fans", "kind": "segment", "name": "Fans"}],
    ...     "relationships": [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 10}]})
    >>> G = to_networkx(m)
    >>> G.nodes["shop"]["kind"], list(G.edges(keys=True, data="amount"))
    ('core', [('fans', 'shop', 'PAYS#0', 10.0)])
    """
    data = model.to_data(ranges=False)
    G = nx.MultiDiGraph()
    G.graph.update({k: data[k] for k in GRAPH_METADATA_KEYS if k in data})
    G.graph["assumptions"] = model.assumptions()
    G.add_nodes_from((n.pop("id"), n) for n in data["nodes"])
    ordinals: dict[tuple, int] = {}
    for rel, item in zip(data["relationships"], model.relationships):
        if rel.get("share_of") is not None:
            rel["amount"] = item.amount  # derived; to_data leaves it out of files
        u, v, rtype = rel.pop("from"), rel.pop("to"), rel["type"]
        n = 0
        if not rel.get("id"):  # only relationships without an id are counted for TYPE#n keys
            n = ordinals.get((u, v, rtype), 0)
            ordinals[(u, v, rtype)] = n + 1
        G.add_edge(u, v, key=edge_key(rel.get("id"), rtype, n), **rel)
    return G


def from_networkx(G: nx.MultiDiGraph, *, validate: bool = True):
    """The inverse of :func:`to_networkx`: rebuild a validated Ecosystem from a graph.

    Nodes come back in graph order; relationships grouped by source node (networkx iterates edges
    that way), which is the only difference from the original model. The ``amount`` of a linked PAYS
    (``share_of`` set) is dropped and derived again. The ranges in ``G.graph["assumptions"]`` are put back
    on their nodes and edges, except where the number on the graph is no longer the range's base (the graph
    was edited): that number wins, as a plain number.

    Raises ModelValidationError when the graph does not make a valid model (e.g. after edits).
    """
    from .model import Ecosystem

    data: dict[str, Any] = {k: G.graph[k] for k in GRAPH_METADATA_KEYS if k in G.graph}
    data["nodes"] = [{"id": n, **attrs} for n, attrs in G.nodes(data=True)]
    data["relationships"] = [_without_derived({"from": u, "to": v, **attrs}) for u, v, attrs in G.edges(data=True)]
    _restore_ranges(G, data)
    if not validate:
        return Ecosystem.model_validate(data)
    model, problems = validate_data(data)
    if model is None:
        raise ModelValidationError(problems, "<graph>")
    return model


def _restore_ranges(G: nx.MultiDiGraph, data: dict[str, Any]) -> None:
    # The graph holds base numbers; its `assumptions` hold the ranges. A range whose base no longer matches the
    # number on the graph (the graph was edited) is left out: the number on the graph wins.
    assumptions = G.graph.get("assumptions") or []
    if not assumptions:
        return
    nodes = {item["id"]: item for item in data["nodes"]}
    edges = {edge: item for edge, item in zip(G.edges(keys=True), data["relationships"])}
    for a in assumptions:
        item = nodes.get(a.key) if a.owner == "node" else edges.get((a.source, a.target, a.key))
        if item is None or item.get(a.property) != a.base:
            continue
        item[a.property] = {"low": a.low, "base": a.base, "high": a.high, "dist": a.dist}


def _without_derived(rel: dict[str, Any]) -> dict[str, Any]:
    if rel.get("share_of") is not None:
        rel.pop("amount", None)
    return rel


def _pays_by_id(G: nx.MultiDiGraph) -> dict[str, dict]:
    return {d["id"]: d for _, _, d in G.edges(data=True) if d.get("type") == "PAYS" and d.get("id")}


def resolve_linked_amounts(G: nx.MultiDiGraph) -> list[tuple]:
    """Derive again, in place, the ``amount`` of every linked PAYS edge (``share_of`` set) from the
    amounts on the graph: ``amount = share x amount(share_of)`` through chains.

    Returns the ``(u, v, key)`` of linked edges whose chain no longer ends at a PAYS with an amount
    (its flow was removed); their ``amount`` is removed. Call it after changing amounts on a graph.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("fans", "store", key="subs", id="subs", type="PAYS", amount=110.0)
    >>> _ = G.add_edge("store", "plus", key="payout", id="payout", type="PAYS", share_of="subs", share=0.85)
    >>> resolve_linked_amounts(G), G.edges["store", "plus", "payout"]["amount"]
    ([], 93.5)
    """
    from .model import linked_amount, linked_amounts

    pays = _pays_by_id(G)
    flows = {i: (d.get("share_of"), d.get("share"), d.get("amount")) for i, d in pays.items()}
    linked = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
              if d.get("type") == "PAYS" and d.get("share_of") is not None]
    derived = linked_amounts(flows)
    orphans = []
    for u, v, k, d in linked:
        got = (derived.get(d["id"]) if d.get("id")
               else linked_amount(d["share_of"], d.get("share"), flows, derived))
        if got is None:
            d.pop("amount", None)
            orphans.append((u, v, k))
        else:
            d["amount"] = got
    return orphans


def linked_to(G: nx.MultiDiGraph, flow_ids) -> list[tuple]:
    """The ``(u, v, key)`` of every PAYS edge that is (through a chain) a share of one of ``flow_ids``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("fans", "store", key="subs", id="subs", type="PAYS", amount=100.0)
    >>> _ = G.add_edge("store", "plus", key="payout", id="payout", type="PAYS", share_of="subs", share=0.85)
    >>> _ = G.add_edge("plus", "band", key="PAYS#0", type="PAYS", share_of="payout", share=0.1)
    >>> linked_to(G, ["subs"])
    [('store', 'plus', 'payout'), ('plus', 'band', 'PAYS#0')]
    """
    stopped = set(flow_ids)
    children: dict[str, list] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("type") == "PAYS" and d.get("share_of") is not None:
            children.setdefault(d["share_of"], []).append((u, v, k, d.get("id")))
    out: list[tuple] = []
    queue = list(stopped)
    while queue:
        for u, v, k, rid in children.get(queue.pop(0), []):
            if (u, v, k) in out:
                continue
            out.append((u, v, k))
            if rid and rid not in stopped:
                stopped.add(rid)
                queue.append(rid)
    return out
