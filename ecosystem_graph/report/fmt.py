"""Number formatting for reports: money with currency and unit, shares, indices, plain counts."""

from __future__ import annotations

import math

__all__ = ["money", "money_axis_label", "share", "number", "signed", "change"]


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


def money(value, currency: str = "", unit: str | None = None, digits: int = 1) -> str:
    """Money as written in a client document: ``USD 574.8 billion``.

    >>> money(574.785, "USD", "billion"), money(1200, "EUR")
    ('USD 574.8 billion', 'EUR 1,200')
    """
    if not _finite(value):
        return "–"
    text = f"{value:,.{digits}f}" if abs(value) < 1e15 and float(value) != int(value) else f"{int(value):,}"
    parts = [p for p in (currency, text, unit or "") if p]
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
