"""Push, pull, list, drop and query ecosystems in Neo4j 5 (or any Bolt server that speaks its Cypher).

Every write goes into a fresh *version* of the ecosystem; the ecosystem's ``current`` pointer is switched to
it in one small final transaction, so a push that fails half-way never shows a half-written ecosystem
(the design is in ``docs/store.md``). Values are always query parameters; labels and relationship types
come only from the closed vocabulary in :mod:`ecosystem_graph.model`.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import typing
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from ..errors import (
    StoreAuthError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StoreQueryError,
)
from ..model import (
    NEO4J_LABELS,
    NODE_CLASSES,
    NODE_KINDS,
    RELATIONSHIP_CLASSES,
    RELATIONSHIP_TYPES,
    Ecosystem,
)
from ..gc_pause import gc_paused
from ..range_columns import RANGE_PARTS, flat_name, nest_ranges, range_cells, ranged_properties
from .queries import schema_statements
from .readonly import explain_text, find_write

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_DATABASE",
    "NODE_LABEL",
    "Store",
    "connect",
    "safe_uri",
    "EcosystemInfo",
    "PushResult",
    "QueryResult",
    "model_rows",
    "node_rows",
    "relationship_rows",
    "check_integers",
    "node_batches",
    "relationship_batches",
    "node_statement",
    "relationship_statement",
    "row_columns",
]

DEFAULT_BATCH_SIZE = 5000
DEFAULT_DATABASE = "neo4j"
"""Database used when none is configured (Neo4j's default database)."""

NODE_LABEL = "EcoNode"
"""Label every model node carries besides its kind's label (Core, Satellite, ...)."""

_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_INT64 = (-(2**63), 2**63 - 1)
_NODE_RESERVED = ("version", "ecosystem", "ord", "attributes")
_REL_RESERVED = ("ord", "attributes")
_META_KEYS = ("schema_version", "currency", "period", "money_unit", "description")

# Property keys per kind and type, from the model's classes (never from user data), in the order of the
# columns of a push's rows. Rows are lists, not maps: ArcadeDB decodes and reads a list row with about
# 30% less CPU than a map row (measured), and the statements name each column's key explicitly (absent
# values are null, and a null property is not stored, on both servers).
_NODE_FIELDS = {kind: [k for k in NODE_CLASSES[kind].model_fields if k != "attributes"] for kind in NODE_KINDS}
# A ranged property is stored as its base under its own name plus flat low/high/dist properties (graph
# properties cannot hold maps), in columns after the fields.
_RANGED = {name: ranged_properties(name) for name in (*NODE_KINDS, *RELATIONSHIP_TYPES)}
_RANGE_COLUMNS = {name: [flat_name(p, part) for p in props for part in RANGE_PARTS] for name, props in _RANGED.items()}
_NODE_PROPERTIES = {kind: _NODE_FIELDS[kind] + _RANGE_COLUMNS[kind] + ["ecosystem", "ord", "attributes"]
                    for kind in NODE_KINDS}
_REL_FIELDS = {rtype: [k for k in RELATIONSHIP_CLASSES[rtype].model_fields
                       if k not in ("source", "target", "type", "attributes")]
               for rtype in RELATIONSHIP_TYPES}
_REL_PROPERTIES = {rtype: _REL_FIELDS[rtype] + _RANGE_COLUMNS[rtype] + ["ord", "attributes"]
                   for rtype in RELATIONSHIP_TYPES}
_EMPTY_AS_ABSENT = frozenset({"tags", "mechanisms", "cost_types"})  # empty lists are not stored


def _holds_int(annotation: Any) -> bool:
    """True when a field annotated ``annotation`` can hold an int (``int``, ``Annotated[int, ...]``,
    ``... | int | None``; a bool is not counted)."""
    if annotation is int:
        return True
    return any(_holds_int(a) for a in typing.get_args(annotation))


def _int_fields(classes) -> frozenset:
    """Fields that can hold an int (all others hold floats, strings, booleans or lists of strings)."""
    return frozenset(k for cls in classes for k, f in cls.model_fields.items() if _holds_int(f.annotation))


_INT_FIELDS = _int_fields(list(NODE_CLASSES.values()) + list(RELATIONSHIP_CLASSES.values()))


def _property_map(keys: list[str], first: int = 0) -> str:
    return "{" + ", ".join(f"{k}: r[{first + i}]" for i, k in enumerate(keys)) + "}"


def node_statement(kind: str) -> str:
    """The Cypher that creates a batch (``$rows``, rows of :func:`model_rows`) of nodes of ``kind`` in
    version ``$version``; its one record's ``created`` lists ``[id, elementId]`` of every node created
    (the relationship batches find the nodes by those element ids)."""
    props = _property_map(_NODE_PROPERTIES[kind])[:-1] + ", version: $version}"
    return (f"UNWIND $rows AS r CREATE (n:{NODE_LABEL}:{NEO4J_LABELS[kind]} {props}) "
            f"RETURN collect([r[0], elementId(n)]) AS created")


def relationship_statement(rtype: str) -> str:
    """The Cypher that creates a batch of ``rtype`` relationships in version ``$version``.

    ``$rows`` holds :func:`relationship_batches` rows: ``[elementId of the source, elementId of the
    target, from, to, property columns...]``. Each end is fetched by its element id (a direct record
    access on both servers) and then checked to be the node with that ``version`` and ``id``, so a
    stale or reused element id can never connect a wrong node: the row is then not written, and the
    push fails on the count. Looking the ends up by the ``(version, id)`` key instead cost ArcadeDB a
    search of every index page not yet compacted, per end: a third of a relationship batch (measured).
    """
    def end(var: str, element_id: int, node_id: int) -> str:
        return (f"MATCH ({var}:{NODE_LABEL}) WHERE elementId({var}) = r[{element_id}] "
                f"AND {var}.version = $version AND {var}.id = r[{node_id}] ")

    return (f"UNWIND $rows AS r {end('a', 0, 2)}{end('b', 1, 3)}"
            f"CREATE (a)-[x:{rtype} {_property_map(_REL_PROPERTIES[rtype], first=4)}]->(b) "
            f"RETURN count(x) AS written")


def row_columns(kind_or_type: str) -> list[str]:
    """The names of the columns of :func:`model_rows`' rows of a node kind or relationship type."""
    if kind_or_type in _NODE_PROPERTIES:
        return _NODE_PROPERTIES[kind_or_type]
    return ["from", "to", *_REL_PROPERTIES[kind_or_type]]


_IN_VERSION = "n.version = $version AND n.id IS NOT NULL"
"""Every node of version ``$version``, as a seek on the (version, id) key (see ``schema.cypher``)."""

_PULL_FETCH_SIZE = 10_000
"""Records per round trip when pulling (the driver's default is 1,000)."""


ProgressCallback = Callable[[str, int, int], None]
"""``progress(what, done, total)`` with ``what`` "nodes" or "relationships", after each batch."""


# ------------------------------------------------------------------------------------------ results


@dataclass
class EcosystemInfo:
    """One ecosystem in the database: its name, its model's name, sizes and when it was pushed."""

    name: str
    model_name: str
    nodes: int
    relationships: int
    pushed_at: str
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model_name": self.model_name, "nodes": self.nodes,
                "relationships": self.relationships, "pushed_at": self.pushed_at, "version": self.version}


@dataclass
class PushResult:
    """What a push wrote: the ecosystem name, its new version id, counts, and the versions it removed."""

    name: str
    version: str
    nodes: int
    relationships: int
    batches: int
    replaced: str | None = None
    removed_versions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "nodes": self.nodes,
                "relationships": self.relationships, "batches": self.batches, "replaced": self.replaced,
                "removed_versions": self.removed_versions}


@dataclass
class QueryResult:
    """Columns and rows of a query (values converted to plain Python: nodes and paths become dicts/lists)."""

    columns: list[str]
    rows: list[list[Any]]
    counters: dict[str, int] = field(default_factory=dict)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


# -------------------------------------------------------------------------------------- model <-> rows


def model_rows(model: Ecosystem, name: str) -> tuple[dict[str, list[list]], dict[str, list[list]]]:
    """The rows a push writes: node rows grouped by kind, relationship rows grouped by type.

    Each row is a list whose columns are :func:`row_columns` of its kind or type: a node's every
    field (a ranged one as its base), the ``low``, ``high`` and ``dist`` of each property that may hold a
    range (``size_low``, ...; None without a range, dist None when pert), then ``ecosystem``, ``ord``
    (position in the file) and ``attributes`` as a JSON string (graph properties cannot hold maps); a
    relationship's ``from``, ``to``, every field, its range columns, ``ord`` and ``attributes``. Absent
    optionals and empty lists are None (not stored), so pulling restores the file's defaults. StoreError for an integer no graph database stores (:func:`check_integers`).

    >>> m = Ecosystem.model_validate({"name": "T", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "a", "kind": "core", "name": "A", "attributes": {"x": 1}}]})
    >>> nodes, rels = model_rows(m, "t")
    >>> dict(zip(row_columns("core"), nodes["core"][0]))
    {'id': 'a', 'name': 'A', 'description': None, 'tags': None, 'kind': 'core', 'ecosystem': 't', 'ord': 0, 'attributes': '{"x":1}'}
    """
    check_integers(model)
    return node_rows(model, name), relationship_rows(model)


def check_integers(model: Ecosystem) -> None:
    """StoreError naming the first model field holding an integer beyond 64 bits (no graph database
    stores one; only a segment's ``size`` can hold one)."""
    def fits(v: Any) -> bool:
        return type(v) is not int or _INT64[0] <= v <= _INT64[1]  # bool is not int here

    def refuse(where: str, k: str, v: int):
        raise StoreError(f"{where}, {k}: {v} is outside the 64-bit integer range a graph database can store")

    for node in model.nodes:
        for k in _NODE_LAYOUT[node.kind][2]:
            if not fits(v := getattr(node, k)):
                refuse(f"node {node.id}", k, v)
    for n, rel in enumerate(model.relationships):
        for k in _REL_LAYOUT[rel.type][2]:
            if not fits(v := getattr(rel, k)):
                refuse(f"relationship {n} ({rel.type} {rel.source} -> {rel.target})", k, v)


def node_rows(model: Ecosystem, name: str) -> dict[str, list[list]]:
    """The node rows of :func:`model_rows`, by kind (integers not checked)."""
    rows: dict[str, list[list]] = {k: [] for k in NODE_KINDS}
    for n, node in enumerate(model.nodes):
        fields, empties, _ = _NODE_LAYOUT[node.kind]
        row = list(fields(node))
        for i in empties:  # empty lists are not stored
            if not row[i]:
                row[i] = None
        if _RANGED[node.kind]:
            row += range_cells(node.ranges, _RANGED[node.kind])
        row += (name, n, _dump_json(node.attributes) if node.attributes else None)
        rows[node.kind].append(row)
    return rows


def relationship_rows(model: Ecosystem, element_ids: dict[str, str] | None = None) -> dict[str, list[list]]:
    """The relationship rows of :func:`model_rows`, by type (integers not checked); with
    ``element_ids`` (model id -> element id), each row is led by the element ids of its two ends, as
    :func:`relationship_statement` takes it (built in the same pass: a push's client CPU competes
    with the server's on a small machine)."""
    rows: dict[str, list[list]] = {t: [] for t in RELATIONSHIP_TYPES}
    lead = 0 if element_ids is None else 2
    for n, rel in enumerate(model.relationships):
        ends_and_fields, empties, _ = _REL_LAYOUT[rel.type]
        if lead:
            row = [element_ids[rel.source], element_ids[rel.target], *ends_and_fields(rel)]
        else:
            row = list(ends_and_fields(rel))
        for i in empties:
            if not row[lead + i]:
                row[lead + i] = None
        if _RANGED[rel.type]:
            row += range_cells(rel.ranges, _RANGED[rel.type])
        row += (n, _dump_json(rel.attributes) if rel.attributes else None)
        rows[rel.type].append(row)
    return rows


def _layout(keys: list[str]) -> tuple:
    """(getter of ``keys`` as a tuple, positions of list fields in a row, names of int fields)."""
    return (attrgetter(*keys) if len(keys) > 1 else lambda obj: (getattr(obj, keys[0]),),
            [i for i, k in enumerate(keys) if k in _EMPTY_AS_ABSENT],
            [k for k in keys if k in _INT_FIELDS])


_NODE_LAYOUT = {kind: _layout(_NODE_FIELDS[kind]) for kind in NODE_KINDS}
_REL_LAYOUT = {rtype: _layout(["source", "target", *_REL_FIELDS[rtype]]) for rtype in RELATIONSHIP_TYPES}


def _dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _node_item(props: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    item = {k: v for k, v in props.items() if k not in _NODE_RESERVED}
    if props.get("attributes"):
        item["attributes"] = json.loads(props["attributes"])
    return props.get("ord", 0), nest_ranges(item, _RANGED.get(str(item.get("kind")), ()))


def _rel_item(source: str, target: str, rtype: str, props: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    item = {"from": source, "to": target, "type": rtype}
    item.update((k, v) for k, v in props.items() if k not in _REL_RESERVED)
    if item.get("share_of") is not None:
        item.pop("amount", None)  # a linked flow's amount is stored for Cypher sums, derived again here
    if props.get("attributes"):
        item["attributes"] = json.loads(props["attributes"])
    return props.get("ord", 0), nest_ranges(item, _RANGED.get(rtype, ()))


# --------------------------------------------------------------------------------------- connecting


def safe_uri(uri: str) -> str:
    """The URI without any user:password@ part, for messages."""
    try:
        parts = urlsplit(uri)
        if parts.username or parts.password:
            host = parts.hostname or ""
            if parts.port:
                host += f":{parts.port}"
            return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    except ValueError:
        pass
    return uri


def _first_line(text: str) -> str:
    text = (text or "").strip()
    return text.splitlines()[0] if text else ""


def connect(uri: str, user: str | None = None, password: str | None = None,
            database: str | None = None, *, timeout: float = 15.0) -> "Store":
    """Open a :class:`Store` on a Bolt server and check that it answers (and that the database exists).

    ``user=None`` connects without authentication. Raises StoreConnectionError, StoreAuthError or
    StoreNotFoundError with a one-line message (never containing the password).
    """
    return Store(uri, user, password, database, timeout=timeout)


class Store:
    """A connection to one database on a Bolt server; use it as a context manager (it closes the driver).

    Parameters
    ----------
    uri : str
        e.g. ``neo4j://localhost:7687``, ``bolt://127.0.0.1:7687``, ``neo4j+s://xxxx.databases.neo4j.io``.
    user, password : str, optional
        Basic authentication; no user means no authentication.
    database : str, optional
        Database name, always passed to the server (default ``neo4j``).
    """

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, *, timeout: float = 15.0):
        import neo4j

        self.uri = uri
        self.user = user
        self.database = database or DEFAULT_DATABASE
        self._schema_ready = False
        self._explain_types: bool | None = None
        self.driver = None
        auth = (user, password or "") if user else None
        scheme = uri.partition("://")[0].lower() if "://" in uri else ""
        if scheme not in _SCHEMES:
            raise StoreConnectionError(f"invalid database URI '{safe_uri(uri)}': it must start with "
                                       f"{', '.join(s + '://' for s in _SCHEMES)}")
        with self._errors():
            try:
                self.driver = neo4j.GraphDatabase.driver(
                    uri, auth=auth, connection_timeout=timeout, connection_acquisition_timeout=timeout,
                    max_transaction_retry_time=timeout, notifications_min_severity="OFF",
                    user_agent="ecosystem-graph")
            except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
                if safe_uri(uri) != uri:
                    reason = "give the user and password as options (--user/--password), not in the URI"
                else:
                    reason = _first_line(str(exc)).rstrip(".")
                raise StoreConnectionError(f"invalid database URI '{safe_uri(uri)}': {reason}") from None
        try:
            with self._errors():
                self.driver.verify_connectivity()
                self._run("RETURN 1 AS ok")  # surfaces an unknown database now, not at the first query
                self.server_agent = self.driver.get_server_info().agent
        except BaseException:
            self.close()
            raise

    # ---- lifecycle

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()
            self.driver = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store(uri={safe_uri(self.uri)!r}, database={self.database!r})"

    # ---- errors

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver exceptions into the StoreError family, one line each."""
        import neo4j.exceptions as ne

        where = safe_uri(self.uri)
        try:
            yield
        except StoreError:
            raise
        except ne.AuthError:
            who = f" for user '{self.user}'" if self.user else " (no user given: set --user / NEO4J_USERNAME)"
            raise StoreAuthError(f"the server at {where} refused the credentials{who}") from None
        except ne.CypherSyntaxError as exc:
            raise StoreQueryError(f"Cypher syntax error: {_first_line(exc.message)}") from None
        except ne.Neo4jError as exc:
            code = exc.code or ""
            msg = _first_line(exc.message)
            if code.endswith("DatabaseNotFound") or "database does not exist" in msg.lower():
                raise StoreNotFoundError(f"database '{self.database}' does not exist on {where}") from None
            if code.endswith("Statement.AccessMode"):
                raise StoreQueryError(_WRITE_REFUSED) from None
            if code.startswith("Neo.ClientError.Security"):
                raise StoreAuthError(f"{where}: {msg or code}") from None
            raise StoreQueryError(f"{msg or code} ({code})" if msg and code else (msg or code)) from None
        except (ne.ServiceUnavailable, ne.SessionExpired, ne.ConnectionAcquisitionTimeoutError) as exc:
            raise StoreConnectionError(f"cannot reach the database server at {where}: {_reason(exc)}") from None
        except ne.DriverError as exc:
            raise StoreError(f"{where}: {_first_line(str(exc)) or type(exc).__name__}") from None
        except OSError as exc:
            raise StoreConnectionError(f"cannot reach the database server at {where}: {exc}") from None

    # ---- low-level helpers

    def _session(self, write: bool = True, **config):
        import neo4j

        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode, **config)

    def _run(self, cypher: str, **params) -> list[dict[str, Any]]:
        """One auto-commit statement; returns its records as dicts."""
        with self._errors(), self._session() as session:
            return session.run(cypher, params).data()

    def _write(self, cypher: str, **params) -> list[dict[str, Any]]:
        """One managed write transaction (retried by the driver on transient errors)."""
        def work(tx):
            return tx.run(cypher, params).data()

        with self._errors(), self._session() as session:
            return session.execute_write(work)

    def _write_value(self, cypher: str, **params) -> Any:
        """One managed write transaction of a statement returning one value: that value, as the
        driver decoded it (no ``data()`` conversion: a node batch's 5,000 pairs would cost ~10 ms)."""
        def work(tx):
            record = tx.run(cypher, params).single()
            return None if record is None else record[0]

        with self._errors(), self._session() as session:
            return session.execute_write(work)

    def _read(self, cypher: str, **params) -> list[dict[str, Any]]:
        def work(tx):
            return tx.run(cypher, params).data()

        with self._errors(), self._session(write=False) as session:
            return session.execute_read(work)

    # ---- schema

    def ensure_schema(self) -> None:
        """Apply ``schema.cypher`` (constraints and indexes; idempotent), once per Store."""
        if self._schema_ready:
            return
        for statement in schema_statements():
            self._run(statement)
        self._schema_ready = True

    # ---- ecosystems

    def _pointer(self, name: str) -> dict[str, Any] | None:
        rows = self._read(
            "MATCH (e:Ecosystem {name: $name}) "
            "OPTIONAL MATCH (v:EcosystemVersion {version: e.current}) "
            "RETURN e.current AS version, properties(v) AS meta", name=name)
        return rows[0] if rows else None

    def _require(self, name: str) -> dict[str, Any]:
        row = self._pointer(name)
        if row is None or row["meta"] is None:
            known = [e.name for e in self.list()]
            hint = ""
            if known:
                from ..validation import suggest

                close = suggest(name, known)
                hint = f"; did you mean '{close}'?" if close else f"; it holds: {', '.join(known[:10])}"
            else:
                hint = "; it holds no ecosystem yet (ecograph db push FILE)"
            raise StoreNotFoundError(f"no ecosystem named '{name}' in database '{self.database}'{hint}")
        return row

    def exists(self, name: str) -> bool:
        row = self._pointer(name)
        return row is not None and row["meta"] is not None

    def list(self) -> list[EcosystemInfo]:
        """Every ecosystem in the database (its current version), sorted by name."""
        rows = self._read(
            "MATCH (e:Ecosystem) MATCH (v:EcosystemVersion {version: e.current}) "
            "RETURN e.name AS name, v.model_name AS model_name, v.nodes AS nodes, "
            "v.relationships AS relationships, v.pushed_at AS pushed_at, v.version AS version")
        infos = [EcosystemInfo(r["name"], r["model_name"] or "", r["nodes"] or 0, r["relationships"] or 0,
                               r["pushed_at"] or "", r["version"]) for r in rows]
        return sorted(infos, key=lambda i: i.name)

    def push(self, model: Ecosystem, name: str | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE,
             progress: ProgressCallback | None = None, cleanup_on_failure: bool = True) -> PushResult:
        """Write ``model`` as the new current version of ecosystem ``name`` (default: the model's name).

        The nodes and relationships go into a new version in batches of ``batch_size`` rows (one
        transaction each); only when all are written does one small transaction make that version
        current. Until then readers see the previous version, whole. Afterwards every other version
        of this ecosystem (the replaced one, and leftovers of pushes that failed) is deleted.
        ``progress`` is called after each batch. When the push fails, its partial version is deleted
        (best effort; ``cleanup_on_failure=False`` leaves it, as a killed process would, for the next
        push to remove).
        """
        name = _check_name(name if name is not None else model.name)
        if batch_size < 1:
            raise StoreError("the batch size must be at least 1")
        check_integers(model)  # refused before anything is written
        total_nodes, total_rels = len(model.nodes), len(model.relationships)
        self.ensure_schema()
        current = self._pointer(name)
        keep = current["version"] if current else None
        self._delete_versions(name, keep=keep, batch_size=batch_size)  # leftovers of failed pushes
        version = uuid.uuid4().hex
        meta = {k: getattr(model, k) for k in _META_KEYS if getattr(model, k) is not None}
        self._write(
            "CREATE (v:EcosystemVersion {version: $version, ecosystem: $name, state: 'staging', "
            "started_at: $now}) SET v += $meta, v.model_name = $model_name",
            version=version, name=name, now=_now(), meta=meta, model_name=model.name)
        try:
            with gc_paused():
                batches = self._write_version(model, name, version, batch_size, progress)
            # The switch: one small transaction makes the new version current, or nothing changes.
            switched = self._write(
                "MATCH (v:EcosystemVersion {version: $version, state: 'staging'}) "
                "SET v.state = 'current', v.pushed_at = $now, v.nodes = $nodes, v.relationships = $rels "
                "MERGE (e:Ecosystem {name: $name}) "
                "WITH e, v, e.current AS previous "
                "SET e.current = $version "
                "WITH e, previous "
                "OPTIONAL MATCH (old:EcosystemVersion {version: previous}) "
                "SET old.state = 'replaced' "
                "RETURN previous",
                version=version, now=_now(), nodes=total_nodes, rels=total_rels, name=name)
            if not switched:
                raise StoreError(f"push of '{name}' abandoned: its staging version was removed while it was "
                                 f"being written (another push or drop of the same ecosystem?)")
        except BaseException:
            if cleanup_on_failure:
                with contextlib.suppress(Exception):
                    self._delete_version(version, batch_size)
            raise
        removed = self._delete_versions(name, keep=version, batch_size=batch_size)
        return PushResult(name, version, total_nodes, total_rels, batches, replaced=keep,
                          removed_versions=removed)

    def _write_version(self, model: Ecosystem, name: str, version: str, batch_size: int,
                       progress: ProgressCallback | None) -> int:
        """Write every node, then every relationship, of ``model`` into ``version``; returns the
        number of batches."""
        batches = done = 0
        element_ids: dict[str, str] = {}  # model id -> element id of its node in this version
        for cypher, rows in node_batches(model, name, batch_size):
            self._write_nodes(cypher, rows, version, element_ids)
            batches, done = batches + 1, done + len(rows)
            if progress:
                progress("nodes", done, len(model.nodes))
        done = 0
        for cypher, rows in relationship_batches(model, element_ids, batch_size):
            self._write_relationships(cypher, rows, version)
            batches, done = batches + 1, done + len(rows)
            if progress:
                progress("relationships", done, len(model.relationships))
        return batches

    def _write_nodes(self, cypher: str, rows: list[list], version: str, element_ids: dict[str, str]) -> None:
        created = self._write_value(cypher, rows=_Rows(rows), version=version) or []
        if len(created) != len(rows):
            raise StoreError(f"a push batch created {len(created)} of {len(rows)} nodes; nothing was made current")
        element_ids.update(created)

    def _write_relationships(self, cypher: str, rows: list[list], version: str) -> None:
        written = self._write_value(cypher, rows=_Rows(rows), version=version) or 0
        if written != len(rows):
            raise StoreError(f"a push batch wrote {written} of {len(rows)} relationships (their nodes were "
                             f"removed by a concurrent push or drop of the same ecosystem?); nothing was made "
                             f"current")

    def _delete_version(self, version: str, batch_size: int) -> None:
        # Marked first: a push still writing into this version can then no longer be switched to it
        # (the switch needs state 'staging'). The version node goes last, so that an interrupted
        # delete leaves it behind for the next push or drop of the ecosystem to find and finish.
        self._write("MATCH (v:EcosystemVersion {version: $version}) SET v.state = 'deleting'", version=version)
        while True:
            rows = self._write(
                f"MATCH (n:{NODE_LABEL}) WHERE {_IN_VERSION} WITH n LIMIT $limit "
                f"DETACH DELETE n RETURN count(*) AS deleted", version=version, limit=batch_size)
            if not rows or rows[0]["deleted"] == 0:
                break
        self._write("MATCH (v:EcosystemVersion {version: $version}) DELETE v", version=version)

    def _delete_versions(self, name: str, *, keep: str | None, batch_size: int) -> int:
        """Delete every version of ``name`` except ``keep``; returns how many were deleted."""
        rows = self._read("MATCH (v:EcosystemVersion {ecosystem: $name}) RETURN v.version AS version", name=name)
        stale = [r["version"] for r in rows if r["version"] != keep]
        for v in stale:
            self._delete_version(v, batch_size)
        return len(stale)

    def pull(self, name: str) -> Ecosystem:
        """The current version of ecosystem ``name`` as a validated model (what was pushed)."""
        from ..validation import validate_data

        for _ in range(3):
            row = self._require(name)
            version, meta = row["version"], row["meta"]
            nodes, rels = self._read_version(version)
            if len(nodes) == meta.get("nodes") and len(rels) == meta.get("relationships"):
                break
            # A push switched to a newer version and is deleting this one under us: read again.
            now = self._pointer(name)
            if now is not None and now["version"] == version:
                raise StoreError(f"ecosystem '{name}' is incomplete in the database: {len(nodes)} of "
                                 f"{meta.get('nodes')} nodes, {len(rels)} of {meta.get('relationships')} "
                                 f"relationships (edited by hand?)")
        else:
            raise StoreError(f"ecosystem '{name}' changed three times while it was read; try again")
        data: dict[str, Any] = {k: meta[k] for k in _META_KEYS if meta.get(k) is not None}
        data["name"] = meta.get("model_name", name)
        nodes.sort(key=lambda t: t[0])
        rels.sort(key=lambda t: t[0])
        data["nodes"] = [item for _, item in nodes]
        data["relationships"] = [item for _, item in rels]
        model, problems = validate_data(data)
        if model is None:
            errors = [p.format() for p in problems if p.is_error][:3]
            raise StoreError(f"ecosystem '{name}' in the database is not a valid model (edited by hand?): "
                             + "; ".join(errors))
        return model

    def _read_version(self, version: str) -> tuple[list, list]:
        # One stream, one record per node holding its properties and its outgoing relationships as
        # lists of primitives: a third of the records and none of the driver's per-record dict building
        # of a node query plus a relationship query (3-4x less client CPU on a 100k-node ecosystem).
        cypher = (f"MATCH (n:{NODE_LABEL}) WHERE {_IN_VERSION} "
                  f"RETURN properties(n) AS p, [(n)-[x]->(b) | [b.id, type(x), properties(x)]] AS out")

        def read_all(tx):
            nodes, rels = [], []
            for props, out in tx.run(cypher, version=version):
                nodes.append(_node_item(props))
                source = props.get("id")
                rels.extend(_rel_item(source, target, rtype, p) for target, rtype, p in out)
            return nodes, rels

        with self._errors(), self._session(write=False, fetch_size=_PULL_FETCH_SIZE) as session:
            return session.execute_read(read_all)

    def drop(self, name: str, *, batch_size: int = DEFAULT_BATCH_SIZE) -> EcosystemInfo:
        """Delete ecosystem ``name``: it disappears at once (one transaction removes its pointer), then
        its versions are deleted in batches. Returns what it was."""
        self._require(name)
        info = next(i for i in self.list() if i.name == name)
        self._write("MATCH (e:Ecosystem {name: $name}) DELETE e", name=name)
        self._delete_versions(name, keep=None, batch_size=batch_size)
        return info

    # ---- queries

    def query(self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None) -> QueryResult:
        """Run Cypher; read-only unless ``write=True``.

        A read query is first checked (:meth:`check_read_only`: nothing runs when it may write), then
        runs in an explicit READ transaction that is always rolled back; if the server still reports
        an update in its summary, the query is refused with StoreQueryError as well.
        """
        params = dict(params or {})
        if not write:
            self.check_read_only(cypher, params)
        return self._run_query(cypher, params, write=write, limit=limit)

    def check_read_only(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        """StoreQueryError, one line naming what writes, unless ``cypher`` is read-only; runs nothing.

        Two checks: :func:`~ecosystem_graph.store.readonly.find_write` on the text (every server:
        write clauses, ``LOAD CSV``, ``CALL ... IN TRANSACTIONS``, schema and administration commands,
        procedures not known to be read-only), then, on a server whose ``EXPLAIN`` tells a query's type
        (Neo4j does, ArcadeDB calls every plan a write), the planned type, which must be read (``r``).
        """
        found = find_write(cypher)
        what = found.describe() if found is not None else None
        if what is None and self._plans_tell_query_type():
            text = explain_text(cypher)
            if text is not None:
                with self._errors(), self._session(write=False) as session:
                    with session.begin_transaction() as tx:
                        query_type = tx.run(text, dict(params or {})).consume().query_type
                        tx.rollback()
                if query_type != "r":
                    what = f"the server plans it as {_QUERY_TYPES.get(query_type, repr(query_type))}"
        if what is not None:
            raise StoreQueryError(f"the query is not read-only ({what}) and was refused before it ran; "
                                  f"allow writes with --write")

    def _plans_tell_query_type(self) -> bool:
        """True when this server's ``EXPLAIN`` of a read query says it reads (asked once per Store)."""
        if self._explain_types is None:
            with self._errors(), self._session(write=False) as session:
                with session.begin_transaction() as tx:
                    self._explain_types = tx.run("EXPLAIN RETURN 1 AS one").consume().query_type == "r"
                    tx.rollback()
        return self._explain_types

    def _run_query(self, cypher: str, params: dict[str, Any], *, write: bool, limit: int | None) -> QueryResult:
        """Run ``cypher`` in one explicit transaction: committed when ``write``, else in READ mode and
        rolled back, and refused when the summary counts any update (ArcadeDB executes writes even in
        READ mode; Neo4j refuses them itself)."""
        with self._errors(), self._session(write=write) as session:
            tx = session.begin_transaction()
            try:
                result = tx.run(cypher, params)
                columns = list(result.keys())
                rows = []
                for record in result:
                    if limit is None or len(rows) < limit:
                        rows.append([_plain(v) for v in record.values()])
                summary = result.consume()
                counters = _counters(summary.counters)
                if not write and (summary.counters.contains_updates or summary.counters.contains_system_updates):
                    tx.rollback()
                    what = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counters.items())
                    raise StoreQueryError(f"{_WRITE_REFUSED} (rolled back: {what or 'updates'})")
                if write:
                    tx.commit()
                else:
                    tx.rollback()
            finally:
                if not tx.closed():
                    tx.close()
        return QueryResult(columns, rows, counters)

    def run_named(self, name: str, params: dict[str, Any] | None = None) -> QueryResult:
        """Run a query of the library (read-only) after checking its parameters and its ecosystem."""
        from .queries import get_query

        q = get_query(name)
        values = q.bind(params or {})
        if "ecosystem" in q.param_names:
            self._require(values["ecosystem"])
        result = self.query(q.cypher, values)
        if not result.columns:  # ArcadeDB sends no column names with an empty result; Neo4j does
            result.columns = [c for c, _ in q.columns]
        return result


_WRITE_REFUSED = "the query writes to the database and was refused; allow writes with --write"
_QUERY_TYPES = {"rw": "read-write", "w": "write-only", "s": "a schema write"}


def _reason(exc: Exception) -> str:
    """The useful part of a driver connection error (e.g. 'Connection refused')."""
    text = str(exc)
    m = re.search(r"reason[: ]+(?:\[Errno -?\d+\] )?([^)\n]+)", text)
    if m:
        return m.group(1).strip()
    line = _first_line(text).rstrip(":")
    return line or type(exc).__name__


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoreError("an ecosystem name must not be empty")
    if len(name) > 200:
        raise StoreError("an ecosystem name must be at most 200 characters")
    return name


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def node_batches(model: Ecosystem, name: str, batch_size: int) -> Iterator[tuple[str, list[list]]]:
    """The node batches of a push, in the order they are written: ``(cypher, rows)``, each kind with
    its own :func:`node_statement`."""
    for kind, rows in node_rows(model, name).items():
        cypher = node_statement(kind)
        for chunk in _chunks(rows, batch_size):
            yield cypher, chunk


def relationship_batches(model: Ecosystem, element_ids: dict[str, str],
                         batch_size: int) -> Iterator[tuple[str, list[list]]]:
    """The relationship batches of a push: ``(cypher, rows)``, each type with its own
    :func:`relationship_statement`; the rows are :func:`relationship_rows` with ``element_ids``.

    >>> m = Ecosystem.model_validate({"name": "T", "currency": "EUR", "period": "2024", "nodes": [
    ...     {"id": "a", "kind": "segment", "name": "A"}, {"id": "b", "kind": "satellite", "name": "B"}],
    ...     "relationships": [{"from": "a", "to": "b", "type": "USES", "share": 0.5}]})
    >>> [rows for _, rows in relationship_batches(m, {"a": "#1:0", "b": "#2:0"}, 10)]
    [[['#1:0', '#2:0', 'a', 'b', None, None, None, None, None, 0.5, None, None, None, None, None, None, 0, None]]]
    """
    for rtype, rows in relationship_rows(model, element_ids).items():
        cypher = relationship_statement(rtype)
        for chunk in _chunks(rows, batch_size):
            yield cypher, chunk


class _Rows(list):
    """A batch of rows whose ``repr`` is short: the driver formats every query's parameters for its
    debug log even when that log is off (``repr`` of 5,000 rows: ~12 ms per batch, 5% of a push)."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _chunks(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _counters(counters) -> dict[str, int]:
    out = {}
    for key in ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
                "properties_set", "labels_added", "labels_removed", "indexes_added", "indexes_removed",
                "constraints_added", "constraints_removed", "system_updates"):
        value = getattr(counters, key, 0)
        if value:
            out[key] = value
    return out


def _plain(value: Any) -> Any:
    """Driver values as plain JSON-able Python: nodes/relationships as dicts, paths as lists, temporals as text."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": {k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return str(value)

