"""Progress bars on standard error for long work (rich); silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(description: str, total: int | None = None, *, force: bool = False) -> Iterator[Callable[[int], None]]:
    """Yield ``update(done)`` that moves a rich progress bar on stderr to ``done`` of ``total``.

    Nothing is drawn when stderr is not a terminal (pipes, CI, tests) unless ``force`` is set,
    so machine-readable output stays clean.
    """
    if not (force or sys.stderr.isatty()):
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.update(task, completed=done)
