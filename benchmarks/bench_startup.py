"""Start-up cost of small work: ``ecograph validate`` and ``ecograph analyze`` of a 25-node model against
the bare imports they cannot do without.

Run:  python benchmarks/bench_startup.py [--nodes 25] [--repeat 5]

Each command runs as a fresh process (``python -c "from ecosystem_graph.cli import main; main()" ...``,
what the ``ecograph`` script does) and is compared with a process that only imports its unavoidable libraries:

- ``validate`` against ``python -c "import yaml, pydantic"`` (target: ratio <= 2);
- ``analyze`` against ``python -c "import networkx, scipy.sparse"`` (target: ratio <= 2).

For scale, it also times the least any pydantic model costs (``import yaml``, one model class with one
constrained field, one validation: pydantic's model machinery loads on the first class) against the same
``import yaml, pydantic``. That is why ``validate`` vouches for a valid file without building the model
(``ecosystem_graph.quickcheck``, docs/architecture.md); a file with any problem is still read by the model.

Wall times (the target) and CPU times (user + system, less disturbed when other work shares the CPUs) are
the median of ``--repeat`` runs, the runs of each pair interleaved, all in this run, so the ratios hold on a
noisy machine where absolute times do not.
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


def run_once(argv: list[str]) -> tuple[float, float]:
    """Seconds from start to exit of one process, and the CPU seconds (user + system) it used; fails
    loudly if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed:\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def medians(repeat: int, ours: list[str], baseline: list[str]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) seconds of ``ours`` and of ``baseline``, run alternately ``repeat`` times each."""
    run_once(ours), run_once(baseline)  # warm the file cache and write the .pyc files before measuring
    runs_ours, runs_base = [], []
    for _ in range(repeat):
        runs_ours.append(run_once(ours))
        runs_base.append(run_once(baseline))
    return (tuple(statistics.median(r[i] for r in runs_ours) for i in (0, 1)),
            tuple(statistics.median(r[i] for r in runs_base) for i in (0, 1)))


def line(name: str, ours: tuple[float, float], base: tuple[float, float], baseline: str, note: str) -> str:
    return (f"{name:<18} {ours[0]:6.3f} s   python -c \"{baseline}\" {base[0]:6.3f} s   ratio: {ours[0] / base[0]:.2f} "
            f"{note}; CPU {ours[1]:.3f} s vs {base[1]:.3f} s, ratio {ours[1] / base[1]:.2f}")


# What any pydantic model costs: one model class with one constrained field, validated once.
ONE_PYDANTIC_MODEL = """\
import yaml
from pydantic import BaseModel, Field
class Model(BaseModel):
    size: int = Field(ge=0)
Model(size=1)
"""


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
            print(line(f"ecograph {name}", t_ours, t_base, imports, "(target <= 2)"))
        t_model, t_base = medians(args.repeat, [py, "-c", ONE_PYDANTIC_MODEL], [py, "-c", "import yaml, pydantic"])
        print(line("one pydantic model", t_model, t_base, "import yaml, pydantic", "(any model class)"))

if __name__ == "__main__":
    main()
