"""Conversion between an :class:`~ecosystem_graph.model.Ecosystem` and a networkx ``MultiDiGraph``."""

from __future__ import annotations

from typing import Any

import networkx as nx

from .errors import ModelValidationError
from .validation import validate_data

__all__ = ["to_networkx", "from_networkx", "edge_key", "GRAPH_METADATA_KEYS"]

GRAPH_METADATA_KEYS = ("schema_version", "name", "currency", "period", "money_unit", "description")


def edge_key(rel_id: str | None, rtype: str, ordinal: int) -> str:
    """Key of a relationship's edge: its ``id`` when it has one, else ``TYPE#n`` (n-th of that type
    between the same two nodes), so that several relationships between one pair all survive."""
    return rel_id if rel_id else f"{rtype}#{ordinal}"


def to_networkx(model) -> nx.MultiDiGraph:
    """The ecosystem as a directed multigraph.

    Graph attributes hold the metadata; each node has ``kind`` plus all its fields; each edge has
    ``type`` plus all its properties (``id`` only when the relationship has one).

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
    data = model.to_data()
    G = nx.MultiDiGraph()
    G.graph.update({k: data[k] for k in GRAPH_METADATA_KEYS if k in data})
    G.add_nodes_from((n.pop("id"), n) for n in data["nodes"])
    ordinals: dict[tuple, int] = {}
    for rel in data["relationships"]:
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
    that way), which is the only difference from the original model.

    Raises ModelValidationError when the graph does not make a valid model (e.g. after edits).
    """
    from .model import Ecosystem

    data: dict[str, Any] = {k: G.graph[k] for k in GRAPH_METADATA_KEYS if k in G.graph}
    data["nodes"] = [{"id": n, **attrs} for n, attrs in G.nodes(data=True)]
    data["relationships"] = [{"from": u, "to": v, **attrs} for u, v, attrs in G.edges(data=True)]
    if not validate:
        return Ecosystem.model_validate(data)
    model, problems = validate_data(data)
    if model is None:
        raise ModelValidationError(problems, "<graph>")
    return model
