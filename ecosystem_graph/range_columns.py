"""Ranges as flat properties for formats whose properties are single values.

``amount`` holds the base, ``amount_low``, ``amount_high`` and ``amount_dist`` the rest, in spreadsheets, CSV,
GraphML, GEXF, Cypher and the graph store.
"""

from __future__ import annotations

from typing import Any, Iterable

from .model import RANGED_PROPERTIES

__all__ = ["RANGE_PARTS", "flat_name", "ranged_properties", "flatten_ranges", "nest_ranges", "range_cells"]

RANGE_PARTS = ("low", "high", "dist")
"""The parts of a range written beside its base (``dist`` only when it is not the default, pert)."""


def flat_name(prop: str, part: str) -> str:
    """The flat property holding one part of a range: ``flat_name("amount", "low")`` -> ``'amount_low'``."""
    return f"{prop}_{part}"


def ranged_properties(kind_or_type: str) -> tuple[str, ...]:
    """The properties of a node kind or relationship type that may hold a range (empty tuple for none)."""
    return RANGED_PROPERTIES.get(kind_or_type, ())


def flatten_ranges(item: dict[str, Any], props: Iterable[str]) -> dict[str, Any]:
    """``item`` (as :meth:`~ecosystem_graph.model.Ecosystem.to_data` writes it) with each range mapping among
    ``props`` replaced by its base, and its low, high and (unless pert) dist as flat keys right after it.

    >>> flatten_ranges({"type": "PAYS", "amount": {"low": 1.0, "base": 2.0, "high": 3.0}, "stream": "fee"},
    ...                ["amount", "count"])
    {'type': 'PAYS', 'amount': 2.0, 'amount_low': 1.0, 'amount_high': 3.0, 'stream': 'fee'}
    """
    props = set(props)
    if not any(isinstance(item.get(p), dict) for p in props):
        return item
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in props and isinstance(value, dict):
            out[key] = value.get("base")
            for part in RANGE_PARTS:
                if value.get(part) is not None:
                    out[flat_name(key, part)] = value[part]
        else:
            out[key] = value
    return out


def nest_ranges(item: dict[str, Any], props: Iterable[str]) -> dict[str, Any]:
    """The inverse of :func:`flatten_ranges`: ``prop_low``/``prop_high``/``prop_dist`` keys (None ones ignored)
    gathered with ``prop`` (the base) into a range mapping. Without a base, the mapping has none, and
    validation reports the missing base.

    >>> nest_ranges({"amount": 2.0, "amount_low": 1.0, "amount_high": None, "stream": "fee"}, ["amount"])
    {'amount': {'low': 1.0, 'base': 2.0}, 'stream': 'fee'}
    """
    out = dict(item)
    for prop in props:
        parts = {part: out.pop(flat_name(prop, part)) for part in RANGE_PARTS if flat_name(prop, part) in out}
        parts = {part: value for part, value in parts.items() if value is not None}
        if not parts:
            continue
        mapping: dict[str, Any] = {}
        if "low" in parts:
            mapping["low"] = parts["low"]
        if out.get(prop) is not None:
            mapping["base"] = out[prop]
        for part in ("high", "dist"):
            if part in parts:
                mapping[part] = parts[part]
        out[prop] = mapping
    return out


def range_cells(ranges: dict, props: Iterable[str]) -> list[Any]:
    """``[low, high, dist]`` of each of ``props`` in turn (None where a property has no range; dist None when
    pert): the range columns of a row, in the order of :func:`flat_name` over ``props`` x :data:`RANGE_PARTS`."""
    cells: list[Any] = []
    for prop in props:
        r = ranges.get(prop)
        if r is None:
            cells += (None, None, None)
        else:
            cells += (r.low, r.high, None if r.dist == "pert" else r.dist)
    return cells
