"""Benchmark of refusing hostile workbooks, against importing ordinary ones in the same run.

Writes (tests/hostile_workbooks.py) a 2 MB workbook whose shared strings inflate to 2 GiB and a 0.95 MB
workbook of 3 million rows, and exports a generated model of ``--nodes`` nodes (default 2,000) as an
ordinary workbook. Prints, each the median of ``--repeat`` runs (default 3):

* the time ``ecograph import`` takes to refuse each hostile file, and its ratio to the time it takes to import
  the ordinary workbook (a baseline measured in the same run);
* the share of the ordinary import spent in the checks (``check_workbook``);
* the peak RSS of a fresh ``ecograph import`` refusing the bomb, and its ratio to the peak RSS of a fresh
  ``ecograph import`` of a 3-node workbook (the interpreter and its imports).

Run: ``python benchmarks/bench_hostile_xlsx.py [--nodes=N] [--repeat=N]``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecosystem_graph.errors import InputError  # noqa: E402
from ecosystem_graph.generate import generate_model  # noqa: E402
from ecosystem_graph.interop import export_model, import_source  # noqa: E402
from ecosystem_graph.interop.workbook_guard import WorkbookLimits, check_workbook  # noqa: E402
from tests import hostile_workbooks as hw  # noqa: E402
from timing import median_seconds  # noqa: E402 (benchmarks/, the script's folder)

_RSS = ("import sys\n"
        "from ecosystem_graph.cli import cli\n"
        "try:\n"
        "    cli(['import', sys.argv[1], '-o', sys.argv[2], '--period', '1'], prog_name='ecograph')\n"
        "except SystemExit:\n"
        "    pass\n"
        "# VmHWM: this process's peak RSS (getrusage's ru_maxrss would count the parent's pages before exec)\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')), file=sys.stderr)\n")


def _refuse(path: Path) -> None:
    try:
        import_source(path)
    except InputError:
        return
    raise SystemExit(f"{path} was not refused")


def _peak_rss_kib(path: Path, out: Path) -> int:
    done = subprocess.run([sys.executable, "-c", _RSS, str(path), str(out)], capture_output=True, text=True,
                          cwd=ROOT)
    return int(done.stderr.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    nodes = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--nodes=")), 2000)
    repeat = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--repeat=")), 3)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        bomb = hw.write_shared_strings_bomb(d)
        rows = hw.write_many_rows(d)
        small = hw.write_workbook(d / "small.xlsx")
        ordinary = d / "ordinary.xlsx"
        export_model(generate_model(nodes, seed=1), "xlsx", ordinary)

        base = median_seconds(lambda: import_source(ordinary), repeat)
        check = median_seconds(lambda: check_workbook(ordinary, WorkbookLimits(2 ** 40)), repeat)
        print(f"import of an ordinary workbook ({nodes:,} nodes, {ordinary.stat().st_size:,} bytes): "
              f"{base:.2f} s, of which checks {check:.2f} s ({check / base:.0%})")
        for label, path in (("2 GiB shared strings bomb", bomb), ("3 million rows", rows)):
            t = median_seconds(lambda: _refuse(path), repeat)
            print(f"refusing {label} ({path.stat().st_size:,} bytes): {t * 1000:.0f} ms = {t / base:.3f} x the "
                  f"ordinary import")
        rss_small = _peak_rss_kib(small, d / "s.yaml")
        rss_bomb = _peak_rss_kib(bomb, d / "b.yaml")
        print(f"peak RSS refusing the bomb: {rss_bomb / 1024:.0f} MiB = {rss_bomb / rss_small:.2f} x importing a "
              f"3-node workbook ({rss_small / 1024:.0f} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
