"""Load-and-validate time of a generated model against a bare ``yaml.load(..., Loader=CSafeLoader)``.

Run:  python benchmarks/bench_load.py [--nodes 100000] [--repeat 1]

Prints both times and their ratio (target: ratio <= 3). Both are measured in this run on the same file,
so the ratio holds on a noisy machine where absolute times do not.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from ecosystem_graph.fileio import check_file
from ecosystem_graph.generate import write_generated


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N runs of each")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        n_nodes, n_rels = write_generated(path, args.nodes, args.seed)
        size = path.stat().st_size
        print(f"file: {n_nodes:,} nodes, {n_rels:,} relationships, {size / 1e6:.1f} MB")

        def bare():
            with open(path, "rb") as fh:
                yaml.load(fh, Loader=yaml.CSafeLoader)

        def ours():
            result = check_file(path)
            assert result.model is not None, result.problems[:3]

        t_bare = best_of(args.repeat, bare)
        t_ours = best_of(args.repeat, ours)
        print(f"bare yaml.load (CSafeLoader): {t_bare:8.2f} s")
        print(f"ecograph load + validate:     {t_ours:8.2f} s")
        print(f"ratio: {t_ours / t_bare:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
