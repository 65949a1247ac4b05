"""The named queries that compute a figure `ecograph analyze` computes give that figure: both examples and a
generated model pushed to the real Bolt server, each query's rows compared with ``analyze --format json``,
figure by figure."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model
from ecosystem_graph.generate import generate_data
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import connect

MODELS = ["examples/amazon.yaml", "examples/newspaper-funnel.yaml", "generated"]


@pytest.fixture(scope="module")
def pushed(bolt_server, tmp_path_factory):
    """{label: (store, ecosystem name, analyze JSON)} with every model pushed once."""
    out = {}
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        for i, label in enumerate(MODELS):
            if label == "generated":
                path = tmp_path_factory.mktemp("gen") / "generated.json"
                path.write_text(json.dumps(generate_data(300, seed=4)), encoding="utf-8")
            else:
                path = label
            model = load_model(str(path))
            name = f"vs-analyze-{i}"
            store.push(model, name)
            r = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json"])
            assert r.exit_code == 0, r.output
            out[label] = (store, name, json.loads(r.output))
        yield out
        for _, name, _ in out.values():
            store.drop(name)


def rows(store, query, name, **params):
    result = store.run_named(query, {"ecosystem": name, **params})
    return [dict(zip(result.columns, row)) for row in result.rows]


@pytest.mark.parametrize("label", MODELS)
def test_revenue_by_segment_is_analyze_by_segment(pushed, label):
    store, name, doc = pushed[label]
    got = rows(store, "revenue-by-segment", name)
    by_segment = {r["segment"]: r["by_segment"] for r in got}
    expected = doc["revenue"]["by_segment"]
    assert by_segment == pytest.approx(expected)
    # ranked as analyze ranks them (largest first); the stream split adds up to the figure
    assert list(dict.fromkeys(r["segment"] for r in got)) == list(expected)
    for seg, total in by_segment.items():
        assert sum(r["amount"] for r in got if r["segment"] == seg) == pytest.approx(total)
    assert len(got) > 0


@pytest.mark.parametrize("label", MODELS)
def test_satellites_by_dependent_revenue_is_analyze_dependent_revenue(pushed, label):
    store, name, doc = pushed[label]
    rev = doc["revenue"]
    assert rev["paths_truncated"] == 0  # the query follows every path; analyze's cap must not bite
    got = rows(store, "satellites-by-dependent-revenue", name)
    satellites = [n["id"] for n in doc["revenue"]["nodes"] if n["kind"] == "satellite"]
    assert sorted(r["satellite"] for r in got) == sorted(satellites)
    for r in got:
        sat = r["satellite"]
        assert r["own_revenue"] == pytest.approx(rev["revenue_by_offering"][sat]), sat
        assert r["dependent_revenue"] == pytest.approx(rev["dependent_revenue"][sat]), sat
        assert r["dependency"] == pytest.approx(rev["dependency"][sat]), sat
    values = [r["dependent_revenue"] for r in got]
    assert values == sorted(values, reverse=True)
    assert any(r["dependent_revenue"] > r["own_revenue"] for r in got)  # some attribution happened


@pytest.mark.parametrize("label", MODELS)
def test_lockin_paths_are_analyze_binding_paths(pushed, label):
    store, name, doc = pushed[label]
    segments = [s for s in doc["lockin"]["segments"] if not s["paths_truncated"]]
    assert segments
    for s in segments[:25]:
        got = rows(store, "lockin-paths", name, segment=s["id"])
        # (path, switching cost of its first binding): parallel USES give the same nodes twice
        assert (sorted((r["path"], r["switching_cost"] or 0.0) for r in got)
                == sorted((p["nodes"], p["switching_costs"][0] or 0.0) for p in s["paths"])), s["id"]
