"""The methods appendix: each figure in plain words, the model's assumptions, provenance; the technical definitions."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..analysis.builtin.sensitivity import REPORT_DRAWS

__all__ = [
    "FigureMethod",
    "PLAIN_METHODS",
    "plain_methods",
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


@dataclass(frozen=True)
class FigureMethod:
    """How one figure of the report is arrived at, in the client's words, and what it takes for granted."""

    section: str  # the report section it explains ("revenue", "keystones", ...)
    title: str
    text: str
    assumptions: str


# Written for a client: no formulas, no software names; the technical annex (--technical) has the rest.
PLAIN_METHODS: tuple[FigureMethod, ...] = (
    FigureMethod(
        "revenue", "Revenue and who pays whom",
        "Revenue is what customers and partners pay the ecosystem's own offerings (the core, its satellites "
        "and channels) in the period: the number of payments times their price, or a stated share of "
        "another payment. Money an offering only passes on, such as an app store's payout, is counted once, "
        "where it is earned.",
        "The volumes, prices and shares in the model are right for the period; nothing outside the model "
        "is paid."),
    FigureMethod(
        "revenue", "Concentration",
        "Concentration says whether the revenue comes from a few payers (or goes to a few offerings) or is "
        "spread over many: the Herfindahl-Hirschman index (HHI), from near 0 (evenly spread over very many) "
        "to 10,000 (a single one); 1,500 to 2,500 reads as moderately, above 2,500 as highly concentrated.",
        "Each payer is counted as one, however many customers it stands for."),
    FigureMethod(
        "revenue", "Dependency on satellites and channels",
        "How much of the revenue relies on a satellite or channel: its own revenue plus a part of the "
        "revenue of other offerings whose customers reach them through it, shared out over the routes "
        "customers take in proportion to how much each route is used.",
        "Customers follow the routes drawn in the model; one payment can rely on several offerings, so the "
        "shares can add up to more than 100%."),
    FigureMethod(
        "keystones", "Who holds the ecosystem together",
        "The removal impact of an actor is what the ecosystem would lose without it: the revenue no longer "
        "paid, the customer segments left without a tie to the core, the lock-in lost and the actors no "
        "longer connected, each as a share of the whole and weighted equally. Revenue at risk counts a "
        "payment as lost only when the actor pays it, receives it or stands on every route between payer "
        "and payee.",
        "Nothing adapts after a loss: no customer moves to a competitor or to a route the model does not "
        "show."),
    FigureMethod(
        "lockin", "Lock-in",
        "The lock-in index (0 to 100) of a customer segment weighs what a competitor would have to pay to "
        "break the segment's ties to the core (half of the score), how many independent routes bind it "
        "(a quarter; three routes count in full) and how many kinds of lock-in are at work, such as "
        "contracts, learning or loyalty programmes (a quarter).",
        "Switching costs are those written in the model; a tie with no switching cost is free to break."),
    FigureMethod(
        "funnel", "Customer funnel",
        "Members of each stage move on to the next stages at the conversion rates in the model and the "
        "rest drop out; the expected members of each stage and the share of entrants who reach the last "
        "stage follow from those rates, for the entry stage's size. A lever is how many more members would "
        "convert if one rate rose by a tenth of itself, all others unchanged.",
        "Rates stay the same whatever the volume, and every member moves independently of the others."),
    FigureMethod(
        "centrality", "Where the money ends up and the go-betweens",
        "Where the money ends up follows the payments and ties from actor to actor and measures the share "
        "of the time one would spend at each actor; a go-between sits on many of the shortest routes "
        "between other actors, and a well-connected actor is tied to other well-connected actors.",
        "Only the relationships in the model count; their money, where they carry any, sets how strongly "
        "they count."),
    FigureMethod(
        "sensitivity", "How sure are these numbers",
        "Some of the model's figures are estimates given as a range: a low, a most likely (base) value and a "
        f"high. The headline figures were worked out again for {REPORT_DRAWS:,} combinations of those estimates, each "
        "drawn within its range and most often near its base (the same combinations every time the report "
        "is made); “80% between A and B” means that 8 in 10 combinations give a figure between A and B. A "
        "tornado bar moves one estimate from its low to its high, every other at its base, and shows how far "
        "the figure moves.",
        "The estimates vary independently of one another, within the ranges written in the model; the "
        "structure of the ecosystem (who pays whom, who is bound to whom) stays as modelled."),
    FigureMethod(
        "whatif", "What-if",
        "The what-if removes or scales the actors and relationships it names and works out every figure "
        "again; each change is the figure after minus the figure before, and the percentage is taken of the "
        "figure before.",
        "Everything else stays as modelled: customers and partners do not react to the change."),
)


def plain_methods(section_ids) -> list[FigureMethod]:
    """The plain-language explanations of the figures in the report's sections, in report order.

    >>> [m.title for m in plain_methods(["funnel"])]
    ['Customer funnel']
    """
    wanted = list(dict.fromkeys(section_ids))
    return [m for sid in wanted for m in PLAIN_METHODS if m.section == sid]


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
    if "#" not in text:
        return []
    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
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


def _last_line(node: yaml.Node) -> int:
    """The last line (1-based) of ``node``'s own text.

    A block mapping or sequence ends where the next token starts, after any comment lines below its last
    value; those comments introduce the next item, so the block's last line is its last value's.
    """
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(node, yaml.MappingNode) else last)
    return node.end_mark.line + (0 if node.end_mark.column == 0 else 1)


def _item_spans(raw: bytes) -> tuple[list[tuple[int, int, str, int, dict]], int | None]:
    """For each node/relationship of a YAML model: (first line, last line, "nodes"/"relationships", index,
    {line: key}); and the line of the first top-level key (comments above it are the file's header)."""
    try:
        root = yaml.compose(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, UnicodeDecodeError):
        return [], None
    if not isinstance(root, yaml.MappingNode):
        return [], None
    spans = []
    first_key = root.value[0][0].start_mark.line + 1 if root.value else None
    for key_node, value_node in root.value:
        section = getattr(key_node, "value", None)
        if section not in ("nodes", "relationships") or not isinstance(value_node, yaml.SequenceNode):
            continue
        for i, item in enumerate(value_node.value):
            keys = {}
            if isinstance(item, yaml.MappingNode):
                for k, v in item.value:
                    keys[k.start_mark.line + 1] = str(getattr(k, "value", ""))
                    keys.setdefault(v.end_mark.line + 1, str(getattr(k, "value", "")))
            spans.append((item.start_mark.line + 1, max(_last_line(item), item.start_mark.line + 1), section, i, keys))
    return spans, first_key


def model_assumptions(model, raw: bytes | None = None, *, limit: int = 200) -> tuple[list[Assumption], int]:
    """What the modeller wrote down, item by item: the ecosystem's description and the file's header
    comments first, then each node and relationship with its description and the comments beside or just
    above it (labelled with the field they annotate). At most ``limit`` items, plus how many were left out."""
    names = {n.id: n.name for n in model.nodes}

    def node_where(i: int) -> str:
        node = model.nodes[i]
        return f"{node.kind} “{node.name}”"

    def rel_where(i: int) -> str:
        rel = model.relationships[i]
        return f"{rel.type} {names.get(rel.source, rel.source)} → {names.get(rel.target, rel.target)}"

    header: list[Assumption] = []
    sections: list[Assumption] = []
    per_item: dict[tuple[str, int], list[str]] = {}
    if model.description:
        header.append(Assumption("ecosystem", model.description))
    if raw is not None and raw.lstrip()[:1] not in (b"{", b"["):
        comments = yaml_comments(raw)
        spans, first_key = _item_spans(raw) if comments else ([], None)
        lines = raw.decode("utf-8", errors="replace").splitlines()
        starts = sorted((sp[0], sp) for sp in spans)
        for line, text in comments:
            full_line = lines[line - 1].lstrip().startswith("#") if line - 1 < len(lines) else True
            if text.startswith(("---", "===")):
                sections.append(Assumption("section note", text.strip("-= ")))
                continue
            if first_key is not None and line < first_key:
                header.append(Assumption("model file", text))
                continue
            owner = None
            if full_line:  # a comment on its own line describes the item that follows it
                owner = next((sp for start, sp in starts if start > line), None)
                inside = next((sp for sp in spans if sp[0] <= line <= sp[1]), None)
                if inside is not None and inside[0] < line:
                    owner = inside
            else:
                owner = next((sp for sp in spans if sp[0] <= line <= sp[1]), None)
            if owner is None:
                sections.append(Assumption("model file", text))
                continue
            field_name = owner[4].get(line)
            label = f"{field_name}: {text}" if field_name and not full_line and field_name not in ("id", "from", "to") \
                else text
            per_item.setdefault((owner[2], owner[3]), []).append(label)
    # Consecutive header comment lines are one paragraph; the file's section markers are one list.
    merged: list[Assumption] = []
    for a in header:
        if merged and a.where == "model file" and merged[-1].where == "model file":
            merged[-1] = Assumption("model file", merged[-1].text + " " + a.text)
        else:
            merged.append(a)
    items = merged
    if sections:
        items.append(Assumption("sections of the file", "; ".join(a.text for a in sections)))
    for i, node in enumerate(model.nodes):
        texts = ([node.description] if node.description else []) + per_item.get(("nodes", i), [])
        if texts:
            items.append(Assumption(node_where(i), " · ".join(texts)))
    for i, rel in enumerate(model.relationships):
        texts = ([rel.description] if rel.description else []) + per_item.get(("relationships", i), [])
        if texts:
            items.append(Assumption(rel_where(i), " · ".join(texts)))
    left_out = max(0, len(items) - limit)
    return items[:limit], left_out


def file_sha256(raw: bytes) -> str:
    """Hex SHA-256 of the model file's bytes.

    >>> file_sha256(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(raw).hexdigest()
