"""A push's batches: order, contents, statements, and the integer check (no server needed)."""

from __future__ import annotations

import pytest

from ecosystem_graph.errors import StoreError
from ecosystem_graph.generate import generate_model
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import (
    check_integers,
    model_rows,
    node_batches,
    node_statement,
    relationship_batches,
    relationship_statement,
    row_columns,
)


def test_batches_cover_every_row_once_each_kind_and_type_with_its_statement():
    model = generate_model(300, seed=2)
    nodes, rels = model_rows(model, "x")
    node_batches_ = list(node_batches(model, "x", 70))
    assert [rows for _, rows in node_batches_] == [chunk for rows in nodes.values()
                                                   for chunk in (rows[i:i + 70] for i in range(0, len(rows), 70))]
    assert sum(len(rows) for _, rows in node_batches_) == len(model.nodes) == 300
    assert {c for c, _ in node_batches_} == {node_statement(k) for k, rows in nodes.items() if rows}
    # the relationship rows are the model's rows behind the element ids of their two ends
    element_ids = {n.id: f"#{i}:{i * 7}" for i, n in enumerate(model.nodes)}
    rel_batches = list(relationship_batches(model, element_ids, 70))
    assert all(0 < len(rows) <= 70 for _, rows in rel_batches)
    written = [row for _, rows in rel_batches for row in rows]
    assert written == [[element_ids[r[0]], element_ids[r[1]], *r] for rows in rels.values() for r in rows]
    assert len(written) == len(model.relationships)
    for cypher, rows in rel_batches:
        [rtype] = {model.relationships[r[-2]].type for r in rows}  # ord: the relationship's position
        assert cypher == relationship_statement(rtype)


def test_statements_take_labels_and_keys_only_from_the_vocabulary():
    assert node_statement("segment") == (
        "UNWIND $rows AS r CREATE (n:EcoNode:Segment {id: r[0], name: r[1], description: r[2], tags: r[3], "
        "kind: r[4], size: r[5], size_low: r[6], size_high: r[7], size_dist: r[8], ecosystem: r[9], ord: r[10], "
        "attributes: r[11], version: $version}) "
        "RETURN collect([r[0], elementId(n)]) AS created")
    assert relationship_statement("USES") == (
        "UNWIND $rows AS r "
        "MATCH (a:EcoNode) WHERE elementId(a) = r[0] AND a.version = $version AND a.id = r[2] "
        "MATCH (b:EcoNode) WHERE elementId(b) = r[1] AND b.version = $version AND b.id = r[3] "
        "CREATE (a)-[x:USES {id: r[4], description: r[5], switching_cost: r[6], mechanisms: r[7], "
        "cost_types: r[8], share: r[9], switching_cost_low: r[10], switching_cost_high: r[11], "
        "switching_cost_dist: r[12], share_low: r[13], share_high: r[14], share_dist: r[15], ord: r[16], "
        "attributes: r[17]}]->(b) "
        "RETURN count(x) AS written")
    assert row_columns("USES") == ["from", "to", "id", "description", "switching_cost", "mechanisms", "cost_types",
                                   "share", "switching_cost_low", "switching_cost_high", "switching_cost_dist",
                                   "share_low", "share_high", "share_dist", "ord", "attributes"]


def test_integers_beyond_64_bits_are_named():
    model = Ecosystem.model_validate({"name": "Big", "currency": "EUR", "period": "1", "nodes": [
        {"id": "ok", "kind": "segment", "name": "Ok", "size": 1},
        {"id": "s", "kind": "segment", "name": "S", "size": 1}]})
    # Validation bounds sizes at 10**15; the store checks again for models changed or built in code.
    model.nodes[0].size, model.nodes[1].size = 2**63 - 1, 2**63
    with pytest.raises(StoreError, match=r"^node s, size: 9223372036854775808 is outside the 64-bit"):
        check_integers(model)
    with pytest.raises(StoreError, match="node s, size"):
        model_rows(model, "x")
