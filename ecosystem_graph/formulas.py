"""Spreadsheet-safe cells: text that a spreadsheet would run as a formula gets a leading quote (also in CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

__all__ = ["FORMULA_TRIGGERS", "QUOTE", "neutralize_cell", "restore_cell", "csv_text"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP)."""

QUOTE = "'"
"""The prefix that makes a spreadsheet show the rest of the cell as text."""

_PREFIXED = FORMULA_TRIGGERS + (QUOTE,)
# An xlsx reader turns a CR into LF (XML line-end rule), so '\n after our quote was '\r: also undone.
_RESTORED = _PREFIXED + ("\n",)


def neutralize_cell(value: Any) -> Any:
    """A cell value safe to put in a CSV or xlsx file: text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'``; so does text that already starts with ``'`` (so that
    :func:`restore_cell` can tell the two apart and give back exactly the original text).
    Anything that is not text (numbers, booleans, None) is returned unchanged.

    >>> neutralize_cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralize_cell("-2+3"), neutralize_cell("'quoted"), neutralize_cell("plain"), neutralize_cell(-2)
    ("'-2+3", "''quoted", 'plain', -2)
    """
    if isinstance(value, str) and value.startswith(_PREFIXED):
        return QUOTE + value
    return value


def restore_cell(value: Any) -> Any:
    """The inverse of :func:`neutralize_cell`: drops one leading ``'`` when the next character is one
    that neutralisation prefixes (``= + - @``, tab, CR or ``'``; or LF, which a CR becomes in xlsx);
    any other text, and anything that is not text, is returned unchanged (``'tis`` stays ``'tis``).

    >>> restore_cell("'=1+1"), restore_cell("''quoted"), restore_cell("'tis"), restore_cell(3)
    ('=1+1', "'quoted", "'tis", 3)
    """
    if isinstance(value, str) and len(value) > 1 and value[0] == QUOTE and value[1] in _RESTORED:
        return value[1:]
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Comma-separated lines (``\\n`` after each row) of cells neutralised with :func:`neutralize_cell`;
    None is an empty cell. A field holding a CR is quoted too (``csv.writer`` with a ``\\n`` line end
    would leave it bare, and a reader would split the row there).

    >>> print(csv_text([["name", "amount"], ["=1+1", -2], ["@x", None]]), end="")
    name,amount
    '=1+1,-2
    '@x,
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")  # \r\n: every field with a CR or LF gets quotes
    out = []
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(["" if v is None else neutralize_cell(v) for v in row])
        out.append(buf.getvalue()[:-2] + "\n")
    return "".join(out)
