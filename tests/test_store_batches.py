"""A push's batches: order, contents, grouping, and the integer check (no server needed)."""

from __future__ import annotations

import pytest

from ecosystem_graph.errors import StoreError
from ecosystem_graph.generate import generate_model
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import (
    check_integers,
    model_rows,
    push_batches,
    relationship_groups,
    row_columns,
)


def test_push_batches_cover_every_row_once_nodes_first():
    model = generate_model(300, seed=2)
    nodes, rels = model_rows(model, "x")
    batches = list(push_batches(model, "x", 70))
    whats = [b[0] for b in batches]
    assert whats == sorted(whats, key=lambda w: w != "nodes")  # every node batch before any relationship
    assert sum(b[3] for b in batches if b[0] == "nodes") == len(model.nodes) == 300
    assert sum(b[3] for b in batches if b[0] == "relationships") == len(model.relationships)
    assert all(0 < b[3] <= 70 for b in batches)
    # the node batches hold exactly the node rows; the relationship groups, ungrouped, the relationship rows
    assert [row for b in batches if b[0] == "nodes" for row in b[2]] == [r for rows in nodes.values() for r in rows]
    rebuilt = []
    for _, cypher, groups, count in (b for b in batches if b[0] == "relationships"):
        by_target = "MATCH (b:EcoNode {version: $version, id: g[0]})" in cypher
        chunk = [[other, shared, *rest] if by_target else [shared, other, *rest]
                 for shared, members in groups for other, *rest in members]
        assert len(chunk) == count
        rebuilt += chunk
    ordinal = row_columns("PAYS").index("ord") - len(row_columns("PAYS"))  # ord is next to last in every type
    assert ordinal == -2
    assert sorted(rebuilt, key=lambda r: r[-2]) == sorted((r for rows in rels.values() for r in rows),
                                                         key=lambda r: r[-2])


def test_relationship_groups_pick_the_end_fewer_relationships_share():
    # 1 source, 3 targets: by source; 3 sources, 1 target: by target; a tie: by source
    assert relationship_groups([["s", "a"], ["s", "b"], ["s", "c"]])[0] == "source"
    assert relationship_groups([["a", "t"], ["b", "t"], ["c", "t"]]) == ("target", [["t", [["a"], ["b"], ["c"]]]])
    assert relationship_groups([["a", "b"], ["c", "d"]])[0] == "source"


def test_integers_beyond_64_bits_are_named():
    model = Ecosystem.model_validate({"name": "Big", "currency": "EUR", "period": "1", "nodes": [
        {"id": "ok", "kind": "segment", "name": "Ok", "size": 2**63 - 1},
        {"id": "s", "kind": "segment", "name": "S", "size": 2**63}]})
    with pytest.raises(StoreError, match=r"^node s, size: 9223372036854775808 is outside the 64-bit"):
        check_integers(model)
    with pytest.raises(StoreError, match="node s, size"):
        model_rows(model, "x")
