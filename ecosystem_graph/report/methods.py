"""The methods appendix: metric definitions from ``docs/metrics.md``, the model's assumptions, provenance."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = [
    "MetricDefinition",
    "Assumption",
    "Provenance",
    "metrics_doc_path",
    "load_metric_definitions",
    "parse_metric_definitions",
    "model_assumptions",
    "yaml_comments",
    "file_sha256",
]


@dataclass
class MetricDefinition:
    """One section of ``docs/metrics.md``: its heading and its Markdown body (formulas included)."""

    title: str
    markdown: str
    level: int = 2


@dataclass
class Assumption:
    """A statement the modeller wrote into the model: a description or a comment, with where it is."""

    where: str  # e.g. "ecosystem", "node prime (Prime)", "relationship prime-fee", "comment, line 12"
    text: str


@dataclass
class Provenance:
    """What the report was made from: tool version, model file and its SHA-256."""

    tool_version: str
    model_file: str | None
    sha256: str | None
    generated: str
    metrics_source: str | None = None
    notes: list[str] = field(default_factory=list)


def metrics_doc_path() -> Path | None:
    """Where ``metrics.md`` is: ``$ECOGRAPH_METRICS_DOC``, next to the package (an installed copy), or the
    source checkout's ``docs/metrics.md``; None when none exists."""
    env = os.environ.get("ECOGRAPH_METRICS_DOC")
    here = Path(__file__).resolve().parent
    candidates = ([Path(env)] if env else []) + [
        here.parent / "docs" / "metrics.md",  # packaged copy, if the build ships one
        here.parent.parent / "docs" / "metrics.md",  # source checkout / editable install
    ]
    for path in candidates:
        if path.is_file():
            return path
    return None


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def parse_metric_definitions(text: str) -> list[MetricDefinition]:
    """Split a Markdown document into its sections (level-2 and level-3 headings).

    The document's title (level 1) and any text before the first section are left out; fenced code
    blocks are kept whole (a ``#`` inside one is not a heading).

    >>> [d.title for d in parse_metric_definitions("# Metrics\\nintro\\n## PageRank\\nPR = ...\\n## HHI\\nsum s^2")]
    ['PageRank', 'HHI']
    """
    sections: list[MetricDefinition] = []
    current: MetricDefinition | None = None
    body: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence):
                fence = None
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        else:
            m = _HEADING.match(line)
            if m and len(m.group(1)) in (2, 3):
                if current is not None:
                    current.markdown = "\n".join(body).strip()
                    sections.append(current)
                current, body = MetricDefinition(m.group(2), "", len(m.group(1))), []
                continue
        if current is not None:
            body.append(line)
    if current is not None:
        current.markdown = "\n".join(body).strip()
        sections.append(current)
    return sections


def load_metric_definitions(path: Path | None = None) -> tuple[list[MetricDefinition], str | None]:
    """The sections of ``metrics.md`` and the path they came from (``([], None)`` when there is none)."""
    path = path or metrics_doc_path()
    if path is None:
        return [], None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return [], None
    return parse_metric_definitions(text), str(path)


def yaml_comments(raw: bytes | str) -> list[tuple[int, str]]:
    """The comments of a YAML text, as ``(line, text)`` pairs (``#`` and surrounding space removed).

    A ``#`` inside a quoted or plain scalar is not a comment; found with PyYAML's own scanner, so the
    rules are YAML's. An editor directive such as ``# yaml-language-server: ...`` is left out.

    >>> yaml_comments("name: A # the client\\nurl: 'a#b'  # note\\n")
    [(1, 'the client'), (2, 'note')]
    """
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []
    spans.sort()
    out: list[tuple[int, str]] = []
    offset = 0
    span_i = 0
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        start = 0
        while True:
            pos = line.find("#", start)
            if pos < 0:
                break
            absolute = offset + pos
            while span_i < len(spans) and spans[span_i][1] <= absolute:
                span_i += 1
            inside = span_i < len(spans) and spans[span_i][0] <= absolute < spans[span_i][1]
            if not inside and (pos == 0 or line[pos - 1] in " \t"):
                comment = line[pos + 1:].strip()
                if comment and not comment.startswith(("yaml-language-server:", "-*-")) \
                        and not set(comment) <= set("-=#*_ "):
                    out.append((lineno, comment))
                break
            start = pos + 1
        offset += len(line)
    return out


def model_assumptions(model, raw: bytes | None = None, *, limit: int = 200) -> tuple[list[Assumption], int]:
    """What the modeller wrote down: the ecosystem's description, every node's and relationship's
    description, and the YAML comments of the file; at most ``limit`` items, plus how many were left out."""
    items: list[Assumption] = []
    if model.description:
        items.append(Assumption("ecosystem", model.description))
    if raw is not None and not raw.lstrip()[:1] in (b"{", b"["):
        items.extend(Assumption(f"comment, line {line}", text) for line, text in yaml_comments(raw))
    for node in model.nodes:
        if node.description:
            items.append(Assumption(f"{node.kind} “{node.name}”", node.description))
    names = {n.id: n.name for n in model.nodes}
    for rel in model.relationships:
        if rel.description:
            where = f"{rel.type} {names.get(rel.source, rel.source)} → {names.get(rel.target, rel.target)}"
            items.append(Assumption(where, rel.description))
    left_out = max(0, len(items) - limit)
    return items[:limit], left_out


def file_sha256(raw: bytes) -> str:
    """Hex SHA-256 of the model file's bytes.

    >>> file_sha256(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(raw).hexdigest()
