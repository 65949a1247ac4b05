"""The report as Markdown: the same content as the HTML, with each chart written as an SVG file beside it."""

from __future__ import annotations

import re

from ..render.svg import standalone_svg
from .document import Report, ReportTable

__all__ = ["render_report_markdown", "md_escape", "standalone_svg"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~&!])")


def md_escape(text) -> str:
    """User text made inert in Markdown: punctuation that could start markup or raw HTML is
    backslash-escaped (CommonMark shows it as typed), newlines become spaces.

    >>> md_escape("<script>*x*</script> | a_b")
    '\\\\<script\\\\>\\\\*x\\\\*\\\\</script\\\\> \\\\| a\\\\_b'
    """
    text = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _table(t: ReportTable) -> list[str]:
    out = []
    title = md_escape(t.title)
    if t.total is not None and t.total > len(t.rows):
        title += f" (top {len(t.rows)} of {t.total:,})"
    out.append(f"**{title}**")
    out.append("")
    out.append("| " + " | ".join(md_escape(c) for c in t.columns) + " |")
    aligns = [("---:" if (t.rows and t.rows[0][i].numeric) else "---") for i in range(len(t.columns))]
    out.append("| " + " | ".join(aligns) + " |")
    for row in t.rows:
        out.append("| " + " | ".join(md_escape(c.text) for c in row) + " |")
    if t.note:
        out.append("")
        out.append(f"*{md_escape(t.note)}*")
    out.append("")
    return out


def render_report_markdown(report: Report, chart_prefix: str) -> tuple[str, dict[str, str]]:
    """The report as Markdown text, and the chart files to write beside it (file name -> SVG text).

    Chart files are named ``{chart_prefix}-{chart id}.svg`` and linked relatively; the static ecosystem map
    (a report built with ``graph_format="svg"``) is ``{chart_prefix}-map.svg``. The interactive graph cannot
    live in Markdown: a report built for HTML says to open the HTML report for it instead.
    """
    files: dict[str, str] = {}
    out: list[str] = [f"# {md_escape(report.title)}", ""]
    meta = [f"**Ecosystem:** {md_escape(report.ecosystem)}", f"**Period:** {md_escape(report.period)}",
            f"**Money:** {md_escape(' '.join(p for p in (report.currency, report.money_unit or '') if p))}",
            f"**Model:** {report.counts.get('nodes', 0):,} nodes, "
            f"{report.counts.get('relationships', 0):,} relationships",
            f"**Prepared:** {md_escape(report.provenance.generated)}"]
    out.append(" · ".join(meta))
    if report.scenario_label:
        out += ["", f"**Scenario:** {md_escape(report.scenario_label)}"]
    out += ["", "## Contents", ""]
    anchors = [("summary", "Executive summary")] + [(s.id, s.title) for s in report.sections] + [("methods", "Methods")]
    if report.technical:
        anchors.append(("technical", "Technical annex"))
    out += [f"{i}. [{md_escape(title)}](#{_slug(title)})" for i, (_, title) in enumerate(anchors, start=1)]
    out += ["", "## Executive summary", ""]
    out += _kpis(report.kpis)
    for item in report.summary:
        out.append(f"- {md_escape(item.sentence)} **{md_escape(item.figure)}**")
    out.append("")
    for s in report.sections:
        out += [f"## {md_escape(s.title)}", ""]
        if s.lead and not (s.graph_html is not None and s.graph_svg is None):  # its lead explains the page's controls
            out += [f"*{md_escape(s.lead)}*", ""]
        for p in s.paragraphs:
            out += [md_escape(p), ""]
        if s.kpis:
            out += _kpis(s.kpis)
        if s.graph_svg is not None:
            name = f"{chart_prefix}-map.svg"
            files[name] = s.graph_svg
            out += [f"![{md_escape(s.title)}: the ecosystem map]({name})", ""]
            if s.graph_note:
                out += [md_escape(s.graph_note), ""]
        elif s.graph_html is not None:
            out += ["The interactive graph is in the HTML version of this report "
                    "(`ecograph report FILE -o REPORT.html`).", ""]
            if s.graph_note:
                out += [md_escape(s.graph_note), ""]
        for c in s.charts:
            name = f"{chart_prefix}-{c.id}.svg"
            files[name] = standalone_svg(c.svg)
            out += [f"![{md_escape(c.title)}]({name})", ""]
            if c.caption:
                out += [f"*{md_escape(c.caption)}*", ""]
            for t in c.tables:
                out += _table(t)
        for t in s.tables:
            out += _table(t)
        for n in s.notes:
            out.append(f"- {md_escape(n)}")
        if s.notes:
            out.append("")
    out += ["## Methods", "", "### How the figures are worked out", ""]
    out += [f"- **{md_escape(m.title)}.** {md_escape(m.text)} *Assumes: {md_escape(m.assumptions)}*"
            for m in report.methods]
    out += ["", "### Assumptions in the model", ""]
    if report.assumptions:
        out += [f"- **{md_escape(a.where)}:** {md_escape(a.text)}" for a in report.assumptions]
        if report.assumptions_left_out:
            out.append(f"- {report.assumptions_left_out:,} more descriptions are in the model file.")
    else:
        out.append("The model carries no descriptions or comments.")
    p = report.provenance
    out += ["", "### Provenance", "",
            f"- Tool: ecosystem-graph {md_escape(p.tool_version)}",
            f"- Model file: {md_escape(p.model_file or '(in memory)')}",
            f"- SHA-256: `{p.sha256 or '-'}`",
            f"- Prepared: {md_escape(p.generated)}"]
    if p.metrics_source:
        out.append(f"- Definitions: {md_escape(p.metrics_source)}")
    out += [f"- {md_escape(n)}" for n in p.notes]
    out.append("")
    if report.technical:
        out += ["## Technical annex", "", "Every figure's definition with its formulas and implementation notes, "
                "for analysts who check or reproduce the numbers.", ""]
        if report.metrics:
            for m in report.metrics:
                # Our own documentation, kept as Markdown (headings moved below this section's level).
                out += [f"{'#' * (m.level + 1)} {md_escape(m.title)}", "", _demote_headings(m.markdown), ""]
        else:
            out += [f"The metric definitions (docs/metrics.md of ecosystem-graph {p.tool_version}) "
                    "were not available when this report was made.", ""]
    return "\n".join(out), files


def _slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def _kpis(kpis) -> list[str]:
    if not kpis:
        return []
    out = ["| Figure | Value |", "| --- | ---: |"]
    for k in kpis:
        detail = f" ({md_escape(k.detail)})" if k.detail else ""
        out.append(f"| {md_escape(k.label)} | {md_escape(k.text)}{detail} |")
    return out + [""]


def _demote_headings(text: str) -> str:
    lines, fence = [], None
    for line in text.splitlines():
        s = line.lstrip()
        if fence:
            fence = None if s.startswith(fence) else fence
        elif s.startswith(("```", "~~~")):
            fence = s[:3]
        elif line.startswith("#"):
            line = "##" + line if len(line) - len(line.lstrip("#")) <= 4 else line
        lines.append(line)
    return "\n".join(lines)
