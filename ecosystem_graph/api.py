"""The Python API: thin functions over the library for scripts and notebooks (see docs/python-api.md)."""

from __future__ import annotations

import html
import os
from typing import Any, Iterable

from .model import Ecosystem


def _notebook_html(model) -> str:
    from .render.write import notebook_html

    return notebook_html(model)


# The model knows nothing of drawing (it sits below render): the API layer, which notebooks import,
# gives it its notebook display.
Ecosystem._repr_html_ = _notebook_html

__all__ = ["Ecosystem", "load", "save", "analyze", "whatif", "diff", "sensitivity", "timeline", "render", "report", "import_source", "export", "push",
           "pull", "to_pyvis"]


def _graph(model_or_graph: Any):
    """A networkx graph for an Ecosystem (converted) or a graph (returned as is)."""
    from .model import Ecosystem

    if isinstance(model_or_graph, Ecosystem):
        from .graph import to_networkx

        return to_networkx(model_or_graph)
    return model_or_graph


def _model(model_or_path: Any):
    """An Ecosystem for a model (as is) or a path (loaded)."""
    if isinstance(model_or_path, (str, os.PathLike)):
        return load(model_or_path)
    return model_or_path


def load(path: str | os.PathLike, *, max_bytes: int | None = None):
    """Read and validate a model file (YAML or JSON).

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int, optional
        Largest file accepted (default: ``ECOGRAPH_MAX_BYTES`` or the built-in limit).

    Returns
    -------
    Ecosystem

    Raises
    ------
    InputError
        The file cannot be read (missing, too large, not a regular file).
    ModelValidationError
        The file is not a valid model; the error lists every problem.
    """
    from .fileio import load_model

    return load_model(path, max_bytes=max_bytes)


def save(model, path: str | os.PathLike, fmt: str | None = None) -> None:
    """Write ``model`` to ``path`` atomically, as YAML or JSON (``fmt``, default: from the suffix)."""
    from .fileio import save_model

    save_model(model, path, fmt)


def analyze(model_or_graph, only: str | Iterable[str] | None = None, **options: Any):
    """Run the analyses on an Ecosystem or its networkx graph and return an ``Analysis``.

    ``only`` names sections (e.g. ``"revenue,lockin"``; default: all); ``options`` are those of
    :func:`ecosystem_graph.analysis.analyze` (``seed``, ``depth``, ``max_paths``, ...).
    """
    from .analysis import analyze as run, parse_only

    return run(_graph(model_or_graph), only=parse_only(only), **options)


def whatif(model_or_graph, remove: Iterable[str] = (), scale: dict[str, float] | Iterable[str] | None = None,
           only: str | Iterable[str] | None = None, **options: Any):
    """Remove nodes or relationships and scale flows, analyse before and after, and return the ``Scenario``.

    ``remove`` holds node or relationship ids; ``scale`` maps ids to factors (``{"aws": 0.5}``) or holds
    ``"ID=FACTOR"`` strings as on the command line.
    """
    from .analysis import parse_only
    from .analysis.scenario import parse_scale, whatif as run

    if scale is not None and not isinstance(scale, dict):
        scale = parse_scale(list(scale))
    return run(_graph(model_or_graph), remove=list(remove), scale=scale, only=parse_only(only), **options)


def diff(a, b, only: str | Iterable[str] | None = None, **options: Any):
    """Compare two models (Ecosystems or paths): what was added, removed and changed, and every figure."""
    from .analysis import parse_only
    from .analysis.diff import diff_models

    labels = {"label_a": str(a) if isinstance(a, (str, os.PathLike)) else "A",
              "label_b": str(b) if isinstance(b, (str, os.PathLike)) else "B"}
    return diff_models(_model(a), _model(b), **labels, only=parse_only(only), **options)


def sensitivity(model_or_graph, draws: int = 2000, seed: int = 0, only: str | Iterable[str] | None = None,
                sobol: bool = False):
    """How sure the headline figures are: every ranged value of the model drawn at once (``ecograph sensitivity``).

    Returns a ``SensitivityResult``: per headline figure its base (what :func:`analyze` gives), mean and
    P10/P50/P90 (``by_name()``), a tornado per figure (``tornado``) and, with ``sobol``, Sobol indices.
    Raises UsageError when the model has no ranges.
    """
    from .analysis.sensitivity import sensitivity as run

    return run(model_or_graph, draws=draws, seed=seed, only=only, sobol=sobol)


def timeline(models: Iterable[Any], *, as_given: bool = False, shift: float = 0.25, **options: Any):
    """Snapshots of one ecosystem (models or paths) analysed per period, with the role shifts (``ecograph timeline``).

    Sorted by ``period`` unless ``as_given``; ``shift`` is the share of ecosystem revenue whose crossing is
    reported; ``options`` are those of :func:`ecosystem_graph.analysis.timeline.timeline` (``top``, ``depth``...).
    Returns a ``TimelineResult`` (``periods``, ``changes``, ``shifts``, ``suggestions``, ``cagr``).
    """
    from .analysis.timeline import timeline as run

    snapshots = [(str(m), load(m)) if isinstance(m, (str, os.PathLike)) else m for m in models]
    return run(snapshots, as_given=as_given, shift=shift, **options)


def render(model, path: str | os.PathLike | None = None, **options: Any):
    """The interactive page of ``model``: its HTML text when ``path`` is None, else written to ``path``.

    A ``.svg`` or ``.png`` path writes the static map instead. ``options`` are those of
    :func:`ecosystem_graph.render.html.render_html` (``size_by``, ``highlights``, ``layout``, ``title``, ...).
    With a path, returns the summary of what the page shows.
    """
    from .render.write import render as run

    return run(model, path, **options)


def report(model, path: str | os.PathLike, *, template: str | os.PathLike | None = None, **options: Any) -> None:
    """Write the report of ``model`` to ``path``: HTML, Markdown (``.md``) or a PowerPoint deck (``.pptx``).

    ``model`` may be a list of snapshots of one ecosystem (models or paths): the evolution report of
    ``ecograph report --timeline``, with the options of :func:`ecosystem_graph.report.evolution.build_timeline_report`
    (``title``, ``as_given``, ``shift``, ``top``, ``graph``).

    ``options`` are those of :func:`ecosystem_graph.report.build_report` (``title``, ``scenario``, ``top``,
    ``graph``, ``technical``, ...); ``template`` is a firm's ``.pptx`` for a deck. A Markdown report writes its
    chart files beside it, all files appearing together. Raises OutputError when a file cannot be written.
    """
    from .report.write import report as run

    run(model, path, template=template, **options)


def import_source(path: str | os.PathLike, **options: Any):
    """Import a Kumu workbook or JSON, a CSV pair, GraphML or GEXF as a validated model (an Ecosystem).

    ``options`` are the fields of :class:`ecosystem_graph.interop.ImportOptions` (``name``, ``currency``,
    ``period``, ...) plus ``max_bytes`` and ``max_cells``. Raises InputError or InteropError.
    """
    from .interop import ImportOptions, import_source as run

    limits = {k: options.pop(k) for k in ("max_bytes", "max_cells") if k in options}
    return run(path, ImportOptions(**options), **limits).model


def export(model, path: str | os.PathLike, format: str) -> list[str]:
    """Write ``model`` in ``format`` (graphml, gexf, csv, json, cypher, xlsx) to ``path``; return the paths written."""
    from .interop import export_model

    return export_model(model, format, path)


def _connect(connection: dict[str, Any]):
    from .store.neo4j import connect

    return connect(connection.get("uri", os.environ.get("NEO4J_URI", "bolt://localhost:7687")),
                   connection.get("user", os.environ.get("NEO4J_USERNAME")),
                   connection.get("password", os.environ.get("NEO4J_PASSWORD")),
                   connection.get("database", os.environ.get("NEO4J_DATABASE", "neo4j")))


def push(model, name: str | None = None, **connection: Any):
    """Store ``model`` under ``name`` (default: from its name) in the graph database; return the ``PushResult``.

    ``connection``: ``uri``, ``user``, ``password``, ``database`` (defaults: ``NEO4J_URI``,
    ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``). Raises a StoreError subclass.
    """
    with _connect(connection) as store:
        return store.push(model, name)


def pull(name: str, **connection: Any):
    """Read the ecosystem stored under ``name`` back as a model (``connection`` as for :func:`push`)."""
    with _connect(connection) as store:
        return store.pull(name)


def to_pyvis(model, **network_options: Any):
    """A ``pyvis.network.Network`` of ``model``: the ecosystem layout, the kind colours and shapes, escaped tooltips.

    ``network_options`` go to ``Network`` (default ``directed=True``, ``height="720px"``,
    ``cdn_resources="in_line"``). Physics is off so the layout stays as placed.
    """
    from pyvis.network import Network

    from .render.layout import ecosystem_layout
    from .render.style import KIND_STYLES, TYPE_STYLES

    kinds = {n.id: n.kind for n in model.nodes}
    rels = model.relationships
    pos = ecosystem_layout(kinds, [(r.source, r.target) for r in rels])
    net = Network(**{"directed": True, "height": "720px", "cdn_resources": "in_line", **network_options})
    for n in model.nodes:
        style = KIND_STYLES[n.kind]
        x, y = pos[n.id]
        tip = f"{n.name} ({style['label']})" + (f"\n{n.description}" if getattr(n, "description", None) else "")
        net.add_node(n.id, label=n.name, title=html.escape(tip), color=style["color"], shape=style["shape"],
                     x=x, y=y, physics=False)
    names = {n.id: n.name for n in model.nodes}
    for r in rels:
        style = TYPE_STYLES[r.type]
        tip = f"{names[r.source]} {style['label']} {names[r.target]}"
        net.add_edge(r.source, r.target, title=html.escape(tip),
                     color=style["color"], dashes=style["dashes"])
    net.toggle_physics(False)
    return net
