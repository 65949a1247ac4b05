"""The built-in analysis sections, one declaration module each, registered on import."""

from __future__ import annotations

from . import centrality, funnel, keystones, lockin, revenue, sensitivity  # each registers its section on import

__all__ = ["centrality", "funnel", "keystones", "lockin", "revenue", "sensitivity"]
