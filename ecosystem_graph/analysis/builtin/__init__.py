"""The five built-in analysis sections, one declaration module each, registered on import."""

from __future__ import annotations

from . import centrality, funnel, keystones, lockin, revenue  # noqa: F401  (each registers its section)

__all__: list[str] = []
