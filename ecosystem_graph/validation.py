"""Validation of model data: every problem at once, each with a path, a message and a suggestion."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from .model import (
    ALLOWED_ENDPOINTS,
    CORE,
    LINKED_FLOW_ERROR,
    NODE_ADAPTER,
    NODE_CLASSES,
    NODE_KINDS,
    RANGED_PROPERTIES,
    RELATIONSHIP_ADAPTER,
    RELATIONSHIP_CLASSES,
    RELATIONSHIP_TYPES,
    SEGMENT,
    Ecosystem,
    Range,
    describe_big_int,
    slugify,
)

__all__ = ["Problem", "path_text", "validate_data", "check_references", "suggest"]

# Conversion rates leaving one stage may add up to 1 exactly; allow float noise above it.
_RATE_SUM_TOLERANCE = 1e-9


@dataclass
class Problem:
    """One validation finding: where it is (a data path, and line/column once located) and what is wrong."""

    severity: str  # "error" or "warning"
    path: tuple
    message: str
    at_key: bool = False  # the problem is the key itself (unknown key), not its value
    source: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        src = self.source or "<data>"
        if self.line is not None:
            return f"{src}:{self.line}:{self.column}"
        return f"{src}:{json_path(self.path)}"

    def format(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.location()}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "source": self.source, "line": self.line, "column": self.column,
                "path": path_text(self.path), "message": self.message}


def path_text(path: Iterable) -> str:
    """``('relationships', 3, 'to')`` -> ``relationships[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def json_path(path: Iterable) -> str:
    text = path_text(path)
    return "$" if text == "(top level)" else "$." + text


def suggest(value: Any, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt ``value``, or None when nothing is close."""
    if not isinstance(value, str) or not value:
        return None
    lowered = {}
    for c in candidates:
        lowered.setdefault(c.lower(), c)
    if value.lower() in lowered:
        return lowered[value.lower()]
    low = value.lower()
    if len(lowered) <= 1000:
        pool = list(lowered)
        prefixed = [c for c in pool if c.startswith(low) or low.startswith(c)]
        if len(prefixed) == 1 and len(low) >= 3:
            return lowered[prefixed[0]]
    else:  # prefilter by length so that a file with 100k ids still answers quickly
        n = len(low)
        pool = [c for c in lowered if abs(len(c) - n) <= max(2, n // 4)]
    import difflib  # only for a misspelt value: a valid file is checked without it

    match = difflib.get_close_matches(low, pool, n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _did_you_mean(value: Any, candidates: Iterable[str]) -> str:
    s = suggest(value, candidates)
    return f"; did you mean '{s}'?" if s is not None and s != value else ""


def validate_data(data: Any, *, consume: bool = False) -> tuple[Ecosystem | None, list[Problem]]:
    """Validate plain data (as loaded from YAML/JSON) as an ecosystem.

    Returns the model (None when there are errors) and every problem found, errors and warnings,
    without locations (see :func:`ecosystem_graph.fileio.locate_problems`).

    With ``consume``, each item of ``data["nodes"]`` and ``data["relationships"]`` is replaced by its
    model as soon as it is validated, so that the plain data and the model are never both whole in
    memory (for callers that drop ``data`` afterwards, as file loading does); ``data`` then holds a
    mix of models and dicts.
    """
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "an empty document"
        return None, [Problem("error", (), f"the file must be a mapping with keys name, currency, period, "
                                           f"nodes and relationships; found {found}")]
    if not consume:
        return _validate_whole(data)
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


def _validate_whole(data: dict) -> tuple[Ecosystem | None, list[Problem]]:
    problems: list[Problem] = []
    model = None
    failed = False
    try:
        model = Ecosystem.model_validate(data)
    except ValidationError as exc:
        failed = True
        problems.extend(_problems_of(exc.errors(include_url=False), data))
    problems.extend(check_references(data))
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
        hint = _did_you_mean(key, _fields_of(data, parent))
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
                       f"{_did_you_mean(tag, allowed)}")
    if kind == "literal_error":
        expected = [x.strip().strip("'") for x in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        if loc == ("schema_version",):
            return Problem("error", loc, f"schema_version {_show(value)} is not supported; this version of "
                                         f"ecograph reads schema_version {', '.join(expected)}")
        what = loc[-2] if isinstance(loc[-1], int) and len(loc) >= 2 else loc[-1]
        return Problem("error", loc, f"unknown {what} value {_show(value)} in {where}; expected one of "
                                     f"{', '.join(expected)}{_did_you_mean(value, expected)}")
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


# ------------------------------------------------------------------------------- cross-item checks


def _describe_kinds(kinds: frozenset[str]) -> str:
    ordered = [k for k in NODE_KINDS if k in kinds]
    if len(ordered) == len(NODE_KINDS):
        return "any kind"
    return ", ".join(ordered[:-1]) + (" or " if len(ordered) > 1 else "") + ordered[-1]


def check_references(data: dict) -> list[Problem]:
    """Checks across items on raw data: duplicate ids, dangling references, kinds a type may join,
    funnel rate sums; and warnings for isolated nodes, unserved segments and cores without revenue.

    Works on raw data so it can run even when some items fail structural validation.
    """
    problems: list[Problem] = []
    nodes = data.get("nodes") if isinstance(data.get("nodes"), list) else []
    rels = data.get("relationships") if isinstance(data.get("relationships"), list) else []

    first_index: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        nid = node.get("id")
        if not isinstance(nid, str):
            continue
        if nid in first_index:
            problems.append(Problem("error", ("nodes", i, "id"),
                                    f"duplicate id '{nid}' in nodes[{i}].id; first defined in nodes[{first_index[nid]}]"))
            continue
        first_index[nid] = i
        kinds[nid] = node.get("kind") if isinstance(node.get("kind"), str) else ""

    degree: dict[str, int] = defaultdict(int)
    uses_out: set[str] = set()
    reached: set[str] = set()
    paid: set[str] = set()
    rate_sums: dict[str, list] = {}
    rel_ids: dict[str, int] = {}
    for j, rel in enumerate(rels):
        if not isinstance(rel, dict):
            continue
        rid = rel.get("id")
        if isinstance(rid, str):
            if rid in rel_ids:
                problems.append(Problem("error", ("relationships", j, "id"),
                                        f"duplicate id '{rid}' in relationships[{j}].id; first defined in "
                                        f"relationships[{rel_ids[rid]}]"))
            else:
                rel_ids[rid] = j
        ends = {}
        for key in ("from", "to"):
            ref = rel.get(key)
            if not isinstance(ref, str):
                continue
            if ref not in kinds:
                problems.append(Problem("error", ("relationships", j, key),
                                        f"unknown node '{ref}' in relationships[{j}].{key}{_did_you_mean(ref, kinds)}"))
            else:
                ends[key] = ref
        rtype = rel.get("type")
        src, dst = ends.get("from"), ends.get("to")
        for end in (src, dst):
            if end is not None:
                degree[end] += 1
        if src is not None and src == dst:
            problems.append(Problem("error", ("relationships", j, "to"),
                                    f"relationships[{j}] joins '{src}' to itself"))
            continue
        if src is not None and dst is not None and rtype in ALLOWED_ENDPOINTS:
            allowed_from, allowed_to = ALLOWED_ENDPOINTS[rtype]
            ks, kd = kinds[src], kinds[dst]
            if ks in NODE_KINDS and kd in NODE_KINDS and (ks not in allowed_from or kd not in allowed_to):
                problems.append(Problem(
                    "error", ("relationships", j, "type"),
                    f"{rtype} from {ks} '{src}' to {kd} '{dst}' is not allowed in relationships[{j}]; "
                    f"{rtype} goes from {_describe_kinds(allowed_from)} to {_describe_kinds(allowed_to)}"))
                continue
        if rtype == "USES" and src is not None:
            uses_out.add(src)
        elif rtype == "REACHES" and dst is not None:
            reached.add(dst)
        elif rtype == "PAYS" and dst is not None:
            paid.add(dst)
        elif rtype == "CONVERTS_TO" and src is not None:
            rate = rel.get("rate")
            if isinstance(rate, Range):  # given in Python as a Range rather than a mapping
                rate = rate.to_data()
            if _finite_number(rate):
                rate_sums.setdefault(src, []).append((j, float(rate), float(rate)))
            elif isinstance(rate, dict) and _finite_number(rate.get("base")):
                high = rate.get("high", rate["base"])
                if not (_finite_number(high) and 0 <= high <= 1):
                    high = rate["base"]  # a bad high is reported by the structural check
                rate_sums.setdefault(src, []).append((j, float(rate["base"]), float(high)))

    problems.extend(_check_linked_flows(rels, rel_ids))

    for stage, steps in rate_sums.items():
        total = sum(r for _, r, _ in steps)
        highs = sum(h for _, _, h in steps)
        refs = ", ".join(f"relationships[{j}]" for j, _, _ in steps)
        if total > 1 + _RATE_SUM_TOLERANCE:
            problems.append(Problem("error", ("relationships", steps[-1][0], "rate"),
                                    f"conversion rates leaving '{stage}' sum to {total:g} ({refs}); "
                                    f"they must not exceed 1"))
        elif highs > 1 + _RATE_SUM_TOLERANCE:
            # every draw of the sensitivity analysis must keep the stage's total within 1
            problems.append(Problem("error", ("relationships", steps[-1][0], "rate"),
                                    f"conversion rates leaving '{stage}' sum to {highs:g} at their highs ({refs}); "
                                    f"they must not exceed 1 in any draw: lower the highs"))

    for nid, i in first_index.items():
        kind = kinds[nid]
        if degree.get(nid, 0) == 0:
            problems.append(Problem("warning", ("nodes", i), f"node '{nid}' has no relationships"))
            continue
        if kind == SEGMENT and nid not in uses_out and nid not in reached:
            problems.append(Problem("warning", ("nodes", i),
                                    f"segment '{nid}' uses nothing and no channel reaches it"))
        if kind == CORE and nid not in paid:
            problems.append(Problem("warning", ("nodes", i), f"core '{nid}' has no revenue (nothing PAYS it)"))
    return problems


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_linked_flows(rels: list, rel_ids: dict[str, int]) -> list[Problem]:
    """``share_of`` must name a PAYS by its id, and following share_of must never come back (a cycle)."""
    problems: list[Problem] = []
    parent: dict[int, int] = {}  # relationship index -> index of the PAYS it is a share of
    for j, rel in enumerate(rels):
        if not isinstance(rel, dict) or rel.get("type") != "PAYS":
            continue
        ref = rel.get("share_of")
        if not isinstance(ref, str):
            continue
        if ref not in rel_ids:
            problems.append(Problem("error", ("relationships", j, "share_of"),
                                    f"unknown relationship '{ref}' in relationships[{j}].share_of"
                                    f"{_did_you_mean(ref, rel_ids)}"))
            continue
        k = rel_ids[ref]
        rtype = rels[k].get("type") if isinstance(rels[k], dict) else None
        if rtype != "PAYS":
            problems.append(Problem("error", ("relationships", j, "share_of"),
                                    f"share_of '{ref}' in relationships[{j}] names a {rtype} relationship "
                                    f"(relationships[{k}]); a linked flow is a share of a PAYS"))
            continue
        parent[j] = k
    reported: set[int] = set()
    for start in parent:
        if start in reported:
            continue
        path = [start]
        on_path = {start}
        cur = parent.get(start)
        while cur is not None and cur not in on_path and cur not in reported:
            path.append(cur)
            on_path.add(cur)
            cur = parent.get(cur)
        if cur is not None and cur in on_path:
            cycle = path[path.index(cur):]
            reported.update(cycle)
            first = min(cycle)
            cycle = cycle[cycle.index(first):] + cycle[:cycle.index(first)]
            names = " -> ".join(f"'{rels[i].get('id')}'" for i in cycle + [first])
            problems.append(Problem("error", ("relationships", first, "share_of"),
                                    f"share_of cycle in relationships[{first}]: {names}; a linked flow cannot "
                                    f"be (through others) a share of itself"))
        reported.update(path)
    return problems
