"""Text made safe for a terminal: control characters (C0, DEL, C1) shown as visible escapes."""

from __future__ import annotations

__all__ = ["printable", "printable_json"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_ESCAPES = {c: _NAMED.get(chr(c), f"\\x{c:02x}") for c in _CONTROL_CODES}
_ESCAPES_KEEP_NEWLINES = {c: e for c, e in _ESCAPES.items() if c != 0x0A}
# CSV carries tabs and line feeds as (quoted) data, and neither can drive a terminal; a carriage return
# could overwrite a printed line, so it stays escaped.
_ESCAPES_KEEP_WHITESPACE = {c: e for c, e in _ESCAPES.items() if chr(c) not in "\t\n"}
# In JSON text, DEL and C1 can only stand inside strings; \\u escapes keep the same data.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def printable(text: object, keep_newlines: bool = False, keep_whitespace: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1: ESC, BEL, CSI, ...) replaced by a visible
    escape (``\\x1b``, ``\\n``), so that a name from a file cannot move the cursor, retitle the window or
    forge a line on the terminal; line breaks are kept when ``keep_newlines``, and tabs and line feeds when
    ``keep_whitespace`` (CSV cells, where they are quoted data).

    Examples
    --------
    >>> printable("Prime\\x1b[2J")
    'Prime\\\\x1b[2J'
    >>> printable("a\\nb"), printable("a\\nb", keep_newlines=True)
    ('a\\\\nb', 'a\\nb')
    >>> printable("a\\tb\\x1b", keep_whitespace=True)
    'a\\tb\\\\x1b'
    >>> printable("Café 東京 \\x9b")
    'Café 東京 \\\\x9b'
    """
    if keep_whitespace:
        return str(text).translate(_ESCAPES_KEEP_WHITESPACE)
    return str(text).translate(_ESCAPES_KEEP_NEWLINES if keep_newlines else _ESCAPES)


def printable_json(text: str) -> str:
    """JSON text with DEL and C1 characters written as ``\\u`` escapes (JSON writers escape C0 already):
    the same data, safe on a terminal.

    >>> printable_json('{"name": "a\\x9bb"}')
    '{"name": "a\\\\u009bb"}'
    """
    return text.translate(_JSON_ESCAPES)
