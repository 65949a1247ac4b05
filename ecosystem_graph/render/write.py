"""Showing a model: its interactive page as text or a file, its static map, and its notebook display."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

__all__ = ["render", "notebook_html"]


def render(model, path: str | os.PathLike | None = None, **options: Any):
    """The interactive page of ``model``: its HTML text when ``path`` is None, else written to ``path``.

    A ``.svg`` or ``.png`` path writes the static map instead. ``options`` are those of
    :func:`ecosystem_graph.render.html.render_html` (``size_by``, ``highlights``, ``layout``, ``title``, ...).
    With a path, returns the summary of what the page shows.
    """
    if path is None:
        from .html import render_html

        return render_html(model, **options)
    suffix = Path(path).suffix.lower()
    if suffix in (".svg", ".png"):
        from .static import write_static

        return write_static(model, path, fmt=suffix[1:], **options)
    from .html import write_html

    return write_html(model, path, **options)


def notebook_html(model) -> str:
    """The interactive graph for notebooks (Jupyter, VS Code): the self-contained page fragment inside an
    iframe's ``srcdoc`` (escaped), so its scripts run and it needs no network."""
    from .html import render_fragment

    document = (f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
                f'{render_fragment(model, height="680px")}</body></html>')
    return (f'<iframe srcdoc="{html.escape(document, quote=True)}" title="{html.escape(model.name, quote=True)}"'
            f' style="width:100%;height:700px;border:0" sandbox="allow-scripts"></iframe>')
