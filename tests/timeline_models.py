"""Three snapshots of one small ecosystem for the timeline page and report tests (figures worked out by hand).

2021: the shop (core) earns 100 from buyers, ads (satellite) 20 from sellers; Kindle (channel) binds buyers.
2022: Kindle is gone; a carrier appears; shop 110, ads 60.
2023: Kindle is back, cloud (satellite) appears; shop 115, ads 130, cloud 30: ads overtakes the core.
"""

from __future__ import annotations

from ecosystem_graph.model import Ecosystem

PERIODS = ("2021", "2022", "2023")

NODES_BY_PERIOD = {
    "2021": {"shop", "ads", "kindle", "buyers", "sellers"},
    "2022": {"shop", "ads", "buyers", "sellers", "carrier"},
    "2023": {"shop", "ads", "kindle", "buyers", "sellers", "carrier", "cloud"},
}
"""Which node ids each period holds (kindle: in 2021, not in 2022, back in 2023)."""

REVENUE = {
    "2021": {"shop": 100.0, "ads": 20.0},
    "2022": {"shop": 110.0, "ads": 60.0},
    "2023": {"shop": 115.0, "ads": 130.0, "cloud": 30.0},
}
"""Revenue per offering per period: what customers pay each offering (ecosystem revenue: 120, 170, 275)."""

_NODES = {
    "shop": {"id": "shop", "kind": "core", "name": "Online shop"},
    "ads": {"id": "ads", "kind": "satellite", "name": "Advertising"},
    "kindle": {"id": "kindle", "kind": "channel", "name": "Kindle", "device": True},
    "buyers": {"id": "buyers", "kind": "segment", "name": "Buyers", "size": 1000},
    "sellers": {"id": "sellers", "kind": "segment", "name": "Sellers", "size": 50},
    "carrier": {"id": "carrier", "kind": "partner", "name": "Carrier", "role": "carrier"},
    "cloud": {"id": "cloud", "kind": "satellite", "name": "Cloud"},
}


def _relationships(period: str) -> list[dict]:
    rev = REVENUE[period]
    rels = [{"from": "buyers", "to": "shop", "type": "PAYS", "amount": rev["shop"], "stream": "purchase"},
            {"from": "sellers", "to": "ads", "type": "PAYS", "amount": rev["ads"], "stream": "advertising"},
            {"from": "ads", "to": "shop", "type": "FEEDS", "strength": 0.5}]
    if "kindle" in NODES_BY_PERIOD[period]:
        rels += [{"from": "buyers", "to": "kindle", "type": "USES", "switching_cost": 0.4,
                  "mechanisms": ["durable_purchase"]},
                 {"from": "kindle", "to": "shop", "type": "FEEDS", "strength": 0.3}]
    if "carrier" in NODES_BY_PERIOD[period]:
        rels += [{"from": "carrier", "to": "shop", "type": "SUPPLIES"},
                 {"from": "shop", "to": "carrier", "type": "PAYS", "amount": 10.0 if period == "2022" else 12.0,
                  "stream": "fee"}]
    if "cloud" in NODES_BY_PERIOD[period]:
        rels.append({"from": "buyers", "to": "cloud", "type": "PAYS", "amount": rev["cloud"], "stream": "usage"})
    return rels


def snapshot(period: str, *, name: str = "Shop ecosystem", label: str | None = None,
             rename: dict[str, str] | None = None, kinds: dict[str, str] | None = None) -> Ecosystem:
    """The snapshot of ``period`` (``label`` replaces its period text, ``rename`` node names, ``kinds`` their
    kinds, e.g. ``{"ads": "core"}``)."""
    rename, kinds = rename or {}, kinds or {}
    nodes = [dict(_NODES[n], name=rename.get(n, _NODES[n]["name"]), kind=kinds.get(n, _NODES[n]["kind"]))
             for n in _NODES if n in NODES_BY_PERIOD[period]]
    return Ecosystem.model_validate({"name": name, "currency": "EUR", "period": label or period,
                                     "money_unit": "million", "nodes": nodes,
                                     "relationships": _relationships(period)})


def three_periods(**options) -> list[Ecosystem]:
    """The three snapshots, 2021 first."""
    return [snapshot(p, **options) for p in PERIODS]
