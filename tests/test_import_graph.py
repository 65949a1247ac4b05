"""No import cycle: every module of ecosystem_graph imports on its own in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import ecosystem_graph

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(m.name for m in pkgutil.walk_packages(ecosystem_graph.__path__, "ecosystem_graph."))

def test_walk_finds_the_cli_package_and_its_command_modules():
    # The control: the walk reaches the subpackages the cycle used to live in.
    assert {"ecosystem_graph.cli", "ecosystem_graph.cli.options", "ecosystem_graph.cli.model",
            "ecosystem_graph.cli.analysis", "ecosystem_graph.cli.db", "ecosystem_graph.cli.interop",
            "ecosystem_graph.cli.render", "ecosystem_graph.cli.report", "ecosystem_graph.render.html",
            "ecosystem_graph.report.build"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_alone_in_a_fresh_interpreter(name):
    proc = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_a_command_module_name_imports_first():
    # The reported failure: importing a command module before the group raised "partially initialized module".
    proc = subprocess.run([sys.executable, "-c", "from ecosystem_graph.cli.analysis import echo_analysis; "
                           "print(echo_analysis.__module__)"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ecosystem_graph.cli.analysis"
