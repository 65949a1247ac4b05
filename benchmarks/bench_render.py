"""Benchmark of the HTML page: Python time to build it, and navigation -> first draw in headless Chromium,
against pyvis defaults (``from_nx`` on a copy, physics on) on the same graphs in the same run.

Run:  python benchmarks/bench_render.py [--nodes 2000 10000] [--timeout 120] [--seed 0]

pyvis's default page cannot draw offline (vis-network and Bootstrap come from a CDN), so the baseline uses
``cdn_resources="in_line"`` with the Bootstrap tags removed: the page and the graph are pyvis defaults, only
the files come from disk. Both pages get the same graph; the baseline waits at most --timeout seconds.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.render import render_html

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
HOOK = 'network.once("afterDrawing", function () { window.__firstDraw = performance.now(); });'


def pyvis_page(model) -> str:
    """pyvis defaults on a copy of the graph (from_nx mutates what it is given), vis-network inlined."""
    from pyvis.network import Network

    G = to_networkx(model)
    H = nx.MultiDiGraph()
    H.add_nodes_from((n, {"label": a.get("name", n), "title": a.get("name", n)}) for n, a in G.nodes(data=True))
    H.add_edges_from((u, v, {"title": a["type"]}) for u, v, a in G.edges(data=True))
    net = Network(directed=True, cdn_resources="in_line")
    net.from_nx(H.copy())
    html = net.generate_html()
    html = re.sub(r'<link[^>]+bootstrap[^>]*>', "", html)
    html = re.sub(r'<script[^>]+bootstrap[^>]*>\s*</script>', "", html)
    html, n = re.subn(r"(network = new vis\.Network\(container, data, options\);)", r"\1 " + HOOK, html)
    if n != 1:
        raise SystemExit("could not find where pyvis creates the network")
    return html


def first_draw(browser, path: Path, expression: str, timeout: float) -> tuple[float | None, list[str]]:
    """Seconds from navigation start to the first draw (None when it did not draw within timeout)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    try:
        page.goto(path.as_uri(), wait_until="commit")
        page.wait_for_function(f"() => {expression} != null", timeout=timeout * 1000, polling=200)
        return page.evaluate(f"() => {expression}") / 1000, outside
    except Exception as exc:  # playwright TimeoutError
        if "Timeout" not in type(exc).__name__ and "Timeout" not in str(exc):
            raise
        return None, outside
    finally:
        context.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in args.nodes:
            model = generate_model(n, seed=args.seed)
            t = time.perf_counter()
            ours = render_html(model, size_by="degree")
            gen_degree = time.perf_counter() - t
            t = time.perf_counter()
            render_html(model, size_by="pagerank")
            gen_pagerank = time.perf_counter() - t
            t = time.perf_counter()
            theirs = pyvis_page(model)
            gen_pyvis = time.perf_counter() - t
            ours_path, theirs_path = Path(tmp, f"ours-{n}.html"), Path(tmp, f"pyvis-{n}.html")
            ours_path.write_text(ours, encoding="utf-8")
            theirs_path.write_text(theirs, encoding="utf-8")
            ours_s, ours_out = first_draw(browser, ours_path, "window.ecoGraph && window.ecoGraph.firstDrawAt",
                                          args.timeout)
            print(f"{n:>6} nodes: ours first draw {ours_s:.2f} s", file=sys.stderr, flush=True)
            theirs_s, theirs_out = first_draw(browser, theirs_path, "window.__firstDraw", args.timeout)
            print(f"{n:>6} nodes: pyvis first draw {theirs_s if theirs_s is not None else 'timeout'}",
                  file=sys.stderr, flush=True)
            rows.append((n, len(model.relationships), gen_degree, gen_pagerank, gen_pyvis, ours_s, theirs_s,
                         len(ours) / 1e6, ours_out + theirs_out))
        browser.close()

    print(f"\nHeadless Chromium ({'/usr/bin/chromium'}), first draw = navigation start -> first canvas draw.")
    print("| nodes | relationships | HTML (degree) | HTML (pagerank, incl. analysis) | page size | first draw, ours "
          "| first draw, pyvis defaults | speed-up |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, e, gd, gp, gv, o, t, mb, outside in rows:
        theirs = f"{t:.1f} s" if t is not None else f"> {args.timeout:.0f} s"
        ratio = (f"{t / o:.0f}x" if t is not None else f"> {args.timeout / o:.0f}x")
        print(f"| {n:,} | {e:,} | {gd:.2f} s | {gp:.2f} s | {mb:.1f} MB | {o:.2f} s | {theirs} | {ratio} |")
        if outside:
            print(f"  requests outside file:/data: for {n} nodes: {outside[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
