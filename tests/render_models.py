"""Small hand-built ecosystems for the render tests (values chosen so that results can be worked out by hand)."""

from __future__ import annotations

from ecosystem_graph.model import Ecosystem

PAYLOADS = (
    '<img src="https://evil.invalid/x.png" onerror="window.__pwned=(window.__pwned||0)+1">',
    "</script><script>window.__pwned=(window.__pwned||0)+1</script>",
    '"><svg onload="window.__pwned=(window.__pwned||0)+1">',
    '<a href="javascript:window.__pwned=1">href click me</a>',
    "{{7*7}} ${7*7} <b>bold</b> &amp; \u2028 line",
)
"""Strings that run script or load something if inserted as markup anywhere (each sets window.__pwned)."""


def shop_model() -> Ecosystem:
    """7 nodes, 10 relationships: a shop with Prime, two channels, a carrier, two segments.

    Lock-in of ``members`` (binding paths to the core): members -USES-> prime -FEEDS-> shop and
    members -USES-> echo -FEEDS-> shop, so the highlighted nodes are {members, prime, echo, shop}.
    Shortest path buyers -> carrier: buyers -PAYS-> shop -PAYS-> carrier.
    """
    return Ecosystem.model_validate({
        "name": "Tiny shop", "currency": "EUR", "period": "2024", "money_unit": "million",
        "nodes": [
            {"id": "shop", "kind": "core", "name": "Online shop", "description": "The core"},
            {"id": "prime", "kind": "satellite", "name": "Prime", "tags": ["membership"]},
            {"id": "app", "kind": "channel", "name": "App"},
            {"id": "echo", "kind": "channel", "name": "Echo", "device": True},
            {"id": "carrier", "kind": "partner", "name": "Carrier", "role": "carrier"},
            {"id": "members", "kind": "segment", "name": "Prime members", "size": 1000},
            {"id": "buyers", "kind": "segment", "name": "Occasional buyers", "size": 5000},
        ],
        "relationships": [
            {"from": "members", "to": "prime", "type": "USES", "switching_cost": 0.6, "mechanisms": ["loyalty_program"]},
            {"from": "prime", "to": "shop", "type": "FEEDS", "strength": 0.8},
            {"from": "members", "to": "echo", "type": "USES", "switching_cost": 0.3,
             "mechanisms": ["durable_purchase"]},
            {"from": "echo", "to": "shop", "type": "FEEDS", "strength": 0.3},
            {"from": "members", "to": "prime", "type": "PAYS", "amount": 100, "stream": "subscription"},
            {"from": "buyers", "to": "shop", "type": "PAYS", "amount": 25, "stream": "purchase"},
            {"from": "app", "to": "buyers", "type": "REACHES", "reach": 0.5},
            {"from": "buyers", "to": "app", "type": "USES", "switching_cost": 0.1},
            {"from": "carrier", "to": "shop", "type": "SUPPLIES"},
            {"from": "shop", "to": "carrier", "type": "PAYS", "amount": 4, "stream": "purchase"},
        ],
    })


def hostile_model(title_payload: str = PAYLOADS[0]) -> Ecosystem:
    """The shop with an injection payload in every user string: names, descriptions, tags, attributes
    (keys and values), role, relationship descriptions and attributes, and the ecosystem's metadata."""
    data = shop_model().to_data()
    data["name"] = "Eco " + PAYLOADS[1]
    data["description"] = PAYLOADS[2]
    data["money_unit"] = PAYLOADS[3]
    data["period"] = "2024 " + PAYLOADS[0]
    for i, node in enumerate(data["nodes"]):
        p = PAYLOADS[i % len(PAYLOADS)]
        node["name"] = f"{node['name']} {p}"
        node["description"] = PAYLOADS[(i + 1) % len(PAYLOADS)]
        node["tags"] = [PAYLOADS[(i + 2) % len(PAYLOADS)]]
        node["attributes"] = {PAYLOADS[(i + 3) % len(PAYLOADS)]: PAYLOADS[(i + 4) % len(PAYLOADS)]}
        if node["kind"] == "partner":
            node["role"] = PAYLOADS[2]
    for i, rel in enumerate(data["relationships"]):
        rel["description"] = PAYLOADS[i % len(PAYLOADS)]
        rel["attributes"] = {"note": PAYLOADS[(i + 1) % len(PAYLOADS)]}
    # the title of the node the old pyvis popup handled with innerHTML: it contains "href"
    data["nodes"][0]["name"] = "Shop " + title_payload + ' <a href="https://evil.invalid">href</a>'
    return Ecosystem.model_validate(data)


PROTOTYPE_IDS = {"members": "constructor", "prime": "hasOwnProperty", "echo": "toString", "app": "valueOf",
                 "carrier": "isPrototypeOf"}
"""Shop node ids renamed to names that a plain JavaScript object already holds (Object.prototype's)."""


def prototype_ids_model() -> Ecosystem:
    """The shop with five nodes named like Object.prototype's members (``constructor``, ``toString``...);
    ``__proto__`` is no valid id (ids start with a letter or digit). Same graph: ``constructor`` (the
    members) uses ``hasOwnProperty`` (prime) and ``toString`` (echo), so its neighbourhood is exactly these."""
    data = shop_model().to_data()
    for node in data["nodes"]:
        node["id"] = PROTOTYPE_IDS.get(node["id"], node["id"])
    for rel in data["relationships"]:
        rel["from"] = PROTOTYPE_IDS.get(rel["from"], rel["from"])
        rel["to"] = PROTOTYPE_IDS.get(rel["to"], rel["to"])
    return Ecosystem.model_validate(data)
