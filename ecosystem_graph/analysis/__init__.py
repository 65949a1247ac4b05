"""Analyses of an ecosystem graph: centrality, keystones, revenue flows, lock-in, funnel, what-if, diff.

Every analysis is a free function over the ``MultiDiGraph`` of :func:`ecosystem_graph.graph.to_networkx`
that returns plain dataclasses and never prints. Each is declared once as a section in the registry
(:mod:`ecosystem_graph.analysis.sections`; the built-ins in :mod:`ecosystem_graph.analysis.builtin`):
:func:`analyze` runs the sections asked for and bundles their results in an :class:`Analysis`, which
renders itself as JSON data or as :class:`~ecosystem_graph.tables.Table` s by asking each section.
The formulas are in ``docs/metrics.md``.

:class:`Analysis` keeps the results in a dict by section name (``results``) and gives each as an attribute
(``a.revenue``, ``a.keystones``, and ``a.<name>`` for any registered section): None when the section was
not run or had nothing to show (``funnel`` without CONVERTS_TO). ``SECTIONS`` is the registry's names,
read when asked for, so that a section registered later is in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import networkx as nx

from ..errors import UsageError
from ..gc_pause import gc_paused
from ..tables import Table
# Submodules stay reachable under their own names (``analysis.centrality.centrality(G)``): import the
# modules, never functions of the same name.
from . import centrality, funnel, keystones, lockin, revenue
from . import sections as registry
from .binding import edge_list
from .builtin import centrality as _centrality_section, lockin as _lockin_section, revenue as _revenue_section
from .builtin.centrality import CENTRALITY_NOTE
from .builtin.keystones import KEYSTONE_NOTE
from .centrality import CentralityResult
from .funnel import FunnelResult
from .keystones import KeystoneResult
from .lockin import DEFAULT_MAX_PATHS, LockinResult
from .revenue import RevenueResult
from .sections import AnalysisSection, SectionContext, register

__all__ = ["SECTIONS", "FORMAT_VERSION", "Analysis", "analyze", "parse_only", "AnalysisSection", "SectionContext",
           "register", "KEYSTONE_NOTE", "CENTRALITY_NOTE", "CentralityResult", "FunnelResult", "KeystoneResult",
           "LockinResult", "RevenueResult", "centrality", "funnel", "keystones", "lockin", "revenue"]

FORMAT_VERSION = 2


def __getattr__(name: str):
    # SECTIONS is read from the registry when asked for: a section registered after import is in it
    if name == "SECTIONS":
        return registry.names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_only(only: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"revenue,lockin"`` -> ``("revenue", "lockin")`` in canonical order; UsageError on unknown names.

    None gives the sections run by default (every built-in one).

    >>> parse_only("lockin, revenue")
    ('revenue', 'lockin')
    """
    known = registry.names()
    if only is None:
        return registry.default_names()
    names = [x.strip() for x in (only.split(",") if isinstance(only, str) else only) if x.strip()]
    from ..validation import suggest

    for name in names:
        if name not in known:
            hint = suggest(name, known)
            raise UsageError(f"unknown analysis '{name}' in --only; expected some of {', '.join(known)}"
                             + (f"; did you mean '{hint}'?" if hint else ""))
    if not names:
        raise UsageError(f"--only needs at least one of {', '.join(known)}")
    return tuple(s for s in known if s in names)


NOTEBOOK_ROWS = 25
"""Rows per table when an Analysis shows itself in a notebook."""


@dataclass
class Analysis:
    """The results of :func:`analyze`: ``results`` by section name, each also an attribute (``a.revenue``),
    None when not asked for (``funnel`` is also None when the model has no CONVERTS_TO)."""

    model: dict = field(default_factory=dict)  # name, currency, period, money_unit, nodes, relationships
    sections: tuple = field(default_factory=registry.default_names)
    options: dict = field(default_factory=dict)  # seed, depth, max_paths
    results: dict = field(default_factory=dict)

    def __init__(self, model: dict | None = None, sections: tuple | None = None, options: dict | None = None,
                 results: dict | None = None, **by_name: Any):
        object.__setattr__(self, "results", dict(results or {}))
        self.model = {} if model is None else model
        self.sections = registry.default_names() if sections is None else tuple(sections)
        self.options = {} if options is None else options
        for name, value in by_name.items():
            setattr(self, name, value)

    def __getattr__(self, name: str):
        # only called when the normal lookup fails: a section's result by its name
        if not name.startswith("_") and name != "results":
            results = self.__dict__.get("results")
            if results is not None and (name in results or name in registry.names()):
                return results.get(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in ("model", "sections", "options", "results") and name in registry.names():
            self.results[name] = value
        else:
            object.__setattr__(self, name, value)

    def present(self) -> list[tuple[AnalysisSection, Any]]:
        """The registered sections with a result, in order, each with its result."""
        return [(s, self.results[s.name]) for s in registry.sections() if self.results.get(s.name) is not None]

    # ------------------------------------------------------------------------------- ordering

    def ranked_centrality(self):
        return _centrality_section.ranked(self.results.get("centrality"))

    def ranked_revenue_nodes(self):
        return _revenue_section.ranked(self.results.get("revenue"))

    def ranked_segments(self):
        return _lockin_section.ranked(self.results.get("lockin"))

    # ------------------------------------------------------------------------------------ JSON

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """The JSON document of ``ecograph analyze`` (``"format_version": 2``); lists ranked, cut to
        ``top`` items when given."""
        out: dict[str, Any] = {"format_version": FORMAT_VERSION, "model": self.model, "options": self.options}
        for section, result in self.present():
            if section.to_dict is not None:
                out[section.name] = section.to_dict(result, top)
        return out

    # ---------------------------------------------------------------------------------- tables

    def _repr_html_(self) -> str:
        """The tables as HTML for notebooks (Jupyter, VS Code), the first 25 rows of each, every cell escaped."""
        from ..tables import tables_to_html

        return tables_to_html(self.tables(top=NOTEBOOK_ROWS))

    def tables(self, top: int | None = None) -> list[Table]:
        """Every section as tables (the terminal, CSV and Markdown outputs), ``top`` rows each."""
        out: list[Table] = []
        for section, result in self.present():
            if section.tables is not None:
                out.extend(section.tables(result, self.model, top))
        return out


def analyze(G: nx.MultiDiGraph, *, only=None, top: int | None = None, seed: int = 0, depth: int = 4,
            max_paths: int = DEFAULT_MAX_PATHS, sample_above: int = 5000,
            progress: Callable[[str], None] | None = None, parallel: bool = True) -> Analysis:
    """Run the analyses named in ``only`` (default: all) on ``G`` and bundle the results.

    ``top`` is kept as the default cut for :meth:`Analysis.tables` callers; the results always hold
    every node. ``progress`` is called with the name of each step before it runs. ``parallel``: on
    Linux with two or more CPUs, compute the betweenness (most of the time on large models) in a
    forked child process while this one computes the rest; the figures are the same to the last bit.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> from ecosystem_graph.graph import to_networkx
    >>> m = Ecosystem.model_validate({"name": "Tiny", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
    ...               {"id": "fans", "kind": "segment", "name": "Fans"}],
    ...     "relationships": [{"from": "fans", "to": "shop", "type": "PAYS", "amount": 10}]})
    >>> a = analyze(to_networkx(m), only="revenue")
    >>> a.revenue.core_revenue, a.centrality is None, a.to_dict()["format_version"]
    (10.0, True, 2)
    """
    sections = parse_only(only)
    if depth < 1:
        raise UsageError(f"--depth must be at least 1, not {depth}")
    if max_paths < 1:
        raise UsageError(f"--max-paths must be at least 1, not {max_paths}")

    chosen = [registry.get(name) for name in sections]
    chosen = [s for s in chosen if s.applies is None or s.applies(G)]
    model = {k: G.graph.get(k) for k in ("name", "currency", "period", "money_unit")}
    ctx = SectionContext(G, seed=seed, depth=depth, max_paths=max_paths, sample_above=sample_above,
                         parallel=parallel, progress=progress)
    # The analyses allocate millions of small objects next to a large graph: the cyclic garbage
    # collector would scan the whole heap again and again (a third of the run time at 100,000 nodes)
    # while nothing here creates garbage cycles worth collecting. Paused for the run, then restored.
    with gc_paused():
        try:
            for section in chosen:  # e.g. the betweenness in a child process, while this one does the rest
                if section.start is not None:
                    ctx.started[section.name] = section.start(ctx)
            ctx.edges = edge_list(G)  # one pass over the relationships, shared by every section
            model.update(nodes=G.number_of_nodes(), relationships=len(ctx.edges))
            result = Analysis(model=model, sections=sections,
                              options={"seed": seed, "depth": depth, "max_paths": max_paths, "top": top})
            if any(s.uses_binding_index for s in chosen):
                ctx.index  # built once, before the first section that reads it (announced as its own step)
            for section in sorted(chosen, key=lambda s: s.order if s.run_order is None else s.run_order):
                ctx.step(section.step or section.name)
                ctx.results[section.name] = result.results[section.name] = section.run(ctx)
        finally:
            for handle in ctx.started.values():
                if handle is not None and hasattr(handle, "close"):
                    handle.close()
    return result
