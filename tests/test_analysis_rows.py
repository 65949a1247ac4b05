"""The analysis results keep their rows as columns and build the row objects once, on first access (lazy_rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.rows import lazy_rows
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import to_networkx

AMAZON = Path(__file__).resolve().parent.parent / "examples" / "amazon.yaml"

# (section, rows attribute, columns attribute, key of the rows in the section's JSON)
LAZY = [("centrality", "nodes", "columns", "nodes"), ("keystones", "nodes", "columns", "nodes"),
        ("lockin", "segments", "columns", "segments"), ("revenue", "nodes", "flows", "nodes"),
        ("revenue", "payments", "payment_columns", "payments")]


@pytest.fixture(scope="module")
def model():
    return load_model(AMAZON)


@pytest.mark.parametrize("section, rows, columns, key", LAZY)
def test_rows_are_built_once_from_the_columns_and_agree_with_them(model, section, rows, columns, key):
    result = getattr(analyze(to_networkx(model), only=[section], parallel=False), section)
    assert isinstance(type(result).__dict__[rows], lazy_rows)
    assert result.__dict__.get("_" + rows) is None  # not built by the analysis
    from_columns = result.to_dict()[key]
    built = getattr(result, rows)
    assert getattr(result, rows) is built
    as_dicts = [r if isinstance(r, dict) else r.to_dict() for r in built]
    assert as_dicts == from_columns
    # one row per node (25 in the Amazon example), per segment, per PAYS relationship of the model
    expected = {"nodes": 25, "segments": sum(n.kind == "segment" for n in model.nodes),
                "payments": sum(r.type == "PAYS" for r in model.relationships)}[key]
    assert len(built) == expected


@pytest.mark.parametrize("section, rows, columns, key", LAZY)
def test_assigned_rows_replace_the_columns(model, section, rows, columns, key):
    result = getattr(analyze(to_networkx(model), only=[section], parallel=False), section)
    first_two = getattr(result, rows)[:2]
    setattr(result, rows, tuple(first_two))
    assert getattr(result, columns) is None
    assert getattr(result, rows) == first_two
    listed = result.to_dict()[key]
    assert [r["id"] for r in listed] == [r["id"] if isinstance(r, dict) else r.id for r in first_two]
