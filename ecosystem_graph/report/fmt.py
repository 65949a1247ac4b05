"""Number formatting for reports: money with currency and unit, shares, indices, plain counts."""

from __future__ import annotations

import math

__all__ = ["money", "money_each", "money_axis_label", "money_scale", "UNIT_FACTORS", "share", "number", "signed", "change"]


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(value, digits: int = 1) -> str:
    """A plain number with thousands separators; whole numbers without decimals.

    >>> number(1234567), number(3.14159, 2), number(None)
    ('1,234,567', '3.14', '–')
    """
    if not _finite(value):
        return "–" if value is None else str(value)
    if float(value) == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


UNIT_FACTORS = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
"""Money units the report can convert between (a model's ``money_unit``, case-insensitive)."""
_UNITS_UP = ("", "thousand", "million", "billion", "trillion")


def money_scale(largest: float, unit: str | None) -> tuple[float, str | None]:
    """``(divisor, unit)`` that shows amounts up to ``largest`` (in the model's ``unit``) with at most
    three digits before the point, e.g. 754,035,603 thousand -> divide by 1e6, "billion"; an amount below
    one model unit moves down to the unit it reads in (0.05 billion -> 50 million, 0.00004 billion -> 40,000).

    Unknown units are kept as they are (divisor 1).

    >>> money_scale(754_035_603.9, "thousand"), money_scale(574.8, "billion"), money_scale(12.0, "k€")
    ((1000000.0, 'billion'), (1.0, 'billion'), (1.0, 'k€'))
    >>> money_scale(0.05, "billion"), money_scale(0.00004, "billion")
    ((0.001, 'million'), (1e-09, None))
    """
    key = (unit or "").strip().lower()
    if key not in UNIT_FACTORS:
        return 1.0, unit
    base = UNIT_FACTORS[key]
    total = abs(largest) * base if _finite(largest) else 0.0
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
    divisor = UNIT_FACTORS[best] / base
    return divisor, (best or None)


def _decimals(value: float, digits: int) -> int:
    """``digits``, or more where the value would show fewer than three significant digits (2.63 million,
    not 2.6 million; a small amount never rounds to zero)."""
    if value == 0 or not math.isfinite(value):
        return digits
    needed = 2 - math.floor(math.log10(abs(value)))
    return min(max(digits, needed), 12)


def money(value, currency: str = "", unit: str | None = None, digits: int = 1) -> str:
    """Money as written in a client document, in the unit that keeps it readable, with at least three
    significant digits (more decimals than ``digits`` where needed): a non-zero amount never reads 0.

    >>> money(574.785, "USD", "billion"), money(1200, "EUR"), money(754_035_603.9, "EUR", "thousand")
    ('USD 574.8 billion', 'EUR 1,200', 'EUR 754.0 billion')
    >>> money(0.0358, "EUR", "million"), money(0.004, "EUR", "k€"), money(0.25, "EUR"), money(29847.6, "EUR")
    ('EUR 35,800', 'EUR 0.00400 k€', 'EUR 0.25', 'EUR 29,848')
    """
    if not _finite(value):
        return "–"
    divisor, shown_unit = money_scale(value, unit)
    key = (unit or "").strip().lower()
    value = value / divisor
    if divisor > 1 or (abs(value) < 1e15 and float(value) != int(value)):
        if shown_unit is None and key in UNIT_FACTORS and abs(value) >= 100:
            value = round(value)  # plain amounts of 100 and more in whole currency units
            text = f"{int(value):,}"
        elif shown_unit is None and key in UNIT_FACTORS and abs(value) >= 0.01:
            text = f"{value:,.2f}"  # plain amounts below 100: cents
        else:
            text = f"{value:,.{_decimals(value, digits)}f}"
    else:
        text = f"{int(value):,}"
    text = text.replace("-", "−")  # a real minus sign
    parts = [p for p in (currency, text, shown_unit or "") if p]
    return " ".join(parts)


def money_axis_label(currency: str = "", unit: str | None = None, period: str | None = None) -> str:
    """Axis caption for money, e.g. ``USD billion per 2023``."""
    text = " ".join(p for p in (currency, unit or "") if p) or "money"
    return f"{text} ({period})" if period else text


def share(value, digits: int = 1) -> str:
    """A fraction 0..1 as a percentage.

    >>> share(0.4567), share(1.0), share(None)
    ('45.7%', '100.0%', '–')
    """
    if not _finite(value):
        return "–"
    return f"{value * 100:.{digits}f}%"


def signed(value, digits: int = 1) -> str:
    """A change with its sign: ``+3.2``, ``−1.0``, ``0``."""
    if not _finite(value):
        return "–"
    if value == 0:
        return "0"
    text = number(abs(value), digits)
    return ("+" if value > 0 else "−") + text


def change(before, after) -> str:
    """The relative change from ``before`` to ``after`` as a signed percentage (``–`` when undefined).

    >>> change(200, 150), change(0, 5)
    ('−25.0%', '–')
    """
    if not (_finite(before) and _finite(after)) or before == 0:
        return "–"
    rel = (after - before) / abs(before)
    if rel == 0:
        return "0%"
    return ("+" if rel > 0 else "−") + f"{abs(rel) * 100:.1f}%"


def money_each(value, currency: str = "", unit: str | None = None) -> str:
    """Money per member or per entrant, in plain currency units when the model's unit is known.

    >>> money_each(0.0000125, "EUR", "million"), money_each(3.5, "EUR", None), money_each(0.2, "EUR", "k€")
    ('EUR 12.50', 'EUR 3.50', 'EUR 0.2 k€')
    """
    if not _finite(value):
        return "–"
    key = (unit or "").strip().lower()
    if key in UNIT_FACTORS:
        plain = value * UNIT_FACTORS[key]
        if abs(plain) >= 1e6:
            return money(value, currency, unit)
        return " ".join(p for p in (currency, f"{plain:,.2f}") if p)
    return " ".join(p for p in (currency, f"{value:,.4g}", unit or "") if p)
