"""Slugified, unique node ids made from labels."""

from __future__ import annotations

from typing import Iterable

from ..model import MAX_SLUG_LENGTH, slugify

__all__ = ["slugify", "SlugAllocator", "MAX_SLUG_LENGTH"]


class SlugAllocator:
    """Hands out unique ids: the slug of a label, then ``-2``, ``-3``... when it is taken.

    Examples
    --------
    >>> ids = SlugAllocator(reserved=["prime"])
    >>> ids.allocate("Prime"), ids.allocate("prime!"), ids.allocate("AWS")
    ('prime-2', 'prime-3', 'aws')
    """

    def __init__(self, reserved: Iterable[str] = ()):
        self._taken: set[str] = {str(r).lower() for r in reserved}

    def reserve(self, ident: str) -> None:
        """Mark an id (e.g. one given explicitly in the source) as taken."""
        self._taken.add(ident.lower())

    def allocate(self, label: object, fallback: str = "node") -> str:
        """A new id for ``label``, different from every id reserved or allocated so far
        (compared case-insensitively, so ids stay distinct on case-insensitive file systems too)."""
        base = slugify(label, fallback)
        candidate, n = base, 1
        while candidate.lower() in self._taken:
            n += 1
            candidate = f"{base}-{n}"
        self._taken.add(candidate.lower())
        return candidate
