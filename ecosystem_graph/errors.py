"""The one exception hierarchy of ecosystem-graph; the CLI turns these into user messages in one place."""

from __future__ import annotations

__all__ = [
    "EcographError",
    "UsageError",
    "InputError",
    "OutputError",
    "ModelValidationError",
    "AnalysisError",
    "RenderError",
    "InteropError",
    "StoreError",
    "StoreConnectionError",
    "StoreAuthError",
    "StoreNotFoundError",
    "StoreQueryError",
]


class EcographError(Exception):
    """Base of every error ecosystem-graph raises on purpose.

    ``str(error)`` is a message meant for a user: one line (or a few for a list of problems),
    no traceback, never a secret. ``exit_code`` is what the CLI exits with.
    """

    exit_code = 1

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(EcographError):
    """The command was called wrongly (bad option value, unknown id in --remove, ...)."""

    exit_code = 2


class InputError(EcographError):
    """A file could not be read as a model: missing, too large, not YAML/JSON, an alias bomb."""

    exit_code = 1


class OutputError(EcographError):
    """An output cannot be written where asked: a directory, a device, a FIFO, a socket, a symlink loop."""

    exit_code = 1


class ModelValidationError(EcographError):
    """A model file was read but is not a valid ecosystem; carries every problem found."""

    exit_code = 1

    def __init__(self, problems, source: str | None = None):
        self.problems = list(problems)
        self.source = source
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format() for p in self.problems]
        summary = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        if source:
            summary += f" in {source}"
        self.summary = summary
        super().__init__("\n".join(lines + [summary]))


class AnalysisError(EcographError):
    """An analysis cannot be computed for this model (e.g. unknown segment asked for)."""


class RenderError(EcographError):
    """Rendering an HTML page or a report failed."""


class InteropError(EcographError):
    """Importing from or exporting to another tool's format failed."""

    def __init__(self, message: str = "", problems=None):
        self.problems = list(problems or [])
        if self.problems and not message:
            message = "\n".join(p.format() for p in self.problems)
        super().__init__(message)


class StoreError(EcographError):
    """Something went wrong talking to the graph database."""


class StoreConnectionError(StoreError):
    """The database server cannot be reached."""


class StoreAuthError(StoreError):
    """The server refused the credentials (the message never contains them)."""


class StoreNotFoundError(StoreError):
    """An ecosystem, a database or a named query does not exist."""


class StoreQueryError(StoreError):
    """A Cypher query failed (syntax error, refused write, ...)."""
