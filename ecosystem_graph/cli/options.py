"""Options and helpers shared by every ``ecograph`` command, defined once, and the error-handling group class."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Iterable

import click

from ..errors import EcographError, ModelValidationError
from ..terminal import printable, printable_json

__all__ = [
    "EcographGroup",
    "LazyHelpOption",
    "only_option",
    "format_option",
    "model_file_argument",
    "max_bytes_option",
    "output_option",
    "format_for_output",
    "echo_tables",
    "printable_tables",
    "tables_text",
    "echo_json",
    "echo_line",
    "MAX_BYTES_CEILING",
    "MAX_GENERATED_NODES",
    "load_model_for_cli",
    "load_for_cli",
]


# ------------------------------------------------------------------------------- --only of the analyses


class LazyHelpOption(click.Option):
    """An option whose help is written when the help is shown (``help_text()``), not when the module loads:
    the analysis sections are listed from their registry, which needs no import until then."""

    def __init__(self, *args: Any, help_text: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_text = help_text

    def get_help_record(self, ctx: click.Context):
        self.help = self.help_text()
        return super().get_help_record(ctx)


def _complete_sections(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from ..analysis.sections import names

    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    return [prefix + name for name in names() if name.startswith(last)]


def only_option(help_text: Callable[[], str]):
    """``--only LIST`` of the analysis sections, with ``help_text()`` as its help (completes section names)."""
    return click.option("--only", metavar="LIST", default=None, cls=LazyHelpOption, help_text=help_text,
                        shell_complete=_complete_sections)


# ------------------------------------------------------------------------------------ error handling


class EcographGroup(click.Group):
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


_SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def format_for_output(fmt: str, output: str | None) -> str:
    """The format to write: ``--format`` when it was given, else the one the output file's name says
    (``.json``, ``.csv``, ``.md``), else ``fmt`` (the default)."""
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source("fmt") if ctx is not None else None
    if output is None or source not in (None, click.core.ParameterSource.DEFAULT):
        return fmt
    return _SUFFIX_FORMATS.get(os.path.splitext(output)[1].lower(), fmt)


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


def printable_tables(tables: Iterable, fmt: str) -> list:
    """The tables with every control character and bidirectional control in their text escaped
    (:func:`ecosystem_graph.terminal.printable`): names come from the model file, and neither the terminal nor
    a file shown with ``cat`` may be driven or reordered by them. In CSV cells tabs, line breaks and
    bidirectional controls are data and stay."""
    from dataclasses import replace

    csv = fmt == "csv"
    # replace(): the column kinds and money unit stay with each table
    return [replace(t, title=printable(t.title), columns=[printable(c, keep_whitespace=csv) for c in t.columns],
                    rows=[[_printable_cell(v, csv) for v in row] for row in t.rows],
                    note=None if t.note is None else printable(t.note)) for t in tables]


def echo_tables(tables: Iterable, fmt: str) -> None:
    """Print tables as a rich table (terminal), CSV or Markdown; control characters in any text escaped."""
    from ..tables import tables_to_csv, tables_to_markdown, tables_to_rich

    csv = fmt == "csv"
    tables = printable_tables(tables, fmt)
    if csv:
        click.echo(tables_to_csv(tables), nl=False)
    elif fmt == "markdown":
        click.echo(tables_to_markdown(tables), nl=False)
    else:
        from rich.console import Console

        console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 120)
        for renderable in tables_to_rich(tables):
            console.print(renderable)


def tables_text(tables: Iterable, fmt: str) -> str:
    """The tables as the text of a file: CSV, Markdown, or (any other ``fmt``) the terminal table without
    colour, 120 columns wide; the caller escapes what must be escaped (:func:`printable_tables`)."""
    from ..tables import tables_to_csv, tables_to_markdown, tables_to_rich

    if fmt == "csv":
        return tables_to_csv(tables)
    if fmt == "markdown":
        return tables_to_markdown(tables)
    import io

    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=120, color_system=None, soft_wrap=False)
    for renderable in tables_to_rich(tables):
        console.print(renderable)
    return buf.getvalue()


def load_for_cli(path: str, max_bytes: int | None = None, *, warnings: bool = True):
    """Read and validate a model file (a LoadResult with the model and the bytes read); print its
    warnings to stderr; raise ModelValidationError with every problem."""
    from ..fileio import check_file

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
