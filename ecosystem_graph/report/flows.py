"""Chart data for the money-flow chart: who pays which offering, and which core each offering feeds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["MoneyFlows", "money_flows"]

OFFERING_KINDS = frozenset({"satellite", "channel"})
_MAX_HOPS = 6


@dataclass
class MoneyFlows:
    """Three columns (payers, offerings, cores) and the money between them.

    ``paid`` are PAYS amounts from payers (segments and partners) to offerings and cores; ``fed`` route
    each offering's income on to the core(s) it feeds (FEEDS paths, split by FEEDS strength), which is how
    the chart shows an offering's revenue "feeding" the core. ``unrouted`` is offering income that
    reaches no core through FEEDS (shown ending at the offering).
    """

    payers: list[str] = field(default_factory=list)
    offerings: list[str] = field(default_factory=list)
    cores: list[str] = field(default_factory=list)
    paid: dict[tuple[str, str], float] = field(default_factory=dict)
    fed: dict[tuple[str, str], float] = field(default_factory=dict)
    unrouted: dict[str, float] = field(default_factory=dict)
    grouped: dict[str, list[str]] = field(default_factory=dict)  # "other" payer node -> payers it holds


def _feeds_shares(G: nx.MultiDiGraph, start: str) -> dict[str, float]:
    """Share of ``start``'s income that ends at each core, following FEEDS edges (strength-weighted)."""
    shares: dict[str, float] = defaultdict(float)
    frontier = {start: 1.0}
    for _ in range(_MAX_HOPS):
        nxt: dict[str, float] = defaultdict(float)
        for node, mass in frontier.items():
            outs = [(v, d.get("strength")) for _, v, d in G.out_edges(node, data=True) if d.get("type") == "FEEDS"]
            if not outs:
                continue
            weights = [1.0 if s is None else float(s) for _, s in outs]
            total = sum(weights) or float(len(outs))
            for (v, _), w in zip(outs, weights):
                part = mass * ((w / total) if sum(weights) else 1.0 / len(outs))
                if G.nodes[v].get("kind") == "core":
                    shares[v] += part
                elif v != start:
                    nxt[v] += part
        frontier = nxt
        if not frontier:
            break
    return dict(shares)


def money_flows(G: nx.MultiDiGraph, *, max_payers: int = 12, max_offerings: int = 14) -> MoneyFlows:
    """The money-flow chart's data from a model graph: PAYS into offerings and cores, routed on to cores.

    Payers beyond the ``max_payers`` largest are merged into one "other payers" node (likewise offerings),
    so that a 10,000-node model still gives a readable chart.
    """
    kind = nx.get_node_attributes(G, "kind")
    paid: dict[tuple[str, str], float] = defaultdict(float)
    for u, v, d in G.edges(data=True):
        if d.get("type") != "PAYS" or not d.get("amount"):
            continue
        if kind.get(u) in ("segment", "partner") and (kind.get(v) in OFFERING_KINDS or kind.get(v) == "core"):
            paid[(u, v)] += float(d["amount"])
    out = MoneyFlows()
    payer_total: dict[str, float] = defaultdict(float)
    offer_total: dict[str, float] = defaultdict(float)
    for (u, v), a in paid.items():
        payer_total[u] += a
        if kind[v] != "core":
            offer_total[v] += a
    payers = sorted(payer_total, key=lambda n: (-payer_total[n], n))
    offerings = sorted(offer_total, key=lambda n: (-offer_total[n], n))
    payer_image = {p: p for p in payers[:max_payers]}
    if len(payers) > max_payers:
        rest = payers[max_payers - 1:]
        payer_image = {p: p for p in payers[: max_payers - 1]}
        payer_image.update({p: "other-payers" for p in rest})
        out.grouped["other-payers"] = rest
    offer_image = {o: o for o in offerings[:max_offerings]}
    if len(offerings) > max_offerings:
        rest = offerings[max_offerings - 1:]
        offer_image = {o: o for o in offerings[: max_offerings - 1]}
        offer_image.update({o: "other-offerings" for o in rest})
        out.grouped["other-offerings"] = rest
    merged: dict[tuple[str, str], float] = defaultdict(float)
    for (u, v), a in paid.items():
        merged[(payer_image[u], offer_image.get(v, v))] += a
    out.paid = dict(merged)
    fed: dict[tuple[str, str], float] = defaultdict(float)
    unrouted: dict[str, float] = defaultdict(float)
    for o in offerings:
        shares = _feeds_shares(G, o)
        routed = 0.0
        for core, share in shares.items():
            fed[(offer_image[o], core)] += offer_total[o] * share
            routed += share
        if routed < 1 - 1e-9:
            unrouted[offer_image[o]] += offer_total[o] * (1 - routed)
    out.fed = dict(fed)
    out.unrouted = dict(unrouted)
    seen: list[str] = []
    for u, _ in out.paid:
        if u not in seen:
            seen.append(u)
    out.payers = seen
    out.offerings = sorted({v for (_, v) in out.paid if kind.get(v) != "core"} | {o for o, _ in out.fed},
                           key=lambda o: -(sum(a for (_, v), a in out.paid.items() if v == o)))
    out.cores = sorted({v for (_, v) in out.paid if kind.get(v) == "core"} | {c for _, c in out.fed})
    return out
