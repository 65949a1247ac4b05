"""Analyses of an ecosystem graph: centrality, keystones, revenue flows, lock-in, funnel, what-if, diff.

Every analysis is a free function over the ``MultiDiGraph`` of :func:`ecosystem_graph.graph.to_networkx`
that returns plain dataclasses and never prints; :func:`analyze` runs the ones asked for and bundles them
in an :class:`Analysis`, which renders itself as JSON data or as :class:`~ecosystem_graph.tables.Table` s.
The formulas are in ``docs/metrics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import networkx as nx

from ..errors import UsageError
from ..gc_pause import gc_paused
from ..numbers import format_count, format_money, format_share
from ..tables import Table
# Submodules stay reachable under their own names (``analysis.centrality.centrality(G)``): import the
# modules, never functions of the same name.
from . import centrality, funnel, keystones, lockin, revenue
from .binding import BindingIndex, collapsed, edge_list, money_reference
from .centrality import CentralityResult
from .funnel import FunnelResult
from .keystones import KeystoneResult
from .lockin import DEFAULT_MAX_PATHS, LockinResult
from .revenue import RevenueResult

__all__ = ["SECTIONS", "FORMAT_VERSION", "Analysis", "analyze", "parse_only"]

FORMAT_VERSION = 2
SECTIONS = ("centrality", "keystones", "revenue", "lockin", "funnel")


def parse_only(only: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"revenue,lockin"`` -> ``("revenue", "lockin")`` in canonical order; UsageError on unknown names."""
    if only is None:
        return SECTIONS
    names = [x.strip() for x in (only.split(",") if isinstance(only, str) else only) if x.strip()]
    from ..validation import suggest

    for name in names:
        if name not in SECTIONS:
            hint = suggest(name, SECTIONS)
            raise UsageError(f"unknown analysis '{name}' in --only; expected some of {', '.join(SECTIONS)}"
                             + (f"; did you mean '{hint}'?" if hint else ""))
    if not names:
        raise UsageError(f"--only needs at least one of {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in names)


NOTEBOOK_ROWS = 25
"""Rows per table when an Analysis shows itself in a notebook."""


@dataclass
class Analysis:
    """The results of :func:`analyze`: one attribute per section, None when not asked for (``funnel``
    is also None when the model has no CONVERTS_TO)."""

    model: dict = field(default_factory=dict)  # name, currency, period, money_unit, nodes, relationships
    sections: tuple = SECTIONS
    options: dict = field(default_factory=dict)  # seed, depth, max_paths
    centrality: CentralityResult | None = None
    keystones: KeystoneResult | None = None
    revenue: RevenueResult | None = None
    lockin: LockinResult | None = None
    funnel: FunnelResult | None = None

    # ------------------------------------------------------------------------------- ordering

    def ranked_centrality(self):
        return sorted(self.centrality.nodes, key=lambda n: -n.pagerank) if self.centrality else []

    def ranked_revenue_nodes(self):
        return sorted(self.revenue.nodes, key=lambda n: (-n.inflow, -n.outflow)) if self.revenue else []

    def ranked_segments(self):
        return sorted(self.lockin.segments, key=lambda s: -s.index) if self.lockin else []

    # ------------------------------------------------------------------------------------ JSON

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """The JSON document of ``ecograph analyze`` (``"format_version": 2``); lists ranked, cut to
        ``top`` items when given."""

        def cut(items):
            return list(items)[:top] if top is not None else list(items)

        out: dict[str, Any] = {"format_version": FORMAT_VERSION, "model": self.model, "options": self.options}
        if self.centrality is not None:
            out["centrality"] = self.centrality.to_dict(cut(self.ranked_centrality()))
        if self.keystones is not None:
            out["keystones"] = self.keystones.to_dict(cut(self.keystones.nodes))
        if self.revenue is not None:
            out["revenue"] = self.revenue.to_dict(cut(self.ranked_revenue_nodes()))
        if self.lockin is not None:
            out["lockin"] = self.lockin.to_dict(cut(self.ranked_segments()))
        if self.funnel is not None:
            f = self.funnel.to_dict()
            f["funnels"] = cut(f["funnels"])
            out["funnel"] = f
        return out

    # ---------------------------------------------------------------------------------- tables

    def _repr_html_(self) -> str:
        """The tables as HTML for notebooks (Jupyter, VS Code), the first 25 rows of each, every cell escaped."""
        from ..tables import tables_to_html

        return tables_to_html(self.tables(top=NOTEBOOK_ROWS))

    def tables(self, top: int | None = None) -> list[Table]:
        """Every section as tables (the terminal, CSV and Markdown outputs), ``top`` rows each."""

        def cut(items):
            return list(items)[:top] if top is not None else list(items)

        def more(total: int, what: str) -> str | None:
            return f"top {top} of {total:,} {what}" if top is not None and total > top else None

        out: list[Table] = []
        money = _money_label(self.model)
        # every table knows what each column holds and the money's currency and unit
        Table = _tables_for(self.model)
        if self.centrality is not None:
            c = self.centrality
            rows = [[n.id, n.name, n.kind, n.in_degree, n.out_degree, n.betweenness, n.closeness, n.pagerank,
                     n.eigenvector] for n in cut(self.ranked_centrality())]
            out.append(Table("Centrality: where the money ends up",
                             ["id", "name", "kind", "in", "out", "betweenness", "closeness", "pagerank",
                              "eigenvector"], rows,
                             _join(CENTRALITY_NOTE, more(len(c.nodes), "nodes, by PageRank"), c.note),
                             kinds=[_T, _T, _T, _C, _C, _N, _N, _N, _N]))
        if self.keystones is not None:
            k = self.keystones
            rows = [[n.rank, n.id, n.name, n.kind, 100 * n.impact, n.revenue_at_risk, 100 * n.revenue_share,
                     n.core_revenue_at_risk, n.segments_cut_off, 100 * n.lockin_share, n.pairs_cut_off]
                    for n in cut(k.nodes)]
            out.append(Table("Keystones: what the ecosystem would lose without each actor",
                             ["rank", "id", "name", "kind", "removal impact (%)", f"revenue at risk{money}",
                              "% of ecosystem revenue", f"core revenue at risk{money}", "segments cut off",
                              "% of lock-in lost", "pairs cut off"], rows,
                             _join(KEYSTONE_NOTE, more(len(k.nodes), "nodes")),
                             kinds=[_C, _T, _T, _T, _P, _M, _P, _M, _C, _P, _C]))
        if self.revenue is not None:
            out.extend(self._revenue_tables(cut, more, money, Table))
        if self.lockin is not None:
            out.extend(self._lockin_tables(cut, more, Table))
        if self.funnel is not None:
            out.extend(self._funnel_tables(top, money, Table))
        return out

    def _revenue_tables(self, cut, more, money, Table) -> list[Table]:
        r = self.revenue
        out = []
        summary = [["ecosystem revenue (segments and partners into cores, satellites, channels)",
                    r.ecosystem_revenue],
                   ["core revenue", r.core_revenue],
                   ["ecosystem payouts (offerings to segments and partners)", r.ecosystem_payouts],
                   ["ecosystem net (revenue - payouts)", r.ecosystem_net],
                   ["revenue through direct bindings", r.direct_revenue],
                   ["revenue from payers without a binding path", r.unbound_revenue],
                   ["HHI over payers (0-10,000)", r.hhi.get("payers")],
                   ["HHI over payees (0-10,000)", r.hhi.get("payees")]]
        out.append(Table("Revenue", ["figure", f"value{money}"], summary, r.note, kinds=[_T, _M],
                         row_kinds=[None] * 6 + [_N, _N]))  # the HHIs are no money
        total = r.ecosystem_revenue or 0.0
        kinds = {n.id: n.kind for n in r.nodes}
        offerings = sorted(r.revenue_by_offering.items(), key=lambda kv: -kv[1])
        out.append(Table("Revenue by offering", ["offering", "kind", f"revenue{money}", "% of ecosystem revenue"],
                         [[n, kinds.get(n), a, 100 * a / total if total else None] for n, a in cut(offerings)],
                         more(len(offerings), "offerings"), kinds=[_T, _T, _M, _P]))
        if r.pass_through:
            out.append(Table("Pass-through (received and paid on)", ["id", "kind", f"pass-through{money}"],
                             [[n, kinds.get(n), a] for n, a in r.pass_through.items()], kinds=[_T, _T, _M]))
        out.append(Table("Revenue by stream", ["stream", f"amount{money}", "% of ecosystem revenue"],
                         [[s, a, 100 * a / total if total else None] for s, a in r.by_stream.items()],
                         kinds=[_T, _M, _P]))
        seg = list(r.by_segment.items())
        out.append(Table("Revenue by paying segment", ["segment", f"amount{money}", "% of ecosystem revenue"],
                         [[s, a, 100 * a / total if total else None] for s, a in cut(seg)],
                         more(len(seg), "segments"), kinds=[_T, _M, _P]))
        dep = sorted(r.dependency.items(), key=lambda kv: -kv[1])
        out.append(Table("Revenue depending on satellites and channels",
                         ["id", "kind", f"dependent revenue{money}", "% of ecosystem revenue"],
                         [[n, kinds.get(n), r.dependent_revenue[n], 100 * s] for n, s in cut(dep)],
                         more(len(dep), "satellites and channels"), kinds=[_T, _T, _M, _P]))
        pays = sorted(r.payments, key=lambda p: -p["amount"])
        out.append(Table("Payments", ["id", "from", "to", f"amount{money}", "stream", "share of", "share"],
                         [[p["id"], p["from"], p["to"], p["amount"], p["stream"], p["share_of"], p["share"]]
                          for p in cut(pays)], more(len(pays), "payments, by amount"),
                         kinds=[_T, _T, _T, _M, _T, _T, _S]))
        out.append(Table("Money flows per node", ["id", "kind", f"inflow{money}", f"outflow{money}", f"net{money}"],
                         [[n.id, n.kind, n.inflow, n.outflow, n.net] for n in cut(self.ranked_revenue_nodes())],
                         more(len(r.nodes), "nodes, by inflow"), kinds=[_T, _T, _M, _M, _M]))
        return out

    def _lockin_tables(self, cut, more, Table) -> list[Table]:
        lk = self.lockin
        ranked = cut(self.ranked_segments())
        rows = [[s.id, s.name, s.index, s.min_cut, s.disjoint_paths, s.mechanisms,
                 _short([v for _, v, _ in s.cut_edges]), f"{len(s.paths)}{'+' if s.paths_truncated else ''}"]
                for s in ranked]
        out = [Table("Lock-in", ["segment", "name", "index (0-100)", "min cut", "disjoint paths", "mechanisms",
                                 "cut bindings (to)", "paths"], rows,
                     _join(more(len(lk.segments), "segments, by index"), lk.note),
                     kinds=[_T, _T, _I, _I, _C, _T, _T, _T])]
        path_rows = []
        for s in ranked:
            for p in s.paths:
                path_rows.append([s.id, " -> ".join(p.nodes), " ".join(p.types), p.total_switching_cost])
        out.append(Table("Binding paths", ["segment", "path", "relationships", "switching cost"], path_rows,
                         kinds=[_T, _T, _T, _I]))
        return out

    def _funnel_tables(self, top, money, Table) -> list[Table]:
        funnels = self.funnel.funnels
        shown = funnels[:top] if top is not None else funnels
        rows = []
        for f in shown:
            lever, low = f.biggest_lever, f.bottleneck
            rows.append([f.entry, f.finals, len(f.stages), f.conversion,
                         f"{lever.source}->{lever.target}" if lever else None,
                         lever.elasticity if lever else None,
                         f"{low.source}->{low.target} ({format_share(low.rate)})" if low else None,
                         f.revenue_per_entrant, f.expected_converted])
        notes = ["elasticity: % more converted per 1% more of the lever's rate; the lowest rate is often a side "
                 "branch, not the lever"]
        if top is not None and len(funnels) > top:
            notes.insert(0, f"top {top} of {len(funnels):,} funnels")
        out = [Table("Funnels", ["entry", "final stages", "stages", "conversion", "biggest lever", "elasticity",
                                 "lowest rate", f"revenue per entrant{money}", "expected converted"], rows, "; ".join(notes),
                     kinds=[_T, _T, _C, _S, _T, _I, _T, _M, _C])]
        if shown and shown[0].biggest_lever is not None:
            out[0].note = _lever_headline(shown[0], self.model) + ". " + out[0].note
        detail = shown[:3]
        for f in detail:
            out.append(Table(f"Funnel from {f.entry}",
                             ["stage", "name", "size", "expected members", "reaches final", "drop rate",
                              f"revenue per member{money}"],
                             [[s.id, s.name, s.size, s.expected_members, s.reach_final, s.drop_rate,
                               s.revenue_per_member] for s in f.stages], kinds=[_T, _T, _C, _C, _S, _S, _M]))
            capped = any(x.capped for x in f.levers)
            out.append(Table(f"Levers of the funnel from {f.entry}",
                             ["step", "rate", "elasticity", "extra converted per +1 point",
                              "extra converted per +10% of the rate", f"extra revenue per +10%{money}", "capped"],
                             [[f"{x.source}->{x.target}", x.rate, x.elasticity, x.extra_converted_per_point,
                               x.extra_converted_per_10pct, x.extra_revenue_per_10pct, x.capped] for x in f.levers],
                             "ranked by elasticity (% more converted per 1% more of the step's rate); +1 point: "
                             "the rate plus 0.01, +10%: the rate times 1.1, every other rate kept" + (
                                 "; capped: the stage's rates out would pass 1, so the raise stops at 1"
                                 if capped else ""), kinds=[_T, _S, _I, _C, _C, _M, _T]))
        if len(shown) > len(detail):
            out[-1].note = f"stage tables of the first {len(detail)} funnels; every funnel is in the JSON output"
        return out


def _lever_headline(f, model: dict) -> str:
    """One sentence naming the biggest lever of funnel ``f`` and what 10% more of its rate brings."""
    x = f.biggest_lever
    more = x.extra_converted_per_10pct
    gain = f"{format_count(more)} more converted"
    if f.expected_converted:
        gain += f" (+{format_share(more / f.expected_converted)})"
    if x.extra_revenue_per_10pct is not None:
        amount = format_money(x.extra_revenue_per_10pct, model.get("currency"), model.get("money_unit"))
        gain += f" and {amount} more revenue"
    return (f"Biggest lever of the funnel from {f.entry}: {x.source}->{x.target} (rate {format_share(x.rate)}); "
            f"raising it by "
            f"10% of itself gives {gain}" + (" (capped: the stage's rates out reach 1)" if x.capped else ""))


# column kinds (ecosystem_graph.numbers.KINDS)
_T, _M, _P, _S, _C, _I, _N = "text", "money", "percent", "share", "count", "index", "number"


def _tables_for(model: dict):
    """``Table`` with the model's currency and money unit filled in."""
    from functools import partial

    return partial(Table, currency=model.get("currency") or "", money_unit=model.get("money_unit"))


def _short(items: list, at_most: int = 4) -> list:
    return items if len(items) <= at_most else items[:at_most] + [f"+{len(items) - at_most} more"]


def _money_label(model: dict) -> str:
    cur, unit = model.get("currency"), model.get("money_unit")
    label = " ".join(x for x in (cur, unit) if x)
    return f" ({label})" if label else ""


KEYSTONE_NOTE = ("Ranked by removal impact: the average of the shares of ecosystem revenue, of segments bound "
                 "to a core, of lock-in and of connected pairs of actors that the ecosystem loses without the actor")
"""What the keystone ranking measures, in client words (tables, report, render)."""

CENTRALITY_NOTE = ("PageRank follows the money and the bindings to where they end up, so suppliers paid by the "
                   "ecosystem rank high; for who holds the ecosystem together, see the keystones")
"""What the PageRank ranking measures, in client words."""


def _join(*notes) -> str | None:
    text = "; ".join(n for n in notes if n)
    return text or None


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

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    model = {k: G.graph.get(k) for k in ("name", "currency", "period", "money_unit")}
    # The analyses allocate millions of small objects next to a large graph: the cyclic garbage
    # collector would scan the whole heap again and again (a third of the run time at 100,000 nodes)
    # while nothing here creates garbage cycles worth collecting. Paused for the run, then restored.
    betweenness = None
    with gc_paused():
        try:
            if "centrality" in sections:
                # first, so that a child process can compute it while this one does everything else
                betweenness = centrality.start_betweenness(G, sample_above=sample_above, seed=seed,
                                                           background=parallel)
            index = None
            edges = edge_list(G)  # one pass over the relationships, shared by every section
            model.update(nodes=G.number_of_nodes(), relationships=len(edges))
            result = Analysis(model=model, sections=sections,
                              options={"seed": seed, "depth": depth, "max_paths": max_paths, "top": top})
            if {"keystones", "revenue", "lockin"} & set(sections):
                step("binding network")
                index = BindingIndex(G, depth=depth, max_paths=max_paths, edges=edges)
            if "revenue" in sections:
                step("revenue flows")
                result.revenue = revenue.revenue_flows(G, index=index)
            if "lockin" in sections:
                step("lock-in")
                result.lockin = lockin.lockin(G, index=index)
            if "keystones" in sections:
                step("keystones")
                result.keystones = keystones.keystones(G, index=index, lockin_result=result.lockin)
            if "funnel" in sections:
                step("funnel")
                if index is not None:  # only the relationships the funnel reads (each type in model order)
                    by_type = index.by_type
                    result.funnel = funnel.funnel(G, edges=by_type.get("CONVERTS_TO", []) + by_type.get("PAYS", []))
                else:
                    result.funnel = funnel.funnel(G, edges=edges)
            if betweenness is not None:  # last: the betweenness may still be on its way from the child
                step("centrality")
                # the binding index has the payments at hand: the money reference without another pass
                ref = money_reference(G, index.by_type.get("PAYS", [])) if index is not None else None
                result.centrality = centrality.centrality(G, sample_above=sample_above, seed=seed,
                                                          C=collapsed(G, edges, money_ref=ref), edges=edges,
                                                          betweenness=betweenness)
        finally:
            if betweenness is not None:
                betweenness.close()
    return result
