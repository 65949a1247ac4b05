"""Small hand-built models for the store tests (values in the tests are computed by hand from these)."""

from __future__ import annotations

from ecosystem_graph.model import Ecosystem

SHOP = {
    "name": "Shop ✓ Ökosystem", "currency": "EUR", "period": "2024", "money_unit": "thousand",
    "nodes": [
        {"id": "shop", "kind": "core", "name": "Shop", "tags": ["retail", "ü"]},
        {"id": "prime", "kind": "satellite", "name": "Prime", "attributes": {"launched": 2005, "ratio": 0.5,
                                                                          "flags": [True, "x", 1.25]}},
        {"id": "video", "kind": "satellite", "name": "Video 🎬", "description": "streaming"},
        {"id": "app", "kind": "channel", "name": "App"},
        {"id": "echo", "kind": "channel", "name": "Echo", "device": True},
        {"id": "cloud", "kind": "partner", "name": "Cloud", "role": "infrastructure"},
        {"id": "carrier", "kind": "partner", "name": "Carrier"},
        {"id": "members", "kind": "segment", "name": "Members", "size": 1000},
        {"id": "visitors", "kind": "segment", "name": "Visitors", "size": 10000},
        {"id": "registered", "kind": "segment", "name": "Registered", "size": 500},
    ],
    "relationships": [
        {"from": "members", "to": "prime", "type": "USES", "switching_cost": 0.8,
         "mechanisms": ["loyalty_program"]},
        {"from": "members", "to": "app", "type": "USES", "share": 0.6, "switching_cost": 0.2},
        {"from": "prime", "to": "shop", "type": "FEEDS"},
        {"from": "app", "to": "shop", "type": "FEEDS", "strength": 0.4},
        {"from": "video", "to": "prime", "type": "FEEDS"},
        {"from": "members", "to": "video", "type": "USES", "switching_cost": 0.3},
        {"id": "members-buy", "from": "members", "to": "shop", "type": "PAYS", "amount": 100,
         "stream": "purchase"},
        {"from": "members", "to": "prime", "type": "PAYS", "count": 1000, "price": 0.04, "stream": "subscription"},
        {"from": "visitors", "to": "shop", "type": "PAYS", "amount": 10, "stream": "purchase"},
        {"from": "members", "to": "video", "type": "PAYS", "amount": 5, "attributes": {"note": "añadido"}},
        {"from": "echo", "to": "members", "type": "REACHES", "reach": 0.3},
        {"from": "app", "to": "members", "type": "REACHES", "reach": 0.5},
        {"from": "app", "to": "visitors", "type": "REACHES", "reach": 0.9},
        {"from": "visitors", "to": "registered", "type": "CONVERTS_TO", "rate": 0.1},
        {"from": "registered", "to": "members", "type": "CONVERTS_TO", "rate": 0.05},
        {"from": "video", "to": "cloud", "type": "DEPENDS_ON", "criticality": 0.9},
        {"from": "prime", "to": "video", "type": "DEPENDS_ON", "criticality": 0.5},
        {"from": "carrier", "to": "shop", "type": "SUPPLIES"},
    ],
}


def shop_model(**changes) -> Ecosystem:
    data = {**SHOP, **changes}
    return Ecosystem.model_validate(data)


def chain_model(n: int, name: str = "Chain") -> Ecosystem:
    """A core, n satellites each feeding the core, and one segment using them all (n + 2 nodes, 2n rels)."""
    nodes = [{"id": "core", "kind": "core", "name": "Core"}, {"id": "seg", "kind": "segment", "name": "Seg"}]
    rels = []
    for i in range(n):
        nodes.append({"id": f"s{i}", "kind": "satellite", "name": f"Satellite {i}"})
        rels.append({"from": f"s{i}", "to": "core", "type": "FEEDS"})
        rels.append({"from": "seg", "to": f"s{i}", "type": "USES", "switching_cost": i / 10})
    return Ecosystem.model_validate({"name": name, "currency": "USD", "period": "2023", "nodes": nodes,
                                     "relationships": rels})
