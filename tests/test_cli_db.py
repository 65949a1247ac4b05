"""``ecograph db`` against a real Bolt server: exact output and exit codes (click's CliRunner)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import dumps_model, save_model
from ecosystem_graph.store.neo4j import connect
from ecosystem_graph.store.server import free_port

from .store_models import chain_model, shop_model


@pytest.fixture
def env(fresh_database):
    s = fresh_database
    return {"NEO4J_URI": s.uri, "NEO4J_USERNAME": s.user, "NEO4J_PASSWORD": s.password, "NEO4J_DATABASE": s.database}


def invoke(env, *args):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def shop_file(tmp_path):
    path = tmp_path / "shop.yaml"
    save_model(shop_model(), path)
    return path


def test_push_list_pull_drop(env, shop_file, tmp_path):
    r = invoke(env, "db", "push", str(shop_file), "--name", "shop")
    assert (r.exit_code, r.stdout) == (0, "Pushed shop: 10 nodes, 18 relationships\n")
    r = invoke(env, "db", "push", str(shop_file), "--name", "shop")
    assert r.stdout == "Pushed shop: 10 nodes, 18 relationships (replaced the previous version)\n"

    r = invoke(env, "db", "list", "--format", "json")
    data = json.loads(r.stdout)
    [eco] = data["ecosystems"]
    assert data["format_version"] == 1 and data["database"] == env["NEO4J_DATABASE"]
    assert (eco["name"], eco["model_name"], eco["nodes"], eco["relationships"]) == ("shop", "Shop ✓ Ökosystem", 10, 18)
    r = invoke(env, "db", "list", "--format", "csv")
    assert r.stdout == ("name,model_name,nodes,relationships,pushed_at\n"
                        f"shop,Shop ✓ Ökosystem,10,18,{eco['pushed_at']}\n")

    out = tmp_path / "pulled.yaml"
    r = invoke(env, "db", "pull", "shop", "-o", str(out))
    assert (r.exit_code, r.stdout) == (0, f"Pulled shop: 10 nodes, 18 relationships -> {out}\n")
    assert out.read_text(encoding="utf-8") == dumps_model(shop_model())

    r = invoke(env, "db", "drop", "shop")
    assert (r.exit_code, r.stdout) == (0, "Dropped shop: 10 nodes, 18 relationships\n")
    r = invoke(env, "db", "list", "--format", "csv")
    assert r.stdout == "name,model_name,nodes,relationships,pushed_at\n"


def test_push_pull_drop_messages_escape_control_characters_of_the_name(env, tmp_path):
    # the ecosystem name comes from the model file: an OSC retitle, BEL, SGR and a C1 CSI in it
    name = "eco\x1b]0;PWNED\x07\x1b[31m\x9b2J"
    shown = "eco\\x1b]0;PWNED\\x07\\x1b[31m\\x9b2J"
    path = tmp_path / "ctl.json"
    save_model(chain_model(2, name=name), path)
    r = invoke(env, "db", "push", str(path))
    assert (r.exit_code, r.stdout) == (0, f"Pushed {shown}: 4 nodes, 4 relationships\n")
    out = tmp_path / "pulled.yaml"
    r = invoke(env, "db", "pull", name, "-o", str(out))
    assert (r.exit_code, r.stdout) == (0, f"Pulled {shown}: 4 nodes, 4 relationships -> {out}\n")
    r = invoke(env, "db", "drop", name)
    assert (r.exit_code, r.stdout) == (0, f"Dropped {shown}: 4 nodes, 4 relationships\n")


def test_push_uses_the_models_name_by_default_and_reports_json(env, tmp_path):
    path = tmp_path / "chain.json"
    save_model(chain_model(2, name="Chain ä"), path)
    r = invoke(env, "db", "push", str(path), "--format", "json", "--batch-size", "1")
    pushed = json.loads(r.stdout)["pushed"]
    assert (pushed["name"], pushed["nodes"], pushed["relationships"], pushed["batches"]) == ("Chain ä", 4, 4, 8)


def test_push_of_an_invalid_file_reports_its_problems_and_writes_nothing(env, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: X\ncurrency: EUR\nperiod: '1'\nnodes:\n  - {id: a, kind: cor, name: A}\n", encoding="utf-8")
    r = invoke(env, "db", "push", str(path))
    assert r.exit_code == 1
    assert "kind" in r.stderr and r.stdout == ""
    assert invoke(env, "db", "list", "--format", "csv").stdout == "name,model_name,nodes,relationships,pushed_at\n"


def test_named_query_as_json_and_csv(env, shop_file):
    invoke(env, "db", "push", str(shop_file), "--name", "shop")
    r = invoke(env, "db", "query", "funnel-stages", "--param", "ecosystem=shop", "--format", "json")
    assert json.loads(r.stdout) == {"format_version": 1, "columns": ["step", "from_stage", "from_name", "from_size",
                                                                     "to_stage", "to_name", "rate"],
                                    "rows": [{"step": 1, "from_stage": "visitors", "from_name": "Visitors",
                                              "from_size": 10000, "to_stage": "registered",
                                              "to_name": "Registered", "rate": 0.1},
                                             {"step": 2, "from_stage": "registered", "from_name": "Registered",
                                              "from_size": 500, "to_stage": "members", "to_name": "Members",
                                              "rate": 0.05}]}
    r = invoke(env, "db", "query", "lockin-paths", "--param", "ecosystem=shop", "--param", "segment=members",
               "--format", "csv")
    assert r.stdout == ("path,hops,core,switching_cost,mechanisms\n"
                        "members;prime;shop,2,shop,0.8,loyalty_program\n"
                        "members;app;shop,2,shop,0.2,\n"
                        "members;video;prime;shop,3,shop,0.3,\n")


def test_named_query_parameter_errors_are_usage_errors(env):
    r = invoke(env, "db", "query", "lockin-paths", "--param", "ecosystem=shop")
    assert (r.exit_code, r.stderr) == (2, "Error: query 'lockin-paths' needs --param segment=...\n")
    r = invoke(env, "db", "query", "lockin-paths", "--param", "ecosystem=shop", "--param", "segmnt=x")
    assert r.exit_code == 2 and "has no parameter 'segmnt' (did you mean 'segment'?)" in r.stderr
    r = invoke(env, "db", "query", "nodes-by-kind", "--param", "ecosystem")
    assert (r.exit_code, r.stderr) == (2, "Error: --param takes NAME=VALUE, not 'ecosystem'\n")
    r = invoke(env, "db", "query")
    assert (r.exit_code, r.stderr) == (2, "Error: give a query NAME or --cypher TEXT (one of them)\n")


def test_ad_hoc_cypher_is_read_only_unless_write(env):
    r = invoke(env, "db", "query", "--cypher", "CREATE (x:Note {text: $t}) RETURN x.text AS text", "--param", "t=hi")
    assert r.exit_code == 1
    assert r.stderr == ("Error: the query is not read-only (CREATE at line 1, column 1) and was refused before it "
                        "ran; allow writes with --write\n")
    r = invoke(env, "db", "query", "--cypher", "MATCH (x:Note) RETURN count(x) AS n", "--format", "csv")
    assert r.stdout == "n\n0\n"
    r = invoke(env, "db", "query", "--cypher", "CREATE (x:Note {text: $t}) RETURN x.text AS text",
               "--param", "t=hi", "--write", "--format", "json")
    assert json.loads(r.stdout) == {"format_version": 1, "columns": ["text"], "rows": [{"text": "hi"}],
                                    "counters": {"nodes_created": 1, "properties_set": 1, "labels_added": 1}}
    r = invoke(env, "db", "query", "--cypher", "MATCH (x:Note) RETURN x.text AS text, $n + 1 AS n",
               "--param", "n=41", "--format", "csv")
    assert r.stdout == "text,n\nhi,42\n"


def test_queries_lists_the_library(env):
    r = invoke(env, "db", "queries", "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[0] == "name,parameters,purpose"
    assert [ln.split(",")[0] for ln in lines[1:]] == [
        "channels-reaching-segment", "funnel-stages", "lockin-paths", "nodes-by-kind", "partner-dependents",
        "revenue-by-segment", "satellites-by-dependent-revenue"]
    r = invoke(env, "db", "queries", "lockin-paths", "--format", "json")
    q = json.loads(r.stdout)["query"]
    assert [p["name"] for p in q["parameters"]] == ["ecosystem", "segment"]
    assert q["cypher"].startswith("MATCH (e:Ecosystem {name: $ecosystem})")


# ------------------------------------------------------------------------------------------- errors


def test_errors_are_one_line_with_a_non_zero_exit(env, bolt_server, tmp_path):
    cases = [
        ({"NEO4J_PASSWORD": "wrong-password-123"}, ["db", "list"],
         f"Error: the server at {env['NEO4J_URI']} refused the credentials for user 'root'\n"),
        ({"NEO4J_DATABASE": "nosuchdb"}, ["db", "list"],
         f"Error: database 'nosuchdb' does not exist on {env['NEO4J_URI']}\n"),
        ({}, ["db", "pull", "nothing-here", "-o", str(tmp_path / "x.yaml")],
         f"Error: no ecosystem named 'nothing-here' in database '{env['NEO4J_DATABASE']}'; it holds no ecosystem "
         f"yet (ecograph db push FILE)\n"),
        ({}, ["db", "query", "--cypher", "MATC (n) RETURN n"], None),
        ({}, ["db", "drop", "nothing-here"], None),
    ]
    for changes, args, expected in cases:
        r = invoke({**env, **changes}, *args)
        assert r.exit_code == 1, args
        assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr
        assert env["NEO4J_PASSWORD"] not in r.output and "wrong-password-123" not in r.output
        if expected:
            assert r.stderr == expected
    assert not (tmp_path / "x.yaml").exists()
    port = free_port()
    r = invoke({**env, "NEO4J_URI": f"bolt://127.0.0.1:{port}"}, "db", "list")
    assert (r.exit_code, r.stderr) == (1, f"Error: cannot reach the database server at bolt://127.0.0.1:{port}: "
                                          f"Connection refused\n")


def test_a_user_without_a_password_and_no_terminal_is_refused(env):
    r = invoke({**env, "NEO4J_PASSWORD": None}, "db", "list")
    assert (r.exit_code, r.stderr) == (2, "Error: no password for user 'root': set NEO4J_PASSWORD or pass "
                                          "--password (there is no terminal to ask on)\n")


def test_options_override_the_environment(env):
    r = invoke({"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_USERNAME": "x", "NEO4J_PASSWORD": "y",
                "NEO4J_DATABASE": "z"}, "db", "list", "--uri", env["NEO4J_URI"], "--user", env["NEO4J_USERNAME"],
               "--password", env["NEO4J_PASSWORD"], "--database", env["NEO4J_DATABASE"], "--format", "csv")
    assert (r.exit_code, r.stdout) == (0, "name,model_name,nodes,relationships,pushed_at\n")


# -------------------------------------------------------------------------------------------- serve


@pytest.mark.slow
def test_serve_runs_a_server_that_push_and_pull_use(tmp_path):
    port = free_port()
    env = {**os.environ, "NEO4J_PASSWORD": "serve-test-pw", "NEO4J_DATABASE": "served"}
    proc = subprocess.Popen([sys.executable, "-c", "from ecosystem_graph.cli import main; main()", "db", "serve", "--port", str(port),
                             "--data", str(tmp_path / "db"), "--heap", "512m"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line == f"Serving bolt://127.0.0.1:{port}, database served, user root (Ctrl-C stops it)\n"
        with connect(f"bolt://127.0.0.1:{port}", "root", "serve-test-pw", "served") as store:
            store.push(chain_model(2), "served-chain")
            assert store.pull("served-chain").to_data() == chain_model(2).to_data()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "serve-test-pw" not in out + err + line
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_db_analyze_prints_what_analyze_prints_for_the_file(env, shop_file):
    invoke(env, "db", "push", str(shop_file), "--name", "shop")
    for fmt in ("json", "csv"):
        from_db = invoke(env, "db", "analyze", "shop", "--format", fmt)
        from_file = invoke(env, "analyze", str(shop_file), "--format", fmt)
        assert from_db.exit_code == from_file.exit_code == 0
        assert from_db.stdout == from_file.stdout
    revenue = json.loads(invoke(env, "db", "analyze", "shop", "--format", "json", "--only", "revenue").stdout)
    assert revenue["format_version"] == 2 and "ecosystem_revenue" in revenue["revenue"]
    r = invoke(env, "db", "analyze", "nothing-here")
    assert r.exit_code == 1 and r.stderr.startswith("Error: no ecosystem named 'nothing-here'")
