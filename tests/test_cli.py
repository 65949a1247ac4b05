"""CLI of the foundation commands (validate, show, schema, init, generate): exact output and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model
from ecosystem_graph.model import json_schema

TYPO = """\
schema_version: 1
name: Typo
currency: EUR
period: '2024'
nodes:
  - {id: shop, kind: core, name: Shop}
  - {id: prime-video, kind: satellite, name: Prime Video}
  - {id: fans, kind: segment, name: Fans}
relationships:
  - {from: fans, to: shop, type: PAYS, amount: 3}
  - {from: fans, to: prime-vidoe, type: USES}
"""


@pytest.fixture
def runner():
    return CliRunner()


def test_typo_in_a_relationship_target_gives_one_line_with_file_line_id_and_suggestion(runner, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO)
    result = runner.invoke(cli, ["validate", "-q", str(path)])
    assert result.exit_code == 1
    # 'prime-vidoe' starts at column 22 of line 11: "  - {from: fans, to: prime-vidoe, type: USES}"
    assert result.output == (f"{path}:11:22: unknown node 'prime-vidoe' in relationships[1].to; "
                             "did you mean 'prime-video'?\n")


def test_validate_reports_warnings_and_summary(runner, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:7:5: warning: node 'prime-video' has no relationships",
        f"{path}:11:22: unknown node 'prime-vidoe' in relationships[1].to; did you mean 'prime-video'?",
        f"{path}: 1 error",
    ]


def test_validate_valid_examples_exit_zero(runner):
    result = runner.invoke(cli, ["validate", "examples/amazon.yaml", "examples/newspaper-funnel.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output == ("examples/amazon.yaml: valid (25 nodes, 66 relationships)\n"
                             "examples/newspaper-funnel.yaml: valid (15 nodes, 41 relationships)\n")


def test_validate_goes_on_after_a_missing_file(runner):
    result = runner.invoke(cli, ["validate", "nope.yaml", "examples/amazon.yaml"])
    assert result.exit_code == 1
    assert result.output == ("Error: nope.yaml: no such file\n"
                             "examples/amazon.yaml: valid (25 nodes, 66 relationships)\n")


def test_usage_errors_exit_two(runner):
    assert runner.invoke(cli, ["validate"]).exit_code == 2
    result = runner.invoke(cli, ["show", "examples/amazon.yaml", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format': 'xml' is not one of 'table', 'json'." in result.output
    assert runner.invoke(cli, ["frobnicate"]).exit_code == 2


def test_no_traceback_without_debug_and_traceback_with_it(runner, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO)
    result = runner.invoke(cli, ["show", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1] == f"1 error in {path}"
    result = runner.invoke(cli, ["--debug", "show", str(path)])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "ModelValidationError"


def test_show_json(runner):
    result = runner.invoke(cli, ["show", "examples/amazon.yaml", "--format", "json", "--top", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    model = load_model("examples/amazon.yaml")
    pays = [r for r in model.relationships if r.type == "PAYS"]
    assert data["format_version"] == 1
    assert data["nodes"] == {"total": 25, "by_kind": {"core": 1, "satellite": 9, "channel": 5, "partner": 5,
                                                       "segment": 5}}
    assert data["relationships"]["total"] == 66
    # purchase = 139.14 + 92.76 + 12.0 + 8.0 (segments) + 30.0 + 5.0 + 2.0 (to partners)
    #          + 300.0 + 200.0 (buyers to third-party sellers) = 788.9
    assert data["money"]["by_stream"]["purchase"] == pytest.approx(788.9)
    # commission: the two linked flows, 0.16 x 300 + 0.16 x 200 = 48.0 + 32.0 = 80.0
    assert data["money"]["by_stream"]["commission"] == pytest.approx(80.0)
    assert data["money"]["total"] == pytest.approx(sum(r.amount for r in pays))
    # prime-members: 4 PAYS + 5 REACHES in + 10 USES = 19; online-retail: 2 PAYS in, 2 PAYS out,
    # 6 FEEDS in, 2 SUPPLIES in, 2 DEPENDS_ON out, 2 USES in, +1 USES = 17
    assert data["top_by_degree"] == [
        {"id": "prime-members", "name": "Prime members", "kind": "segment", "degree": 19},
        {"id": "online-retail", "name": "Online stores", "kind": "core", "degree": 17},
    ]


def test_show_table_lists_sections(runner):
    result = runner.invoke(cli, ["show", "examples/newspaper-funnel.yaml"])
    assert result.exit_code == 0
    for title in ("nodes by kind", "Relationships by type", "Money by stream", "Top nodes by degree"):
        assert title in result.output
    assert "CONVERTS_TO" in result.output


def test_schema_is_the_model_json_schema(runner, tmp_path):
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == json_schema()
    assert set(schema["required"]) == {"name", "currency", "period"}
    assert schema["additionalProperties"] is False
    out = tmp_path / "s.json"
    assert runner.invoke(cli, ["schema", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text()) == schema


def test_schema_accepts_the_examples_and_rejects_a_typo():
    import jsonschema
    import yaml

    schema = json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("amazon", "newspaper-funnel"):
        with open(f"examples/{name}.yaml", encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        assert list(validator.iter_errors(data)) == []
    data["nodes"][0]["kind"] = "cor"
    data["relationships"][0]["amout"] = 1
    assert len(list(validator.iter_errors(data))) == 2


@pytest.mark.parametrize("template, nodes", [("blank", 2), ("amazon", 25)])
def test_init_writes_a_file_that_validates(runner, tmp_path, template, nodes):
    path = tmp_path / "new.yaml"
    result = runner.invoke(cli, ["init", str(path), "--template", template])
    assert result.exit_code == 0
    assert result.output == f"Wrote {path} ({template} template). Next: ecograph validate {path}\n"
    assert len(load_model(path).nodes) == nodes
    again = runner.invoke(cli, ["init", str(path)])
    assert again.exit_code == 2
    assert again.output == f"Error: {path} exists; use --force to overwrite it\n"


def test_amazon_template_is_the_example():
    from ecosystem_graph.templates import template_text

    with open("examples/amazon.yaml", encoding="utf-8") as fh:
        assert template_text("amazon") == fh.read()


def test_generate_is_deterministic_and_valid(runner, tmp_path):
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.json"
    assert runner.invoke(cli, ["generate", "--nodes", "300", "--seed", "7", "-o", str(a)]).exit_code == 0
    assert runner.invoke(cli, ["generate", "--nodes", "300", "--seed", "7", "-o", str(b)]).exit_code == 0
    result = runner.invoke(cli, ["generate", "--nodes", "300", "--seed", "8", "-o", str(c)])
    assert result.exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    model_a, model_c = load_model(a), load_model(c)
    assert len(model_a.nodes) == len(model_c.nodes) == 300
    assert model_a != model_c
    assert result.output == f"Wrote {c}: 300 nodes, {len(model_c.relationships):,} relationships (seed 8)\n"


def test_generate_refuses_too_few_nodes(runner, tmp_path):
    result = runner.invoke(cli, ["generate", "--nodes", "3", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "3 is not in the range 5<=x<=10000000" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_help_teaches_with_examples(runner):
    for command in ("validate", "show", "init", "generate", "schema"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "ecograph" in result.output or "yaml-language-server" in result.output


def test_the_readme_model_snippet_is_valid_without_warnings():
    import re

    from ecosystem_graph.fileio import parse_model_text

    with open("README.md", encoding="utf-8") as fh:
        snippet = re.search(r"```yaml\n(.*?)```", fh.read(), re.S).group(1)
    result = parse_model_text(snippet.encode("utf-8"), "README.md", "yaml")
    assert [p.format() for p in result.problems] == []
    assert len(result.model.nodes) == 3
