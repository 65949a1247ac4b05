"""Small hand-made models shared by the analysis tests (not a test module)."""

from __future__ import annotations

from ecosystem_graph.analysis.reference import stage_revenue as stage_revenue_reference  # noqa: F401 (shared)
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem


def model(nodes, rels, **meta):
    data = {"name": meta.get("name", "Test"), "currency": "EUR", "period": "2024", "nodes": nodes,
            "relationships": rels}
    return Ecosystem.model_validate(data)


def graph(nodes, rels):
    return to_networkx(model(nodes, rels))


def small_nodes():
    return [
        {"id": "shop", "kind": "core", "name": "Shop"},
        {"id": "club", "kind": "satellite", "name": "Club"},
        {"id": "app", "kind": "channel", "name": "App", "device": True},
        {"id": "fans", "kind": "segment", "name": "Fans", "size": 1000},
        {"id": "seller", "kind": "partner", "name": "Seller"},
    ]


def small_rels():
    return [
        {"id": "p-fans-shop", "from": "fans", "to": "shop", "type": "PAYS", "amount": 30, "stream": "purchase"},
        {"from": "fans", "to": "club", "type": "PAYS", "amount": 10, "stream": "subscription"},
        {"from": "seller", "to": "shop", "type": "PAYS", "amount": 20, "stream": "commission"},
        {"from": "shop", "to": "seller", "type": "PAYS", "amount": 5, "stream": "purchase"},
        {"id": "u-club", "from": "fans", "to": "club", "type": "USES", "share": 0.5, "switching_cost": 0.4,
         "mechanisms": ["loyalty_program"]},
        {"from": "fans", "to": "app", "type": "USES", "switching_cost": 0.3, "mechanisms": ["search_costs"]},
        {"from": "club", "to": "shop", "type": "FEEDS", "strength": 0.5},
        {"from": "app", "to": "shop", "type": "FEEDS"},
        {"from": "app", "to": "fans", "type": "REACHES", "reach": 0.8},
    ]


def small_graph():
    """shop (core), club (satellite), app (device channel), fans (segment), seller (partner)."""
    return graph(small_nodes(), small_rels())
