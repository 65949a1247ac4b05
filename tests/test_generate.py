"""The synthetic ecosystem generator: shape, determinism, validity."""

from __future__ import annotations

import pytest

from ecosystem_graph.errors import UsageError
from ecosystem_graph.fileio import check_file
from ecosystem_graph.generate import generate_data, generate_model, shape_for, write_generated
from ecosystem_graph.validation import validate_data


def test_shape_by_hand():
    # 1000 nodes: 1 core, 2% = 20 satellites, 3% = 30 channels, 25% = 250 partners,
    # 1000 - 1 - 20 - 30 - 250 = 699 segments
    assert shape_for(1000).__dict__ == {"cores": 1, "satellites": 20, "channels": 30, "partners": 250,
                                        "segments": 699}
    # 100,000 nodes: 3 cores, 2,000 satellites, 3,000 channels, 25,000 partners, 69,997 segments
    assert shape_for(100_000).segments == 100_000 - 3 - 2_000 - 3_000 - 25_000
    assert shape_for(5).total == 5
    with pytest.raises(UsageError, match="--nodes must be at least 5"):
        shape_for(4)


@pytest.mark.parametrize("nodes, seed", [(5, 0), (37, 1), (1000, 2), (2500, 3)])
def test_generated_models_are_valid_without_warnings(nodes, seed):
    model, problems = validate_data(generate_data(nodes, seed))
    assert [p.format() for p in problems] == []
    assert len(model.nodes) == nodes
    # about three relationships per node
    assert 2.5 * nodes <= len(model.relationships) <= 3.5 * nodes or nodes < 100


def test_generated_money_and_funnel_follow_the_rules():
    model = generate_model(2000, seed=5)
    pays = [r for r in model.relationships if r.type == "PAYS"]
    with_count = [r for r in pays if r.count is not None]
    assert with_count and all(r.amount == r.count * r.price for r in with_count)
    steps = [r for r in model.relationships if r.type == "CONVERTS_TO"]
    assert steps and all(0 <= r.rate <= 1 for r in steps)
    kinds = {n.id: n.kind for n in model.nodes}
    uses = [r for r in model.relationships if r.type == "USES"]
    assert all(kinds[r.source] == "segment" and r.mechanisms for r in uses)


def test_same_seed_same_model_other_seed_other_model():
    assert generate_data(500, 1) == generate_data(500, 1)
    assert generate_data(500, 1) != generate_data(500, 2)


def test_streamed_file_equals_the_in_memory_model(tmp_path):
    for fmt in ("yaml", "json"):
        path = tmp_path / f"g.{fmt}"
        seen = []
        counts = write_generated(path, 800, seed=4, fmt=fmt, progress=seen.append)
        result = check_file(path)
        assert result.problems == []
        assert result.model == generate_model(800, seed=4)
        assert counts == (800, len(result.model.relationships))
        assert seen[-1] == sum(counts)
