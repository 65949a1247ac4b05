"""Centrality of every node: degree, betweenness, closeness, money-weighted PageRank, eigenvector."""

from __future__ import annotations

import math
import random
from collections import Counter
from operator import itemgetter
from dataclasses import asdict, dataclass, field

import networkx as nx
import numpy as np

from ._background import Betweenness, collapsed_edge_count
from .binding import Collapsed, collapsed, edge_list
from .rows import lazy_rows

__all__ = ["NodeCentrality", "CentralityResult", "centrality", "money_pagerank", "sample_size", "eigenvector",
           "sampled_closeness", "sampled_distances", "adjacency_matrix", "eigenvector_matrix", "strongly_connected",
           "solve_eigenvector", "weight_matrix", "pagerank_vector", "NODE_FIELDS", "start_betweenness"]

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


NODE_FIELDS = tuple(NodeCentrality.__dataclass_fields__)
"""The figures of one node, in :class:`NodeCentrality`'s (and the JSON's) order."""


@dataclass
class CentralityResult:
    """Centralities of every node (model order) and how they were computed.

    The figures are held as columns (``columns[field]``: one value per node, model order, for each
    field of :class:`NodeCentrality`); ``nodes`` gives them as one object per node, built on first
    use (a table of the top nodes or the JSON output do not need 100,000 objects).
    """

    columns: dict[str, list] = field(default_factory=lambda: {f: [] for f in NODE_FIELDS})
    sampled: bool = False
    k: int | None = None
    seed: int = 0
    eigenvector_method: str = "directed"

    nodes = lazy_rows("columns", lambda columns: list(map(NodeCentrality, *(columns[f] for f in NODE_FIELDS))),
                      doc="One :class:`NodeCentrality` per node, model order (built from the columns on first use).")

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

    def to_dict(self, nodes: list[NodeCentrality] | None = None) -> dict:
        """The JSON of the section; ``nodes``: the rows to list (default: every node, model order)."""
        if nodes is None and self.columns is None:  # rows assigned in place of the columns
            nodes = self.nodes
        rows = ([dict(zip(NODE_FIELDS, row)) for row in zip(*(self.columns[f] for f in NODE_FIELDS))]
                if nodes is None else [n.to_dict() for n in nodes])
        return {"sampled": self.sampled, "k": self.k, "seed": self.seed,
                "eigenvector_method": self.eigenvector_method, "nodes": rows}


def sample_size(nodes: int, edges: int, sample_above: int = 5000) -> int | None:
    """Sources sampled for betweenness/closeness: None (exact) up to ``sample_above`` nodes, else
    ``clamp(SAMPLE_WORK / (nodes + edges), 10, nodes)``.

    >>> sample_size(1000, 3000), sample_size(100_000, 300_000)
    (None, 10)
    """
    if nodes <= sample_above:
        return None
    return int(min(nodes, max(MIN_SAMPLE, SAMPLE_WORK // max(1, nodes + edges))))


def start_betweenness(G: nx.MultiDiGraph, *, sample_above: int = 5000, seed: int = 0,
                      background: bool = True) -> Betweenness:
    """The betweenness :func:`centrality` computes (sampled the same way), started in a child process
    when ``background`` and that pays (see :class:`~ecosystem_graph.analysis._background.Betweenness`),
    so that the caller can compute other things meanwhile. Pass it to :func:`centrality`; ``close()`` it.
    """
    pairs = collapsed_edge_count(G)
    return Betweenness(G, k=sample_size(G.number_of_nodes(), pairs, sample_above), seed=seed, background=background,
                       pairs=pairs)


def centrality(G: nx.MultiDiGraph, *, sample_above: int = 5000, seed: int = 0,
               D: nx.DiGraph | None = None, C: Collapsed | None = None,
               edges: list | None = None, betweenness: Betweenness | None = None) -> CentralityResult:
    """Degree, betweenness, closeness, PageRank and eigenvector centrality of every node.

    - degrees count relationships (parallel ones each count);
    - betweenness (normalised, directed) and closeness (incoming distance, Wasserman-Faust) use hop
      distance on the collapsed graph; above ``sample_above`` nodes both are estimated from ``k``
      seeded random sources (``k`` from :func:`sample_size`);
    - PageRank (alpha 0.85) and eigenvector use the weights of
      :func:`ecosystem_graph.analysis.binding.edge_weight` (money for PAYS);
    - eigenvector: on the directed graph when it is strongly connected, else on the undirected graph
      (weights of both directions added) - see docs/metrics.md.

    The readable definition (networkx on the collapsed graph, no sampling):
    :func:`ecosystem_graph.analysis.reference.centrality`.

    ``D`` (:func:`~ecosystem_graph.analysis.binding.collapse`) or ``C``
    (:func:`~ecosystem_graph.analysis.binding.collapsed`) and ``edges``
    (:func:`~ecosystem_graph.analysis.binding.edge_list`): when at hand. ``betweenness``: from
    :func:`start_betweenness` with the same ``sample_above`` and ``seed``, when started earlier.

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
    if C is None:
        C = collapsed(G, edges) if D is None else _arrays_of(D)
    nodes = C.nodes
    n = len(nodes)
    k = sample_size(n, len(C.src), sample_above)
    A = adjacency_matrix(C)
    # Betweenness and closeness count hops, which parallel relationships do not change: networkx runs on
    # the model graph itself (its searches visit each neighbour once, in the collapsed graph's order, so
    # the figures are those of the collapsed graph to the last bit). Building a networkx copy of the
    # collapsed graph for them costs more than the multigraph's slower neighbour views (measured at 100k).
    if betweenness is None:
        betweenness = Betweenness(G, k=k, seed=seed, background=False)
    elif (betweenness.k, betweenness.seed) != (k, seed):
        raise ValueError(f"betweenness started with k={betweenness.k}, seed={betweenness.seed}; "
                         f"centrality needs k={k}, seed={seed}")
    if k is None:
        closeness = nx.closeness_centrality(G)
        close = [closeness.get(v, 0.0) for v in nodes]
    else:
        sources = random.Random(seed).sample(nodes, k)
        pos = C.position()
        close = _closeness_values(sampled_distances(A, [pos[s] for s in sources]), [pos[s] for s in sources]).tolist()
    pagerank = pagerank_vector(weight_matrix(C)).tolist() if n else []
    vec, method = _eigenvector_values(C, A)
    if C.in_degree is not None:
        in_degree, out_degree = C.in_degree.tolist(), C.out_degree.tolist()
    else:  # C built from a collapsed graph: count the relationships themselves
        if edges is None:
            edges = edge_list(G)
        ins, outs = Counter(map(itemgetter(1), edges)), Counter(map(itemgetter(0), edges))
        in_degree, out_degree = [ins[v] for v in nodes], [outs[v] for v in nodes]
    attrs = [a for _, a in G.nodes(data=True)]
    columns = {"id": nodes, "name": [a.get("name", v) for v, a in zip(nodes, attrs)],
               "kind": [a.get("kind", "") for a in attrs], "in_degree": in_degree, "out_degree": out_degree,
               "betweenness": _in_order(betweenness.values().tolist(), list(G), nodes), "closeness": [float(c) for c in close],
               "pagerank": pagerank, "eigenvector": vec.tolist()}
    return CentralityResult(columns=columns, sampled=k is not None, k=k, seed=seed, eigenvector_method=method)


def _in_order(values: list, order: list, nodes: list) -> list:
    """``values`` (one per node of ``order``) rearranged in the order of ``nodes`` (0.0 for a node not
    in ``order``)."""
    if order == nodes:
        return values
    by_node = dict(zip(order, values))
    return [by_node.get(v, 0.0) for v in nodes]


def _arrays_of(D: nx.DiGraph) -> Collapsed:
    """A :class:`Collapsed` for a collapsed graph built elsewhere (edges in ``D``'s order)."""
    nodes = list(D)
    pos = {v: i for i, v in enumerate(nodes)}
    triples = list(D.edges(data="weight", default=1.0))
    src = np.fromiter((pos[u] for u, _, _ in triples), dtype=np.int64, count=len(triples))
    dst = np.fromiter((pos[v] for _, v, _ in triples), dtype=np.int64, count=len(triples))
    return Collapsed(nodes=nodes, src=src, dst=dst, weight=np.array([w for *_, w in triples], dtype=float), _D=D)


def adjacency_matrix(C: Collapsed):
    """The unweighted adjacency matrix of the collapsed graph (scipy CSR, row = from, column = to)."""
    import scipy.sparse as sp

    n = len(C.nodes)
    return sp.csr_matrix((np.ones(len(C.src)), (C.src, C.dst)), shape=(n, n))


def money_pagerank(G: nx.MultiDiGraph, *, D: nx.DiGraph | None = None) -> dict[str, float]:
    """PageRank of every node, weighted by money: the ``pagerank`` figure of :func:`centrality` alone.

    networkx's PageRank (alpha 0.85, :func:`pagerank_vector`) on the collapsed graph with the weights
    of :func:`ecosystem_graph.analysis.binding.edge_weight`; cheap (no betweenness or closeness), for
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
    C = collapsed(G) if D is None else _arrays_of(D)
    if not C.nodes:
        return {}
    return dict(zip(C.nodes, pagerank_vector(weight_matrix(C)).tolist()))


def weight_matrix(C: Collapsed):
    """The weighted adjacency matrix of the collapsed graph (scipy CSR, row = from, column = to),
    built as networkx's ``to_scipy_sparse_array`` builds it for ``pagerank``."""
    import scipy.sparse as sp

    n = len(C.nodes)
    return sp.coo_array((C.weight, (C.src, C.dst)), shape=(n, n), dtype=float).asformat("csr")


def pagerank_vector(W, *, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """PageRank of the weighted adjacency matrix ``W`` (:func:`weight_matrix`), in its node order.

    networkx's own algorithm (``networkx.pagerank``, scipy power iteration: uniform start and
    teleport, dangling nodes' rank spread uniformly, stop when the L1 change is below ``n * tol``),
    step for step, so the figures are the very doubles ``networkx.pagerank`` gives on the collapsed
    graph (the tests compare them); taking the matrix instead of a networkx graph saves building a
    ``DiGraph`` of every collapsed edge and converting it back to a matrix.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_array(([5.0], ([0], [1])), shape=(2, 2))  # a -> b
    >>> [round(x, 3) for x in pagerank_vector(W).tolist()]
    [0.351, 0.649]
    """
    import scipy.sparse as sp

    N = W.shape[0]
    S = W.sum(axis=1)
    S[S != 0] = 1.0 / S[S != 0]
    Q = sp.dia_array((S.T, 0), shape=W.shape).tocsr()
    A = Q @ W
    x = np.repeat(1.0 / N, N)
    p = np.repeat(1.0 / N, N)
    is_dangling = np.where(S == 0)[0]
    for _ in range(max_iter):
        xlast = x
        # the same expression as networkx (Python's sum over the dangling ranks included): same doubles
        x = alpha * (x @ A + sum(x[is_dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - xlast).sum() < N * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def sampled_closeness(D: nx.DiGraph, sources: list) -> dict:
    """Estimate of networkx's closeness (incoming distance, Wasserman-Faust scaling) from a sample.

    For each node ``v``: with ``r`` the sampled sources (other than ``v``) that reach ``v`` and ``t``
    the sum of their distances to ``v``, closeness is ``(r / t) * (r / k')`` where ``k'`` is the
    number of sampled sources other than ``v``: the average distance is estimated on the sample and
    the reached share of the graph by the reached share of the sample.
    """
    C = _arrays_of(D)
    if not sources or not C.nodes:
        return dict.fromkeys(C.nodes, 0.0)
    pos = C.position()
    idx = [pos[s] for s in sources]
    values = _closeness_values(sampled_distances(adjacency_matrix(C), idx), idx)
    return dict(zip(C.nodes, values.tolist()))


def sampled_distances(A, sources: list[int]):
    """Hop distances (breadth-first searches in scipy's C code) from each source position to every
    node: ``len(sources) x n``, inf when unreached. The library call of the sampled closeness."""
    from scipy.sparse.csgraph import shortest_path

    return shortest_path(A, method="D", directed=True, unweighted=True, indices=sources)


def _closeness_values(dist, src: list[int]):
    """The sampled closeness of every node from the distances of :func:`sampled_distances`."""
    k, n = dist.shape
    finite = np.isfinite(dist)
    src = np.asarray(src, dtype=np.int64)
    finite[np.arange(k), src] = False  # a source does not count for itself
    reached = finite.sum(axis=0)
    total = np.where(finite, dist, 0.0).sum(axis=0).astype(np.int64)  # whole hops: exact
    kk = np.full(n, k)
    kk[src] -= 1
    out = np.zeros(n)
    ok = (total > 0) & (kk > 0)
    r = reached[ok].astype(float)
    # (r / t) * (r / k'), every operation correctly rounded as Python's int division is
    out[ok] = (r / total[ok].astype(float)) * (r / kk[ok].astype(float))
    return out


def eigenvector(D: nx.DiGraph) -> tuple[dict, str]:
    """Eigenvector centrality (Euclidean norm 1, as networkx) and the graph it was computed on.

    Strongly connected directed graph: Perron vector of the weighted in-edges (``x_v = sum over
    u->v of w * x_u / lambda``, networkx's convention), unique and positive. Otherwise the directed
    eigenvector is not defined (a DAG has only zero eigenvalues), so the undirected graph with
    ``w(u,v) + w(v,u)`` is used: ``"undirected"``. A graph without edges: all ``1/sqrt(n)``
    (what networkx's power iteration returns), ``"uniform"``.
    """
    C = _arrays_of(D)
    vec, method = _eigenvector_values(C, adjacency_matrix(C) if C.nodes else None)
    return dict(zip(C.nodes, vec.tolist())), method


def eigenvector_matrix(C: Collapsed):
    """The matrix whose Perron vector is the eigenvector centrality: the positive weights with
    ``x_v`` gathering from its in-edges (``A^T``); None when no edge weighs more than 0."""
    import scipy.sparse as sp

    n = len(C.nodes)
    positive = C.weight > 0
    if not positive.any():
        return None
    return sp.csr_matrix((C.weight[positive], (C.dst[positive], C.src[positive])), shape=(n, n))


def strongly_connected(A) -> bool:
    """Whether the graph of adjacency matrix ``A`` (more than one node) is strongly connected."""
    from scipy.sparse.csgraph import connected_components

    return A.shape[0] > 1 and connected_components(A, directed=True, connection="strong")[0] == 1


def solve_eigenvector(M, directed: bool):
    """The library part of the eigenvector centrality: the Perron vector of ``M``, or of
    ``M + M^T`` when the graph is not strongly connected."""
    if not directed:
        M = M + M.T
    return _perron_vector(M, symmetric=not directed)


def _eigenvector_values(C: Collapsed, A) -> tuple:
    """Eigenvector centrality as an array in ``C.nodes`` order, and the method."""
    n = len(C.nodes)
    if n == 0:
        return np.zeros(0), "directed"
    M = eigenvector_matrix(C)
    if M is None:
        return np.full(n, 1 / math.sqrt(n)), "uniform"
    directed = strongly_connected(A)
    return solve_eigenvector(M, directed), ("directed" if directed else "undirected")


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
