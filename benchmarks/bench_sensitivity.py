"""Benchmark of ``sensitivity`` (Monte Carlo over ranged values) against one ``analyze`` of the same model.

Three measurements, each printed as a ratio against its target:

1. speed: 2,000 draws of a generated 500-node model with 100 ranged values, over the time of one
   ``analyze`` of the same graph, timed one after the other in this process (target: at most 20x; re-running
   ``analyze`` per draw would be 2,000x). The ranged values are written into the generated model data as
   ``{low, base, high}`` (:func:`with_ranges`) and read back by validation, as from a file;
2. the Amazon example, 10,000 draws, end to end (sampling, figures, tornado) against 10 s; its own ranges
   when the example has them, else 30 values ranged as above;
3. peak memory of 10,000 draws of a generated 5,000-node model with 100 ranged values, in a fresh process:
   the peak resident memory over 1 GB (target: below 1).

Run:  python benchmarks/bench_sensitivity.py [--repeat 3] [--skip-memory]
Each timing is the median of ``--repeat`` runs; the garbage collector is left as the library leaves it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.sensitivity import sensitivity
from ecosystem_graph.fileio import load_model
from ecosystem_graph.generate import generate_data
from ecosystem_graph.graph import to_networkx
from timing import median_seconds

_RANGED = {"PAYS": ("amount", "count"), "USES": ("switching_cost",), "CONVERTS_TO": ("rate",)}


def with_ranges(data: dict, n: int, seed: int = 0) -> dict:
    """The model data with ``n`` of its numbers written as ranges ``{low, base, high, dist}``, picked at random
    (seeded) among payment amounts and counts (a payment with count and price is ranged on its count),
    switching costs, conversion rates and segment sizes; each from 70% to 120% of its base (rates and
    switching costs on the 0..1 scale at most halfway to 1, sizes whole)."""
    candidates = []
    for item in data["relationships"]:
        for prop in _RANGED.get(item["type"], ()):
            value = item.get(prop)
            if value is None or (prop == "amount" and item.get("count") is not None):
                continue
            candidates.append((item, prop))
    for item in data["nodes"]:
        if item.get("size"):
            candidates.append((item, "size"))
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)
    for i in sorted(picked.tolist()):
        item, prop = candidates[i]
        base = item[prop]
        if prop == "size":
            low, high = int(base * 0.7), int(base * 1.2)
        elif prop == "rate" or (prop == "switching_cost" and base <= 1):  # stays a fraction
            low, high = base * 0.7, base + (1 - base) * 0.5
        else:
            low, high = base * 0.7, base * 1.2
        if prop == "count":
            item.pop("amount", None)  # derived from count x price in every draw
        item[prop] = {"low": low, "base": base, "high": high, "dist": ("pert", "triangular", "uniform")[i % 3]}
    return data


def ranged_graph(nodes: int, n: int, seed: int = 0):
    """A generated model of ``nodes`` nodes with ``n`` ranged values, validated, as its graph."""
    from ecosystem_graph.model import Ecosystem

    model = Ecosystem.model_validate(with_ranges(generate_data(nodes, seed=seed), n, seed))
    return to_networkx(model)


# Runs in the child: the graph and ranges first (the model, not the run), then the run's peak.
_CHILD = r"""
import json, resource, sys
sys.path.insert(0, "benchmarks")
from bench_sensitivity import ranged_graph
from ecosystem_graph.analysis.sensitivity import sensitivity
nodes, draws = int(sys.argv[1]), int(sys.argv[2])
G = ranged_graph(nodes, 100)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
r = sensitivity(G, draws=draws)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"before": before, "peak": peak, "figures": len(r.figures)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    # 1. 2,000 draws of a 500-node model with 100 ranged values vs one analyze
    G = ranged_graph(500, 100)
    A = G.graph["assumptions"]
    analyze(G)  # warm-up: lazily imported modules
    sensitivity(G, draws=10)
    t_analyze = median_seconds(lambda: analyze(G), args.repeat)
    t_analyze_serial = median_seconds(lambda: analyze(G, parallel=False), args.repeat)
    t_sens = median_seconds(lambda: sensitivity(G, draws=2000), args.repeat)
    print(f"500 nodes, {len(A)} ranged values, 2,000 draws: sensitivity {t_sens:.3f} s, analyze {t_analyze:.3f} s "
          f"(serial {t_analyze_serial:.3f} s)")
    print(f"  ratio to one analyze: {t_sens / t_analyze:.1f}x (target <= 20x); to one serial analyze: "
          f"{t_sens / t_analyze_serial:.1f}x; per draw: {t_sens / 2000 / t_analyze:.4f} analyze")

    # 2. the Amazon example, 10,000 draws
    amazon = load_model("examples/amazon.yaml")
    own = bool(amazon.assumptions())
    if not own:
        amazon = type(amazon).model_validate(with_ranges(amazon.to_data(), 30))
    n2 = len(amazon.assumptions())
    # end to end from the validated model: its graph, the analyses, the draws, the tornado
    t_amazon = median_seconds(lambda: sensitivity(amazon, draws=10_000), args.repeat)
    print(f"Amazon example ({'its own' if own else 'benchmark'} {n2} ranged values), 10,000 draws: {t_amazon:.3f} s; "
          f"ratio to the 10 s target: {t_amazon / 10:.3f}")

    # 3. peak memory, 10,000 draws of a 5,000-node model
    if not args.skip_memory:
        done = subprocess.run([sys.executable, "-c", _CHILD, "5000", "10000"], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"memory run failed:\n{done.stderr}")
        m = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"5,000 nodes, 100 ranged values, 10,000 draws ({m['figures']:,} figures): peak {m['peak'] / 2**20:.0f} MiB "
              f"(model loaded: {m['before'] / 2**20:.0f} MiB); ratio to 1 GB: {m['peak'] / 2**30:.3f} (target < 1)")


if __name__ == "__main__":
    main()
