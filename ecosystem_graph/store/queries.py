"""The Cypher files shipped with the package: the schema and the library of named queries.

The files live in ``ecosystem_graph/cypher/`` (package data, so they are in every wheel); the repository's
top-level ``cypher/`` folder holds identical copies for people browsing the source, and a test keeps the two
the same. Each named query starts with a header comment::

    // One-line purpose.
    // More description.
    //
    // Parameters:
    //   ecosystem (string): name the ecosystem was pushed under
    //
    // Columns:
    //   path: what the column holds
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import StoreNotFoundError, UsageError

__all__ = ["NamedQuery", "QueryParam", "list_queries", "get_query", "schema_statements", "cypher_text",
           "parse_param_value"]

_PARAM_TYPES = ("string", "integer", "float", "boolean")
_PARAM_LINE = re.compile(r"^(\w+)\s*\((\w+)\)\s*:\s*(.*)$")
_COLUMN_LINE = re.compile(r"^(\w+)\s*:\s*(.*)$")


@dataclass
class QueryParam:
    name: str
    type: str
    description: str

    def convert(self, value: Any) -> Any:
        """A value given as text (from the command line) as this parameter's type; other values checked."""
        if isinstance(value, str) and self.type != "string":
            text = value.strip()
            try:
                if self.type == "integer":
                    return int(text)
                if self.type == "float":
                    return float(text)
                if text.lower() in ("true", "yes", "1"):
                    return True
                if text.lower() in ("false", "no", "0"):
                    return False
            except ValueError:
                pass
            raise UsageError(f"parameter '{self.name}' must be {_article(self.type)} {self.type}, not '{value}'")
        if self.type == "string" and not isinstance(value, str):
            raise UsageError(f"parameter '{self.name}' must be a string, not {value!r}")
        return value


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@dataclass
class NamedQuery:
    """One query of the library: its name (the file name), header documentation and Cypher text."""

    name: str
    summary: str
    description: str
    params: list[QueryParam] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    cypher: str = ""

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        """Check and convert parameter values: every declared one given, no unknown ones."""
        unknown = [k for k in values if k not in self.param_names]
        if unknown:
            from ..validation import suggest

            hints = []
            for k in unknown:
                close = suggest(k, self.param_names)
                hints.append(f"'{k}'" + (f" (did you mean '{close}'?)" if close else ""))
            raise UsageError(f"query '{self.name}' has no parameter {', '.join(hints)}; "
                             f"it takes: {', '.join(self.param_names) or 'none'}")
        missing = [p.name for p in self.params if p.name not in values]
        if missing:
            raise UsageError(f"query '{self.name}' needs " + ", ".join(f"--param {m}=..." for m in missing))
        return {p.name: p.convert(values[p.name]) for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "description": self.description,
                "parameters": [{"name": p.name, "type": p.type, "description": p.description} for p in self.params],
                "columns": [{"name": c, "description": d} for c, d in self.columns]}


def _package_dir():
    return resources.files("ecosystem_graph") / "cypher"


def cypher_text(relative: str) -> str:
    """Text of a shipped Cypher file, e.g. ``"schema.cypher"`` or ``"queries/funnel-stages.cypher"``."""
    return (_package_dir() / relative).read_text(encoding="utf-8")


def schema_statements() -> list[str]:
    """The statements of ``schema.cypher`` (comments dropped, split on ``;``)."""
    lines = [ln for ln in cypher_text("schema.cypher").splitlines() if not ln.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def parse_query(name: str, text: str) -> NamedQuery:
    """Parse a named query file (header comment, then Cypher)."""
    header: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if not body and line.lstrip().startswith("//"):
            header.append(line.lstrip()[2:].strip())
        elif body or line.strip():
            body.append(line)
    section = "description"
    desc: list[str] = []
    params: list[QueryParam] = []
    columns: list[tuple[str, str]] = []
    for line in header:
        low = line.lower()
        if low in ("parameters:", "columns:"):
            section = low[:-1]
            continue
        if not line:
            continue
        if section == "description":
            desc.append(line)
        elif section == "parameters":
            m = _PARAM_LINE.match(line)
            if not m or m.group(2) not in _PARAM_TYPES:
                raise ValueError(f"{name}: bad parameter line in header: {line!r}")
            params.append(QueryParam(m.group(1), m.group(2), m.group(3)))
        else:
            m = _COLUMN_LINE.match(line)
            if not m:
                raise ValueError(f"{name}: bad column line in header: {line!r}")
            columns.append((m.group(1), m.group(2)))
    if not desc:
        raise ValueError(f"{name}: the header has no description")
    return NamedQuery(name, desc[0], " ".join(desc), params, columns, "\n".join(body).strip() + "\n")


@lru_cache(maxsize=None)
def _library() -> dict[str, NamedQuery]:
    out = {}
    for entry in sorted((_package_dir() / "queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            out[name] = parse_query(name, entry.read_text(encoding="utf-8"))
    return out


def list_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return list(_library().values())


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; StoreNotFoundError (with a suggestion) when there is none."""
    library = _library()
    if name not in library:
        from ..validation import suggest

        close = suggest(name, list(library))
        hint = f"; did you mean '{close}'?" if close else "; `ecograph db queries` lists them"
        raise StoreNotFoundError(f"no named query '{name}'{hint}")
    return library[name]


def parse_param_value(text: str) -> Any:
    """A ``--param`` value for ad-hoc Cypher: JSON when it parses (numbers, true/false/null, lists, quoted
    strings), else the text itself.

    >>> parse_param_value("42"), parse_param_value("0.5"), parse_param_value("prime"), parse_param_value('"42"')
    (42, 0.5, 'prime', '42')
    """
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text
