"""The shipped examples give figures a reader can check against the files."""

from pathlib import Path

import pytest
import yaml

from ecosystem_graph.analysis import analyze
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import to_networkx

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def raw(name):
    """The file's plain data, a range ``{low, base, high}`` read as its base (as every analysis reads it)."""
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    for item in data["nodes"] + data["relationships"]:
        for key, value in item.items():
            if isinstance(value, dict) and "base" in value:
                item[key] = value["base"]
    return data


def with_amounts(data):
    """Every PAYS of the file with its money in ``amount``: a linked flow's is share x its share_of flow's."""
    by_id = {r["id"]: r for r in data["relationships"] if r.get("id")}

    def money(r):
        if "share_of" in r:
            return r["share"] * money(by_id[r["share_of"]])
        return r["amount"] if "amount" in r else r["count"] * r["price"]

    return [{**r, "amount": money(r)} for r in data["relationships"] if r["type"] == "PAYS"]


def test_amazon_revenue_matches_the_file():
    data = raw("amazon.yaml")
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    pays = with_amounts(data)
    into_cores = sum(r["amount"] for r in pays if kinds[r["to"]] == "core"
                     and kinds[r["from"]] in ("segment", "partner"))
    a = analyze(to_networkx(load_model(EXAMPLES / "amazon.yaml")))
    assert a.revenue.core_revenue == pytest.approx(into_cores)
    assert a.revenue.core_revenue == pytest.approx(sum(r["amount"] for r in pays if kinds[r["to"]] == "core"
                                                       and kinds[r["from"]] != "core"))
    streams = {}
    for r in pays:
        if kinds[r["from"]] in ("segment", "partner") and kinds[r["to"]] in ("core", "satellite", "channel"):
            streams[r["stream"]] = streams.get(r["stream"], 0) + r["amount"]
    assert a.revenue.by_stream == pytest.approx(streams)
    # all the core's revenue is at risk without it (its core part); the ecosystem revenue at risk is at least that
    core = a.keystones.by_id()["online-retail"]
    assert core.core_revenue_at_risk == pytest.approx(into_cores) and core.revenue_at_risk >= into_cores - 1e-9
    # the keystones are ranked by removal impact; the core, which cuts off every segment, leads
    assert a.keystones.nodes[0].impact == max(k.impact for k in a.keystones.nodes)
    assert a.keystones.nodes[0].id == "online-retail"
    # every USES of prime members to something that leads to the core is in its cut
    seg = a.lockin.by_id()["prime-members"]
    uses = [r for r in data["relationships"] if r["type"] == "USES" and r["from"] == "prime-members"]
    assert seg.min_cut == pytest.approx(sum(r.get("switching_cost", 0) for r in uses
                                            if (r["from"], r["to"]) in {(u, v) for u, v, _ in seg.cut_edges}))
    assert a.lockin.by_id()["prime-members"].index >= max(s.index for s in a.lockin.segments) - 1e-9


def test_newspaper_funnel_matches_the_file():
    data = raw("newspaper-funnel.yaml")
    steps = [r for r in data["relationships"] if r["type"] == "CONVERTS_TO"]
    nxt = {}
    for r in steps:
        nxt.setdefault(r["from"], []).append((r["to"], r["rate"]))

    def reach(stage):  # independent oracle: recursion over the (acyclic) steps of the file
        return 1.0 if stage not in nxt else sum(rate * reach(t) for t, rate in nxt[stage])

    entry = next(r["from"] for r in steps if r["from"] not in {x["to"] for x in steps})
    a = analyze(to_networkx(load_model(EXAMPLES / "newspaper-funnel.yaml")), only="funnel,revenue")
    f = a.funnel.funnels[0]
    assert f.entry == entry and f.conversion == pytest.approx(reach(entry))
    assert f.bottleneck.rate == min(r["rate"] for r in steps)
    sizes = {n["id"]: n.get("size") for n in data["nodes"]}
    assert f.stages[0].expected_members == sizes[entry]
