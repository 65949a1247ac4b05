"""Validation findings: a problem with its place in the data and its message, and "did you mean" suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Problem", "path_text", "json_path", "suggest", "did_you_mean"]


@dataclass
class Problem:
    """One validation finding: where it is (a data path, and line/column once located) and what is wrong."""

    severity: str  # "error" or "warning"
    path: tuple
    message: str
    at_key: bool = False  # the problem is the key itself (unknown key), not its value
    source: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        src = self.source or "<data>"
        if self.line is not None:
            return f"{src}:{self.line}:{self.column}"
        return f"{src}:{json_path(self.path)}"

    def format(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.location()}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "source": self.source, "line": self.line, "column": self.column,
                "path": path_text(self.path), "message": self.message}


def path_text(path: Iterable) -> str:
    """``('relationships', 3, 'to')`` -> ``relationships[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def json_path(path: Iterable) -> str:
    text = path_text(path)
    return "$" if text == "(top level)" else "$." + text


def suggest(value: Any, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt ``value``, or None when nothing is close."""
    if not isinstance(value, str) or not value:
        return None
    lowered = {}
    for c in candidates:
        lowered.setdefault(c.lower(), c)
    if value.lower() in lowered:
        return lowered[value.lower()]
    low = value.lower()
    if len(lowered) <= 1000:
        pool = list(lowered)
        prefixed = [c for c in pool if c.startswith(low) or low.startswith(c)]
        if len(prefixed) == 1 and len(low) >= 3:
            return lowered[prefixed[0]]
    else:  # prefilter by length so that a file with 100k ids still answers quickly
        n = len(low)
        pool = [c for c in lowered if abs(len(c) - n) <= max(2, n // 4)]
    import difflib  # only for a misspelt value: a valid file is checked without it

    match = difflib.get_close_matches(low, pool, n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(value: Any, candidates: Iterable[str]) -> str:
    s = suggest(value, candidates)
    return f"; did you mean '{s}'?" if s is not None and s != value else ""
