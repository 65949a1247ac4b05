"""The visual language of the page: one colour and shape per node kind, one colour and line per relationship type."""

from __future__ import annotations

from ..model import CHANNEL, CORE, NODE_KINDS, PARTNER, RELATIONSHIP_TYPES, SATELLITE, SEGMENT

__all__ = ["KIND_STYLES", "TYPE_STYLES", "HIGHLIGHT_COLOR", "legend_kinds", "legend_types"]

KIND_STYLES: dict[str, dict[str, str]] = {
    CORE: {"label": "Core", "plural": "Cores", "color": "#c0392b", "shape": "hexagon"},
    SATELLITE: {"label": "Satellite", "plural": "Satellites", "color": "#e67e22", "shape": "dot"},
    CHANNEL: {"label": "Channel", "plural": "Channels", "color": "#2874a6", "shape": "diamond"},
    PARTNER: {"label": "Partner", "plural": "Partners", "color": "#7d8a8b", "shape": "triangle"},
    SEGMENT: {"label": "Customer segment", "plural": "Customer segments", "color": "#229954", "shape": "square"},
}
"""Per kind: display label, colour (fill) and vis-network shape (every shape draws its label below)."""

TYPE_STYLES: dict[str, dict] = {
    "USES": {"label": "uses (binding)", "color": "#229954", "dashes": False},
    "PAYS": {"label": "pays (width = money)", "color": "#b7950b", "dashes": False},
    "FEEDS": {"label": "feeds (cross-selling)", "color": "#e67e22", "dashes": [10, 5]},
    "REACHES": {"label": "reaches", "color": "#2874a6", "dashes": [2, 5]},
    "SUPPLIES": {"label": "supplies", "color": "#7d8a8b", "dashes": [6, 4]},
    "DEPENDS_ON": {"label": "depends on", "color": "#8e44ad", "dashes": [12, 4, 2, 4]},
    "CONVERTS_TO": {"label": "converts to (funnel)", "color": "#117a65", "dashes": False},
}
"""Per relationship type: display label, line colour and dash pattern (False = solid)."""

HIGHLIGHT_COLOR = "#f1c40f"

assert set(KIND_STYLES) == set(NODE_KINDS) and set(TYPE_STYLES) == set(RELATIONSHIP_TYPES)


def legend_kinds() -> list[dict[str, str]]:
    """The kind legend in ring order (centre first)."""
    return [{"kind": k, **KIND_STYLES[k]} for k in NODE_KINDS]


def legend_types() -> list[dict]:
    """The relationship-type legend in vocabulary order."""
    return [{"type": t, **TYPE_STYLES[t]} for t in RELATIONSHIP_TYPES]
