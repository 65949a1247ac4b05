"""The revenue section: money flows, ecosystem revenue and its split, dependency and concentration."""

from __future__ import annotations

from collections import Counter

from .. import revenue
from ..section_tables import MONEY, NUMBER, PERCENT, SHARE, TEXT, cut, money_label, more, ranked_to_dict, table_for
from ..sections import AnalysisSection, SectionContext, register

__all__ = ["SECTION", "ranked"]

ECOSYSTEM_FIGURES = ("ecosystem_revenue", "core_revenue", "ecosystem_payouts", "ecosystem_net", "direct_revenue",
                     "unbound_revenue")


def ranked(result) -> list:
    """The nodes by inflow, then outflow, highest first."""
    return sorted(result.nodes, key=lambda n: (-n.inflow, -n.outflow)) if result else []


def _run(ctx: SectionContext):
    return revenue.revenue_flows(ctx.G, index=ctx.index)


def _tables(r, model, top):
    Table = table_for(model)
    money = money_label(model)
    out = []
    summary = [["ecosystem revenue (segments and partners into cores, satellites, channels)", r.ecosystem_revenue],
               ["core revenue", r.core_revenue],
               ["ecosystem payouts (offerings to segments and partners)", r.ecosystem_payouts],
               ["ecosystem net (revenue - payouts)", r.ecosystem_net],
               ["revenue through direct bindings", r.direct_revenue],
               ["revenue from payers without a binding path", r.unbound_revenue],
               ["HHI over payers (0-10,000)", r.hhi.get("payers")],
               ["HHI over payees (0-10,000)", r.hhi.get("payees")]]
    out.append(Table("Revenue", ["figure", f"value{money}"], summary, r.note, kinds=[TEXT, MONEY],
                     row_kinds=[None] * 6 + [NUMBER, NUMBER]))  # the HHIs are no money
    total = r.ecosystem_revenue or 0.0
    kinds = {n.id: n.kind for n in r.nodes}
    offerings = sorted(r.revenue_by_offering.items(), key=lambda kv: -kv[1])
    out.append(Table("Revenue by offering", ["offering", "kind", f"revenue{money}", "% of ecosystem revenue"],
                     [[n, kinds.get(n), a, 100 * a / total if total else None] for n, a in cut(offerings, top)],
                     more(len(offerings), "offerings", top), kinds=[TEXT, TEXT, MONEY, PERCENT]))
    if r.pass_through:
        out.append(Table("Pass-through (received and paid on)", ["id", "kind", f"pass-through{money}"],
                         [[n, kinds.get(n), a] for n, a in r.pass_through.items()], kinds=[TEXT, TEXT, MONEY]))
    out.append(Table("Revenue by stream", ["stream", f"amount{money}", "% of ecosystem revenue"],
                     [[s, a, 100 * a / total if total else None] for s, a in r.by_stream.items()],
                     kinds=[TEXT, MONEY, PERCENT]))
    seg = list(r.by_segment.items())
    out.append(Table("Revenue by paying segment", ["segment", f"amount{money}", "% of ecosystem revenue"],
                     [[s, a, 100 * a / total if total else None] for s, a in cut(seg, top)],
                     more(len(seg), "segments", top), kinds=[TEXT, MONEY, PERCENT]))
    dep = sorted(r.dependency.items(), key=lambda kv: -kv[1])
    out.append(Table("Revenue depending on satellites and channels",
                     ["id", "kind", f"dependent revenue{money}", "% of ecosystem revenue"],
                     [[n, kinds.get(n), r.dependent_revenue[n], 100 * s] for n, s in cut(dep, top)],
                     more(len(dep), "satellites and channels", top), kinds=[TEXT, TEXT, MONEY, PERCENT]))
    pays = sorted(r.payments, key=lambda p: -p["amount"])
    out.append(Table("Payments", ["id", "from", "to", f"amount{money}", "stream", "share of", "share"],
                     [[p["id"], p["from"], p["to"], p["amount"], p["stream"], p["share_of"], p["share"]]
                      for p in cut(pays, top)], more(len(pays), "payments, by amount", top),
                     kinds=[TEXT, TEXT, TEXT, MONEY, TEXT, TEXT, SHARE]))
    out.append(Table("Money flows per node", ["id", "kind", f"inflow{money}", f"outflow{money}", f"net{money}"],
                     [[n.id, n.kind, n.inflow, n.outflow, n.net] for n in cut(ranked(r), top)],
                     more(len(r.nodes), "nodes, by inflow", top), kinds=[TEXT, TEXT, MONEY, MONEY, MONEY]))
    return out


def _figures(r):
    for f in ECOSYSTEM_FIGURES:
        yield "(ecosystem)", f, float(getattr(r, f))
    for n, v in r.revenue_by_offering.items():
        yield n, "revenue_by_offering", v
    for n, v in r.pass_through.items():
        yield n, "pass_through", v
    # a relationship without id is keyed TYPE#n between its two nodes: named with them
    seen = Counter(p["id"] for p in r.payments)
    for p in r.payments:
        item = f"payment {p['id']}" if seen[p["id"]] == 1 else f"payment {p['from']} -> {p['to']} {p['id']}"
        yield item, "amount", p["amount"]
    for f in ("payers", "payees"):
        if r.hhi.get(f) is not None:
            yield "(ecosystem)", f"hhi_{f}", float(r.hhi[f])
    for s, v in r.by_stream.items():
        yield f"stream {s}", "amount", v
    for s, v in r.by_segment.items():
        yield s, "paid", v
    for n in r.nodes:
        for f in ("inflow", "outflow", "net"):
            yield n.id, f, float(getattr(n, f))
    for n, v in r.dependency.items():
        yield n, "dependency", v
        yield n, "dependent_revenue", r.dependent_revenue[n]


SECTION = register(AnalysisSection(
    name="revenue", description="money flows and concentration",
    run=_run, step="revenue flows", to_dict=ranked_to_dict(ranked), tables=_tables, figures=_figures,
    uses_binding_index=True,
    order=30, run_order=10, compare_order=10, title="Revenue"))
