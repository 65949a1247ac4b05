"""GraphML and GEXF: the model as a flat attributed graph that Gephi and networkx read, and back.

Graph formats hold only scalar attributes, so the model is flattened (the encoding is documented in
``docs/interop.md``):

* graph attributes: the metadata (name, currency, period, ...) and ``ecograph_format`` = 1; GEXF has no
  graph attributes, so there they are a JSON object in ``<meta><description>`` (networkx keeps only the
  name, :func:`read_graph_file` reads them all);
* nodes: id = model id; ``label`` = name (what Gephi shows), ``kind``, ``name`` and every field;
* edges: ``label`` = relationship type (shown by Gephi), ``rel_type`` = the type (GEXF reserves ``type``
  for the edge direction), ``rel_id`` = the relationship's id when it has one, and every property;
* lists (tags, mechanisms, cost_types) as JSON text: ``["durable_purchase", "loyalty_program"]``;
* each free attribute ``X`` as ``attributes.X``; but as ``attributes.X:json`` holding JSON text when ``X``
  is a list on some node (or edge), or its values differ in type between nodes (GEXF and GraphML give
  each attribute one type);
* edges carry ``ord``, their position in the model file, so that the relationships come back in order;
* a linked PAYS (``share_of``, ``share``) also carries its derived ``amount`` (so every PAYS edge has its
  money for Gephi); reading drops it and derives it again;
* a ranged property (``amount: {low, base, high, dist}``) as its base under its own name, and its parts as
  ``amount_low``, ``amount_high`` and, unless it is pert, ``amount_dist``; reading gathers them again;
* values that are None are left out.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import networkx as nx

from ..errors import InteropError
from ..graph import GRAPH_METADATA_KEYS
from ..model import Ecosystem
from ..range_columns import flatten_ranges, nest_ranges, ranged_properties
from ..validation import validate_data

__all__ = ["FORMAT_VERSION", "to_interchange", "from_interchange", "graphml_text", "gexf_text",
           "read_graph_file"]

FORMAT_VERSION = 1
_LIST_FIELDS = ("tags", "mechanisms", "cost_types")
_ATTR = "attributes."
_JSON_SUFFIX = ":json"


def _json_keys(items: list[dict[str, Any]]) -> set[str]:
    """Attribute keys that must be JSON text: a list somewhere, or values of different types."""
    types: dict[str, set] = {}
    for item in items:
        for k, v in item.get("attributes", {}).items():
            if v is not None:
                types.setdefault(k, set()).add(type(v))
    return {k for k, ts in types.items() if len(ts) > 1 or list in ts}


def _flat_attributes(attrs: dict[str, Any], out: dict[str, Any], as_json: set[str]) -> None:
    for k, v in attrs.items():
        if v is None:
            continue
        if k in as_json:
            out[_ATTR + k + _JSON_SUFFIX] = json.dumps(v, ensure_ascii=False)
        else:
            out[_ATTR + k] = v


def _flat_item(item: dict[str, Any], skip: tuple[str, ...], as_json: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in item.items():
        if k in skip or v is None:
            continue
        if k == "attributes":
            _flat_attributes(v, out, as_json)
        elif isinstance(v, list):
            out[k] = json.dumps(v, ensure_ascii=False)
        else:
            out[k] = v
    return out


def to_interchange(model: Ecosystem) -> nx.MultiDiGraph:
    """The model as a MultiDiGraph whose every attribute is a scalar (str, int, float, bool).

    >>> m = Ecosystem.model_validate({"name": "T", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "a", "kind": "core", "name": "A", "tags": ["x"]},
    ...               {"id": "s", "kind": "segment", "name": "S", "attributes": {"k": [1, 2]}}],
    ...     "relationships": [{"from": "s", "to": "a", "type": "PAYS", "amount": 5}]})
    >>> G = to_interchange(m)
    >>> G.nodes["a"]["tags"], G.nodes["s"]["attributes.k:json"], G.edges["s", "a", "PAYS#0"]["amount"]
    ('["x"]', '[1, 2]', 5.0)
    """
    data = model.to_data()
    G = nx.MultiDiGraph()
    G.graph.update({k: data[k] for k in GRAPH_METADATA_KEYS if k in data})
    G.graph["ecograph_format"] = FORMAT_VERSION
    node_json = _json_keys(data["nodes"])
    for item in data["nodes"]:
        attrs = _flat_item(flatten_ranges(item, ranged_properties(item["kind"])), ("id",), node_json)
        attrs["label"] = item["name"]
        G.add_node(item["id"], **attrs)
    ordinals: dict[tuple, int] = {}
    rel_json = _json_keys(data["relationships"])
    for n, item in enumerate(data["relationships"]):
        u, v, rtype = item["from"], item["to"], item["type"]
        if item.get("id"):
            key = item["id"]
        else:
            k = ordinals.get((u, v, rtype), 0)
            ordinals[(u, v, rtype)] = k + 1
            key = f"{rtype}#{k}"
        attrs = _flat_item(flatten_ranges(item, ranged_properties(rtype)), ("id", "from", "to", "type"), rel_json)
        if item.get("share_of") is not None:
            attrs["amount"] = model.relationships[n].amount  # derived: the file of record leaves it out
        attrs["label"] = rtype
        attrs["ord"] = n
        attrs["rel_type"] = rtype
        if item.get("id"):
            attrs["rel_id"] = item["id"]
        G.add_edge(u, v, key=key, **attrs)
    return G


def _unflatten(attrs: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for k, v in attrs.items():
        if k in skip or v is None:
            continue
        if k.startswith(_ATTR):
            name = k[len(_ATTR):]
            if name.endswith(_JSON_SUFFIX):
                extra[name[: -len(_JSON_SUFFIX)]] = _json_value(v)
            else:
                extra[name] = v
        elif k in _LIST_FIELDS:
            out[k] = _json_value(v)
        else:
            out[k] = v
    if extra:
        out["attributes"] = extra
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value  # validation reports it
        return parsed
    return value


def from_interchange(G: nx.Graph, source: str = "<graph>") -> Ecosystem:
    """Rebuild a validated model from a graph written by :func:`to_interchange` (as read back by
    ``nx.read_graphml`` or ``nx.read_gexf``). Raises InteropError listing every problem."""
    data: dict[str, Any] = {k: G.graph[k] for k in GRAPH_METADATA_KEYS if k in G.graph}
    if "schema_version" in data and isinstance(data["schema_version"], str) and data["schema_version"].isdigit():
        data["schema_version"] = int(data["schema_version"])
    nodes = []
    for n, attrs in G.nodes(data=True):
        item = {"id": str(n)}
        item.update(_unflatten(attrs, {"label", "id"}))
        nodes.append(nest_ranges(item, ranged_properties(str(item.get("kind")))))
    rels = []
    edges = list(G.edges(data=True))
    if all(isinstance(a.get("ord"), int) for _, _, a in edges):
        edges.sort(key=lambda e: e[2]["ord"])
    for u, v, attrs in edges:
        item: dict[str, Any] = {"from": str(u), "to": str(v)}
        rtype = attrs.get("rel_type") or attrs.get("label")
        if rtype is not None:
            item["type"] = rtype
        if attrs.get("rel_id"):
            item["id"] = attrs["rel_id"]
        item.update(_unflatten(attrs, {"label", "rel_type", "rel_id", "id", "key", "type", "weight", "ord"}))
        if item.get("share_of") is not None:
            item.pop("amount", None)  # a linked flow's amount is derived from its share_of flow
        rels.append(nest_ranges(item, ranged_properties(str(item.get("type")))))
    data["nodes"] = nodes
    data["relationships"] = rels
    model, problems = validate_data(data)
    if model is None:
        for p in problems:
            p.source = source
        errors = [p for p in problems if p.is_error]
        raise InteropError("\n".join(p.format() for p in errors)
                           + f"\n{len(errors)} error{'s' if len(errors) != 1 else ''} in {source}",
                           problems=problems)
    return model


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_xml(G: nx.MultiDiGraph, fmt: str) -> None:
    """XML 1.0 cannot hold most control characters: refuse (naming where) rather than write a file
    no reader accepts."""
    def bad(where: str, attrs: dict) -> str | None:
        for k, v in attrs.items():
            for text in (k, v):
                if isinstance(text, str) and (m := _XML_ILLEGAL.search(text)):
                    return f"{where}, {k}: character U+{ord(m.group()):04X}"
        return None

    found = bad("the ecosystem", G.graph)
    found = found or next((b for n, a in G.nodes(data=True) if (b := bad(f"node '{n}'", a))), None)
    found = found or next((b for u, v, a in G.edges(data=True)
                           if (b := bad(f"relationship {a.get('rel_type')} {u} -> {v}", a))), None)
    if found:
        raise InteropError(f"cannot write {fmt}: XML cannot hold control characters ({found}); remove it "
                           f"from the model, or export to json or cypher, which can")


def graphml_text(model: Ecosystem) -> str:
    """The model as GraphML (UTF-8 XML), see the module docstring for the encoding."""
    G = to_interchange(model)
    _check_xml(G, "GraphML")
    buf = io.BytesIO()
    nx.write_graphml(G, buf, encoding="utf-8", prettyprint=True, named_key_ids=False)
    return buf.getvalue().decode("utf-8")


def gexf_text(model: Ecosystem) -> str:
    """The model as GEXF 1.2 (UTF-8 XML), see the module docstring for the encoding."""
    from xml.sax.saxutils import escape

    G = to_interchange(model)
    _check_xml(G, "GEXF")
    buf = io.BytesIO()
    nx.write_gexf(G, buf, encoding="utf-8", prettyprint=True, version="1.2draft")
    text = buf.getvalue().decode("utf-8")
    meta = json.dumps({k: G.graph[k] for k in (*GRAPH_METADATA_KEYS, "ecograph_format") if k in G.graph},
                      ensure_ascii=False)
    return text.replace("</creator>", f"</creator>\n    <description>{escape(meta)}</description>", 1)


def _gexf_metadata(path: str) -> dict[str, Any]:
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    for el in root.iter():
        if el.tag.endswith("}description") or el.tag == "description":
            try:
                meta = json.loads(el.text or "")
            except ValueError:
                return {}
            return meta if isinstance(meta, dict) else {}
    return {}


def read_graph_file(path: str, fmt: str) -> Ecosystem:
    """Read a GraphML or GEXF file written by ecograph (or edited in Gephi) back into a model."""
    try:
        if fmt == "graphml":
            G = nx.read_graphml(path, force_multigraph=True)
        else:
            G = nx.read_gexf(path)
            G.graph.update(_gexf_metadata(path))
    except FileNotFoundError:
        from ..errors import InputError

        raise InputError(f"{path}: no such file") from None
    except Exception as exc:  # networkx raises plain XML and KeyError/ValueError on bad files
        raise InteropError(f"{path}: not a readable {fmt.upper()} file ({type(exc).__name__}: {exc})") from None
    return from_interchange(G, str(path))
