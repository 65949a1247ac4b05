"""Centrality of every node: degree, betweenness, closeness, money-weighted PageRank, eigenvector."""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field

import networkx as nx
import numpy as np

from ._common import collapse

__all__ = ["NodeCentrality", "CentralityResult", "centrality", "money_pagerank", "sample_size", "eigenvector"]

SAMPLE_WORK = 4_000_000
"""Edge visits the sampled betweenness/closeness may spend: k = SAMPLE_WORK / (nodes + edges)."""

MIN_SAMPLE = 10


@dataclass
class NodeCentrality:
    """The centralities of one node."""

    id: str
    name: str
    kind: str
    in_degree: int
    out_degree: int
    betweenness: float
    closeness: float
    pagerank: float
    eigenvector: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CentralityResult:
    """Centralities of every node (model order) and how they were computed."""

    nodes: list[NodeCentrality] = field(default_factory=list)
    sampled: bool = False
    k: int | None = None
    seed: int = 0
    eigenvector_method: str = "directed"

    def by_id(self) -> dict[str, NodeCentrality]:
        return {n.id: n for n in self.nodes}

    @property
    def note(self) -> str | None:
        """What the reader must know about how the figures were computed."""
        parts = []
        if self.sampled:
            parts.append(f"betweenness and closeness sampled from k={self.k} source nodes (seed {self.seed})")
        if self.eigenvector_method != "directed":
            parts.append(f"eigenvector centrality on the {self.eigenvector_method} graph "
                         f"(the directed graph is not strongly connected)")
        return "; ".join(parts) or None

    def to_dict(self) -> dict:
        return {"sampled": self.sampled, "k": self.k, "seed": self.seed,
                "eigenvector_method": self.eigenvector_method,
                "nodes": [n.to_dict() for n in self.nodes]}


def sample_size(nodes: int, edges: int, sample_above: int = 5000) -> int | None:
    """Sources sampled for betweenness/closeness: None (exact) up to ``sample_above`` nodes, else
    ``clamp(SAMPLE_WORK / (nodes + edges), 10, nodes)``.

    >>> sample_size(1000, 3000), sample_size(100_000, 300_000)
    (None, 10)
    """
    if nodes <= sample_above:
        return None
    return int(min(nodes, max(MIN_SAMPLE, SAMPLE_WORK // max(1, nodes + edges))))


def centrality(G: nx.MultiDiGraph, *, sample_above: int = 5000, seed: int = 0,
               D: nx.DiGraph | None = None) -> CentralityResult:
    """Degree, betweenness, closeness, PageRank and eigenvector centrality of every node.

    - degrees count relationships (parallel ones each count);
    - betweenness (normalised, directed) and closeness (incoming distance, Wasserman-Faust) use hop
      distance on the collapsed graph; above ``sample_above`` nodes both are estimated from ``k``
      seeded random sources (``k`` from :func:`sample_size`);
    - PageRank (alpha 0.85) and eigenvector use the weights of
      :func:`ecosystem_graph.analysis._common.edge_weight` (money for PAYS);
    - eigenvector: on the directed graph when it is strongly connected, else on the undirected graph
      (weights of both directions added) - see docs/metrics.md.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="segment", name="A"); G.add_node("b", kind="core", name="B")
    >>> _ = G.add_edge("a", "b", type="PAYS", amount=5.0)
    >>> r = centrality(G)
    >>> [(n.id, n.in_degree, round(n.pagerank, 3)) for n in r.nodes]
    [('a', 0, 0.351), ('b', 1, 0.649)]
    """
    if D is None:
        D = collapse(G)
    n = D.number_of_nodes()
    k = sample_size(n, D.number_of_edges(), sample_above)
    if k is None:
        betweenness = nx.betweenness_centrality(D, normalized=True)
        closeness = nx.closeness_centrality(D)
    else:
        betweenness = nx.betweenness_centrality(D, k=k, normalized=True, seed=seed)
        closeness = sampled_closeness(D, random.Random(seed).sample(list(D), k))
    pagerank = money_pagerank(G, D=D)
    eig, method = eigenvector(D)
    nodes = []
    in_degree, out_degree = dict(G.in_degree()), dict(G.out_degree())
    for nid, attrs in G.nodes(data=True):
        nodes.append(NodeCentrality(
            id=nid, name=attrs.get("name", nid), kind=attrs.get("kind", ""),
            in_degree=in_degree[nid], out_degree=out_degree[nid],
            betweenness=float(betweenness.get(nid, 0.0)), closeness=float(closeness.get(nid, 0.0)),
            pagerank=float(pagerank.get(nid, 0.0)), eigenvector=float(eig.get(nid, 0.0))))
    return CentralityResult(nodes=nodes, sampled=k is not None, k=k, seed=seed, eigenvector_method=method)


def money_pagerank(G: nx.MultiDiGraph, *, D: nx.DiGraph | None = None) -> dict[str, float]:
    """PageRank of every node, weighted by money: the ``pagerank`` figure of :func:`centrality` alone.

    networkx ``pagerank`` (alpha 0.85) on the collapsed graph with the weights of
    :func:`ecosystem_graph.analysis._common.edge_weight`; cheap (no betweenness or closeness), for
    callers that only need PageRank, such as node sizes in a picture. ``D``: ``collapse(G)`` when at hand.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="segment"); G.add_node("b", kind="core")
    >>> _ = G.add_edge("a", "b", type="PAYS", amount=5.0)
    >>> {n: round(p, 3) for n, p in money_pagerank(G).items()}
    {'a': 0.351, 'b': 0.649}
    """
    if D is None:
        D = collapse(G)
    if D.number_of_nodes() == 0:
        return {}
    return nx.pagerank(D, alpha=0.85, weight="weight")


def sampled_closeness(D: nx.DiGraph, sources: list) -> dict:
    """Estimate of networkx's closeness (incoming distance, Wasserman-Faust scaling) from a sample.

    For each node ``v``: with ``r`` the sampled sources (other than ``v``) that reach ``v`` and ``t``
    the sum of their distances to ``v``, closeness is ``(r / t) * (r / k')`` where ``k'`` is the
    number of sampled sources other than ``v``: the average distance is estimated on the sample and
    the reached share of the graph by the reached share of the sample.
    """
    nodes = list(D)
    index = {v: i for i, v in enumerate(nodes)}
    n, k = len(nodes), len(sources)
    if k == 0 or n == 0:
        return dict.fromkeys(nodes, 0.0)
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    rows = [index[u] for u, v in D.edges()]
    cols = [index[v] for u, v in D.edges()]
    A = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    # Hop distances (breadth-first search in C) from each sampled source: k x n, inf when unreached.
    dist = shortest_path(A, method="D", directed=True, unweighted=True, indices=[index[s] for s in sources])
    finite = np.isfinite(dist)
    src = np.array([index[s] for s in sources])
    finite[np.arange(k), src] = False  # a source does not count for itself
    reached = finite.sum(axis=0)
    total = np.where(finite, dist, 0.0).sum(axis=0)
    kk = np.full(n, k)
    kk[src] -= 1
    out = {}
    for i, v in enumerate(nodes):
        r, t, kv = int(reached[i]), int(total[i]), int(kk[i])
        out[v] = (r / t) * (r / kv) if t > 0 and kv > 0 else 0.0
    return out


def eigenvector(D: nx.DiGraph) -> tuple[dict, str]:
    """Eigenvector centrality (Euclidean norm 1, as networkx) and the graph it was computed on.

    Strongly connected directed graph: Perron vector of the weighted in-edges (``x_v = sum over
    u->v of w * x_u / lambda``, networkx's convention), unique and positive. Otherwise the directed
    eigenvector is not defined (a DAG has only zero eigenvalues), so the undirected graph with
    ``w(u,v) + w(v,u)`` is used: ``"undirected"``. A graph without edges: all ``1/sqrt(n)``
    (what networkx's power iteration returns), ``"uniform"``.
    """
    nodes = list(D)
    n = len(nodes)
    if n == 0:
        return {}, "directed"
    positive = [(u, v, w) for u, v, w in D.edges(data="weight", default=1.0) if w > 0]
    if not positive:
        return dict.fromkeys(nodes, 1 / math.sqrt(n)), "uniform"
    index = {v: i for i, v in enumerate(nodes)}
    directed = n > 1 and nx.is_strongly_connected(D)
    import scipy.sparse as sp

    rows = [index[v] for _, v, _ in positive]  # x_v gathers from its in-edges: A^T
    cols = [index[u] for u, _, _ in positive]
    data = [float(w) for _, _, w in positive]
    A = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    if not directed:
        A = A + A.T
    vec = _perron_vector(A, symmetric=not directed)
    return {v: float(vec[i]) for v, i in index.items()}, ("directed" if directed else "undirected")


def _perron_vector(A, *, symmetric: bool) -> np.ndarray:
    n = A.shape[0]
    if n <= 400:
        M = A.toarray()
        if symmetric:
            vals, vecs = np.linalg.eigh(M)
            vec = vecs[:, int(np.argmax(vals))]
            # Several components may share the top eigenvalue: project the all-ones start vector
            # on that eigenspace (what power iteration from uniform converges to).
            top = np.isclose(vals, vals.max(), rtol=1e-9, atol=1e-12)
            if top.sum() > 1:
                basis = vecs[:, top]
                vec = basis @ (basis.T @ np.ones(n))
        else:
            vals, vecs = np.linalg.eig(M)
            vec = np.real(vecs[:, int(np.argmax(np.real(vals)))])
    else:
        import scipy.sparse.linalg as spla

        v0 = np.ones(n)
        try:
            if symmetric:
                _, vecs = spla.eigsh(A, k=1, which="LA", v0=v0, tol=1e-10, maxiter=max(1000, 10 * n))
            else:
                _, vecs = spla.eigs(A, k=1, which="LR", v0=v0, tol=1e-10, maxiter=max(1000, 10 * n))
            vec = np.real(vecs[:, 0])
        except (spla.ArpackNoConvergence, spla.ArpackError):  # pragma: no cover - rare
            vec = _power_iteration(A)
    if vec.sum() < 0:
        vec = -vec
    vec = np.clip(vec, 0.0, None)
    norm = np.linalg.norm(vec)
    return vec / norm if norm > 0 else np.full(n, 1 / math.sqrt(n))


def _power_iteration(A, iterations: int = 1000, tol: float = 1e-10) -> np.ndarray:  # pragma: no cover
    n = A.shape[0]
    x = np.ones(n) / math.sqrt(n)
    for _ in range(iterations):
        y = A @ x + x  # (A + I) as networkx: no oscillation on bipartite graphs
        y /= np.linalg.norm(y)
        if np.abs(y - x).sum() < n * tol:
            return y
        x = y
    return x
