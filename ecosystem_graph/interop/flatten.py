"""A model as two flat tables (elements and connections), the shape of a Kumu workbook and the CSV pair."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..model import NODE_CLASSES, RELATIONSHIP_CLASSES, Ecosystem
from ..range_columns import RANGE_PARTS, flat_name, flatten_ranges, ranged_properties
from .tabular import (
    ATTRIBUTE_PREFIX,
    JSON_SUFFIX,
    LIST_SEPARATOR,
    RESERVED_COLUMN_KEYS,
    infer_scalar,
    normalize_key,
)

__all__ = ["FlatTables", "flatten_model", "encode_list", "METADATA_KEYS"]

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXACT_INT = 2**53  # a workbook stores numbers as doubles

METADATA_KEYS = ("name", "currency", "period", "money_unit", "description", "schema_version")

# Field order after the key columns (every field of any class, each once, in the model's order).
_NODE_FIELDS = [f for f in dict.fromkeys(f for c in NODE_CLASSES.values() for f in c.model_fields)
                if f not in ("id", "kind", "name", "description", "tags", "attributes")]
_REL_FIELDS = [f for f in dict.fromkeys(f for c in RELATIONSHIP_CLASSES.values() for f in c.model_fields)
               if f not in ("id", "source", "target", "type", "description", "attributes")]


def _with_range_columns(fields: list[str], names) -> list[str]:
    # A ranged property's low, high and dist columns come right after it (``Amount``, ``Amount low``, ...).
    ranged = {p for name in names for p in ranged_properties(name)}
    return [c for f in fields for c in ([f] + ([flat_name(f, part) for part in RANGE_PARTS] if f in ranged else []))]


_NODE_FIELDS = _with_range_columns(_NODE_FIELDS, NODE_CLASSES)
_REL_FIELDS = _with_range_columns(_REL_FIELDS, RELATIONSHIP_CLASSES)


@dataclass
class FlatTables:
    """Headers and rows (lists of plain values, None for empty) of the element and connection tables."""

    element_headers: list[str]
    elements: list[list[Any]]
    connection_headers: list[str]
    connections: list[list[Any]]
    metadata: list[tuple[str, Any]]


def encode_list(values: list[Any], separator_ok: bool = True) -> str:
    """A list as one cell: ``a | b`` when that reads back the same (Kumu's style), else JSON.

    >>> encode_list(["retail", "prime"]), encode_list(["a|b", 2])
    ('retail | prime', '["a|b", 2]')
    """
    if separator_ok and values and all(
            isinstance(v, str) and v.strip() == v and v and LIST_SEPARATOR not in v for v in values) \
            and not values[0].startswith("["):
        return f" {LIST_SEPARATOR} ".join(values)
    return json.dumps(values, ensure_ascii=False)


def _header(name: str, style: str) -> str:
    if style == "csv":
        return name
    return name.replace("_", " ").capitalize()


def _reads_back(values: list[Any], style: str) -> bool:
    """Whether these values of one attribute survive as plain cells of one column (same type, no
    list; text that a CSV import would not take for a number; numbers a workbook keeps exactly)."""
    if len({type(v) for v in values}) != 1:
        return False
    for v in values:
        if isinstance(v, list):
            return False
        if isinstance(v, str):
            if not v or v != v.strip() or (style == "csv" and not isinstance(infer_scalar(v), str)):
                return False
            if style == "kumu" and (_XLSX_ILLEGAL.search(v) or v.startswith("[")):
                return False
        elif isinstance(v, bool):
            continue
        elif isinstance(v, int) and style == "kumu" and abs(v) > _EXACT_INT:
            return False
        elif isinstance(v, float) and style == "kumu" and (v.is_integer() or float(f"{v:.16g}") != v):
            return False  # a workbook gives 5.0 back as 5, and keeps 16 significant digits
    return True


def _json_cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if _XLSX_ILLEGAL.search(text) else text


def _attr_columns(items: list[dict], fixed: list[str], style: str) -> dict[str, tuple[str, bool]]:
    """For each attribute key: its column header and whether the column holds JSON.

    A plain column (header = the key) when an import reads every value back as it is; else
    ``attributes.KEY`` (the key would be taken for a field or a role) and/or ``:json`` cells."""
    taken = {normalize_key(h) for h in fixed}
    values: dict[str, list] = {}
    for item in items:
        for key, v in item.get("attributes", {}).items():
            if v is not None:
                values.setdefault(key, []).append(v)
    cols: dict[str, tuple[str, bool]] = {}
    for key, vals in values.items():
        as_json = not _reads_back(vals, style)
        norm = normalize_key(key)
        plain_name = not (norm in RESERVED_COLUMN_KEYS or key.startswith(ATTRIBUTE_PREFIX) or norm in taken
                          or key != key.strip() or not key or not norm)
        if plain_name and not as_json:
            taken.add(norm)
            cols[key] = (key, False)
        else:
            cols[key] = (ATTRIBUTE_PREFIX + key + (JSON_SUFFIX if as_json else ""), as_json)
    return cols


def _cell(value: Any, key: str) -> Any:
    if isinstance(value, list):
        return encode_list(value, separator_ok=key in ("tags", "mechanisms", "cost_types"))
    return value


def _attr_cells(attrs: dict[str, Any], cols: dict[str, tuple[str, bool]]) -> list[Any]:
    out = []
    for key, (_, as_json) in cols.items():
        v = attrs.get(key)
        out.append(None if v is None else _json_cell(v) if as_json else v)
    return out


def flatten_model(model: Ecosystem, style: str = "kumu") -> FlatTables:
    """The model as an element table and a connection table.

    ``style="kumu"``: headers ``ID, Label, Type, Description, Tags, Device, ...``, types written
    ``Satellite``/``PAYS``, From/To holding element IDs (Kumu accepts IDs or labels there).
    ``style="csv"``: headers ``id, name, kind, ...`` and ``id, from, to, type, ...``, kinds lower case.
    A ranged property is its base in its own column, its low, high and (unless pert) distribution in the
    columns after it (``Amount low``, ``Amount high``, ``Amount dist``; ``amount_low`` ... in CSV).
    Lists are one cell (see :func:`encode_list`); attributes get a column each, holding JSON text
    (header ``attributes.KEY:json``) when plain cells would not read back the same.
    """
    data = model.to_data()
    nodes = [flatten_ranges(n, ranged_properties(n["kind"])) for n in data["nodes"]]
    rels = [flatten_ranges(r, ranged_properties(r["type"])) for r in data["relationships"]]
    node_fields = [f for f in _NODE_FIELDS if any(f in n for n in nodes)]
    rel_fields = [f for f in _REL_FIELDS if any(f in r for r in rels)]

    key_cols = ["id", "name", "kind", "description", "tags"] if style == "csv" else \
        ["ID", "Label", "Type", "Description", "Tags"]
    fixed = key_cols + [_header(f, style) for f in node_fields]
    node_attrs = _attr_columns(nodes, fixed, style)
    element_headers = fixed + [h for h, _ in node_attrs.values()]
    elements = []
    for n in nodes:
        kind = n["kind"] if style == "csv" else n["kind"].capitalize()
        row = [n["id"], n["name"], kind, n.get("description"), _cell(n["tags"], "tags") if n.get("tags") else None]
        row += [_cell(n.get(f), f) for f in node_fields]
        row += _attr_cells(n.get("attributes", {}), node_attrs)
        elements.append(row)

    rel_key_cols = ["id", "from", "to", "type", "description"] if style == "csv" else \
        ["ID", "From", "To", "Type", "Description"]
    fixed = rel_key_cols + [_header(f, style) for f in rel_fields]
    rel_attrs = _attr_columns(rels, fixed, style)
    connection_headers = fixed + [h for h, _ in rel_attrs.values()]
    connections = []
    for r in rels:
        row = [r.get("id"), r["from"], r["to"], r["type"], r.get("description")]
        row += [_cell(r[f], f) if f in r and r[f] != [] else None for f in rel_fields]
        row += _attr_cells(r.get("attributes", {}), rel_attrs)
        connections.append(row)

    metadata = [(k, data[k]) for k in METADATA_KEYS if k in data]
    return FlatTables(element_headers, elements, connection_headers, connections, metadata)
