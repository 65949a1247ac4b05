"""The store against a real Neo4j 5 (opt-in: set ECOGRAPH_TEST_NEO4J_URI, _USER, _PASSWORD, _DATABASE).

These run the same Cypher as the ArcadeDB suite on Neo4j itself, including the branch ArcadeDB cannot reach:
Neo4j refuses a write in a READ transaction by itself (Neo.ClientError.Statement.AccessMode).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ecosystem_graph.errors import StoreQueryError
from ecosystem_graph.fileio import load_model
from ecosystem_graph.store.neo4j import connect

from .store_models import chain_model, shop_model

pytestmark = pytest.mark.neo4j
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def store(neo4j_server):
    with connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database) as s:
        yield s


@pytest.fixture
def name(store):
    n = "neo4j-test-" + uuid.uuid4().hex[:8]
    yield n
    if store.exists(n):
        store.drop(n)


def test_examples_round_trip(store, name):
    for example in ("amazon.yaml", "newspaper-funnel.yaml"):
        model = load_model(EXAMPLES / example)
        store.push(model, name)
        assert store.pull(name).to_data() == model.to_data()


def test_named_queries_give_the_hand_computed_rows(store, name):
    store.push(shop_model(), name)
    rows = store.run_named("revenue-by-segment", {"ecosystem": name}).rows
    assert rows == [["members", "Members", "purchase", 100.0, 1], ["members", "Members", "subscription", 40.0, 1],
                    ["visitors", "Visitors", "purchase", 10.0, 1], ["members", "Members", "unspecified", 5.0, 1]]
    assert store.run_named("lockin-paths", {"ecosystem": name, "segment": "visitors"}).columns == [
        "path", "hops", "core", "switching_cost", "mechanisms"]


def test_a_write_in_a_read_query_is_refused(store):
    with pytest.raises(StoreQueryError, match=r"^the query is not read-only \(CREATE at line 1, column 1\)"):
        store.query("CREATE (x:EcographIntruder) RETURN x")
    # Neo4j's own refusal, the second line of defence: a write in a READ transaction
    with pytest.raises(StoreQueryError, match="^the query writes to the database and was refused"):
        store._run_query("CREATE (x:EcographIntruder) RETURN x", {}, write=False, limit=None)
    # Neo4j's EXPLAIN tells the query type, so the plan is checked too
    assert store._plans_tell_query_type() is True
    assert store.query("MATCH (x:EcographIntruder) RETURN count(x)").rows == [[0]]


def test_a_failed_push_leaves_the_previous_version(store, name):
    store.push(chain_model(3), name)

    def progress(what, done, total):
        if what == "relationships":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        store.push(chain_model(9), name, batch_size=2, progress=progress, cleanup_on_failure=False)
    assert store.pull(name).to_data() == chain_model(3).to_data()
    store.push(chain_model(2), name)
    assert store.query("MATCH (n:EcoNode {ecosystem: $n}) RETURN count(n)", {"n": name}).rows == [[4]]
