"""Helpers shared by the sections' table builders: column kinds, the top-N cut, notes, money labels."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable, Iterator

from ..tables import Table

__all__ = ["TEXT", "MONEY", "PERCENT", "SHARE", "COUNT", "INDEX", "NUMBER", "cut", "more", "join_notes", "shorten",
           "money_label", "table_for", "ranked_to_dict", "row_figures"]

# column kinds (ecosystem_graph.numbers.KINDS)
TEXT, MONEY, PERCENT, SHARE, COUNT, INDEX, NUMBER = "text", "money", "percent", "share", "count", "index", "number"


def cut(items: Iterable, top: int | None) -> list:
    """The first ``top`` items (all when ``top`` is None).

    >>> cut("abc", 2), cut("abc", None)
    (['a', 'b'], ['a', 'b', 'c'])
    """
    return list(items)[:top] if top is not None else list(items)


def more(total: int, what: str, top: int | None) -> str | None:
    """``top 5 of 1,200 nodes`` when the list is cut, else None.

    >>> more(1200, "nodes", 5), more(3, "nodes", 5)
    ('top 5 of 1,200 nodes', None)
    """
    return f"top {top} of {total:,} {what}" if top is not None and total > top else None


def join_notes(*notes) -> str | None:
    """The notes that are given, joined by ``; `` (None when none is)."""
    text = "; ".join(n for n in notes if n)
    return text or None


def shorten(items: list, at_most: int = 4) -> list:
    """At most ``at_most`` items, then ``+N more``."""
    return items if len(items) <= at_most else items[:at_most] + [f"+{len(items) - at_most} more"]


def money_label(model: dict) -> str:
    """`` (EUR million)`` from the model's currency and money unit, for column headers ('' when none).

    >>> money_label({"currency": "EUR", "money_unit": "million"}), money_label({})
    (' (EUR million)', '')
    """
    cur, unit = model.get("currency"), model.get("money_unit")
    label = " ".join(x for x in (cur, unit) if x)
    return f" ({label})" if label else ""


def table_for(model: dict):
    """``Table`` with the model's currency and money unit filled in."""
    return partial(Table, currency=model.get("currency") or "", money_unit=model.get("money_unit"))


def ranked_to_dict(ranked: Callable[[Any], list]) -> Callable[[Any, int | None], dict]:
    """A section's ``to_dict`` hook: the result's own ``to_dict`` of its rows in ``ranked(result)`` order, cut to
    ``top``."""
    return lambda result, top: result.to_dict(cut(ranked(result), top))


def row_figures(rows: Iterable, fields: Iterable[str]) -> Iterator[tuple[str, str, float]]:
    """``(row.id, field, value)`` for every row and field: the what-if figures of a list of per-node rows."""
    fields = tuple(fields)
    for row in rows:
        for f in fields:
            yield row.id, f, float(getattr(row, f))
