"""Rows built from columns on first access and kept: the ``lazy_rows`` attribute of the analysis results."""

from __future__ import annotations

from operator import methodcaller
from typing import Any, Callable

from ..gc_pause import gc_paused

__all__ = ["lazy_rows"]


class lazy_rows:  # noqa: N801 - used like @property
    """An attribute of a result class: its rows, built from a columns attribute on first access and kept.

    The analyses compute their figures as columns (a table of the top rows or the JSON output needs no
    100,000 objects); reading the attribute builds the row objects once, with the garbage collector
    paused (they are many and hold no cycles). The rows are kept in the instance attribute ``_<name>``
    (``None``: not built yet). Assigning rows keeps them as a plain list and drops the columns.

    Parameters
    ----------
    columns : str
        Name of the attribute holding the columns; when it is ``None`` the rows are ``[]``.
    build : callable, optional
        Builds the list of rows from the columns (default: ``columns.rows()``).
    doc : str, optional
        The attribute's docstring.

    Examples
    --------
    >>> class Columns:
    ...     def rows(self):
    ...         print("built")
    ...         return [1, 2, 3]
    >>> class Result:
    ...     values = lazy_rows("columns", doc="The values, built once.")
    ...     def __init__(self, columns):
    ...         self.columns, self._values = columns, None
    >>> r = Result(Columns())
    >>> r.values
    built
    [1, 2, 3]
    >>> r.values
    [1, 2, 3]
    >>> r.values = (4,)
    >>> r.values, r.columns
    ([4], None)
    """

    def __init__(self, columns: str, build: Callable[[Any], list] = methodcaller("rows"), *,
                 doc: str | None = None) -> None:
        self.columns = columns
        self.build = build
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.cache = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        rows = obj.__dict__.get(self.cache)
        if rows is None:
            columns = getattr(obj, self.columns)
            with gc_paused():
                rows = self.build(columns) if columns is not None else []
            obj.__dict__[self.cache] = rows
        return rows

    def __set__(self, obj: Any, rows) -> None:
        obj.__dict__[self.cache] = list(rows)
        setattr(obj, self.columns, None)
