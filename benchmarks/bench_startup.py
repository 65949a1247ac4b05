"""Start-up cost of small work: ``ecograph validate`` and ``ecograph analyze`` of a 25-node model against
the bare imports they cannot do without.

Run:  python benchmarks/bench_startup.py [--nodes 25] [--repeat 5]

Each command runs as a fresh process (``python -c "from ecosystem_graph.cli import main; main()" ...``,
what the ``ecograph`` script does) and is compared with a process that only imports its unavoidable libraries:

- ``validate`` against ``python -c "import yaml, pydantic"`` (target: ratio <= 2);
- ``analyze`` against ``python -c "import networkx, scipy.sparse"`` (target: ratio <= 2).

Wall times are the median of ``--repeat`` runs, the runs of each pair interleaved, all in this run, so
the ratios hold on a noisy machine where absolute times do not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ecosystem_graph.generate import write_generated


# As installed: byte code cached (the warm-up run writes it), not compiled from source on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall_time(argv: list[str]) -> float:
    """Seconds from start to exit of one process; fails loudly if it fails."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    return time.perf_counter() - start


def medians(repeat: int, ours: list[str], baseline: list[str]) -> tuple[float, float]:
    """Median wall times of ``ours`` and ``baseline``, run alternately ``repeat`` times each."""
    wall_time(ours), wall_time(baseline)  # warm the file cache and write the .pyc files before measuring
    t_ours, t_base = [], []
    for _ in range(repeat):
        t_ours.append(wall_time(ours))
        t_base.append(wall_time(baseline))
    return statistics.median(t_ours), statistics.median(t_base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="take the median of N runs of each")
    args = parser.parse_args()

    py = sys.executable
    ecograph = [py, "-c", "from ecosystem_graph.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "small.yaml")
        n_nodes, n_rels = write_generated(path, args.nodes, args.seed)
        print(f"model: {n_nodes} nodes, {n_rels} relationships; median of {args.repeat} runs")
        pairs = [
            ("validate", ecograph + ["validate", path], "import yaml, pydantic"),
            ("analyze", ecograph + ["analyze", path, "--format", "json"], "import networkx, scipy.sparse"),
        ]
        for name, ours, imports in pairs:
            t_ours, t_base = medians(args.repeat, ours, [py, "-c", imports])
            print(f"ecograph {name:<9} {t_ours:6.3f} s   python -c \"{imports}\" {t_base:6.3f} s   "
                  f"ratio: {t_ours / t_base:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
