"""Checks across the items of plain model data: duplicate ids, dangling references, allowed kinds, funnel sums.

They read the data as loaded from a file (no model classes), so they run even when some items fail the
structural checks, and the quick check of :mod:`ecosystem_graph.quickcheck` runs them without pydantic.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema

from .problems import Problem, did_you_mean
from .vocabulary import ALLOWED_ENDPOINTS, CORE, NODE_KINDS, SEGMENT

__all__ = ["check_references"]

# Conversion rates leaving one stage may add up to 1 exactly; allow float noise above it.
_RATE_SUM_TOLERANCE = 1e-9


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
    nodes = data.get("nodes") if isinstance(data.get("nodes"), (list, tuple)) else []
    rels = data.get("relationships") if isinstance(data.get("relationships"), (list, tuple)) else []

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
                                        f"unknown node '{ref}' in relationships[{j}].{key}{did_you_mean(ref, kinds)}"))
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
        if src is not None and dst is not None and isinstance(rtype, str) and rtype in ALLOWED_ENDPOINTS:
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
            if not isinstance(rate, (dict, int, float)) and hasattr(rate, "to_data"):
                rate = rate.to_data()  # a model.Range given in Python rather than a mapping (read without pydantic)
            if isinstance(rate, dict):
                base = _number(rate.get("base"))
                high = _number(rate["high"]) if rate.get("high") is not None else base
                if base is not None:
                    if high is None or not 0 <= high <= 1:
                        high = base  # a bad high is reported by the structural check
                    rate_sums.setdefault(src, []).append((j, base, high))
            elif (number := _number(rate)) is not None:
                rate_sums.setdefault(src, []).append((j, number, number))

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


_NUMBER = SchemaValidator(core_schema.float_schema(allow_inf_nan=False))


def _number(value: Any) -> float | None:
    """``value`` as the model reads a number ("0.9" and true too: pydantic's lax mode), else None."""
    if value is None:
        return None
    try:
        return _NUMBER.validate_python(value)
    except ValidationError:
        return None


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
                                    f"{did_you_mean(ref, rel_ids)}"))
            continue
        k = rel_ids[ref]
        rtype = rels[k].get("type") if isinstance(rels[k], dict) else None
        if not isinstance(rtype, str):
            continue  # a relationship of no valid type: the structural check says so
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
