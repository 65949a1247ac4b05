"""``ecograph render``: the interactive HTML page or the static SVG/PNG map of a model (thin click layer)."""

from __future__ import annotations

import click

from .options import (LazyHelpOption, echo_line, load_model_for_cli, max_bytes_option, model_file_argument,
                      output_option)
from ..errors import UsageError

__all__ = ["render"]

HIGHLIGHT_HELP = ("lockin:SEGMENT_ID (the segment's binding paths to the core), path:A,B (shortest path through the "
                  "given nodes), keystones, or levers (each funnel's biggest lever: the step whose rate moves the "
                  "final conversions most){others}. Repeatable; the first is shown on load.")


def _highlight_help() -> str:
    # the analysis sections highlighted through their own hook (none but the built-ins by default)
    from ..render.html import section_highlights

    others = "".join(f"; {s.name}[:IDS] ({s.description})" for s in section_highlights())
    return HIGHLIGHT_HELP.format(others=others)


@click.command()
@model_file_argument()
@output_option(help="File to write: .html (one self-contained page; works offline), or .svg / .png (a static map).")
@click.option("--format", "fmt", type=click.Choice(["html", "svg", "png"]), default=None,
              help="html = the interactive page; svg or png = a static map with the same layout, colours, "
                   "legend and highlights [default: from the file name's suffix, else html].")
@click.option("--size-by", type=click.Choice(["impact", "pagerank", "revenue", "degree"]), default="impact",
              show_default=True,
              help="Node size: impact = what the ecosystem would lose without the node (the keystone ranking: "
                   "revenue, segments, lock-in, connections); pagerank = where the money ends up; revenue = money "
                   "through the node; degree = number of relationships.")
@click.option("--highlight", "highlights", multiple=True, metavar="SPEC", cls=LazyHelpOption,
              help_text=lambda: _highlight_help())
@click.option("--layout", type=click.Choice(["ecosystem", "force"]), default="ecosystem", show_default=True,
              help="ecosystem: core in the centre, then rings of satellites, channels/partners, segments. "
                   "force: a force layout run in the browser (small graphs).")
@click.option("--title", default=None, help="Page heading [default: the ecosystem's name].")
@click.option("--max-nodes", type=click.IntRange(min=2), default=None, metavar="N",
              help="Above N nodes, collapse segments then partners into groups [default: 10,000 for the page, "
                   "1,000 for a static map].")
@max_bytes_option
def render(file: str, output: str, fmt: str | None, size_by: str, highlights: tuple[str, ...], layout: str,
           title: str | None, max_nodes: int | None, max_bytes: int | None) -> None:
    """Write an interactive HTML page, or a static SVG/PNG map, of the ecosystem in FILE.

    The page is one file, no internet needed: legend, search, filters by kind and relationship type,
    click a node for its details and neighbourhood, highlights of lock-in paths, paths, keystones and
    funnel levers. The static map (-o map.svg or -o map.png) draws the same layout, colours, shapes
    and node sizes with the legend beside the drawing; every --highlight given is drawn at once, and
    --layout does not apply (always the ecosystem rings).

    \b
    Examples:
      ecograph render examples/amazon.yaml -o amazon.html
      ecograph render examples/amazon.yaml -o amazon.html --highlight lockin:prime-members
      ecograph render examples/amazon.yaml -o amazon.html --size-by revenue --highlight path:advertisers,online-retail
      ecograph render examples/newspaper-funnel.yaml -o newspaper.html --highlight levers
      ecograph render big.yaml -o big.html --size-by degree --max-nodes 5000
      ecograph render examples/amazon.yaml -o amazon.svg --highlight lockin:prime-members
      ecograph render examples/amazon.yaml -o amazon.png
    """
    from ..fileio import output_target
    from ..render import MAX_NODES, parse_highlight, write_html

    if fmt is None:
        from pathlib import Path

        suffix = Path(output).suffix.lower().lstrip(".")
        fmt = suffix if suffix in ("svg", "png") else "html"
    output_target(output)  # a device, FIFO or directory is refused before any work
    parsed = [parse_highlight(h) for h in highlights]
    if fmt != "html" and layout != "ecosystem":
        raise UsageError(f"--layout {layout} runs in the browser; a static {fmt} map always uses the ecosystem layout")
    model = load_model_for_cli(file, max_bytes)
    if fmt != "html":
        from ..render.static import STATIC_MAX_NODES, write_static

        summary = write_static(model, output, fmt=fmt, size_by=size_by, highlights=parsed, title=title,
                               max_nodes=max_nodes or STATIC_MAX_NODES)
        for note in summary["notes"]:
            echo_line(f"Note: {note}", err=True)
        echo_line(f"Wrote {output} ({fmt.upper()} map: {summary['shown_nodes']:,} nodes, "
                  f"{summary['shown_edges']:,} relationships{', aggregated' if summary['aggregated'] else ''}; "
                  f"{summary['bytes'] / 1e3:,.0f} KB)")
        return
    summary = write_html(model, output, size_by=size_by, highlights=parsed, layout=layout, title=title,
                         max_nodes=max_nodes or MAX_NODES)
    for note in summary["notes"]:
        echo_line(f"Note: {note}", err=True)
    echo_line(f"Wrote {output} ({summary['shown_nodes']:,} nodes, {summary['shown_edges']:,} relationships shown"
              f"{', aggregated' if summary['aggregated'] else ''}; {summary['bytes'] / 1e6:.1f} MB)")
