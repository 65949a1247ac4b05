"""Benchmark: push and pull a generated 100k-node ecosystem over Bolt, against a naive push measured in the same run.

Usage::

    python benchmarks/bench_push.py                      # starts a local ArcadeDB Bolt server in a temp dir
    python benchmarks/bench_push.py --nodes 20000        # smaller
    python benchmarks/bench_push.py --uri bolt://localhost:7687 --user neo4j --database neo4j   # your server
                                                         # (password from NEO4J_PASSWORD)

The naive baseline writes the same rows with one auto-commit statement per node and per relationship (the
same schema, labels and properties), on a generated sample of ``--sample`` nodes. The batched push is
``Store.push`` (UNWIND batches, one transaction each, versioned switch). Rates are rows per second of
wall-clock time; the ratio is batched rate / naive rate, both measured here, now.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecosystem_graph.generate import generate_model  # noqa: E402
from ecosystem_graph.store.neo4j import (  # noqa: E402
    NODE_LABEL,
    connect,
    model_rows,
    node_statement,
    relationship_statement,
    row_columns,
)


TEXTBOOK_NODE = "CREATE (n:{label}:{kind}) SET n = $row, n.version = $version"
TEXTBOOK_REL = ("UNWIND [$row] AS r MATCH (a:{label} {{version: $version, id: r.from}}) "
                "MATCH (b:{label} {{version: $version, id: r.to}}) CREATE (a)-[x:{rtype}]->(b) SET x = r.props")


def naive_push(store, model, name: str, textbook: bool) -> tuple[float, float, int, int]:
    """One auto-commit statement per node and per relationship; returns (node s, rel s, nodes, rels).

    ``textbook``: the statements a first attempt writes (``SET n = $row``, ends found by their key);
    otherwise the very statements ``Store.push`` runs, with one-row ``$rows`` (isolates batching).
    """
    store.ensure_schema()
    node_rows, rel_rows = model_rows(model, name)
    version = "naive-" + name
    # every statement's parameters built before the clock starts (the push's own row building is timed
    # on its side, but a naive loop's per-row dict building is not what is being compared)
    node_calls, rel_calls = [], []
    for kind, rows in node_rows.items():
        cypher = (TEXTBOOK_NODE.format(label=NODE_LABEL, kind=kind.capitalize()) if textbook
                  else node_statement(kind))
        columns = row_columns(kind)
        for row in rows:
            params = ({"row": {k: v for k, v in zip(columns, row) if v is not None}} if textbook
                      else {"rows": [row]})
            node_calls.append((cypher, params))
    for rtype, rows in rel_rows.items():
        cypher = (TEXTBOOK_REL.format(label=NODE_LABEL, rtype=rtype) if textbook
                  else relationship_statement(rtype))
        columns = row_columns(rtype)
        for row in rows:
            if textbook:
                params = {"row": {"from": row[0], "to": row[1],
                                  "props": {k: v for k, v in zip(columns[2:], row[2:]) if v is not None}}}
            else:  # the element ids are filled in once the nodes exist (as the push does)
                params = {"rows": [[row[0], row[1], *row]]}
            rel_calls.append((cypher, params))
    element_ids = {}
    with store.driver.session(database=store.database) as session:
        t0 = time.perf_counter()
        for cypher, params in node_calls:
            record = session.run(cypher, params, version=version).single()
            if not textbook:
                element_ids.update(record["created"])
        t1 = time.perf_counter()
        for cypher, params in rel_calls:
            if not textbook:
                row = params["rows"][0]
                row[0], row[1] = element_ids[row[2]], element_ids[row[3]]
            session.run(cypher, params, version=version).consume()
        t2 = time.perf_counter()
        while session.run(f"MATCH (n:{NODE_LABEL} {{version: $v}}) WITH n LIMIT 5000 DETACH DELETE n "
                          f"RETURN count(*) AS c", v=version).single()["c"]:
            pass
    return t1 - t0, t2 - t1, len(node_calls), len(rel_calls)


def batched_push(store, model, name: str, batch_size: int) -> tuple[float, float, float]:
    """``Store.push``; returns (node phase s, relationship phase s, total s incl. switch and cleanup)."""
    marks: dict[str, float] = {}

    def progress(what, done, total):
        marks[what] = time.perf_counter()

    t0 = time.perf_counter()
    store.push(model, name, batch_size=batch_size, progress=progress)
    t_end = time.perf_counter()
    return marks["nodes"] - t0, marks["relationships"] - marks["nodes"], t_end - t0


def _codec() -> str:
    """Which packstream codec the driver uses: the Rust extension (neo4j-rust-ext) or pure Python."""
    import neo4j._codec.packstream.v1  # noqa: F401  (imports the Rust codec when it is installed)

    return "Rust (neo4j-rust-ext)" if "neo4j._rust" in sys.modules else "pure Python"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=5_000)
    ap.add_argument("--batch-size", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--uri")
    ap.add_argument("--user")
    ap.add_argument("--database", default="bench")
    ap.add_argument("--heap", default="2g")
    args = ap.parse_args()

    server = None
    tmp = None
    if args.uri:
        uri, user, password, database = args.uri, args.user, os.environ.get("NEO4J_PASSWORD"), args.database
    else:
        from ecosystem_graph.store.server import start_server

        tmp = tempfile.TemporaryDirectory(prefix="ecograph-bench-")
        print(f"starting a local ArcadeDB Bolt server (heap {args.heap}) ...", flush=True)
        server = start_server(tmp.name, "bench-password", database=args.database, heap=args.heap)
        uri, user, password, database = server.uri, server.user, server.password, server.database
    try:
        t = time.perf_counter()
        sample = generate_model(args.sample, args.seed)
        model = generate_model(args.nodes, args.seed)
        print(f"generated {len(model.nodes):,} nodes / {len(model.relationships):,} relationships "
              f"and a {len(sample.nodes):,}-node sample in {time.perf_counter() - t:.1f} s", flush=True)
        with connect(uri, user, password, database, timeout=60) as store:
            print(f"server: {store.server_agent}; driver packstream: {_codec()}", flush=True)
            store.ensure_schema()
            store.push(sample, "bench-warmup")  # warm the server up (JIT) before measuring either way
            store.drop("bench-warmup")
            naive = {}
            for textbook, label in ((True, "naive push, textbook statements"),
                                    (False, "naive push, push's own statements")):
                nt, rt, nn, nr = naive_push(store, sample, "bench-naive", textbook)
                naive[textbook] = (nn / nt, nr / rt, (nn + nr) / (nt + rt))
                print(f"{label} ({nn:,} nodes, {nr:,} rels, 1 auto-commit statement each): "
                      f"{nn / nt:,.0f} nodes/s, {nr / rt:,.0f} rels/s, {(nn + nr) / (nt + rt):,.0f} rows/s",
                      flush=True)
            bt, brt, total = batched_push(store, model, "bench", args.batch_size)
            n, r = len(model.nodes), len(model.relationships)
            b_nodes, b_rels, b_rows = n / bt, r / brt, (n + r) / total
            print(f"batched push ({n:,} nodes, {r:,} rels, batches of {args.batch_size:,}): "
                  f"{b_nodes:,.0f} nodes/s, {b_rels:,.0f} rels/s; {total:.1f} s in all "
                  f"({b_rows:,.0f} rows/s incl. switch)", flush=True)
            t = time.perf_counter()
            pulled = store.pull("bench")
            pull_s = time.perf_counter() - t
            assert len(pulled.nodes) == n and len(pulled.relationships) == r
            print(f"pull         ({n:,} nodes, {r:,} rels, validated model): {pull_s:.1f} s", flush=True)
            t = time.perf_counter()
            store.push(model, "bench", batch_size=args.batch_size)
            repush = time.perf_counter() - t
            print(f"re-push (replaces and deletes the previous version): {repush:.1f} s", flush=True)
            for textbook, label in ((True, "textbook naive"), (False, "same-statement naive")):
                nn_, nr_, rows_ = naive[textbook]
                print(f"ratio vs {label}: nodes x{b_nodes / nn_:.1f}, relationships x{b_rels / nr_:.1f}, "
                      f"all rows x{b_rows / rows_:.1f}")
            store.drop("bench")
    finally:
        if server is not None:
            server.stop()
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
