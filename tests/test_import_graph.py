"""No import cycle: every module of ecosystem_graph imports on its own in a fresh interpreter."""

from __future__ import annotations

import importlib.util
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


def _imports_between_modules() -> "nx.DiGraph":
    """Every import of one ecosystem_graph module by another, at any depth (imports inside functions
    included: they are dependencies too, only deferred)."""
    import ast

    import networkx as nx

    G = nx.DiGraph()
    known = set(MODULES) | {"ecosystem_graph"}
    for name in MODULES:
        module = importlib.util.find_spec(name)
        path = Path(module.origin)
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        G.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                # `from .pkg import sub` imports the submodule pkg.sub when there is one
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("ecosystem_graph."):
                    G.add_edge(name, target)
    return G


def test_no_import_cycle_even_through_imports_inside_functions():
    import networkx as nx

    G = _imports_between_modules()
    # the control: a deferred import is seen (the page's analyses are imported inside render functions)
    assert G.has_edge("ecosystem_graph.render.html", "ecosystem_graph.analysis.keystones")
    cycles = [c for c in nx.simple_cycles(G)]
    assert cycles == []


def test_the_model_imports_nothing_above_it():
    # model -> graph -> analysis -> render/report -> cli: the model sits at the bottom
    G = _imports_between_modules()
    above = ("ecosystem_graph.graph", "ecosystem_graph.analysis", "ecosystem_graph.render", "ecosystem_graph.report",
             "ecosystem_graph.cli", "ecosystem_graph.store", "ecosystem_graph.interop", "ecosystem_graph.api")
    assert [t for t in G.successors("ecosystem_graph.model") if t.startswith(above)] == []
