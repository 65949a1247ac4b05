"""``ecograph timeline``: a thin click layer over :mod:`ecosystem_graph.analysis.timeline`."""

from __future__ import annotations

import click

from .analysis import ANALYSIS_FORMATS
from .options import echo_json, echo_line, echo_tables, format_for_output, format_option, load_model_for_cli, \
    max_bytes_option, printable_tables, tables_text

__all__ = ["timeline_cmd", "render_text"]


def render_text(result, fmt: str) -> str:
    """The timeline as the text of a file: JSON, CSV, Markdown, or the terminal tables without colour (their
    text escaped as on the terminal: a file shown with ``cat`` must not drive the terminal)."""
    import json

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    return tables_text(printable_tables(result.tables(), fmt), fmt)


@click.command("timeline")
@click.argument("files", nargs=-1, type=click.Path(path_type=str), metavar="FILE FILE...")
@click.option("--as-given", is_flag=True,
              help="Keep the files in the order given instead of sorting them by their `period`.")
@click.option("--shift", type=float, default=0.25, show_default=True, metavar="SHARE",
              help="Report an offering whose share of ecosystem revenue crosses SHARE (0.25: a quarter).")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keystone ranks shown per period in table, csv and markdown [default: 10].")
@format_option(*ANALYSIS_FORMATS)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None, metavar="FILE",
              help="Write the output to FILE (written whole or not at all) instead of standard output; without "
                   "--format, a .json, .csv or .md name chooses the format.")
@max_bytes_option
def timeline_cmd(files: tuple[str, ...], as_given: bool, shift: float, top: int | None, fmt: str,
                 output: str | None, max_bytes: int | None) -> None:
    """Follow one ecosystem over time: snapshots FILE FILE... of it, one per period.

    The files are sorted by their `period` (years such as 2023 or FY2023, 2023-H1, 2023-Q1, 2023-01 or
    2023-01-31; one kind for all), which must differ, or kept in the order given with --as-given.
    Every file must use the same currency and money unit. Nodes and relationships are matched
    across files as `ecograph diff` matches them (by id).

    The output leads with the role shifts, each a sentence: a satellite overtaking a core's revenue, an
    offering's share of ecosystem revenue crossing --shift, a new top keystone, a segment's lock-in
    index moving by more than 10 points, and a satellite worth relabelling as core (largest revenue
    source in two consecutive periods; only suggested, no file is changed). Then, per period: ecosystem
    revenue and its growth, revenue and share per offering with compound annual growth (when the
    periods are years), each actor's net, the keystone ranking, each segment's lock-in index, each
    funnel's conversion, and the nodes that appeared or disappeared. Formulas: docs/timeline.md.

    \b
    Examples:
      ecograph timeline examples/amazon-timeline/*.yaml
      ecograph timeline examples/amazon-timeline/*.yaml --shift 0.15 --format markdown
      ecograph timeline plan-2025.yaml plan-2026.yaml plan-2027.yaml --format json -o plan.json
      ecograph timeline today.yaml plan-a.yaml plan-b.yaml --as-given
    """
    from ..analysis.timeline import timeline
    from ..errors import OutputError, UsageError

    if len(files) < 2:
        raise UsageError(f"a timeline needs at least two model files, got {len(files)}; e.g. "
                         f"ecograph timeline amazon-2018.yaml amazon-2023.yaml")
    fmt = format_for_output(fmt, output)
    models = [(path, load_model_for_cli(path, max_bytes)) for path in files]
    result = timeline(models, as_given=as_given, shift=shift, top=top)
    if output:
        from ..fileio import write_text_atomic

        try:
            write_text_atomic(output, render_text(result, fmt))
        except OSError as exc:
            raise OutputError(f"{output}: cannot write ({exc.strerror})") from None
        shifts = len(result.shifts)
        echo_line(f"Wrote {output} ({len(result.periods)} periods, {result.periods[0].period} to "
                  f"{result.periods[-1].period}, {shifts} role shift{'' if shifts == 1 else 's'})")
        return
    if fmt == "json":
        echo_json(result.to_dict())
    else:
        echo_tables(result.tables(), fmt)
