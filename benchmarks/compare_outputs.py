"""Every user-visible output of a checkout, written into a directory, and the differences between two such directories.

Run:
    python benchmarks/compare_outputs.py generate CHECKOUT OUTDIR   # outputs of the code in CHECKOUT
    python benchmarks/compare_outputs.py diff DIR_A DIR_B            # exit 1 and list the files that differ
    python benchmarks/compare_outputs.py both CHECKOUT_A CHECKOUT_B WORKDIR   # generate both, then diff

A refactoring that must not change any output (the section registry, a module split) is checked with it:
build the outputs at the commit before (``git worktree add --detach /tmp/before main``) and after, then diff.

For ``examples/amazon.yaml``, ``examples/newspaper-funnel.yaml`` and a generated model (300 nodes, seed 7),
each command runs as a fresh process with ``PYTHONPATH=CHECKOUT`` (the checkout's code, this interpreter):

- ``analyze`` in every format (table, json, csv, markdown);
- ``whatif`` with a ``--remove`` and a ``--scale`` (table and json);
- ``diff`` of the model against a variant of it (one node removed, one payment doubled; for the generated
  model, the model of seed 8) (table and json);
- ``report`` as HTML and as Markdown with the chart files beside it;
- ``render`` to HTML: the embedded data JSON (``eco-graph-data``) is written to its own file as well.

Before diffing, the only text that changes from run to run is replaced: the report's generation time
(``2026-01-31 12:00 UTC``). The terminal width is fixed (``COLUMNS=120``) so tables wrap the same.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

EXAMPLES = {
    "amazon": ("examples/amazon.yaml", ["--remove", "prime", "--scale", "aws=0.5"], "prime", "retail-sales-prime"),
    "newspaper": ("examples/newspaper-funnel.yaml", ["--remove", "ad-network", "--scale", "subscriber=1.1"],
                  "ad-network", "plus-fees"),
}
GENERATED = {"nodes": 300, "seed": 7, "variant_seed": 8}
GENERATED_WHATIF = ["--remove", "sat-005", "--scale", "core-001=0.5"]

TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b")
GRAPH_DATA = re.compile(r'<script type="application/json" id="eco-graph-data">(.*?)</script>', re.S)


def _run(checkout: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(checkout), "COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("ECOGRAPH_MAX_BYTES", None)
    argv = [sys.executable, "-c", "from ecosystem_graph.cli import main; main()", *args]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ecograph {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done


def write_variant(source: Path, target: Path, remove_node: str, double_payment: str) -> None:
    """``source`` without the node ``remove_node`` (and its relationships), the payment ``double_payment`` x2."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["nodes"] = [n for n in data["nodes"] if n["id"] != remove_node]
    rels = [r for r in data["relationships"] if remove_node not in (r["from"], r["to"])]
    ids = {r.get("id") for r in rels}
    # linked payments (share_of) of a removed flow go too, as the model would not validate otherwise
    rels = [r for r in rels if r.get("share_of") is None or r["share_of"] in ids]
    for r in rels:
        if r.get("id") == double_payment:
            r["amount"] = r["amount"] * 2
            r.pop("count", None), r.pop("price", None)
    data["relationships"] = rels
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def generate(checkout: Path, out: Path) -> list[Path]:
    """Write every output of the code in ``checkout`` into ``out``; returns the files written."""
    checkout, out = checkout.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    models = out / "models"
    models.mkdir(exist_ok=True)
    cases: dict[str, tuple[Path, list[str], Path]] = {}
    for name, (path, whatif, remove_node, payment) in EXAMPLES.items():
        model = models / f"{name}.yaml"
        model.write_text((checkout / path).read_text(encoding="utf-8"), encoding="utf-8")
        variant = models / f"{name}-variant.yaml"
        write_variant(model, variant, remove_node, payment)
        cases[name] = (model, whatif, variant)
    gen, gen_variant = models / "generated.yaml", models / "generated-variant.yaml"
    _run(checkout, ["generate", "--nodes", str(GENERATED["nodes"]), "--seed", str(GENERATED["seed"]), "-o",
                    "models/generated.yaml"], out)
    _run(checkout, ["generate", "--nodes", str(GENERATED["nodes"]), "--seed", str(GENERATED["variant_seed"]), "-o",
                    "models/generated-variant.yaml"], out)
    cases["generated"] = (gen, GENERATED_WHATIF, gen_variant)

    for name, (model, whatif, variant) in cases.items():
        case = out / name
        case.mkdir(exist_ok=True)
        # paths relative to OUTDIR (the working directory): the outputs name the files, not where OUTDIR is
        model, variant = str(model.relative_to(out)), str(variant.relative_to(out))
        for fmt in ("table", "json", "csv", "markdown"):
            (case / f"analyze.{fmt}").write_text(_run(checkout, ["analyze", model, "--format", fmt], out).stdout)
            (case / f"whatif.{fmt}").write_text(_run(checkout, ["whatif", model, *whatif, "--format", fmt], out).stdout)
            (case / f"diff.{fmt}").write_text(_run(checkout, ["diff", model, variant, "--format", fmt], out).stdout)
        (case / "analyze-only.table").write_text(
            _run(checkout, ["analyze", model, "--only", "revenue,lockin", "--top", "5"], out).stdout)
        (case / "whatif-changed.table").write_text(
            _run(checkout, ["whatif", model, *whatif, "--changed-only"], out).stdout)
        _run(checkout, ["report", model, "-o", f"{name}/report.html"], out)
        _run(checkout, ["report", model, "-o", f"{name}/report.md"], out)
        _run(checkout, ["report", model, "-o", f"{name}/report-whatif.html", "--remove", whatif[1]], out)
        _run(checkout, ["render", model, "-o", f"{name}/render.html"], out)
        page = (case / "render.html").read_text(encoding="utf-8")
        found = GRAPH_DATA.search(page)
        data = json.loads(found.group(1)) if found else None
        (case / "render-data.json").write_text(json.dumps(data, indent=1, sort_keys=True))
    for help_of in (["analyze"], ["whatif"], ["diff"], ["db", "analyze"], ["render"], ["report"]):
        (out / f"help-{'-'.join(help_of)}.txt").write_text(_run(checkout, [*help_of, "--help"], out).stdout)
    return sorted(p for p in out.rglob("*") if p.is_file())


def _normalized(path: Path) -> str | bytes:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return TIMESTAMP.sub("<generated at>", text)


def diff(a: Path, b: Path) -> list[str]:
    """One line per file that is missing on one side or differs (with the first lines of a unified diff)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = [f"only in {a}: {p}" for p in sorted(files_a - files_b)]
    out += [f"only in {b}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        x, y = _normalized(a / rel), _normalized(b / rel)
        if x == y:
            continue
        if isinstance(x, bytes) or isinstance(y, bytes):
            out.append(f"differs (binary): {rel}")
            continue
        lines = list(difflib.unified_diff(x.splitlines(), y.splitlines(), str(a / rel), str(b / rel), n=1,
                                          lineterm=""))
        shown = "\n".join(line[:300] for line in lines[:20])
        out.append(f"differs: {rel} ({len(lines)} diff lines)\n{shown}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the outputs of CHECKOUT into OUTDIR")
    g.add_argument("checkout", type=Path)
    g.add_argument("outdir", type=Path)
    d = sub.add_parser("diff", help="compare two output directories")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    both = sub.add_parser("both", help="generate the outputs of two checkouts into WORKDIR/a and /b, then diff")
    both.add_argument("checkout_a", type=Path)
    both.add_argument("checkout_b", type=Path)
    both.add_argument("workdir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        files = generate(args.checkout, args.outdir)
        print(f"{len(files)} files in {args.outdir}")
        return 0
    if args.command == "both":
        for side, checkout in (("a", args.checkout_a), ("b", args.checkout_b)):
            files = generate(checkout, args.workdir / side)
            print(f"{side}: {len(files)} files from {checkout}")
        args.a, args.b = args.workdir / "a", args.workdir / "b"
    problems = diff(args.a, args.b)
    for p in problems:
        print(p)
    count = len({p.relative_to(args.a) for p in args.a.rglob('*') if p.is_file()})
    print(f"{len(problems)} difference(s) over {count} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
