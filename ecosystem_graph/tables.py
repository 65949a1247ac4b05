"""Tabular output: one ``Table`` shape rendered as a rich terminal table, CSV or Markdown."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from .formulas import csv_text

__all__ = ["Table", "format_cell", "tables_to_csv", "tables_to_markdown", "tables_to_rich"]


@dataclass
class Table:
    """A titled table: what every text format (terminal, CSV, Markdown) is rendered from."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str | None = None  # a line under the table (e.g. "betweenness sampled with k=500")


def format_cell(value: Any) -> str:
    """Text for one cell: floats with up to 4 significant decimals, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(format_cell(v) for v in value)
    return str(value)


def _raw_cell(value: Any) -> Any:
    # CSV keeps full precision (machines read it); lists joined with ';'.
    if isinstance(value, (list, tuple, set)):
        return ";".join(str(v) for v in value)
    return value


def tables_to_csv(tables: Iterable[Table]) -> str:
    """CSV: one table as plain CSV; several as sections, each a ``# title`` line, header, rows, blank line.

    Headers and text cells starting with ``= + - @``, tab or CR get a leading ``'``
    (:func:`~ecosystem_graph.formulas.neutralize_cell`), so a spreadsheet shows them instead of running them.
    """
    tables = list(tables)
    buf = io.StringIO()
    for n, t in enumerate(tables):
        if len(tables) > 1:
            if n:
                buf.write("\n")
            buf.write(f"# {t.title}\n")
        buf.write(csv_text([t.columns] + [[_raw_cell(v) for v in row] for row in t.rows]))
    return buf.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def tables_to_markdown(tables: Iterable[Table]) -> str:
    """GitHub-flavoured Markdown tables, each under a ``###`` heading."""
    out: list[str] = []
    for t in tables:
        out.append(f"### {_md_escape(t.title)}\n")
        out.append("| " + " | ".join(_md_escape(c) for c in t.columns) + " |")
        out.append("|" + "|".join(" --- " for _ in t.columns) + "|")
        for row in t.rows:
            out.append("| " + " | ".join(_md_escape(format_cell(v)) for v in row) + " |")
        if t.note:
            out.append(f"\n{_md_escape(t.note)}")
        out.append("")
    return "\n".join(out)


def tables_to_rich(tables: Iterable[Table]) -> list:
    """rich renderables (tables; notes as dim text) ready for ``Console.print``."""
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    out: list = []
    for t in tables:
        rt = RichTable(title=escape(t.title), title_justify="left", title_style="bold", min_width=len(t.title) + 2)
        for c in t.columns:
            rt.add_column(escape(c), overflow="fold")
        for row in t.rows:
            # Text objects, so that user strings are never read as rich markup.
            rt.add_row(*[Text(format_cell(v)) for v in row])
        out.append(rt)
        if t.note:
            out.append(Text(t.note, style="dim"))
    return out
