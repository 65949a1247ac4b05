"""The array-based centrality parts give networkx's own figures to the last bit: the collapsed arrays,
networkx's PageRank run on the scipy matrix, and the column-held results."""

import networkx as nx
import numpy as np
import pytest
from tests.analysis_helpers import small_graph

from ecosystem_graph.analysis import reference
from ecosystem_graph.analysis.binding import collapsed
from ecosystem_graph.analysis.centrality import (NODE_FIELDS, NodeCentrality, centrality, pagerank_vector,
                                                 weight_matrix)
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx


def loop_collapse(G):
    """The collapsed graph by its definition: one edge per ordered pair, weights added one by one."""
    return {(u, v): w for u, v, w in reference.collapsed_graph(G).edges(data="weight")}


def parallel_graph():
    G = nx.MultiDiGraph()
    G.add_nodes_from(["a", "b", "c"])
    # 12 payments a -> b of amount 1/3 each (median 1/3: each weighs 1/3 / (1/3) = 1.0), then a USES share 0.1:
    # 12 * 1.0 + 0.1 = 12.1 added in that order
    for _ in range(12):
        G.add_edge("a", "b", type="PAYS", amount=1 / 3)
    G.add_edge("a", "b", type="USES", share=0.1)
    G.add_edge("b", "c", type="FEEDS")  # strength unset: 1
    G.add_edge("c", "a", type="REACHES", reach=0.25)
    return G


@pytest.mark.parametrize("G", [small_graph(), parallel_graph(), to_networkx(generate_model(300, seed=9))],
                         ids=["small", "parallel", "generated"])
def test_collapsed_arrays_are_the_collapsed_graph(G):
    C = collapsed(G)
    pairs = list(zip(map(C.nodes.__getitem__, C.src.tolist()), map(C.nodes.__getitem__, C.dst.tolist())))
    expected = loop_collapse(G)
    assert pairs == list(expected)  # model order of the pairs
    assert C.weight.tolist() == list(expected.values())  # exact doubles
    # relationships, not pairs, count in the degrees
    assert C.in_degree.tolist() == [d for _, d in G.in_degree()]
    assert C.out_degree.tolist() == [d for _, d in G.out_degree()]


def test_parallel_weights_by_hand():
    C = collapsed(parallel_graph())
    assert C.weight.tolist() == [12.0 + 0.1, 1.0, 0.25]
    assert C.in_degree.tolist() == [1, 13, 1] and C.out_degree.tolist() == [13, 1, 1]


@pytest.mark.parametrize("n,seed", [(40, 1), (700, 3), (6000, 5)])
def test_pagerank_vector_is_networkx_pagerank(n, seed):
    G = to_networkx(generate_model(n, seed=seed))
    C = collapsed(G)
    ours = dict(zip(C.nodes, pagerank_vector(weight_matrix(C)).tolist()))
    assert ours == nx.pagerank(C.D, alpha=0.85, weight="weight")  # the same doubles


def test_pagerank_vector_by_hand():
    import scipy.sparse as sp

    # a -> b (weight 5), b dangling. Start x = (1/2, 1/2); with alpha 0.85 and uniform teleport:
    #   x_a = 0.85 * (x_b / 2) + 0.15 / 2,  x_b = 0.85 * (x_a + x_b / 2) + 0.15 / 2
    # Fixed point: x_a = 0.425 x_b + 0.075 and x_a + x_b = 1 -> x_b = 0.925 / 1.425 = 0.64912..., x_a = 0.35087...
    W = sp.csr_array(([5.0], ([0], [1])), shape=(2, 2))
    x = pagerank_vector(W)
    assert x.tolist() == pytest.approx([0.5 / 1.425, 0.925 / 1.425], abs=1e-6)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        pagerank_vector(W, max_iter=1)


def test_result_columns_rows_and_json_agree():
    G = small_graph()
    r = centrality(G)
    assert list(r.columns) == list(NODE_FIELDS)
    assert [n.id for n in r.nodes] == list(G)
    assert r.nodes is r.nodes  # built once
    assert r.to_dict()["nodes"] == [n.to_dict() for n in r.nodes]
    assert isinstance(r.nodes[0], NodeCentrality)
    assert r.by_id()["fans"].out_degree == 4


def test_graph_without_edges():
    G = nx.MultiDiGraph()
    G.add_node("x", kind="core", name="X")
    C = collapsed(G)
    assert len(C.src) == 0 and C.in_degree.tolist() == [0]
    r = centrality(G)
    assert r.by_id()["x"].pagerank == 1.0
    assert np.isclose(r.by_id()["x"].eigenvector, 1.0)
