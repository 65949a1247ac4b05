"""Subpackages that are also API functions: ``ecosystem_graph.render`` and ``ecosystem_graph.report``."""

from __future__ import annotations

import sys
import types
from typing import Callable

__all__ = ["make_callable"]


def make_callable(module_name: str, function: Callable) -> None:
    """Make the module ``module_name`` callable as ``function`` (a function of that package).

    Importing a subpackage sets it as an attribute of its parent, so ``ecosystem_graph.render`` is the
    ``render`` package once anything imported it; calling it runs the API function of the same name, so
    ``ecosystem_graph.render(model)`` and ``ecosystem_graph.render.html`` both work.
    """
    module = sys.modules[module_name]

    class CallablePackage(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return function(*args, **kwargs)

    CallablePackage.__call__.__doc__ = function.__doc__
    module.__class__ = CallablePackage
