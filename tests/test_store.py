"""The Neo4j store against a real Bolt server (ArcadeDB from the session fixture): push, pull, versions, errors."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from ecosystem_graph.errors import (
    StoreAuthError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StoreQueryError,
)
from ecosystem_graph.fileio import load_model
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import Store, connect
from ecosystem_graph.store.server import free_port

from .store_models import chain_model, shop_model

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def store(bolt_server):
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as s:
        yield s


def _count(store: Store, cypher: str, **params) -> int:
    return store.query(cypher, params).rows[0][0]


def _nodes_of(store: Store, name: str) -> int:
    return _count(store, "MATCH (n:EcoNode {ecosystem: $name}) RETURN count(n)", name=name)


def _versions_of(store: Store, name: str) -> int:
    return _count(store, "MATCH (v:EcosystemVersion {ecosystem: $name}) RETURN count(v)", name=name)


# ------------------------------------------------------------------------------------ push and pull


@pytest.mark.parametrize("example", ["amazon.yaml", "newspaper-funnel.yaml"])
def test_examples_round_trip_losslessly(store, unique_name, example):
    model = load_model(EXAMPLES / example)
    result = store.push(model, unique_name)
    assert (result.nodes, result.relationships) == (len(model.nodes), len(model.relationships))
    assert store.pull(unique_name).to_data() == model.to_data()


def test_relationships_split_across_small_batches_round_trip(store, unique_name):
    # 3 segments each USE 4 satellites (12 relationships); the 4 satellites each FEED the one core
    # twice, parallel relationships told apart by their ids (8). Batches of 5 split both types.
    nodes = ([{"id": "core", "kind": "core", "name": "Core"}]
             + [{"id": f"sat{i}", "kind": "satellite", "name": f"Satellite {i}"} for i in range(4)]
             + [{"id": f"seg{i}", "kind": "segment", "name": f"Segment {i}", "size": 10 + i} for i in range(3)])
    rels = ([{"from": f"seg{i}", "to": f"sat{j}", "type": "USES", "share": (i + j) / 10} for i in range(3)
             for j in range(4)]
            + [{"from": f"sat{j}", "to": "core", "type": "FEEDS", "strength": k / 2, "id": f"f{j}-{k}"}
               for j in range(4) for k in (1, 2)])
    model = Ecosystem.model_validate({"name": "Split", "currency": "EUR", "period": "1", "nodes": nodes,
                                      "relationships": rels})
    result = store.push(model, unique_name, batch_size=5)
    # node batches: one per kind (3); USES: 12 rows in batches of 5 -> 3; FEEDS: 8 -> 2
    assert result.relationships == 20 and result.batches == 3 + 3 + 2
    assert store.pull(unique_name).to_data() == model.to_data()


def test_a_relationship_row_is_written_only_between_the_nodes_it_names(store, unique_name):
    # The relationship statement reaches its ends by element id and checks each is the node of that
    # version and id: an element id of another ecosystem's node, or of another node of the same
    # version, writes nothing (the push then fails on the count instead of linking wrong nodes).
    from ecosystem_graph.store.neo4j import relationship_statement

    store.push(chain_model(2), unique_name)
    store.push(chain_model(2), unique_name + "-other")
    version = store._pointer(unique_name)["version"]
    other = store._pointer(unique_name + "-other")["version"]
    ids = {(r["v"], r["id"]): r["e"] for r in store.query(
        "MATCH (n:EcoNode) WHERE n.version IN [$a, $b] RETURN n.version AS v, n.id AS id, elementId(n) AS e",
        {"a": version, "b": other}).to_dicts()}
    cypher = relationship_statement("USES")

    def written(source_eid: str, target_eid: str) -> int:
        with store.driver.session(database=store.database) as session:
            tx = session.begin_transaction()
            try:
                row = [source_eid, target_eid, "seg", "s1", None, None, 0.5, None, None, None, 99, None]
                return tx.run(cypher, rows=[row], version=version).single()["written"]
            finally:
                tx.rollback()

    assert written(ids[version, "seg"], ids[version, "s1"]) == 1
    assert written(ids[other, "seg"], ids[version, "s1"]) == 0  # same id, other ecosystem
    assert written(ids[version, "seg"], ids[other, "s1"]) == 0
    assert written(ids[version, "seg"], ids[version, "s0"]) == 0  # same version, another node
    assert store.pull(unique_name).to_data() == chain_model(2).to_data()  # nothing was written


def test_pull_restores_types_unicode_attributes_and_missing_optionals(store, unique_name):
    model = shop_model()
    store.push(model, unique_name)
    pulled = store.pull(unique_name)
    assert pulled.to_data() == model.to_data()
    prime = pulled.node_index()["prime"]
    assert prime.attributes == {"launched": 2005, "ratio": 0.5, "flags": [True, "x", 1.25]}
    assert type(prime.attributes["launched"]) is int
    assert pulled.node_index()["members"].size == 1000
    assert pulled.node_index()["carrier"].role is None and pulled.node_index()["carrier"].description is None
    assert pulled.name == "Shop ✓ Ökosystem" and pulled.money_unit == "thousand"
    assert [r.id for r in pulled.relationships if r.id] == ["members-buy"]


def test_default_name_is_the_models_name(store):
    model = shop_model(name="Shop default-name test 7c1")
    result = store.push(model)
    try:
        assert result.name == "Shop default-name test 7c1"
        assert store.pull("Shop default-name test 7c1").to_data() == model.to_data()
    finally:
        store.drop(result.name)


def test_attributes_are_stored_as_a_json_string_property(store, unique_name):
    store.push(shop_model(), unique_name)
    rows = store.query("MATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode {version: e.current, id: 'prime'}) "
                       "RETURN x.attributes, x.kind, labels(x)", {"n": unique_name}).rows
    assert rows[0][0] == '{"launched":2005,"ratio":0.5,"flags":[true,"x",1.25]}'
    assert rows[0][1] == "satellite"
    assert sorted(rows[0][2]) == ["EcoNode", "Satellite"]


def test_push_replaces_the_previous_version_and_leaves_nothing_behind(store, unique_name):
    store.push(chain_model(6), unique_name)
    smaller = chain_model(3)
    result = store.push(smaller, unique_name)
    assert result.replaced is not None and result.removed_versions == 1
    assert store.pull(unique_name).to_data() == smaller.to_data()
    assert _nodes_of(store, unique_name) == 5
    assert _versions_of(store, unique_name) == 1
    [info] = [i for i in store.list() if i.name == unique_name]
    assert (info.nodes, info.relationships, info.model_name) == (5, 6, "Chain")


def test_push_is_idempotent(store, unique_name):
    model = shop_model()
    store.push(model, unique_name, batch_size=3)
    first = store.pull(unique_name).to_data()
    store.push(model, unique_name, batch_size=7)
    assert store.pull(unique_name).to_data() == first == model.to_data()
    assert _nodes_of(store, unique_name) == len(model.nodes)
    rels = _count(store, "MATCH (a:EcoNode {ecosystem: $n})-[r]->() RETURN count(r)", n=unique_name)
    assert rels == len(model.relationships)


def test_ecosystems_sharing_node_ids_do_not_touch_each_other(store, unique_name):
    a, b = unique_name + "-a", unique_name + "-b"
    store.push(shop_model(), a)
    store.push(chain_model(2), b)
    store.push(chain_model(4), a)  # same ids (core, seg) as b
    assert store.pull(b).to_data() == chain_model(2).to_data()
    store.drop(a)
    assert store.pull(b).to_data() == chain_model(2).to_data()
    assert not store.exists(a) and _nodes_of(store, a) == 0 and _versions_of(store, a) == 0
    store.drop(b)


def test_drop_removes_the_ecosystem_and_reports_its_size(store, unique_name):
    store.push(chain_model(2), unique_name)
    info = store.drop(unique_name)
    assert (info.name, info.nodes, info.relationships) == (unique_name, 4, 4)
    assert unique_name not in [i.name for i in store.list()]
    with pytest.raises(StoreNotFoundError):
        store.drop(unique_name)


def test_integers_beyond_64_bits_are_refused_before_writing(store, unique_name):
    model = Ecosystem.model_validate({"name": "Big", "currency": "EUR", "period": "1", "nodes": [
        {"id": "s", "kind": "segment", "name": "S", "size": 1}]})
    model.nodes[0].size = 2**64  # validation bounds sizes at 10**15; the store checks again (models built in code)
    with pytest.raises(StoreError, match="node s, size: 18446744073709551616 is outside the 64-bit"):
        store.push(model, unique_name)
    assert not store.exists(unique_name) and _versions_of(store, unique_name) == 0


# ----------------------------------------------------------------- never half-written visible


class Boom(Exception):
    pass


def _fail_after(batches: int):
    seen = []

    def progress(what, done, total):
        seen.append((what, done))
        if len(seen) >= batches:
            raise Boom(f"killed after {len(seen)} batches")

    return progress, seen


@pytest.mark.parametrize("fail_after", [2, 8])  # 2: among the node batches; 8: among the relationship batches
def test_a_push_failing_between_batches_leaves_the_previous_version_whole(store, unique_name, fail_after):
    before = chain_model(4, name="Before")
    store.push(before, unique_name)
    paths_before = store.run_named("lockin-paths", {"ecosystem": unique_name, "segment": "seg"}).rows
    progress, seen = _fail_after(fail_after)
    with pytest.raises(Boom):
        # batch size 3: 12 nodes -> 6 node batches (core 1, satellites 4, segment 1), 20 relationships
        # -> 8 batches;
        # no cleanup, as when the process is killed
        store.push(chain_model(10, name="After"), unique_name, batch_size=3, progress=progress,
                   cleanup_on_failure=False)
    assert seen[-1] == (("nodes", 4) if fail_after == 2 else ("relationships", 6))
    # The half-written version is really in the database...
    assert _nodes_of(store, unique_name) > len(before.nodes)
    assert _versions_of(store, unique_name) == 2
    # ...but nobody sees it: pull, list and named queries all give the previous version, whole.
    assert store.pull(unique_name).to_data() == before.to_data()
    [info] = [i for i in store.list() if i.name == unique_name]
    assert (info.model_name, info.nodes, info.relationships) == ("Before", 6, 8)
    assert store.run_named("lockin-paths", {"ecosystem": unique_name, "segment": "seg"}).rows == paths_before
    # The next push cleans up the leftovers.
    after = chain_model(2, name="Next")
    result = store.push(after, unique_name)
    assert result.removed_versions == 1  # the one it replaced; the failed one went before writing
    assert store.pull(unique_name).to_data() == after.to_data()
    assert _nodes_of(store, unique_name) == len(after.nodes)
    assert _versions_of(store, unique_name) == 1


def test_a_failed_push_removes_its_partial_version(store, unique_name):
    store.push(chain_model(1), unique_name)
    progress, _ = _fail_after(3)
    with pytest.raises(Boom):
        store.push(chain_model(8), unique_name, batch_size=2, progress=progress)
    assert _nodes_of(store, unique_name) == 3 and _versions_of(store, unique_name) == 1
    assert store.pull(unique_name).to_data() == chain_model(1).to_data()


def test_a_first_push_that_fails_leaves_no_ecosystem(store, unique_name):
    progress, _ = _fail_after(1)
    with pytest.raises(Boom):
        store.push(chain_model(5), unique_name, batch_size=2, progress=progress, cleanup_on_failure=False)
    assert not store.exists(unique_name)
    with pytest.raises(StoreNotFoundError, match=f"no ecosystem named '{unique_name}'"):
        store.pull(unique_name)


def test_a_push_whose_staging_version_is_removed_is_not_made_current(store, bolt_server, unique_name):
    # A concurrent push or drop of the same ecosystem removes this push's staging version mid-way:
    # the push must fail rather than switch to a partial version.
    store.push(chain_model(1), unique_name)

    calls = []

    def progress(what, done, total):
        calls.append(what)
        if len(calls) == 2:
            with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as other:
                other._delete_versions(unique_name, keep=other._pointer(unique_name)["version"], batch_size=100)

    with pytest.raises(StoreError, match="concurrent push or drop|staging version was removed"):
        store.push(chain_model(6), unique_name, batch_size=2, progress=progress)
    assert store.pull(unique_name).to_data() == chain_model(1).to_data()


# ------------------------------------------------------------------------------- read-only queries


def test_a_read_query_that_writes_is_refused_before_it_runs(store, unique_name):
    store.push(chain_model(2), unique_name)
    with pytest.raises(StoreQueryError, match=r"^the query is not read-only \(CREATE at line 1, column 1\)"):
        store.query("CREATE (x:Intruder {n: 1}) RETURN x")
    with pytest.raises(StoreQueryError, match=r"\(SET at line 1, column 71\)"):
        store.query("MATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode {version: e.current}) SET x.name = 'gone'",
                    {"n": unique_name})
    assert _count(store, "MATCH (x:Intruder) RETURN count(x)") == 0
    assert store.pull(unique_name).to_data() == chain_model(2).to_data()


def test_a_write_query_runs_with_write(store, unique_name):
    tag = unique_name.replace("-", "_")
    result = store.query("CREATE (x:Scratch {tag: $t}) RETURN x.tag AS tag", {"t": tag}, write=True)
    assert result.rows == [[tag]] and result.counters["nodes_created"] == 1
    assert _count(store, "MATCH (x:Scratch {tag: $t}) RETURN count(x)", t=tag) == 1
    store.query("MATCH (x:Scratch {tag: $t}) DELETE x", {"t": tag}, write=True)


def test_query_results_are_plain_values(store, unique_name):
    store.push(shop_model(), unique_name)
    result = store.query(
        "MATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode:Channel {version: e.current, id: 'echo'}) "
        "RETURN x AS node, x.device AS device, [1, 2.5] AS numbers", {"n": unique_name})
    node, device, numbers = result.rows[0]
    assert node["labels"] == ["Channel", "EcoNode"] and node["properties"]["name"] == "Echo"
    assert device is True and numbers == [1, 2.5]


# ------------------------------------------------------------------------------------------ errors


def test_wrong_password_is_an_auth_error_without_the_password(bolt_server):
    with pytest.raises(StoreAuthError) as info:
        connect(bolt_server.uri, "root", "not-the-password-xyz", bolt_server.database)
    assert str(info.value) == f"the server at {bolt_server.uri} refused the credentials for user 'root'"


def test_unknown_database(bolt_server):
    with pytest.raises(StoreNotFoundError) as info:
        connect(bolt_server.uri, bolt_server.user, bolt_server.password, "nosuchdb")
    assert str(info.value) == f"database 'nosuchdb' does not exist on {bolt_server.uri}"


def test_unreachable_server():
    port = free_port()
    with pytest.raises(StoreConnectionError) as info:
        connect(f"bolt://127.0.0.1:{port}", "root", "whatever1", "x", timeout=5)
    assert str(info.value) == f"cannot reach the database server at bolt://127.0.0.1:{port}: Connection refused"


def test_credentials_in_the_uri_never_appear_in_messages():
    port = free_port()
    with pytest.raises(StoreConnectionError) as info:
        connect(f"bolt://root:s3cret-pw@127.0.0.1:{port}", timeout=5)
    assert "s3cret" not in str(info.value)


def test_cypher_syntax_error(store):
    with pytest.raises(StoreQueryError, match="^Cypher syntax error: "):
        store.query("MATC (n) RETURN n")


def test_unknown_ecosystem_suggests_a_close_name(store, unique_name):
    store.push(chain_model(1), unique_name)
    with pytest.raises(StoreNotFoundError, match=f"did you mean '{unique_name}'"):
        store.pull(unique_name[:-1])
    with pytest.raises(StoreNotFoundError, match="no ecosystem named 'zzz-nothing'"):
        store.run_named("nodes-by-kind", {"ecosystem": "zzz-nothing"})


def test_a_store_closes_its_driver(bolt_server):
    s = connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database)
    driver = s.driver
    with s:
        pass
    assert s.driver is None
    with pytest.raises(neo4j.exceptions.DriverError):
        driver.verify_connectivity()


# ------------------------------------------------------------------------------------------ schema


def test_schema_constraints_exist_and_are_enforced(store, unique_name):
    store.push(chain_model(1), unique_name)
    names = {r[0] for r in store.query("SHOW CONSTRAINTS YIELD name RETURN name").rows}
    assert {"ecograph_ecosystem_name", "ecograph_version_id", "ecograph_node_key"} <= names
    version = store._pointer(unique_name)["version"]
    with pytest.raises(StoreQueryError):
        store.query("CREATE (:EcoNode {version: $v, id: 'core'})", {"v": version}, write=True)
    assert _nodes_of(store, unique_name) == 3


def _node_indexes(store: Store) -> list[list[str]]:
    rows = store.query("SHOW INDEXES YIELD labelsOrTypes, properties RETURN labelsOrTypes, properties").rows
    return sorted(props for labels, props in rows if labels == ["EcoNode"])


def test_the_schema_removes_the_old_version_index(fresh_database):
    db = fresh_database
    with connect(db.uri, db.user, db.password, db.database) as store:
        store.query("CREATE INDEX ecograph_node_version IF NOT EXISTS FOR (n:EcoNode) ON (n.version)", write=True)
        assert _node_indexes(store) == [["version"]]
        store.push(chain_model(2), "eco")
        assert _node_indexes(store) == [["version", "id"]]  # only the (version, id) key is left
        assert len(store.pull("eco").nodes) == 4


def test_pull_refuses_an_ecosystem_edited_incomplete_by_hand(store, unique_name):
    store.push(chain_model(3), unique_name)
    store.query("MATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode {version: e.current, id: 's1'}) DETACH DELETE x",
                {"n": unique_name}, write=True)
    with pytest.raises(StoreError, match=f"ecosystem '{unique_name}' is incomplete in the database: 4 of 5 nodes, "
                                         f"4 of 6 relationships"):
        store.pull(unique_name)
