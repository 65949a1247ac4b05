"""Timeline: snapshots of one ecosystem over periods, the change between them, and the role shifts they show.

:func:`timeline` analyses every snapshot (revenue, keystones, lock-in, funnel), matches nodes and
relationships across snapshots as ``ecograph diff`` does (nodes by id; relationships by id, else by
``from -> to TYPE#n``), and returns a :class:`TimelineResult`: the figures of each period, the change
between consecutive periods, compound annual growth per offering when the periods are years, and the
role shifts in sentences a client reads (a satellite overtaking a core, an offering's share crossing a
threshold, a new top keystone, a segment's lock-in moving by more than 10 points) with suggestions
that are never applied. The formulas are in ``docs/timeline.md``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..errors import UsageError
from ..gc_pause import gc_paused
from ..graph import to_networkx
from ..model import CORE, OFFERING_KINDS, SATELLITE, SEGMENT
from ..numbers import format_index, format_money, format_share
from ..tables import Table
from . import FORMAT_VERSION, analyze
from .lockin import DEFAULT_MAX_PATHS

__all__ = ["PeriodFigures", "PeriodChange", "Shift", "Suggestion", "TimelineResult", "timeline", "period_key",
           "growth", "cagr", "DEFAULT_SHIFT", "LOCKIN_POINTS", "TIMELINE_SECTIONS", "SHIFT_KINDS",
           "DEFAULT_TABLE_ROWS"]

DEFAULT_SHIFT = 0.25
"""Share of ecosystem revenue an offering's share must cross to be reported (``--shift``)."""

LOCKIN_POINTS = 10.0
"""A segment's lock-in index (0-100) must move by more than this many points to be reported."""

TIMELINE_SECTIONS = ("revenue", "keystones", "lockin", "funnel")
"""The analyses run on every snapshot (centrality is left out: the timeline tracks none of its figures)."""

SHIFT_KINDS = ("overtakes_core", "share_crossed", "top_keystone_changed", "lockin_moved")
"""The kinds of :class:`Shift`, in the order they are listed within a change."""

DEFAULT_TABLE_ROWS = 10
"""Rows of the keystone ranking shown in the tables when ``top`` is not given."""



# ------------------------------------------------------------------------------------------ periods

_PERIOD_FORMS = (
    # (kind, pattern, key from the match); keys of one kind compare as tuples of ints
    ("year", re.compile(r"(?:FY\s*)?(\d{4})", re.I), lambda m: (int(m[1]),)),
    ("half", re.compile(r"(\d{4})[-\s]?H([12])", re.I), lambda m: (int(m[1]), int(m[2]))),
    ("quarter", re.compile(r"(\d{4})[-\s]?Q([1-4])", re.I), lambda m: (int(m[1]), int(m[2]))),
    ("month", re.compile(r"(\d{4})-(0[1-9]|1[0-2])"), lambda m: (int(m[1]), int(m[2]))),
    ("date", re.compile(r"\d{4}-\d{2}-\d{2}"), lambda m: _dt.date.fromisoformat(m[0]).timetuple()[:3]),
)

PERIOD_FORMS_TEXT = "years (2023, FY2023), halves (2023-H1), quarters (2023-Q1), months (2023-01), ISO dates (2023-01-31)"


def period_key(period: Any) -> tuple[str, tuple] | None:
    """``(kind, key)`` by which a period sorts, or None when it is none of the sortable forms.

    Every period of a timeline must be of one kind: years (``2023``, ``FY2023``), halves (``2023-H1``),
    quarters (``2023-Q1``), months (``2023-01``) or ISO dates (``2023-01-31``); keys of one kind sort
    in time order.

    >>> period_key("2023"), period_key("FY 2019"), period_key("2023-q2"), period_key("2023-01-31")
    (('year', (2023,)), ('year', (2019,)), ('quarter', (2023, 2)), ('date', (2023, 1, 31)))
    >>> period_key("2023-02-30") is None, period_key("spring") is None, period_key("2023-13") is None
    (True, True, True)
    """
    text = str(period).strip() if period is not None else ""
    for kind, pattern, key in _PERIOD_FORMS:
        m = pattern.fullmatch(text)
        if m:
            try:
                return kind, tuple(key(m))
            except ValueError:  # 2023-02-30
                return None
    return None


def growth(before: float | None, after: float | None) -> float | None:
    """Growth as a fraction: ``after / before - 1``; None when ``before`` is missing or not positive.

    >>> growth(100.0, 125.0), growth(80.0, 60.0), growth(0.0, 5.0), growth(None, 5.0)
    (0.25, -0.25, None, None)
    """
    if before is None or after is None or before <= 0:
        return None
    return after / before - 1.0


def cagr(first: float, last: float, years: float) -> float | None:
    """Compound annual growth rate: ``(last / first) ** (1 / years) - 1``; None unless both amounts are
    positive and ``years`` > 0.

    >>> round(cagr(100.0, 121.0, 2), 10), cagr(100.0, 50.0, 0), cagr(0.0, 50.0, 3)
    (0.1, None, None)
    """
    if not first or first <= 0 or last is None or last <= 0 or years <= 0:
        return None
    return (last / first) ** (1.0 / years) - 1.0


# ------------------------------------------------------------------------------------------ results


@dataclass
class PeriodFigures:
    """The figures of one snapshot (money in the timeline's currency and unit)."""

    period: str
    label: str  # where it came from: the file name, or the period when no label was given
    name: str | None = None  # the model's name
    ecosystem_revenue: float = 0.0
    core_revenue: float = 0.0
    revenue_by_offering: dict[str, float] = field(default_factory=dict)  # cores, satellites, channels, model order
    net: dict[str, float] = field(default_factory=dict)  # every actor that pays or is paid: inflow - outflow
    keystones: list[str] = field(default_factory=list)  # node ids, highest removal impact first
    lockin: dict[str, float] = field(default_factory=dict)  # segment -> lock-in index 0-100
    conversion: dict[str, float] = field(default_factory=dict)  # funnel entry stage -> conversion 0..1
    nodes: list[str] = field(default_factory=list)  # node ids, model order
    relationships: list[str] = field(default_factory=list)  # relationship keys as diff names them
    kinds: dict[str, str] = field(default_factory=dict)  # node id -> kind
    names: dict[str, str] = field(default_factory=dict)  # node id -> name

    def share(self, offering: str) -> float | None:
        """The offering's share of ecosystem revenue (None when there is no ecosystem revenue)."""
        if not self.ecosystem_revenue:
            return None
        return self.revenue_by_offering.get(offering, 0.0) / self.ecosystem_revenue

    @property
    def revenue_share(self) -> dict[str, float | None]:
        """Every offering's share of ecosystem revenue."""
        return {o: self.share(o) for o in self.revenue_by_offering}

    @property
    def largest_offering(self) -> str | None:
        """The offering with the most revenue (the first in model order on a tie); None without revenue."""
        best = None
        for o, amount in self.revenue_by_offering.items():
            if amount > 0 and (best is None or amount > self.revenue_by_offering[best]):
                best = o
        return best

    def to_dict(self) -> dict:
        return {"period": self.period, "label": self.label, "name": self.name,
                "ecosystem_revenue": self.ecosystem_revenue, "core_revenue": self.core_revenue,
                "revenue_by_offering": self.revenue_by_offering, "revenue_share": self.revenue_share,
                "net": self.net, "keystones": self.keystones, "lockin": self.lockin,
                "conversion": self.conversion, "nodes": self.nodes, "relationships": self.relationships,
                "kinds": self.kinds, "names": self.names}


@dataclass
class PeriodChange:
    """What changed from one period to the next; growth as a fraction (0.25 = +25%), None where the
    earlier figure is 0 or missing."""

    from_period: str
    to_period: str
    ecosystem_revenue_growth: float | None = None
    core_revenue_growth: float | None = None
    offering_growth: dict[str, float | None] = field(default_factory=dict)  # offerings of either period
    offering_share: dict[str, tuple] = field(default_factory=dict)  # offering -> (share before, share after)
    appeared: list[str] = field(default_factory=list)  # node ids new in to_period
    disappeared: list[str] = field(default_factory=list)  # node ids of from_period gone in to_period
    relationships_appeared: list[str] = field(default_factory=list)
    relationships_disappeared: list[str] = field(default_factory=list)
    net_change: dict[str, float] = field(default_factory=dict)  # actor -> net after - net before (0 when absent)
    lockin_change: dict[str, float] = field(default_factory=dict)  # segment in both -> index points after - before
    conversion_change: dict[str, float] = field(default_factory=dict)  # funnel entry in both -> after - before
    kind_changed: dict[str, tuple] = field(default_factory=dict)  # node in both -> (kind before, kind after)

    def to_dict(self) -> dict:
        return {"from_period": self.from_period, "to_period": self.to_period,
                "ecosystem_revenue_growth": self.ecosystem_revenue_growth,
                "core_revenue_growth": self.core_revenue_growth, "offering_growth": self.offering_growth,
                "offering_share": {k: list(v) for k, v in self.offering_share.items()},
                "appeared": self.appeared, "disappeared": self.disappeared,
                "relationships_appeared": self.relationships_appeared,
                "relationships_disappeared": self.relationships_disappeared,
                "net_change": self.net_change, "lockin_change": self.lockin_change,
                "conversion_change": self.conversion_change,
                "kind_changed": {k: list(v) for k, v in self.kind_changed.items()}}


@dataclass
class Shift:
    """A role shift between two periods, as a sentence a client reads.

    ``kind``: one of :data:`SHIFT_KINDS`; ``periods``: ``[from_period, to_period]``; ``figures``: the
    numbers the sentence quotes (amounts in the model's unit, shares 0..1, lock-in indexes 0-100) and the
    ids it names.
    """

    kind: str
    sentence: str
    periods: list[str]
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sentence": self.sentence, "periods": self.periods, "figures": self.figures}


@dataclass
class Suggestion:
    """A change to the model worth considering; never applied to any file."""

    node: str
    sentence: str
    periods: list[str] = field(default_factory=list)
    action: str = "relabel_as_core"

    def to_dict(self) -> dict:
        return {"node": self.node, "action": self.action, "sentence": self.sentence, "periods": self.periods}


@dataclass
class TimelineResult:
    """The figures of every period (in time order), the changes between consecutive periods, the role
    shifts and the suggestions; ``cagr``: compound annual growth per offering (None when the periods
    are not years or the offering has revenue in fewer than two of them)."""

    periods: list[PeriodFigures]
    changes: list[PeriodChange]
    shifts: list[Shift]
    suggestions: list[Suggestion]
    cagr: dict[str, float | None]
    currency: str | None
    money_unit: str | None
    ecosystem_cagr: float | None = None
    period_kind: str | None = None  # year, half, quarter, month, date; None when kept as given and unsortable
    ordered_by: str = "period"  # "period" or "as given"
    shift_threshold: float = DEFAULT_SHIFT
    lockin_points: float = LOCKIN_POINTS
    top: int | None = None  # keystone ranks shown in the tables (default 10)

    @property
    def offerings(self) -> list[str]:
        """Every offering of any period: first seen first."""
        seen: dict[str, None] = {}
        for p in self.periods:
            for o in p.revenue_by_offering:
                seen.setdefault(o)
        return list(seen)

    def name_of(self, node: str) -> str:
        """A node's name in the latest period that has it (its id when it has none)."""
        for p in reversed(self.periods):
            if node in p.names:
                return p.names[node] or node
        return node

    def kind_of(self, node: str) -> str | None:
        for p in reversed(self.periods):
            if node in p.kinds:
                return p.kinds[node]
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``ecograph timeline --format json``."""
        return {"format_version": FORMAT_VERSION, "currency": self.currency, "money_unit": self.money_unit,
                "ordered_by": self.ordered_by, "period_kind": self.period_kind,
                "shift_threshold": self.shift_threshold, "lockin_points": self.lockin_points,
                "periods": [p.to_dict() for p in self.periods],
                "changes": [c.to_dict() for c in self.changes],
                "shifts": [s.to_dict() for s in self.shifts],
                "suggestions": [s.to_dict() for s in self.suggestions],
                "cagr": self.cagr, "ecosystem_cagr": self.ecosystem_cagr}

    # ------------------------------------------------------------------------------------- tables

    def tables(self, top: int | None = None) -> list[Table]:
        """The timeline as tables (terminal, CSV, Markdown): shifts, ecosystem revenue, revenue and share
        per offering, growth, net per actor, keystones, lock-in, funnels, nodes that appeared or went."""
        T = _table_kind(self.currency, self.money_unit)
        labels = [p.period for p in self.periods]
        money = _money_label(self.currency, self.money_unit)
        out: list[Table] = []
        rows = [[", ".join(s.periods[:1]) + " → " + s.periods[-1], s.kind, s.sentence] for s in self.shifts]
        rows += [[" and ".join(s.periods), "suggestion", s.sentence] for s in self.suggestions]
        if not rows:
            rows = [[f"{labels[0]} → {labels[-1]}", "none",
                     f"No role shift: no satellite overtook a core, no offering's share crossed "
                     f"{format_share(self.shift_threshold)}, the top keystone stayed, no segment's lock-in moved "
                     f"by more than {format_index(self.lockin_points, 0)} points."]]
        out.append(T("Role shifts", ["periods", "shift", "what happened"], rows, kinds=["text", "text", "text"]))

        by_period = {c.to_period: c for c in self.changes}
        files = _short_labels([p.label for p in self.periods])
        rows = []
        for p, file in zip(self.periods, files):
            c = by_period.get(p.period)
            rows.append([p.period, file, p.ecosystem_revenue,
                         None if c is None else _pct(c.ecosystem_revenue_growth), p.core_revenue,
                         None if c is None else _pct(c.core_revenue_growth)])
        note = None
        if self.ecosystem_cagr is not None:
            note = (f"compound annual growth of ecosystem revenue {labels[0]}–{labels[-1]}: "
                    f"{format_share(self.ecosystem_cagr)}")
        out.append(T("Ecosystem revenue by period",
                     ["period", "file", f"ecosystem revenue{money}", "growth (%)", f"core revenue{money}",
                      "core growth (%)"], rows, note,
                     kinds=["text", "text", "money", "percent", "money", "percent"]))

        # offerings that earned something in some period, largest in the last period first
        offerings = sorted((o for o in self.offerings if any(p.revenue_by_offering.get(o) for p in self.periods)),
                           key=lambda o: -(self.periods[-1].revenue_by_offering.get(o) or 0.0))
        rows = [[o, self.kind_of(o)] + [p.revenue_by_offering.get(o) for p in self.periods]
                + [_pct(self.cagr.get(o))] for o in offerings]
        out.append(T(f"Revenue by offering{money}", ["offering", "kind"] + labels + ["CAGR (%)"], rows,
                     "CAGR: compound annual growth from the first to the last period with revenue"
                     if self.period_kind == "year" else "CAGR only when the periods are years",
                     kinds=["text", "text"] + ["money"] * len(labels) + ["percent"]))
        rows = [[o] + [_pct(p.share(o)) if o in p.revenue_by_offering else None for p in self.periods]
                for o in offerings]
        out.append(T("Share of ecosystem revenue by offering (%)", ["offering"] + labels, rows,
                     kinds=["text"] + ["percent"] * len(labels)))
        if self.changes:
            steps = [f"{c.from_period}→{c.to_period}" for c in self.changes]
            rows = [[o] + [_pct(c.offering_growth.get(o)) for c in self.changes] for o in offerings]
            out.append(T("Growth by offering (%)", ["offering"] + steps, rows,
                         "growth from one period to the next; empty where the offering had no revenue before",
                         kinds=["text"] + ["percent"] * len(steps)))

        actors: dict[str, None] = {}
        for p in self.periods:
            for n in p.net:
                actors.setdefault(n)
        ranked = sorted(actors, key=lambda n: -abs(self.periods[-1].net.get(n, 0.0)))
        rows = [[n, self.kind_of(n)] + [p.net.get(n) for p in self.periods] for n in ranked]
        out.append(T(f"Net per actor{money}", ["actor", "kind"] + labels, rows,
                     "money in minus money out per period; largest in the last period first",
                     kinds=["text", "text"] + ["money"] * len(labels)))

        top = top if top is not None else self.top
        depth = top if top is not None else DEFAULT_TABLE_ROWS
        longest = max((len(p.keystones) for p in self.periods), default=0)
        rows = [[r + 1] + [p.keystones[r] if r < len(p.keystones) else None for p in self.periods]
                for r in range(min(depth, longest))]
        out.append(T("Keystone ranking", ["rank"] + labels, rows,
                     f"top {depth} of each period, by removal impact" if longest > depth else "by removal impact",
                     kinds=["count"] + ["text"] * len(labels)))

        segments = _union(p.lockin for p in self.periods)
        if segments:
            rows = [[s] + [p.lockin.get(s) for p in self.periods] for s in segments]
            out.append(T("Lock-in index by segment (0-100)", ["segment", *labels], rows,
                         kinds=["text"] + ["index"] * len(labels)))
        entries = _union(p.conversion for p in self.periods)
        if entries:
            rows = [[e] + [p.conversion.get(e) for p in self.periods] for e in entries]
            out.append(T("Funnel conversion by entry stage", ["funnel entry"] + labels, rows,
                         kinds=["text"] + ["share"] * len(labels)))
        if self.changes:
            rows = [[f"{c.from_period}→{c.to_period}", c.appeared, c.disappeared, len(c.relationships_appeared),
                     len(c.relationships_disappeared)] for c in self.changes]
            sizes = ", ".join(f"{p.period}: {len(p.nodes):,} nodes, {len(p.relationships):,} relationships"
                              for p in self.periods)
            out.append(T("Nodes and relationships that appeared or disappeared",
                         ["change", "nodes appeared", "nodes disappeared", "relationships appeared",
                          "relationships disappeared"], rows,
                         f"matched as ecograph diff matches them (nodes by id, relationships by id, else by from, "
                         f"to and type); {sizes}",
                         kinds=["text", "text", "text", "count", "count"]))
        return out


def _short_labels(labels: list[str]) -> list[str]:
    """File names without their folders when that keeps them apart (the tables stay narrow)."""
    import os

    short = [os.path.basename(x) or x for x in labels]
    return short if len(set(short)) == len(short) else labels


def _pct(x: float | None) -> float | None:
    return None if x is None else 100.0 * x


def _union(dicts: Iterable[dict]) -> list:
    seen: dict = {}
    for d in dicts:
        for k in d:
            seen.setdefault(k)
    return list(seen)


def _money_label(currency: str | None, unit: str | None) -> str:
    label = " ".join(x for x in (currency, unit) if x)
    return f" ({label})" if label else ""


def _table_kind(currency: str | None, unit: str | None):
    from functools import partial

    return partial(Table, currency=currency or "", money_unit=unit)


# ------------------------------------------------------------------------------------------ timeline


def _labelled(models) -> list[tuple[str | None, Any]]:
    out = []
    for item in models:
        if isinstance(item, tuple) and len(item) == 2:
            out.append((str(item[0]), item[1]))
        else:
            out.append((None, item))
    return out


def _where(label: str | None, period: str | None) -> str:
    if label and period and label != period:
        return f"{label} ({period})"
    return label or period or "a snapshot"


def _check_money(snapshots: list[tuple[str | None, Any]]) -> tuple[str | None, str | None]:
    """The common currency and money unit; UsageError naming the snapshots that differ."""
    for attr, what in (("currency", "currency"), ("money_unit", "money unit")):
        values: dict[Any, list[str]] = {}
        for label, m in snapshots:
            values.setdefault(getattr(m, attr, None), []).append(_where(label, m.period))
        if len(values) > 1:
            parts = "; ".join(f"{', '.join(where)}: {value if value is not None else 'none'}"
                              for value, where in values.items())
            raise UsageError(f"the snapshots differ in {what} ({parts}); a timeline compares snapshots in one "
                             f"{what}: convert the amounts first")
    first = snapshots[0][1]
    return first.currency, getattr(first, "money_unit", None)


def _order(snapshots: list[tuple[str | None, Any]], as_given: bool) -> tuple[list, str | None]:
    """The snapshots in time order (or as given) and the kind of their periods."""
    periods = [str(m.period).strip() if m.period is not None else "" for _, m in snapshots]
    missing = [_where(label, None) for (label, _), p in zip(snapshots, periods) if not p]
    if missing:
        raise UsageError(f"no period in {', '.join(missing)}; every snapshot needs its `period` (e.g. 2023)")
    seen: dict[str, str] = {}
    for (label, _), p in zip(snapshots, periods):
        if p in seen:
            raise UsageError(f"period {p} appears twice ({seen[p]} and {_where(label, p)}); each snapshot "
                             f"needs its own period")
        seen[p] = _where(label, p)
    keys = [period_key(p) for p in periods]
    kinds = {k[0] for k in keys if k is not None}
    kind = next(iter(kinds)) if len(kinds) == 1 and None not in keys else None
    if as_given:
        return list(snapshots), kind
    bad = [_where(label, p) for (label, _), p, k in zip(snapshots, periods, keys) if k is None]
    if bad:
        raise UsageError(f"cannot sort the period of {', '.join(bad)}: periods must be {PERIOD_FORMS_TEXT}; "
                         f"or keep the order given with --as-given")
    if len(kinds) > 1:
        shown = ", ".join(f"{_where(label, p)}: {k[0]}" for (label, _), p, k in zip(snapshots, periods, keys))
        raise UsageError(f"the periods mix kinds ({shown}); use one kind for every snapshot, or keep the "
                         f"order given with --as-given")
    order = sorted(range(len(snapshots)), key=lambda i: keys[i][1])
    for i, j in zip(order, order[1:]):
        if keys[i] == keys[j]:  # 2023 and FY2023, 2023-Q1 and 2023q1: one period written twice
            raise UsageError(f"{_where(snapshots[i][0], periods[i])} and {_where(snapshots[j][0], periods[j])} "
                             f"are the same {kind}; each snapshot needs its own period")
    return [snapshots[i] for i in order], kind


def _figures(label: str | None, model, *, depth: int, max_paths: int, seed: int) -> PeriodFigures:
    from .diff import relationship_key

    G = to_networkx(model)
    a = analyze(G, only=TIMELINE_SECTIONS, depth=depth, max_paths=max_paths, seed=seed, parallel=False)
    r = a.revenue
    period = str(model.period).strip()
    kinds = {n: d.get("kind") for n, d in G.nodes(data=True)}
    names = {n: d.get("name") or n for n, d in G.nodes(data=True)}
    return PeriodFigures(
        period=period, label=label or period, name=G.graph.get("name"),
        ecosystem_revenue=r.ecosystem_revenue, core_revenue=r.core_revenue,
        revenue_by_offering={o: amount for o, amount in r.revenue_by_offering.items()
                             if kinds.get(o) in OFFERING_KINDS},
        net={n.id: n.net for n in r.nodes if n.inflow or n.outflow},
        keystones=[k.id for k in a.keystones.nodes],
        lockin={s.id: s.index for s in a.lockin.segments},
        conversion={f.entry: f.conversion for f in a.funnel.funnels} if a.funnel is not None else {},
        nodes=list(G), relationships=[relationship_key(u, v, k) for u, v, k in G.edges(keys=True)],
        kinds=kinds, names=names)


def _change(a: PeriodFigures, b: PeriodFigures) -> PeriodChange:
    offerings = list(a.revenue_by_offering) + [o for o in b.revenue_by_offering if o not in a.revenue_by_offering]
    before_nodes, after_nodes = set(a.nodes), set(b.nodes)
    before_rels, after_rels = set(a.relationships), set(b.relationships)
    actors = list(a.net) + [n for n in b.net if n not in a.net]
    return PeriodChange(
        from_period=a.period, to_period=b.period,
        ecosystem_revenue_growth=growth(a.ecosystem_revenue, b.ecosystem_revenue),
        core_revenue_growth=growth(a.core_revenue, b.core_revenue),
        offering_growth={o: growth(a.revenue_by_offering.get(o), b.revenue_by_offering.get(o, 0.0))
                         for o in offerings},
        offering_share={o: (a.share(o) if o in a.revenue_by_offering else None,
                            b.share(o) if o in b.revenue_by_offering else None) for o in offerings},
        appeared=[n for n in b.nodes if n not in before_nodes],
        disappeared=[n for n in a.nodes if n not in after_nodes],
        relationships_appeared=[k for k in b.relationships if k not in before_rels],
        relationships_disappeared=[k for k in a.relationships if k not in after_rels],
        net_change={n: b.net.get(n, 0.0) - a.net.get(n, 0.0) for n in actors},
        lockin_change={s: b.lockin[s] - a.lockin[s] for s in b.lockin if s in a.lockin},
        conversion_change={e: b.conversion[e] - a.conversion[e] for e in b.conversion if e in a.conversion},
        kind_changed={n: (a.kinds[n], b.kinds[n]) for n in b.nodes if n in a.kinds and a.kinds[n] != b.kinds[n]})


def _shifts(a: PeriodFigures, b: PeriodFigures, threshold: float, lockin_points: float,
            money) -> list[Shift]:
    """The role shifts from period ``a`` to period ``b`` (see docs/timeline.md)."""
    out: list[Shift] = []
    periods = [a.period, b.period]

    def name(p: PeriodFigures, n: str) -> str:
        return p.names.get(n) or n

    # a satellite's revenue overtakes a core's (the core present in both periods)
    cores = [n for n in b.nodes if b.kinds.get(n) == CORE and n in a.kinds]
    satellites = [n for n in b.nodes if b.kinds.get(n) == SATELLITE]
    for s in satellites:
        for c in cores:
            rs, rc = b.revenue_by_offering.get(s, 0.0), b.revenue_by_offering.get(c, 0.0)
            before_s, before_c = a.revenue_by_offering.get(s, 0.0), a.revenue_by_offering.get(c, 0.0)
            if rs > rc and before_s <= before_c:
                was = (f"in {a.period} it had {money(before_s)} against {money(before_c)}" if s in a.kinds
                       else f"it did not exist in {a.period}")
                # revenue counts what passes through (a marketplace's payout to sellers): say when the
                # satellite keeps less than the core, or a client reads a gross lead as a lead in what is earned
                ns, nc = b.net.get(s, rs), b.net.get(c, rc)
                kept = (f" After what it pays on to others it kept {money(ns)}, the core {money(nc)}."
                        if ns < nc else "")
                out.append(Shift("overtakes_core",
                                 f"In {b.period}, {name(b, s)} ({money(rs)}) overtook the core {name(b, c)} "
                                 f"({money(rc)}) as a source of revenue; {was}.{kept}",
                                 periods, {SATELLITE: s, CORE: c, "satellite_revenue": [before_s, rs],
                                           "core_revenue": [before_c, rc]}))
    # an offering's share of ecosystem revenue crosses the threshold (either way)
    for o in list(b.revenue_by_offering) + [x for x in a.revenue_by_offering if x not in b.revenue_by_offering]:
        sa = a.share(o) if o in a.revenue_by_offering else 0.0
        sb = b.share(o) if o in b.revenue_by_offering else 0.0
        if sa is None or sb is None:
            continue
        figures = {"offering": o, "share": [sa, sb], "threshold": threshold,
                   "revenue": [a.revenue_by_offering.get(o), b.revenue_by_offering.get(o)]}

        def brought(p, x, o=o):  # "12.0% of ecosystem revenue (EUR 30 million)" in period p
            return f"{format_share(x)} of ecosystem revenue ({money(p.revenue_by_offering.get(o, 0.0))})"

        if sa <= threshold < sb:
            text = (f"In {b.period}, {name(b, o)} rose to {brought(b, sb)}, above {format_share(threshold)}; in "
                    f"{a.period} it brought {format_share(sa)}." if o in a.kinds else
                    f"In {b.period}, {name(b, o)}, new since {a.period}, brought {brought(b, sb)}, above "
                    f"{format_share(threshold)}.")
            out.append(Shift("share_crossed", text, periods, figures))
        elif sb <= threshold < sa:
            text = (f"In {b.period}, {name(b, o)} fell to {brought(b, sb)}, below {format_share(threshold)}; in "
                    f"{a.period} it brought {format_share(sa)}." if o in b.kinds else
                    f"In {b.period}, {name(a, o)} is gone; in {a.period} it brought {brought(a, sa)}, above "
                    f"{format_share(threshold)}.")
            out.append(Shift("share_crossed", text, periods, figures))
    # the top keystone changes
    if a.keystones and b.keystones and a.keystones[0] != b.keystones[0]:
        old, new = a.keystones[0], b.keystones[0]
        out.append(Shift("top_keystone_changed",
                         f"In {b.period}, {name(b, new)} became the keystone the ecosystem would miss most, "
                         f"taking over from {name(a, old)} (the top keystone in {a.period}).",
                         periods, {"before": old, "after": new}))
    # a segment's lock-in index moves by more than the points
    for s in b.lockin:
        if s in a.lockin and abs(b.lockin[s] - a.lockin[s]) > lockin_points:
            up = b.lockin[s] > a.lockin[s]
            out.append(Shift("lockin_moved",
                             f"From {a.period} to {b.period}, the lock-in of {name(b, s)} "
                             f"{'rose' if up else 'fell'} by {format_index(abs(b.lockin[s] - a.lockin[s]), 1)} "
                             f"points, from {format_index(a.lockin[s], 1)} to {format_index(b.lockin[s], 1)} "
                             f"(of 100): customers are {'harder' if up else 'easier'} to win away.",
                             periods, {SEGMENT: s, "index": [a.lockin[s], b.lockin[s]]}))
    return out


def _suggestions(periods: list[PeriodFigures], money) -> list[Suggestion]:
    """Relabel a satellite as core once it has been the largest revenue source in two consecutive periods."""
    out: list[Suggestion] = []
    done: set[str] = set()
    for a, b in zip(periods, periods[1:]):
        top = b.largest_offering
        if top is None or top in done or top != a.largest_offering or b.kinds.get(top) != SATELLITE:
            continue
        done.add(top)
        name = b.names.get(top) or top
        # as the overtakes_core sentence: revenue counts what passes through, so say what each kept when the
        # satellite's net is below the (largest) core's in either period
        kept = ""
        cores = [(p, max((c for c in p.revenue_by_offering if p.kinds.get(c) == CORE),
                         key=lambda c: p.revenue_by_offering[c], default=None)) for p in (a, b)]
        if all(c is not None for _, c in cores):
            ns = [p.net.get(top, p.revenue_by_offering[top]) for p, _ in cores]
            nc = [p.net.get(c, p.revenue_by_offering[c]) for p, c in cores]
            if any(x < y for x, y in zip(ns, nc)):
                kept = (f" After what it pays on to others it kept {money(ns[0])} in {a.period} and "
                        f"{money(ns[1])} in {b.period}, the core {money(nc[0])} and {money(nc[1])}.")
        out.append(Suggestion(top, f"Consider relabelling {name} as a core: it was the largest source of revenue "
                                   f"in both {a.period} ({money(a.revenue_by_offering[top])}) and {b.period} "
                                   f"({money(b.revenue_by_offering[top])}).{kept} Not applied: the model files "
                                   f"are unchanged.", [a.period, b.period]))
    return out


def _cagrs(periods: list[PeriodFigures], kind: str | None, offerings: list[str]) -> dict[str, float | None]:
    years = [period_key(p.period)[1][0] for p in periods] if kind == "year" else None
    if years is not None and any(y2 <= y1 for y1, y2 in zip(years, years[1:])):
        years = None  # kept as given, not in time order
    out: dict[str, float | None] = {}
    for o in offerings:
        if years is None:
            out[o] = None
            continue
        held = [(y, p.revenue_by_offering.get(o, 0.0)) for y, p in zip(years, periods)
                if p.revenue_by_offering.get(o, 0.0) > 0]
        out[o] = cagr(held[0][1], held[-1][1], held[-1][0] - held[0][0]) if len(held) >= 2 else None
    return out


def timeline(models, *, as_given: bool = False, shift: float = DEFAULT_SHIFT, top: int | None = None,
             lockin_points: float = LOCKIN_POINTS, depth: int = 4, max_paths: int = DEFAULT_MAX_PATHS,
             seed: int = 0) -> TimelineResult:
    """Analyse snapshots of one ecosystem and what changed between consecutive periods.

    Parameters
    ----------
    models : list
        :class:`~ecosystem_graph.model.Ecosystem` s, or ``(label, Ecosystem)`` pairs (the label, a file
        name, is named in errors and tables); at least two.
    as_given : bool
        Keep the order given instead of sorting by ``period``.
    shift : float
        Share of ecosystem revenue (0..1) whose crossing by an offering is reported.
    top : int, optional
        Keystone ranks shown in the tables (default 10); the results always hold every node.
    lockin_points : float
        Lock-in index points a segment must move by to be reported.

    Raises
    ------
    UsageError
        Fewer than two snapshots; periods missing, repeated, or not sortable (unless ``as_given``);
        snapshots in different currencies or money units.

    Examples
    --------
    >>> from ecosystem_graph.model import Ecosystem
    >>> def shop(period, amount):
    ...     return Ecosystem.model_validate({"name": "Shop", "currency": "EUR", "period": period,
    ...         "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
    ...                   {"id": "fans", "kind": "segment", "name": "Fans"}],
    ...         "relationships": [{"from": "fans", "to": "shop", "type": "PAYS", "amount": amount}]})
    >>> t = timeline([shop("2024", 121.0), shop("2022", 100.0)])
    >>> [p.period for p in t.periods], round(t.changes[0].ecosystem_revenue_growth, 2), round(t.cagr["shop"], 2)
    (['2022', '2024'], 0.21, 0.1)
    """
    snapshots = _labelled(models)
    if len(snapshots) < 2:
        raise UsageError(f"a timeline needs at least two snapshots, got {len(snapshots)}")
    if not 0 < shift < 1:
        raise UsageError(f"--shift must be a share of ecosystem revenue between 0 and 1 (0.25 = a quarter), "
                         f"not {shift}")
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1, not {top}")
    currency, unit = _check_money(snapshots)
    ordered, kind = _order(snapshots, as_given)

    def money(x: float) -> str:
        return format_money(x, currency, unit)

    # allocation-heavy, without reference cycles: the collector would rescan every snapshot's graph again and
    # again (measured: a quarter of the run on three 5,000-node snapshots)
    with gc_paused():
        figures = [_figures(label, m, depth=depth, max_paths=max_paths, seed=seed) for label, m in ordered]
        changes = [_change(a, b) for a, b in zip(figures, figures[1:])]
        shifts = [s for a, b in zip(figures, figures[1:]) for s in _shifts(a, b, shift, lockin_points, money)]
    result = TimelineResult(periods=figures, changes=changes, shifts=shifts,
                            suggestions=_suggestions(figures, money), cagr={}, currency=currency,
                            money_unit=unit, period_kind=kind, ordered_by="as given" if as_given else "period",
                            shift_threshold=shift, lockin_points=lockin_points, top=top)
    result.cagr = _cagrs(figures, kind, result.offerings)
    years = _cagrs([PeriodFigures(p.period, p.label, revenue_by_offering={"": p.ecosystem_revenue})
                    for p in figures], kind, [""])
    result.ecosystem_cagr = years[""]
    return result
