"""Fast start: the small commands run in a fresh interpreter without loading the numeric and drawing
libraries (they load where the analyses, charts and store use them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AMAZON = str(ROOT / "examples" / "amazon.yaml")
HEAVY = ("numpy", "scipy", "networkx", "matplotlib", "pandas", "neo4j", "openpyxl", "jinja2")

# Runs one command through click's main in a fresh interpreter and reports, as JSON on the last line of
# stdout, the exit code and which of the given top-level modules got imported.
PROBE = """
import json, sys
from ecosystem_graph.cli import cli
code = 0
try:
    cli.main(sys.argv[2:], prog_name="ecograph", standalone_mode=False)
except SystemExit as exc:
    code = exc.code
print()
print(json.dumps({"code": code, "loaded": [m for m in json.loads(sys.argv[1]) if m in sys.modules]}))
"""


def run_probe(*args: str, cwd: Path, modules: tuple[str, ...] = HEAVY) -> tuple[str, dict]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(modules), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    output, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    return output, json.loads(last)


@pytest.mark.parametrize("args, expected", [
    (["--help"], "Model a business ecosystem as a graph, analyse it, and show it."),
    (["--version"], "ecograph, version 0.1.0"),
    (["schema"], '"$schema"'),
    (["init", "new.yaml", "--template", "amazon"], "Wrote new.yaml (amazon template)."),
    # examples/amazon.yaml lists 25 nodes and 66 relationships (counted with yaml.safe_load)
    (["validate", AMAZON], f"{AMAZON}: valid (25 nodes, 66 relationships)"),
])
def test_small_commands_load_no_numeric_or_drawing_library(args, expected, tmp_path):
    output, report = run_probe(*args, cwd=tmp_path)
    assert expected in output
    assert report == {"code": 0, "loaded": []}


def test_the_probe_sees_the_libraries_a_command_does_load(tmp_path):
    # The control: analyze needs networkx and scipy's sparse matrices, and the probe reports them.
    output, report = run_probe("analyze", AMAZON, "--only", "centrality", "--format", "json", cwd=tmp_path)
    assert json.loads(output)["centrality"]
    assert report["code"] == 0
    assert {"networkx", "numpy", "scipy"} <= set(report["loaded"])


MODEL_MACHINERY = ("pydantic.main", "ecosystem_graph.model")


def test_validate_of_a_valid_file_builds_no_pydantic_model(tmp_path):
    # The quick check (ecosystem_graph.quickcheck) vouches for a clean file with pydantic-core alone, so
    # pydantic's model machinery, which every model class needs, is not even imported.
    output, report = run_probe("validate", AMAZON, cwd=tmp_path, modules=MODEL_MACHINERY)
    assert output.rstrip("\n") == f"{AMAZON}: valid (25 nodes, 66 relationships)"
    assert report == {"code": 0, "loaded": []}


def test_validate_of_a_file_with_a_problem_reads_it_with_the_model(tmp_path):
    # The control: a warning (a node with no relationships) is found and worded by the model.
    model = tmp_path / "m.yaml"
    model.write_text((ROOT / "examples" / "amazon.yaml").read_text(encoding="utf-8").replace(
        "nodes:\n", "nodes:\n  - {id: alone, kind: partner, name: Alone}\n", 1), encoding="utf-8")
    output, report = run_probe("validate", str(model), cwd=tmp_path, modules=MODEL_MACHINERY)
    assert output.rstrip("\n").endswith(f"{model}: valid (26 nodes, 66 relationships, 1 warning)")
    assert "warning: node 'alone' has no relationships" in output
    assert report == {"code": 0, "loaded": list(MODEL_MACHINERY)}
