"""A quick check that vouches for valid model data without building the pydantic model.

``ecograph validate`` of a valid file needs no model objects, only the answer; pydantic's model classes cost
more to set up than the rest of the command (``benchmarks/bench_startup.py``). So the check reads the model's
JSON Schema, as ``ecograph schema`` prints it and kept in the package as ``model.schema.json``, into a
pydantic-core validator (the engine the model itself validates with), and applies the model's rules that a
JSON Schema cannot state with the functions the model calls (:mod:`ecosystem_graph.rules`) and the checks
across items (:mod:`ecosystem_graph.references`).

The pydantic model (:mod:`ecosystem_graph.model`) stays the one definition of the file format: a test keeps
``model.schema.json`` equal to the model's schema. The check is one-sided: it vouches only for data the model
accepts without any problem, warnings included; anything else (an error, a warning, a form it does not
know) goes to the model, which finds every problem and words it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .references import check_references
from .rules import check_pays, check_range_order, linked_flow_amounts, period_as_text, whole_numbers_fit
from .vocabulary import RANGED_PROPERTIES

__all__ = ["SCHEMA_FILE", "core_schema_of", "schema_validator", "vouch"]

SCHEMA_FILE = Path(__file__).with_name("model.schema.json")
"""The model's JSON Schema as ``ecograph schema`` prints it (regenerate with
``ecograph schema -o ecosystem_graph/model.schema.json`` after changing the model; a test says when)."""


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


# The keywords each form may carry; any other (exclusiveMinimum, multipleOf, minItems, format, ...) would be a
# constraint the converter does not apply, so it refuses the schema rather than vouch for too much.
_NOTES = {"title", "description", "default"}
_KEYWORDS = {
    "string": {"type", "pattern", "minLength", "maxLength"},
    "integer": {"type", "minimum", "maximum"},
    "number": {"type", "minimum", "maximum"},
    "boolean": {"type"},
    "null": {"type"},
    "array": {"type", "items"},
    "object": {"type", "properties", "required", "additionalProperties"},
}


def _known(node: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(node) - allowed - _NOTES
    if unknown:
        raise ValueError(f"model.schema.json: no pydantic-core form for {sorted(unknown)} in {sorted(node)}")


def core_schema_of(node: dict[str, Any]) -> cs.CoreSchema:
    """The pydantic-core schema that validates what the JSON Schema ``node`` describes.

    Covers the forms pydantic writes for this model: ``$ref``, ``const``, ``enum``, ``anyOf`` (with ``null``
    for an optional value), ``oneOf`` (with a ``discriminator`` for the node and relationship unions), and
    the types string, integer, number, boolean, null, array and object. Numbers are finite, as every number
    of the model is; an object with ``additionalProperties: false`` refuses unknown keys.

    >>> v = SchemaValidator(core_schema_of({"type": "number", "minimum": 0, "maximum": 1}))
    >>> v.validate_python(0.25)
    0.25
    >>> v.isinstance_python(1.5), v.isinstance_python(float("nan"))
    (False, False)
    """
    if "$ref" in node:
        _known(node, {"$ref"})
        return cs.definition_reference_schema(_ref_name(node["$ref"]))
    if "const" in node:
        _known(node, {"const", "type"})
        return cs.literal_schema([node["const"]])
    if "enum" in node:
        _known(node, {"enum", "type"})
        return cs.literal_schema(list(node["enum"]))
    if "anyOf" in node:
        _known(node, {"anyOf"})
        choices = [c for c in node["anyOf"] if c.get("type") != "null"]
        inner = (core_schema_of(choices[0]) if len(choices) == 1
                 else cs.union_schema([core_schema_of(c) for c in choices]))
        return cs.nullable_schema(inner) if len(choices) < len(node["anyOf"]) else inner
    if "oneOf" in node:
        _known(node, {"oneOf", "discriminator"})
        tag = node.get("discriminator")
        if tag is not None:
            return cs.tagged_union_schema({value: cs.definition_reference_schema(_ref_name(ref))
                                           for value, ref in tag["mapping"].items()},
                                          discriminator=tag["propertyName"])
        return cs.union_schema([core_schema_of(c) for c in node["oneOf"]])
    kind = node.get("type")
    if kind in _KEYWORDS:
        _known(node, _KEYWORDS[kind])
    if kind == "string":
        return cs.str_schema(pattern=node.get("pattern"), min_length=node.get("minLength"),
                             max_length=node.get("maxLength"))
    if kind == "integer":
        return cs.int_schema(ge=node.get("minimum"), le=node.get("maximum"))
    if kind == "number":
        return cs.float_schema(ge=node.get("minimum"), le=node.get("maximum"), allow_inf_nan=False)
    if kind == "boolean":
        return cs.bool_schema()
    if kind == "null":
        return cs.none_schema()
    if kind == "array":
        return cs.list_schema(core_schema_of(node["items"]))
    if kind == "object" and "properties" in node:
        if node.get("additionalProperties", False) is not False:
            raise ValueError("model.schema.json: an object with properties and other keys is not a model form")
        required = set(node.get("required", ()))
        return cs.typed_dict_schema(
            {key: cs.typed_dict_field(core_schema_of(value), required=key in required)
             for key, value in node["properties"].items()},
            extra_behavior="forbid" if "additionalProperties" in node else "ignore")
    if kind == "object":
        return cs.dict_schema(cs.str_schema(), core_schema_of(node.get("additionalProperties", {})))
    if not node or set(node) <= {"title", "description", "default"}:
        return cs.any_schema()
    # A form this module does not know yet: refuse to build rather than vouch for too much.
    raise ValueError(f"model.schema.json: no pydantic-core form for {sorted(node)}")


@lru_cache(maxsize=1)
def schema_validator() -> SchemaValidator:
    """The validator of whole model data built from :data:`SCHEMA_FILE` (built once per process)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    definitions = [{**core_schema_of(body), "ref": name} for name, body in schema.pop("$defs", {}).items()]
    schema.pop("$schema", None)
    return SchemaValidator(cs.definitions_schema(core_schema_of(schema), definitions))


def _base(value: Any) -> Any:
    return value["base"] if isinstance(value, dict) else value


def _follow_rules(checked: dict[str, Any]) -> None:
    """Apply the model's rules to data that passed the schema (raises as the model's validators do)."""
    for item in checked.get("nodes", []) + checked.get("relationships", []):
        for prop in RANGED_PROPERTIES.get(item.get("kind") or item.get("type"), ()):
            value = item.get(prop)
            if isinstance(value, dict):
                base = value["base"]
                low, high = value.get("low"), value.get("high")
                check_range_order(base if low is None else low, base, base if high is None else high)
    flows: dict[str, tuple] = {}
    linked: list[tuple] = []
    for rel in checked.get("relationships", []):
        if rel["type"] != "PAYS":
            continue
        bases = {k: _base(rel.get(k)) for k in ("amount", "count", "price", "share")}
        ranged = [k for k in bases if isinstance(rel.get(k), dict)]
        amount = check_pays(share_of=rel.get("share_of"), share=bases["share"], amount=bases["amount"],
                            count=bases["count"], price=bases["price"],
                            given=[k for k in ("amount", "count", "price") if bases[k] is not None], ranged=ranged,
                            highs={k: rel[k].get("high") if rel[k].get("high") is not None else rel[k]["base"]
                                   for k in ranged})
        if rel.get("id") is not None:
            flows[rel["id"]] = (rel.get("share_of"), bases["share"], amount)
        if rel.get("share_of") is not None:
            linked.append((rel.get("id"), rel["share_of"], bases["share"]))
    if linked:
        linked_flow_amounts(flows, linked)


def vouch(data: Any, *, references: list | None = None) -> bool:
    """True when the model accepts ``data`` (plain data as read from a model file) with no problem at all,
    not even a warning; False when it may not, and only the model can tell (and word) what is wrong.

    >>> vouch({"name": "Tiny", "currency": "EUR", "period": 2024,
    ...        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
    ...                  {"id": "fans", "kind": "segment", "name": "Fans", "size": {"low": 80, "base": 100}}],
    ...        "relationships": [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 10},
    ...                          {"from": "fans", "to": "shop", "type": "USES"}]})
    True
    >>> vouch({"name": "Tiny", "currency": "EUR", "period": "2024", "nodes": [{"id": "shop", "kind": "cor"}]})
    False
    """
    if not isinstance(data, dict) or not all(isinstance(data.get(k, []), list) for k in ("nodes", "relationships")):
        return False  # not as a file holds it (YAML and JSON give lists): the model reads every other form
    if references is None:
        references = check_references(data)
    if references:  # the cheapest first: a file with a warning or a broken reference stops here
        return False
    data = period_as_text(data)
    try:
        checked = schema_validator().validate_python(data)
    except ValidationError:
        return False
    try:
        for item in data.get("nodes", []) + data.get("relationships", []):
            whole_numbers_fit(item.get("attributes"))  # on the data as read, as the model checks it
        _follow_rules(checked)
    except (ValueError, PydanticCustomError):
        return False
    return True
