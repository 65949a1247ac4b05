"""House rules read from the source: node kinds spelled only in the model, and the node-kind role table."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from ecosystem_graph.model import (
    ALLOWED_ENDPOINTS,
    CORE,
    EXTERNAL_KINDS,
    KEYSTONE_KINDS,
    KIND_ROLES,
    NODE_KINDS,
    OFFERING_KINDS,
    OUTER_OFFERING_KINDS,
    PARTNER,
    SEGMENT,
)

PACKAGE = Path(__file__).resolve().parent.parent / "ecosystem_graph"
SOURCES = sorted(PACKAGE.rglob("*.py"))
# The model: its pydantic classes and the vocabulary they are built from (plain Python, for the quick check).
MODEL = {PACKAGE / "model.py", PACKAGE / "vocabulary.py"}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings: a module's, class's or function's, and the attribute
    docstrings (a bare string statement after an assignment)."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        for statement in body if isinstance(body, list) else []:
            if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)):
                out.add(id(statement.value))
    return out


def _table_headings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are column headings of a ``Table(title, [headings...], ...)``."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("Table", "T"):  # T: a Table with the currency filled in
            columns = [k.value for k in node.keywords if k.arg == "columns"] + node.args[1:2]
            for c in columns:
                if isinstance(c, (ast.List, ast.Tuple)):
                    out.update(id(e) for e in c.elts)
    return out


# The few places where a kind's name may be written outside the model, and why.
ALLOWED_KIND_LITERALS = {
    "docstrings": "examples in docstrings are doctests that write models as users do",
    "Table column headings": "a heading says, in the reader's words, what the column holds (segment ids)",
}


def kind_literals(path: Path) -> list[tuple[int, str]]:
    """(line, kind) of every node-kind string literal in the code of ``path``, outside the allowed places."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = _docstring_nodes(tree) | _table_headings(tree)
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in NODE_KINDS and id(node) not in allowed)


def test_the_scan_sees_a_kind_literal_in_code_but_not_in_a_docstring_or_a_heading(tmp_path):
    # The control: the same word is flagged in a comparison and in an f-string, left alone where allowed.
    sample = tmp_path / "sample.py"
    sample.write_text('"""A module about the core."""\n'
                      'def f(kind, n):\n'
                      '    """>>> f("core", 1)"""\n'
                      '    t = Table("Lock-in", ["segment", "index"], [])\n'
                      '    return kind == "core", f"{n} {\'segments\' if kind == \'segment\' else \'x\'}"\n')
    assert kind_literals(sample) == [(5, "core"), (5, "segment")]


@pytest.mark.parametrize("path", [p for p in SOURCES if p not in MODEL], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_the_model_spells_a_node_kind(path):
    # Kinds and their roles are read from ecosystem_graph.model (CORE, SEGMENT, ..., OFFERING_KINDS,
    # EXTERNAL_KINDS, KIND_ROLES), so that one table says which kind plays which part.
    assert kind_literals(path) == []


def test_every_kind_has_a_row_in_the_role_table():
    assert list(KIND_ROLES) == list(NODE_KINDS)


def test_offerings_are_what_segments_use_and_the_rest_are_external():
    # From the relationship rules: a segment USES the orchestrator's offerings (core, satellite, channel);
    # every other kind (segment, partner) is outside the orchestrator.
    uses_from, uses_to = ALLOWED_ENDPOINTS["USES"]
    assert OFFERING_KINDS == uses_to == {"core", "satellite", "channel"}
    assert uses_from == {SEGMENT} <= EXTERNAL_KINDS
    assert EXTERNAL_KINDS == set(NODE_KINDS) - OFFERING_KINDS == {"segment", "partner"}
    assert OUTER_OFFERING_KINDS == OFFERING_KINDS - {CORE} == {"satellite", "channel"}
    # SUPPLIES comes from partners only: a supplier is external.
    assert ALLOWED_ENDPOINTS["SUPPLIES"][0] == {PARTNER} <= EXTERNAL_KINDS


def test_the_summary_names_keystones_among_satellites_channels_and_partners():
    # The core and the segments are left out (losing them costs their own revenue by definition), in
    # vocabulary order.
    assert KEYSTONE_KINDS == ("satellite", "channel", "partner")


# ------------------------------------------------------------------------- private names stay home


def private_imports(path: Path, root: Path = PACKAGE.parent) -> list[tuple[int, str]]:
    """(line, name) of every private name (``_x``, not a dunder) that ``path`` takes from another module of the
    package: ``from .x import _name`` and ``module._name`` on a module imported from the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out, modules = [], set()
    here = path.relative_to(root).with_suffix("").parts[:-1]  # the package the file is in

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    def is_module(parts) -> bool:
        return root.joinpath(*parts).with_suffix(".py").is_file() or root.joinpath(*parts, "__init__.py").is_file()

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("ecosystem_graph")):
            base = here[:len(here) - node.level + 1] if node.level else ()
            target = base + tuple((node.module or "").split(".") if node.module else ())
            for alias in node.names:
                if private(alias.name):
                    out.append((node.lineno, alias.name))
                elif is_module(target + (alias.name,)):  # ``from ..report import charts``
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("ecosystem_graph"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            out.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return sorted(out)


def test_the_scan_sees_private_names_taken_from_the_package(tmp_path):
    # The control: both spellings are flagged; a dunder, a public name and another library's private are not.
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "charts.py").write_text("")
    sample = tmp_path / "pkg" / "sub" / "sample.py"
    sample.write_text("import os\n"
                      "from .lockin import _known, lockin\n"
                      "from .. import charts\n"
                      "from ..model import __all__\n"
                      "x = charts._rc, charts.KIND_COLORS, os._exit, lockin._cache\n")
    assert private_imports(sample, tmp_path) == [(2, "_known"), (5, "charts._rc")]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_is_imported_across_modules(path):
    # What one module needs of another is public there: documented and listed in its __all__.
    assert private_imports(path) == []


# ------------------------------------------------------------------------- one concern per module


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_has_a_one_line_docstring_and_an_all_of_names_it_defines(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc, "no module docstring"
    assert doc.splitlines()[0].endswith("."), "the docstring's first line is not a sentence"
    exported = [node.value for node in tree.body
                if isinstance(node, (ast.Assign, ast.AnnAssign))
                and "__all__" in [t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                                  if isinstance(t, ast.Name)]]
    assert len(exported) == 1, "no __all__"
    module = importlib.import_module(
        ".".join(("ecosystem_graph",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"))
    names = list(module.__all__)
    assert len(names) == len(set(names)), "a name is listed twice"
    assert [n for n in names if not hasattr(module, n)] == []
