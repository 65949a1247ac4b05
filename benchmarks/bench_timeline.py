"""Benchmark of ``timeline`` on generated snapshots against the analyses it runs on each of them.

For each size: generate three snapshots (seeds 1, 2, 3; periods 2021-2023), then time, in the same
process one after the other, (a) ``to_networkx`` plus ``analyze`` with the timeline's sections (revenue,
keystones, lock-in, funnel; serial) on each snapshot, the baseline, and (b) ``timeline`` on the three,
which does the same and then matches the snapshots, computes the changes, shifts and growth rates. The
ratio b / a is the timeline's own overhead (1.0: none). Each size runs ``--repeat`` times (default 3)
after a warm-up; the run with the median ratio is shown, since a shared machine moves single timings.

Run: ``python benchmarks/bench_timeline.py [--repeat=N] [SIZES...]`` (default 1000 5000).
"""

from __future__ import annotations

import statistics
import sys
import time

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.timeline import TIMELINE_SECTIONS, timeline
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx


def snapshots(nodes: int) -> list:
    out = []
    for i, seed in enumerate((1, 2, 3)):
        m = generate_model(nodes, seed=seed)
        m.period = str(2021 + i)
        out.append(m)
    return out


def baseline(models: list) -> float:
    start = time.perf_counter()
    for m in models:
        analyze(to_networkx(m), only=TIMELINE_SECTIONS, parallel=False)
    return time.perf_counter() - start


def timed_timeline(models: list) -> float:
    start = time.perf_counter()
    timeline(models)
    return time.perf_counter() - start


def main(argv: list[str]) -> None:
    repeat = 3
    sizes = []
    for arg in argv:
        if arg.startswith("--repeat="):
            repeat = int(arg.split("=", 1)[1])
        else:
            sizes.append(int(arg))
    sizes = sizes or [1000, 5000]
    print(f"{'nodes':>8} {'analyses (s)':>13} {'timeline (s)':>13} {'ratio':>6}")
    for n in sizes:
        models = snapshots(n)
        timeline(models[:2])  # warm-up: lazily imported modules
        runs = []
        for _ in range(repeat):
            a = baseline(models)
            b = timed_timeline(models)
            runs.append((b / a, a, b))
        ratio, a, b = sorted(runs)[len(runs) // 2]
        print(f"{n:>8} {a:>13.2f} {b:>13.2f} {ratio:>6.2f}  (ratios {', '.join(f'{r:.2f}' for r, _, _ in runs)};"
              f" median {statistics.median(r for r, _, _ in runs):.2f})")


if __name__ == "__main__":
    main(sys.argv[1:])
