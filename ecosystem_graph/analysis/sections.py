"""The registry of analysis sections: each section declared once, every output looping over the registry.

A section is one :class:`AnalysisSection`: its name (as in ``--only``), a one-line description for the
help, how it runs on a :class:`SectionContext`, its JSON, its tables, its what-if figures and optional
presentation hooks. ``analyze``, ``whatif``/``diff`` (:func:`ecosystem_graph.analysis.scenario.figures`),
the CLI's ``--only``, the report and the render page loop over :func:`sections`; the report and the
render page keep their own builders for the built-in sections, keyed by section name, and show any other
section through a generic fallback (its tables, its headline, its highlight). The five built-in
sections are declared in :mod:`ecosystem_graph.analysis.builtin`, one module each.

Adding a section (see docs/architecture.md)::

    from ecosystem_graph.analysis.sections import AnalysisSection, register

    register(AnalysisSection(
        name="degree", description="relationships of each actor", order=60,
        run=lambda ctx: {n: ctx.G.degree(n) for n in ctx.G},
        to_dict=lambda result, top: {"nodes": [{"id": n, "degree": d} for n, d in result.items()][:top]},
        tables=lambda result, model, top: [Table("Degree", ["id", "degree"], [[n, d] for n, d in result.items()])],
        figures=lambda result: [(n, "degree", float(d)) for n, d in result.items()]))

This module imports nothing heavy (no networkx), so that the CLI can list the sections cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

__all__ = ["AnalysisSection", "SectionContext", "register", "unregister", "sections", "get", "names",
           "default_names", "comparison_order", "only_help"]


@dataclass(frozen=True)
class AnalysisSection:
    """One analysis section of ``ecograph analyze`` and of every output built on it.

    Parameters
    ----------
    name : str
        The name in ``--only``, in the JSON (its key), in what-if figures (their ``section``) and the
        attribute of :class:`~ecosystem_graph.analysis.Analysis` holding its result.
    description : str
        One line for clients, shown in the help of ``--only``.
    run : callable
        ``run(context) -> result`` (any object; None: nothing to show, e.g. no funnel in the model). The
        :class:`SectionContext` gives the graph, the shared edge list and binding index, the options and
        the results of the sections run before.
    to_dict : callable, optional
        ``to_dict(result, top) -> dict``: the section's JSON (lists cut to ``top`` items when not None);
        None: the section has no JSON.
    tables : callable, optional
        ``tables(result, model, top) -> list[Table]``: the terminal, CSV and Markdown output (``model``: the
        name, currency, period and money_unit of :attr:`Analysis.model`); None: no tables.
    figures : callable, optional
        ``figures(result) -> iterable of (item, figure, value)``: every number compared by ``whatif`` and
        ``diff``; None: the section is not compared.
    order : float
        Position in ``--only``, the JSON and the tables (built-ins: 10 centrality ... 50 funnel).
    run_order : float, optional
        Position when analysing (default ``order``): a section reading another's result runs after it.
    compare_order : float, optional
        Position in the ``whatif``/``diff`` listing and among the report's sections (default ``order``).
    step : str, optional
        The progress label while it runs (default: the name).
    uses_binding_index : bool
        Build the shared :class:`~ecosystem_graph.analysis.binding.BindingIndex` before the first section
        runs (it is also built on first use of :attr:`SectionContext.index`).
    start : callable, optional
        ``start(context) -> handle``, called before anything else runs (e.g. to start work in a child
        process); the handle is in ``context.started[name]`` and closed (``close()``) at the end.
    default : bool
        Run when ``--only`` is not given. A section run only on request: ``default=False``.
    in_report : bool
        The report runs it (a report-only section: ``default=False, in_report=True``).
    applies : callable, optional
        ``applies(G) -> bool``: False skips the section (result None), e.g. a section that needs ranges.
    title : str, optional
        Heading of its report section (default: the description, capitalised).
    headline : callable, optional
        ``headline(result, model) -> list of (sentence, figure text, value)``: lines of the report's
        executive summary for a section the report has no builder for.
    highlight : callable, optional
        ``highlight(result, G, ids) -> {"label", "nodes", "edges"}`` or None: what ``render --highlight
        NAME[:IDS]`` marks on the page (edges as (u, v, key)), for a section the page has no resolver for.
    figure_kinds : mapping
        How each of its what-if figures is shown (``money``, ``share``, ``count``...), by figure name.
    """

    name: str
    description: str
    run: Callable[["SectionContext"], Any]
    to_dict: Callable[[Any, int | None], dict] | None = None
    tables: Callable[[Any, dict, int | None], list] | None = None
    figures: Callable[[Any], Iterable[tuple[str, str, float]]] | None = None
    order: float = 100.0
    run_order: float | None = None
    compare_order: float | None = None
    step: str | None = None
    uses_binding_index: bool = False
    start: Callable[["SectionContext"], Any] | None = None
    default: bool = True
    in_report: bool = True
    applies: Callable[[Any], bool] | None = None
    title: str | None = None
    headline: Callable[[Any, dict], list] | None = None
    highlight: Callable[[Any, Any, tuple], dict | None] | None = None
    figure_kinds: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum() or self.name != self.name.lower():
            raise ValueError(f"a section name is lower-case letters, digits and '_', not {self.name!r}")
        if self.name == "rank":
            raise ValueError("'rank' is the what-if group of rank changes, not a section name")

    @property
    def report_title(self) -> str:
        return self.title or self.description[:1].upper() + self.description[1:]


@dataclass
class SectionContext:
    """What a section's ``run`` gets: the graph, shared intermediate data, options and earlier results.

    ``edges`` is the edge list of :func:`~ecosystem_graph.analysis.binding.edge_list` (one pass over the
    relationships); ``index`` the binding index, built once on first use; ``results`` the results of the
    sections run so far, by name (keystones reuse lock-in's); ``started`` the handles of ``start`` hooks.
    """

    G: Any
    seed: int = 0
    depth: int = 4
    max_paths: int = 50
    sample_above: int = 5000
    parallel: bool = True
    edges: list | None = None
    results: dict[str, Any] = field(default_factory=dict)
    started: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str], None] | None = None
    _index: Any = None

    def step(self, label: str) -> None:
        if self.progress is not None:
            self.progress(label)

    @property
    def index(self):
        """The shared :class:`~ecosystem_graph.analysis.binding.BindingIndex`, built on first use."""
        if self._index is None:
            from .binding import BindingIndex, edge_list

            if self.edges is None:
                self.edges = edge_list(self.G)
            self.step("binding network")
            self._index = BindingIndex(self.G, depth=self.depth, max_paths=self.max_paths, edges=self.edges)
        return self._index

    @property
    def index_if_built(self):
        """The binding index when a section has built it, else None (to reuse it without building it)."""
        return self._index


_REGISTRY: dict[str, AnalysisSection] = {}
# The built-in sections register themselves when their declarations (analysis/builtin/) are imported, which
# the analysis package does before anything can read this module (a parent package runs first).


def register(section: AnalysisSection, *, replace: bool = False) -> AnalysisSection:
    """Add ``section`` to the registry (ValueError when the name is taken, unless ``replace``); returns it."""
    if not isinstance(section, AnalysisSection):
        raise TypeError(f"register() takes an AnalysisSection, not {type(section).__name__}")
    if section.name in _REGISTRY and not replace and _REGISTRY[section.name] is not section:
        raise ValueError(f"an analysis section named '{section.name}' is already registered")
    _REGISTRY[section.name] = section
    return section


def unregister(name: str) -> None:
    """Remove the section ``name`` (for tests and plug-ins; KeyError when absent)."""
    del _REGISTRY[name]


def sections() -> tuple[AnalysisSection, ...]:
    """Every registered section in ``order`` (then by name).

    >>> [s.name for s in sections()][:5]
    ['centrality', 'keystones', 'revenue', 'lockin', 'funnel']
    """
    return tuple(sorted(_REGISTRY.values(), key=lambda s: (s.order, s.name)))


def get(name: str) -> AnalysisSection:
    """The section named ``name``; KeyError when none is."""
    return _REGISTRY[name]


def names() -> tuple[str, ...]:
    """The names of every registered section, in order."""
    return tuple(s.name for s in sections())


def default_names() -> tuple[str, ...]:
    """The sections run when ``--only`` is not given, in order."""
    return tuple(s.name for s in sections() if s.default)


def comparison_order() -> tuple[str, ...]:
    """The order of the sections in ``whatif``/``diff`` listings and in the report (money first).

    >>> comparison_order()[:5]
    ('revenue', 'keystones', 'lockin', 'funnel', 'centrality')
    """
    return tuple(s.name for s in sorted(sections(), key=lambda s: (
        s.order if s.compare_order is None else s.compare_order, s.order, s.name)))


def only_help() -> str:
    """The help of ``--only``: every section's name, with its description.

    >>> only_help().startswith("Comma-separated analyses [default: all]: centrality (")
    True
    """
    listed = ", ".join(f"{s.name} ({s.description})" + ("" if s.default else " [on request]")
                       for s in sections())
    return f"Comma-separated analyses [default: all]: {listed}."
