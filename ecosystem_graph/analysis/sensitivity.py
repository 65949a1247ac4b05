"""How sure the headline figures are: Monte Carlo over the ranged assumptions, tornado swings, Sobol indices.

Every ranged value of a model (``{low, base, high}``) is an :class:`Assumption`-like record. The headline
figures (ecosystem and core revenue, revenue per offering, net per actor, revenue at risk of the top
keystones, the average and each segment's lock-in index, each funnel's conversion, expected converted and revenue per
entrant) are computed for many draws of those values at once, without re-running the analyses per draw:

- money figures are linear in the payment amounts once the structure is fixed (which payments are
  ecosystem revenue, which a keystone's removal stops, which stage of a funnel brings them), so each
  draw's figures are the base figures plus ``(amounts - base amounts) @ coefficients``; the amounts of
  linked payments (``share_of``) follow their flow in every draw;
- a lock-in index moves with its segment's cut (the sum of its switching costs) and the switching-cost
  reference (the largest cost on the money scale), both recomputed per draw as arrays;
- each varying funnel's absorbing chain is solved for all draws together by numpy's stacked ``inv``.

Every figure is anchored to :func:`ecosystem_graph.analysis.analyze`: the draw's value is the analysed
base figure plus ``f(draw) - f(base)``, so a draw at the base values gives the analysed figures to the
last bit. The formulas are in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace as _replace
from typing import Any, Callable, Iterable, Sequence

import networkx as nx
import numpy as np

from ..errors import AnalysisError, UsageError
from ..tables import Table
from ..model import CORE, EXTERNAL_KINDS, OFFERING_KINDS, Assumption
from .binding import BindingIndex, edge_list
from .funnel import stage_visits

__all__ = ["SENSITIVITY_SECTIONS", "DISTRIBUTIONS", "TOP_KEYSTONES", "TORNADO_TOP", "CHUNK_ROWS", "Figure",
           "FigureStats", "TornadoBar", "SobolIndex", "SensitivityResult", "SensitivityEngine",
           "parse_sections", "assumption_kind", "assumption_records", "sample_values", "quantile_values",
           "MAX_SOBOL_BYTES", "sobol_base_samples", "sobol_memory", "sobol_max_draws", "sensitivity"]

SENSITIVITY_SECTIONS = ("revenue", "keystones", "lockin", "funnel")
"""The groups of headline figures ``--only`` picks from."""

DISTRIBUTIONS = ("pert", "triangular", "uniform")
"""How a ranged value is drawn between its low and high (``pert``, the default, peaks at the base)."""

TOP_KEYSTONES = 5
"""The keystones (by removal impact at the base values) whose revenue at risk is a headline figure."""

TORNADO_TOP = 5
"""Assumptions listed per figure in the tornado table (JSON holds every one that moves the figure)."""

CHUNK_ROWS = 2048
"""Draws evaluated together: bounds the memory of the per-draw arrays (draws x varying figures)."""

MAX_SOBOL_BYTES = 2_000_000_000
"""The most memory (bytes, by :func:`sobol_memory`'s estimate) one Sobol analysis may take: 2 GB, which also
bounds its time (about 3 minutes for the Amazon example's largest sample within it, ``--draws 65536``)."""

_PROPERTIES = {"PAYS": ("amount", "count", "price", "share"), "USES": ("switching_cost", "share"),
               "FEEDS": ("strength",), "REACHES": ("reach",), "DEPENDS_ON": ("criticality",),
               "CONVERTS_TO": ("rate",)}


def parse_sections(only: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"lockin,revenue"`` -> ``("revenue", "lockin")`` (canonical order); UsageError on unknown names.

    >>> parse_sections("funnel, revenue")
    ('revenue', 'funnel')
    """
    if only is None:
        return SENSITIVITY_SECTIONS
    names = [x.strip() for x in (only.split(",") if isinstance(only, str) else only) if x.strip()]
    for name in names:
        if name not in SENSITIVITY_SECTIONS:
            raise UsageError(f"unknown section '{name}' in --only; expected some of {', '.join(SENSITIVITY_SECTIONS)}")
    if not names:
        raise UsageError(f"--only needs at least one of {', '.join(SENSITIVITY_SECTIONS)}")
    return tuple(s for s in SENSITIVITY_SECTIONS if s in names)


# ----------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class _Record(Assumption):
    """One checked ranged value: an :class:`ecosystem_graph.model.Assumption` (``type`` None where a dict
    gave none), written out with its ends as ``from`` and ``to``."""

    def to_dict(self) -> dict:
        return {"label": self.label, "owner": self.owner, "key": self.key, "from": self.source, "to": self.target,
                "type": self.type, "property": self.property, "low": self.low, "base": self.base,
                "high": self.high, "dist": self.dist}


def assumption_records(assumptions: Iterable[Any]) -> list[_Record]:
    """The assumptions (objects with the fields of ``Assumption``, or dicts) as checked records.

    >>> r = assumption_records([{"owner": "relationship", "key": "subs", "source": "fans", "target": "shop",
    ...     "type": "PAYS", "property": "amount", "low": 8, "base": 10, "high": 15}])[0]
    >>> r.dist, r.label
    ('pert', 'subs amount')
    """
    out = []
    for a in assumptions:
        get = a.get if isinstance(a, dict) else (lambda name, default=None, a=a: getattr(a, name, default))
        owner, key, prop = get("owner"), get("key"), get("property")
        low, base, high = float(get("low")), float(get("base")), float(get("high"))
        dist = get("dist") or "pert"
        if dist not in DISTRIBUTIONS:
            raise AnalysisError(f"{key} {prop}: unknown distribution '{dist}'; expected one of {', '.join(DISTRIBUTIONS)}")
        if not (low <= base <= high) or not all(map(math.isfinite, (low, base, high))):
            raise AnalysisError(f"{key} {prop}: the range needs low <= base <= high, not {low:g}, {base:g}, {high:g}")
        label = get("label")
        if not label:
            edge_key = owner != "node" and "#" in str(key)  # TYPE#n: no id of its own, named by its ends
            label = f"{get('source')}->{get('target')} {prop}" if edge_key else f"{key} {prop}"
        out.append(_Record(owner, str(key), get("source"), get("target"), get("type"), prop, low, base, high,
                           dist, label))
    # labels name the assumptions in every table: make them unique
    seen: dict[str, int] = {}
    for i, r in enumerate(out):
        n = seen[r.label] = seen.get(r.label, 0) + 1
        if n > 1:
            out[i] = _replace(r, label=f"{r.label} ({n})")
    return out


# ---------------------------------------------------------------------------------------- sampling


def sample_values(records: Sequence[_Record], draws: int, seed: int = 0) -> np.ndarray:
    """``draws x len(records)`` values drawn independently from each record's distribution, column by
    column from one seeded numpy Generator (the same seed gives the same bits).

    PERT: ``low + (high - low) Beta(1 + 4 (base - low) / (high - low), 1 + 4 (high - base) / (high - low))``;
    triangular: numpy's ``triangular(low, base, high)``; uniform: ``uniform(low, high)``. A record with
    ``low == high`` is that value in every draw.

    >>> recs = assumption_records([{"owner": "node", "key": "fans", "property": "size", "low": 1, "base": 2,
    ...                             "high": 4, "dist": "uniform"}])
    >>> x = sample_values(recs, 1000, seed=1)
    >>> x.shape, bool((x >= 1).all() and (x <= 4).all())
    ((1000, 1), True)
    """
    rng = np.random.default_rng(seed)
    X = np.empty((draws, len(records)))
    for j, r in enumerate(records):
        lo, mode, hi = r.low, r.base, r.high
        if hi <= lo:
            X[:, j] = mode
        elif r.dist == "uniform":
            X[:, j] = rng.uniform(lo, hi, draws)
        elif r.dist == "triangular":
            X[:, j] = rng.triangular(lo, mode, hi, draws)
        else:
            a, b = _pert_shape(lo, mode, hi)
            X[:, j] = lo + (hi - lo) * rng.beta(a, b, draws)
    return X


def _pert_shape(lo: float, mode: float, hi: float) -> tuple[float, float]:
    width = hi - lo
    return 1.0 + 4.0 * (mode - lo) / width, 1.0 + 4.0 * (hi - mode) / width


def quantile_values(records: Sequence[_Record], U: np.ndarray) -> np.ndarray:
    """The values at quantiles ``U`` (``rows x len(records)``, each in 0..1) of each record's distribution
    (the inverse distribution function; the Sobol design is drawn on the unit cube).

    >>> recs = assumption_records([{"owner": "node", "key": "s", "property": "size", "low": 0, "base": 5,
    ...                             "high": 10, "dist": "triangular"}])
    >>> quantile_values(recs, np.array([[0.5], [0.125]])).ravel().tolist()
    [5.0, 2.5]
    """
    from scipy import stats

    X = np.empty(U.shape)
    for j, r in enumerate(records):
        lo, mode, hi, u = r.low, r.base, r.high, U[:, j]
        if hi <= lo:
            X[:, j] = mode
        elif r.dist == "uniform":
            X[:, j] = lo + (hi - lo) * u
        elif r.dist == "triangular":
            c = (mode - lo) / (hi - lo)
            X[:, j] = np.where(u < c, lo + np.sqrt(u * (hi - lo) * (mode - lo)),
                               hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)))
        else:
            a, b = _pert_shape(lo, mode, hi)
            X[:, j] = lo + (hi - lo) * stats.beta.ppf(u, a, b)
    return X


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Figure:
    """A headline figure: its section, its name (unique), its kind (``ecosystem_graph.numbers.KINDS``)."""

    section: str
    name: str
    kind: str
    subject: str | None = None  # the node it is about (offering, actor, keystone, segment, funnel entry)


@dataclass
class FigureStats:
    """A figure's base value (what ``analyze`` gives) and its distribution over the draws."""

    figure: Figure
    base: float
    mean: float
    p10: float
    p50: float
    p90: float

    @property
    def varies(self) -> bool:
        return not (self.p10 == self.p90 == self.base)

    def to_dict(self) -> dict:
        return {"section": self.figure.section, "figure": self.figure.name, "kind": self.figure.kind,
                "subject": self.figure.subject, "base": self.base, "mean": self.mean, "p10": self.p10,
                "p50": self.p50, "p90": self.p90}


@dataclass
class TornadoBar:
    """One assumption set to its low and to its high, every other at base: the figure at each end."""

    assumption: str  # the assumption's label
    low: float  # the assumption's low and high
    high: float
    at_low: float  # the figure with the assumption at its low
    at_high: float

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)

    def to_dict(self) -> dict:
        return {"assumption": self.assumption, "low": self.low, "high": self.high, "at_low": self.at_low,
                "at_high": self.at_high, "swing": self.swing}


@dataclass
class SobolIndex:
    """First-order (``s1``) and total (``st``) Sobol index of one assumption for one figure, with the
    half-widths of their 95% confidence intervals (bootstrap, SALib)."""

    assumption: str
    s1: float
    s1_conf: float
    st: float
    st_conf: float

    def to_dict(self) -> dict:
        return {"assumption": self.assumption, "s1": self.s1, "s1_conf": self.s1_conf, "st": self.st,
                "st_conf": self.st_conf}


@dataclass
class SensitivityResult:
    """What :func:`sensitivity` found: per headline figure its base, mean and P10/P50/P90, a tornado
    (bars ranked by swing, only assumptions that move the figure) and, when asked, Sobol indices."""

    model: dict = field(default_factory=dict)
    sections: tuple = SENSITIVITY_SECTIONS
    draws: int = 0
    seed: int = 0
    assumptions: list = field(default_factory=list)  # the records
    figures: list[FigureStats] = field(default_factory=list)
    tornado: dict[str, list[TornadoBar]] = field(default_factory=dict)  # figure name -> bars
    sobol: dict[str, list[SobolIndex]] | None = None  # figure name -> one index per assumption
    sobol_samples: int | None = None  # N, the base sample of the Saltelli design
    sobol_runs: int | None = None  # N x (assumptions + 2) evaluations

    def by_name(self) -> dict[str, FigureStats]:
        return {f.figure.name: f for f in self.figures}

    def to_dict(self) -> dict:
        """The JSON document of ``ecograph sensitivity --format json``."""
        out: dict[str, Any] = {"model": self.model, "sections": list(self.sections), "draws": self.draws,
                               "seed": self.seed, "assumptions": [a.to_dict() for a in self.assumptions],
                               "figures": [f.to_dict() for f in self.figures],
                               "tornado": {k: [b.to_dict() for b in v] for k, v in self.tornado.items()}}
        if self.sobol is not None:
            out["sobol"] = {"samples": self.sobol_samples, "runs": self.sobol_runs, "confidence": 0.95,
                            "indices": {k: [s.to_dict() for s in v] for k, v in self.sobol.items()}}
        return out

    def tables(self, top: int | None = None) -> list[Table]:
        """Figures, tornado, Sobol indices and the assumptions as tables (terminal, CSV, Markdown);
        ``top``: figures listed per table at most (every varying figure first)."""
        from functools import partial

        T = partial(Table, currency=self.model.get("currency") or "", money_unit=self.model.get("money_unit"))
        ranked = [f for f in self.figures if f.varies] + [f for f in self.figures if not f.varies]
        shown = ranked[:top] if top is not None else ranked
        rows = [[f.figure.section, f.figure.name, f.base, f.mean, f.p10, f.p50, f.p90] for f in shown]
        note = (f"{self.draws:,} draws, seed {self.seed}; 80% of the draws lie between P10 and P90, half below P50")
        if top is not None and len(ranked) > top:
            note += f"; top {top} of {len(ranked):,} figures (those that vary first)"
        out = [T("How sure are these numbers", ["section", "figure", "base", "mean", "P10", "P50", "P90"], rows,
                 note, kinds=["text", "text", "number", "number", "number", "number", "number"],
                 row_kinds=[f.figure.kind for f in shown])]
        kinds = {f.figure.name: f.figure.kind for f in self.figures}
        value_kinds = {a.label: assumption_kind(a.property) for a in self.assumptions}
        t_rows, t_kinds, v_kinds = [], [], []
        for f in shown:
            for rank, b in enumerate(self.tornado.get(f.figure.name, [])[:TORNADO_TOP], 1):
                t_rows.append([f.figure.name, rank, b.assumption, b.low, b.high, b.at_low,
                               b.at_high, b.swing])
                t_kinds.append(kinds[f.figure.name])
                v_kinds.append(value_kinds.get(b.assumption, "number"))
        out.append(T("Tornado: which assumption moves each figure",
                     ["figure", "rank", "assumption", "assumption low", "assumption high", "figure at low",
                      "figure at high", "swing"], t_rows,
                     f"each assumption at its low and at its high, every other at its base; the top {TORNADO_TOP} "
                     f"by swing per figure", kinds=["text", "count", "text", "number", "number", "number", "number",
                                                    "number"], row_kinds=t_kinds,
                     cell_kinds={3: v_kinds, 4: v_kinds}))
        if self.sobol is not None:
            s_rows = []
            for f in shown:
                # an assumption that does not move the figure gets exactly 0 from both estimators: not listed
                moving = [s for s in self.sobol.get(f.figure.name, []) if s.s1 != 0 or s.st != 0]
                for s in sorted(moving, key=lambda s: -s.st)[:TORNADO_TOP]:
                    s_rows.append([f.figure.name, s.assumption, s.s1, s.s1_conf, s.st, s.st_conf])
            out.append(T("Sobol indices: the share of each figure's variance due to each assumption",
                         ["figure", "assumption", "first-order", "± (95% CI)", "total", "± (95% CI)"], s_rows,
                         f"Saltelli design, N = {self.sobol_samples:,} (runs = N x (assumptions + 2) = "
                         f"{self.sobol_runs:,}); first-order: the assumption alone, total: with its interactions; "
                         f"top {TORNADO_TOP} by total per figure",
                         kinds=["text", "text", "number", "number", "number", "number"]))
        out.append(T("Assumptions (ranged values)", ["assumption", "low", "base", "high", "distribution"],
                     [[a.label, a.low, a.base, a.high, a.dist] for a in self.assumptions],
                     kinds=["text", "number", "number", "number", "text"],
                     row_kinds=[value_kinds[a.label] for a in self.assumptions]))
        return out


_MONEY_PROPERTIES = frozenset({"amount", "price"})
_SHARE_PROPERTIES = frozenset({"share", "rate", "reach"})
_COUNT_PROPERTIES = frozenset({"count", "size"})


def assumption_kind(prop: str) -> str:
    """The kind of figure (:data:`ecosystem_graph.numbers.KINDS`) an assumption's values are written as:
    money for amounts and prices, a percentage for shares, rates and reach, a count for counts and sizes,
    a plain 0..1 score otherwise (strength, criticality, switching cost).

    >>> assumption_kind("amount"), assumption_kind("share"), assumption_kind("size"), assumption_kind("strength")
    ('money', 'share', 'count', 'number')
    """
    if prop in _MONEY_PROPERTIES:
        return "money"
    if prop in _SHARE_PROPERTIES:
        return "share"
    if prop in _COUNT_PROPERTIES:
        return "count"
    return "number"


# ------------------------------------------------------------------------------------------- engine


class SensitivityEngine:
    """The structure of the headline figures of ``G``, compiled once; :meth:`evaluate` gives the varying
    figures for any matrix of assumption values (rows: draws, columns: the records, in order).

    ``figures``: every headline figure of the sections, ``base``: its value from the analyses (those of
    :func:`~ecosystem_graph.analysis.analyze`), ``varying``: positions of the figures that any record can
    move (the others equal their base in every draw).
    """

    def __init__(self, G: nx.MultiDiGraph, records: Sequence[_Record], *, sections=SENSITIVITY_SECTIONS,
                 depth: int = 4, max_paths: int = 50, top_keystones: int = TOP_KEYSTONES) -> None:
        from . import funnel as funnel_mod, keystones as keystones_mod, lockin as lockin_mod, revenue as revenue_mod

        self.G, self.records, self.sections = G, list(records), tuple(sections)
        self.base_row = np.array([r.base for r in self.records], dtype=float)
        self.depth, self.max_paths = depth, max_paths
        edges = edge_list(G)
        self.edges = edges
        index = BindingIndex(G, depth=depth, max_paths=max_paths, edges=edges)
        self.index = index
        need = set(self.sections)
        rev = revenue_mod.revenue_flows(G, index=index) if need & {"revenue", "funnel"} else None
        lk = lockin_mod.lockin(G, index=index) if need & {"lockin", "keystones"} else None
        ks = keystones_mod.keystones(G, index=index, lockin_result=lk) if "keystones" in need else None
        fr = funnel_mod.funnel(G, edges=edges) if "funnel" in need else None
        self.lockin_result, self.funnel_result = lk, fr

        # where each record sits
        self._edge_col: dict[tuple, dict[str, int]] = {}
        self._node_col: dict[str, dict[str, int]] = {}
        for j, r in enumerate(self.records):
            if r.owner == "node":
                if r.key not in G:
                    raise AnalysisError(f"{r.label}: ranged value of unknown node '{r.key}'")
                self._node_col.setdefault(r.key, {})[r.property] = j
            else:
                # TYPE#n keys are unique only per node pair: the edge is (source, target, key)
                if r.source is None or r.target is None or not G.has_edge(r.source, r.target, r.key):
                    raise AnalysisError(f"{r.label}: ranged value of unknown relationship '{r.key}'")
                self._edge_col.setdefault((r.source, r.target, r.key), {})[r.property] = j

        self.figures: list[Figure] = []
        base: list[float] = []

        def add(fig: Figure, value) -> int:
            self.figures.append(fig)
            base.append(float(value))
            return len(self.figures) - 1

        kind = index.kind
        # ---- money: the payments' amounts per draw, the figures linear in them
        self._compile_payments(index)
        n_var = len(self._var_pays)
        money_cols: list[tuple[int, list[tuple[int, float]]]] = []  # figure position, [(varying payment, coef)]
        pay_pos = {p: i for i, p in enumerate(self._var_pays)}
        pays = self._pays
        if "revenue" in need:
            terms_rev, terms_core, terms_off, terms_net = [], [], {}, {}
            for p in self._var_pays:
                u, v = pays[p][0], pays[p][1]
                i = pay_pos[p]
                terms_net.setdefault(u, []).append((i, -1.0))
                terms_net.setdefault(v, []).append((i, 1.0))
                if self._is_revenue[p]:
                    terms_rev.append((i, 1.0))
                    terms_off.setdefault(v, []).append((i, 1.0))
                    if kind.get(v) == CORE:
                        terms_core.append((i, 1.0))
            money_cols.append((add(Figure("revenue", "ecosystem revenue", "money"), rev.ecosystem_revenue), terms_rev))
            money_cols.append((add(Figure("revenue", "core revenue", "money"), rev.core_revenue), terms_core))
            for n, a in rev.revenue_by_offering.items():
                money_cols.append((add(Figure("revenue", f"revenue of {n}", "money", n), a), terms_off.get(n, [])))
            for nf in rev.nodes:
                money_cols.append((add(Figure("revenue", f"net of {nf.id}", "money", nf.id), nf.net),
                                   terms_net.get(nf.id, [])))
        if "keystones" in need:
            top = ks.nodes[:top_keystones]
            stops = {p: self._stop_set(p) for p in self._var_pays if self._is_revenue[p]}
            for k in top:
                terms = [(pay_pos[p], 1.0) for p, s in stops.items() if k.id in s]
                money_cols.append((add(Figure("keystones", f"revenue at risk without {k.id}", "money", k.id),
                                       k.revenue_at_risk), terms))
        self._money = [(f, t) for f, t in money_cols if t]
        self._money_coef = np.zeros((n_var, len(self._money)))
        for c, (_, terms) in enumerate(self._money):
            for i, coef in terms:
                self._money_coef[i, c] += coef

        # ---- lock-in
        self._lockin_parts: list = []  # (figure, segment position or id)
        self._lockin_mean: tuple | None = None  # (figure, number of segments) of the average index
        if "lockin" in need:
            self._compile_lockin(lk, add)
        # ---- funnels
        self._funnels: list = []
        if "funnel" in need and fr is not None:
            self._compile_funnels(fr, add)

        self.base = np.array(base, dtype=float)
        varying = [f for f, _ in self._money] + [f for f, _ in self._lockin_parts] + \
                  ([self._lockin_mean[0]] if self._lockin_mean and self._lockin_parts else []) + \
                  [f for spec in self._funnels for f, _ in spec["figs"]]
        self.varying = np.array(sorted(set(varying)), dtype=np.intp)
        self._slot = {f: i for i, f in enumerate(self.varying.tolist())}

    # -------------------------------------------------------------------------------- payments

    def _compile_payments(self, index: BindingIndex) -> None:
        kind = index.kind
        pays = index.by_type.get("PAYS", [])
        self._pays = pays
        amounts, _, _ = index.pays_columns()
        self._amounts = [float(a) for a in amounts]

        self._is_revenue = [kind.get(u) in EXTERNAL_KINDS and kind.get(v) in OFFERING_KINDS for u, v, _, _ in pays]
        self._pay_id = {d["id"]: i for i, (_, _, _, d) in enumerate(pays) if d.get("id") is not None}
        self._pay_props: dict[int, dict[str, int]] = {}
        for i, (u, v, k, _) in enumerate(pays):
            cols = self._edge_col.get((u, v, k))
            if cols:
                self._pay_props[i] = cols
        children: dict[int, list[int]] = {}
        for i, (_, _, _, d) in enumerate(pays):
            parent = self._pay_id.get(d.get("share_of")) if d.get("share_of") is not None else None
            if parent is not None:
                children.setdefault(parent, []).append(i)
        varying, queue = set(self._pay_props), list(self._pay_props)
        while queue:
            for c in children.get(queue.pop(), []):
                if c not in varying:
                    varying.add(c)
                    queue.append(c)
        self._var_pays = sorted(varying)

    def _amount(self, i: int, X: np.ndarray, memo: dict):
        """Payment ``i``'s amount in each row of ``X`` (a float when it does not vary)."""
        if i in memo:
            return memo[i]
        d = self._pays[i][3]
        cols = self._pay_props.get(i, {})

        def value(prop: str):
            j = cols.get(prop)
            return X[:, j] if j is not None else float(d.get(prop) or 0.0)

        if d.get("share_of") is not None:
            parent = self._pay_id.get(d["share_of"])
            out = value("share") * (self._amount(parent, X, memo) if parent is not None else 0.0)
        elif d.get("count") is not None and d.get("price") is not None:
            # count x price is the money; a ranged count or price alone (without the other) moves none
            out = value("count") * value("price") if ("count" in cols or "price" in cols) else self._amounts[i]
        elif "amount" in cols:
            out = X[:, cols["amount"]]
        else:
            out = self._amounts[i]
        memo[i] = out
        return out

    def _payment_deltas(self, X: np.ndarray) -> np.ndarray:
        """``rows x varying payments``: each varying payment's amount minus its amount at the base values."""
        memo: dict = {}
        base_memo: dict = {}
        xb = self.base_row[None, :]
        D = np.empty((len(X), len(self._var_pays)))
        for c, p in enumerate(self._var_pays):
            D[:, c] = self._amount(p, X, memo) - self._amount(p, xb, base_memo)
        return D

    def _stop_set(self, i: int, memo: dict | None = None) -> set:
        """The nodes whose removal stops payment ``i`` (the rule of the keystones' revenue at risk)."""
        memo = {} if memo is None else memo
        if i in memo:
            return memo[i]
        index = self.index
        u, v, _, d = self._pays[i]
        hit = {u, v}
        if d.get("share_of") is not None:
            doms = index.payee_dominators(u, v)
            if doms:
                hit |= set(doms)
            parent = self._pay_id.get(d["share_of"])
            if parent is not None:
                hit |= self._stop_set_any(parent, memo)
        elif v in index.cores_set or u in index.reaching(v):
            doms = index.payee_dominators(u, v)
            if doms:
                hit |= set(doms)
        memo[i] = hit
        return hit

    def _stop_set_any(self, i: int, memo: dict) -> set:
        # a share_of parent: its payer, payee and dominators, and its own parent's (as the keystones do)
        if ("any", i) in memo:
            return memo[("any", i)]
        u, v, _, d = self._pays[i]
        hit = {u, v}
        doms = self.index.payee_dominators(u, v)
        if doms:
            hit |= set(doms)
        parent = self._pay_id.get(d.get("share_of")) if d.get("share_of") is not None else None
        if parent is not None:
            hit |= self._stop_set_any(parent, memo)
        memo[("any", i)] = hit
        return hit

    # --------------------------------------------------------------------------------- lock-in

    def _compile_lockin(self, lk, add) -> None:
        self._lockin_naive = lk.method != "closed-form" or lk.columns is None
        index = self.index
        ranged_uses = {e: cols["switching_cost"] for e, cols in self._edge_col.items()
                       if "switching_cost" in cols and self.G.edges[e].get("type") == "USES"}
        if lk.segments:
            # the report's "Average lock-in" tile: the mean of every segment's index (each draw: the base mean
            # plus the moved segments' changes over all segments)
            mean = add(Figure("lockin", "average lock-in index", "index"),
                       sum(s.index for s in lk.segments) / len(lk.segments))
            if ranged_uses:
                self._lockin_mean = (mean, len(lk.segments))
        if self._lockin_naive:
            for s in lk.segments:
                f = add(Figure("lockin", f"lock-in index of {s.id}", "index", s.id), s.index)
                if ranged_uses:
                    self._lockin_parts.append((f, s.id))
            self._ranged_uses = ranged_uses
            return
        st = lk.columns.steps
        values = lk.columns.index
        figs = [add(Figure("lockin", f"lock-in index of {s}", "index", s), v) for s, v in zip(st.segments, values.tolist())]
        if not ranged_uses:
            return
        # the reference: the largest switching cost when any is over 1 (the money scale), else 1
        uses = index.by_type.get("USES", [])
        fixed = [float(d.get("switching_cost")) for u, v, k, d in uses
                 if (u, v, k) not in ranged_uses and d.get("switching_cost") is not None]
        self._ref_fixed = max(fixed, default=0.0)
        self._ref_cols = np.array(sorted(ranged_uses.values()), dtype=np.intp)
        highs = max(self.records[j].high for j in ranged_uses.values())
        self._ref_varies = highs > max(1.0, self._ref_fixed)
        rows = [(r, ranged_uses[(s, v, k)]) for r, (s, v, k, _) in enumerate(st.rows) if (s, v, k) in ranged_uses]
        seg = st.seg
        self._cut_base = np.asarray(st.cut, dtype=float)
        self._cut_terms = [(int(seg[r]), j, float(st.cost[r])) for r, j in rows]
        moved = {int(seg[r]) for r, _ in rows}
        if self._ref_varies:
            moved |= set(np.flatnonzero(np.asarray(st.count) > 0).tolist())
        self._lockin_parts = [(figs[i], i) for i in sorted(moved)]

    def _lockin_values(self, X: np.ndarray) -> np.ndarray:
        """``rows x len(_lockin_parts)``: ``f(X) - f(base)`` of each moved segment's index."""
        if self._lockin_naive:
            return self._lockin_naive_values(X)
        positions = [i for _, i in self._lockin_parts]
        slot = {i: c for c, i in enumerate(positions)}

        def f(X):
            cut = np.tile(self._cut_base[positions], (len(X), 1))
            for s, j, cost in self._cut_terms:
                cut[:, slot[s]] += X[:, j] - cost
            top = np.maximum(self._ref_fixed, X[:, self._ref_cols].max(axis=1))
            ref = np.where(top > 1.0, top, 1.0)[:, None]
            return 50.0 * np.minimum(1.0, cut / ref)

        return f(X) - f(self.base_row[None, :])

    def _lockin_naive_values(self, X: np.ndarray) -> np.ndarray:
        # outside the model's rules (a hand-made graph): the lock-in analysis per draw
        from .lockin import lockin

        def f(row):
            H = self.G.copy()
            for e, j in self._ranged_uses.items():
                H.edges[e]["switching_cost"] = float(row[j])
            by = lockin(H, depth=self.depth, max_paths=self.max_paths).by_id()
            return [by[s].index for _, s in self._lockin_parts]

        base = np.array(f(self.base_row))
        return np.array([f(row) for row in X]).reshape(len(X), -1) - base

    # --------------------------------------------------------------------------------- funnels

    def _compile_funnels(self, fr, add) -> None:

        G = self.G
        # each stage's revenue: payments into offerings whose share_of chain starts at the stage
        kind = self.index.kind
        stage_terms: dict[str, list[int]] = {}  # stage -> varying payment slots
        var_slot = {p: c for c, p in enumerate(self._var_pays)}
        stage_paid: dict[str, float] = {}
        for i, (u, v, _, d) in enumerate(self._pays):
            if kind.get(v) not in OFFERING_KINDS:
                continue
            payer, link, seen = u, d.get("share_of"), set()
            while link in self._pay_id and link not in seen:
                seen.add(link)
                root = self._pays[self._pay_id[link]]
                payer, link = root[0], root[3].get("share_of")
            stage_paid[payer] = stage_paid.get(payer, 0.0) + self._amounts[i]
            if i in var_slot:
                stage_terms.setdefault(payer, []).append(var_slot[i])
        out_of: dict[str, list] = {}  # stage -> its CONVERTS_TO, model order
        for u, v, k, d in self.edges:
            if d.get("type") == "CONVERTS_TO":
                out_of.setdefault(u, []).append((u, v, k, d))
        for f in fr.funnels:
            stages = [s.id for s in f.stages]
            at = {s: i for i, s in enumerate(stages)}
            steps = [(at[u], at[v], self._edge_col.get((u, v, k), {}).get("rate"), float(d.get("rate") or 0.0))
                     for s in stages for u, v, k, d in out_of.get(s, ()) if v in at]
            sizes = [(self._node_col.get(s, {}).get("size"), float(G.nodes[s].get("size") or 0)) for s in stages]
            paid = [(stage_terms.get(s, []), stage_paid.get(s, 0.0)) for s in stages]
            figs = [(add(Figure("funnel", f"conversion from {f.entry}", "share", f.entry), f.conversion), "conversion"),
                    (add(Figure("funnel", f"expected converted from {f.entry}", "count", f.entry),
                         f.expected_converted), "converted")]
            if f.revenue_per_entrant is not None:
                figs.append((add(Figure("funnel", f"revenue per entrant of {f.entry}", "money", f.entry),
                                 f.revenue_per_entrant), "per_entrant"))
            moves_rates = any(j is not None for _, _, j, _ in steps)
            moves_sizes = any(j is not None for j, _ in sizes)
            moves_paid = any(t for t, _ in paid)
            keep = [(fig, what) for fig, what in figs
                    if moves_rates or (what != "conversion" and moves_sizes) or (what == "per_entrant" and moves_paid)]
            if not keep:
                continue
            has_out = [False] * len(stages)
            for a, _, _, _ in steps:
                has_out[a] = True
            entries = [at[f.entry]] + [i for i, s in enumerate(f.stages) if s.entry and s.id != f.entry]
            self._funnels.append({"n": len(stages), "steps": steps, "sizes": sizes, "paid": paid, "figs": keep,
                                  "transient": [i for i in range(len(stages)) if has_out[i]],
                                  "finals": [i for i in range(len(stages)) if not has_out[i]],
                                  "entries": entries, "entry": f.entry})

    def _funnel_figures(self, spec: dict, X: np.ndarray, D: np.ndarray) -> dict[str, np.ndarray]:
        rows, n = len(X), spec["n"]
        transient, finals = spec["transient"], spec["finals"]
        ti = {s: i for i, s in enumerate(transient)}
        fi = {s: i for i, s in enumerate(finals)}
        Q = np.zeros((rows, len(transient), len(transient)))
        R = np.zeros((rows, len(transient), len(finals)))
        for a, b, j, rate in spec["steps"]:
            r = X[:, j] if j is not None else rate
            if b in ti:
                Q[:, ti[a], ti[b]] += r
            else:
                R[:, ti[a], fi[b]] += r
        try:
            N = np.linalg.inv(np.eye(len(transient))[None, :, :] - Q)
        except np.linalg.LinAlgError:
            raise AnalysisError(f"the funnel from '{spec['entry']}' loops with no way out in some draw; lower the "
                                f"high of a rate in the loop") from None
        B = N @ R

        def visits(e: int) -> np.ndarray:
            return stage_visits(N, B, transient, finals, ti, n, e)

        size = np.column_stack([X[:, j] if j is not None else np.full(rows, s) for j, s in spec["sizes"]])
        entry = spec["entries"][0]
        v_entry = visits(entry)
        expected = np.zeros((rows, n))
        for e in spec["entries"]:
            expected += size[:, e:e + 1] * (v_entry if e == entry else visits(e))
        paid = np.column_stack([base + D[:, terms].sum(axis=1) if terms else np.full(rows, base)
                                for terms, base in spec["paid"]])
        per_member = np.divide(paid, size, out=np.zeros_like(paid), where=size > 0)
        visited = v_entry > 0
        return {"conversion": B[:, ti[entry], :].sum(axis=1) if entry in ti else np.ones(rows),
                "converted": expected[:, finals].sum(axis=1),
                "per_entrant": np.where(visited, v_entry * per_member, 0.0).sum(axis=1)}

    # -------------------------------------------------------------------------------- evaluate

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """``rows x len(varying)``: the varying figures (``figures[varying]``) for each row of values ``X``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        out = np.empty((len(X), len(self.varying)))
        for a in range(0, len(X), CHUNK_ROWS):
            out[a:a + CHUNK_ROWS] = self._evaluate_chunk(X[a:a + CHUNK_ROWS])
        return out

    def _evaluate_chunk(self, X: np.ndarray) -> np.ndarray:
        out = np.tile(self.base[self.varying], (len(X), 1))
        slot = self._slot
        D = self._payment_deltas(X) if self._var_pays else np.zeros((len(X), 0))
        if self._money:
            delta = D @ self._money_coef
            for c, (f, _) in enumerate(self._money):
                out[:, slot[f]] += delta[:, c]
        if self._lockin_parts:
            delta = self._lockin_values(X)
            for c, (f, _) in enumerate(self._lockin_parts):
                out[:, slot[f]] += delta[:, c]
            if self._lockin_mean is not None:
                f, segments = self._lockin_mean
                out[:, slot[f]] += delta.sum(axis=1) / segments
        if self._funnels:
            xb = self.base_row[None, :]
            Db = np.zeros((1, D.shape[1]))
            for spec in self._funnels:
                now, then = self._funnel_figures(spec, X, D), self._funnel_figures(spec, xb, Db)
                for f, what in spec["figs"]:
                    out[:, slot[f]] += now[what] - then[what]
        return out

    def evaluate_all(self, X: np.ndarray) -> np.ndarray:
        """``rows x len(figures)``: every figure (the constant ones at their base) for each row of ``X``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        out = np.tile(self.base, (len(X), 1))
        out[:, self.varying] = self.evaluate(X)
        return out


# ------------------------------------------------------------------------------------------ driver


def sobol_base_samples(draws: int) -> int:
    """The Saltelli base sample N for ``draws``: the power of two at or above it (at least 64).

    >>> sobol_base_samples(2000), sobol_base_samples(10)
    (2048, 64)
    """
    return 1 << max(6, math.ceil(math.log2(max(1, draws))))


def sobol_memory(draws: int, assumptions: int, figures: int) -> int:
    """Estimated bytes one Sobol analysis holds at its peak: ``8 x (runs x (2 x assumptions + figures)) +
    7,000 x N``, with ``N`` = :func:`sobol_base_samples` and ``runs = N x (assumptions + 2)``; ``figures``: the
    figures some range moves. Per run: the Saltelli point on the unit cube and mapped to values, and each
    figure; per base sample: SALib's bootstrap (100 resamples of N rows, a few arrays of them at once,
    measured at about 6,500 bytes).

    >>> sobol_memory(2000, 2, 6)  # N = 2048: 2,048 x 4 runs x (4 + 6) x 8 + 7,000 x 2,048
    14991360
    """
    n = sobol_base_samples(draws)
    return 8 * n * (assumptions + 2) * (2 * assumptions + figures) + 7000 * n


def sobol_max_draws(assumptions: int, figures: int) -> int | None:
    """The largest ``--draws`` whose Sobol analysis stays within :data:`MAX_SOBOL_BYTES` (a power of two: any
    draws above it round up to the next); None when even the smallest sample (64) is over it.

    >>> sobol_max_draws(2, 6)  # 2e9 / (8 x 4 x 10 + 7,000 = 7,320 bytes per N) = 273,224: 2^18 below
    262144
    """
    per_n = sobol_memory(64, assumptions, figures) // 64
    most = MAX_SOBOL_BYTES // per_n
    return None if most < 64 else 1 << (most.bit_length() - 1)


def _check_sobol_memory(draws: int, assumptions: int, figures: int) -> None:
    """UsageError when the Sobol analysis of ``draws`` would take more than :data:`MAX_SOBOL_BYTES`."""
    need = sobol_memory(draws, assumptions, figures)
    if need <= MAX_SOBOL_BYTES:
        return
    n = sobol_base_samples(draws)
    fits = sobol_max_draws(assumptions, figures)
    head = (f"--sobol with --draws {draws} needs {n:,} x ({assumptions:,} assumptions + 2) = "
            f"{n * (assumptions + 2):,} model runs and about {need / 1e9:,.1f} GB of memory, above the limit of "
            f"{MAX_SOBOL_BYTES / 1e9:g} GB")
    raise UsageError(f"{head}; use --draws {fits} or fewer" if fits else
                     f"{head} even at the smallest sample (64); leave --sobol out or give fewer values as ranges")


def sensitivity(G_or_model, *, draws: int = 2000, seed: int = 0, only=None, sobol: bool = False,
                progress: Callable[[int, int], None] | None = None, assumptions: Iterable[Any] | None = None,
                depth: int = 4, max_paths: int = 50, top_keystones: int = TOP_KEYSTONES) -> SensitivityResult:
    """Monte Carlo, tornado and (``sobol=True``) Sobol indices of the headline figures over the ranged values.

    ``G_or_model``: an :class:`~ecosystem_graph.model.Ecosystem` or its graph; ``assumptions``: the ranged
    values (default: the model's, ``G.graph["assumptions"]``); ``only``: sections among
    :data:`SENSITIVITY_SECTIONS`; ``progress(done, total)`` is called as the draws are evaluated.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(currency="EUR")
    >>> G.add_node("shop", kind="core", name="Shop"); G.add_node("fans", kind="segment", name="Fans")
    >>> _ = G.add_edge("fans", "shop", key="subs", id="subs", type="PAYS", amount=100.0)
    >>> r = sensitivity(G, draws=500, assumptions=[{"owner": "relationship", "key": "subs", "source": "fans",
    ...     "target": "shop", "type": "PAYS", "property": "amount", "low": 80, "base": 100, "high": 130,
    ...     "dist": "uniform"}], only="revenue")
    >>> f = r.by_name()["ecosystem revenue"]
    >>> f.base, 80 <= f.p10 < f.p50 < f.p90 <= 130, r.tornado["ecosystem revenue"][0].swing
    (100.0, True, 50.0)
    """
    if draws < 1:
        raise UsageError(f"--draws must be at least 1, not {draws}")
    sections = parse_sections(only)
    if isinstance(G_or_model, nx.Graph):
        G = G_or_model
    else:
        from ..graph import to_networkx

        G = to_networkx(G_or_model)
    if assumptions is None:
        assumptions = G.graph.get("assumptions") or []
    records = assumption_records(assumptions)
    engine = SensitivityEngine(G, records, sections=sections, depth=depth, max_paths=max_paths,
                               top_keystones=top_keystones)
    K = len(records)
    if sobol and K:
        _check_sobol_memory(draws, K, len(engine.varying))
    n_sobol = sobol_base_samples(draws) if sobol and K else 0
    total = draws + 2 * K + n_sobol * (K + 2)
    done = 0

    def evaluate(X: np.ndarray) -> np.ndarray:
        nonlocal done
        parts = []
        for a in range(0, len(X), CHUNK_ROWS):
            parts.append(engine.evaluate(X[a:a + CHUNK_ROWS]))
            done += len(X[a:a + CHUNK_ROWS])
            if progress is not None:
                progress(done, total)
        return np.concatenate(parts) if parts else np.empty((0, len(engine.varying)))

    X = sample_values(records, draws, seed)
    Y = evaluate(X)
    del X
    stats = []
    slot = {f: i for i, f in enumerate(engine.varying.tolist())}
    if len(engine.varying):
        # a block of figures at a time: percentile sorts a copy of what it is given
        pct = np.empty((3, Y.shape[1]))
        for a in range(0, Y.shape[1], 256):
            pct[:, a:a + 256] = np.percentile(Y[:, a:a + 256], [10, 50, 90], axis=0)
        anchor = engine.base[engine.varying]
        mean = anchor + (Y - anchor).mean(axis=0)  # about the base: exact when every draw is the base
    for f, (fig, b) in enumerate(zip(engine.figures, engine.base.tolist())):
        c = slot.get(f)
        if c is None:
            stats.append(FigureStats(fig, b, b, b, b, b))
        else:
            stats.append(FigureStats(fig, b, float(mean[c]), float(pct[0, c]), float(pct[1, c]), float(pct[2, c])))
    del Y

    # tornado: each assumption at its low, then at its high, every other at base
    tornado: dict[str, list[TornadoBar]] = {}
    if K and len(engine.varying):
        T = np.tile(engine.base_row, (2 * K, 1))
        for j, r in enumerate(records):
            T[2 * j, j], T[2 * j + 1, j] = r.low, r.high
        YT = evaluate(T)
        for f, c in slot.items():
            lo, hi = YT[0::2, c], YT[1::2, c]
            swing = np.abs(hi - lo)
            order = np.argsort(-swing, kind="stable")
            bars = [TornadoBar(records[j].label, records[j].low, records[j].high, float(lo[j]), float(hi[j]))
                    for j in order.tolist() if swing[j] > 0]
            if bars:
                tornado[engine.figures[f].name] = bars
    elif K:
        done += 2 * K

    sobol_out = None
    if n_sobol:
        sobol_out = _sobol(engine, records, n_sobol, seed, evaluate, slot)
    model = {k: G.graph.get(k) for k in ("name", "currency", "period", "money_unit")}
    return SensitivityResult(model=model, sections=sections, draws=draws, seed=seed, assumptions=records,
                             figures=stats, tornado=tornado, sobol=sobol_out,
                             sobol_samples=n_sobol or None, sobol_runs=n_sobol * (K + 2) if n_sobol else None)


def _sobol(engine: SensitivityEngine, records, n: int, seed: int, evaluate, slot: dict) -> dict:
    """First-order and total Sobol indices (SALib, Saltelli design on the unit cube mapped through each
    assumption's quantile function) of every varying figure."""
    import warnings

    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    K = len(records)
    problem = {"num_vars": K, "names": [f"x{j}" for j in range(K)], "bounds": [[0.0, 1.0]] * K}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        U = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    # the open unit interval: the quantile function of a bounded distribution is finite at 0 and 1 anyway
    Y = evaluate(quantile_values(records, U))
    out: dict[str, list[SobolIndex]] = {}
    for f, c in slot.items():
        y = Y[:, c]
        if not np.ptp(y) > 0:
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            s = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.95,
                                      seed=seed)
        out[engine.figures[f].name] = [SobolIndex(r.label, float(s["S1"][j]), float(s["S1_conf"][j]),
                                                  float(s["ST"][j]), float(s["ST_conf"][j]))
                                       for j, r in enumerate(records)]
    return out
