"""Writing a built report to its file(s): HTML, Markdown with its SVG files, or a PowerPoint deck."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError
from .document import Report

__all__ = ["REPORT_FORMATS", "WrittenReport", "report_format", "write_report", "report"]

REPORT_FORMATS = ("html", "md", "pptx")
"""What a report can be written as."""


@dataclass
class WrittenReport:
    """What :func:`write_report` wrote: the chart files beside a Markdown report, a deck's slides and charts."""

    path: str
    fmt: str
    files: list[str] = field(default_factory=list)
    slides: int = 0
    charts: int = 0


def report_format(path: str | os.PathLike, fmt: str | None = None) -> str:
    """``fmt`` when given, else the format the file name asks for (html by default).

    >>> report_format("a.md"), report_format("deck.PPTX"), report_format("r.html"), report_format("x", "md")
    ('md', 'pptx', 'html', 'md')
    """
    if fmt is not None:
        return fmt
    suffix = Path(path).suffix.lower()
    return "md" if suffix in (".md", ".markdown") else "pptx" if suffix == ".pptx" else "html"


def write_report(doc: Report, path: str | os.PathLike, fmt: str, *, template: str | os.PathLike | None = None,
                 draw_map: bool = True) -> WrittenReport:
    """Write ``doc`` to ``path`` as ``fmt`` (one of :data:`REPORT_FORMATS`), atomically.

    A Markdown report's chart files go beside the file actually written (a symlink's target) and appear
    together with the ``.md``: all are written first, then renamed in a row, the ``.md`` last. ``template``
    and ``draw_map`` are for a deck. Raises RenderError when a file cannot be written.
    """
    from ..fileio import atomic_outputs, output_target, write_bytes_atomic, write_text_atomic

    written = WrittenReport(str(path), fmt)
    try:
        if fmt == "html":
            from .html import render_report_html

            write_text_atomic(path, render_report_html(doc))
        elif fmt == "pptx":
            from .pptx import render_report_pptx

            deck = render_report_pptx(doc, template, draw_map=draw_map)
            write_bytes_atomic(path, deck.data)
            written.slides, written.charts = deck.slides, deck.charts
        else:
            from .markdown import render_report_markdown

            target = output_target(path)
            text, files = render_report_markdown(doc, target.stem)
            with atomic_outputs() as batch:
                for name, svg in files.items():
                    batch.write_text(target.parent / name, svg)
                    written.files.append(name)
                batch.write_text(target, text)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return written


def report(model, path: str | os.PathLike, *, template: str | os.PathLike | None = None, **options) -> None:
    """Write the report of ``model`` to ``path``: HTML, Markdown (``.md``) or a PowerPoint deck (``.pptx``).

    ``options`` are those of :func:`ecosystem_graph.report.build_report` (``title``, ``scenario``, ``top``,
    ``graph``, ``technical``, ...); ``template`` is a firm's ``.pptx`` for a deck. A Markdown report writes its
    chart files beside it, all files appearing together. Raises OutputError when a file cannot be written.
    """
    from .build import build_report

    fmt = report_format(path)
    draw_map = options.pop("graph", True)
    if isinstance(model, (list, tuple)):  # snapshots of one ecosystem: the evolution report (--timeline)
        from ..fileio import load_model
        from .evolution import build_timeline_report

        snapshots = [load_model(m) if isinstance(m, (str, os.PathLike)) else m for m in model]
        doc = build_timeline_report(snapshots, graph=draw_map and fmt != "pptx",
                                    graph_format="html" if fmt == "html" else "svg", **options)
        write_report(doc, path, fmt, template=template, draw_map=draw_map)
        return
    # as `ecograph report`: the deck draws its own map; Markdown embeds the static map
    doc = build_report(model, graph=draw_map and fmt != "pptx", graph_format="html" if fmt == "html" else "svg",
                       **options)
    write_report(doc, path, fmt, template=template, draw_map=draw_map)
