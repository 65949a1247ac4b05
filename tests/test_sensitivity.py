"""ecograph sensitivity: Monte Carlo, tornado and Sobol over ranged values, by hand (closed forms), against
analyze (the base run, bit for bit) and against a naive reference (analyze re-run on a changed graph per draw).

The ranged values are given as Assumption-like dicts on graphs built directly, as ``to_networkx`` gives them.
"""

import json
import math

import networkx as nx
import numpy as np
import pytest

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.sensitivity import (MAX_SOBOL_BYTES, SensitivityEngine, assumption_records,
                                                  parse_sections, sobol_max_draws, sobol_memory,
                                                  quantile_values, sample_values, sensitivity)
from ecosystem_graph.errors import AnalysisError, UsageError
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import resolve_linked_amounts, to_networkx


def build(nodes, edges):
    """``nodes``: [(id, kind, {attrs})]; ``edges``: [(from, to, type, {properties})], keyed by ``id`` or TYPE#i."""
    G = nx.MultiDiGraph(currency="EUR", name="toy")
    for n, k, attrs in nodes:
        G.add_node(n, kind=k, name=n.title(), **attrs)
    for i, (u, v, t, props) in enumerate(edges):
        G.add_edge(u, v, key=props.get("id", f"{t}#{i}"), type=t, **props)
    return G


def ranged(key, source, target, type_, prop, low, base, high, dist="pert"):
    return {"owner": "relationship", "key": key, "source": source, "target": target, "type": type_,
            "property": prop, "low": low, "base": base, "high": high, "dist": dist}


def shop():
    """Fans pay the shop 100 (ranged) and 50 (fixed); the shop pays a carrier 20."""
    return build([("shop", "core", {}), ("fans", "segment", {"size": 1000}), ("carrier", "partner", {})],
                 [("fans", "shop", "PAYS", {"id": "orders", "amount": 100.0, "stream": "purchase"}),
                  ("fans", "shop", "PAYS", {"id": "fees", "amount": 50.0, "stream": "fee"}),
                  ("shop", "carrier", "PAYS", {"id": "delivery", "amount": 20.0}),
                  ("fans", "shop", "USES", {"switching_cost": 0.4})])


# ----------------------------------------------------------------------------------- by hand


def test_triangular_payment_p50_p10_and_tornado_swing_in_closed_form():
    # orders ~ triangular(a=60, c=100, b=120). Its CDF left of the mode is (x-a)^2 / ((b-a)(c-a)), so the
    # quantile q <= (c-a)/(b-a) = 2/3 is a + sqrt(q (b-a)(c-a)) = 60 + sqrt(q * 2400):
    #   P50 = 60 + sqrt(1200) = 94.6410..., P10 = 60 + sqrt(240) = 75.4919...
    # ecosystem revenue = orders + 50: P50 = 144.641, P10 = 125.492; mean = 50 + (60+100+120)/3 = 143.333.
    # Tornado: orders at 60 gives 110, at 120 gives 170: swing 60 (= b - a, the payment counts once).
    G = shop()
    r = sensitivity(G, draws=200_000, seed=1, only="revenue",
                    assumptions=[ranged("orders", "fans", "shop", "PAYS", "amount", 60, 100, 120, "triangular")])
    eco = r.by_name()["ecosystem revenue"]
    assert eco.base == 150.0
    # sampling error of a median: 1 / (2 f(m) sqrt(n)), f(m) = 2 sqrt(1200) / 2400 = 0.0289: 0.039 here
    assert eco.p50 == pytest.approx(50 + 60 + math.sqrt(1200), abs=0.2)
    assert eco.p10 == pytest.approx(50 + 60 + math.sqrt(240), abs=0.3)
    assert eco.mean == pytest.approx(50 + 280 / 3, abs=0.2)
    (bar,) = r.tornado["ecosystem revenue"]
    assert (bar.assumption, bar.at_low, bar.at_high, bar.swing) == ("orders amount", 110.0, 170.0, 60.0)
    # the payer's net moves the other way: -(orders + 50)
    fans = r.tornado["net of fans"][0]
    assert (fans.at_low, fans.at_high, fans.swing) == (-110.0, -170.0, 60.0)
    # the carrier is paid a fixed 20 in every draw
    carrier = r.by_name()["net of carrier"]
    assert (carrier.base, carrier.p10, carrier.p90, carrier.varies) == (20.0, 20.0, 20.0, False)


def test_pert_and_uniform_draws_have_their_closed_form_moments():
    # PERT(a=0, m=30, b=100): mean (a + 4m + b) / 6 = 220 / 6 = 36.667; uniform(0, 100): mean 50,
    # P90 = 90; triangular(0, 30, 100): mean (0 + 30 + 100) / 3 = 43.333
    recs = assumption_records([ranged("x", "a", "b", "PAYS", "amount", 0, 30, 100),
                               ranged("y", "a", "b", "PAYS", "amount", 0, 30, 100, "uniform"),
                               ranged("z", "a", "b", "PAYS", "amount", 0, 30, 100, "triangular")])
    X = sample_values(recs, 400_000, seed=3)
    assert X[:, 0].mean() == pytest.approx(220 / 6, abs=0.1)
    assert X[:, 1].mean() == pytest.approx(50, abs=0.15)
    assert np.percentile(X[:, 1], 90) == pytest.approx(90, abs=0.3)
    assert X[:, 2].mean() == pytest.approx(130 / 3, abs=0.1)
    assert X.min() >= 0 and X.max() <= 100
    # the quantile functions (the Sobol design's mapping) agree with the draws: median of the PERT
    # Beta(1 + 4*0.3, 1 + 4*0.7) = Beta(2.2, 3.8) draws vs. its quantile at 0.5
    q = quantile_values(recs, np.full((1, 3), 0.5))[0]
    assert q[0] == pytest.approx(np.median(X[:, 0]), abs=0.2)
    assert q[1] == 50.0
    assert q[2] == pytest.approx(100 - math.sqrt(0.5 * 100 * 70), abs=1e-12)  # right of the mode (0.3)


def test_seeded_run_is_bit_identical_and_the_seed_matters():
    G = to_networkx(load_model("examples/newsroom-passthrough.yaml"))
    A = some_assumptions(G, 12)
    one = sensitivity(G, draws=3000, seed=7, assumptions=A).to_dict()
    two = sensitivity(G, draws=3000, seed=7, assumptions=A).to_dict()
    assert one == two  # floats compared exactly
    other = sensitivity(G, draws=3000, seed=8, assumptions=A).to_dict()
    assert other["figures"] != one["figures"]


# ------------------------------------------------------------------------ against analyze


EXAMPLES = ["examples/amazon.yaml", "examples/newspaper-funnel.yaml", "examples/newsroom-passthrough.yaml"]


def some_assumptions(G, limit):
    """Ranges on the graph's own numbers (payments, counts, shares, switching costs, rates, sizes)."""
    out = []
    for u, v, k, d in G.edges(keys=True, data=True):
        props = {"PAYS": ("amount", "count", "price", "share"), "USES": ("switching_cost",),
                 "CONVERTS_TO": ("rate",)}.get(d["type"], ())
        for prop in props:
            if d.get(prop) is None or (prop == "amount" and (d.get("share_of") or d.get("count") is not None)):
                continue
            b = float(d[prop])
            hi = b + (1 - b) * 0.5 if prop in ("share", "rate") else b * 1.2
            out.append(ranged(k, u, v, d["type"], prop, b * 0.7, b, hi, ("pert", "triangular", "uniform")[len(out) % 3]))
    for n, d in G.nodes(data=True):
        if d.get("size"):
            out.append({"owner": "node", "key": n, "property": "size", "low": d["size"] * 0.8,
                        "base": float(d["size"]), "high": d["size"] * 1.1})
    return out[:limit]


def analysed_figures(a, names):
    """The headline figures read from an Analysis, by the engine's figure names."""
    ref = {}
    r = a.revenue
    ref["ecosystem revenue"], ref["core revenue"] = r.ecosystem_revenue, r.core_revenue
    ref.update({f"revenue of {n}": v for n, v in r.revenue_by_offering.items()})
    ref.update({f"net of {n.id}": n.net for n in r.nodes})
    ref.update({f"revenue at risk without {k.id}": k.revenue_at_risk for k in a.keystones.nodes})
    ref.update({f"lock-in index of {s.id}": s.index for s in a.lockin.segments})
    if a.lockin.segments:  # the report's "Average lock-in" tile, computed as the report does
        ref["average lock-in index"] = sum(s.index for s in a.lockin.segments) / len(a.lockin.segments)
    for f in (a.funnel.funnels if a.funnel else []):
        ref[f"conversion from {f.entry}"] = f.conversion
        ref[f"expected converted from {f.entry}"] = f.expected_converted
        ref[f"revenue per entrant of {f.entry}"] = f.revenue_per_entrant
    return [ref[n] for n in names]


@pytest.mark.parametrize("path", EXAMPLES)
def test_base_run_equals_analyze_bit_for_bit(path):
    G = to_networkx(load_model(path))
    A = some_assumptions(G, 40)
    engine = SensitivityEngine(G, assumption_records(A))
    names = [f.name for f in engine.figures]
    expected = analysed_figures(analyze(G), names)
    assert engine.base.tolist() == expected
    assert engine.evaluate_all(engine.base_row).ravel().tolist() == expected
    # every range collapsed onto its base: every draw is the analysed figure
    flat = [dict(a, low=a["base"], high=a["base"]) for a in A]
    r = sensitivity(G, draws=50, assumptions=flat)
    assert [(f.mean, f.p10, f.p50, f.p90) for f in r.figures] == [(x, x, x, x) for x in expected]
    assert r.tornado == {}


def naive_figures(G, records, row, names):
    """The independent reference: set the draw's values on a copy of the graph, derive the linked
    amounts again, run analyze, read the figures."""
    H = G.copy()
    for r, x in zip(records, row):
        if r.owner == "node":
            H.nodes[r.key][r.property] = x
        else:
            d = H.edges[r.source, r.target, r.key]
            d[r.property] = x
            if r.property in ("count", "price"):
                d["amount"] = d["count"] * d["price"]
    resolve_linked_amounts(H)
    return analysed_figures(analyze(H), names)


def money_scale_lockin():
    """Switching costs in money (the reference is the largest cost, which a range can move), a channel
    feeding a satellite, a partner paying a satellite through a linked flow, two segments."""
    return build(
        [("core", "core", {}), ("club", "satellite", {}), ("app", "channel", {}), ("a", "segment", {"size": 100}),
         ("b", "segment", {"size": 40}), ("seller", "partner", {})],
        [("a", "club", "USES", {"id": "a-club", "switching_cost": 30.0}),
         ("a", "app", "USES", {"id": "a-app", "switching_cost": 10.0}),
         ("b", "core", "USES", {"id": "b-core", "switching_cost": 50.0}),
         ("club", "core", "FEEDS", {}), ("app", "club", "FEEDS", {}),
         ("a", "club", "PAYS", {"id": "dues", "amount": 12.0}),
         ("b", "core", "PAYS", {"id": "sales", "count": 4.0, "price": 5.0, "amount": 20.0}),
         ("seller", "club", "PAYS", {"id": "listing", "amount": 8.0}),
         ("club", "seller", "PAYS", {"id": "rebate", "share_of": "dues", "share": 0.25, "amount": 3.0}),
         ("a", "b", "CONVERTS_TO", {"rate": 0.3})])


def toy_assumptions():
    return [ranged("a-club", "a", "club", "USES", "switching_cost", 20, 30, 80, "uniform"),
            ranged("b-core", "b", "core", "USES", "switching_cost", 40, 50, 55),
            ranged("dues", "a", "club", "PAYS", "amount", 6, 12, 14, "triangular"),
            ranged("sales", "b", "core", "PAYS", "count", 2, 4, 9),
            ranged("rebate", "club", "seller", "PAYS", "share", 0.1, 0.25, 0.5),
            ranged("CONVERTS_TO#9", "a", "b", "CONVERTS_TO", "rate", 0.1, 0.3, 0.6),
            {"owner": "node", "key": "a", "property": "size", "low": 50, "base": 100, "high": 130}]


def outside_the_rules():
    """A hand-made graph the model's rules forbid (a satellite USES the core): lock-in is computed per
    segment with networkx there, so the engine recomputes it per draw too."""
    G = money_scale_lockin()
    G.add_edge("club", "core", key="club-core", id="club-core", type="USES", switching_cost=5.0)
    return G, toy_assumptions() + [ranged("club-core", "club", "core", "USES", "switching_cost", 1, 5, 60)]


@pytest.mark.parametrize("case", EXAMPLES + ["amazon's own ranges", "toy", "outside the rules"])
def test_vectorised_figures_match_analyze_rerun_per_draw(case):
    if case == "amazon's own ranges":  # sizes, payments, linked shares, strengths, reach, criticality, costs
        G = to_networkx(load_model("examples/amazon.yaml"))
        A = G.graph["assumptions"]
    elif case == "toy":
        G, A = money_scale_lockin(), toy_assumptions()
    elif case == "outside the rules":
        G, A = outside_the_rules()
    else:
        G = to_networkx(load_model(case))
        A = some_assumptions(G, 40)
    records = assumption_records(A)
    engine = SensitivityEngine(G, records)
    names = [f.name for f in engine.figures]
    X = sample_values(records, 4, seed=11)
    got = engine.evaluate_all(X)
    moved = 0
    for row, values in zip(X, got):
        want = naive_figures(G, records, row, names)
        for name, g, w in zip(names, values.tolist(), want):
            assert g == pytest.approx(w, rel=1e-9, abs=1e-9), name
        moved += sum(g != b for g, b in zip(values.tolist(), engine.base.tolist()))
    assert moved > 0


@pytest.mark.parametrize("case", ["examples/newsroom-passthrough.yaml", "toy"])
def test_every_draw_conserves_money(case):
    if case == "toy":
        G, A = money_scale_lockin(), toy_assumptions()
    else:
        G = to_networkx(load_model(case))
        A = some_assumptions(G, 40)
    engine = SensitivityEngine(G, assumption_records(A), sections=("revenue",))
    Y = engine.evaluate_all(sample_values(engine.records, 500, seed=2))
    nets = Y[:, [i for i, f in enumerate(engine.figures) if f.name.startswith("net of ")]]
    assert nets.std(axis=0).max() > 0  # the nets do move
    scale = np.abs(nets).sum(axis=1)
    assert (np.abs(nets.sum(axis=1)) <= 1e-12 * scale).all()


def test_lockin_follows_the_money_scale_reference():
    # b's cut is its switching cost 50; the reference is the largest cost, 50 at base: C = 1, index
    # 100 * (0.5 * 1 + 0.25 * P + 0.25 * M). With a-club at its high 80 the reference is 80: C = 50/80,
    # so b's index falls by 50 * (1 - 0.625) = 18.75 while a-club's own segment a rises (cut 30+10=40
    # -> 80+10=90 over reference 50 -> 80: C from 0.8 to 1, +10).
    G = money_scale_lockin()
    r = sensitivity(G, draws=100, only="lockin", assumptions=toy_assumptions()[:1])
    (bar_b,) = r.tornado["lock-in index of b"]
    (bar_a,) = r.tornado["lock-in index of a"]
    # at the low 20 the reference is still 50 (b-core): b unchanged, a's cut 30 / 50 = 0.6
    assert bar_b.at_high == pytest.approx(r.by_name()["lock-in index of b"].base - 18.75, abs=1e-12)
    assert bar_b.at_low == r.by_name()["lock-in index of b"].base
    base_a = r.by_name()["lock-in index of a"].base
    assert bar_a.at_high == pytest.approx(base_a + 10, abs=1e-12)
    assert bar_a.at_low == pytest.approx(base_a - 50 * (0.8 - 0.6), abs=1e-12)
    # The average over the two segments moves by half the sum: at the high (10 - 18.75) / 2 = -4.375,
    # at the low (-10 + 0) / 2 = -5.
    (bar_mean,) = r.tornado["average lock-in index"]
    base_mean = r.by_name()["average lock-in index"].base
    assert base_mean == pytest.approx((base_a + r.by_name()["lock-in index of b"].base) / 2, abs=1e-12)
    assert bar_mean.at_high == pytest.approx(base_mean - 4.375, abs=1e-12)
    assert bar_mean.at_low == pytest.approx(base_mean - 5, abs=1e-12)


# ------------------------------------------------------------------------------------- Sobol


def test_sobol_of_an_additive_model_matches_the_analytic_indices():
    # Y = ecosystem revenue = 3 * X1 + 1 * X2 (+ 0): X1 a count in U(0, 10) at price 3, X2 an amount in
    # U(0, 10). Var(Xi) = 100 / 12, so S1_1 = 9 Var / (9 Var + Var) = 0.9, S1_2 = 0.1; no interaction:
    # the total indices are the same.
    G = build([("shop", "core", {}), ("fans", "segment", {})],
              [("fans", "shop", "PAYS", {"id": "units", "count": 5.0, "price": 3.0, "amount": 15.0}),
               ("fans", "shop", "PAYS", {"id": "tips", "amount": 5.0})])
    A = [ranged("units", "fans", "shop", "PAYS", "count", 0, 5, 10, "uniform"),
         ranged("tips", "fans", "shop", "PAYS", "amount", 0, 5, 10, "uniform")]
    r = sensitivity(G, draws=4096, seed=5, only="revenue", sobol=True, assumptions=A)
    assert (r.sobol_samples, r.sobol_runs) == (4096, 4096 * 4)
    by = {s.assumption: s for s in r.sobol["ecosystem revenue"]}
    for label, value in (("units count", 0.9), ("tips amount", 0.1)):
        s = by[label]
        assert 0 < s.s1_conf < 0.05 and 0 < s.st_conf < 0.05
        assert abs(s.s1 - value) <= s.s1_conf, (label, s)
        assert abs(s.st - value) <= s.st_conf, (label, s)


def test_sobol_memory_estimate_and_the_largest_draws_within_the_limit():
    assert MAX_SOBOL_BYTES == 2_000_000_000
    # per base sample N: 8 bytes x (assumptions + 2) runs x (2 x assumptions + figures) + 7,000 (SALib's bootstrap)
    # 2 assumptions, 6 figures: 8 x 4 x 10 + 7,000 = 7,320 bytes; --draws 262144 = 2^18: 1,918,894,080
    assert sobol_memory(262_144, 2, 6) == 1_918_894_080
    assert sobol_memory(262_145, 2, 6) == 3_837_788_160  # rounded up to N = 2^19
    assert sobol_max_draws(2, 6) == 262_144  # 2e9 / 7,320 = 273,224.0: the power of two at or below
    # the Amazon example (20 assumptions, 16 figures some range moves): 8 x 22 x 56 + 7,000 = 16,856 bytes,
    # 2e9 / 16,856 = 118,652: 65,536
    assert sobol_max_draws(20, 16) == 65_536
    # the smallest sample, 64: 998 assumptions and 1,909 figures take 64 x (8 x 1,000 x 3,905 + 7,000) =
    # 1,999,808,000 bytes (fits); one figure more, 64 x (8 x 1,000 x 3,906 + 7,000) = 2,000,320,000 (does not)
    assert sobol_max_draws(998, 1909) == 64
    assert sobol_max_draws(998, 1910) is None


def test_sobol_over_the_memory_limit_is_one_usage_error_before_any_draw():
    # 1,500 ranged payments of the fans to the shop, --only revenue: 5 figures move (ecosystem revenue, core
    # revenue, revenue of shop, net of shop, net of fans). The smallest sample: 64 x 1,502 = 96,128 runs,
    # 64 x (8 x 1,502 x 3,005 + 7,000) = 2,311,365,120 bytes, over 2 GB: no --draws fits
    G = build([("shop", "core", {}), ("fans", "segment", {})],
              [("fans", "shop", "PAYS", {"id": f"p{i}", "amount": 10.0}) for i in range(1500)])
    A = [ranged(f"p{i}", "fans", "shop", "PAYS", "amount", 5, 10, 15) for i in range(1500)]
    calls = []
    with pytest.raises(UsageError) as err:
        sensitivity(G, draws=1, only="revenue", sobol=True, assumptions=A, progress=lambda *a: calls.append(a))
    assert str(err.value) == ("--sobol with --draws 1 needs 64 x (1,500 assumptions + 2) = 96,128 model runs and "
                              "about 2.3 GB of memory, above the limit of 2 GB even at the smallest sample (64); "
                              "leave --sobol out or give fewer values as ranges")
    assert calls == []  # nothing was drawn


# ------------------------------------------------------------------------------------ errors


def test_bad_sections_and_ranges_are_one_line_errors():
    with pytest.raises(UsageError, match="unknown section 'centrality' in --only"):
        parse_sections("revenue,centrality")
    with pytest.raises(AnalysisError, match=r"orders amount: the range needs low <= base <= high, not 5, 4, 6"):
        assumption_records([ranged("orders", "fans", "shop", "PAYS", "amount", 5, 4, 6)])
    with pytest.raises(AnalysisError, match="unknown relationship 'nope'"):
        sensitivity(shop(), draws=10, assumptions=[ranged("nope", "fans", "shop", "PAYS", "amount", 1, 2, 3)])
    with pytest.raises(UsageError, match="--draws must be at least 1"):
        sensitivity(shop(), draws=0, assumptions=[])


# --------------------------------------------------------------------------------------- CLI


def run(*args):
    from click.testing import CliRunner

    from ecosystem_graph.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_cli_model_without_ranges_is_one_line_error(tmp_path):
    r = run("sensitivity", "examples/newspaper-funnel.yaml")
    assert r.exit_code == 1
    assert r.output == ("Error: examples/newspaper-funnel.yaml has no ranged values, so every figure is certain; "
                        "write an uncertain value as {low: L, base: B, high: H} (docs/metrics.md, 'How sure are "
                        "these numbers')\n")
    out = tmp_path / "s.json"
    r = run("sensitivity", "examples/newspaper-funnel.yaml", "--only", "revenue,centrality", "-o", str(out))
    assert r.exit_code == 2
    assert r.output == ("Error: unknown section 'centrality' in --only; expected some of "
                        "revenue, keystones, lockin, funnel\n")
    assert not out.exists()
    r = run("sensitivity", "examples/newspaper-funnel.yaml", "--draws", "0")
    assert r.exit_code == 2 and "0 is not in the range 1<=x<=10000000" in r.output
    # Amazon has ranges but no funnel: asking for the funnel alone is one line, not empty tables
    r = run("sensitivity", "examples/amazon.yaml", "--only", "funnel")
    assert r.exit_code == 1
    assert r.output == ("Error: examples/amazon.yaml has no funnel (no CONVERTS_TO relationship), so --only funnel "
                        "has no figure to draw; leave --only out or name revenue, keystones or lockin\n")


TOY_YAML = """\
name: Toy shop
currency: EUR
period: "2024"
nodes:
  - {id: shop, kind: core, name: Shop}
  - {id: fans, kind: segment, name: Fans, size: 1000}
  - {id: carrier, kind: partner, name: Carrier}
relationships:
  - {id: orders, from: fans, to: shop, type: PAYS, amount: {low: 60, base: 100, high: 120, dist: triangular}}
  - {id: fees, from: fans, to: shop, type: PAYS, amount: 50}
  - {from: shop, to: carrier, type: PAYS, amount: {low: 10, base: 20, high: 25, dist: uniform}}
  - {from: fans, to: shop, type: USES, switching_cost: 0.4}
"""


@pytest.fixture
def toy_file(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_YAML, encoding="utf-8")
    return str(path)


def test_cli_tornado_of_a_ranged_model_file_exact(toy_file):
    # orders 60 / 120 with fees 50: ecosystem revenue 110 / 170, swing 60; the shop's net is that minus the
    # carrier's 20: 90 / 150; the carrier's amount 10 / 25 moves the shop's net 140 / 125 and its own 10 / 25
    r = run("sensitivity", toy_file, "--only", "revenue", "--format", "markdown", "--draws", "200")
    assert r.exit_code == 0, r.output
    tornado = r.output.split("### Tornado: which assumption moves each figure\n\n")[1].split("\n\n")[0]
    assert tornado.splitlines() == [
        "| figure | rank | assumption | assumption low | assumption high | figure at low | figure at high | swing |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| ecosystem revenue | 1 | Fans pay Shop: amount | EUR 60.00 | EUR 120 | EUR 110 | EUR 170 | EUR 60.00 |",
        "| core revenue | 1 | Fans pay Shop: amount | EUR 60.00 | EUR 120 | EUR 110 | EUR 170 | EUR 60.00 |",
        "| revenue of shop | 1 | Fans pay Shop: amount | EUR 60.00 | EUR 120 | EUR 110 | EUR 170 | EUR 60.00 |",
        "| net of shop | 1 | Fans pay Shop: amount | EUR 60.00 | EUR 120 | EUR 90.00 | EUR 150 | EUR 60.00 |",
        "| net of shop | 2 | Shop pays Carrier: amount | EUR 10.00 | EUR 25.00 | EUR 140 | EUR 125 | EUR 15.00 |",
        "| net of fans | 1 | Fans pay Shop: amount | EUR 60.00 | EUR 120 | EUR -110 | EUR -170 | EUR 60.00 |",
        "| net of carrier | 1 | Shop pays Carrier: amount | EUR 10.00 | EUR 25.00 | EUR 10.00 | EUR 25.00 | EUR 15.00 |"]
    assert "| Fans pay Shop: amount | EUR 60.00 | EUR 100 | EUR 120 | triangular |" in r.output
    assert "| revenue | ecosystem revenue | EUR 150 |" in r.output
    assert "200 draws, seed 0; 80% of the draws lie between P10 and P90" in r.output


def test_cli_json_written_whole_to_a_file(toy_file, tmp_path):
    out = tmp_path / "sens.json"
    r = run("sensitivity", toy_file, "--format", "json", "--draws", "100000", "--seed", "3", "-o", str(out))
    # figures: revenue 6 (ecosystem, core, revenue of shop, net of shop, fans, carrier) + keystones 3 (every
    # node of 3, top 5) + lock-in 2 (the average, fans) = 11; JSON holds them all
    assert r.exit_code == 0
    assert (r.stdout, r.stderr) == (f"Wrote {out} (100,000 draws of 2 assumptions, 11 figures)\n", "")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["draws"], doc["seed"], doc["sections"]) == (100000, 3, ["revenue", "keystones", "lockin", "funnel"])
    assert [a["label"] for a in doc["assumptions"]] == ["Fans pay Shop: amount", "Shop pays Carrier: amount"]
    fig = {f["figure"]: f for f in doc["figures"]}
    # P50 of 50 + triangular(60, 100, 120): 110 + sqrt(1200) (see the closed form above)
    assert fig["ecosystem revenue"]["base"] == 150.0
    assert fig["ecosystem revenue"]["p50"] == pytest.approx(110 + math.sqrt(1200), abs=0.3)
    # the carrier's uniform(10, 25): mean 17.5, P10 = 10 + 0.1 * 15 = 11.5
    assert fig["net of carrier"]["mean"] == pytest.approx(17.5, abs=0.05)
    assert fig["net of carrier"]["p10"] == pytest.approx(11.5, abs=0.1)
    assert doc["tornado"]["net of carrier"] == [{"assumption": "Shop pays Carrier: amount", "low": 10.0, "high": 25.0,
                                                 "at_low": 10.0, "at_high": 25.0, "swing": 15.0}]
    assert "sobol" not in doc


def test_amazon_example_tornado_follows_the_linked_commissions():
    # The sellers' commissions are linked flows: 0.16 x marketplace-sales-prime (base 300, 255..345) and
    # 0.16 x marketplace-sales-occasional (200, 170..230), paid into marketplace-services (revenue).
    # Ecosystem revenue 569.9 at base; the share of the Prime sales at 0.13 / 0.18 pays 39 / 54 instead of
    # 48: 560.9 / 575.9, swing 0.05 x 300 = 15; the Prime sales at 255 / 345 move the commission by
    # 0.16 x 45 = 7.2 each way: swing 14.4 (the sales themselves go to the sellers, a partner: no revenue).
    r = run("sensitivity", "examples/amazon.yaml", "--only", "revenue", "--format", "json", "--draws", "500")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    bars = doc["tornado"]["ecosystem revenue"]
    assert [b["assumption"] for b in bars[:2]] == [
        "Marketplace sellers pay Marketplace seller services: share of what Prime members pay Marketplace sellers",
        "Prime members pay Marketplace sellers: amount"]
    assert (bars[0]["at_low"], bars[0]["at_high"], bars[0]["swing"]) == pytest.approx((560.9, 575.9, 15.0))
    assert (bars[1]["at_low"], bars[1]["at_high"], bars[1]["swing"]) == pytest.approx((562.7, 577.1, 14.4))
    fig = {f["figure"]: f for f in doc["figures"]}
    assert fig["ecosystem revenue"]["base"] == pytest.approx(569.9)
    # the sellers' net: what buyers pay them minus the commissions; the two moves add up in every draw
    assert doc["tornado"]["net of sellers"][0]["swing"] == pytest.approx(0.84 * 90)


def test_assumption_values_carry_their_unit_for_a_client_and_stay_raw_in_csv():
    # examples/amazon.yaml: the Prime sales to sellers are a USD billion amount 255 / 300 / 345, the
    # commission a share 0.13 / 0.16 / 0.18 (13% / 16% / 18%), Prime members a size of 180 / 200 / 230 million
    # people, Prime's pull on the stores a 0..1 strength 0.7 / 0.9 / 1; a client reads each in its unit
    r = run("sensitivity", "examples/amazon.yaml", "--only", "revenue", "--format", "markdown", "--draws", "200")
    assert r.exit_code == 0, r.output
    assert ("| ecosystem revenue | 1 | Marketplace sellers pay Marketplace seller services: share of "
            "what Prime members pay Marketplace sellers | 13.0% | 18.0% | USD 561 billion | USD 576 billion | USD 15.0 billion |"
            ) in r.output
    assert ("| ecosystem revenue | 2 | Prime members pay Marketplace sellers: amount | USD 255 billion | "
            "USD 345 billion |") in r.output
    assert ("| Prime members pay Marketplace sellers: amount | USD 255 billion | USD 300 billion | USD 345 billion "
            "| pert |") in r.output
    assert "| Prime members: size | 180,000,000 | 200,000,000 | 230,000,000 | pert |" in r.output
    assert "| Prime feeds Online stores: strength | 0.7 | 0.9 | 1 | pert |" in r.output
    assert "| Echo devices reach Prime members: reach | 25.0% | 35.0% | 45.0% | pert |" in r.output
    r = run("sensitivity", "examples/amazon.yaml", "--only", "revenue", "--format", "csv", "--draws", "200")
    assert "ecosystem revenue,2,Prime members pay Marketplace sellers: amount,255.0,345.0," in r.output


FUNNEL_YAML = """schema_version: 1
name: Bazaar
currency: EUR
money_unit: million
period: '2023'
nodes:
  - {id: shop, kind: core, name: Shop}
  - {id: visitors, kind: segment, name: Visitors, size: 1000000}
  - {id: buyers, kind: segment, name: Buyers, size: 100000}
relationships:
  - {from: visitors, to: buyers, type: CONVERTS_TO, rate: {low: 0.08, base: 0.1, high: 0.12}}
  - {from: buyers, to: shop, type: PAYS, amount: {low: 100, base: 115, high: 125}}
"""


def test_a_per_entrant_tornado_row_keeps_its_own_scale_beside_an_amount_in_millions(tmp_path):
    # revenue per entrant = buyers' payments / visitors: 115 million / 1 million = EUR 115 at base; the
    # payment at 100 / 125 million gives EUR 100 / 125 per visitor (swing EUR 25); the rate 8% / 12% gives
    # 0.8 / 1.2 x 115 = EUR 92 / 138 (swing 46). The assumption in millions must not drag the figure into
    # millions ("EUR 0.000100 million")
    path = tmp_path / "bazaar.yaml"
    path.write_text(FUNNEL_YAML, encoding="utf-8")
    r = run("sensitivity", str(path), "--only", "funnel", "--format", "markdown", "--draws", "200")
    assert r.exit_code == 0, r.output
    assert ("| revenue per entrant of visitors | 1 | Visitors convert to Buyers: rate | 8.0% | 12.0% | EUR 92.00 | "
            "EUR 138 | EUR 46.00 |") in r.output
    assert ("| revenue per entrant of visitors | 2 | Buyers pay Shop: amount | EUR 100 million | EUR 125 million | "
            "EUR 100 | EUR 125 | EUR 25.00 |") in r.output


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_cli_output_file_says_what_it_wrote(toy_file, tmp_path, fmt):
    # --only revenue: 6 figures (ecosystem, core, revenue of shop, net of shop, fans, carrier); --top 4 lists 4
    out = tmp_path / f"out.{fmt}"
    r = run("sensitivity", toy_file, "--only", "revenue", "--format", fmt, "--draws", "1", "--top", "4", "-o", str(out))
    assert r.exit_code == 0
    assert (r.stdout, r.stderr) == (f"Wrote {out} (1 draw of 2 assumptions, 4 of 6 figures)\n", "")
    r = run("sensitivity", toy_file, "--only", "revenue", "--format", fmt, "--draws", "1", "-o", str(out))
    assert (r.exit_code, r.stdout) == (0, f"Wrote {out} (1 draw of 2 assumptions, 6 figures)\n")
    # --sobol: N = 64 (1 draw rounded up to a power of two, at least 64), runs = 64 x (2 assumptions + 2) = 256
    r = run("sensitivity", toy_file, "--only", "revenue", "--format", fmt, "--draws", "1", "--sobol", "-o", str(out))
    assert (r.exit_code, r.stdout) == (0, f"Wrote {out} (1 draw of 2 assumptions, 6 figures, Sobol indices from "
                                          f"256 runs)\n")


def test_cli_sobol_over_the_memory_limit_names_the_draws_that_fit(toy_file, tmp_path):
    # --only revenue: 2 assumptions, 6 figures that move: 7,320 bytes per base sample (see above).
    # --draws 262145 rounds up to N = 524,288: 524,288 x 4 = 2,097,152 runs, 524,288 x 7,320 = 3.84 GB
    out = tmp_path / "s.json"
    r = run("sensitivity", toy_file, "--only", "revenue", "--sobol", "--draws", "262145", "-o", str(out))
    assert r.exit_code == 2
    assert (r.stdout, r.stderr) == ("", "Error: --sobol with --draws 262145 needs 524,288 x (2 assumptions + 2) = "
                                        "2,097,152 model runs and about 3.8 GB of memory, above the limit of 2 GB; "
                                        "use --draws 262144 or fewer\n")
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_cli_output_file_escapes_control_characters_and_neutralises_formulas(tmp_path, fmt):
    path = tmp_path / "hostile.yaml"
    path.write_text(TOY_YAML.replace("name: Fans", 'name: "=Fans\\e[2J"'), encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    r = run("sensitivity", str(path), "--only", "revenue", "--format", fmt, "--draws", "50", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b[2J" in text
    if fmt == "csv":  # the label "=Fans... pay Shop: amount" starts with "=": shown, never run
        assert "'=Fans\\x1b[2J pay Shop: amount" in text


def test_cli_output_file_name_chooses_the_format_when_none_is_given(toy_file, tmp_path):
    out = tmp_path / "sens.json"
    r = run("sensitivity", toy_file, "--draws", "200", "-o", str(out))
    # written as JSON, so every figure (11, as above) and no --top
    assert (r.exit_code, r.stdout) == (0, f"Wrote {out} (200 draws of 2 assumptions, 11 figures)\n")
    assert json.loads(out.read_text(encoding="utf-8"))["draws"] == 200
    md = tmp_path / "sens.md"
    assert run("sensitivity", toy_file, "--draws", "200", "-o", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("### How sure are these numbers\n")
