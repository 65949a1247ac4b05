"""Ad-hoc queries without --write never change anything: every probe of issue 13 and its variants, refused
before it runs, against a real ArcadeDB Bolt server holding a pushed ecosystem, which stays byte for byte
the same (its pulled YAML, every node and relationship with its properties, constraints and indexes)."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.errors import StoreError, StoreQueryError
from ecosystem_graph.fileio import save_model
from ecosystem_graph.store.neo4j import Store, connect
from ecosystem_graph.store.readonly import WRITE_KEYWORDS, explain_text, find_write, tokens

from .store_models import shop_model

ECO = "shop"
REFUSED = "the query is not read-only ({}) and was refused before it ran; allow writes with --write"

# (probe, what the refusal names). Columns are 1-based, counted by hand on the probe's text.
PROBES = [
    # issue 13's probes
    ("MATCH (e:Ecosystem {name:'shop'}) MATCH (n:EcoNode) WHERE n.version = e.current "
     "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5 ROWS",
     # "MATCH (e:Ecosystem {name:'shop'}) " 34 + "MATCH (n:EcoNode) " 18 + "WHERE n.version = e.current " 28
     # + "CALL { WITH n " 14 = 94 characters before DETACH
     "DETACH DELETE at line 1, column 95"),
    ("MATCH (n:EcoNode) SET n.name = 'renamed'", "SET at line 1, column 19"),
    ("DROP CONSTRAINT ecograph_node_key", "DROP at line 1, column 1"),
    ("CREATE CONSTRAINT intruder_key IF NOT EXISTS FOR (n:Intruder) REQUIRE n.k IS UNIQUE",
     "CREATE at line 1, column 1"),
    ("LOAD CSV FROM 'file:///etc/hostname' AS line RETURN line", "LOAD CSV at line 1, column 1"),
    # comments, case, whitespace and newlines
    ("/* a read */ MATCH (n:EcoNode) // only reading\n  SET n.name = 'x'", "SET at line 2, column 3"),
    ("match (n:EcoNode) dEtAcH dElEtE n", "DETACH DELETE at line 1, column 19"),
    ("MATCH (n:EcoNode)\n\t DETACH\n\n    DELETE n", "DETACH DELETE at line 2, column 3"),
    ("MATCH (n:EcoNode)/*x*/REMOVE/*y*/n.name", "REMOVE at line 1, column 23"),
    # a line comment ends at a carriage return on the server (Neo4j's and ArcadeDB's lexers), so what
    # follows a lone \r is Cypher, not comment; the other line terminators are treated the same way
    ("MATCH (n:EcoNode) WITH n LIMIT 3 // x\rCALL { WITH n SET n.name = 'x' } IN TRANSACTIONS OF 1 ROWS",
     # "MATCH (n:EcoNode) WITH n LIMIT 3 // x\r" 38 characters + "CALL { WITH n " 14 = 52 before SET
     "SET at line 1, column 53"),
    ("// x\rCREATE CONSTRAINT intruder_key IF NOT EXISTS FOR (n:Intruder) REQUIRE n.k IS UNIQUE",
     "CREATE at line 1, column 6"),
    ("MATCH (n:EcoNode) RETURN n.id AS id // x\u2028UNION MATCH (n:EcoNode) SET n.name = 'x' RETURN n.id AS id",
     # 36 before // + "// x\u2028" 5 + "UNION MATCH (n:EcoNode) " 24 = 65 before SET
     "SET at line 1, column 66"),
    # nested subqueries, UNION, subquery expressions
    ("MATCH (e:Ecosystem) CALL { WITH e CALL { WITH e MATCH (n:EcoNode {version: e.current}) "
     "SET n.name = 'x' RETURN count(n) AS c } RETURN c } RETURN c", "SET at line 1, column 88"),
    ("MATCH (n:EcoNode) RETURN n.id AS id UNION MATCH (n:EcoNode) SET n.name = 'x' RETURN n.id AS id",
     "SET at line 1, column 61"),
    ("MATCH (n:EcoNode) WHERE EXISTS { MATCH (n) SET n.x = 1 } RETURN n", "SET at line 1, column 44"),
    ("MATCH (n:EcoNode) CALL { WITH n RETURN n.id AS id } IN TRANSACTIONS OF 5 ROWS RETURN id",
     "CALL ... IN TRANSACTIONS at line 1, column 53"),
    ("MATCH (n:EcoNode) CALL { WITH n RETURN n.id AS id } IN 2 CONCURRENT TRANSACTIONS RETURN id",
     "CALL ... IN TRANSACTIONS at line 1, column 53"),
    # every write clause
    ("MATCH (n:EcoNode) WITH collect(n) AS ns FOREACH (x IN ns | SET x.name = 'x')",
     "FOREACH at line 1, column 41"),
    ("MERGE (x:Intruder {k: 1}) RETURN x", "MERGE at line 1, column 1"),
    ("MATCH (n:EcoNode) REMOVE n:EcoNode", "REMOVE at line 1, column 19"),
    ("MATCH (n:EcoNode) SET n:Intruder", "SET at line 1, column 19"),
    ("MATCH (`n`:EcoNode) SET `n`.name = 'x'", "SET at line 1, column 21"),
    ("MATCH ()-[r]->() DELETE r", "DELETE at line 1, column 18"),
    ("MATCH (n:EcoNode) NODETACH DELETE n", "NODETACH DELETE at line 1, column 19"),
    ("INSERT (x:Intruder {k: 1})", "INSERT at line 1, column 1"),
    ("PROFILE MATCH (n:EcoNode) SET n.name = 'x'", "SET at line 1, column 27"),
    ("RETURN 'it\\'s' AS s CREATE (:Intruder)", "CREATE at line 1, column 21"),
    ("MATCH (n:EcoNode) WITH n, 1. SET n.name = 'x'", "SET at line 1, column 30"),
    # schema commands
    ("DROP CONSTRAINT ecograph_version_id IF EXISTS", "DROP at line 1, column 1"),
    ("DROP INDEX ecograph_version_ecosystem", "DROP at line 1, column 1"),
    ("CREATE INDEX intruder_index IF NOT EXISTS FOR (n:Intruder) ON (n.k)", "CREATE at line 1, column 1"),
    # procedures: db.*, dbms.*, APOC names, ArcadeDB's own writing procedures
    ("CALL db.createLabel('Intruder')", "procedure db.createLabel (not one of the read-only procedures) "
                                        "at line 1, column 6"),
    ("CALL db.migrateLegacyTemporals()", "procedure db.migrateLegacyTemporals (not one of the read-only "
                                         "procedures) at line 1, column 6"),
    ("CALL dbms.security.createUser('intruder', 'password123', false)",
     "procedure dbms.security.createUser (not one of the read-only procedures) at line 1, column 6"),
    ("CALL apoc.create.node(['Intruder'], {k: 1})",
     "procedure apoc.create.node (not one of the read-only procedures) at line 1, column 6"),
    ("call `apoc`.`merge`.`node`(['Intruder'], {k: 1})",
     "procedure apoc.merge.node (not one of the read-only procedures) at line 1, column 6"),
    ("CALL merge.node(['Intruder'], {k: 1})",
     "procedure merge.node (not one of the read-only procedures) at line 1, column 6"),
    ("CALL do.when(true, 'CREATE (:Intruder)', '', {})",
     "procedure do.when (not one of the read-only procedures) at line 1, column 6"),
    ("MATCH (n:EcoNode) OPTIONAL CALL refactor.mergeNodes([n]) YIELD node RETURN node",
     "procedure refactor.mergeNodes (not one of the read-only procedures) at line 1, column 33"),
    # LOAD CSV in other forms
    ("load csv from '/etc/hostname' as l return l", "LOAD CSV at line 1, column 1"),
    ("LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV at line 1, column 1"),
    ("LOAD CSV FROM 'https://example.com/x.csv' AS l RETURN l", "LOAD CSV at line 1, column 1"),
    # administration
    ("GRANT ROLE admin TO intruder", "GRANT at line 1, column 1"),
    ("ALTER USER root SET PASSWORD 'intruder1'", "ALTER at line 1, column 1"),
    ("STOP DATABASE ecograph_test", "STOP DATABASE at line 1, column 1"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE at line 1, column 1"),
]


@pytest.fixture(scope="module")
def server(bolt_server, tmp_path_factory):
    """A database of its own holding ecosystem 'shop', and the shop model's YAML as saved before the push."""
    name = "ro" + uuid.uuid4().hex[:10]
    bolt_server.create_database(name)
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, name) as store:
        store.push(shop_model(), ECO)
    original = tmp_path_factory.mktemp("readonly") / "original.yaml"
    save_model(shop_model(), original)
    return bolt_server, name, original.read_bytes()


@pytest.fixture
def store(server):
    bolt_server, database, _ = server
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, database) as s:
        yield s


def _pulled_yaml(store: Store, tmp_path) -> bytes:
    path = tmp_path / f"pulled-{uuid.uuid4().hex[:6]}.yaml"
    save_model(store.pull(ECO), path)
    return path.read_bytes()


def _database_state(store: Store) -> dict:
    """Everything in the database: nodes and relationships with their properties, constraints, indexes."""
    def rows(cypher):
        return sorted(json.dumps(r, sort_keys=True) for r in store.query(cypher).rows)

    return {
        "nodes": rows("MATCH (n) RETURN labels(n), properties(n)"),
        "relationships": rows("MATCH (a)-[r]->(b) RETURN a.version, a.id, type(r), properties(r), b.id"),
        "constraints": rows("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties RETURN name, labelsOrTypes, "
                            "properties"),
        "indexes": rows("SHOW INDEXES YIELD name, labelsOrTypes, properties RETURN name, labelsOrTypes, "
                        "properties"),
    }


def test_the_database_state_sees_what_the_probes_aim_at(store):
    state = _database_state(store)
    # shop: 10 model nodes + 1 Ecosystem pointer + 1 EcosystemVersion; 18 relationships; the three
    # constraints of schema.cypher (the fourth index, on EcosystemVersion.ecosystem, is no constraint)
    assert (len(state["nodes"]), len(state["relationships"])) == (12, 18)
    assert [json.loads(c)[0] for c in state["constraints"]] == [
        "ecograph_ecosystem_name", "ecograph_node_key", "ecograph_version_id"]
    assert len(state["indexes"]) == 4


@pytest.mark.parametrize("probe, what", PROBES, ids=[f"probe{i}" for i in range(len(PROBES))])
def test_a_probe_is_refused_before_it_runs_and_changes_nothing(server, store, tmp_path, probe, what):
    before = _database_state(store)
    with pytest.raises(StoreQueryError) as info:
        store.query(probe, {"n": ECO})
    assert str(info.value) == REFUSED.format(what)
    assert _database_state(store) == before
    assert _pulled_yaml(store, tmp_path) == server[2]


def test_arcadedb_does_not_tell_query_types_so_the_static_check_decides(store):
    # ArcadeDB's EXPLAIN calls every plan a write ('w'), even RETURN 1: the plan cannot be trusted there
    assert store._plans_tell_query_type() is False


def test_without_the_static_check_arcadedb_keeps_these_writes_in_read_mode(fresh_database):
    # What the static check prevents: the bare READ transaction and its summary check (the second line of
    # defence) let these through on ArcadeDB, as issue 13 found.
    db = fresh_database
    with connect(db.uri, db.user, db.password, db.database) as store:
        store.push(shop_model(), ECO)
        with pytest.raises(StoreQueryError, match="rolled back: nodes deleted: 10"):
            store._run_query("MATCH (e:Ecosystem {name: $n}) MATCH (n:EcoNode) WHERE n.version = e.current "
                             "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5 ROWS", {"n": ECO},
                             write=False, limit=None)
        assert store.query("MATCH (n:EcoNode) RETURN count(n)").rows == [[0]]  # committed all the same
        with pytest.raises(StoreQueryError, match="rolled back: constraints removed: 1"):
            store._run_query("DROP CONSTRAINT ecograph_node_key", {}, write=False, limit=None)
        names = [r[0] for r in store.query("SHOW CONSTRAINTS YIELD name RETURN name").rows]
        assert "ecograph_node_key" not in names


def test_the_summary_check_still_refuses_a_write_that_got_past_the_text(store, tmp_path, server):
    with pytest.raises(StoreQueryError) as info:
        store._run_query("MATCH (n:EcoNode {id: 'shop'}) SET n.name = 'gone'", {}, write=False, limit=None)
    # one Shop node (the ecosystem's only version) renamed, then rolled back
    assert str(info.value) == ("the query writes to the database and was refused; allow writes with --write "
                               "(rolled back: properties set: 1)")
    assert _pulled_yaml(store, tmp_path) == server[2]


def test_read_queries_with_tricky_text_still_run(store):
    scope = "MATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode) WHERE x.version = e.current "
    cases = [
        ("RETURN 'DELETE me; CREATE (x)' AS s", {}, [["DELETE me; CREATE (x)"]]),
        ("RETURN 'it\\'s a MERGE' AS s, \"SET \\\"x\\\"\" AS t", {}, [["it's a MERGE", 'SET "x"']]),
        (scope + "AND x.set IS NULL AND x.`delete` IS NULL RETURN count(x) AS c", {"n": ECO}, [[10]]),
        ("// CREATE nothing\n" + scope + "/* DETACH DELETE x */ RETURN count(x) AS c", {"n": ECO}, [[10]]),
        ("RETURN {set: 1, create: 2}.set AS v, $create AS p, 3 AS `DROP`", {"create": 5}, [[1, 5, 3]]),
        (scope + "AND x:Segment RETURN x.id AS id ORDER BY id", {"n": ECO},
         [["members"], ["registered"], ["visitors"]]),
        ("CALL { MATCH (x:EcoNode) RETURN count(x) AS c } RETURN c", {}, [[10]]),
        ("MATCH (call:EcoNode {id: 'shop'}) RETURN call.name AS load", {}, [["Shop"]]),
        ("PROFILE " + scope + "RETURN count(x) AS c", {"n": ECO}, [[10]]),
    ]
    for cypher, params, rows in cases:
        assert store.query(cypher, params).rows == rows, cypher
    labels = {r[0] for r in store.query("CALL db.labels() YIELD label RETURN label").rows}
    assert {"EcoNode", "Segment", "Ecosystem", "EcosystemVersion"} <= labels


def test_the_same_writes_run_with_write(fresh_database):
    db = fresh_database
    with connect(db.uri, db.user, db.password, db.database) as store:
        store.push(shop_model(), ECO)
        result = store.query("MATCH (n:EcoNode {id: 'shop'}) SET n.name = 'Shop 2'", write=True)
        assert result.counters == {"properties_set": 1}
        assert store.pull(ECO).nodes[0].name == "Shop 2"
        store.query("CREATE CONSTRAINT intruder_key IF NOT EXISTS FOR (n:Intruder) REQUIRE n.k IS UNIQUE",
                    write=True)
        assert "intruder_key" in [r[0] for r in store.query("SHOW CONSTRAINTS YIELD name RETURN name").rows]
        store.query("MATCH (e:Ecosystem {name: $n}) MATCH (n:EcoNode) WHERE n.version = e.current "
                    "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5 ROWS", {"n": ECO}, write=True)
        assert store.query("MATCH (n:EcoNode) RETURN count(n)").rows == [[0]]


def test_the_server_refuses_load_csv_of_its_files_even_with_write(store):
    for url in ("file:///etc/hostname", "/etc/hostname"):
        with pytest.raises(StoreError) as info:
            store.query(f"LOAD CSV FROM '{url}' AS line RETURN line", write=True)
        assert str(info.value) == (f"{store.uri}: LOAD CSV file:/// URLs are disabled. Set "
                                   f"arcadedb.opencypher.loadCsv.allowFileUrls=true to enable.")


# ------------------------------------------------------------------------------------------------ CLI


def _env(server) -> dict:
    bolt_server, database, _ = server
    return {"NEO4J_URI": bolt_server.uri, "NEO4J_USERNAME": bolt_server.user,
            "NEO4J_PASSWORD": bolt_server.password, "NEO4J_DATABASE": database}


def test_cli_refuses_the_issue_probes_with_one_line_and_exit_1(server, store, tmp_path):
    env = _env(server)
    before = _database_state(store)
    for cypher, stderr in [
        ("MATCH (e:Ecosystem {name: $n}) MATCH (n:EcoNode) WHERE n.version = e.current "
         "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5 ROWS",
         # "MATCH (e:Ecosystem {name: $n}) " 31 + "MATCH (n:EcoNode) " 18 + "WHERE n.version = e.current " 28
         # + "CALL { WITH n " 14 = 91 characters before DETACH
         "Error: the query is not read-only (DETACH DELETE at line 1, column 92) and was refused before it ran; "
         "allow writes with --write\n"),
        ("LOAD CSV FROM 'file:///etc/hostname' AS line RETURN line",
         "Error: the query is not read-only (LOAD CSV at line 1, column 1) and was refused before it ran; "
         "allow writes with --write\n"),
        ("MATCH (n:EcoNode) RETURN n 'unclosed",
         "Error: Cypher syntax error: a string starting at line 1, column 28 is never closed\n"),
    ]:
        r = CliRunner().invoke(cli, ["db", "query", "--cypher", cypher, "--param", f"n={ECO}"], env=env)
        assert (r.exit_code, r.stdout, r.stderr) == (1, "", stderr)
    assert _database_state(store) == before
    assert _pulled_yaml(store, tmp_path) == server[2]


def test_cli_runs_a_read_query_with_tricky_text(server):
    r = CliRunner().invoke(cli, ["db", "query", "--format", "csv", "--param", f"n={ECO}", "--cypher",
                                 "// CREATE nothing\nMATCH (e:Ecosystem {name: $n}) MATCH (x:EcoNode:Partner) "
                                 "WHERE x.version = e.current AND x.set IS NULL "
                                 "RETURN x.id AS id, 'DELETE' AS word ORDER BY id"], env=_env(server))
    assert (r.exit_code, r.stdout, r.stderr) == (0, "id,word\ncarrier,DELETE\ncloud,DELETE\n", "")


# ---------------------------------------------------------------------------------- the text alone


@pytest.mark.parametrize("keyword", sorted(WRITE_KEYWORDS))
def test_a_write_keyword_is_found_as_a_keyword_only(keyword):
    word = keyword.lower().capitalize()  # mixed case: Create, Merge, ...
    hidden = [f"RETURN '{word}' AS s", f'RETURN "{word}" AS s', f"RETURN 1 AS `{word}`",
              f"MATCH (n) RETURN n.{word}", f"MATCH (n) RETURN n . {word}", f"RETURN ${word}",
              f"RETURN {{{word}: 1}} AS m", f"MATCH (n:{word}) RETURN n", f"MATCH ()-[r:{word}]->() RETURN r",
              f"MATCH ({word}:X) RETURN 1", f"RETURN 1 // {word}", f"RETURN 1 /* {word}\n */",
              f"RETURN 'a\\'{word}' AS s", f"RETURN x{word}, {word}_x, {word}2"]
    for cypher in hidden:
        assert find_write(cypher) is None, cypher
    for cypher in (f"RETURN n{{.a, .{word}}}", f"RETURN f(x).{word}, l[0].{word}, `n`.{word}"):
        assert find_write(cypher) is None, cypher
    for cypher in (f"WITH n, 1. {word} x", f"MATCH p = ()-[*1..{word} x"):  # the dot may end a number, a range
        assert find_write(cypher) is not None, cypher
    found = find_write(f"MATCH (n)\n  /* c */ {word} x")
    assert (found.line, found.column) == (2, 11)
    assert find_write(f"RETURN 1{word} x") is not None  # a number then a word, as a server's lexer reads it


def test_unclosed_strings_names_and_comments_are_syntax_errors():
    for cypher, what in [("RETURN 'abc", "a string starting at line 1, column 8"),
                         ('RETURN "a\\"', "a string starting at line 1, column 8"),
                         ("RETURN 1 AS `x", "a backquoted name starting at line 1, column 13"),
                         ("RETURN 1\n/* CREATE (n)", "a comment starting at line 2, column 1")]:
        with pytest.raises(StoreQueryError) as info:
            find_write(cypher)
        assert str(info.value) == f"Cypher syntax error: {what} is never closed"


def test_tokens_track_lines_across_multiline_strings_and_comments():
    # line 3 is "y */ , 1 AS `n": the backquote is its 13th character; line 4 is "m`, 2"
    toks = list(tokens("RETURN 'a\nb' AS s /* x\ny */ , 1 AS `n\nm`, 2"))
    assert [(t.text, t.line, t.column) for t in toks[-3:]] == [("`n\nm`", 3, 13), (",", 4, 3), ("2", 4, 5)]


def test_explain_text_plans_never_runs():
    assert explain_text("  PROFILE MATCH (n) RETURN n") == "  EXPLAIN MATCH (n) RETURN n"
    assert explain_text("explain MATCH (n) RETURN n") == "explain MATCH (n) RETURN n"
    assert explain_text("SHOW INDEXES") is None
    assert explain_text("// nothing") is None


def test_every_named_query_passes_the_text_check():
    from ecosystem_graph.store.queries import list_queries

    queries = list_queries()
    assert len(queries) == 7
    for q in queries:
        assert find_write(q.cypher) is None, q.name
