"""The ``ecograph`` command line: a thin click layer over the library (which has no click in it)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Iterable

import click

from . import __version__
from .errors import EcographError, ModelValidationError, UsageError
from .terminal import printable, printable_json

__all__ = [
    "cli",
    "main",
    "format_option",
    "model_file_argument",
    "max_bytes_option",
    "output_option",
    "echo_tables",
    "echo_json",
    "echo_line",
    "MAX_BYTES_CEILING",
    "MAX_GENERATED_NODES",
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
    # Every line passes through printable(): text from a file cannot drive the terminal or forge lines.
    if isinstance(exc, ModelValidationError):
        return "\n".join(printable(line) for line in [p.format() for p in exc.problems] + [exc.summary])
    return printable(f"Error: {exc}", keep_newlines=True)


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


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like KeyboardInterrupt, so that every ``finally`` runs
    (temporary files of an unfinished output are removed)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated(signum)


def main() -> None:
    """Console-script entry point: SIGTERM and SIGHUP end the command like Ctrl-C does (cleaning up,
    exit status 128 + signal number) instead of killing it on the spot."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) != signal.SIG_IGN:  # keep nohup's choice
            signal.signal(sig, _raise_terminated)
    try:
        cli(prog_name="ecograph")
    except _Terminated as exc:
        sys.exit(128 + exc.signum)


# ------------------------------------------------------------------------------- shared option sets


def format_option(*choices: str, default: str = "table") -> Callable:
    """``--format`` with the given choices (first defined once here, used by every command)."""
    choices = choices or ("table", "json")
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format: " + ", ".join(choices) + ".")


def model_file_argument(name: str = "file", nargs: int = 1) -> Callable:
    # No dir_okay=False: the reader refuses directories (and FIFOs, devices, loops) in one line, exit 1.
    return click.argument(name, nargs=nargs, type=click.Path(path_type=str), required=True)


MAX_BYTES_CEILING = 1 << 40
"""The largest ``--max-bytes`` (1 TiB; the same as :data:`ecosystem_graph.fileio.MAX_BYTES_CEILING`)."""

MAX_GENERATED_NODES = 10_000_000
"""The most nodes ``ecograph generate`` writes (about 2 GB of YAML)."""


def max_bytes_option(fn: Callable) -> Callable:
    return click.option("--max-bytes", type=click.IntRange(min=1, max=MAX_BYTES_CEILING), default=None,
                        metavar="N",
                        help="Refuse model files larger than N bytes, 1 to 1 TiB [default: 512 MiB, or "
                             "ECOGRAPH_MAX_BYTES].")(fn)


def output_option(required: bool = True, help: str = "File to write.") -> Callable:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
                        required=required, help=help)


def echo_line(text: str, err: bool = False) -> None:
    """Print one line (a message, a located problem) with its control characters escaped."""
    click.echo(printable(text), err=err)


def echo_json(data: Any) -> None:
    """Print JSON; control characters in strings are JSON escapes (``\\u001b``), so the data is unchanged."""
    click.echo(printable_json(json.dumps(data, ensure_ascii=False, indent=2)))


def _printable_cell(value: Any, keep_whitespace: bool = False) -> Any:
    if isinstance(value, str):
        return printable(value, keep_whitespace=keep_whitespace)
    if isinstance(value, (list, tuple, set)):
        return [_printable_cell(v, keep_whitespace) for v in value]
    return value


def echo_tables(tables: Iterable, fmt: str) -> None:
    """Print tables as a rich table (terminal), CSV or Markdown; control characters in any text escaped."""
    from dataclasses import replace

    from .tables import tables_to_csv, tables_to_markdown, tables_to_rich

    csv = fmt == "csv"  # CSV quotes tabs and line breaks as data: only the other control characters go
    # replace(): the column kinds and money unit stay with each table
    tables = [replace(t, title=printable(t.title), columns=[printable(c, keep_whitespace=csv) for c in t.columns],
                      rows=[[_printable_cell(v, csv) for v in row] for row in t.rows],
                      note=None if t.note is None else printable(t.note)) for t in tables]
    if csv:
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
            echo_line(p.format(), err=True)
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
            echo_line(f"Error: {exc}", err=True)
            failed = True
            continue
        shown = result.errors if quiet else result.problems
        for p in shown:
            echo_line(p.format(), err=p.is_error)
        if result.model is None:
            failed = True
            if not quiet:
                n = len(result.errors)
                echo_line(f"{path}: {n} error{'s' if n != 1 else ''}", err=True)
        elif not quiet:
            m = result.model
            warn = f", {len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}" if result.warnings else ""
            echo_line(f"{path}: valid ({len(m.nodes)} nodes, {len(m.relationships)} relationships{warn})")
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
    echo_line(f"Wrote {path} ({template} template). Next: ecograph validate {path}")


@cli.command()
@click.option("--nodes", "-n", type=click.IntRange(min=5, max=MAX_GENERATED_NODES), required=True,
              help="How many nodes (5 to 10,000,000).")
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
    echo_line(f"Wrote {output}: {n_nodes:,} nodes, {n_rels:,} relationships (seed {seed})")


# Command modules of later features register themselves on the group when imported.
# (Each is a thin click layer over one library package; keep this block the only place that lists them.)
from . import cli_db  # noqa: E402,F401
from . import cli_render  # noqa: E402,F401
from . import cli_interop  # noqa: E402,F401
from . import cli_report  # noqa: E402,F401
from . import cli_analysis  # noqa: E402,F401
