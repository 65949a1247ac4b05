"""Text made safe for a terminal: control characters (C0, DEL, C1) and bidirectional controls shown as visible escapes."""

from __future__ import annotations

__all__ = ["BIDI_CONTROLS", "printable", "printable_json"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
# The bidirectional controls (Unicode "Cf" format characters that reorder the text after them: "abc\u202edef"
# shows as "abcfed" and can make a name, a figure or a whole table line read backwards): the Arabic letter
# mark, left-to-right and right-to-left marks, embeddings, overrides and isolates. Other format characters
# (zero-width joiners, soft hyphens) reorder nothing and join emoji and scripts, so they stay.
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ESCAPES = {c: _NAMED.get(chr(c), f"\\x{c:02x}") for c in _CONTROL_CODES} | {c: f"\\u{c:04x}" for c in BIDI_CONTROLS}
_ESCAPES_KEEP_NEWLINES = {c: e for c, e in _ESCAPES.items() if c != 0x0A}
# CSV carries tabs and line feeds as (quoted) data, and neither can drive a terminal; a carriage return
# could overwrite a printed line, so it stays escaped. A bidirectional control is data there too (CSV has
# no escape that would keep its value): it stays as it is.
_ESCAPES_KEEP_WHITESPACE = {c: e for c, e in _ESCAPES.items() if chr(c) not in "\t\n" and c not in BIDI_CONTROLS}
# In JSON text, DEL, C1 and the bidirectional controls can only stand inside strings; \\u escapes keep the
# same data.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), *BIDI_CONTROLS)}


def printable(text: object, keep_newlines: bool = False, keep_whitespace: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1: ESC, BEL, CSI, ...) and bidirectional control
    (:data:`BIDI_CONTROLS`) replaced by a visible escape (``\\x1b``, ``\\n``, ``\\u202e``), so that a name
    from a file cannot move the cursor, retitle the window, forge a line or read backwards on the terminal;
    line breaks are kept when ``keep_newlines``, and tabs, line feeds and bidirectional controls when
    ``keep_whitespace`` (CSV cells, where they are data).

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
    >>> printable("abc\\u202edef"), printable("abc\\u202edef", keep_whitespace=True) == "abc\\u202edef"
    ('abc\\\\u202edef', True)
    """
    if keep_whitespace:
        return str(text).translate(_ESCAPES_KEEP_WHITESPACE)
    return str(text).translate(_ESCAPES_KEEP_NEWLINES if keep_newlines else _ESCAPES)


def printable_json(text: str) -> str:
    """JSON text with DEL, C1 characters and bidirectional controls written as ``\\u`` escapes (JSON writers
    escape C0 already): the same data, safe on a terminal.

    >>> printable_json('{"name": "a\\x9bb\\u202ec"}')
    '{"name": "a\\\\u009bb\\\\u202ec"}'
    """
    return text.translate(_JSON_ESCAPES)
