"""Benchmark of ``analyze`` on generated ecosystems against the bare library calls it relies on.

For each size: build the graph once, time the full ``analyze`` (and each of its sections) and, on the
same graph in the same process, the library calls it makes, and nothing else: networkx betweenness on
the model graph (sampled above 5,000 nodes with the same k and seed), closeness (networkx exact, or
scipy's breadth-first searches from the same sampled sources), PageRank (networkx's power iteration
on the scipy matrix, ``pagerank_vector``), the eigenvector's strong-connectivity test and eigensolver
(scipy), and networkx's dominator trees of the binding network (keystones, lock-in); print the ratio.
Preparing their inputs (the collapsed arrays, the sparse matrices, the dominator network) is
``analyze``'s own work and counts on its side only. Both are timed with the cyclic garbage collector
paused, as ``analyze`` runs (see its comment), after a warm-up run that loads every lazily imported
module.

The lock-in minimum cut has a closed form under the model's rules (docs/metrics.md), so ``analyze``
no longer calls ``networkx.minimum_cut``; ``--with-mincut`` also times that call on the lock-in flow
network, for reference (not part of the ratio).

``analyze`` is timed twice per run: as users run it (by default, on Linux with 2+ CPUs, the betweenness
runs in a forked child process while the parent computes the rest: the "ratio" column) and with
``parallel=False`` (everything in one process: the "serial" column, whose sections are shown).

Run: ``python benchmarks/bench_analyze.py [--with-mincut] [--repeat=N] [SIZES...]`` (default 1000 10000
100000, 3 repetitions: analyze, analyze serial and then the bare calls, repeated; each run's ratio compares the two
timed one after the other, and the run with the median ratio is shown: a shared machine's noise moves the
same networkx call by up to 50% from one minute to the next).
"""

from __future__ import annotations

import gc
import random
import sys
import time

import networkx as nx

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.binding import GLOBAL_DOMINATOR_CORES, SINK, BindingIndex, collapsed
from ecosystem_graph.analysis.centrality import (adjacency_matrix, eigenvector_matrix, pagerank_vector, sample_size,
                                                 sampled_distances, solve_eigenvector, strongly_connected, weight_matrix)
from ecosystem_graph.analysis.lockin import SOURCE, _flow_network
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

SECTIONS = ("setup", "binding network", "centrality", "revenue flows", "lock-in", "keystones", "funnel")
SHORT = {"setup": "setup", "binding network": "index", "centrality": "centr", "revenue flows": "revenue",
         "lock-in": "lockin", "keystones": "keyst", "funnel": "funnel"}


def paused_gc(fn):
    """Run ``fn()`` with the cyclic garbage collector paused (as analyze does); its seconds and result."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        t = time.perf_counter()
        result = fn()
        return time.perf_counter() - t, result
    finally:
        if enabled:
            gc.enable()


def bare_calls(G: nx.MultiDiGraph, seed: int = 0) -> dict[str, float]:
    """Seconds of each library call analyze relies on (preparing their inputs not counted)."""
    C = collapsed(G)
    k = sample_size(len(C.nodes), len(C.src))
    A, M, W = adjacency_matrix(C), eigenvector_matrix(C), weight_matrix(C)
    times = {}
    if k is None:
        times["betweenness"] = paused_gc(lambda: nx.betweenness_centrality(G))[0]
        times["closeness"] = paused_gc(lambda: nx.closeness_centrality(G))[0]
    else:
        times["betweenness"] = paused_gc(lambda: nx.betweenness_centrality(G, k=k, seed=seed))[0]
        pos = C.position()
        sources = [pos[s] for s in random.Random(seed).sample(C.nodes, k)]
        times["closeness"] = paused_gc(lambda: sampled_distances(A, sources))[0]
    times["pagerank"] = paused_gc(lambda: pagerank_vector(W))[0]
    times["eigenvector"] = paused_gc(lambda: solve_eigenvector(M, strongly_connected(A)))[0] if M is not None else 0.0
    # networkx's dominator trees, which keystones and lock-in ask for when the model keeps its rules
    index = BindingIndex(G)
    if index.sources_closed and len(index.cores) <= GLOBAL_DOMINATOR_CORES:
        R = index.dominator_network()
        times["dominators"] = paused_gc(lambda: [nx.immediate_dominators(R, r) for r in [SINK, *index.cores]])[0]
    else:
        times["dominators"] = 0.0
    return times


def networkx_min_cut(G: nx.MultiDiGraph) -> float:
    """Seconds of the networkx minimum cut the closed form replaced (one network, every segment)."""
    index = BindingIndex(G)
    segments = [n for n, k in G.nodes(data="kind") if k == "segment" and n in index.reaches_core]
    if not segments:
        return 0.0
    F = _flow_network(index, segments)
    return paused_gc(lambda: nx.minimum_cut(F, SOURCE, SINK))[0]


def timed_analyze(G: nx.MultiDiGraph, parallel: bool = True):
    """(total seconds, {section: seconds}, Analysis): sections from analyze's progress calls."""
    marks: list[tuple[str, float]] = []

    def run():
        marks.append(("setup", time.perf_counter()))
        result = analyze(G, parallel=parallel, progress=lambda name: marks.append((name, time.perf_counter())))
        marks.append(("end", time.perf_counter()))
        return result

    total, result = paused_gc(run)
    sections = {name: marks[i + 1][1] - t for i, (name, t) in enumerate(marks[:-1])}
    return total, sections, result


def main(argv: list[str]) -> None:
    with_mincut = "--with-mincut" in argv
    repeat = next((int(x.split("=", 1)[1]) for x in argv if x.startswith("--repeat=")), 3)
    sizes = [int(x) for x in argv if not x.startswith("--")] or [1000, 10_000, 100_000]
    # Warm-up: lazy imports (scipy.sparse, csgraph, linalg) and first-call costs out of the timings,
    # on a small model through both the exact and the sampled code paths.
    small = to_networkx(generate_model(60, seed=1))
    analyze(small)
    analyze(small, sample_above=10)
    bare_calls(small)

    head = (f"{'nodes':>8} {'rels':>8} {'analyze s':>9} {'serial s':>8} {'library s':>9} {'ratio':>5} {'serial':>6}  "
            + " ".join(f"{SHORT[s]:>7}" for s in SECTIONS)
            + f"  {'betw':>6} {'clos':>6} {'pr':>6} {'eig':>6} {'dom':>5}" + (f" {'nx cut':>7}" if with_mincut else "")
            + "  each run's ratio | serial; note")
    print(f"analyze (default: betweenness in a child process where that pays), analyze serial "
          f"(parallel=False) and the bare library calls alternate {repeat} times per size; the run with the "
          f"median ratio is shown (sections: its serial run), every run's ratios at the end (sorted)")
    print(head)
    for n in sizes:
        G = to_networkx(generate_model(n, seed=0))
        runs = []
        for _ in range(repeat):
            full, _, a = timed_analyze(G)
            serial, sections, _ = timed_analyze(G, parallel=False)
            bare = bare_calls(G)
            runs.append((full, serial, sections, bare, sum(bare.values())))
        # each run's analyze against the library calls timed right after it (same machine state);
        # the run with the median ratio is shown
        runs.sort(key=lambda r: r[0] / r[4])
        full, serial, sections, bare, base = runs[len(runs) // 2]
        each = " ".join(f"{r[0] / r[4]:.2f}" for r in runs)
        each_serial = " ".join(f"{x:.2f}" for x in sorted(r[1] / r[4] for r in runs))
        cut = f" {networkx_min_cut(G):>7.2f}" if with_mincut else ""
        note = a.centrality.note or ""
        print(f"{n:>8,} {G.number_of_edges():>8,} {full:>9.2f} {serial:>8.2f} {base:>9.2f} {full / base:>5.2f} "
              f"{serial / base:>6.2f}  "
              + " ".join(f"{sections.get(s, 0.0):>7.2f}" for s in SECTIONS)
              + f"  {bare['betweenness']:>6.2f} {bare['closeness']:>6.2f} {bare['pagerank']:>6.2f}"
              f" {bare['eigenvector']:>6.2f} {bare['dominators']:>5.2f}{cut}  [{each} | {each_serial}] {note}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
