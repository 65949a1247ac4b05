"""A Cypher script that recreates an ecosystem in Neo4j, in the layout ``ecograph db push`` writes.

The script is plain text for ``cypher-shell -f`` or the Neo4j Browser: one statement per line, each
ending with ``;``. Labels and relationship types come only from the closed vocabulary of
:mod:`ecosystem_graph.model`; property keys only from the model's field names; every value is a
literal written by :func:`cypher_literal`, which escapes backslashes, quotes, line breaks and every
control or invisible character, so no text in a model can end a string or a statement early.
"""

from __future__ import annotations

import json
import math
import unicodedata
import uuid
from datetime import datetime, timezone
from typing import Any

from ..errors import InteropError
from ..model import NEO4J_LABELS, NODE_KINDS, RELATIONSHIP_TYPES, Ecosystem
from ..range_columns import flatten_ranges, ranged_properties

__all__ = ["cypher_string", "cypher_literal", "cypher_statements", "cypher_script", "split_script",
           "NODE_LABEL", "BATCH_SIZE"]

NODE_LABEL = "EcoNode"
"""Label of every model node besides its kind's label; the same as the store's (``docs/store.md``)."""

BATCH_SIZE = 500
"""Nodes or relationships per ``UNWIND`` statement."""

_INT64 = (-(2**63), 2**63 - 1)
_META_KEYS = ("schema_version", "currency", "period", "money_unit", "description")
# Characters written as \\uXXXX: controls, format (bidi overrides, zero-width), surrogates, private use,
# unassigned, and line/paragraph separators; everything else printable stays as it is (UTF-8).
_ESCAPE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SIMPLE = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def cypher_string(text: str) -> str:
    """``text`` as a single-quoted Cypher string literal.

    Examples
    --------
    >>> print(cypher_string("O'Reilly \\\\ Co"))
    'O\\'Reilly \\\\ Co'
    >>> print(cypher_string("line\\nbreak\\u202e"))
    'line\\nbreak\\u202E'
    """
    out = ["'"]
    for ch in text:
        if ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif ch.isascii() and ch.isprintable():
            out.append(ch)
        elif unicodedata.category(ch) in _ESCAPE_CATEGORIES:
            code = ord(ch)
            if code > 0xFFFF:  # as a UTF-16 surrogate pair, which Neo4j and ArcadeDB both read
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def cypher_literal(value: Any) -> str:
    """A property value (text, whole number, number, true/false, list of those, or a map with fixed
    keys) as a Cypher literal.

    >>> cypher_literal([1, 2.5, True, "a'b"])
    "[1, 2.5, true, 'a\\\\'b']"
    >>> cypher_literal(1e20), cypher_literal(1e-7)
    ('1e20', '1e-07')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise InteropError(f"{value} is outside the 64-bit integer range a graph database can store")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InteropError(f"{value} cannot be stored in a graph database (not a finite number)")
        text = repr(value)
        return text.replace("e+", "e")  # Cypher exponents take no '+'
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        # Keys are always ours (model field names); still refuse anything that is not a plain name.
        parts = []
        for k, v in value.items():
            if not (isinstance(k, str) and k.isidentifier() and k.isascii()):
                raise InteropError(f"internal error: map key {k!r} is not a plain name")
            parts.append(f"{k}: {cypher_literal(v)}")
        return "{" + ", ".join(parts) + "}"
    raise InteropError(f"cannot write a {type(value).__name__} as a Cypher value")


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cypher_statements(model: Ecosystem, *, name: str | None = None, version: str | None = None,
                      now: str | None = None) -> list[str]:
    """The statements that write ``model`` as a new current version of ecosystem ``name``
    (default: the model's name), each one line without the final ``;``.

    The layout is the store's: ``(:EcosystemVersion {version, ecosystem, state, ...metadata})``,
    ``(:EcoNode:<Kind> {version, ecosystem, ord, id, name, ..., attributes: '<JSON>'})``, relationships
    of the model's types with their properties and ``ord`` (a linked PAYS also with its derived
    ``amount``), and the ``(:Ecosystem {name, current})``
    pointer, switched to the new version last; older versions of the same ecosystem are deleted at
    the end, so ``ecograph db pull NAME`` reads the ecosystem back.
    """
    eco = name if name is not None else model.name
    if not eco.strip():
        raise InteropError("an ecosystem name must not be empty")
    version = version or uuid.uuid4().hex
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    data = model.to_data()
    q_eco, q_version = cypher_literal(eco), cypher_literal(version)
    statements: list[str] = []

    meta = {"version": version, "ecosystem": eco, "state": "staging", "started_at": now}
    meta.update({k: data[k] for k in _META_KEYS if k in data})
    meta["model_name"] = data["name"]
    statements.append(f"CREATE (:EcosystemVersion {cypher_literal(meta)})")

    by_kind: dict[str, list[dict]] = {k: [] for k in NODE_KINDS}
    for n, item in enumerate(data["nodes"]):
        item = flatten_ranges(item, ranged_properties(item["kind"]))  # amount = base, amount_low, ... (as the store)
        row = {k: v for k, v in item.items() if k != "attributes"}
        row.update(ecosystem=eco, ord=n, version=version)
        if item.get("attributes"):
            row["attributes"] = json.dumps(item["attributes"], ensure_ascii=False, separators=(",", ":"),
                                           allow_nan=False)
        by_kind[item["kind"]].append(row)
    for kind, rows in by_kind.items():
        label = NEO4J_LABELS[kind]
        for chunk in _chunks(rows, BATCH_SIZE):
            statements.append(f"UNWIND {cypher_literal(chunk)} AS r CREATE (n:{NODE_LABEL}:{label}) SET n = r")

    by_type: dict[str, list[dict]] = {t: [] for t in RELATIONSHIP_TYPES}
    for n, (item, rel) in enumerate(zip(data["relationships"], model.relationships)):
        item = flatten_ranges(item, ranged_properties(item["type"]))
        props = {k: v for k, v in item.items() if k not in ("from", "to", "type", "attributes")}
        if item.get("share_of") is not None:
            props["amount"] = rel.amount  # a linked flow's derived amount, so that Cypher sums real money
        props["ord"] = n
        if item.get("attributes"):
            props["attributes"] = json.dumps(item["attributes"], ensure_ascii=False, separators=(",", ":"),
                                             allow_nan=False)
        by_type[item["type"]].append({"f": item["from"], "t": item["to"], "p": props})
    for rtype, rows in by_type.items():
        for chunk in _chunks(rows, BATCH_SIZE):
            statements.append(
                f"UNWIND {cypher_literal(chunk)} AS r "
                f"MATCH (a:{NODE_LABEL} {{version: {q_version}, id: r.f}}) "
                f"MATCH (b:{NODE_LABEL} {{version: {q_version}, id: r.t}}) "
                f"CREATE (a)-[x:{rtype}]->(b) SET x = r.p")

    statements.append(
        f"MATCH (v:EcosystemVersion {{version: {q_version}, state: 'staging'}}) "
        f"SET v.state = 'current', v.pushed_at = {cypher_literal(now)}, "
        f"v.nodes = {len(data['nodes'])}, v.relationships = {len(data['relationships'])} "
        f"MERGE (e:Ecosystem {{name: {q_eco}}}) SET e.current = {q_version}")
    statements.append(
        f"MATCH (n:{NODE_LABEL} {{ecosystem: {q_eco}}}) WHERE n.version <> {q_version} DETACH DELETE n")
    statements.append(
        f"MATCH (v:EcosystemVersion {{ecosystem: {q_eco}}}) WHERE v.version <> {q_version} DELETE v")
    return statements


def cypher_script(model: Ecosystem, *, name: str | None = None, version: str | None = None,
                  now: str | None = None) -> str:
    """The statements of :func:`cypher_statements` as a script: a comment header, then one statement
    per line, each ending with ``;``."""
    eco = name if name is not None else model.name
    header = [
        "// ecosystem-graph export: recreates one ecosystem in Neo4j 5 (or ArcadeDB over Bolt).",
        f"// Ecosystem: {cypher_string(eco)}; {len(model.nodes)} nodes, {len(model.relationships)} relationships.",
        "// Run with: cypher-shell -f THIS_FILE   (one statement per line; each ends with ';').",
        "// Layout as `ecograph db push` writes it (docs/store.md): the new version becomes current at the",
        "// end and older versions of the same ecosystem are then deleted. For the indexes, apply",
        "// ecosystem_graph/cypher/schema.cypher first (ecograph db push does that itself).",
    ]
    body = [s + ";" for s in cypher_statements(model, name=name, version=version, now=now)]
    return "\n".join(header + body) + "\n"


def split_script(text: str) -> list[str]:
    """The statements of a script written by :func:`cypher_script` (comment and blank lines skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        out.append(line[:-1] if line.endswith(";") else line)
    return out
