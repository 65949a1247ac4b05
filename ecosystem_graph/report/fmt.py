"""Number formatting for reports: the rules of :mod:`ecosystem_graph.numbers` with the report's typography."""

from __future__ import annotations

import math

from .. import numbers
from ..numbers import UNIT_FACTORS

__all__ = ["money", "money_each", "money_column", "rescale_money_columns", "money_axis_label", "money_scale",
           "UNIT_FACTORS", "share", "number", "signed", "change"]


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


def money_scale(largest, unit: str | None) -> tuple[float, str | None]:
    """``(divisor, unit)`` that shows amounts up to ``largest`` (one amount or a column of them, in the model's
    ``unit``) with at most three digits before the point: :func:`ecosystem_graph.numbers.money_scale`.

    >>> money_scale(754_035_603.9, "thousand"), money_scale(574.8, "billion"), money_scale(12.0, "k€")
    ((1000000.0, 'billion'), (1.0, 'billion'), (1.0, 'k€'))
    >>> money_scale(0.05, "billion"), money_scale(0.00004, "billion")
    ((0.001, 'million'), (1e-09, None))
    """
    return numbers.money_scale(largest, unit)


def money(value, currency: str = "", unit: str | None = None, digits: int = 1, scale=None) -> str:
    """Money as written in a client document (:func:`ecosystem_graph.numbers.format_money`, with a real
    minus sign): in the unit that keeps it readable (or ``scale``, one unit for a column), three significant
    digits, a non-zero amount never reads 0. ``digits`` is kept for callers; the kind of figure decides.

    >>> money(574.785, "USD", "billion"), money(1200, "EUR"), money(754_035_603.9, "EUR", "thousand")
    ('USD 575 billion', 'EUR 1,200', 'EUR 754 billion')
    >>> money(0.0358, "EUR", "million"), money(0.004, "EUR", "k€"), money(0.25, "EUR"), money(-29847.6, "EUR")
    ('EUR 35,800', 'EUR 0.00400 k€', 'EUR 0.25', 'EUR −29,848')
    """
    if not _finite(value):
        return "–"
    return numbers.format_money(value, currency, unit, scale).replace("-", "−")  # a real minus sign


def money_column(values, currency: str = "", unit: str | None = None) -> list[str]:
    """Money for one column of a table: every amount in the unit of the largest (``EUR 0.720 million``
    beside ``EUR 2.40 million``, never ``EUR 720,000``).

    >>> money_column([2_400_000, 720_000, None], "EUR")
    ['EUR 2.40 million', 'EUR 0.720 million', '–']
    """
    values = list(values)
    scale = numbers.money_scale([v for v in values if _finite(v)], unit)
    return [money(v, currency, unit, scale=scale) for v in values]


def rescale_money_columns(tables, currency: str = "", unit: str | None = None) -> None:
    """Put each money column of ``tables`` (report tables) in one unit, in place.

    A column is money when every cell with a number reads as :func:`money` of its value (so a column of
    changes, shares or counts is left alone); those cells are rewritten with the column's scale.
    """
    for table in tables:
        for col in range(len(table.columns)):
            cells = [row[col] for row in table.rows if col < len(row) and _finite(row[col].value)]
            if not cells or any(c.text != money(c.value, currency, unit) for c in cells):
                continue
            scale = numbers.money_scale([c.value for c in cells], unit)
            for c in cells:
                c.text = money(c.value, currency, unit, scale=scale)


def money_axis_label(currency: str = "", unit: str | None = None, period: str | None = None) -> str:
    """Axis caption for money, e.g. ``USD billion per 2023``."""
    text = " ".join(p for p in (currency, unit or "") if p) or "money"
    return f"{text} ({period})" if period else text


def share(value, digits: int = 1) -> str:
    """A fraction 0..1 as a percentage (:func:`ecosystem_graph.numbers.format_share`).

    >>> share(0.4567), share(1.0), share(None), share(0.0042, 0)
    ('45.7%', '100.0%', '–', '0.42%')
    """
    if not _finite(value):
        return "–"
    return numbers.format_share(value, digits).replace("-", "−")


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
    >>> money_each(0.0, "EUR", "million"), money_each(0.0000000012, "EUR", "million")
    ('EUR 0', 'EUR 0.00120')
    """
    if not _finite(value):
        return "–"
    key = (unit or "").strip().lower()
    if key in UNIT_FACTORS:
        plain = value * UNIT_FACTORS[key]
        if abs(plain) >= 1e6:
            return money(value, currency, unit)
        if plain == 0 or abs(plain) < 0.01:  # "EUR 0"; a fraction of a cent with its significant digits
            return money(plain, currency)
        return " ".join(p for p in (currency, f"{plain:,.2f}") if p).replace("-", "−")
    return " ".join(p for p in (currency, f"{value:,.4g}", unit or "") if p)
