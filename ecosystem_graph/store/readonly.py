"""The static read-only check of ad-hoc Cypher: what a query would change, found in its text before it runs.

A read query runs in a READ transaction that is rolled back, but a server does not roll back everything:
ArcadeDB executes writes in READ mode, ``CALL { ... } IN TRANSACTIONS`` commits its inner transactions,
schema commands persist, ``LOAD CSV`` reads the server's files. :func:`find_write` therefore reads the
query's tokens (comments, string literals and backquoted names are skipped whole, so a property ``n.set``,
a string ``'CREATE'`` or a comment mentioning ``DELETE`` are not writes) and returns the first clause,
command or procedure call that is not known to be read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import StoreQueryError

__all__ = ["READ_ONLY_PROCEDURES", "WRITE_KEYWORDS", "Token", "Write", "tokens", "find_write", "explain_text"]

WRITE_KEYWORDS = frozenset({
    # clauses that write (INSERT is Cypher 25's CREATE)
    "CREATE", "MERGE", "DELETE", "DETACH", "NODETACH", "SET", "REMOVE", "FOREACH", "INSERT",
    # schema and administration commands
    "DROP", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "TERMINATE", "ENABLE", "DEALLOCATE", "REALLOCATE",
})
"""Words that make a query not read-only wherever they stand as a keyword (case-insensitive)."""

READ_ONLY_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "dbms.components",
})
"""Procedures a read query may call (lower case; names are compared case-insensitively, as ArcadeDB
does). Every other procedure (``db.*``, ``dbms.*``, ``apoc.*``, ArcadeDB's ``merge.*``, ``do.when``, ...)
may write, and runs only with ``--write``."""

_LINE_END = re.compile("[\n\r\x85\u2028\u2029]")

_SERVER_OBJECTS = frozenset({"DATABASE", "DATABASES", "SERVER", "SERVERS"})  # START/STOP DATABASE, ...


@dataclass(frozen=True)
class Token:
    """One token of a Cypher text: ``kind`` is word, name (backquoted), string, number, or symbol;
    ``offset`` is its index in the text."""

    kind: str
    text: str
    line: int
    column: int
    offset: int


@dataclass(frozen=True)
class Write:
    """What makes a query not read-only, and where it starts (1-based line and column)."""

    what: str
    line: int
    column: int

    def describe(self) -> str:
        """e.g. ``"CREATE at line 1, column 1"``."""
        return f"{self.what} at line {self.line}, column {self.column}"


def tokens(cypher: str) -> Iterator[Token]:
    """The tokens of ``cypher``, without whitespace and comments (``//`` to the next \\n, \\r or other line
    terminator, ``/* */``).

    Strings take ``\\`` escapes (as Neo4j and ArcadeDB do); a backquoted name ends at the next backquote
    (a doubled backquote gives two adjacent names, which changes nothing here). A word is letters, digits
    and ``_`` not starting with a digit; a number is digits only, so ``1CREATE`` is two tokens, as a
    server's lexer reads it. StoreQueryError for a string, name or comment that is never closed.

    >>> [t.text for t in tokens("MATCH (n) /* SET */ RETURN n.set, 'DELETE' // CREATE")]
    ['MATCH', '(', 'n', ')', 'RETURN', 'n', '.', 'set', ',', "'DELETE'"]
    """
    i, n = 0, len(cypher)
    line, line_start = 1, 0

    def unterminated(what: str, start: int, start_line: int, start_col: int):
        raise StoreQueryError(f"Cypher syntax error: {what} starting at line {start_line}, column {start_col} "
                              f"is never closed")

    while i < n:
        ch = cypher[i]
        col = i - line_start + 1
        if ch == "\n":
            line, line_start = line + 1, i + 1
            i += 1
        elif ch.isspace():
            i += 1
        elif cypher.startswith("//", i):
            # a server's lexer ends a line comment at \r as well as \n; ending it at any line
            # terminator never hides from this check what a server would run
            end = _LINE_END.search(cypher, i)
            i = n if end is None else end.start()
        elif cypher.startswith("/*", i):
            end = cypher.find("*/", i + 2)
            if end < 0:
                unterminated("a comment", i, line, col)
            body = cypher[i:end + 2]
            if "\n" in body:
                line += body.count("\n")
                line_start = i + body.rindex("\n") + 1
            i = end + 2
        elif ch in "'\"`":
            j = i + 1
            while j < n and cypher[j] != ch:
                j += 2 if ch != "`" and cypher[j] == "\\" else 1
            if j >= n:
                unterminated("a string" if ch != "`" else "a backquoted name", i, line, col)
            text = cypher[i:j + 1]
            yield Token("name" if ch == "`" else "string", text, line, col, i)
            if "\n" in text:
                line += text.count("\n")
                line_start = i + text.rindex("\n") + 1
            i = j + 1
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (cypher[j].isalnum() or cypher[j] == "_"):
                j += 1
            yield Token("word", cypher[i:j], line, col, i)
            i = j
        elif ch.isdigit():
            j = i + 1
            while j < n and cypher[j].isdigit():
                j += 1
            yield Token("number", cypher[i:j], line, col, i)
            i = j
        else:
            yield Token("symbol", ch, line, col, i)
            i += 1


def find_write(cypher: str) -> Write | None:
    """The first thing in ``cypher`` that is not read-only, or None for a read-only query.

    Found: a word of :data:`WRITE_KEYWORDS` standing as a keyword, ``LOAD CSV`` (it reads the server's
    files and URLs), ``CALL ... IN TRANSACTIONS``, ``START`` or ``STOP`` of a database or server, and
    ``CALL`` of a procedure not in :data:`READ_ONLY_PROCEDURES`.
    A word is not a keyword after ``.`` (a property: ``n.set``; but ``1. SET`` and ``..SET`` are
    keywords: that dot may end a number or a range), after ``$`` (a parameter), after ``:`` (a label,
    type or map value) or before ``:`` (a map key, a variable before its label). Raises StoreQueryError
    for an unclosed string or comment.

    >>> find_write("MATCH (n) WHERE n.set = 'CREATE' RETURN n // DELETE")
    >>> find_write("MATCH (n)\\n  detach   delete n").describe()
    'DETACH DELETE at line 2, column 3'
    >>> find_write("MATCH (n) CALL { WITH n SET n.x = 1 } IN TRANSACTIONS OF 5 ROWS").describe()
    'SET at line 1, column 25'
    >>> find_write("MATCH (n) CALL { WITH n RETURN n.x AS x } IN TRANSACTIONS RETURN x").describe()
    'CALL ... IN TRANSACTIONS at line 1, column 43'
    >>> find_write("CALL db.labels() YIELD label RETURN label")
    >>> find_write("CALL apoc.create.node(['X'], {})").describe()
    'procedure apoc.create.node (not one of the read-only procedures) at line 1, column 6'
    """
    toks = list(tokens(cypher))
    for k, tok in enumerate(toks):
        if tok.kind != "word" or not _is_keyword(toks, k):
            continue
        word = tok.text.upper()
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        nxt_word = nxt.text.upper() if nxt is not None and nxt.kind == "word" else ""
        if word in WRITE_KEYWORDS:
            what = f"{word} DELETE" if word in ("DETACH", "NODETACH") and nxt_word == "DELETE" else word
            return Write(what, tok.line, tok.column)
        if word == "LOAD" and nxt_word == "CSV":
            return Write("LOAD CSV", tok.line, tok.column)
        if word in ("START", "STOP") and nxt_word in _SERVER_OBJECTS:
            return Write(f"{word} {nxt_word}", tok.line, tok.column)
        if word in ("TRANSACTIONS", "TRANSACTION") and k and toks[k - 1].text.upper() in ("IN", "CONCURRENT"):
            # IN TRANSACTIONS, IN [n] CONCURRENT TRANSACTIONS: named where its IN stands
            at = next((t for t in reversed(toks[max(0, k - 12):k]) if t.text.upper() == "IN"), tok)
            return Write("CALL ... IN TRANSACTIONS", at.line, at.column)
        if word == "CALL" and nxt is not None and nxt.kind in ("word", "name"):
            name, where = _procedure_name(toks, k + 1)
            if name.lower() not in READ_ONLY_PROCEDURES:
                what = f"procedure {name} (not one of the read-only procedures)"
                return Write(what, where.line, where.column)
    return None


def explain_text(cypher: str) -> str | None:
    """``cypher`` as an ``EXPLAIN`` (planned, never run), to ask a server its query type; None for a
    ``SHOW`` command (a listing, which a server may not plan).

    >>> explain_text("MATCH (n) RETURN n")
    'EXPLAIN MATCH (n) RETURN n'
    >>> explain_text("// why\\nPROFILE MATCH (n) RETURN n")
    '// why\\nEXPLAIN MATCH (n) RETURN n'
    >>> explain_text("show constraints") is None
    True
    """
    first = next(tokens(cypher), None)
    if first is None:
        return None
    word = first.text.upper() if first.kind == "word" else ""
    if word == "SHOW":
        return None
    if word == "EXPLAIN":
        return cypher
    if word == "PROFILE":
        return cypher[:first.offset] + "EXPLAIN" + cypher[first.offset + len(first.text):]
    return "EXPLAIN " + cypher


def _is_keyword(toks: list[Token], k: int) -> bool:
    """False when the word at ``k`` is a property key, a parameter, a label or type, or a map key."""
    if k + 1 < len(toks) and toks[k + 1].text == ":":
        return False
    if k == 0:
        return True
    before = toks[k - 1]
    if before.text in ("$", ":"):
        return False
    if before.text == ".":
        # a property (n.set, f(x).set, m{.set}) when the dot can only be property access; after a
        # number or another dot (1. SET, [*1..SET]) it may belong to a number or a range
        owner = toks[k - 2] if k >= 2 else None
        return owner is None or not (owner.kind in ("word", "name") or owner.text in (")", "]", "}", "{", ","))
    return True


def _procedure_name(toks: list[Token], k: int) -> tuple[str, Token]:
    """The dotted procedure name starting at token ``k`` (backquotes removed) and its first token."""
    parts, first = [], toks[k]
    while k < len(toks) and toks[k].kind in ("word", "name"):
        text = toks[k].text
        parts.append(text[1:-1] if toks[k].kind == "name" else text)
        if k + 1 < len(toks) and toks[k + 1].text == ".":
            k += 2
        else:
            break
    return ".".join(parts), first
