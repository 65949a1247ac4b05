"""The model's rules that a JSON Schema cannot state, as plain functions shared by the pydantic model and the quick check.

:mod:`ecosystem_graph.model` calls them from its validators and :mod:`ecosystem_graph.quickcheck` calls them on
plain data, so that both apply the same rule with the same words. Each raises ``ValueError`` or pydantic-core's
``PydanticCustomError`` as a pydantic validator does.
"""

from __future__ import annotations

import math
from typing import Any, Collection, Mapping

from pydantic_core import PydanticCustomError

from .vocabulary import (LINKED_FLOW_ERROR, MAX_AMOUNT, MAX_ATTRIBUTE_DIGITS, describe_big_int, linked_amount,
                         linked_amounts)

__all__ = ["period_as_text", "whole_numbers_fit", "check_range_order", "check_pays", "linked_flow_amounts",
           "show_number"]


def show_number(x: float) -> str:
    """A number as the rules' messages write it (``%g``).

    >>> show_number(35.0), show_number(1e18)
    ('35', '1e+18')
    """
    return f"{x:g}"


def period_as_text(data: Any) -> Any:
    """The model data with a whole-number ``period`` as text: ``period: 2023`` in YAML is an int, and the
    period is a label.

    >>> period_as_text({"period": 2023})
    {'period': '2023'}
    """
    period = data.get("period") if isinstance(data, dict) else None
    if isinstance(period, int) and not isinstance(period, bool) and abs(period) < 10**18:
        data = dict(data)
        data["period"] = str(data["period"])
    return data


_ATTRIBUTE_INT_BOUND = 10**MAX_ATTRIBUTE_DIGITS


def whole_numbers_fit(attributes: Any) -> Any:
    """``attributes`` unchanged; raises ValueError when a whole number in it has more than
    :data:`~ecosystem_graph.vocabulary.MAX_ATTRIBUTE_DIGITS` digits."""
    # Checked before the union: an over-long int would otherwise become a float, or fail every branch.
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool) and abs(item) >= _ATTRIBUTE_INT_BOUND:
                    raise ValueError(f"attribute '{key}' is {describe_big_int(item)}; whole numbers may have at "
                                     f"most {MAX_ATTRIBUTE_DIGITS} digits")
    return attributes


def check_range_order(low: float, base: float, high: float) -> None:
    """Raises ValueError unless ``low <= base <= high``.

    >>> check_range_order(30, 35, 40)
    >>> check_range_order(36, 35, 40)
    Traceback (most recent call last):
    ...
    ValueError: low 36 is above base 35; a range needs low <= base <= high
    """
    if low > base:
        raise ValueError(f"low {show_number(low)} is above base {show_number(base)}; a range needs "
                         f"low <= base <= high")
    if base > high:
        raise ValueError(f"high {show_number(high)} is below base {show_number(base)}; a range needs "
                         f"low <= base <= high")


def check_pays(*, share_of: str | None, share: float | None, amount: float | None, count: float | None,
               price: float | None, given: Collection[str], ranged: Collection[str],
               highs: Mapping[str, float]) -> float | None:
    """The money a PAYS carries, after checking that its amount, count, price, share_of and share fit together.

    ``amount``, ``count``, ``price`` and ``share`` are base numbers; ``given`` names those of amount, count and
    price the file gives; ``ranged`` the properties given as ranges; ``highs`` the highs of ranged count and
    price. Returns ``amount``, else ``count x price``; None for a linked flow (``share_of``), whose amount
    :func:`linked_flow_amounts` derives from the whole model.

    >>> check_pays(share_of=None, share=None, amount=None, count=4, price=2.5, given=("count", "price"),
    ...            ranged=(), highs={})
    10.0
    """
    if share_of is not None:
        if given:
            raise PydanticCustomError(
                LINKED_FLOW_ERROR, "{what}: {why}",
                {"field": "share_of", "what": f"share_of '{share_of}' together with {' and '.join(given)}",
                 "why": f"a linked flow's amount is derived from the flow it is a share of; remove "
                        f"{' and '.join(given)}, or remove share_of and share"})
        if share is None:
            raise PydanticCustomError(
                LINKED_FLOW_ERROR, "{what}: {why}",
                {"field": "share_of", "what": f"share_of '{share_of}' without share",
                 "why": "give the part of that flow paid on, e.g. share: 0.85"})
        return None
    if share is not None:
        raise PydanticCustomError(
            LINKED_FLOW_ERROR, "{what}: {why}",
            {"field": "share", "what": "share without share_of",
             "why": "give the id of the PAYS this flow is a share of, e.g. share_of: subscriptions"})
    if count is not None and price is not None:
        if "amount" in ranged:
            raise ValueError("a range on amount together with count and price: the amount is count x price, "
                             "so give the ranges on count and price")
        product = count * price
        if product > MAX_AMOUNT:
            raise ValueError(f"count x price = {show_number(count)} x {show_number(price)} = {show_number(product)} "
                             f"is over {MAX_AMOUNT:g}")
        count_high, price_high = highs.get("count", count), highs.get("price", price)
        if count_high * price_high > MAX_AMOUNT:
            raise ValueError(f"count x price at their highs = {show_number(count_high)} x {show_number(price_high)} = "
                             f"{show_number(count_high * price_high)} is over {MAX_AMOUNT:g}")
        if amount is None:
            return product
        if not math.isclose(amount, product, rel_tol=1e-9, abs_tol=1e-9):
            raise ValueError(f"amount {show_number(amount)} is not count x price = {show_number(count)} x "
                             f"{show_number(price)} = {show_number(product)}")
    if amount is None:
        raise ValueError("PAYS needs an amount, a count and a price, or a share_of and a share")
    return amount


def linked_flow_amounts(flows: dict[str, tuple[str | None, float | None, float | None]],
                        linked: list[tuple[str | None, str, float]]) -> list[float]:
    """The amount of each linked flow in ``linked`` (``(id or None, share_of, share)``), derived through ``flows``
    (the PAYS with ids, as :func:`~ecosystem_graph.vocabulary.linked_amounts` takes them); raises when a
    share_of chain does not lead to a PAYS with an amount.

    >>> linked_flow_amounts({"subs": (None, None, 100.0), "payout": ("subs", 0.85, None)},
    ...                     [("payout", "subs", 0.85), (None, "payout", 0.1)])
    [85.0, 8.5]
    """
    derived = linked_amounts(flows)
    out = []
    for rid, share_of, share in linked:
        got = derived.get(rid) if rid is not None else linked_amount(share_of, share, flows, derived)
        if got is None:
            raise PydanticCustomError(
                LINKED_FLOW_ERROR, "{what}: {why}",
                {"field": "", "what": f"share_of '{share_of}'",
                 "why": "does not lead to a PAYS with an amount (unknown id, not a PAYS, or a cycle)"})
        out.append(got)
    return out
