"""Subpackages that are also API functions: ``ecosystem_graph.render`` and ``ecosystem_graph.report``."""

from __future__ import annotations

import sys
import types
from importlib import import_module

__all__ = ["make_callable"]


def make_callable(module_name: str, function_name: str) -> None:
    """Make the module ``module_name`` callable as ``ecosystem_graph.api.<function_name>``.

    Importing a subpackage sets it as an attribute of its parent, so ``ecosystem_graph.render`` is the
    ``render`` package once anything imported it; calling it runs the API function of the same name, so
    ``ecosystem_graph.render(model)`` and ``ecosystem_graph.render.html`` both work.
    """
    module = sys.modules[module_name]

    class CallablePackage(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return getattr(import_module("ecosystem_graph.api"), function_name)(*args, **kwargs)

    CallablePackage.__call__.__doc__ = f"Run :func:`ecosystem_graph.api.{function_name}`."
    module.__class__ = CallablePackage
