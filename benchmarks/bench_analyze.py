"""Benchmark of ``analyze`` on generated ecosystems against the bare networkx calls it relies on.

For each size: build the graph once, time the full ``analyze`` and, on the same graph in the same
process, the networkx calls it makes (betweenness/closeness - sampled above 5,000 nodes with the same
k and seed -, PageRank, the eigenvector solve, the one minimum cut of the lock-in network), and print
the ratio. Run: ``python benchmarks/bench_analyze.py [SIZES...]`` (default 1000 10000 100000).
"""

from __future__ import annotations

import random
import sys
import time

import networkx as nx

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis._common import SINK, BindingIndex, collapse
from ecosystem_graph.analysis.centrality import eigenvector, sample_size, sampled_closeness
from ecosystem_graph.analysis.lockin import SOURCE, _flow_network
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx


def bare_networkx(G: nx.MultiDiGraph, seed: int = 0) -> float:
    """Seconds of the networkx work alone (graph preparation not counted)."""
    D = collapse(G)
    index = BindingIndex(G)
    segments = [n for n, k in G.nodes(data="kind") if k == "segment" and n in index.reaches_core]
    F = _flow_network(index, segments)
    k = sample_size(D.number_of_nodes(), D.number_of_edges())
    t = time.perf_counter()
    if k is None:
        nx.betweenness_centrality(D)
        nx.closeness_centrality(D)
    else:
        nx.betweenness_centrality(D, k=k, seed=seed)
        sampled_closeness(D, random.Random(seed).sample(list(D), k))
    nx.pagerank(D, weight="weight")
    eigenvector(D)
    if segments:
        nx.minimum_cut(F, SOURCE, SINK)
    return time.perf_counter() - t


def main(sizes: list[int]) -> None:
    analyze(to_networkx(generate_model(50, seed=1)))  # warm-up: lazy imports (scipy) out of the timings
    print(f"{'nodes':>8} {'relationships':>13} {'analyze s':>10} {'networkx s':>11} {'ratio':>6}  note")
    for n in sizes:
        G = to_networkx(generate_model(n, seed=0))
        t = time.perf_counter()
        a = analyze(G)
        full = time.perf_counter() - t
        base = bare_networkx(G)
        note = a.centrality.note or ""
        print(f"{n:>8,} {G.number_of_edges():>13,} {full:>10.2f} {base:>11.2f} {full / base:>6.2f}  {note}",
              flush=True)


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [1000, 10_000, 100_000])
