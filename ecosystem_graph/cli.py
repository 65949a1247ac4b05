"""The ``ecograph`` command line: a thin click layer over the library (which has no click in it)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Iterable

import click

from . import __version__
from .errors import EcographError, ModelValidationError, UsageError

__all__ = [
    "cli",
    "main",
    "format_option",
    "model_file_argument",
    "max_bytes_option",
    "output_option",
    "echo_tables",
    "echo_json",
    "load_model_for_cli",
    "load_for_cli",
]


# ------------------------------------------------------------------------------------ error handling


class _Group(click.Group):
    """Turns every EcographError into one user message and its exit code, in one place.

    Tracebacks are shown only with ``ecograph --debug ...`` (or ECOGRAPH_DEBUG=1).
    """

    def invoke(self, ctx: click.Context) -> Any:
        env_debug = os.environ.get("ECOGRAPH_DEBUG") == "1"  # read now: it allocates, memory may run out
        try:
            return super().invoke(ctx)
        except EcographError as exc:
            if _debug(ctx):
                raise
            click.echo(_error_text(exc), err=True)
            ctx.exit(exc.exit_code)
        except MemoryError:
            # Whatever ran out (a large model, an analysis of it): one line, not a traceback, printed
            # below once the traceback and the memory its frames hold are released.
            if env_debug or (ctx.find_root().obj or {}).get("debug"):
                raise
        except (KeyboardInterrupt, BrokenPipeError):
            if _debug(ctx):
                raise
            ctx.exit(130)
        click.echo("Error: out of memory; use a smaller model file or allow more memory", err=True)
        ctx.exit(1)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool((root.obj or {}).get("debug")) or os.environ.get("ECOGRAPH_DEBUG") == "1"


def _error_text(exc: EcographError) -> str:
    if isinstance(exc, ModelValidationError):
        return str(exc)
    return f"Error: {exc}"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ecograph")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Model a business ecosystem as a graph, analyse it, and show it.

    A model file (YAML or JSON) lists nodes (core, satellite, channel, partner, segment) and the
    relationships between them (USES, PAYS, FEEDS, REACHES, SUPPLIES, DEPENDS_ON, CONVERTS_TO).

    \b
    Start here:
      ecograph init my-model.yaml --template amazon
      ecograph validate my-model.yaml
      ecograph show my-model.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="ecograph")


# ------------------------------------------------------------------------------- shared option sets


def format_option(*choices: str, default: str = "table") -> Callable:
    """``--format`` with the given choices (first defined once here, used by every command)."""
    choices = choices or ("table", "json")
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format: " + ", ".join(choices) + ".")


def model_file_argument(name: str = "file", nargs: int = 1) -> Callable:
    return click.argument(name, nargs=nargs, type=click.Path(dir_okay=False, path_type=str), required=True)


def max_bytes_option(fn: Callable) -> Callable:
    return click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Refuse model files larger than N bytes [default: 512 MiB, or ECOGRAPH_MAX_BYTES].")(fn)


def output_option(required: bool = True, help: str = "File to write.") -> Callable:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
                        required=required, help=help)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_tables(tables: Iterable, fmt: str) -> None:
    """Print tables as a rich table (terminal), CSV or Markdown."""
    from .tables import tables_to_csv, tables_to_markdown, tables_to_rich

    if fmt == "csv":
        click.echo(tables_to_csv(tables), nl=False)
    elif fmt == "markdown":
        click.echo(tables_to_markdown(tables), nl=False)
    else:
        from rich.console import Console

        console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 120)
        for renderable in tables_to_rich(tables):
            console.print(renderable)


def load_for_cli(path: str, max_bytes: int | None = None, *, warnings: bool = True):
    """Read and validate a model file (a LoadResult with the model and the bytes read); print its
    warnings to stderr; raise ModelValidationError with every problem."""
    from .fileio import check_file

    result = check_file(path, max_bytes=max_bytes)
    if result.model is None:
        raise ModelValidationError(result.problems, path)
    if warnings:
        for p in result.warnings:
            click.echo(p.format(), err=True)
    return result


def load_model_for_cli(path: str, max_bytes: int | None = None, *, warnings: bool = True):
    """Load a model; print its warnings to stderr; raise ModelValidationError with every problem."""
    return load_for_cli(path, max_bytes, warnings=warnings).model


# ------------------------------------------------------------------------------------- model commands


@cli.command()
@model_file_argument("files", nargs=-1)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings and no summary.")
@max_bytes_option
def validate(files: tuple[str, ...], quiet: bool, max_bytes: int | None) -> None:
    """Check model FILES and report every problem at once.

    Each problem is one line, FILE:LINE:COLUMN: message, with a suggestion where there is one.
    Exit status: 0 when every file is valid (warnings allowed), 1 when any has errors.

    \b
    Example:
      $ ecograph validate examples/amazon.yaml
      examples/amazon.yaml: valid (35 nodes, 80 relationships)
    """
    from .errors import InputError
    from .fileio import check_file

    failed = False
    for path in files:
        try:
            result = check_file(path, max_bytes=max_bytes)
        except InputError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed = True
            continue
        shown = result.errors if quiet else result.problems
        for p in shown:
            click.echo(p.format(), err=p.is_error)
        if result.model is None:
            failed = True
            if not quiet:
                n = len(result.errors)
                click.echo(f"{path}: {n} error{'s' if n != 1 else ''}", err=True)
        elif not quiet:
            m = result.model
            warn = f", {len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}" if result.warnings else ""
            click.echo(f"{path}: valid ({len(m.nodes)} nodes, {len(m.relationships)} relationships{warn})")
    if failed:
        raise SystemExit(1)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the schema to this file instead of standard output.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of model files.

    Point your editor at it for completion and checking, e.g. with the YAML language server put
    this first line in a model file:

    \b
      # yaml-language-server: $schema=ecosystem.schema.json
    """
    from .fileio import write_text_atomic
    from .model import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@model_file_argument()
@format_option("table", "json")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the best-connected nodes to list.")
@max_bytes_option
def show(file: str, fmt: str, top: int, max_bytes: int | None) -> None:
    """Summarize model FILE: nodes by kind, relationships by type, money by stream, top nodes.

    \b
    Example:
      ecograph show examples/amazon.yaml
      ecograph show examples/amazon.yaml --format json --top 3
    """
    from .summary import summarize

    summary = summarize(load_model_for_cli(file, max_bytes), top=top)
    if fmt == "json":
        echo_json(summary.to_dict())
    else:
        echo_tables(summary.tables(), fmt)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@click.option("--template", type=click.Choice(["blank", "amazon"]), default="blank", show_default=True,
              help="blank: one core, one segment; amazon: the full Amazon 2023 example.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, template: str, force: bool) -> None:
    """Write a new model file at PATH that validates, to start from.

    \b
    Example:
      ecograph init client.yaml --template amazon
    """
    from .templates import template_text

    if os.path.exists(path) and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    from .fileio import write_text_atomic

    try:
        write_text_atomic(path, template_text(template))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"Wrote {path} ({template} template). Next: ecograph validate {path}")


@cli.command()
@click.option("--nodes", "-n", type=click.IntRange(min=5), required=True, help="How many nodes (5 to millions).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same ecosystem.")
@output_option(help="File to write (.yaml/.yml or .json).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="File format [default: from the file name].")
def generate(nodes: int, seed: int, output: str, fmt: str | None) -> None:
    """Write a synthetic ecosystem of about N nodes and 3N relationships.

    The shape is realistic: a few cores, ~2% satellites, ~3% channels, ~25% partners, the rest
    segments (40% of them in four-stage funnels), with money flows and lock-in bindings. The same
    --nodes and --seed give the same file. Used by tests and benchmarks.

    \b
    Example:
      ecograph generate --nodes 100000 --seed 1 -o big.yaml
    """
    from .fileio import format_for
    from .generate import shape_for, write_generated
    from .progress import progress_bar

    shape_for(nodes)  # usage errors before any work
    with progress_bar(f"Writing {output}", total=None if nodes < 50_000 else nodes * 4) as advance:
        try:
            n_nodes, n_rels = write_generated(output, nodes, seed, fmt or format_for(output), progress=advance)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote {output}: {n_nodes:,} nodes, {n_rels:,} relationships (seed {seed})")


# Command modules of later features register themselves on the group when imported.
# (Each is a thin click layer over one library package; keep this block the only place that lists them.)
from . import cli_db  # noqa: E402,F401
from . import cli_render  # noqa: E402,F401
from . import cli_interop  # noqa: E402,F401
from . import cli_report  # noqa: E402,F401
from . import cli_analysis  # noqa: E402,F401
