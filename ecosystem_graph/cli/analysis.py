"""``ecograph analyze``, ``whatif`` and ``diff``: a thin click layer over :mod:`ecosystem_graph.analysis`."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import click

from .options import (echo_json, echo_tables, format_option, load_model_for_cli, max_bytes_option, model_file_argument,
                      only_option)

__all__ = ["analyze_cmd", "whatif_cmd", "diff_cmd", "echo_analysis", "progress_to_stderr", "ANALYSIS_FORMATS",
           "analysis_options", "listing_options"]

ANALYSIS_FORMATS = ("table", "json", "csv", "markdown")
DEFAULT_TABLE_TOP = 20


def _table_top(fmt: str, top: int | None) -> int | None:
    return top if top is not None else (DEFAULT_TABLE_TOP if fmt in ("table", "markdown") else None)


def echo_analysis(analysis, fmt: str, top: int | None = None) -> None:
    """Print an :class:`~ecosystem_graph.analysis.Analysis` as table, json, csv or markdown.

    ``top`` cuts every list; by default tables (terminal, Markdown) show the first 20 rows and JSON/CSV
    everything. Reused by ``ecograph db analyze``.
    """
    if fmt == "json":
        echo_json(analysis.to_dict(top=top))
    else:
        echo_tables(analysis.tables(top=_table_top(fmt, top)), fmt)


@contextmanager
def progress_to_stderr(enabled: bool = True) -> Iterator[Callable[[str], None] | None]:
    """A ``progress(step)`` callback showing a spinner on stderr (only when stderr is a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("analysing") as status:
        yield lambda step: status.update(f"analysing: {step}")


def analysis_options(fn):
    """The options of how the analyses run (depth, paths, seed, serial), shared by analyze, whatif, diff and
    db analyze."""
    fn = click.option("--serial", is_flag=True,
                      help="Compute everything in this process. By default, on Linux with 2+ CPUs, the "
                           "betweenness of a large model runs in a second process meanwhile (same figures).")(fn)
    fn = click.option("--seed", type=int, default=0, show_default=True,
                      help="Seed of the sampled betweenness/closeness (models above 5,000 nodes).")(fn)
    fn = click.option("--max-paths", type=click.IntRange(min=1), default=50, show_default=True,
                      help="Binding paths listed per segment at most (reported when hit).")(fn)
    fn = click.option("--depth", type=click.IntRange(min=1), default=4, show_default=True,
                      help="Longest binding path listed, in relationships.")(fn)
    return fn


def listing_options(fn):
    """``--only`` and ``--top`` of the two commands that list an analysis (analyze and db analyze)."""
    fn = click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
                      help="Show the first N rows of each list [default: 20 in table and markdown, all in json and "
                           "csv].")(fn)
    fn = only_option(_only_help)(fn)
    return fn


def _only_help() -> str:
    from ..analysis.sections import only_help

    return only_help()


def _compared_names() -> tuple[str, ...]:
    from ..analysis.sections import sections

    return tuple(s.name for s in sections() if s.figures is not None)


def _compare_only_help() -> str:
    return f"Compare only these analyses (as in analyze): {', '.join(_compared_names())}."


def _parse_compared(only: str | None) -> tuple[str, ...]:
    """``--only`` of whatif and diff: the analyses whose figures they compare (sensitivity has none)."""
    from ..analysis import parse_only
    from ..errors import UsageError

    sections = parse_only(only)
    if only is not None:
        compared = _compared_names()
        for name in sections:
            if name not in compared:
                raise UsageError(f"'{name}' has no figures to compare; --only of whatif and diff takes some of "
                                 f"{', '.join(compared)}")
    return sections


@click.command("analyze")
@model_file_argument()
@listing_options
@format_option(*ANALYSIS_FORMATS)
@analysis_options
@max_bytes_option
def analyze_cmd(file: str, only: str | None, top: int | None, fmt: str, depth: int, max_paths: int, seed: int,
                serial: bool, max_bytes: int | None) -> None:
    """Analyse the ecosystem in FILE: centrality, keystones, revenue flows, lock-in, funnel.

    Every figure follows a formula in docs/metrics.md. Lists are ranked: keystones by removal impact
    (who holds the ecosystem together: what it would lose without the node), centrality by PageRank
    (where the money ends up), money flows by inflow, lock-in by index.

    \b
    Examples:
      ecograph analyze examples/amazon.yaml
      ecograph analyze examples/amazon.yaml --only revenue,lockin --top 5
      ecograph analyze examples/newspaper-funnel.yaml --only funnel --format markdown
      ecograph analyze big.yaml --format json > analysis.json
    """
    from ..analysis import analyze, parse_only
    from ..graph import to_networkx

    sections = parse_only(only)
    model = load_model_for_cli(file, max_bytes)
    with progress_to_stderr() as progress:
        result = analyze(to_networkx(model), only=sections, top=top, seed=seed, depth=depth, max_paths=max_paths,
                         progress=progress, parallel=not serial)
    echo_analysis(result, fmt, top)


@click.command("whatif")
@model_file_argument()
@click.option("--remove", "remove", multiple=True, metavar="ID",
              help="Remove a node (with its relationships) or a relationship by id; payments linked to a removed "
                   "payment (share_of) go too; repeatable.")
@click.option("--scale", "scale", multiple=True, metavar="ID=F",
              help="Multiply a node's own payments (in and out; linked flows follow) or a relationship's "
                   "amount/rate/cost by F; repeatable.")
@only_option(_compare_only_help)
@click.option("--changed-only", is_flag=True, help="List only the figures that change (the headline is always shown whole).")
@format_option(*ANALYSIS_FORMATS)
@analysis_options
@max_bytes_option
def whatif_cmd(file: str, remove: tuple[str, ...], scale: tuple[str, ...], only: str | None, changed_only: bool,
               fmt: str, depth: int, max_paths: int, seed: int, serial: bool, max_bytes: int | None) -> None:
    """Change the model in FILE and compare every figure before and after.

    The output leads with the headline: ecosystem revenue, core revenue, the revenue at risk and net of
    every node touched (removed or scaled, or at either end of a removed or scaled relationship), total
    lock-in and each funnel's conversion, each before, after, change and % change. Then every other
    figure by analysis: revenue, keystones, lock-in, funnel, centrality, and rank changes last.

    The file itself is not changed. Ids are node ids or relationship ids (give a relationship an `id`
    in the model to address it); a node id wins when both exist. A linked payment (`share_of`) is
    derived again from the flow it is a share of after every change, so scaling a subscriber's payment
    by 1.1 gives an app store that pays 85% on only 15% of the increase.

    \b
    Examples:
      ecograph whatif examples/amazon.yaml --remove prime
      ecograph whatif examples/amazon.yaml --scale aws=0.5 --changed-only
      ecograph whatif examples/newspaper-funnel.yaml --scale subscriber=1.1 --only revenue
      ecograph whatif examples/newspaper-funnel.yaml --remove ad-network --changed-only
    """
    from ..analysis.scenario import parse_scale, whatif
    from ..errors import UsageError
    from ..graph import to_networkx

    if not remove and not scale:
        raise UsageError("nothing to change: give at least one --remove ID or --scale ID=F")
    sections = _parse_compared(only)
    factors = parse_scale(scale)
    model = load_model_for_cli(file, max_bytes)
    scenario = whatif(to_networkx(model), remove=remove, scale=factors, only=sections, seed=seed, depth=depth,
                      max_paths=max_paths, parallel=not serial)
    if fmt == "json":
        echo_json(scenario.to_dict(changed_only))
    else:
        echo_tables(scenario.tables(changed_only), fmt)


@click.command("diff")
@model_file_argument("a")
@model_file_argument("b")
@only_option(_compare_only_help)
@click.option("--changed-only", is_flag=True, help="List only the figures that change (the headline is always shown whole).")
@format_option(*ANALYSIS_FORMATS)
@analysis_options
@max_bytes_option
def diff_cmd(a: str, b: str, only: str | None, changed_only: bool, fmt: str, depth: int, max_paths: int,
             seed: int, serial: bool, max_bytes: int | None) -> None:
    """Compare two model files A and B: nodes and relationships added, removed or changed, and the
    change of every figure.

    The output leads with the headline figures as in `whatif` (the touched nodes: those added, removed
    or changed, and both ends of every relationship that differs), then the model changes, then every
    other figure by analysis, rank changes last.

    Relationships are matched by id, else by from, to and type. Exit status 0 either way.

    \b
    Examples:
      ecograph diff amazon-2022.yaml amazon-2023.yaml
      ecograph diff before.yaml after.yaml --changed-only --format markdown
    """
    from ..analysis.diff import diff_models

    sections = _parse_compared(only)
    ma = load_model_for_cli(a, max_bytes)
    mb = load_model_for_cli(b, max_bytes)
    result = diff_models(ma, mb, label_a=a, label_b=b, only=sections, seed=seed, depth=depth, max_paths=max_paths,
                          parallel=not serial)
    if fmt == "json":
        echo_json(result.to_dict(changed_only))
    else:
        echo_tables(result.tables(changed_only), fmt)
