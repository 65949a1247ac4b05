"""A model as two flat tables (elements and connections), the shape of a Kumu workbook and the CSV pair."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..model import NODE_CLASSES, RELATIONSHIP_CLASSES, Ecosystem
from .tabular import ATTRIBUTE_PREFIX, LIST_SEPARATOR, RESERVED_COLUMN_KEYS, normalize_key

__all__ = ["FlatTables", "flatten_model", "encode_list", "METADATA_KEYS"]

METADATA_KEYS = ("name", "currency", "period", "money_unit", "description", "schema_version")

# Field order after the key columns (every field of any class, each once, in the model's order).
_NODE_FIELDS = [f for f in dict.fromkeys(f for c in NODE_CLASSES.values() for f in c.model_fields)
                if f not in ("id", "kind", "name", "description", "tags", "attributes")]
_REL_FIELDS = [f for f in dict.fromkeys(f for c in RELATIONSHIP_CLASSES.values() for f in c.model_fields)
               if f not in ("id", "source", "target", "type", "description", "attributes")]


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


def _attr_header(key: str, taken: set[str]) -> str:
    # A plain column when an import would read it back as this attribute, else "attributes.KEY".
    norm = normalize_key(key)
    if (norm in RESERVED_COLUMN_KEYS or key.startswith(ATTRIBUTE_PREFIX) or norm in taken
            or key != key.strip() or not key):
        return ATTRIBUTE_PREFIX + key
    taken.add(norm)
    return key


def _cell(value: Any, key: str) -> Any:
    if isinstance(value, list):
        return encode_list(value, separator_ok=key in ("tags", "mechanisms", "cost_types"))
    return value


def flatten_model(model: Ecosystem, style: str = "kumu") -> FlatTables:
    """The model as an element table and a connection table.

    ``style="kumu"``: headers ``ID, Label, Type, Description, Tags, Device, ...``, types written
    ``Satellite``/``PAYS``, From/To holding element IDs (Kumu accepts IDs or labels there).
    ``style="csv"``: headers ``id, name, kind, ...`` and ``id, from, to, type, ...``, kinds lower case.
    Lists are one cell (see :func:`encode_list`); attributes get a column each.
    """
    data = model.to_data()
    nodes, rels = data["nodes"], data["relationships"]
    node_fields = [f for f in _NODE_FIELDS if any(f in n for n in nodes)]
    rel_fields = [f for f in _REL_FIELDS if any(f in r for r in rels)]

    def attr_columns(items: list[dict], fixed: list[str]) -> dict[str, str]:
        taken = {normalize_key(h) for h in fixed}
        cols: dict[str, str] = {}
        for item in items:
            for key in item.get("attributes", {}):
                if key not in cols:
                    cols[key] = _attr_header(key, taken)
        return cols

    key_cols = ["id", "name", "kind", "description", "tags"] if style == "csv" else \
        ["ID", "Label", "Type", "Description", "Tags"]
    fixed = key_cols + [_header(f, style) for f in node_fields]
    node_attrs = attr_columns(nodes, fixed)
    element_headers = fixed + list(node_attrs.values())
    elements = []
    for n in nodes:
        kind = n["kind"] if style == "csv" else n["kind"].capitalize()
        row = [n["id"], n["name"], kind, n.get("description"), _cell(n["tags"], "tags") if n.get("tags") else None]
        row += [_cell(n.get(f), f) for f in node_fields]
        attrs = n.get("attributes", {})
        row += [_cell(attrs[k], k) if k in attrs and attrs[k] is not None else None for k in node_attrs]
        elements.append(row)

    rel_key_cols = ["id", "from", "to", "type", "description"] if style == "csv" else \
        ["ID", "From", "To", "Type", "Description"]
    fixed = rel_key_cols + [_header(f, style) for f in rel_fields]
    rel_attrs = attr_columns(rels, fixed)
    connection_headers = fixed + list(rel_attrs.values())
    connections = []
    for r in rels:
        row = [r.get("id"), r["from"], r["to"], r["type"], r.get("description")]
        row += [_cell(r[f], f) if f in r and r[f] != [] else None for f in rel_fields]
        attrs = r.get("attributes", {})
        row += [_cell(attrs[k], k) if k in attrs and attrs[k] is not None else None for k in rel_attrs]
        connections.append(row)

    metadata = [(k, data[k]) for k in METADATA_KEYS if k in data]
    return FlatTables(element_headers, elements, connection_headers, connections, metadata)
