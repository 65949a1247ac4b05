"""How figures are written for people: money, shares, counts and indices, one rule per kind of figure."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

__all__ = ["KINDS", "UNIT_FACTORS", "money_scale", "format_money", "format_share", "format_percent",
           "format_count", "format_index", "format_number", "guess_kind"]

KINDS = ("money", "share", "percent", "count", "index", "number", "text")
"""Kinds of figure: ``money`` (an amount in the model's currency and unit), ``share`` (a fraction 0..1 such as
a rate, shown as a percentage), ``percent`` (already times 100), ``count`` (whole things: members, relationships),
``index`` (elasticities, lock-in indices: two decimals), ``number`` (anything else: three significant digits),
``text`` (shown as it is)."""

UNIT_FACTORS = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
"""Money units amounts can be converted between (a model's ``money_unit``, case-insensitive)."""
_UNITS_UP = ("", "thousand", "million", "billion", "trillion")
_MONEY_DIGITS = 3  # significant digits of a scaled amount ("EUR 2.48 million")
_MAX_DECIMALS = 12


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _round_sig(value: float, sig: int) -> float:
    return float(f"{value:.{sig}g}") if value else 0.0


def _sig_decimals(value: float, sig: int, at_least: int = 0) -> int:
    """Decimals that show ``value`` with ``sig`` significant digits (at least ``at_least``), counted after
    rounding, so that 0.99995 reads 1.00 and not 1.000."""
    if value == 0 or not math.isfinite(value):
        return at_least
    rounded = _round_sig(abs(value), sig)
    return max(at_least, sig - 1 - math.floor(math.log10(rounded)))


def _whole(value: float) -> str:
    """A whole number with thousands separators, halves rounded away from zero (0.5 -> 1, 337.5 -> 338)."""
    return f"{int(math.copysign(math.floor(abs(value) + 0.5), value)):,}"


def _fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals and thousands separators, halves of the written value rounded
    away from zero (0.305 -> 0.31, where formatting the binary float gives 0.30), like :func:`_whole`."""
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{exact:,.{decimals}f}"


def _missing(value: Any) -> str:
    return "–" if value is None else str(value)


def money_scale(values: float | Iterable[float], unit: str | None = None) -> tuple[float, str | None]:
    """``(divisor, unit)`` for amounts in the model's ``unit``: the unit in which the largest of ``values``
    (one amount, or a column of them) shows at most three digits before the point.

    Every amount of a column is then divided by the same divisor, so the column reads in one unit. Plain
    amounts stay plain below a million (``EUR 720,000`` rather than ``EUR 720 thousand``); an amount below
    one model unit moves down (0.05 billion -> 50 million). Unknown units are kept (divisor 1).

    Parameters
    ----------
    values : float or iterable of float
        The amounts; missing and non-finite ones are ignored.
    unit : str, optional
        The model's ``money_unit`` (``thousand``, ``million``, ... or None for plain amounts).

    Examples
    --------
    >>> money_scale([720_000, 2_400_000]), money_scale(754_035_603.9, "thousand"), money_scale(12.0, "k€")
    ((1000000.0, 'million'), (1000000.0, 'billion'), (1.0, 'k€'))
    >>> money_scale(0.05, "billion"), money_scale(0.00004, "billion"), money_scale([999_999_999.6])
    ((0.001, 'million'), (1e-09, None), (1000000000.0, 'billion'))
    """
    if isinstance(values, (int, float)):
        values = [values]
    largest = max((abs(v) for v in values if _finite(v)), default=0.0)
    key = (unit or "").strip().lower()
    if key not in UNIT_FACTORS:
        return 1.0, unit
    base = UNIT_FACTORS[key]
    # rounded first: 999,999,999.6 reads "1.00 billion", never "1,000 million"
    total = _round_sig(largest * base, _MONEY_DIGITS)
    best = key
    if 0 < total < base:  # below one model unit: start from plain amounts
        best = ""
        for name in _UNITS_UP:
            if name != "thousand" and total >= UNIT_FACTORS[name]:
                best = name
    else:
        for name in _UNITS_UP:
            if name == "thousand" and key == "":
                continue  # plain amounts stay plain below a million: 1,200 rather than 1.2 thousand
            if UNIT_FACTORS[name] >= base and total >= UNIT_FACTORS[name]:
                best = name
    return UNIT_FACTORS[best] / base, (best or None)


def format_money(value: Any, currency: str | None = "", unit: str | None = None,
                 scale: tuple[float, str | None] | None = None) -> str:
    """Money as a client reads it: currency, amount, unit (``EUR 2.48 million``).

    Amounts in a unit (thousand, million, ...) show three significant digits and at least one decimal, more
    where a small amount needs them, so a non-zero amount never reads 0. Plain amounts show whole currency
    units from 100 on and cents below. ``scale`` (from :func:`money_scale` over a column) puts every amount of
    a column in the same unit; by default each amount picks its own. Zero reads ``EUR 0`` in any unit.

    Parameters
    ----------
    value : float
        The amount in the model's ``unit``.
    currency : str, optional
        ISO code written before the amount.
    unit : str, optional
        The model's ``money_unit``.
    scale : tuple, optional
        ``(divisor, shown unit)`` from :func:`money_scale`.

    Examples
    --------
    >>> format_money(2_400_000, "EUR"), format_money(720_000, "EUR"), format_money(574.785, "USD", "billion")
    ('EUR 2.40 million', 'EUR 720,000', 'USD 575 billion')
    >>> column = money_scale([2_400_000, 720_000, 53_820])
    >>> [format_money(v, "EUR", scale=column) for v in (2_400_000, 720_000, 53_820, 0)]
    ['EUR 2.40 million', 'EUR 0.720 million', 'EUR 0.0538 million', 'EUR 0']
    >>> format_money(999.95, "EUR"), format_money(-1_558_560, "EUR"), format_money(0.004, "EUR")
    ('EUR 1,000', 'EUR -1.56 million', 'EUR 0.00400')
    >>> format_money(0.0358, "EUR", "million"), format_money(None), format_money(3, "EUR", "k€")
    ('EUR 35,800', '–', 'EUR 3 k€')
    """
    if not _finite(value):
        return _missing(value)
    key = (unit or "").strip().lower()
    divisor, shown_unit = scale if scale is not None else money_scale(value, unit)
    amount = value / divisor
    if amount == 0:
        shown_unit = None  # nothing is nothing in any unit: "EUR 0"
    if amount and _sig_decimals(amount, _MONEY_DIGITS) > _MAX_DECIMALS:
        if scale is not None:  # far below the column's unit: in its own unit rather than a row of zeros
            return format_money(value, currency, unit)
        text = f"{amount:.3g}"  # beyond any unit (1e-20 EUR)
    elif key not in UNIT_FACTORS and (abs(amount) >= 100 or float(amount).is_integer()):
        text = _whole(amount)  # a unit we cannot convert: the amount as given
    elif key not in UNIT_FACTORS or shown_unit is not None:
        if abs(_round_sig(amount, _MONEY_DIGITS)) >= 100:
            text = _whole(amount)  # 575 billion, not 574.8 billion: three digits are enough
        else:
            text = f"{amount:,.{_sig_decimals(amount, _MONEY_DIGITS, 1)}f}"
    elif abs(amount) >= 99.995 or amount == 0:
        text = _whole(amount)  # plain amounts of 100 and more in whole currency units
    elif abs(amount) >= 0.01:
        text = f"{amount:,.2f}"  # plain amounts below 100: cents
    else:
        text = f"{amount:,.{_sig_decimals(amount, _MONEY_DIGITS)}f}"
    return " ".join(p for p in (currency or "", text, shown_unit or "") if p)


def format_share(value: Any, digits: int = 1) -> str:
    """A fraction 0..1 (a share, a rate) as a percentage with ``digits`` decimals; below 1% two significant
    digits, so a small non-zero rate never reads 0%.

    Examples
    --------
    >>> format_share(0.123), format_share(1.0), format_share(0.00317), format_share(0.004), format_share(0)
    ('12.3%', '100.0%', '0.32%', '0.4%', '0%')
    >>> format_share(0.9999), format_share(0.4567, 0), format_share(-0.25), format_share(None)
    ('100.0%', '46%', '-25.0%', '–')
    """
    if not _finite(value):
        return _missing(value)
    return format_percent(value * 100, digits)


def format_percent(value: Any, digits: int = 1) -> str:
    """A figure already in percent (``12.3`` for 12.3%) written like :func:`format_share`.

    >>> format_percent(61.48), format_percent(2.173), format_percent(0.05), format_percent(12_345.6)
    ('61.5%', '2.2%', '0.05%', '12,345.6%')
    >>> format_percent(0.305, 2), format_percent(0.4, 0), format_percent(0.4, 2), format_percent(-0.004)
    ('0.31%', '0.4%', '0.40%', '-0.004%')
    """
    if not _finite(value):
        return _missing(value)
    if value == 0:
        return "0%"
    decimals = digits
    if abs(round(value, digits)) < 1:  # below 1%: two significant digits, trailing zeros dropped
        decimals = min(max(digits, _sig_decimals(value, 2)), _MAX_DECIMALS)
    text = _fixed(value, decimals)
    while decimals > digits and text.endswith("0"):
        text, decimals = text[:-1], decimals - 1
    return text.rstrip(".") + "%"


def format_count(value: Any) -> str:
    """A number of things (members, relationships, converted customers), whole, with thousands separators.

    >>> format_count(9000), format_count(12_800.0), format_count(4575.4), format_count(999.95), format_count(-3)
    ('9,000', '12,800', '4,575', '1,000', '-3')
    >>> format_count(0.4), format_count(0.04)
    ('0.4', '0.04')
    """
    if not _finite(value):
        return _missing(value)
    if value != 0 and abs(value) < 0.5:  # less than one expected member: not 0
        return format_number(value)
    return _whole(value)


def format_index(value: Any, digits: int = 2) -> str:
    """An index or elasticity with ``digits`` decimals and thousands separators.

    >>> format_index(0.7377), format_index(77.38), format_index(-185.2), format_index(4229.31), format_index(0)
    ('0.74', '77.38', '-185.20', '4,229.31', '0.00')
    """
    if not _finite(value):
        return _missing(value)
    return f"{value:,.{digits}f}"


def format_number(value: Any, kind: str = "number", *, currency: str | None = "", unit: str | None = None,
                  scale: tuple[float, str | None] | None = None) -> str:
    """Any figure by its ``kind`` (one of :data:`KINDS`); ``number``: whole from 100 on, else three
    significant digits, never 0 for a non-zero value.

    Examples
    --------
    >>> format_number(0.002747), format_number(0.315), format_number(129.87), format_number(1_275_880.0)
    ('0.00275', '0.315', '130', '1,275,880')
    >>> format_number(3.0), format_number(12.0), format_number(-0.5), format_number(0.99996), format_number(2e-20)
    ('3', '12', '-0.5', '1', '2e-20')
    >>> format_number(0.25, "share"), format_number(4575.0, "count"), format_number(0.7377, "index")
    ('25.0%', '4,575', '0.74')
    >>> format_number(1_522_596, "money", currency="EUR"), format_number(None, "count"), format_number("x")
    ('EUR 1.52 million', '–', 'x')
    """
    if kind == "money":
        return format_money(value, currency, unit, scale)
    if kind == "share":
        return format_share(value)
    if kind == "percent":
        return format_percent(value)
    if kind == "count":
        return format_count(value)
    if kind == "index":
        return format_index(value)
    if kind not in KINDS:
        raise ValueError(f"unknown kind of figure '{kind}'; expected one of {', '.join(KINDS)}")
    if not _finite(value):
        return _missing(value)
    if abs(_round_sig(value, 3)) >= 100 or float(value).is_integer():
        return _whole(value)
    decimals = _sig_decimals(value, 3)
    if decimals > _MAX_DECIMALS:
        return f"{value:.3g}"
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")  # at most three: 0.25, not 0.250


def guess_kind(header: str) -> tuple[str | None, str | None, str | None]:
    """``(kind, currency, unit)`` read from a column header: ``revenue (EUR)`` and ``amount (USD billion)``
    are money, ``% of ...`` a percentage, ``share`` a fraction; anything else ``(None, None, None)`` (each
    cell then formatted by its type).

    >>> guess_kind("revenue at risk (EUR)"), guess_kind("value (USD billion)"), guess_kind("% of core revenue")
    (('money', 'EUR', None), ('money', 'USD', 'billion'), ('percent', None, None))
    >>> guess_kind("name")
    (None, None, None)
    """
    text = header.strip()
    if text.endswith(")") and "(" in text:
        words = text[text.rindex("(") + 1:-1].split()
        if words and len(words[0]) == 3 and words[0].isalpha() and words[0].isupper() and len(words) <= 2:
            return "money", words[0], (words[1] if len(words) == 2 else None)
    if text.startswith("%") or text.endswith("(%)"):
        return "percent", None, None
    return None, None, None
