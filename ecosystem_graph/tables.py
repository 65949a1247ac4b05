"""Tabular output: one ``Table`` shape rendered as a rich terminal table, CSV or Markdown."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import numbers
from .formulas import csv_text

__all__ = ["Table", "format_cell", "tables_to_csv", "tables_to_html", "tables_to_markdown", "tables_to_rich"]


@dataclass
class Table:
    """A titled table: what every text format (terminal, CSV, Markdown) is rendered from."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str | None = None  # a line under the table (e.g. "betweenness sampled with k=500")
    # What each column holds (see ecosystem_graph.numbers.KINDS); None: read from the header
    # ("revenue (EUR)" is money, "% of ..." a percentage), else each cell by its type.
    kinds: list[str | None] | None = None
    currency: str | None = None  # of the money columns (default: from the header)
    money_unit: str | None = None
    # per row, over the kinds of its value columns (an index row in a money column; a what-if row of money
    # whose before, after and change share one unit); columns of another given kind ("text", "percent") keep theirs
    row_kinds: list[str | None] | None = None
    # column index -> the kind of each row's cell in that column (a tornado's assumption values: money in one
    # row, a percentage in the next); such a column ignores ``row_kinds``; CSV keeps the raw values
    cell_kinds: dict[int, list[str]] | None = None

    def column_kinds(self) -> list[tuple[str | None, str | None, str | None]]:
        """``(kind, currency, unit)`` of each column: the given kinds, else guessed from the headers."""
        out = []
        for i, header in enumerate(self.columns):
            kind = self.kinds[i] if self.kinds is not None and i < len(self.kinds) else None
            guessed = numbers.guess_kind(str(header))
            if kind is None:
                kind = guessed[0]
            if kind == "money":
                out.append((kind, self.currency if self.currency is not None else guessed[1],
                            self.money_unit if self.money_unit is not None else guessed[2]))
            else:
                out.append((kind, None, None))
        return out

    def formatted_rows(self) -> list[list[str]]:
        """The rows as text for people: each column by its kind, every money column in one unit chosen
        from its largest amount (``EUR 0.720 million`` beside ``EUR 2.40 million``)."""
        kinds = self.column_kinds()
        row_kinds = list(self.row_kinds or [])
        row_kinds += [None] * (len(self.rows) - len(row_kinds))
        scales = []
        for i, (kind, _, unit) in enumerate(kinds):
            if kind == "money":
                scales.append(numbers.money_scale([r[i] for r, rk in zip(self.rows, row_kinds)
                                                   if rk is None and i < len(r) and _is_number(r[i])], unit))
            else:
                scales.append(None)
        out = []
        cell_kinds = self.cell_kinds or {}
        for n, (row, row_kind) in enumerate(zip(self.rows, row_kinds)):
            row_scale = None
            if row_kind == "money":  # a row of money (before, after, change) in one unit
                # cells of their own kind (an assumption in millions) do not set the row's unit
                row_scale = numbers.money_scale([v for i, v in enumerate(row) if _is_number(v) and i not in cell_kinds
                                                 and (i >= len(kinds) or kinds[i][0] in (None, "number", "money"))],
                                                self.money_unit)
            texts = []
            for i, v in enumerate(row):
                kind, currency, unit = kinds[i] if i < len(kinds) else (None, None, None)
                if i in cell_kinds and n < len(cell_kinds[i]):
                    texts.append(format_cell(v, cell_kinds[i][n], self.currency, self.money_unit))
                elif row_kind is not None and kind in (None, "number", "money"):  # a column of its own kind keeps it
                    texts.append(format_cell(v, row_kind, self.currency, self.money_unit, scale=row_scale))
                else:
                    texts.append(format_cell(v, kind, currency, unit, scale=scales[i] if i < len(scales) else None))
            out.append(texts)
        return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_cell(value: Any, kind: str | None = None, currency: str | None = None, unit: str | None = None,
                *, scale: tuple[float, str | None] | None = None) -> str:
    """Text for one cell: numbers by ``kind`` (:func:`ecosystem_graph.numbers.format_number`; without a
    kind, whole numbers with thousands separators, other floats with three significant digits), lists
    joined, None empty.

    >>> format_cell(9000), format_cell(12_800.0), format_cell(0.7377), format_cell(None), format_cell(True)
    ('9,000', '12,800', '0.738', '', 'yes')
    >>> format_cell(0.25, "share"), format_cell(720_000, "money", "EUR", scale=(1e6, "million"))
    ('25.0%', 'EUR 0.720 million')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return str(value)
        if kind in (None, "text"):
            kind = "count" if isinstance(value, int) else "number"
        return numbers.format_number(value, kind, currency=currency, unit=unit, scale=scale)
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
    # < too: a Markdown viewer would otherwise render a name such as "<img onerror=...>" as raw HTML (a tag
    # or autolink needs its "<"; ">" alone is harmless and keeps a lever's "a->b" readable).
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "\\<").replace("\n", " ")


def tables_to_markdown(tables: Iterable[Table]) -> str:
    """GitHub-flavoured Markdown tables, each under a ``###`` heading."""
    out: list[str] = []
    for t in tables:
        out.append(f"### {_md_escape(t.title)}\n")
        out.append("| " + " | ".join(_md_escape(c) for c in t.columns) + " |")
        out.append("|" + "|".join(" --- " for _ in t.columns) + "|")
        for row in t.formatted_rows():
            out.append("| " + " | ".join(_md_escape(text) for text in row) + " |")
        if t.note:
            out.append(f"\n{_md_escape(t.note)}")
        out.append("")
    return "\n".join(out)


def tables_to_html(tables: Iterable[Table]) -> str:
    """HTML tables, each under an ``<h4>`` title with its note below; every text escaped.

    >>> tables_to_html([Table("A & B", ["x"], [["<b>"]])])
    '<h4>A &amp; B</h4>\\n<table>\\n<thead><tr><th>x</th></tr></thead>\\n<tbody>\\n<tr><td>&lt;b&gt;</td></tr>\\n</tbody>\\n</table>'
    """
    from html import escape

    out: list[str] = []
    for t in tables:
        out.append(f"<h4>{escape(t.title)}</h4>")
        out.append("<table>")
        out.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in t.columns) + "</tr></thead>")
        out.append("<tbody>")
        for row in t.formatted_rows():
            out.append("<tr>" + "".join(f"<td>{escape(text)}</td>" for text in row) + "</tr>")
        out.append("</tbody>")
        out.append("</table>")
        if t.note:
            out.append(f"<p>{escape(t.note)}</p>")
    return "\n".join(out)


def tables_to_rich(tables: Iterable[Table]) -> list:
    """rich renderables (tables; notes as dim text) ready for ``Console.print``."""
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text

    out: list = []
    for t in tables:
        rt = RichTable(title=escape(t.title), title_justify="left", title_style="bold", min_width=len(t.title) + 2)
        for c, (kind, _, _) in zip(t.columns, t.column_kinds()):
            if kind in (None, "text"):
                rt.add_column(escape(c), overflow="fold")
            else:  # figures right-aligned
                rt.add_column(escape(c), overflow="fold", justify="right")
        for row in t.formatted_rows():
            # Text objects, so that user strings are never read as rich markup.
            rt.add_row(*[Text(text) for text in row])
        out.append(rt)
        if t.note:
            out.append(Text(t.note, style="dim"))
    return out
