"""``ecograph report``: the consultant report, one self-contained HTML file (or Markdown with SVG charts)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import echo_line, load_for_cli, max_bytes_option, output_option
from ..errors import InputError, UsageError

__all__ = ["report"]


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=str), required=True, metavar="FILE...")
@output_option(help="Report file to write (.html, .md or .pptx; the suffix picks the format).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "pptx"]), default=None,
              help="html (one self-contained file), md (Markdown, charts as SVG files beside it) or pptx "
                   "(an editable 16:9 PowerPoint deck) [default: from the file name, else html].")
@click.option("--template", "template", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              metavar="FILE.pptx", help="With pptx: use this deck's slide masters and layouts (\"Title Slide\", "
                                        "\"Title Only\"); its own slides are left out.")
@click.option("--remove", "removals", multiple=True, metavar="ID",
              help="What-if: remove this node or relationship (repeatable); adds a before/after section.")
@click.option("--scenario", "scenario_path", type=click.Path(path_type=str), default=None,
              metavar="SCENARIO.yaml", help="What-if scenario file (removals and scalings, see docs/report.md).")
@click.option("--title", default=None, help="Report title [default: '<ecosystem>: ecosystem report'].")
@click.option("--top", type=click.IntRange(min=1, max=1000), default=15, show_default=True,
              help="Rows in each ranking table.")
@click.option("--no-graph", is_flag=True,
              help="Leave the ecosystem map out (the interactive graph in HTML, the SVG map beside a .md, the "
                   "deck's map slide).")
@click.option("--technical", is_flag=True,
              help="Add a technical annex: every figure's definition with formulas and implementation notes "
                   "(for analysts; the default methods section explains the figures in plain words).")
@click.option("--timeline", is_flag=True,
              help="Make an evolution report of several snapshots of one ecosystem (FILE FILE..., one per period): "
                   "role shifts, revenue per offering over time, the graph with a period slider.")
@click.option("--as-given", is_flag=True,
              help="With --timeline: keep the files in the order given instead of sorting them by `period`.")
@click.option("--shift", type=float, default=None, metavar="SHARE",
              help="With --timeline: report an offering whose share of ecosystem revenue crosses SHARE "
                   "[default: 0.25].")
@max_bytes_option
def report(files: tuple[str, ...], output: str, fmt: str | None, removals: tuple[str, ...], scenario_path: str | None,
           title: str | None, top: int, no_graph: bool, technical: bool, max_bytes: int | None,
           template: str | None = None, timeline: bool = False, as_given: bool = False,
           shift: float | None = None) -> None:
    """Write a client-ready report on the ecosystem in FILE.

    The report opens with an executive summary (revenue and its split, keystones, the most and least
    locked-in segments, concentration, funnel conversion), then the interactive graph, one section per
    analysis with charts and tables, a before/after section for a what-if, and a methods appendix (each
    figure in plain words with what it assumes, the model's assumptions, tool version, the model file's
    SHA-256). --technical adds an annex with the formulas and implementation notes. The HTML file works
    offline and prints one section per page.

    With --timeline, the FILEs are snapshots of one ecosystem (one per period, sorted by `period` unless
    --as-given; one currency) and the report
    is an evolution report: the executive summary gives the growth and every role shift (a satellite
    overtaking the core, an offering's share crossing --shift, a new top keystone, a segment's lock-in
    moving by more than 10 points) and suggestion as sentences; then the graph with a period slider
    (HTML; the last period's map in Markdown and the deck), revenue per offering over time as lines and
    as shares, the figures of each period side by side, and the methods.

    \b
    Examples:
      ecograph report examples/amazon.yaml -o amazon-report.html
      ecograph report examples/amazon.yaml -o amazon-report.html --remove prime
      ecograph report examples/amazon.yaml -o no-aws.html --scenario no-aws.yaml
      ecograph report examples/amazon.yaml -o amazon-report.md --format md
      ecograph report examples/amazon.yaml -o amazon-deck.pptx
      ecograph report examples/amazon.yaml -o deck.pptx --template firm.pptx
      ecograph report examples/amazon.yaml -o analyst.html --technical
      ecograph report --timeline examples/amazon-timeline/*.yaml -o evolution.html
      ecograph report --timeline plan-2025.yaml plan-2026.yaml plan-2027.yaml -o plan.pptx
    """
    from ..fileio import output_target
    from ..report import build_report, load_scenario
    from ..report.scenario_file import ScenarioSpec
    from ..report.write import report_format, write_report

    if not timeline:
        if len(files) != 1:
            raise UsageError(f"report takes one model file, got {len(files)}; for snapshots of one ecosystem over "
                             f"time use --timeline FILE FILE...")
        if as_given or shift is not None:
            raise UsageError(f"{'--as-given' if as_given else '--shift'} applies to an evolution report only "
                             f"(--timeline FILE FILE...)")
    else:
        for flag, given in (("--remove", removals), ("--scenario", scenario_path), ("--technical", technical)):
            if given:
                raise UsageError(f"{flag} applies to the report of one model, not to --timeline")
        if len(files) < 2:
            raise UsageError(f"--timeline needs at least two model files (one per period), got {len(files)}")
    if removals and scenario_path:
        raise UsageError("use either --remove or --scenario, not both (a scenario file can list removals)")
    out = Path(output)
    fmt = report_format(out, fmt)
    if template is not None and fmt != "pptx":
        raise UsageError("--template applies to a PowerPoint deck only (-o FILE.pptx or --format pptx)")
    if not out.parent.is_dir() and str(out.parent) not in ("", "."):
        raise InputError(f"{output}: folder {out.parent} does not exist")
    output_target(out)  # a device, FIFO or directory is refused before the report is built
    if template is not None:
        from ..report.pptx import check_template

        check_template(template)
    scenario = None
    if scenario_path:
        scenario = load_scenario(scenario_path)
    elif removals:
        scenario = ScenarioSpec(remove=list(dict.fromkeys(removals)))
    if timeline:
        _timeline_report(files, out, fmt, title=title, no_graph=no_graph, template=template, as_given=as_given,
                         shift=shift, max_bytes=max_bytes, output=output,
                         top=top if click.get_current_context().get_parameter_source("top").name != "DEFAULT"
                         else None)
        return
    file = files[0]
    loaded = load_for_cli(file, max_bytes)  # the hash and comments come from the very bytes validated
    with _progress() as step:
        doc = build_report(loaded.model, source=file, raw=loaded.raw, title=title, scenario=scenario, top=top,
                           graph=not no_graph and fmt != "pptx", graph_format="html" if fmt == "html" else "svg",
                           on_step=step, technical=technical)
        step("writing")
        written = write_report(doc, out, fmt, template=template, draw_map=not no_graph)
    files = written.files
    charts = sum(len(s.charts) for s in doc.sections)
    extra = f", {len(files)} chart file{'s' if len(files) != 1 else ''} beside it" if files else ""
    _echo_written(output, out, fmt, written, f"{len(doc.sections) + 2 + doc.technical} sections, {charts} charts{extra}")


def _timeline_report(files, out: Path, fmt: str, *, title, no_graph: bool, template, as_given: bool,
                     shift: float | None, max_bytes: int | None, output: str, top: int | None) -> None:
    """The evolution report of ``files`` (``ecograph report --timeline``)."""
    from ..report.evolution import build_timeline_report
    from ..report.write import write_report

    loaded = [load_for_cli(f, max_bytes) for f in files]
    with _progress() as step:
        doc = build_timeline_report([x.model for x in loaded], sources=list(files), raws=[x.raw for x in loaded],
                                    title=title, as_given=as_given, shift=0.25 if shift is None else shift,
                                    graph=not no_graph and fmt != "pptx", top=top,
                                    graph_format="html" if fmt == "html" else "svg", on_step=step)
        step("writing")
        written = write_report(doc, out, fmt, template=template, draw_map=not no_graph)
    charts = sum(len(s.charts) for s in doc.sections)
    extra = f", {len(written.files)} chart files beside it" if written.files else ""
    _echo_written(output, out, fmt, written, f"evolution over {len(files)} snapshots, {len(doc.sections) + 2} "
                  f"sections, {charts} charts{extra}")


def _echo_written(output: str, out: Path, fmt: str, written, document: str) -> None:
    """Say what was written and its size: a deck's slides and charts, else ``document`` (what the document holds)."""
    size = _size(out.stat().st_size)
    if fmt == "pptx":
        echo_line(f"Wrote {output} ({size}): {written.slides} slides, {written.charts} charts")
    else:
        echo_line(f"Wrote {output} ({size}): {document}")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


class _progress:
    """A transient rich spinner on stderr showing the current step (only when stderr is a terminal)."""

    def __enter__(self):
        self._status = None
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status("Preparing the report…")
            self._status.__enter__()
        return self.step

    def step(self, label: str) -> None:
        if self._status is not None:
            self._status.update(f"Report: {label}…")

    def __exit__(self, *exc):
        if self._status is not None:
            self._status.__exit__(*exc)
        return False
