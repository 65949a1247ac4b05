"""Slugified, unique node ids made from labels."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

__all__ = ["slugify", "SlugAllocator", "MAX_SLUG_LENGTH"]

MAX_SLUG_LENGTH = 80
"""Slugs are cut to this many characters (before a ``-2`` suffix is added); ids may hold 200."""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(label: object, fallback: str = "node") -> str:
    """A lower-case ASCII slug of ``label``: letters and digits joined by ``-``.

    Accents are folded (``Café`` -> ``cafe``); a label with no ASCII letter or digit at all (``東京``)
    gives ``fallback``. The result always matches :data:`ecosystem_graph.model.ID_PATTERN`.

    Examples
    --------
    >>> slugify("Prime Video (US)")
    'prime-video-us'
    >>> slugify("Café Crème")
    'cafe-creme'
    >>> slugify("東京", fallback="segment")
    'segment'
    """
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", text.lower()).strip("-")
    slug = slug[:MAX_SLUG_LENGTH].rstrip("-")
    if not slug:
        slug = _NON_ALNUM.sub("-", fallback.lower()).strip("-") or "node"
    return slug


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
