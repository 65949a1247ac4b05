"""Every hostile file of tests/hostile.py through every command that reads files: no traceback, no hang,
one clear error line, no control character on the terminal, nothing written.

"One clear line" means, precisely: the command exits 1 (2 where the case says so: a scenario file's
content is an option value spelled in a file), prints nothing on stdout, and prints on stderr either

* exactly one line ``Error: <message>`` (a file that cannot be read as a model, or a usage error), or
* for a model that parses but does not validate, exactly one located problem line
  (``FILE:LINE:COLUMN: message`` or ``FILE:$.path: message``) and one summary line
  (``1 error in FILE``, or ``FILE: 1 error`` from ``validate``);

every line at most :data:`MAX_LINE` characters, and no C0/C1 control character (other than tabs and line
feeds) anywhere in the output. Files that are hostile but valid (escape sequences in names, glyphs
the chart font lacks, byte-order marks) must work: exit 0, no control character, nothing on stderr.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from tests.hostile import ESCAPES, HostileCase, base_model, make_cases

MAX_LINE = 400
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tabs and line feeds cannot drive a terminal


EXPORT_FORMATS = {"graphml": "m.graphml", "gexf": "m.gexf", "csv": "csv-out", "json": "m.json",
                  "cypher": "m.cypher", "xlsx": "m.xlsx"}


@pytest.fixture(scope="module")
def battery(tmp_path_factory) -> dict[str, HostileCase]:
    return {c.name: c for c in make_cases(tmp_path_factory.mktemp("battery"))}


@pytest.fixture(scope="module")
def good_model(tmp_path_factory) -> Path:
    import yaml

    path = tmp_path_factory.mktemp("good") / "good.yaml"
    path.write_text(yaml.safe_dump(base_model(), sort_keys=False), encoding="utf-8")
    return path


def _case_names(role: str | None = None) -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return [c.name for c in make_cases(d) if role is None or c.role == role]


def model_commands(path: str, good: str, out: Path) -> dict[str, list[str]]:
    """Every command that reads a model file, with ``path`` in the place of the model."""
    commands = {
        "validate": ["validate", path],
        "show": ["show", path],
        "show-json": ["show", path, "--format", "json"],
        "analyze": ["analyze", path, "--serial"],
        "analyze-csv": ["analyze", path, "--serial", "--format", "csv"],
        "whatif": ["whatif", path, "--remove", "upgrade", "--serial"],
        "diff-a": ["diff", path, good, "--serial"],
        "diff-b": ["diff", good, path, "--serial"],
        "render": ["render", path, "-o", str(out / "page.html")],
        "render-svg": ["render", path, "-o", str(out / "map.svg")],
        "render-png": ["render", path, "-o", str(out / "map.png")],
        "report-html": ["report", path, "-o", str(out / "report.html")],
        "report-md": ["report", path, "-o", str(out / "report.md")],
    }
    for fmt, name in EXPORT_FORMATS.items():
        commands[f"export-{fmt}"] = ["export", path, "--format", fmt, "-o", str(out / name)]
    # `db push` reads the file before it connects: a refused file never reaches the (absent) server
    commands["db-push"] = ["db", "push", path, "--uri", "bolt://127.0.0.1:9"]
    if path.endswith(".json"):  # a model in JSON is one of the formats `import` reads
        commands["import"] = ["import", path, "-o", str(out / "imported.yaml")]
    return commands


def _invoke(args: list[str]):
    runner = CliRunner()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(cli, args, catch_exceptions=True)
    return result, [str(w.message) for w in caught]


def _describe(case: HostileCase, command: str, result) -> str:
    return (f"{case.name} / {command}: exit {result.exit_code}\nstdout: {result.stdout[:600]!r}\n"
            f"stderr: {result.stderr[:600]!r}\nexception: {result.exception!r}")


PROBLEM_LINE = re.compile(r"^.+?:(\d+:\d+|\$[^ ]*): .+")
SUMMARY_LINE = re.compile(r"^(1 error in .+|.+: 1 error)$")


def assert_refused(case: HostileCase, command: str, result, caught: list[str], codes=None) -> None:
    what = _describe(case, command, result)
    out = result.stdout + result.stderr
    assert "Traceback" not in out, what
    assert result.exception is None or isinstance(result.exception, SystemExit), what
    assert result.exit_code in (codes or case.exit_codes), what
    assert not CONTROL.search(out), what
    assert result.stdout == "", what
    lines = result.stderr.splitlines()
    assert all(len(line) <= MAX_LINE for line in lines), what
    one_line = len(lines) == 1 and lines[0].startswith("Error: ") and len(lines[0]) > len("Error: ") + 10
    located = len(lines) == 2 and PROBLEM_LINE.match(lines[0]) and SUMMARY_LINE.match(lines[1])
    assert one_line or located, what
    assert caught == [], f"{what}\nwarnings: {caught}"


def assert_accepted(case: HostileCase, command: str, result, caught: list[str]) -> None:
    what = _describe(case, command, result)
    out = result.stdout + result.stderr
    assert result.exit_code == 0, what
    assert "Traceback" not in out, what
    assert not CONTROL.search(out), what
    assert result.stderr == "", what
    assert caught == [], f"{what}\nwarnings: {caught}"


@pytest.mark.parametrize("name", _case_names("model"))
def test_every_model_command(name, battery, good_model, tmp_path):
    case = battery[name]
    for command, args in model_commands(str(case.path), str(good_model), tmp_path).items():
        out = tmp_path / command
        out.mkdir()
        args = model_commands(str(case.path), str(good_model), out)[command] + list(case.args)
        if case.expect == "accept" and command == "db-push":
            continue  # an accepted file would be pushed: the store tests do that against a real server
        result, caught = _invoke(args)
        if case.expect == "accept" and command not in case.refused_by:
            assert_accepted(case, command, result, caught)
        else:
            assert_refused(case, command, result, caught)
            assert list(out.iterdir()) == [], f"{name} / {command} wrote {list(out.iterdir())}"


@pytest.mark.parametrize("name", _case_names("scenario"))
def test_report_scenario(name, battery, good_model, tmp_path):
    case = battery[name]
    for fmt in ("html", "md"):
        out = tmp_path / fmt
        out.mkdir()
        args = ["report", str(good_model), "-o", str(out / f"report.{fmt}"), "--scenario", str(case.path)]
        result, caught = _invoke(args)
        assert_refused(case, f"report --scenario ({fmt})", result, caught)
        assert list(out.iterdir()) == []


@pytest.mark.parametrize("name", _case_names("import"))
def test_import(name, battery, tmp_path):
    case = battery[name]
    # Currency and period given, so that the only lines are about the hostile content.
    result, caught = _invoke(["import", str(case.path), "-o", str(tmp_path / "m.yaml"), "--currency", "EUR",
                              "--period", "2024"])
    if case.expect == "accept":
        assert_accepted(case, "import", result, caught)
    else:
        assert_refused(case, "import", result, caught)
        assert list(tmp_path.iterdir()) == []


def test_battery_covers_the_issue(battery):
    # Every hostile input named in issue 13, items 9 and 10, has its case.
    for name in ("huge-int-yaml", "huge-int-json", "size-400-digits-yaml", "symlink-loop", "fifo", "dev-zero",
                 "escapes-in-names", "missing-glyphs", "duplicate-key-yaml", "over-limit", "alias-bomb"):
        assert name in battery
    assert battery["fifo"].path.is_fifo() and battery["symlink-loop"].path.is_symlink()
    assert len(battery) >= 80


def test_escaped_names_shown_escaped_and_json_stays_raw(battery):
    case = battery["escapes-in-names"]
    table, _ = _invoke(["show", str(case.path), "--top", "10"])
    assert table.exit_code == 0
    # Each control character is shown as a visible escape (ESC as the four characters \x1b), inert on a terminal.
    assert "Eco\\x1b]0;pwned title\\x07 (2024)" in table.stdout
    assert "Core\\x1b[2J\\x1b[Hend" in table.stdout
    assert "App\\x1b]8;;http://evil.example/\\x07link\\x1b]8;;\\x07end" in table.stdout
    assert "Buyers\\x9b31mend" in table.stdout and "Payers\\x07\\x08\\rend" in table.stdout
    raw, _ = _invoke(["show", str(case.path), "--format", "json", "--top", "10"])
    assert not CONTROL.search(raw.stdout)  # JSON escapes them itself (\u001b, \u009b) ...
    data = json.loads(raw.stdout)  # ... and the data is unchanged
    names = {n["id"]: n["name"] for n in data["top_by_degree"]}
    expected = {n["id"]: f"{n['name']}{esc}end" for n, esc in zip(base_model()["nodes"], ESCAPES)}
    assert names == expected and data["name"] == "Eco" + ESCAPES[4]


def test_error_lines_escape_what_the_file_holds(battery):
    result, _ = _invoke(["validate", str(battery["escape-in-reference"].path)])
    assert result.exit_code == 1
    problem = result.stderr.splitlines()[0]
    assert problem.endswith("unknown node 'buy\\x1b[31mers\\x9b2J' in relationships[0].from; did you mean 'buyers'?")
    named, _ = _invoke(["show", str(battery["escape-in-file-name"].path)])
    assert "esc\\x1b[31mname.yaml" in named.stderr and "\x1b" not in named.stderr


# -------------------------------------------------------------------- real processes: no hang


def _run(args: list[str], env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent), **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", "from ecosystem_graph.cli import main; main()", *args],
                          capture_output=True, timeout=60, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("name,command", [
    ("fifo", "validate"), ("fifo", "report"), ("dev-zero", "show"), ("symlink-loop", "analyze"),
    ("alias-bomb", "validate"), ("import-kumu-fifo", "import"), ("scenario-fifo", "report"),
])
def test_no_hang_in_a_real_process(name, command, battery, good_model, tmp_path):
    case = battery[name]
    if command == "import":
        args = ["import", str(case.path), "-o", str(tmp_path / "m.yaml")]
    elif case.role == "scenario":
        args = ["report", str(good_model), "-o", str(tmp_path / "r.html"), "--scenario", str(case.path)]
    elif command == "report":
        args = ["report", str(case.path), "-o", str(tmp_path / "r.html")]
    else:
        args = [command, str(case.path)]
    proc = _run(args)  # a hang fails with TimeoutExpired
    err = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b""
    assert len(err.splitlines()) == 1 and err.startswith("Error: ") and "Traceback" not in err


def test_report_on_missing_glyphs_is_silent_in_a_real_process(battery, tmp_path):
    proc = _run(["report", str(battery["missing-glyphs"].path), "-o", str(tmp_path / "r.md")])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
