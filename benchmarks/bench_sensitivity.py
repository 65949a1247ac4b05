"""Benchmark of ``sensitivity`` (Monte Carlo over ranged values) against one ``analyze`` of the same model.

Three measurements, each printed as a ratio against its target:

1. speed: 2,000 draws of a generated 500-node model with 100 ranged values, over the time of one
   ``analyze`` of the same graph, timed one after the other in this process (target: at most 20x; re-running
   ``analyze`` per draw would be 2,000x). The ranged values are spread over the model's own numbers:
   payment amounts and counts, switching costs, conversion rates and segment sizes, each from 70% to 120% of
   its base (rates and switching costs on the 0..1 scale at most halfway to 1);
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
import statistics
import subprocess
import sys
import time

import numpy as np

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.sensitivity import sensitivity
from ecosystem_graph.fileio import load_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx

_RANGED = {"PAYS": ("amount", "count"), "USES": ("switching_cost",), "CONVERTS_TO": ("rate",)}


def ranged_values(G, n: int, seed: int = 0) -> list[dict]:
    """``n`` ranged values on the graph's own numbers, picked at random (seeded) among its payments,
    switching costs, conversion rates and segment sizes."""
    candidates = []
    for u, v, k, d in G.edges(keys=True, data=True):
        for prop in _RANGED.get(d.get("type"), ()):
            if d.get(prop) is None or (prop == "amount" and (d.get("count") is not None or d.get("share_of"))):
                continue
            candidates.append(("relationship", k, u, v, d["type"], prop, float(d[prop])))
    for node, d in G.nodes(data=True):
        if d.get("size"):
            candidates.append(("node", node, None, None, d.get("kind"), "size", float(d["size"])))
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)
    out = []
    for i in sorted(picked.tolist()):
        owner, key, u, v, t, prop, base = candidates[i]
        fraction = prop == "rate" or (prop == "switching_cost" and base <= 1)  # stays a fraction
        high = base + (1 - base) * 0.5 if fraction else base * 1.2
        out.append({"owner": owner, "key": key, "source": u, "target": v, "type": t, "property": prop,
                    "low": base * 0.7, "base": base, "high": high,
                    "dist": ("pert", "triangular", "uniform")[i % 3]})
    return out


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# Runs in the child: the graph and ranges first (the model, not the run), then the run's peak.
_CHILD = r"""
import json, resource, sys
sys.path.insert(0, "benchmarks")
from bench_sensitivity import ranged_values
from ecosystem_graph.analysis.sensitivity import sensitivity
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
nodes, draws = int(sys.argv[1]), int(sys.argv[2])
G = to_networkx(generate_model(nodes, seed=0))
A = ranged_values(G, 100)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
r = sensitivity(G, draws=draws, assumptions=A)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"before": before, "peak": peak, "figures": len(r.figures)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    # 1. 2,000 draws of a 500-node model with 100 ranged values vs one analyze
    G = to_networkx(generate_model(500, seed=0))
    A = ranged_values(G, 100)
    analyze(G)  # warm-up: lazily imported modules
    sensitivity(G, draws=10, assumptions=A)
    t_analyze = timed(lambda: analyze(G), args.repeat)
    t_analyze_serial = timed(lambda: analyze(G, parallel=False), args.repeat)
    t_sens = timed(lambda: sensitivity(G, draws=2000, assumptions=A), args.repeat)
    print(f"500 nodes, {len(A)} ranged values, 2,000 draws: sensitivity {t_sens:.3f} s, analyze {t_analyze:.3f} s "
          f"(serial {t_analyze_serial:.3f} s)")
    print(f"  ratio to one analyze: {t_sens / t_analyze:.1f}x (target <= 20x); to one serial analyze: "
          f"{t_sens / t_analyze_serial:.1f}x; per draw: {t_sens / 2000 / t_analyze:.4f} analyze")

    # 2. the Amazon example, 10,000 draws
    amazon = to_networkx(load_model("examples/amazon.yaml"))
    own = amazon.graph.get("assumptions") or []
    A2 = None if own else ranged_values(amazon, 30)
    t_amazon = timed(lambda: sensitivity(amazon, draws=10_000, assumptions=A2), args.repeat)
    n2 = len(own) if own else len(A2)
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
