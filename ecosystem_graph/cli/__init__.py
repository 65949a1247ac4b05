"""The ``ecograph`` command line: a thin click layer over the library (which has no click in it).

The group is created here and every command is registered here, in one place; each command module
(``model``, ``analysis``, ``db``, ``interop``, ``render``, ``report``, ``timeline``) only defines its commands, and
the options and helpers they share live in ``options``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from . import analysis, db, interop, model, render, report, sensitivity, timeline
from .options import EcographGroup

__all__ = ["cli", "main"]


@click.group(cls=EcographGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


# Every command, registered in this one place (each module only defines its commands).
for _command in (model.validate, model.schema, model.show, model.init, model.generate,
                 db.db, render.render, interop.import_command, interop.export_command, report.report,
                 analysis.analyze_cmd, analysis.whatif_cmd, analysis.diff_cmd, sensitivity.sensitivity_cmd,
                 timeline.timeline_cmd):
    cli.add_command(_command)
del _command


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
