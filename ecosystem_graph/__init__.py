"""ecosystem-graph: model a business ecosystem as a graph, analyse it, and show it.

The Python API (documented in docs/python-api.md) loads on first use, so ``import ecosystem_graph`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = ("load", "save", "analyze", "whatif", "diff", "sensitivity", "timeline", "render", "report", "import_source", "export", "push", "pull",
        "to_pyvis")
_ERRORS = ("EcographError", "UsageError", "InputError", "OutputError", "ModelValidationError", "AnalysisError",
           "RenderError", "InteropError", "StoreError", "StoreConnectionError", "StoreAuthError",
           "StoreNotFoundError", "StoreQueryError")

__all__ = ["__version__", "Ecosystem", *_API, *_ERRORS]

_HOME = {**{name: "ecosystem_graph.api" for name in _API}, **{name: "ecosystem_graph.errors" for name in _ERRORS},
         "Ecosystem": "ecosystem_graph.api"}  # through the API, which gives it its notebook display
# Subpackages of the same name, made callable (see callable_package.py): importing them sets the attribute anyway.
_HOME.update(render="ecosystem_graph.render", report="ecosystem_graph.report")


def __getattr__(name: str) -> Any:
    # The API pulls in pydantic, networkx and more; load it when a name is first used, not on import.
    if name in _HOME:
        home = import_module(_HOME[name])
        value = home if home.__name__ == f"{__name__}.{name}" else getattr(home, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ecosystem_graph' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
