"""Rows of elements and connections (from a workbook, Kumu JSON or CSV) turned into a validated model."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..errors import InteropError, UsageError
from ..model import CORE, NODE_CLASSES, NODE_KINDS, RELATIONSHIP_CLASSES, RELATIONSHIP_TYPES, SEGMENT, Ecosystem
from ..range_columns import RANGE_PARTS, flat_name, nest_ranges, ranged_properties
from ..validation import Problem, path_text, suggest, validate_data
from .slug import SlugAllocator

__all__ = [
    "ImportProblem",
    "Location",
    "Record",
    "ImportOptions",
    "ImportResult",
    "TypeMap",
    "normalize_key",
    "parse_type_map",
    "build_model",
    "ATTRIBUTE_PREFIX",
    "JSON_SUFFIX",
    "LIST_SEPARATOR",
    "infer_scalar",
    "decode_list",
]

ATTRIBUTE_PREFIX = "attributes."
"""A column named ``attributes.X`` always goes into ``attributes['X']`` (used by exports for names that
would otherwise be taken for a field, e.g. an attribute called ``size`` on a partner)."""

JSON_SUFFIX = ":json"
"""A column ``attributes.X:json`` holds JSON text: lists, or values a plain cell would not keep."""

LIST_SEPARATOR = "|"
"""Kumu's separator for several values in one cell (``Tags``: ``retail | prime``)."""

DEFAULT_CURRENCY = "USD"
DEFAULT_PERIOD = "unspecified"


@dataclass
class ImportProblem(Problem):
    """A :class:`~ecosystem_graph.validation.Problem` that can point at a spreadsheet cell.

    ``source`` is then ``book.xlsx:Sheet`` and ``cell`` the A1-style reference, so the location reads
    ``book.xlsx:Connections!C7``.
    """

    cell: str | None = None

    def location(self) -> str:
        if self.cell:
            return f"{self.source}!{self.cell}"
        if self.line is None and not self.path and self.source:
            return self.source  # about the whole source (e.g. a default it was given)
        return super().location()

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["cell"] = self.cell
        return out


@dataclass(frozen=True)
class Location:
    """Where a value came from: a cell (``cell``), a line and column (CSV), or a data path (JSON)."""

    source: str
    cell: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple = ()

    def problem(self, severity: str, message: str) -> ImportProblem:
        return ImportProblem(severity, self.path, message, source=self.source, line=self.line,
                             column=self.column, cell=self.cell)


@dataclass
class Record:
    """One element or connection as read: values by column header (empty cells left out), and where
    each value and the record itself are in the source."""

    values: dict[str, Any]
    cells: dict[str, Location]
    row: Location

    def at(self, header: str | None) -> Location:
        return self.cells.get(header, self.row) if header is not None else self.row


@dataclass
class TypeMap:
    """User mappings from source type names (compared case-insensitively) to kinds and relationship types."""

    kinds: dict[str, str] = field(default_factory=dict)
    relationships: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportOptions:
    """Choices for an import; None means "take it from the source, else the default"."""

    name: str | None = None
    currency: str | None = None
    period: str | None = None
    money_unit: str | None = None
    type_map: TypeMap = field(default_factory=TypeMap)


@dataclass
class ImportResult:
    """A valid imported model and the warnings found on the way."""

    model: Ecosystem
    warnings: list[Problem] = field(default_factory=list)


_SPACES = re.compile(r"[\s\-]+")


def normalize_key(header: object) -> str:
    """``'Switching cost'`` -> ``'switching_cost'``: lower case, spaces and hyphens as ``_``.

    >>> normalize_key(" Element  Type ")
    'element_type'
    """
    return _SPACES.sub("_", str(header).strip().lower())


def _type_key(value: object) -> str:
    return _SPACES.sub(" ", str(value).strip().lower())


# Names (after _type_key) that mean a kind or a relationship type, besides the kind/type itself.
_KIND_NAMES: dict[str, str] = {}
for _k in NODE_KINDS:
    _KIND_NAMES[_k] = _k
    _KIND_NAMES[_k + "s"] = _k
_KIND_NAMES.update({
    "business core": CORE, "business cores": CORE,
    "customer segment": SEGMENT, "customer segments": SEGMENT,
    "customer group": SEGMENT, "customer groups": SEGMENT,
})
_REL_NAMES: dict[str, str] = {}
for _t in RELATIONSHIP_TYPES:
    _REL_NAMES[_t.lower().replace("_", " ")] = _t
_REL_NAMES.update({
    "use": "USES", "pay": "PAYS", "feed": "FEEDS", "reach": "REACHES", "supply": "SUPPLIES",
    "depends": "DEPENDS_ON", "depend on": "DEPENDS_ON", "converts": "CONVERTS_TO", "convert to": "CONVERTS_TO",
})


def parse_type_map(items: Iterable[str]) -> TypeMap:
    """Parse ``--map`` values ``"Source type=target"``; the target is a node kind or a relationship type
    (case-insensitive), which says whether the mapping is for elements or for connections.

    >>> parse_type_map(["Product=satellite", "Buys from=pays"])
    TypeMap(kinds={'product': 'satellite'}, relationships={'buys from': 'PAYS'})
    """
    out = TypeMap()
    for item in items:
        source, sep, target = str(item).rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise UsageError(f"--map '{item}' must look like 'Source type=kind', e.g. 'Product=satellite' "
                             f"or 'Buys from=PAYS'")
        t = target.strip()
        if t.lower() in NODE_KINDS:
            out.kinds[_type_key(source)] = t.lower()
        elif normalize_key(t).upper() in RELATIONSHIP_TYPES:
            out.relationships[_type_key(source)] = normalize_key(t).upper()
        else:
            hint = suggest(t, list(NODE_KINDS) + list(RELATIONSHIP_TYPES))
            raise UsageError(
                f"--map '{item}': '{t}' is neither a node kind ({', '.join(NODE_KINDS)}) nor a relationship "
                f"type ({', '.join(RELATIONSHIP_TYPES)})" + (f"; did you mean '{hint}'?" if hint else ""))
    return out


def _resolve_type_cell(rec, type_h, problems: list, *, missing: str, unknown: str, allowed, resolve, names,
                       map_target: str):
    """The kind or relationship type named in a record's Type cell, or None after adding the problem
    (a missing cell, or a name that neither the vocabulary nor --map knows, with the closest name)."""
    if type_h is None or _is_empty(rec.values[type_h]):
        problems.append(rec.at(type_h).problem(
            "error", f"missing type for {missing}; expected one of {', '.join(allowed)} "
                     f"(or a type mapped with --map 'Type={map_target}')"))
        return None
    raw = _text(rec.values[type_h])
    resolved = resolve(raw)
    if resolved is None:
        hint = suggest(raw, names)
        hint_text = f"; did you mean '{hint}'?" if hint else ""
        problems.append(rec.at(type_h).problem(
            "error", f"unknown {unknown(raw)}; expected one of "
                     f"{', '.join(allowed)}{hint_text} (or map it: --map '{raw}={map_target}')"))
    return resolved


def _resolve_kind(raw: object, type_map: TypeMap) -> str | None:
    key = _type_key(raw)
    return type_map.kinds.get(key) or _KIND_NAMES.get(key)


def _resolve_rel_type(raw: object, type_map: TypeMap) -> str | None:
    key = _type_key(raw)
    if key in type_map.relationships:
        return type_map.relationships[key]
    return _REL_NAMES.get(key.replace("_", " "))


# Columns with a meaning of their own (after normalize_key).
_ELEMENT_ROLES = {
    "id": "id", "_id": "ref",  # Kumu's own ids (backups): used to resolve From/To, not kept as our ids
    "label": "label", "name": "label",
    "type": "type", "kind": "type", "element_type": "type",
    "description": "description",
    "tags": "tags", "tag": "tags",
}
_CONNECTION_ROLES = {
    "id": "id", "_id": "ref",
    "from": "from", "source": "from",
    "to": "to", "target": "to",
    "type": "type", "connection_type": "type", "relationship_type": "type",
    "description": "description",
    "direction": "direction",
}
_LIST_FIELDS = {"tags", "mechanisms", "cost_types"}
_VOCAB_FIELDS = {"mechanisms", "cost_types", "stream"}  # values normalised like keys: "Loyalty program"
RESERVED_COLUMN_KEYS = frozenset(
    set(_ELEMENT_ROLES) | set(_CONNECTION_ROLES)
    | {f for cls in NODE_CLASSES.values() for f in cls.model_fields}
    | {f for cls in RELATIONSHIP_CLASSES.values() for f in cls.model_fields}
    | {"attributes", "from", "to"}
)
"""Column names (normalised) that an import reads as something other than a free attribute."""

_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def infer_scalar(text: str) -> Any:
    """A CSV cell's text as the value it most likely is: whole number, number, true/false, else the
    text itself (``007`` stays text: a number would lose its zeros).

    >>> infer_scalar("12"), infer_scalar("0.5"), infer_scalar("true"), infer_scalar("007"), infer_scalar("a")
    (12, 0.5, True, '007', 'a')
    """
    if _NUMBER.match(text):
        if re.match(r"^-?[0-9]+$", text):
            return int(text)
        value = float(text)
        return value if value not in (float("inf"), float("-inf")) else text
    if text in ("true", "false"):
        return text == "true"
    return text


def decode_list(value: Any) -> Any:
    """A string holding a JSON list of scalars (``'["a", 2]'``) as that list; anything else unchanged."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, list) and all(
                isinstance(x, (str, int, float, bool)) for x in parsed):
            return parsed
    return value


def _split_list(value: Any, vocab: bool) -> Any:
    """A list cell as a list: ``a | b`` split and each item stripped (empty items dropped); a JSON list
    (``["\\tpremium", " b"]``) as written, each text exactly as quoted (the export writes a list as JSON
    precisely when an item has surrounding whitespace or is empty, so that it reads back the same);
    ``vocab`` items are normalised like keys either way."""
    exact = False
    if isinstance(value, str):
        decoded = decode_list(value.strip())
        exact = isinstance(decoded, list) and not vocab
        items = decoded if isinstance(decoded, list) else [p for p in value.split(LIST_SEPARATOR)]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return value  # let validation say it must be a list
    if exact:
        return items
    out = []
    for item in items:
        if isinstance(item, str):
            item = item.strip()
            if not item:
                continue
            if vocab:
                item = normalize_key(item)
        out.append(item)
    return out


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ------------------------------------------------------------------------------------------ the build


@dataclass
class _Element:
    record: Record
    index: int
    label: str | None
    kind: str | None
    explicit_id: str | None
    ref: str | None = None  # another name for it in From/To (Kumu's _id)
    id: str | None = None
    node_index: int | None = None  # position in data["nodes"], None when left out


def build_model(
    elements: list[Record],
    connections: list[Record],
    *,
    source: str,
    options: ImportOptions | None = None,
    metadata: Mapping[str, tuple[Any, Location]] | None = None,
    element_sheet: str = "Elements",
    infer_types: bool = False,
    warnings: Iterable[Problem] = (),
) -> ImportResult:
    """Build and validate a model from element and connection records.

    Every problem (unknown type, missing or duplicate label, reference to a missing element, and
    whatever model validation finds) is collected and raised at once as InteropError, each problem
    located at its cell, line or path. ``metadata`` holds values read from the source itself
    (name, currency, period, money_unit, description) with their locations; ``options`` override them.
    ``infer_types`` turns CSV text such as ``12`` or ``true`` into numbers and booleans for attributes.
    """
    options = options or ImportOptions()
    problems: list[Problem] = list(warnings)
    type_map = options.type_map

    # ---- elements: label, kind, explicit id
    items: list[_Element] = []
    for i, rec in enumerate(elements):
        roles = _roles(rec, _ELEMENT_ROLES)
        label_h, type_h, id_h = roles.get("label"), roles.get("type"), roles.get("id")
        label = _text(rec.values[label_h]) if label_h and not _is_empty(rec.values[label_h]) else None
        if label is None:
            problems.append(rec.at(label_h).problem("error", "missing label: every element needs a Label"))
        kind = _resolve_type_cell(
            rec, type_h, problems, missing=f"element {_quote(label)}",
            unknown=lambda raw: f"element type '{raw}' for {_quote(label)}",
            allowed=NODE_KINDS, resolve=lambda raw: _resolve_kind(raw, type_map),
            names=list(_KIND_NAMES) + list(type_map.kinds), map_target="kind")
        explicit = _text(rec.values[id_h]) if id_h and not _is_empty(rec.values[id_h]) else None
        ref_h = roles.get("ref")
        ref = _text(rec.values[ref_h]) if ref_h and not _is_empty(rec.values[ref_h]) else None
        items.append(_Element(rec, i, label, kind, explicit, ref))

    by_id: dict[str, _Element] = {}
    for el in items:
        if el.explicit_id is None:
            continue
        if el.explicit_id in by_id:
            first = by_id[el.explicit_id]
            problems.append(el.record.at(_roles(el.record, _ELEMENT_ROLES).get("id")).problem(
                "error", f"duplicate id '{el.explicit_id}'; first used at {first.record.row.problem('error', '').location()}"))
        else:
            by_id[el.explicit_id] = el

    by_label: dict[str, list[_Element]] = {}
    for el in items:
        if el.label is None:
            continue
        same = by_label.setdefault(el.label, [])
        if same and (el.explicit_id is None or any(o.explicit_id is None for o in same)):
            first = same[0]
            problems.append(el.record.at(_roles(el.record, _ELEMENT_ROLES).get("label")).problem(
                "error", f"duplicate label '{el.label}'; first used at "
                         f"{first.record.row.problem('error', '').location()} (labels name elements in "
                         f"From/To, so they must be unique; or give each element an ID)"))
        same.append(el)

    # ---- ids: explicit ones first, then slugs of labels
    slugs = SlugAllocator(reserved=by_id)
    for el in items:
        if el.explicit_id is not None and by_id.get(el.explicit_id) is el:
            el.id = el.explicit_id
        elif el.explicit_id is None and el.label is not None:
            el.id = slugs.allocate(el.label, fallback=el.kind or "node")

    data: dict[str, Any] = {}
    meta_locs: dict[str, Location] = {}
    _fill_metadata(data, meta_locs, options, metadata or {}, source, problems)

    nodes: list[dict[str, Any]] = []
    node_locs: list[Record] = []
    node_headers: list[dict[str, str]] = []
    for el in items:
        if el.kind is None or el.id is None or el.label is None:
            continue
        node, headers = _node_data(el, infer_types, problems)
        el.node_index = len(nodes)
        nodes.append(node)
        node_locs.append(el.record)
        node_headers.append(headers)
    data["nodes"] = nodes

    # ---- connections
    rels: list[dict[str, Any]] = []
    rel_locs: list[Record] = []
    rel_headers: list[dict[str, str]] = []
    for el in items:
        if el.ref is not None and el.ref not in by_id:
            by_id[el.ref] = el
    labels_ci: dict[str, list[_Element]] = {}
    for el in items:
        if el.label is not None:
            labels_ci.setdefault(el.label.casefold(), []).append(el)
    for rec in connections:
        roles = _roles(rec, _CONNECTION_ROLES)
        ends: dict[str, _Element | None] = {}
        ok = True
        for end in ("from", "to"):
            h = roles.get(end)
            if h is None or _is_empty(rec.values[h]):
                problems.append(rec.at(h).problem(
                    "error", f"missing '{end.capitalize()}': every connection needs a From and a To element"))
                ok = False
                continue
            ref = _text(rec.values[h])
            el = _resolve_ref(ref, by_id, by_label, labels_ci)
            if el is None:
                hint = suggest(ref, [e.label for e in items if e.label] + list(by_id))
                problems.append(rec.at(h).problem(
                    "error", f"'{ref}' in {end.capitalize()} is not an element in {element_sheet}"
                             + (f"; did you mean '{hint}'?" if hint else "")))
                ok = False
            elif el == "ambiguous":
                problems.append(rec.at(h).problem(
                    "error", f"'{ref}' in {end.capitalize()} is the label of several elements; refer to one "
                             f"by its ID"))
                ok = False
            else:
                ends[end] = el
        type_h = roles.get("type")
        rtype = _resolve_type_cell(
            rec, type_h, problems, missing="the connection",
            unknown=lambda raw: f"connection type '{raw}'",
            allowed=RELATIONSHIP_TYPES, resolve=lambda raw: _resolve_rel_type(raw, type_map),
            names=list(RELATIONSHIP_TYPES) + list(type_map.relationships), map_target="TYPE")
        dir_h = roles.get("direction")
        if dir_h and not _is_empty(rec.values[dir_h]):
            direction = _text(rec.values[dir_h]).lower()
            if direction in ("mutual", "undirected"):
                problems.append(rec.at(dir_h).problem(
                    "warning", f"connection is {direction} in the source; imported as directed From -> To"))
        if not ok or rtype is None:
            continue
        src, dst = ends["from"], ends["to"]
        if src.node_index is None or dst.node_index is None:
            continue  # the element itself has a problem, reported above
        rel, headers = _relationship_data(rec, roles, rtype, src.id, dst.id, infer_types, problems)
        rels.append(rel)
        rel_locs.append(rec)
        rel_headers.append(headers)
    data["relationships"] = rels

    import_errors = any(p.is_error for p in problems)
    model, found = validate_data(data)
    for p in found:
        if import_errors and not p.is_error:
            continue  # warnings about a half-built model would only be noise
        problems.append(_relocate(p, source, meta_locs, node_locs, node_headers, rel_locs, rel_headers))
    _sort(problems)
    if any(p.is_error for p in problems) or model is None:
        errors = [p for p in problems if p.is_error]
        n = len(errors)
        raise InteropError("\n".join(p.format() for p in problems)
                           + f"\n{n} error{'s' if n != 1 else ''} in {source}; nothing written",
                           problems=problems)
    return ImportResult(model, problems)


_CELL = re.compile(r"^([A-Z]+)([0-9]+)$")


def _sort(problems: list[Problem]) -> None:
    """In place: by source (in the order sources first appear: elements before connections), then
    row and column."""
    order: dict[str, int] = {}
    for p in problems:
        order.setdefault(p.source or "", len(order))

    def key(p: Problem):
        row, col = p.line or 0, p.column or 0
        m = _CELL.match(getattr(p, "cell", None) or "")
        if m:
            letters, digits = m.groups()
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            row = int(digits)
        return order[p.source or ""], row, col

    problems.sort(key=key)


def _quote(label: str | None) -> str:
    return f"'{label}'" if label else "an unnamed element"


def _roles(rec: Record, table: dict[str, str]) -> dict[str, str]:
    """Role -> header in this record, for the headers with a meaning of their own."""
    out: dict[str, str] = {}
    for header in rec.values:
        role = table.get(normalize_key(header))
        if role and role not in out:
            out[role] = header
    return out


def _resolve_ref(ref: str, by_id: dict, by_label: dict, labels_ci: dict):
    if ref in by_id:
        return by_id[ref]
    same = by_label.get(ref)
    if same is None:
        same = labels_ci.get(ref.casefold())
    if not same:
        return None
    return same[0] if len(same) == 1 else "ambiguous"


def _field_value(key: str, value: Any) -> Any:
    if key in _LIST_FIELDS:
        return _split_list(value, vocab=key in _VOCAB_FIELDS)
    if key in _VOCAB_FIELDS and isinstance(value, str):
        return normalize_key(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _attribute_value(value: Any, infer_types: bool) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return infer_scalar(value) if infer_types else value
    return value


def _extra_columns(rec: Record, roles: dict[str, str], fields: set[str], out: dict[str, Any],
                   infer_types: bool, problems: list[Problem]) -> dict[str, str]:
    """Put every other column into a field of that name or into attributes; returns field -> header."""
    used = set(roles.values())
    headers: dict[str, str] = {}
    for header, value in rec.values.items():
        if header in used or _is_empty(value):
            continue
        key = normalize_key(header)
        if str(header).startswith(ATTRIBUTE_PREFIX) and str(header).endswith(JSON_SUFFIX):
            name = str(header)[len(ATTRIBUTE_PREFIX):-len(JSON_SUFFIX)]
            try:
                decoded = json.loads(value) if isinstance(value, str) else value
            except ValueError as exc:
                problems.append(rec.at(header).problem("error", f"column '{header}' holds JSON, but this "
                                                                f"is not JSON text ({exc.msg})"))
                continue
            out.setdefault("attributes", {})[name] = decoded
            headers[f"attributes.{name}"] = header
        elif str(header).startswith(ATTRIBUTE_PREFIX):
            name = str(header)[len(ATTRIBUTE_PREFIX):]
            out.setdefault("attributes", {})[name] = _attribute_value(value, infer_types)
            headers[f"attributes.{name}"] = header
        elif key in fields:
            out[key] = _field_value(key, value)
            headers[key] = header
        else:
            name = str(header).strip()
            out.setdefault("attributes", {})[name] = _attribute_value(value, infer_types)
            headers[f"attributes.{name}"] = header
    return headers


def _node_data(el: _Element, infer_types: bool, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, str]]:
    rec = el.record
    roles = _roles(rec, _ELEMENT_ROLES)
    node: dict[str, Any] = {"id": el.id, "kind": el.kind, "name": el.label}
    headers = {"id": roles.get("id") or roles.get("label"), "kind": roles.get("type"), "name": roles.get("label")}
    if "description" in roles and not _is_empty(rec.values[roles["description"]]):
        node["description"] = _text(rec.values[roles["description"]])
        headers["description"] = roles["description"]
    if "tags" in roles and not _is_empty(rec.values[roles["tags"]]):
        node["tags"] = _split_list(rec.values[roles["tags"]], vocab=False)
        headers["tags"] = roles["tags"]
    own = set(NODE_CLASSES[el.kind].model_fields) - {"id", "kind", "name", "description", "tags", "attributes"}
    headers.update(_extra_columns(rec, roles, own | _range_columns(el.kind), node, infer_types, problems))
    _gather_ranges(rec, el.kind, node, headers, problems)
    return node, headers


def _range_columns(kind_or_type: str) -> set[str]:
    return {flat_name(p, part) for p in ranged_properties(kind_or_type) for part in RANGE_PARTS}


def _gather_ranges(rec: Record, kind_or_type: str, item: dict[str, Any], headers: dict[str, str],
                   problems: list[Problem]) -> None:
    """``Amount low``/``Amount high``/``Amount dist`` columns (read as ``amount_low`` ...) and ``Amount`` made one
    range mapping; a low or high without the base column is an error at that cell."""
    props = ranged_properties(kind_or_type)
    nested = nest_ranges(item, props)
    for prop in props:
        value = nested.get(prop)
        if isinstance(value, dict) and "base" not in value:
            parts = [flat_name(prop, part) for part in RANGE_PARTS if part in value]
            problems.append(rec.at(headers.get(parts[0])).problem(
                "error", f"'{headers.get(parts[0])}' is given without a base value; give the base in a column "
                         f"'{prop.replace('_', ' ').capitalize()}' too"))
            del nested[prop]
    item.clear()
    item.update(nested)


def _relationship_data(rec: Record, roles: dict[str, str], rtype: str, src: str, dst: str,
                       infer_types: bool, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, str]]:
    rel: dict[str, Any] = {"from": src, "to": dst, "type": rtype}
    headers = {"from": roles["from"], "to": roles["to"], "type": roles["type"]}
    if "id" in roles and not _is_empty(rec.values[roles["id"]]):
        rel["id"] = _text(rec.values[roles["id"]])
        headers["id"] = roles["id"]
    if "description" in roles and not _is_empty(rec.values[roles["description"]]):
        rel["description"] = _text(rec.values[roles["description"]])
        headers["description"] = roles["description"]
    own = set(RELATIONSHIP_CLASSES[rtype].model_fields) - {
        "id", "source", "target", "type", "description", "attributes"}
    headers.update(_extra_columns(rec, roles, own | _range_columns(rtype), rel, infer_types, problems))
    _gather_ranges(rec, rtype, rel, headers, problems)
    return rel, headers


def _fill_metadata(data: dict, locs: dict, options: ImportOptions, metadata: Mapping, source: str,
                   problems: list[Problem]) -> None:
    here = Location(source)
    chosen = {"name": options.name, "currency": options.currency, "period": options.period,
              "money_unit": options.money_unit}
    for key in ("name", "currency", "period", "money_unit", "description"):
        if chosen.get(key) is not None:
            data[key] = chosen[key]
            locs[key] = here
        elif key in metadata and not _is_empty(metadata[key][0]):
            value, loc = metadata[key]
            data[key] = _text(value)
            locs[key] = loc
    if "name" not in data:
        data["name"] = _default_name(source)
        locs["name"] = here
    if "currency" not in data:
        data["currency"] = DEFAULT_CURRENCY
        locs["currency"] = here
        problems.append(here.problem("warning", f"no currency given; assumed {DEFAULT_CURRENCY} "
                                                f"(set it with --currency)"))
    if "period" not in data:
        data["period"] = DEFAULT_PERIOD
        locs["period"] = here
        problems.append(here.problem("warning", f"no period given; set to '{DEFAULT_PERIOD}' "
                                                f"(set it with --period, e.g. --period 2023)"))


def _default_name(source: str) -> str:
    import os

    base = os.path.basename(source.rstrip("/\\")) or source
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem.replace("_", " ").replace("-", " ").strip() or "Imported ecosystem"


def _relocate(p: Problem, source: str, meta_locs: dict, node_recs: list[Record], node_headers: list[dict],
              rel_recs: list[Record], rel_headers: list[dict]) -> Problem:
    """A validation problem on the built data, moved to the cell (or line, or path) it came from."""
    path = tuple(p.path)
    if len(path) >= 2 and path[0] in ("nodes", "relationships") and isinstance(path[1], int):
        recs, headers = (node_recs, node_headers) if path[0] == "nodes" else (rel_recs, rel_headers)
        if path[1] < len(recs):
            rec, hmap = recs[path[1]], headers[path[1]]
            rest = path[2:]
            header = None
            shown = path[:2] + rest[:2] if rest[:1] == ("attributes",) else path[:3]
            if len(rest) >= 2 and rest[1] in RANGE_PARTS and hmap.get(flat_name(rest[0], rest[1])):
                header = hmap[flat_name(rest[0], rest[1])]  # a range's low, high or dist: its own column
                shown = path[:4]
            elif len(rest) >= 2 and rest[1] == "base":
                shown = path[:4]
            if rest and header is None:
                key = rest[0] if rest[0] != "attributes" or len(rest) < 2 else f"attributes.{rest[1]}"
                header = hmap.get(key)
            loc = rec.at(header)
            message = p.message
            if header is not None:
                message = message.replace(path_text(shown), f"'{header}'")
            message = message.replace(path_text(path[:2]), "this row")
            return loc.problem(p.severity, message)
    key = path[0] if path else None
    loc = meta_locs.get(key, Location(source))
    return loc.problem(p.severity, p.message)
