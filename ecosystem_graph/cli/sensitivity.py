"""``ecograph sensitivity``: a thin click layer over :mod:`ecosystem_graph.analysis.sensitivity`."""

from __future__ import annotations

import json
import math
from typing import Any

import click

from .analysis import ANALYSIS_FORMATS
from .options import echo_json, echo_line, echo_tables, format_for_output, format_option, load_model_for_cli, \
    max_bytes_option, model_file_argument, output_option, printable_tables, tables_text

__all__ = ["sensitivity_cmd", "MAX_DRAWS"]

MAX_DRAWS = 10_000_000
"""The most draws one run takes (the draws of one figure are held in memory: 80 MB at this many)."""

DEFAULT_TABLE_TOP = 20


@click.command("sensitivity")
@model_file_argument()
@click.option("--draws", type=click.IntRange(min=1, max=MAX_DRAWS), default=2000, show_default=True,
              help="Monte Carlo draws of every ranged value at once.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the draws: the same seed gives the same figures to the last digit.")
@click.option("--only", metavar="LIST", default=None,
              help="Comma-separated sections: revenue,keystones,lockin,funnel [default: all].")
@click.option("--sobol", is_flag=True,
              help="Also compute first-order and total Sobol indices (SALib; N = --draws rounded up to a power of "
                   "two, N x (assumptions + 2) runs; refused when it would take more than 2 GB of memory).")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
              help="Figures listed at most [default: 20 in table and markdown, all in json and csv].")
@format_option(*ANALYSIS_FORMATS)
@output_option(required=False, help="Write the output to this file (whole or not at all) instead of printing it; "
                                     "without --format, a .json, .csv or .md name chooses the format.")
@max_bytes_option
def sensitivity_cmd(file: str, draws: int, seed: int, only: str | None, sobol: bool, top: int | None, fmt: str,
                    output: str | None, max_bytes: int | None) -> None:
    """How sure are the headline figures of FILE, and which assumption moves each one.

    Every value written as a range in FILE (`amount: {low: 520, base: 575, high: 610}`, optional
    `dist: pert | triangular | uniform`, default pert) is drawn at once, --draws times. For each
    headline figure (ecosystem and core revenue, revenue per offering, net per actor, revenue at risk of
    the top 5 keystones, the average and each segment's lock-in index, each funnel's conversion, expected converted and
    revenue per entrant) it shows the base value (what `ecograph analyze` gives), the mean and P10 / P50 /
    P90 (80% of the draws lie between P10 and P90); then a tornado: each assumption at its low and at
    its high, all others at base, ranked by the swing of the figure. Figures that no range moves are
    listed last, with P10 = P90 = base. A model without any range is an error (nothing to draw).

    \b
    Examples:
      ecograph sensitivity examples/amazon.yaml
      ecograph sensitivity examples/amazon.yaml --only revenue,keystones --draws 10000 --seed 7
      ecograph sensitivity examples/amazon.yaml --sobol --format markdown -o sensitivity.md
      ecograph sensitivity model.yaml --format json > sensitivity.json
    """
    from ..analysis.sensitivity import parse_sections, sensitivity, sobol_base_samples
    from ..errors import InputError
    from ..graph import to_networkx
    from ..progress import progress_bar

    sections = parse_sections(only)
    fmt = format_for_output(fmt, output)
    model = load_model_for_cli(file, max_bytes)
    G = to_networkx(model)
    assumptions = G.graph.get("assumptions") or []
    if not assumptions:
        raise InputError(f"{file} has no ranged values, so every figure is certain; write an uncertain value as "
                         f"{{low: L, base: B, high: H}} (docs/metrics.md, 'How sure are these numbers')")
    if sections == ("funnel",) and not any(t == "CONVERTS_TO" for _, _, t in G.edges(data="type")):
        raise InputError(f"{file} has no funnel (no CONVERTS_TO relationship), so --only funnel has no figure to "
                         f"draw; leave --only out or name revenue, keystones or lockin")
    k = len(assumptions)
    total = draws + 2 * k + (sobol_base_samples(draws) * (k + 2) if sobol else 0)
    with progress_bar("drawing", total) as update:
        result = sensitivity(G, draws=draws, seed=seed, only=sections, sobol=sobol,
                             progress=lambda done, _total: update(done))
    shown = top if top is not None else (DEFAULT_TABLE_TOP if fmt in ("table", "markdown") else None)
    if output is None:
        if fmt == "json":
            echo_json(_finite(result.to_dict()))
        else:
            echo_tables(result.tables(top=shown), fmt)
        return
    from ..fileio import write_text_atomic

    write_text_atomic(output, _render(result, fmt, shown))
    echo_line(f"Wrote {output} ({_written_summary(result, None if fmt == 'json' else shown)})")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _written_summary(result, top: int | None) -> str:
    """What a written file holds, for its ``Wrote FILE (...)`` line: ``2,000 draws of 14 assumptions, 20 of 38
    figures`` (``top``: the figures the file lists at most), with ``, Sobol indices from N runs`` when asked."""
    n = len(result.figures)
    figures = _count(n, "figure") if top is None or top >= n else f"{top:,} of {n:,} figures"
    text = f"{_count(result.draws, 'draw')} of {_count(len(result.assumptions), 'assumption')}, {figures}"
    if result.sobol_runs:
        text += f", Sobol indices from {result.sobol_runs:,} runs"
    return text


def _render(result, fmt: str, top: int | None) -> str:
    """The output as text for a file (the terminal table as plain text, 120 columns), its text escaped as on
    the terminal (a file shown with ``cat`` must not drive the terminal)."""
    if fmt == "json":
        return json.dumps(_finite(result.to_dict()), ensure_ascii=False, indent=2) + "\n"
    return tables_text(printable_tables(result.tables(top=top), fmt), fmt)


def _finite(data: Any) -> Any:
    """JSON has no NaN or infinity: those become null."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    return data
