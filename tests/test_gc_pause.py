"""The analyses pause the cyclic garbage collector through the shared gc_paused, and restore its state."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ecosystem_graph.analysis import analyze
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import to_networkx

AMAZON = Path(__file__).resolve().parent.parent / "examples" / "amazon.yaml"


@pytest.fixture
def collector_state():
    before = gc.isenabled()
    yield
    (gc.enable if before else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_analyze_runs_with_the_collector_paused_and_restores_its_state(collector_state, enabled):
    G = to_networkx(load_model(AMAZON))
    (gc.enable if enabled else gc.disable)()
    seen = []
    result = analyze(G, progress=lambda step: seen.append((step, gc.isenabled())), parallel=False)
    # every step ran paused: revenue, lock-in, keystones, funnel and centrality all reported
    assert [step for step, _ in seen] == ["binding network", "revenue flows", "lock-in", "keystones", "funnel",
                                          "centrality"]
    assert not any(on for _, on in seen)
    assert gc.isenabled() is enabled
    assert result.revenue is not None and result.centrality is not None


def test_a_failing_analysis_restores_the_collector(collector_state):
    G = to_networkx(load_model(AMAZON))
    gc.enable()

    def fail(step):
        raise RuntimeError(f"stopped at {step}")

    with pytest.raises(RuntimeError, match="stopped at binding network"):
        analyze(G, progress=fail, parallel=False)
    assert gc.isenabled()
