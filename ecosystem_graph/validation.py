"""Validation of model data: every problem at once, each with a path, a message and a suggestion."""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from .model import (
    LINKED_FLOW_ERROR,
    NODE_ADAPTER,
    NODE_CLASSES,
    NODE_KINDS,
    RANGED_PROPERTIES,
    RELATIONSHIP_ADAPTER,
    RELATIONSHIP_CLASSES,
    RELATIONSHIP_TYPES,
    Ecosystem,
    describe_big_int,
    slugify,
)
from .problems import Problem, did_you_mean, path_text, suggest
from .references import check_references

__all__ = ["Problem", "path_text", "validate_data", "check_references", "suggest"]


def validate_data(data: Any, *, consume: bool = False,
                  references: list[Problem] | None = None) -> tuple[Ecosystem | None, list[Problem]]:
    """Validate plain data (as loaded from YAML/JSON) as an ecosystem.

    Returns the model (None when there are errors) and every problem found, errors and warnings,
    without locations (see :func:`ecosystem_graph.fileio.locate_problems`).

    With ``consume``, each item of ``data["nodes"]`` and ``data["relationships"]`` is replaced by its
    model as soon as it is validated, so that the plain data and the model are never both whole in
    memory (for callers that drop ``data`` afterwards, as file loading does); ``data`` then holds a
    mix of models and dicts. ``references``: what :func:`check_references` found in this data, when the
    caller has already run it (the quick check of ``ecograph validate`` does).
    """
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "an empty document"
        return None, [Problem("error", (), f"the file must be a mapping with keys name, currency, period, "
                                           f"nodes and relationships; found {found}")]
    if not consume:
        return _validate_whole(data, references)
    if references is None:
        references = check_references(data)  # reads the plain items, so before they are replaced
    problems: list[Problem] = []
    sections: dict[str, list] = {}
    failed = False
    for section, adapter in (("nodes", NODE_ADAPTER), ("relationships", RELATIONSHIP_ADAPTER)):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        sections[section] = items
        for i, item in enumerate(items):
            try:
                items[i] = adapter.validate_python(item)
            except ValidationError as exc:
                failed = True
                problems.extend(_problems_of([{**err, "loc": (section, i, *err["loc"])}
                                              for err in exc.errors(include_url=False)], data))
    # The items are models now (or failed): check the top level alone, then hand it the item lists
    # as they are (no copy of a list of 100,000s of items).
    model = None
    try:
        model = Ecosystem.model_validate({**data, **{section: [] for section in sections}})
    except ValidationError as exc:
        failed = True
        problems.extend(_problems_of(exc.errors(include_url=False), data))
    if model is not None and not problems:
        model = model.model_copy(update=sections)
        try:  # model_copy runs no validator: derive the linked flows' amounts as validation would
            model.derive_linked_amounts()
        except PydanticCustomError:
            failed = True
    problems.extend(references)
    return _finish(model, problems, failed)


def _validate_whole(data: dict, references: list[Problem] | None) -> tuple[Ecosystem | None, list[Problem]]:
    problems: list[Problem] = []
    model = None
    failed = False
    try:
        model = Ecosystem.model_validate(data)
    except ValidationError as exc:
        failed = True
        problems.extend(_problems_of(exc.errors(include_url=False), data))
    problems.extend(check_references(data) if references is None else references)
    return _finish(model, problems, failed)


def _problems_of(errors: list[dict], data: Any) -> list[Problem]:
    """pydantic's errors as problems: one per bad attribute value (not one per branch of the value union),
    none for the errors :func:`check_references` reports better."""
    problems: list[Problem] = []
    seen_attributes: set[tuple] = set()
    for err in errors:
        attribute = _attribute_of(_strip_tags(tuple(err["loc"])))
        if attribute is None:
            problem = _translate(err, data)
            if problem is not None:
                problems.append(problem)
        elif attribute not in seen_attributes:
            seen_attributes.add(attribute)
            problems.append(Problem("error", attribute, f"{path_text(attribute)} must be text, a number, "
                                                        f"true or false, or a list of those"))
    return problems


def _finish(model: Ecosystem | None, problems: list[Problem], failed: bool) -> tuple[Ecosystem | None, list[Problem]]:
    if failed and not any(p.is_error for p in problems):
        # a check left to check_references that it did not find: never a silent failure
        problems.append(Problem("error", ("relationships",), "a share_of chain does not lead to a PAYS with an "
                                                             "amount"))
    if any(p.is_error for p in problems):
        model = None
    return model, problems


# ------------------------------------------------------------------------------- pydantic errors


def _value_at(data: Any, loc: tuple) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _attribute_of(loc: tuple) -> tuple | None:
    """The path of the free attribute a pydantic error is about (None when it is about something else)."""
    if "attributes" in loc[:3]:
        at = loc.index("attributes")
        if len(loc) > at + 2:  # attributes, the key, then union branch names and list indexes
            return loc[: at + 2]
    return None


def _strip_tags(loc: tuple) -> tuple:
    # pydantic puts the discriminator tag into the location: ('nodes', 3, 'segment', 'size'), and a ranged
    # property's branch after its name: ('nodes', 3, 'segment', 'size', 'range', 'low').
    if len(loc) > 2 and loc[0] in ("nodes", "relationships") and isinstance(loc[1], int):
        if loc[2] in NODE_CLASSES or loc[2] in RELATIONSHIP_CLASSES:
            loc = loc[:2] + loc[3:]
        if len(loc) > 3 and loc[2] in _RANGED_NAMES and loc[3] in ("number", "range"):
            loc = loc[:3] + loc[4:]
    return loc


_RANGED_NAMES = frozenset(name for names in RANGED_PROPERTIES.values() for name in names)
_RANGE_KEYS = ("low", "base", "high")


def _fields_of(data: Any, loc: tuple) -> list[str]:
    """Allowed keys of the mapping at ``loc`` (for suggestions on unknown keys)."""
    if not loc:
        cls = Ecosystem
    elif len(loc) == 2 and loc[0] == "nodes":
        cls = NODE_CLASSES.get(str(_value_at(data, loc + ("kind",))))
    elif len(loc) == 2 and loc[0] == "relationships":
        cls = RELATIONSHIP_CLASSES.get(str(_value_at(data, loc + ("type",))))
    elif len(loc) == 3 and loc[0] in ("nodes", "relationships") and loc[2] in _RANGED_NAMES:
        return ["low", "base", "high", "dist"]  # a range mapping
    else:
        return []
    if cls is None:
        return []
    return [f.alias or name for name, f in cls.model_fields.items()]


_MAX_SHOWN = 80  # characters of a value quoted in a message (a problem stays one readable line)


def _show(value: Any) -> str:
    """A value as it would read in the file: quoted text, NaN, short floats."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= _MAX_SHOWN else f"'{value[:_MAX_SHOWN]}…' ({len(value):,} characters)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:g}"
    text = describe_big_int(value) if isinstance(value, int) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def _translate(err: dict, data: Any) -> Problem | None:
    kind = err["type"]
    loc = _strip_tags(tuple(err["loc"]))
    where = path_text(loc)
    value = err.get("input")
    ctx = err.get("ctx") or {}

    if kind == LINKED_FLOW_ERROR:
        if not ctx.get("field"):
            return None  # share_of references across relationships: reported by check_references
        return Problem("error", loc + (ctx["field"],), f"{ctx['what']} in {where}: {ctx['why']}")

    if kind == "extra_forbidden":
        key = loc[-1]
        parent = loc[:-1]
        hint = did_you_mean(key, _fields_of(data, parent))
        return Problem("error", loc, f"unknown key '{key}' in {path_text(parent)}{hint}", at_key=True)
    if kind == "missing":
        return Problem("error", loc[:-1], f"missing key '{loc[-1]}' in {path_text(loc[:-1])}")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = "kind" if loc and loc[0] == "nodes" else "type"
        allowed = NODE_KINDS if field == "kind" else RELATIONSHIP_TYPES
        if kind == "union_tag_not_found":
            return Problem("error", loc, f"missing key '{field}' in {where}; expected one of {', '.join(allowed)}")
        tag = ctx.get("tag")
        return Problem("error", loc + (field,),
                       f"unknown {field} '{tag}' in {where}.{field}; expected one of {', '.join(allowed)}"
                       f"{did_you_mean(tag, allowed)}")
    if kind == "literal_error":
        expected = [x.strip().strip("'") for x in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        if loc == ("schema_version",):
            return Problem("error", loc, f"schema_version {_show(value)} is not supported; this version of "
                                         f"ecograph reads schema_version {', '.join(expected)}")
        what = loc[-2] if isinstance(loc[-1], int) and len(loc) >= 2 else loc[-1]
        return Problem("error", loc, f"unknown {what} value {_show(value)} in {where}; expected one of "
                                     f"{', '.join(expected)}{did_you_mean(value, expected)}")
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        lo = _bound(err, loc)
        return Problem("error", loc, f"{where} is {_show(value)}; {lo}")
    if kind == "finite_number":
        return Problem("error", loc, f"{where} is {_show(value)}; NaN and infinity are not allowed")
    if kind == "string_pattern_mismatch":
        if loc == ("currency",):
            return Problem("error", loc, f"currency {_show(value)} must be a 3-letter ISO 4217 code in capitals, "
                                         f"e.g. 'USD' or 'EUR'")
        return Problem("error", loc, f"{where} {_show(value)} is not a valid id: use letters, digits, '-', '_' "
                                     f"and '.', starting with a letter or digit (e.g. '{slugify(value, fallback='node-1')}')")
    if kind == "value_error":
        msg = str(ctx.get("error", err.get("msg", "")))
        # A relationship's own check (count x price) is about its amount; a field's check is about the field.
        target = loc + ("amount",) if len(loc) == 2 and loc[0] == "relationships" else loc
        return Problem("error", target, f"{msg} in {where}")
    if kind in ("string_too_short",):
        return Problem("error", loc, f"{where} must not be empty")
    if kind in ("string_too_long",):
        return Problem("error", loc, f"{where} is too long (at most {ctx.get('max_length')} characters)")
    expected_type = {
        "float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number",
        "int_type": "a whole number", "int_from_float": "a whole number", "string_type": "text",
        "bool_parsing": "true or false", "bool_type": "true or false", "list_type": "a list",
        "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    }.get(kind)
    if expected_type == "a number" and len(loc) == 3 and loc[2] in _RANGED_NAMES and isinstance(value, (list, tuple)):
        expected_type = "a number or a range such as {low: 1, base: 2, high: 3}"
    if expected_type:
        return Problem("error", loc, f"{where} must be {expected_type}, not {_show(value)}")
    return Problem("error", loc, f"{where}: {err.get('msg')}")


def _bound(err: dict, loc: tuple) -> str:
    field = loc[-1] if loc else ""
    if field in _RANGE_KEYS and len(loc) > 1:  # a range's low/base/high has the bounds of its property
        field = loc[-2]
    if field in ("share", "strength", "reach", "criticality", "rate"):
        return "must be between 0 and 1"
    ctx = err.get("ctx") or {}
    if "ge" in ctx:
        return f"must be >= {ctx['ge']:g}"
    if "le" in ctx:
        return f"must be <= {ctx['le']:g}"
    return str(err.get("msg", "")).lower()
