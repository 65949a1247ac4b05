"""Aggregation for very large graphs: segments and partners collapsed into groups, edges merged."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..model import OFFERING_KINDS, PARTNER, SEGMENT

__all__ = ["Aggregation", "aggregate", "group_id"]

COLLAPSIBLE = (SEGMENT, PARTNER)
"""Kinds collapsed into groups, in this order, until the graph fits (the model's external kinds)."""


@dataclass
class Aggregation:
    """The collapsed graph and how it maps to the original.

    ``group_of`` maps each collapsed original node to its group node; nodes kept as they were are not
    in it. ``note`` says in one sentence what was done, for the page.
    """

    graph: nx.MultiDiGraph
    group_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    original_nodes: int = 0
    original_edges: int = 0
    collapsed_kinds: list[str] = field(default_factory=list)
    note: str = ""

    def image(self, node: str) -> str:
        """The node that shows ``node`` on the page (itself, or its group)."""
        return self.group_of.get(node, node)


def group_id(kind: str, key: str) -> str:
    """Id of a group node; ``:`` never occurs in model ids, so it cannot clash with one."""
    return f"group:{kind}:{key}"


def _anchor(G: nx.MultiDiGraph, node: str) -> str | None:
    """The core/satellite/channel the node is most connected to (most relationships, then first seen)."""
    counts: dict[str, int] = {}
    for _, other in G.out_edges(node):
        if G.nodes[other].get("kind") in OFFERING_KINDS:
            counts[other] = counts.get(other, 0) + 1
    for other, _ in G.in_edges(node):
        if G.nodes[other].get("kind") in OFFERING_KINDS:
            counts[other] = counts.get(other, 0) + 1
    if not counts:
        return None
    return max(counts, key=counts.__getitem__)  # max keeps the first of equal counts


def _group_key(G: nx.MultiDiGraph, node: str, kind: str) -> tuple[str, str]:
    """(key, label) of the group a node falls into: partners by role, segments by their anchor."""
    attrs = G.nodes[node]
    if kind == PARTNER and attrs.get("role"):
        role = str(attrs["role"])
        return "role:" + role, f"role {role}"
    anchor = _anchor(G, node)
    if anchor is None:
        return "unattached", "not linked to an offering or channel"
    return "via:" + anchor, f"via {G.nodes[anchor].get('name', anchor)}"


def aggregate(G: nx.MultiDiGraph, max_nodes: int) -> Aggregation | None:
    """Collapse segments, then partners, into groups until the graph has at most ``max_nodes`` nodes.

    Segments are grouped by the core, satellite or channel they are most connected to; partners by
    their ``role`` (or, without one, the same way as segments). Relationships between the same two
    shown nodes with the same type are merged into one edge carrying how many it stands for
    (``merged``) and the summed ``amount``; relationships inside one group are left out. Returns None
    when the graph already fits. Time is linear in nodes + edges.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("shop", kind="core", name="Shop")
    >>> for i in range(3):
    ...     G.add_node(f"s{i}", kind="segment", name=f"S{i}", size=10)
    ...     _ = G.add_edge(f"s{i}", "shop", key="PAYS#0", type="PAYS", amount=5.0)
    >>> agg = aggregate(G, max_nodes=2)
    >>> sorted(agg.graph.nodes), agg.graph.edges["group:segment:via:shop", "shop", "PAYS"]["amount"]
    (['group:segment:via:shop', 'shop'], 15.0)
    """
    n = G.number_of_nodes()
    if n <= max_nodes:
        return None
    group_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    labels: dict[str, tuple[str, str]] = {}
    shown = n
    collapsed: list[str] = []
    for kind in COLLAPSIBLE:
        if shown <= max_nodes:
            break
        of_kind = [v for v, k in G.nodes(data="kind") if k == kind]
        if not of_kind:
            continue
        before = len(members)
        for v in of_kind:
            key, label = _group_key(G, v, kind)
            gid = group_id(kind, key)
            group_of[v] = gid
            members.setdefault(gid, []).append(v)
            labels[gid] = (kind, label)
        shown += (len(members) - before) - len(of_kind)
        collapsed.append(kind)

    # A group of one shows its member as it is.
    for gid in [g for g, m in members.items() if len(m) == 1]:
        del group_of[members[gid][0]]
        del members[gid]

    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for v, attrs in G.nodes(data=True):
        if v not in group_of:
            H.add_node(v, **attrs)
    for gid, mem in members.items():
        kind, label = labels[gid]
        word = "segments" if kind == SEGMENT else "partners"
        attrs = {"kind": kind, "name": f"{len(mem):,} {word} {label}", "members": len(mem),
                 "member_names": [G.nodes[m].get("name", m) for m in mem[:12]]}
        if kind == SEGMENT:
            attrs["size"] = sum(G.nodes[m].get("size") or 0 for m in mem)
        H.add_node(gid, **attrs)
    for u, v, key, attrs in G.edges(keys=True, data=True):
        gu, gv = group_of.get(u, u), group_of.get(v, v)
        if gu == gv and (u in group_of or v in group_of):
            continue
        if u not in group_of and v not in group_of:
            H.add_edge(u, v, key=key, **attrs)
            continue
        mkey = attrs["type"]
        if H.has_edge(gu, gv, mkey):
            merged = H.edges[gu, gv, mkey]
            merged["merged"] += 1
            if "amount" in attrs:
                merged["amount"] = merged.get("amount", 0.0) + attrs["amount"]
        else:
            merged = {"type": attrs["type"], "merged": 1}
            if "amount" in attrs:
                merged["amount"] = attrs["amount"]
            H.add_edge(gu, gv, key=mkey, **merged)

    parts = []
    for kind in collapsed:
        groups = sum(1 for g in members if labels[g][0] == kind)
        count = sum(len(m) for g, m in members.items() if labels[g][0] == kind)
        word = "segments" if kind == SEGMENT else "partners"
        how = "by the offering or channel they are most linked to" if kind == SEGMENT else "by role"
        parts.append(f"{count:,} {word} collapsed into {groups:,} groups {how}")
    note = (f"This ecosystem has {n:,} nodes and {G.number_of_edges():,} relationships, more than the "
            f"{max_nodes:,} that stay readable: " + "; ".join(parts) + ". Relationships between the same "
            "groups are merged (money summed). Render with a higher --max-nodes to see every node.")
    if H.number_of_nodes() > max_nodes:
        note += f" Even so {H.number_of_nodes():,} nodes remain."
    return Aggregation(graph=H, group_of=group_of, members=members, original_nodes=n,
                       original_edges=G.number_of_edges(), collapsed_kinds=collapsed, note=note)
