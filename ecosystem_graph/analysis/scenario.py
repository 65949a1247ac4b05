"""What-if: remove nodes/relationships, scale money, and compare every figure before and after."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import networkx as nx

from ..errors import UsageError
from ..graph import linked_to, resolve_linked_amounts
from ..tables import Table
from . import FORMAT_VERSION, Analysis, analyze, sections

__all__ = ["FigureChange", "HeadlineFigure", "Comparison", "Scenario", "apply_changes", "parse_scale", "figures",
           "compare", "headline", "touched_nodes", "node_names", "money_note", "pct_change", "whatif", "SCALED_PROPERTY",
           "MAX_SCALE_FACTOR", "SECTION_ORDER", "HEADLINE_TABLE_NODES", "section_order",
           "figure_kind"]

SCALED_PROPERTY = {"PAYS": "amount", "USES": "switching_cost", "FEEDS": "strength", "REACHES": "reach",
                   "DEPENDS_ON": "criticality", "CONVERTS_TO": "rate"}
"""What ``--scale REL_ID=F`` multiplies on a relationship of each type (0..1 properties must stay <= 1)."""


@dataclass
class FigureChange:
    """One figure before and after (None where it does not exist on that side)."""

    section: str
    item: str
    figure: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "same" if _same(self.before, self.after) else "changed"

    @property
    def pct_change(self) -> float | None:
        return pct_change(self.before, self.after)

    @property
    def group(self) -> str:
        """The section it is listed under: its analysis, or ``rank`` for a rank (listed last)."""
        return "rank" if self.figure == "rank" else self.section

    def to_dict(self) -> dict:
        return {"section": self.section, "item": self.item, "figure": self.figure, "before": self.before,
                "after": self.after, "change": self.change, "pct_change": self.pct_change, "status": self.status}


def pct_change(before: float | None, after: float | None) -> float | None:
    """The change from ``before`` to ``after`` in percent of ``|before|``; None when ``before`` is 0 or missing.

    >>> pct_change(200.0, 150.0), pct_change(-50.0, -25.0), pct_change(0.0, 5.0)
    (-25.0, 50.0, None)
    """
    if before is None or after is None or before == 0 or not math.isfinite(before) or not math.isfinite(after):
        return None
    return (after - before) / abs(before) * 100.0


HEADLINE_TABLE_NODES = 10

HEADLINE_KINDS = {"ecosystem_revenue": "money", "core_revenue": "money", "revenue_at_risk": "money", "net": "money",
                  "total_lockin": "index", "conversion": "share", "expected_converted": "count"}
"""How each headline figure is shown (see :data:`ecosystem_graph.numbers.KINDS`)."""

FIGURE_KINDS = {
    **HEADLINE_KINDS, "ecosystem_payouts": "money", "ecosystem_net": "money", "direct_revenue": "money",
    "unbound_revenue": "money", "revenue_by_offering": "money", "pass_through": "money", "amount": "money",
    "paid": "money", "inflow": "money", "outflow": "money", "dependent_revenue": "money",
    "core_revenue_at_risk": "money", "revenue_per_entrant": "money", "revenue_per_member": "money",
    "revenue_share": "share", "dependency": "share", "impact": "share", "segments_share": "share",
    "lockin_share": "share", "pairs_share": "share", "reach_final": "share", "drop_rate": "share",
    "index": "index", "lockin_change": "index", "hhi_payers": "number", "hhi_payees": "number",
    "rank": "count", "segments_cut_off": "count", "pairs_cut_off": "count", "in_degree": "count",
    "out_degree": "count", "disjoint_paths": "count", "mechanisms": "count", "paths": "count",
    "expected_members": "count"}
"""How each figure of a comparison is shown in the tables; figures not named here by their value."""
"""Touched nodes shown in a headline table at most (a diff of two model versions can touch hundreds)."""

def section_order() -> tuple[str, ...]:
    """The order of the sections after the headline: money first, rank-only changes (``rank``) last.

    >>> section_order()[:5], section_order()[-1]
    (('revenue', 'keystones', 'lockin', 'funnel', 'centrality'), 'rank')
    """
    return sections.comparison_order() + ("rank",)


def __getattr__(name: str):
    # SECTION_ORDER follows the registry: read when asked for
    if name == "SECTION_ORDER":
        return section_order()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def figure_kind(section: str, figure: str) -> str | None:
    """How a figure of a comparison is shown: the section's own ``figure_kinds``, else :data:`FIGURE_KINDS`."""
    try:
        own = sections.get(section).figure_kinds
    except KeyError:
        own = {}
    return own.get(figure, FIGURE_KINDS.get(figure))


@dataclass
class HeadlineFigure:
    """One headline figure of a what-if or diff: ``figure`` names the kind, ``item`` what it is of."""

    figure: str  # ecosystem_revenue, core_revenue, revenue_at_risk, net, total_lockin, conversion, expected_converted
    item: str  # (ecosystem), a node id, or "funnel <entry stage>"
    label: str
    before: float | None
    after: float | None
    key: tuple = ()  # the (section, item, figure) of the comparison figure it shows

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def pct_change(self) -> float | None:
        return pct_change(self.before, self.after)

    def to_dict(self) -> dict:
        return {"figure": self.figure, "item": self.item, "label": self.label, "before": self.before,
                "after": self.after, "change": self.change, "pct_change": self.pct_change}


def headline(comparison: "Comparison", touched: Iterable[str] = (), names: dict[str, str] | None = None
             ) -> list[HeadlineFigure]:
    """The headline figures of a comparison, in this order.

    Ecosystem revenue; core revenue; for each touched node its revenue at risk, then its net (when it
    pays or is paid on either side); total lock-in (the sum of the segments' lock-in indexes); each
    funnel's conversion and expected converted. A removed node's revenue at risk and net count 0 after
    (an added node's 0 before): it no longer holds or moves money. Figures absent on both sides (a
    section not analysed) are left out.
    """
    names = names or {}
    by_key = comparison.by_key

    def name(node: str) -> str:
        return names.get(node) or node

    out: list[HeadlineFigure] = []

    def add(key: tuple, figure: str, label: str, item: str, zero_when_gone: bool = False) -> None:
        f = by_key.get(key)
        if f is None:
            return
        before, after = f.before, f.after
        if zero_when_gone and before is None:
            before, label = 0.0, f"{label} (added)"
        elif zero_when_gone and after is None:
            after, label = 0.0, f"{label} (removed)"
        out.append(HeadlineFigure(figure, item, label, before, after, key))

    add(("revenue", "(ecosystem)", "ecosystem_revenue"), "ecosystem_revenue", "Ecosystem revenue", "(ecosystem)")
    add(("revenue", "(ecosystem)", "core_revenue"), "core_revenue", "Core revenue", "(ecosystem)")
    touched = list(dict.fromkeys(touched))
    for n in touched:
        add(("keystones", n, "revenue_at_risk"), "revenue_at_risk", f"Revenue at risk: {name(n)}", n, True)
    for n in touched:
        f = by_key.get(("revenue", n, "net"))
        if f is not None and (f.before or f.after):
            add(("revenue", n, "net"), "net", f"Net: {name(n)}", n, True)
    add(("lockin", "(ecosystem)", "total_index"), "total_lockin", "Total lock-in (sum of segment indexes)",
        "(ecosystem)")
    for key in [k for k in by_key if k[0] == "funnel" and k[2] == "conversion"]:
        entry = key[1][len("funnel "):]
        add(key, "conversion", f"Funnel from {name(entry)}: conversion", key[1])
        add(("funnel", key[1], "expected_converted"), "expected_converted",
            f"Funnel from {name(entry)}: expected converted", key[1])
    return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@dataclass
class Comparison:
    """Every figure of two analyses side by side, in section order."""

    figures: list[FigureChange] = field(default_factory=list)
    headline: list[HeadlineFigure] = field(default_factory=list)
    currency: str = ""  # of the money figures, for the tables
    money_unit: str | None = None

    @property
    def by_key(self) -> dict[tuple, FigureChange]:
        return {(f.section, f.item, f.figure): f for f in self.figures}

    def changed(self) -> list[FigureChange]:
        return [f for f in self.figures if f.status != "same"]

    def to_dict(self, changed_only: bool = False) -> dict:
        """``headline`` (every headline figure, changed or not), then ``figures`` in :data:`SECTION_ORDER`."""
        items = self.changed() if changed_only else self.figures
        return {"headline": [h.to_dict() for h in self.headline], "figures": [f.to_dict() for f in items],
                "changed": len(self.changed()), "total": len(self.figures)}

    def headline_table(self, title: str = "Headline", max_nodes: int = HEADLINE_TABLE_NODES) -> Table:
        """The headline figures with before, after, change and % change (``n/a`` where before is 0).

        At most ``max_nodes`` touched nodes are shown: those whose revenue at risk or net moves most
        (JSON has every one).
        """
        per_node: dict[str, float] = {}
        for h in self.headline:
            if h.figure in ("revenue_at_risk", "net"):
                per_node[h.item] = max(per_node.get(h.item, 0.0), abs(h.change or 0.0))
        shown = set(sorted(per_node, key=lambda n: -per_node[n])[:max_nodes])
        rows, row_kinds = [], []
        for h in self.headline:
            if h.figure in ("revenue_at_risk", "net") and h.item not in shown:
                continue
            pct = h.pct_change
            rows.append([h.label, "(added)" if h.before is None else h.before,
                         "(removed)" if h.after is None else h.after, h.change,
                         "n/a" if pct is None else pct])
            row_kinds.append(HEADLINE_KINDS.get(h.figure))
        hidden = len(per_node) - len(shown)
        note = (f"{hidden:,} more touched node(s) with smaller changes: --format json lists every one"
                if hidden else None)
        return Table(title, ["figure", "before", "after", "change", "change %"], rows, note,
                     kinds=["text", None, None, None, "percent"], currency=self.currency,
                     money_unit=self.money_unit, row_kinds=row_kinds)

    def tables(self, changed_only: bool = False, title: str = "Figures") -> list[Table]:
        """One table per section in :data:`SECTION_ORDER` (rank-only changes last), without the headline
        figures (see :meth:`headline_table`)."""
        shown = {h.key for h in self.headline}
        by_section: dict[str, list] = {}
        for f in (self.changed() if changed_only else self.figures):
            if (f.section, f.item, f.figure) not in shown:
                by_section.setdefault(f.group, []).append([f.item, f.figure, f.before, f.after, f.change,
                                                           f.pct_change, f.status, f.section])
        n_changed = len(self.changed())
        note = f"{n_changed:,} of {len(self.figures):,} figures changed (headline figures included)"
        columns = ["item", "figure", "before", "after", "change", "change %", "status"]
        kinds = ["text", "text", None, None, None, "percent", "text"]
        out = [Table(f"{title}: {'ranks' if section == 'rank' else section}", columns,
                     [row[:-1] for row in by_section[section]], kinds=kinds, currency=self.currency,
                     money_unit=self.money_unit,
                     row_kinds=[figure_kind(row[-1], row[1]) for row in by_section[section]])
               for section in section_order() if section in by_section]
        if out:
            out[-1].note = note
        else:
            out.append(Table(title, columns, [], note))
        return out


def figures(a: Analysis) -> dict[tuple, float]:
    """Every number of an analysis keyed by ``(section, item, figure)``: each registered section's
    ``figures`` hook, in registry order."""
    out: dict[tuple, float] = {}
    for section, result in a.present():
        if section.figures is not None:
            for item, figure, value in section.figures(result):
                out[(section.name, item, figure)] = value
    return out


def compare(before: Analysis, after: Analysis, touched: Iterable[str] = (),
            names: dict[str, str] | None = None) -> Comparison:
    """Every figure of ``before`` and ``after`` (figures of only one side appear as added/removed),
    in :data:`SECTION_ORDER`, and the :func:`headline` of the ``touched`` nodes."""
    fb, fa = figures(before), figures(after)
    keys = list(fb) + [k for k in fa if k not in fb]
    order = {s: i for i, s in enumerate(section_order())}
    keys.sort(key=lambda k: order["rank" if k[2] == "rank" else k[0]])  # stable: model order within a section
    comparison = Comparison([FigureChange(s, i, f, fb.get((s, i, f)), fa.get((s, i, f))) for s, i, f in keys])
    comparison.headline = headline(comparison, touched, names)
    comparison.currency = before.model.get("currency") or ""
    comparison.money_unit = before.model.get("money_unit")
    return comparison


def money_note(model: dict) -> str:
    """`` (money in EUR million, 2024)`` from a model's currency, money_unit and period ('' when none is set).

    >>> money_note({"currency": "EUR", "period": "2023"}), money_note({})
    (' (money in EUR, 2023)', '')
    """
    unit = " ".join(str(model[k]) for k in ("currency", "money_unit") if model.get(k))
    period = model.get("period")
    if not unit:
        return f" (period {period})" if period else ""
    return f" (money in {unit}, {period})" if period else f" (money in {unit})"


def touched_nodes(G: nx.MultiDiGraph, remove: Iterable[str] = (), scale: Iterable[str] = ()) -> list[str]:
    """The nodes a what-if touches: removed or scaled nodes, and both ends of a removed or scaled relationship.

    >>> G = nx.MultiDiGraph(); _ = G.add_edge("fans", "shop", key="p1", id="p1", type="PAYS", amount=1.0)
    >>> touched_nodes(G, remove=["p1"], scale=["shop"])
    ['fans', 'shop']
    """
    rels = _relationship_index(G)
    out: list[str] = []
    for ident in list(remove) + list(scale):
        if ident in G:
            out.append(ident)
        elif ident in rels:
            out += [rels[ident][0], rels[ident][1]]
    return list(dict.fromkeys(out))


def node_names(*graphs: nx.MultiDiGraph) -> dict[str, str]:
    """Node id -> display name over the graphs (the first that has the node wins)."""
    out: dict[str, str] = {}
    for G in reversed(graphs):
        out.update({n: d.get("name") or n for n, d in G.nodes(data=True)})
    return out


MAX_SCALE_FACTOR = 1e6
"""The largest what-if factor: amounts (at most 1e18) scaled by it stay far from float overflow."""


def parse_scale(specs: Iterable[str]) -> dict[str, float]:
    """``["aws=0.5"]`` -> ``{"aws": 0.5}``; UsageError on a malformed item."""
    out: dict[str, float] = {}
    for spec in specs:
        ident, sep, factor = spec.rpartition("=")
        try:
            value = float(factor)
        except ValueError:
            value = None
        if not sep or not ident or value is None or not 0 <= value <= MAX_SCALE_FACTOR:
            raise UsageError(f"--scale '{spec}' must be ID=FACTOR with a factor from 0 to {MAX_SCALE_FACTOR:,.0f}, "
                             f"e.g. --scale aws=0.5")
        out[ident] = value
    return out


def _relationship_index(G: nx.MultiDiGraph) -> dict[str, tuple]:
    return {d["id"]: (u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if d.get("id")}


def _unknown(ident: str, G: nx.MultiDiGraph, rels: dict, option: str) -> UsageError:
    from ..validation import suggest

    hint = suggest(ident, list(G.nodes) + list(rels))
    return UsageError(f"{option} '{ident}': no node or relationship has this id"
                      + (f"; did you mean '{hint}'?" if hint else ""))


def apply_changes(G: nx.MultiDiGraph, remove: Iterable[str] = (), scale: dict[str, float] | None = None
                  ) -> tuple[nx.MultiDiGraph, list[str]]:
    """A changed copy of ``G`` and a description of each change.

    ``remove``: node ids (with their relationships) or relationship ids; a linked PAYS whose
    ``share_of`` flow goes is removed too (the chain stops), each listed. ``scale``: a node id
    multiplies every PAYS amount into and out of the node (``count`` too, so count x price still holds)
    except linked ones; a relationship id multiplies its :data:`SCALED_PROPERTY`. A node id wins over a
    relationship id. Linked amounts are derived again afterwards, so they follow their flows.

    A ranged value scales with its low and high (the graph's ``assumptions``); the assumptions of removed
    nodes and relationships go with them.
    """
    H = G.copy()
    if "assumptions" in G.graph:
        H.graph["assumptions"] = list(G.graph["assumptions"])  # G.copy() shares the list; G stays as it was
    rels = _relationship_index(G)
    done: list[str] = []
    for ident in scale or {}:
        factor = scale[ident]
        if ident in H:
            edges = [(u, v, k) for u, v, k, d in H.in_edges(ident, keys=True, data=True) if _own_pays(d)]
            edges += [(u, v, k) for u, v, k, d in H.out_edges(ident, keys=True, data=True) if _own_pays(d)]
            for u, v, k in edges:
                _scale_edge(H[u][v][k], "amount", factor, ident)
                _scale_assumptions(H, (u, v, k), ("amount", "count"), factor, ident)
            done.append(f"scaled the {len(edges)} payment(s) of node '{ident}' by {factor:g}")
        elif ident in rels:
            u, v, k = rels[ident]
            data = H[u][v][k]
            prop = SCALED_PROPERTY.get(data.get("type"))
            if data.get("type") == "PAYS" and data.get("share_of") is not None:
                raise UsageError(f"--scale '{ident}': this PAYS is a linked flow, share {data.get('share'):g} of "
                                 f"'{data['share_of']}'; scale '{data['share_of']}' (the flow it is a share of) "
                                 f"or change its share in the model")
            if prop is None or data.get(prop) is None:
                raise UsageError(f"--scale '{ident}': this {data.get('type')} relationship has no "
                                 f"{prop or 'number'} to scale")
            _scale_edge(data, prop, factor, ident)
            _scale_assumptions(H, (u, v, k), (prop, "count") if prop == "amount" else (prop,), factor, ident)
            if data.get("type") == "CONVERTS_TO":
                total = sum(d.get("rate") or 0.0 for _, _, d in H.out_edges(u, data=True)
                            if d.get("type") == "CONVERTS_TO")
                if total > 1 + 1e-9:
                    raise UsageError(f"--scale '{ident}': conversion rates leaving '{u}' would sum to "
                                     f"{total:g}; they must not exceed 1")
                highs = _rate_highs(H, u)
                if highs > 1 + 1e-9:
                    raise UsageError(f"--scale '{ident}': conversion rates leaving '{u}' would sum to "
                                     f"{highs:g} at their highs; they must not exceed 1")
            done.append(f"scaled {prop} of relationship '{ident}' by {factor:g}")
        else:
            raise _unknown(ident, G, rels, "--scale")
    for ident in remove:
        if ident in H:
            degree = H.degree(ident)
            gone = [d["id"] for _, _, d in H.edges(ident, data=True) if d.get("type") == "PAYS" and d.get("id")]
            gone += [d["id"] for _, _, d in H.in_edges(ident, data=True) if d.get("type") == "PAYS" and d.get("id")]
            H.remove_node(ident)
            done.append(f"removed node '{ident}' and its {degree} relationship(s)")
            _stop_chains(H, gone, done)
        elif ident in rels:
            u, v, k = rels[ident]
            if H.has_edge(u, v, k):
                H.remove_edge(u, v, k)
            done.append(f"removed relationship '{ident}' ({u} -> {v})")
            _stop_chains(H, [ident], done)
        elif ident in G:
            continue  # removed twice
        else:
            raise _unknown(ident, G, rels, "--remove")
    resolve_linked_amounts(H)
    if H.graph.get("assumptions"):
        H.graph["assumptions"] = [a for a in H.graph["assumptions"]
                                  if (a.key in H if a.owner == "node" else H.has_edge(a.source, a.target, a.key))]
    return H, done


def _scale_assumptions(H: nx.MultiDiGraph, edge: tuple, props: tuple[str, ...], factor: float, ident: str) -> None:
    """Scale low, base and high of the ranged ``props`` of ``edge`` as :func:`_scale_edge` scales its number."""
    assumptions = H.graph.get("assumptions")
    if not assumptions:
        return
    u, v, k = edge
    for i, a in enumerate(assumptions):
        if a.owner == "relationship" and (a.source, a.target, a.key) == (u, v, k) and a.property in props:
            if a.property not in ("amount", "count", "switching_cost", "price") and a.high * factor > 1:
                raise UsageError(f"--scale '{ident}': the high of {a.property}, {a.high:g} x {factor:g} = "
                                 f"{a.high * factor:g}, exceeds 1")
            assumptions[i] = replace(a, low=a.low * factor, base=a.base * factor, high=a.high * factor)


def _rate_highs(H: nx.MultiDiGraph, stage: str) -> float:
    """Σ of the CONVERTS_TO rates out of ``stage``, each at its high where it has a range."""
    highs = {(a.source, a.target, a.key): a.high for a in H.graph.get("assumptions") or []
             if a.owner == "relationship" and a.property == "rate"}
    return sum(highs.get((stage, t, k), d.get("rate") or 0.0) for _, t, k, d in H.out_edges(stage, keys=True, data=True)
               if d.get("type") == "CONVERTS_TO")


def _own_pays(d: dict) -> bool:
    """A PAYS with its own amount (not a linked flow, which follows its share_of flow)."""
    return d.get("type") == "PAYS" and d.get("share_of") is None


def _stop_chains(H: nx.MultiDiGraph, flow_ids: list[str], done: list[str]) -> None:
    """Remove the linked PAYS that are (through chains) shares of removed flows, each listed in ``done``."""
    for u, v, k in linked_to(H, flow_ids):
        d = H[u][v][k]
        name = d.get("id") or f"{u} -> {v} {k}"
        H.remove_edge(u, v, k)
        done.append(f"removed linked flow '{name}' ({u} -> {v}): a share of '{d['share_of']}', which is gone")


def _scale_edge(data: dict, prop: str, factor: float, ident: str) -> None:
    value = float(data[prop]) * factor
    if prop != "amount" and prop != "switching_cost" and value > 1:
        raise UsageError(f"--scale '{ident}': {prop} {data[prop]:g} x {factor:g} = {value:g} exceeds 1")
    data[prop] = value
    if prop == "amount" and data.get("count") is not None:
        data["count"] = float(data["count"]) * factor


@dataclass
class Scenario:
    """A what-if: the changes applied, both analyses and every figure compared."""

    changes: list[str]
    before: Analysis
    after: Analysis
    comparison: Comparison

    def to_dict(self, changed_only: bool = False) -> dict[str, Any]:
        comparison = self.comparison.to_dict(changed_only)
        return {"format_version": FORMAT_VERSION, "model": self.before.model,
                "headline": comparison.pop("headline"), "changes": self.changes, **comparison}

    def tables(self, changed_only: bool = False) -> list[Table]:
        """The headline first, then the changes applied, then every section (:meth:`Comparison.tables`)."""
        head = Table("What-if", ["change"], [[c] for c in self.changes])
        title = "What-if headline" + money_note(self.before.model)
        return [self.comparison.headline_table(title), head] + self.comparison.tables(changed_only)


def whatif(G: nx.MultiDiGraph, *, remove: Iterable[str] = (), scale: dict[str, float] | None = None,
           **analyze_options) -> Scenario:
    """Apply the changes, analyse before and after, compare every figure.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("shop", kind="core", name="Shop"); G.add_node("fans", kind="segment", name="Fans")
    >>> _ = G.add_edge("fans", "shop", key="p1", id="p1", type="PAYS", amount=10.0)
    >>> s = whatif(G, scale={"p1": 0.5}, only="revenue")
    >>> [(f.before, f.after) for f in s.comparison.figures if f.figure == "core_revenue"]
    [(10.0, 5.0)]
    """
    remove = list(remove)
    H, changes = apply_changes(G, remove, scale)
    before = analyze(G, **analyze_options)
    after = analyze(H, **analyze_options)
    comparison = compare(before, after, touched_nodes(G, remove, scale or {}), node_names(G))
    return Scenario(changes=changes, before=before, after=after, comparison=comparison)
