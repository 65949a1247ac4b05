"""Readable definitions of every analysis figure: plain, slow networkx and Python that the fast paths are tested against.

Each function computes, from the model graph alone and the way ``docs/metrics.md`` words it, the figures
one fast path (``revenue.py``, ``lockin.py``, ``keystones.py``, ``centrality.py``, ``funnel.py``) computes
with columns, caches and closed forms. They return plain dicts keyed by the figures' names in the JSON
output. Nothing here is used by ``analyze``; ``tests/test_reference.py`` runs each fast path and its
reference on the same cases, as networkx tests every maximum-flow algorithm against the same cases.

Costs are those of the definitions (a keystone's figures re-run the lock-in for the graph without the
node, for every node): for models of tens of nodes, not for the fast paths' sizes.

The graph is the ``MultiDiGraph`` of :func:`ecosystem_graph.graph.to_networkx`: one edge per
relationship, keyed by the relationship id (a linked PAYS names another by that key in ``share_of``)
and carrying its derived ``amount``.
"""

from __future__ import annotations

import statistics

import networkx as nx

from ..model import (CHANNEL, CORE, EXTERNAL_KINDS, LOCKIN_MECHANISMS, OFFERING_KINDS, OUTER_OFFERING_KINDS,
                     SEGMENT)

__all__ = [
    "OFFERING_KINDS",
    "EXTERNAL_KINDS",
    "SINK",
    "binding_network",
    "typical_payment",
    "relationship_weight",
    "collapsed_graph",
    "eigenvector",
    "centrality",
    "hhi",
    "revenue",
    "binding_paths",
    "dependent_revenue",
    "stage_revenue",
    "switching_cost_reference",
    "lockin_index",
    "segment_flow_network",
    "segment_lockin",
    "lockin",
    "revenue_at_risk",
    "pairs_cut_off",
    "keystones",
    "solve_funnel",
    "funnels",
    "funnel_levers",
]


BINDING_TYPES = ("USES", "FEEDS")
SINK = ("__reference_sink__",)
"""The super-sink every core is joined to in the flow networks (a tuple: never a model id)."""


def _kind(G, n) -> str | None:
    return G.nodes[n].get("kind")


def _pays(G) -> list[tuple]:
    """Every PAYS relationship as ``(u, v, key, data)``, in model order."""
    return [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if d.get("type") == "PAYS"]


def _is_revenue(G, u, v) -> bool:
    """A payment from an external actor into an offering: ecosystem revenue."""
    return _kind(G, u) in EXTERNAL_KINDS and _kind(G, v) in OFFERING_KINDS


def binding_network(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The binding network: every node of ``G`` and its USES and FEEDS relationships only.

    A binding path (segment USES x, x FEEDS ... the core) is a path of this graph.
    """
    B = nx.MultiDiGraph()
    B.add_nodes_from(G.nodes(data=True))
    B.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if d.get("type") in BINDING_TYPES)
    return B


# ---------------------------------------------------------------------------------------- centrality


def typical_payment(G: nx.MultiDiGraph) -> float:
    """The median of the positive PAYS amounts, 1.0 when there is none: a payment of this amount weighs 1."""
    amounts = [d.get("amount") for _, _, _, d in _pays(G)]
    amounts = [a for a in amounts if a and a > 0]
    return float(statistics.median(amounts)) if amounts else 1.0


def relationship_weight(data: dict, typical: float) -> float:
    """The weight of one relationship in PageRank and eigenvector centrality.

    A payment weighs its amount in typical payments; any other relationship its 0..1 property (USES
    share, FEEDS strength, REACHES reach, DEPENDS_ON criticality, CONVERTS_TO rate) when set, else 1.

    >>> relationship_weight({"type": "PAYS", "amount": 30.0}, 10.0), relationship_weight({"type": "USES"}, 10.0)
    (3.0, 1.0)
    """
    kind = data.get("type")
    if kind == "PAYS":
        return float(data.get("amount") or 0.0) / typical
    prop = {"USES": "share", "FEEDS": "strength", "REACHES": "reach", "DEPENDS_ON": "criticality",
            "CONVERTS_TO": "rate"}.get(kind)
    if prop is not None and data.get(prop) is not None:
        return float(data[prop])
    return 1.0


def collapsed_graph(G: nx.MultiDiGraph) -> nx.DiGraph:
    """The collapsed graph the centralities run on: one edge per ordered pair of nodes that some
    relationship joins, weighing the sum of those relationships' weights (added in model order).

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", type="PAYS", amount=2.0); _ = G.add_edge("a", "b", type="USES", share=0.5)
    >>> list(collapsed_graph(G).edges(data="weight"))
    [('a', 'b', 1.5)]
    """
    typical = typical_payment(G)
    weights: dict = {}
    for u, v, _, d in G.edges(keys=True, data=True):
        weights[(u, v)] = weights.get((u, v), 0.0) + relationship_weight(d, typical)
    D = nx.DiGraph()
    D.add_nodes_from(G)
    D.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
    return D


def eigenvector(D: nx.DiGraph) -> tuple[dict, str]:
    """Eigenvector centrality of the collapsed graph and the graph it was computed on.

    Strongly connected: networkx's directed eigenvector centrality (a node is central when central nodes
    point to it), ``"directed"``. Otherwise the directed one is not unique, so the undirected graph
    whose edges weigh ``w(u, v) + w(v, u)``, by networkx's power iteration from the uniform vector,
    ``"undirected"``; no edge of positive weight: every node ``1 / sqrt(n)``, ``"uniform"``.
    """
    n = len(D)
    if not n:
        return {}, "directed"
    positive = [(u, v, w) for u, v, w in D.edges(data="weight") if w > 0]
    if not positive:
        return {v: 1 / n ** 0.5 for v in D}, "uniform"
    if n > 1 and nx.is_strongly_connected(D):
        return nx.eigenvector_centrality_numpy(D, weight="weight"), "directed"
    U = nx.Graph()
    U.add_nodes_from(D)
    for u, v, w in positive:
        if u != v and U.has_edge(u, v):
            U[u][v]["weight"] += w
        elif u == v:
            U.add_edge(u, v, weight=2 * w)  # a loop enters the symmetric matrix on both sides
        else:
            U.add_edge(u, v, weight=w)
    return nx.eigenvector_centrality(U, max_iter=100_000, tol=1e-13, weight="weight"), "undirected"


def centrality(G: nx.MultiDiGraph) -> dict:
    """Every centrality of every node, by networkx on :func:`collapsed_graph` (exact, no sampling).

    ``in_degree`` / ``out_degree`` count relationships (parallel ones each); betweenness (directed,
    normalised) and closeness (incoming hop distance, Wasserman-Faust) count hops; PageRank (alpha 0.85)
    and eigenvector centrality follow the weights of :func:`relationship_weight`.
    """
    D = collapsed_graph(G)
    vector, method = eigenvector(D)
    return {"in_degree": dict(G.in_degree()), "out_degree": dict(G.out_degree()),
            "betweenness": nx.betweenness_centrality(D), "closeness": nx.closeness_centrality(D),
            "pagerank": nx.pagerank(D, alpha=0.85, weight="weight") if len(D) else {},
            "eigenvector": vector, "eigenvector_method": method}


# ------------------------------------------------------------------------------------------- revenue


def hhi(amounts) -> float | None:
    """Herfindahl-Hirschman index, 0..10,000: ``10000 x sum(share^2)`` over the positive amounts; None
    without any.

    >>> hhi([50, 50]), hhi([100]), hhi([])
    (5000.0, 10000.0, None)
    """
    positive = [float(a) for a in amounts if a > 0]
    if not positive:
        return None
    total = sum(positive)
    shares = [a / total for a in positive]
    return 10000.0 * sum(share * share for share in shares)


def revenue(G: nx.MultiDiGraph) -> dict:
    """Every money figure of the revenue section but the attribution (:func:`dependent_revenue`),
    adding the payments one by one in model order.

    - ``nodes``: each node's ``inflow`` and ``outflow`` (PAYS into / out of it) and ``net`` (what it
      keeps), model order;
    - ``ecosystem_revenue``: what external actors (segments, partners) pay the offerings (cores,
      satellites, channels); ``core_revenue``: the part paid into cores; ``revenue_by_offering``: per
      offering, every offering in model order;
    - ``pass_through``: per node, linked PAYS out of it whose ``share_of`` payment goes into it (money
      received and paid on), nodes with a positive one in model order;
    - ``ecosystem_payouts``: what the offerings pay external actors; ``ecosystem_net``: revenue minus payouts;
    - ``payments``: every PAYS with its amount;
    - ``by_stream``, ``by_segment``: the ecosystem revenue per stream and per paying segment, largest first;
    - ``hhi``: concentration of the ecosystem revenue over payers and over payees.
    """
    kind = dict(G.nodes(data="kind"))
    inflow, outflow = dict.fromkeys(G, 0.0), dict.fromkeys(G, 0.0)
    by = {"stream": {}, "paying segment": {}, "payer": {}, "payee": {}}
    total = core_revenue = payouts = 0.0
    by_offering = {n: 0.0 for n in G if kind.get(n) in OFFERING_KINDS}
    payments, payee_of, pass_through = [], {}, {}
    for u, v, k, d in _pays(G):
        payee_of[k] = v
    for u, v, k, d in _pays(G):
        amount = float(d.get("amount") or 0.0)
        outflow[u] += amount
        inflow[v] += amount
        payments.append({"id": d.get("id") or k, "from": u, "to": v, "amount": amount,
                         "stream": d.get("stream") or "unspecified", "share_of": d.get("share_of"),
                         "share": d.get("share")})
        if d.get("share_of") is not None and payee_of.get(d["share_of"]) == u:
            pass_through[u] = pass_through.get(u, 0.0) + amount
        if kind.get(u) in OFFERING_KINDS and kind.get(v) in EXTERNAL_KINDS:
            payouts += amount
        if kind.get(u) in EXTERNAL_KINDS and kind.get(v) in OFFERING_KINDS:
            by_offering[v] += amount
            total += amount
            keys = {"stream": d.get("stream") or "unspecified", "payer": u, "payee": v}
            if kind.get(u) == SEGMENT:
                keys["paying segment"] = u
            for group, key in keys.items():
                by[group][key] = by[group].get(key, 0.0) + amount
            if kind.get(v) == CORE:
                core_revenue += amount
    ranked = {g: dict(sorted(by[g].items(), key=lambda kv: (-kv[1], kv[0])))
              for g in ("stream", "paying segment", "payee")}
    return {
        "nodes": [{"id": n, "kind": kind.get(n, ""), "inflow": inflow[n], "outflow": outflow[n],
                   "net": inflow[n] - outflow[n]} for n in G],
        "ecosystem_revenue": total, "core_revenue": core_revenue, "revenue_by_offering": by_offering,
        "pass_through": {n: pass_through[n] for n in G if pass_through.get(n, 0.0) > 0},
        "ecosystem_payouts": payouts, "ecosystem_net": total - payouts, "payments": payments,
        "by_stream": ranked["stream"], "by_segment": ranked["paying segment"],
        "hhi": {"payers": hhi(by["payer"].values()), "payees": hhi(by["payee"].values())},
    }


def binding_paths(G: nx.MultiDiGraph, source, targets, *, depth: int = 4,
                  max_paths: int | None = None) -> tuple[list[list[tuple]], bool]:
    """Simple binding paths from ``source`` that end at the first of ``targets`` they reach.

    Depth-first, each node's relationships in model order, no node twice, at most ``depth``
    relationships; each path a list of ``(u, v, key, data)``. At most ``max_paths`` (None: all) are
    returned, the first ones in that order, with whether more exist.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("fans", "app", type="USES"); _ = G.add_edge("app", "shop", type="FEEDS")
    >>> paths, more = binding_paths(G, "fans", {"shop"})
    >>> [[v for _, v, _, _ in p] for p in paths], more
    ([['app', 'shop']], False)
    """
    found: list = []

    def walk(u, path, seen) -> bool:  # False once the cap is passed
        for _, v, k, d in G.out_edges(u, keys=True, data=True):
            if d.get("type") not in BINDING_TYPES or v in seen:
                continue
            step = path + [(u, v, k, d)]
            if v in targets:
                found.append(step)
                if max_paths is not None and len(found) > max_paths:
                    return False
            elif len(step) < depth and not walk(v, step, seen | {v}):
                return False
        return True

    walk(source, [], {source})
    if max_paths is not None and len(found) > max_paths:
        return found[:max_paths], True
    return found, False


def _binding_weight(path) -> float:
    """A path's weight: the product of its USES ``share`` and FEEDS ``strength`` (1 when unset)."""
    w = 1.0
    for _, _, _, d in path:
        value = d.get("share" if d.get("type") == "USES" else "strength")
        w *= 1.0 if value is None else float(value)
    return w


def _revenue_paths(G, payer, payee, cores, depth, max_paths) -> tuple[list, bool]:
    """The binding paths a payment from ``payer`` into ``payee`` is attributed along: into a core, the
    payer's lock-in paths (ending at the first core reached, at most ``max_paths`` of them) that end at
    ``payee``; into another offering, the paths to it (which may pass a core)."""
    if payee in cores:
        paths, truncated = binding_paths(G, payer, cores, depth=depth, max_paths=max_paths)
        return [p for p in paths if p[-1][1] == payee], truncated
    return binding_paths(G, payer, {payee}, depth=depth, max_paths=max_paths)


def dependent_revenue(G: nx.MultiDiGraph, *, depth: int = 4, max_paths: int = 50) -> dict:
    """How much of the ecosystem revenue depends on each satellite and channel.

    Every ecosystem revenue payment from payer ``p`` into offering ``o`` is split over the binding paths
    from ``p`` to ``o`` (:func:`binding_paths`, at most ``depth`` relationships; into a core: those of
    the payer's lock-in paths that end at ``o``) in proportion to each path's weight (USES ``share`` x
    FEEDS ``strength``; all 0: equal parts). Every satellite or channel a path passes (not its end)
    gets that path's part; an offering's own revenue counts for it in full.

    Returns ``dependent_revenue`` and ``dependency`` (it over the ecosystem revenue) per satellite and
    channel, ``direct_revenue`` (parts of paths passing none), ``unbound_revenue`` (payments without a
    binding path) and ``paths_truncated`` (payers whose paths hit ``max_paths``).
    """
    kind = dict(G.nodes(data="kind"))
    cores = {n for n, k in kind.items() if k == CORE}
    dependent = {n: 0.0 for n, k in kind.items() if k in OUTER_OFFERING_KINDS}
    total = direct = unbound = 0.0
    truncated_payers = set()
    for u, v, _, d in _pays(G):
        if not _is_revenue(G, u, v):
            continue
        amount = float(d.get("amount") or 0.0)
        total += amount
        if v in dependent:
            dependent[v] += amount
        paths, truncated = _revenue_paths(G, u, v, cores, depth, max_paths)
        if truncated:
            truncated_payers.add(u)
        if not paths:
            unbound += amount
            continue
        weights = [_binding_weight(p) for p in paths]
        if sum(weights) <= 0:
            weights = [1.0] * len(paths)
        for p, w in zip(paths, weights):
            part = amount * w / sum(weights)
            between = {b for _, b, _, _ in p[:-1]} & set(dependent)
            if not between:
                direct += part
            for x in between:
                dependent[x] += part
    return {"dependent_revenue": dependent,
            "dependency": {n: (a / total if total > 0 else 0.0) for n, a in dependent.items()},
            "direct_revenue": direct, "unbound_revenue": unbound, "paths_truncated": len(truncated_payers)}


def stage_revenue(G: nx.MultiDiGraph) -> dict:
    """The ecosystem revenue each payer brings: for every PAYS into an offering, the payer of the payment
    its ``share_of`` chain starts from (the payer itself for a plain payment); amounts added per first payer.

    (A funnel stage's revenue per member is this over its size.)
    """
    by_id = {d["id"]: (u, d) for u, _, _, d in _pays(G) if d.get("id")}

    def first_payer(u, d):
        return first_payer(*by_id[d["share_of"]]) if d.get("share_of") in by_id else u

    out: dict = {}
    for u, v, _, d in _pays(G):
        if _kind(G, v) in OFFERING_KINDS:
            payer = first_payer(u, d)
            out[payer] = out.get(payer, 0.0) + float(d.get("amount") or 0.0)
    return out


# ------------------------------------------------------------------------------------------- lock-in


def switching_cost_reference(G: nx.MultiDiGraph) -> tuple[str, float]:
    """The switching cost that gives the full cost component of the lock-in index: ``("fraction", 1.0)``
    when every USES switching cost is within 0..1, else ``("money", the largest one)``."""
    costs = [d.get("switching_cost") for _, _, d in G.edges(data=True) if d.get("type") == "USES"]
    top = max((c for c in costs if c is not None), default=0.0)
    return ("fraction", 1.0) if top <= 1.0 else ("money", float(top))


def lockin_index(min_cut: float, disjoint_paths: int, mechanisms: int, reference: float = 1.0) -> float:
    """The 0-100 lock-in index: half the switching costs to break (``min(1, cut / reference)``), a
    quarter redundancy (three edge-disjoint binding paths saturate), a quarter the share of the seven
    lock-in mechanisms present.

    >>> round(lockin_index(0.7, 2, 3), 2)  # 35 + 16.67 + 10.71
    62.38
    """
    cost = min(1.0, min_cut / reference) if reference > 0 else 0.0
    redundancy = min(disjoint_paths, 3) / 3
    return 100.0 * (0.5 * cost + 0.25 * redundancy + 0.25 * mechanisms / len(LOCKIN_MECHANISMS))


def _reaching_core(B: nx.MultiDiGraph) -> set:
    """The nodes of binding network ``B`` with a binding path to some core (cores included)."""
    cores = [n for n, k in B.nodes(data="kind") if k == CORE]
    out = set(cores)
    for c in cores:
        out |= nx.ancestors(B, c)
    return out


def segment_flow_network(G: nx.MultiDiGraph, segment, *, unit: bool = False,
                         B: nx.MultiDiGraph | None = None) -> nx.DiGraph:
    """The segment's flow network: the binding relationships between the nodes it reaches that reach a
    core, and every such core joined to :data:`SINK`.

    ``unit=False`` (the minimum cut): a USES relationship's capacity is its switching cost (unset: 0, a
    binding without a recorded cost is free to break); FEEDS and the core-sink edges are unbounded (no
    ``capacity``: a competitor wins a customer away, it cannot break the ecosystem's own links).
    ``unit=True`` (edge-disjoint paths): every relationship has capacity 1, the core-sink edges are
    unbounded. Parallel relationships add their capacities (one unbounded makes the pair unbounded).
    ``B``: :func:`binding_network` of ``G`` when at hand.
    """
    B = binding_network(G) if B is None else B
    nodes = _reaching_core(B) & ({segment} | nx.descendants(B, segment))
    F = nx.DiGraph()
    F.add_nodes_from(nodes)
    for u, v, d in B.edges(data=True):
        if u not in nodes or v not in nodes:
            continue
        cap = 1.0 if unit else (float(d.get("switching_cost") or 0.0) if d["type"] == "USES" else None)
        if cap is None:  # unbounded
            if F.has_edge(u, v):
                F[u][v].pop("capacity", None)
            else:
                F.add_edge(u, v)
        elif not F.has_edge(u, v):
            F.add_edge(u, v, capacity=cap)
        elif "capacity" in F[u][v]:
            F[u][v]["capacity"] += cap
    for c in nodes:
        if G.nodes[c].get("kind") == CORE:
            F.add_edge(c, SINK)
    return F


def segment_lockin(G: nx.MultiDiGraph, segment, *, depth: int = 4, max_paths: int = 50,
                   reference: float | None = None, with_paths: bool = True,
                   B: nx.MultiDiGraph | None = None) -> dict:
    """How strongly one segment is tied to the core(s).

    - ``paths``: its binding paths to any core (:func:`binding_paths`, at most ``depth`` relationships
      and ``max_paths`` listed; ``paths_truncated``), each as its nodes, ``(u, v, key)`` edges, types and
      the USES switching costs (None for FEEDS); ``cores``: the cores it has a binding path to (any length);
    - ``min_cut`` and ``cut_edges``: :func:`networkx.minimum_cut` between the segment and :data:`SINK` in
      :func:`segment_flow_network`, and the relationships from its source side to its sink side: the
      cheapest set of bindings a competitor must break;
    - ``disjoint_paths``: :func:`networkx.maximum_flow_value` with unit capacities: binding paths to
      the cores that share no relationship (not depth-bound);
    - ``mechanisms``: the lock-in types on its bindings into nodes that reach a core, with
      ``durable_purchase`` when one of them is a device channel;
    - ``index``: :func:`lockin_index` (``reference``: :func:`switching_cost_reference` of ``G`` unless given).

    ``B``: :func:`binding_network` of ``G`` when at hand.
    """
    if reference is None:
        reference = switching_cost_reference(G)[1]
    B = binding_network(G) if B is None else B
    reach = _reaching_core(B)
    out = {"id": segment, "name": G.nodes[segment].get("name", segment), "cores": [], "index": 0.0,
           "min_cut": 0.0, "cut_edges": [], "disjoint_paths": 0, "mechanisms": [], "paths_truncated": False,
           "paths": []}
    if segment not in reach:
        return out
    cores = [n for n in G if G.nodes[n].get("kind") == CORE]
    out["cores"] = [c for c in cores if c in nx.descendants(B, segment)]
    if with_paths:
        paths, out["paths_truncated"] = binding_paths(G, segment, set(cores), depth=depth, max_paths=max_paths)
        out["paths"] = [{"nodes": [segment, *[v for _, v, _, _ in p]], "edges": [(u, v, k) for u, v, k, _ in p],
                         "types": [d["type"] for *_, d in p],
                         "switching_costs": [d.get("switching_cost") if d["type"] == "USES" else None
                                             for *_, d in p]} for p in paths]
        for p in out["paths"]:
            p["total_switching_cost"] = float(sum(c for c in p["switching_costs"] if c is not None))
    cut, (source_side, sink_side) = nx.minimum_cut(segment_flow_network(G, segment, B=B), segment, SINK)
    out["min_cut"] = float(cut)
    out["cut_edges"] = [(u, v, k) for u, v, k in B.edges(keys=True)
                        if u in source_side and v in sink_side and v in reach]
    out["disjoint_paths"] = int(nx.maximum_flow_value(segment_flow_network(G, segment, unit=True, B=B), segment, SINK))
    found = set()
    for _, v, d in B.out_edges(segment, data=True):
        if v in reach:
            found.update(d.get("mechanisms") or ())
            if G.nodes[v].get("kind") == CHANNEL and G.nodes[v].get("device"):
                found.add("durable_purchase")
    out["mechanisms"] = [m for m in LOCKIN_MECHANISMS if m in found]
    out["index"] = lockin_index(out["min_cut"], out["disjoint_paths"], len(out["mechanisms"]), reference)
    return out


def lockin(G: nx.MultiDiGraph, *, depth: int = 4, max_paths: int = 50, reference: float | None = None,
           with_paths: bool = True) -> dict:
    """Lock-in of every segment (:func:`segment_lockin`, model order) and ``total_index``, their sum;
    ``scale`` and ``reference`` of the switching costs (``reference`` given: kept, as the keystones keep
    the intact model's)."""
    scale, own = switching_cost_reference(G)
    reference = own if reference is None else reference
    B = binding_network(G)
    segments = [segment_lockin(G, s, depth=depth, max_paths=max_paths, reference=reference, with_paths=with_paths,
                               B=B) for s in G if G.nodes[s].get("kind") == SEGMENT]
    return {"scale": scale, "reference": reference, "total_index": sum(s["index"] for s in segments),
            "paths_truncated": sum(1 for s in segments if s["paths_truncated"]), "segments": segments}


# ----------------------------------------------------------------------------------------- keystones


def revenue_at_risk(G: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Per node, the ecosystem revenue (and its part paid into cores) lost if the node disappeared.

    With the node removed, a payment is kept iff its payer and payee remain, and either no binding path
    joined them or one still does without the node, and - for a linked payment - the payment it is a
    share of is kept. The ecosystem revenue payments not kept are lost. (Binding paths of any length.)
    """
    B = binding_network(G)
    pays = _pays(G)
    by_key = {k: (u, v, k, d) for u, v, k, d in pays}
    joined = {(u, v): nx.has_path(B, u, v) for u, v, _, _ in pays}
    reach = {u: nx.descendants(B, u) for u, _, _, _ in pays}  # a node u cannot reach is on none of its paths
    lost, lost_core = {}, {}
    for x in G:
        without = nx.restricted_view(B, [x], [])
        memo: dict = {}

        def kept(e) -> bool:
            u, v, k, d = e
            if (u, v, k) not in memo:
                ok = x not in (u, v)
                if ok and joined[(u, v)] and x in reach[u]:
                    ok = nx.has_path(without, u, v)
                if ok and d.get("share_of") is not None:
                    ok = kept(by_key[d["share_of"]])
                memo[(u, v, k)] = ok
            return memo[(u, v, k)]

        lost[x] = lost_core[x] = 0.0
        for e in pays:
            u, v, _, d = e
            if _is_revenue(G, u, v) and not kept(e):
                lost[x] += float(d.get("amount") or 0.0)
                if _kind(G, v) == CORE:
                    lost_core[x] += float(d.get("amount") or 0.0)
    return lost, lost_core


def _joined_pairs(U: nx.Graph) -> int:
    return sum(len(c) * (len(c) - 1) // 2 for c in nx.connected_components(U))


def pairs_cut_off(G: nx.Graph) -> tuple[dict, int]:
    """Per node, the pairs of other nodes joined by some chain of relationships (any type, either
    direction) and by none once the node is removed; and the number of joined pairs.

    >>> pairs_cut_off(nx.path_graph(["a", "b", "c", "d"]))
    ({'a': 0, 'b': 2, 'c': 2, 'd': 0}, 6)
    """
    U = nx.Graph(G.to_undirected())
    joined = _joined_pairs(U)
    out = {}
    for x in U:
        # the joined pairs not involving x, before and after
        before = joined - (len(nx.node_connected_component(U, x)) - 1)
        out[x] = before - _joined_pairs(U.subgraph(set(U) - {x}))
    return {x: out[x] for x in G}, joined


def keystones(G: nx.MultiDiGraph, *, depth: int = 4) -> dict:
    """What removing each node costs, by brute force: remove the node, re-run the reference analyses,
    compare.

    Per node (``nodes``, ranked): ``revenue_at_risk`` / ``core_revenue_at_risk`` (:func:`revenue_at_risk`)
    and ``revenue_share`` (over the ecosystem revenue); ``segments_cut_off``: other segments with a
    binding path to a core before and none after; ``lockin_change``: the total lock-in index after
    (every segment of the graph without the node, the intact model's switching-cost reference) minus
    before; ``pairs_cut_off`` (:func:`pairs_cut_off`); the shares of the bound segments, the total
    lock-in and the joined pairs; ``impact``, the mean of the four shares. Ranked by impact, revenue at
    risk, segments cut off (highest first), lock-in change (most negative first), id; ``rank`` from 1.
    """
    B = binding_network(G)
    reference = switching_cost_reference(G)[1]
    before = lockin(G, depth=depth, reference=reference, with_paths=False)
    total = before["total_index"]
    bound = {s for s in G if G.nodes[s].get("kind") == SEGMENT and s in _reaching_core(B)}
    eco = revenue(G)["ecosystem_revenue"]
    lost, lost_core = revenue_at_risk(G)
    pairs, joined = pairs_cut_off(G)
    rows = []
    for x in G:
        H = G.copy()
        H.remove_node(x)
        still = _reaching_core(binding_network(H))
        cut_off = sum(1 for s in bound if s != x and s not in still)
        change = lockin(H, depth=depth, reference=reference, with_paths=False)["total_index"] - total
        row = {"id": x, "name": G.nodes[x].get("name", x), "kind": G.nodes[x].get("kind", ""),
               "revenue_at_risk": lost[x], "core_revenue_at_risk": lost_core[x],
               "revenue_share": lost[x] / eco if eco > 0 else 0.0, "segments_cut_off": cut_off,
               "lockin_change": change, "pairs_cut_off": pairs[x],
               "segments_share": cut_off / len(bound) if bound else 0.0,
               "lockin_share": max(0.0, -change) / total if total > 0 else 0.0,
               "pairs_share": pairs[x] / joined if joined else 0.0}
        row["impact"] = (row["revenue_share"] + row["segments_share"] + row["lockin_share"] + row["pairs_share"]) / 4
        rows.append(row)
    rows.sort(key=lambda r: (-r["impact"], -r["revenue_at_risk"], -r["segments_cut_off"], r["lockin_change"], r["id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return {"ecosystem_revenue": eco, "core_revenue": revenue(G)["core_revenue"], "total_lockin": total,
            "bound_segments": len(bound), "connected_pairs": joined, "nodes": rows}


# -------------------------------------------------------------------------------------------- funnel


def _funnel_steps(G, stages, changed=None, new_rate=None) -> nx.MultiDiGraph:
    """The CONVERTS_TO steps among ``stages``, keyed ``(from, to, n)`` for the n-th from -> to in model
    order, with the rate of step ``changed`` set to ``new_rate``."""
    C = nx.MultiDiGraph()
    C.add_nodes_from(stages)
    for u, v, d in G.edges(data=True):
        if d.get("type") == "CONVERTS_TO" and u in C:
            key = C.number_of_edges(u, v)
            C.add_edge(u, v, key, rate=new_rate if (u, v, key) == changed else float(d.get("rate") or 0.0))
    return C


def solve_funnel(G: nx.MultiDiGraph, stages: list, changed: tuple | None = None,
                 new_rate: float | None = None) -> tuple | None:
    """Expected members of every stage, expected conversions and expected revenue of one funnel, solved
    from scratch (the linear system of expected visits, not the inverse), with the rate of step
    ``changed`` (``(from, to, n)``: the n-th such step in model order) set to ``new_rate``.

    The entry stages' members (their ``size``) move along each step with its rate and drop out with
    the rest; the stages with no step out are final (converted). Revenue: each stage's expected members
    x its revenue per member (:func:`stage_revenue` / size, stages with a size). Returns ``(members,
    converted, revenue, steps)``, or None when the rates leave a loop with no way out.
    """
    import numpy as np

    C = _funnel_steps(G, stages, changed, new_rate)
    transient = [s for s in stages if C.out_degree(s)]
    finals = [s for s in stages if not C.out_degree(s)]
    entries = [s for s in stages if C.in_degree(s) == 0] or stages[:1]
    Q = np.zeros((len(transient), len(transient)))
    R = np.zeros((len(transient), len(finals)))
    for u, v, r in C.edges(data="rate"):
        if v in transient:
            Q[transient.index(u), transient.index(v)] += r
        else:
            R[transient.index(u), finals.index(v)] += r
    w = np.array([float(G.nodes[s].get("size") or 0) if s in entries else 0.0 for s in transient])
    A = np.eye(len(transient)) - Q.T
    if len(transient) and np.linalg.cond(A) > 1e12:
        return None
    x = np.linalg.solve(A, w) if len(transient) else np.zeros(0)  # expected visits of the transient stages
    members = dict(zip(transient, x.tolist()))
    members.update(zip(finals, (R.T @ x).tolist() if len(transient) else [0.0] * len(finals)))
    for s in entries:
        if s in finals:  # an entry that is final (a loop's way out listed first): its own members
            members[s] += float(G.nodes[s].get("size") or 0)
    converted = sum(members[f] for f in finals)
    paid = {u: a for u, a in stage_revenue(G).items() if u in members}
    money = sum(members[s] * paid[s] / G.nodes[s]["size"] for s in paid if paid[s] > 0 and G.nodes[s].get("size"))
    return members, converted, money, C


def funnels(G: nx.MultiDiGraph) -> list[dict]:
    """Every funnel (weakly connected group of CONVERTS_TO relationships) as an absorbing Markov chain,
    one at a time, without the levers (:func:`funnel_levers`); ordered by their first stage in model order.

    Stages in networkx's lexicographical topological order (ties in model order; model order when the
    steps loop). A stage with steps out is transient, moving on with each step's rate and dropping out
    with ``1 - sum(rates)``; one without is final. ``N = (I - Q)^-1`` (expected visits), ``B = N R``
    (absorption): ``reach_final`` is a row sum of ``B`` (1 for a final stage), ``conversion`` that of the
    entry, ``expected_members`` the entries' sizes times their visits, ``revenue_per_member`` the stage's
    :func:`stage_revenue` over its size (None: it pays but has no size), ``revenue_per_entrant`` the
    expected revenue of one entrant, ``bottleneck`` the first step of the lowest rate.
    """
    import numpy as np

    C = nx.MultiDiGraph()
    for u, v, d in G.edges(data=True):
        if d.get("type") == "CONVERTS_TO":
            C.add_edge(u, v, rate=float(d.get("rate") or 0.0))
    payments = stage_revenue(G)
    order = {n: i for i, n in enumerate(G)}
    comps = sorted((sorted(c, key=order.__getitem__) for c in nx.weakly_connected_components(C)),
                   key=lambda c: order[c[0]])
    out = []
    for comp in comps:
        sub = C.subgraph(comp)
        try:
            stages = list(nx.lexicographical_topological_sort(sub, key=order.__getitem__))
        except nx.NetworkXUnfeasible:
            stages = comp
        succ = {s: {} for s in stages}
        for u in stages:  # C's adjacency keeps model order of each stage's steps
            for v, kd in C.adj[u].items():
                succ[u][v] = [d["rate"] for d in kd.values()]
        transient = [s for s in stages if succ[s]]
        finals = [s for s in stages if not succ[s]]
        entries = [s for s in stages if C.in_degree(s) == 0] or stages[:1]
        ti, fi = {s: i for i, s in enumerate(transient)}, {s: i for i, s in enumerate(finals)}
        at = {s: i for i, s in enumerate(stages)}
        P = np.zeros((len(stages), len(stages)))  # the chain's rates from stage to stage
        for u in stages:
            for v, rates in succ[u].items():
                P[at[u], at[v]] += sum(rates)
        t, f = [at[s] for s in transient], [at[s] for s in finals]
        Q, R = P[np.ix_(t, t)], P[np.ix_(t, f)]  # the canonical form's blocks
        N = np.linalg.inv(np.eye(len(transient)) - Q)
        B = N @ R
        sums = B.sum(axis=1).tolist()

        def visits(e):
            if e in ti:
                row = dict(zip(transient, N[ti[e]].tolist()))
                row.update(zip(finals, B[ti[e]].tolist()))
                return row
            return {s: (1.0 if s == e else 0.0) for s in stages}

        sizes = {s: G.nodes[s].get("size") for s in stages}
        expected = dict.fromkeys(stages, 0.0)
        for e in entries:
            for s, x in visits(e).items():
                expected[s] += (sizes[e] or 0) * x
        per_member = {}
        for s in stages:
            paid = payments.get(s, 0.0)
            per_member[s] = 0.0 if paid <= 0 else (paid / sizes[s] if sizes[s] else None)
        entry = entries[0]
        v_entry = visits(entry)
        known = [v_entry[s] * per_member[s] for s in stages if v_entry[s] > 0 and per_member[s] is not None]
        unknown = any(v_entry[s] > 0 and per_member[s] is None for s in stages)
        stage_dicts = []
        for s in stages:
            final = s in fi
            reach = 1.0 if final else sums[ti[s]]
            drop = 0.0 if final else max(0.0, 1.0 - sum(r for rates in succ[s].values() for r in rates))
            stage_dicts.append({"id": s, "name": G.nodes[s].get("name", s), "size": sizes[s], "entry": s in entries,
                                "final": final, "drop_rate": drop, "reach_final": reach,
                                "expected_members": expected[s], "revenue_per_member": per_member[s]})
        steps = sorted(({"from": u, "to": v, "rate": r} for u in transient for v, rates in succ[u].items()
                        for r in rates), key=lambda st: (at[st["from"]], at[st["to"]]))
        out.append({"entry": entry, "finals": finals, "conversion": 1.0 if entry in fi else sums[ti[entry]],
                    "bottleneck": min(steps, key=lambda st: st["rate"]) if steps else None,
                    "revenue_per_entrant": None if unknown else float(sum(known)),
                    "expected_converted": float(sum(expected[f] for f in finals)),
                    "stages": stage_dicts, "steps": steps})
    return out


def funnel_levers(G: nx.MultiDiGraph, stages: list) -> list[dict]:
    """What raising each step's rate brings, by solving the funnel again with the rate raised
    (:func:`solve_funnel`); in step order (the fast path ranks them by elasticity, highest first).

    Raising step ``a -> b`` (rate ``r``) by ``d`` lowers ``a``'s drop rate by ``d``; ``d`` is cut to
    what is left of that drop rate (``capped``). ``extra_converted_per_point``: ``d = 0.01``;
    ``extra_converted_per_10pct`` and ``extra_revenue_per_10pct``: ``d = 0.1 r`` (a raise that closes
    a loop with no way out converts no one more; revenue None, as when a stage whose members grow pays
    but has no size); ``elasticity``: the derivative of the conversions in the rate (a central
    difference of two solves) times ``r / converted`` (None when nothing converts).
    """
    members, converted, money, C = solve_funnel(G, stages)
    paid = stage_revenue(G)
    unknown = {s for s in stages if not G.nodes[s].get("size") and paid.get(s, 0.0) > 0}
    positive = nx.DiGraph([(u, v) for u, v, r in C.edges(data="rate") if r > 0])
    at = {s: i for i, s in enumerate(stages)}
    levers = []
    for u, v, key, r in C.edges(keys=True, data="rate"):
        room = max(0.0, 1.0 - sum(rate for _, _, rate in C.out_edges(u, data="rate")))
        point, tenth = min(0.01, room), min(0.1 * r, room)
        lever = {"from": u, "to": v, "rate": r, "capped": point < 0.01 or tenth < 0.1 * r}
        for name, d in (("extra_converted_per_point", point), ("extra_converted_per_10pct", tenth)):
            after = solve_funnel(G, stages, (u, v, key), r + d)
            lever[name] = 0.0 if after is None else after[1] - converted
        after = solve_funnel(G, stages, (u, v, key), r + tenth)
        grown = {v} | (nx.descendants(positive, v) if v in positive else set())
        if after is None or (grown & unknown and tenth > 0 and members[u] > 0):
            lever["extra_revenue_per_10pct"] = None
        else:
            lever["extra_revenue_per_10pct"] = after[2] - money
        h = 1e-6
        up, down = solve_funnel(G, stages, (u, v, key), r + h), solve_funnel(G, stages, (u, v, key), r - h)
        if converted > 0 and up is not None and down is not None:
            lever["elasticity"] = (up[1] - down[1]) / (2 * h) * r / converted
        else:
            lever["elasticity"] = None
        levers.append(lever)
    return sorted(levers, key=lambda x: (at[x["from"]], at[x["to"]]))  # step order
