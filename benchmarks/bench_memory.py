"""Peak memory of loading a model over the size of its file, for YAML and JSON models (target: <= 15x).

Run:  python benchmarks/bench_memory.py [--nodes 10000 100000] [--seed 0]

For each generated model (``ecosystem_graph.generate.write_generated``, as ``ecograph generate``) and each
way of loading it (``load_model`` in the library, ``ecograph validate`` on the command line), a fresh
Python process imports what the load needs, notes its peak resident memory (the interpreter + imports
baseline), loads the file, and notes its peak again. The growth over the baseline, divided by the file
size, is the ratio printed against the target; both peaks come from the same process, so the ratio
holds on a machine whose absolute figures differ.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ecosystem_graph.fileio import MEMORY_PER_BYTE
from ecosystem_graph.generate import write_generated

# Runs in the child: baseline after imports, then the load, then the peak (ru_maxrss is in KiB on Linux).
_CHILD = r"""
import json, resource, sys
from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model
import ecosystem_graph.validation
how, path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if how == "load_model":
    model = load_model(path, max_bytes=limit)
    assert model.nodes
else:
    try:
        cli(["validate", "-q", "--max-bytes", str(limit), path], standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, exc.code
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"baseline": baseline, "peak": peak}))
"""


def measure(how: str, path: Path) -> dict:
    """Baseline and peak resident bytes of one load in a fresh process."""
    limit = path.stat().st_size + 1  # the size limit read_bytes_limited reads up to
    done = subprocess.run([sys.executable, "-c", _CHILD, how, str(path), str(limit)], capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"{how} {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    print(f"{'model':<22} {'file MB':>8} {'load':<17} {'baseline MB':>11} {'peak MB':>8} {'growth MB':>9} "
          f"{'ratio':>6}  target <= {MEMORY_PER_BYTE}x")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for nodes in args.nodes:
            for fmt in ("yaml", "json"):
                path = Path(tmp) / f"model-{nodes}.{fmt}"
                write_generated(path, nodes, args.seed, fmt=fmt)
                size = path.stat().st_size
                for how in ("load_model", "ecograph validate"):
                    m = measure(how, path)
                    growth = m["peak"] - m["baseline"]
                    ratio = growth / size
                    worst = max(worst, ratio)
                    print(f"{f'{nodes:,} nodes {fmt}':<22} {size / 1e6:8.1f} {how:<17} "
                          f"{m['baseline'] / 1e6:11.0f} {m['peak'] / 1e6:8.0f} {growth / 1e6:9.0f} {ratio:5.1f}x"
                          f"  {'ok' if ratio <= MEMORY_PER_BYTE else 'OVER'}", flush=True)
                path.unlink()
    print(f"worst ratio: {worst:.1f}x (target <= {MEMORY_PER_BYTE}x)")


if __name__ == "__main__":
    main()
