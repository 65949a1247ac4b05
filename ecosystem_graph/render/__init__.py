"""Interactive HTML exploration of an ecosystem: layout, graph data and a self-contained vis-network page."""

from .html import (
    LAYOUTS,
    MAX_NODES,
    PHYSICS_LIMIT,
    SIZE_METRICS,
    Highlight,
    graph_data,
    parse_highlight,
    render_fragment,
    render_html,
    write_html,
)
from .layout import ecosystem_layout

__all__ = [
    "LAYOUTS",
    "MAX_NODES",
    "PHYSICS_LIMIT",
    "SIZE_METRICS",
    "Highlight",
    "ecosystem_layout",
    "graph_data",
    "parse_highlight",
    "render_fragment",
    "render_html",
    "write_html",
]

from ..callable_package import make_callable  # noqa: E402
from .write import render as _render  # noqa: E402

make_callable(__name__, _render)  # ecosystem_graph.render(model) is the API function
