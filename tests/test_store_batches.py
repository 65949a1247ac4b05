"""A push's batches, prepared ahead in a thread: order, contents, errors and stopping (no server needed)."""

from __future__ import annotations

import threading

import pytest

from ecosystem_graph.errors import StoreError
from ecosystem_graph.generate import generate_model
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import (
    _read_ahead,
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


def test_read_ahead_gives_every_item_in_order_and_ends_its_thread():
    before = threading.active_count()
    assert list(_read_ahead(iter(range(100)), ahead=3)) == list(range(100))
    assert threading.active_count() == before


def test_read_ahead_raises_the_producers_error_after_its_items():
    def items():
        yield 1
        yield 2
        raise StoreError("row 3 is broken")

    got = []
    with pytest.raises(StoreError, match="row 3 is broken"):
        for x in _read_ahead(items()):
            got.append(x)
    assert got == [1, 2]


def test_closing_read_ahead_early_stops_the_producer():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    before = threading.active_count()
    reader = _read_ahead(items(), ahead=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()  # what push does when a batch fails
    assert threading.active_count() == before
    assert len(produced) < 10  # 3 consumed, at most `ahead` queued and one in hand


def test_integers_beyond_64_bits_are_named():
    model = Ecosystem.model_validate({"name": "Big", "currency": "EUR", "period": "1", "nodes": [
        {"id": "ok", "kind": "segment", "name": "Ok", "size": 2**63 - 1},
        {"id": "s", "kind": "segment", "name": "S", "size": 2**63}]})
    with pytest.raises(StoreError, match=r"^node s, size: 9223372036854775808 is outside the 64-bit"):
        check_integers(model)
    with pytest.raises(StoreError, match="node s, size"):
        model_rows(model, "x")
