"""The report's methods in client language: plain explanations by default, the technical annex only with
--technical (through the command line, both formats, both examples)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model
from ecosystem_graph.report import build_report
from ecosystem_graph.report.methods import PLAIN_METHODS

# What the methods section used to show a client: library, module and file names, formulas, process notes.
DEVELOPER_WORDS = ["networkx", ".py", "scipy", "numpy", "(I - Q)", "forked", "1e-6", "docs/metrics.md"]
# ... and more that a reader must not see (the charts' SVG may carry "matplotlib" in its element ids).
SHOWN_WORDS = DEVELOPER_WORDS + ["matplotlib", "Sherman-Morrison", "ARPACK", "child process", "ecograph analyze",
                                 "Markov"]


def _visible_text(page: str) -> str:
    """What a reader sees: the page without scripts, styles and tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def _run(tmp_path, example: str, suffix: str, *extra: str) -> str:
    out = tmp_path / f"report{suffix}"
    result = CliRunner().invoke(cli, ["report", f"examples/{example}", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", ["amazon.yaml", "newspaper-funnel.yaml"])
@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_default_report_names_no_library_module_file_or_formula(tmp_path, example, suffix):
    text = _run(tmp_path, example, suffix)
    shown = _visible_text(text) if suffix == ".html" else text
    for word in DEVELOPER_WORDS:
        assert word not in text, word  # the whole file, the graph's scripts included
    for word in SHOWN_WORDS:
        assert word.lower() not in shown.lower(), word
    assert "Technical annex" not in shown
    # every figure of the report is explained, with what it assumes
    assert "How the figures are worked out" in shown
    sections = {"revenue", "keystones", "lockin", "centrality"} | ({"funnel"} if "funnel" in example else set())
    for m in PLAIN_METHODS:
        if m.section in sections:
            assert m.title in shown and "Assumes: " + m.assumptions in shown


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_technical_flag_adds_the_annex(tmp_path, suffix):
    text = _run(tmp_path, "newspaper-funnel.yaml", suffix, "--technical")
    shown = _visible_text(text) if suffix == ".html" else text
    annex = shown[shown.index("Technical annex", shown.index("How the figures are worked out")):]
    # the formulas and implementation notes of docs/metrics.md are there, after the plain methods
    assert "N = (I - Q)^-1" in annex and "networkx" in annex and "1e-6 * n" in annex
    assert "Levers" in annex and "docs/metrics.md" in shown


def test_plain_methods_follow_the_sections_present():
    # the newspaper has a funnel, Amazon has none: only the newspaper's methods explain the funnel
    amazon = build_report(load_model("examples/amazon.yaml"), graph=False)
    paper = build_report(load_model("examples/newspaper-funnel.yaml"), graph=False)
    assert "Customer funnel" not in [m.title for m in amazon.methods]
    assert "Customer funnel" in [m.title for m in paper.methods]
    assert [m.title for m in amazon.methods][:3] == ["Revenue and who pays whom", "Concentration",
                                                    "Dependency on satellites and channels"]
    # no formula signs or code in the client's words
    for m in PLAIN_METHODS:
        assert not re.search(r"[`=^_]|\(\w+\)\s*/", m.text + m.assumptions), m.title
