"""The Cypher export: literals quoted safely, and the script loaded into a real Bolt server (ArcadeDB)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from ecosystem_graph.errors import InteropError
from ecosystem_graph.fileio import load_model
from ecosystem_graph.interop import export_model
from ecosystem_graph.interop.cypher import cypher_literal, cypher_script, cypher_string, split_script
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import connect

ROOT = Path(__file__).parent.parent

HOSTILE = [
    "O'Reilly",
    'say "hi"',
    "back\\slash\\",
    "ends with backslash \\",
    "\\' OR 1=1 //",
    "'}) MATCH (n) DETACH DELETE n //",
    "x'}); MATCH (n) DETACH DELETE n; //",
    "line\nbreak\r\n\ttab",
    "\\u0027 not an escape",
    "Zürich 東京 😀 café",
    "right-to-left \u202e override \u200b zero width",
    "nul \x00 bell \x07 \x1b[31m",
    "line sep \u2028 para sep \u2029 nel \x85",
    "`backtick` $param {map}",
]


def test_cypher_string_escapes_quotes_backslashes_and_controls():
    assert cypher_string("O'Reilly") == "'O\\'Reilly'"
    assert cypher_string("a\\b") == "'a\\\\b'"
    assert cypher_string('say "hi"') == "'say \"hi\"'"
    assert cypher_string("l1\nl2\r\t") == "'l1\\nl2\\r\\t'"
    assert cypher_string("\x00\x07\u202e\u2028\x85") == "'\\u0000\\u0007\\u202E\\u2028\\u0085'"
    assert cypher_string("Zürich 東京 😀") == "'Zürich 東京 😀'"
    # Invisible characters beyond the BMP become UTF-16 surrogate pairs (U+E0001 LANGUAGE TAG).
    assert cypher_string("\U000E0001") == "'\\uDB40\\uDC01'"


@pytest.mark.parametrize("text", HOSTILE)
def test_no_text_can_end_the_literal_or_the_line(text):
    lit = cypher_string(text)
    body = lit[1:-1]
    assert lit[0] == lit[-1] == "'"
    assert "\n" not in lit and "\r" not in lit and len(lit.splitlines()) == 1
    # Every quote inside is escaped: removing escaped pairs leaves no quote or lone backslash.
    stripped = body.replace("\\\\", "").replace("\\'", "")
    assert "'" not in stripped


def test_cypher_literal_numbers_lists_and_maps():
    assert cypher_literal([1, 2.5, True, None, "a"]) == "[1, 2.5, true, null, 'a']"
    assert cypher_literal(1e20) == "1e20" and cypher_literal(-2.5e-7) == "-2.5e-07"
    assert cypher_literal({"id": "x", "n": 1}) == "{id: 'x', n: 1}"
    with pytest.raises(InteropError, match="64-bit"):
        cypher_literal(2**63)
    with pytest.raises(InteropError, match="not a plain name"):
        cypher_literal({"a b": 1})


def hostile_model() -> Ecosystem:
    nodes = [{"id": "core", "kind": "core", "name": HOSTILE[0], "description": HOSTILE[5],
              "tags": HOSTILE[:4], "attributes": {"note": HOSTILE[6], "list": HOSTILE[7:10], "n": 3, "ok": True,
                                                  "key with 'quote'": HOSTILE[13]}}]
    for i, text in enumerate(HOSTILE[1:], start=1):
        nodes.append({"id": f"seg-{i}", "kind": "segment", "name": text, "size": i})
    rels = [{"id": f"pays-{i}", "from": f"seg-{i}", "to": "core", "type": "PAYS", "amount": i * 1.5,
             "description": HOSTILE[-i]} for i in range(1, len(HOSTILE))]
    rels.append({"from": "seg-1", "to": "core", "type": "USES", "switching_cost": 0.25,
                 "mechanisms": ["durable_purchase", "loyalty_program"], "cost_types": ["financial"],
                 "attributes": {"why": HOSTILE[11]}})
    return Ecosystem.model_validate({"name": "Hostile 'eco' \\ \n name", "currency": "EUR", "period": "2024",
                                     "description": HOSTILE[12], "nodes": nodes, "relationships": rels})


def test_script_has_one_statement_per_line_and_only_vocabulary_labels():
    script = cypher_script(hostile_model(), version="v1", now="2024-01-01T00:00:00Z")
    statements = split_script(script)
    assert all(line.endswith(";") or line.startswith("//") for line in script.splitlines())
    assert statements[0].startswith("CREATE (:EcosystemVersion {version: 'v1', ecosystem: 'Hostile \\'eco\\' "
                                    "\\\\ \\n name', state: 'staging'")
    assert [s.split(" AS r ")[1] for s in statements if s.startswith("UNWIND") and "CREATE (n:" in s] == [
        "CREATE (n:EcoNode:Core) SET n = r", "CREATE (n:EcoNode:Segment) SET n = r"]
    assert [s.split("CREATE (a)-")[1] for s in statements if "CREATE (a)-" in s] == [
        "[x:USES]->(b) SET x = r.p", "[x:PAYS]->(b) SET x = r.p"]
    assert len(statements) == 8


def _run_script(server, script: str) -> None:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        with driver.session(database=server.database) as session:
            for statement in split_script(script):
                session.run(statement).consume()


def test_hostile_names_survive_the_script_in_a_real_bolt_server(bolt_server, unique_name, tmp_path):
    model = hostile_model()
    export_model(model, "cypher", tmp_path / "eco.cypher", ecosystem=unique_name)
    _run_script(bolt_server, (tmp_path / "eco.cypher").read_text(encoding="utf-8"))
    with GraphDatabase.driver(bolt_server.uri, auth=(bolt_server.user, bolt_server.password)) as driver:
        with driver.session(database=bolt_server.database) as session:
            rows = session.run("MATCH (n:EcoNode {ecosystem: $e}) RETURN n.id AS id, n.name AS name, "
                               "n.tags AS tags, n.attributes AS attrs, labels(n) AS labels", e=unique_name).data()
            rels = session.run("MATCH (a:EcoNode {ecosystem: $e})-[x]->(b) RETURN a.id AS a, type(x) AS t, "
                               "x.amount AS amount, x.description AS d, x.mechanisms AS m",
                               e=unique_name).data()
            total = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
    names = {r["id"]: r["name"] for r in rows}
    assert names == {n.id: n.name for n in model.nodes}
    core = next(r for r in rows if r["id"] == "core")
    assert sorted(core["labels"]) == ["Core", "EcoNode"]
    assert core["tags"] == HOSTILE[:4]
    assert json.loads(core["attrs"]) == model.nodes[0].attributes
    by_id = {(r["a"], r["t"]): r for r in rels}
    for rel in model.relationships:
        got = by_id[(rel.source, rel.type)]
        if rel.type == "PAYS":
            assert (got["amount"], got["d"]) == (rel.amount, rel.description)
        else:
            assert got["m"] == rel.mechanisms
    assert total > len(model.nodes)  # the injection attempts deleted nothing


def test_script_matches_the_store_layout_so_db_pull_reads_it_back(bolt_server, unique_name):
    model = load_model(ROOT / "examples" / "amazon.yaml")
    _run_script(bolt_server, cypher_script(model, name=unique_name))
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        assert store.pull(unique_name) == model
        info = {e.name: e for e in store.list()}[unique_name]
        assert (info.nodes, info.relationships, info.model_name) == (len(model.nodes), len(model.relationships),
                                                                     model.name)
        # Loading a changed model again replaces the ecosystem and leaves no old version behind.
        data = model.to_data()
        data["relationships"][0]["amount"] = 1.0
        changed = Ecosystem.model_validate(data)
        _run_script(bolt_server, cypher_script(changed, name=unique_name))
        assert store.pull(unique_name) == changed
        left = store.query("MATCH (n:EcoNode {ecosystem: $e}) RETURN count(n) AS c, count(DISTINCT n.version) AS v",
                           {"e": unique_name}).to_dicts()
        assert left == [{"c": len(model.nodes), "v": 1}]
    # And the hostile model, read back through the store, is exactly the model.
    hostile = hostile_model()
    _run_script(bolt_server, cypher_script(hostile, name=unique_name + "-h"))
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        assert store.pull(unique_name + "-h") == hostile
