"""``ecograph whatif`` and ``diff`` lead with the headline figures: exact lines, and JSON against ``analyze``."""

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ecosystem_graph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
NEWSPAPER = ROOT / "examples/newspaper-funnel.yaml"


def run(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.stdout  # without the model's warnings (stderr)


def analyze_json(path) -> dict:
    return json.loads(run("analyze", path, "--format", "json"))


def pct(before, after):
    return None if before == 0 else (after - before) / abs(before) * 100


def expected_headline(a: dict, b: dict, touched: list[str], removed=(), added=()) -> list[tuple]:
    """The headline recomputed from two `analyze --format json` documents: (figure, item, before, after)."""
    def risk(doc, n):
        return {k["id"]: k["revenue_at_risk"] for k in doc["keystones"]["nodes"]}.get(n, 0.0)

    def net(doc, n):
        return {x["id"]: x["net"] for x in doc["revenue"]["nodes"]}.get(n, 0.0)

    out = [("ecosystem_revenue", "(ecosystem)", a["revenue"]["ecosystem_revenue"], b["revenue"]["ecosystem_revenue"]),
           ("core_revenue", "(ecosystem)", a["revenue"]["core_revenue"], b["revenue"]["core_revenue"])]
    out += [("revenue_at_risk", n, risk(a, n), risk(b, n)) for n in touched]
    out += [("net", n, net(a, n), net(b, n)) for n in touched if net(a, n) or net(b, n)]
    out.append(("total_lockin", "(ecosystem)", a["lockin"]["total_index"], b["lockin"]["total_index"]))
    funnels_b = {f["entry"]: f for f in b["funnel"]["funnels"]}
    for f in a["funnel"]["funnels"]:
        g = funnels_b[f["entry"]]
        out += [("conversion", f"funnel {f['entry']}", f["conversion"], g["conversion"]),
                ("expected_converted", f"funnel {f['entry']}", f["expected_converted"], g["expected_converted"])]
    return out


def check_headline(doc: dict, expected: list[tuple]) -> None:
    # first after what the document is about: format_version, model (whatif) or a, b (diff)
    assert list(doc).index("headline") == (2 if "model" in doc else 3)
    got = doc["headline"]
    assert [(h["figure"], h["item"]) for h in got] == [(f, i) for f, i, _, _ in expected]
    for h, (_, _, before, after) in zip(got, expected):
        assert h["before"] == pytest.approx(before, rel=1e-12, abs=1e-9)
        assert h["after"] == pytest.approx(after, rel=1e-12, abs=1e-9)
        assert h["change"] == pytest.approx(after - before, rel=1e-9, abs=1e-9)
        if pct(before, after) is None:
            assert h["pct_change"] is None
        else:
            assert h["pct_change"] == pytest.approx(pct(before, after), rel=1e-9, abs=1e-9)


# ------------------------------------------------------------------------------------------------ whatif

# By hand from examples/newspaper-funnel.yaml, without the ad network (it takes the advertisers' 1,500,000
# and pays 60% = 900,000 on to the news portal):
# - ecosystem revenue 1,198,800 (plus-fees) + 203,796 (0.85 x 2,000 x 119.88 app-store payout) + 53,820
#   (day passes) + 120,000 (e-paper) + 900,000 (ad payout) = 2,476,416 -> 1,576,416: -900,000 / 2,476,416 = -36.34%
# - core revenue (news portal) 53,820 + 900,000 = 953,820 -> 53,820: -900,000 / 953,820 = -94.36%
# - the ad network's revenue at risk 900,000 (its payout) and net 1,500,000 - 900,000 = 600,000 -> 0 (removed)
# - total lock-in unchanged (no binding path runs through the ad network); funnel from flybys unchanged:
#   (each money row in one unit: the ecosystem row in millions, 2,476,416 -> "EUR 2.48 million"; the conversion
#   0.00305 = 0.305% with two significant digits, the half rounded up: 0.31%)
#   0.04 x (0.02 + 0.1 x 0.25) + 0.005 x 0.25 = 0.00305 of 1,500,000 flybys = 4,575 subscribers
WHATIF_HEAD = """\
What-if headline (money in EUR, 2023)
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ figure                                         ┃ before           ┃ after            ┃ change             ┃ change % ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩
│ Ecosystem revenue                              │ EUR 2.48 million │ EUR 1.58 million │ EUR -0.900 million │   -36.3% │
│ Core revenue                                   │ EUR 953,820      │ EUR 53,820       │ EUR -900,000       │   -94.4% │
│ Revenue at risk: Ad network (removed)          │ EUR 900,000      │ EUR 0            │ EUR -900,000       │  -100.0% │
│ Net: Ad network (removed)                      │ EUR 600,000      │ EUR 0            │ EUR -600,000       │  -100.0% │
│ Total lock-in (sum of segment indexes)         │ 185.24           │ 185.24           │ 0.00               │       0% │
│ Funnel from Flybys (anonymous): conversion     │ 0.31%            │ 0.31%            │ 0%                 │       0% │
│ Funnel from Flybys (anonymous): expected       │ 4,575            │ 4,575            │ 0                  │       0% │
│ converted                                      │                  │                  │                    │          │
└────────────────────────────────────────────────┴──────────────────┴──────────────────┴────────────────────┴──────────┘"""


def test_whatif_table_starts_with_the_headline():
    out = run("whatif", NEWSPAPER, "--remove", "ad-network", "--changed-only")
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[:13] == WHATIF_HEAD.splitlines()
    titles = [line for line in lines if line and line[0] not in "┏┃┡│└"]
    # then the change applied, then the sections money first, ranks last
    assert titles[:2] == ["What-if headline (money in EUR, 2023)", "What-if"]
    sections = [t for t in titles if t.startswith("Figures: ")]
    assert sections == ["Figures: revenue", "Figures: keystones", "Figures: centrality", "Figures: ranks"]
    assert "│ (ecosystem)        │ ecosystem_revenue " not in out  # shown once, in the headline


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_whatif_markdown_and_csv_start_with_the_headline(fmt):
    out = run("whatif", NEWSPAPER, "--remove", "ad-network", "--changed-only", "--format", fmt)
    if fmt == "markdown":
        assert out.splitlines()[:5] == ["### What-if headline (money in EUR, 2023)", "",
                                        "| figure | before | after | change | change % |",
                                        "| --- | --- | --- | --- | --- |",
                                        "| Ecosystem revenue | EUR 2.48 million | EUR 1.58 million | EUR -0.900 million "
                                        "| -36.3% |"]
    else:  # raw numbers: -900,000 / 2,476,416 x 100
        assert out.splitlines()[:3] == ["# What-if headline (money in EUR, 2023)", "figure,before,after,change,change %",
                                        f"Ecosystem revenue,2476416.0,1576416.0,-900000.0,{-900000 / 2476416 * 100!r}"]


def test_whatif_json_headline_equals_analyze_before_and_after(tmp_path):
    doc = json.loads(run("whatif", NEWSPAPER, "--remove", "ad-network", "--changed-only", "--format", "json"))
    # the changed model written by hand: the ad network and its relationships gone (ad-payout among them)
    data = yaml.safe_load(NEWSPAPER.read_text(encoding="utf-8"))
    data["nodes"] = [n for n in data["nodes"] if n["id"] != "ad-network"]
    data["relationships"] = [r for r in data["relationships"] if "ad-network" not in (r["from"], r["to"])]
    changed = tmp_path / "without-ad-network.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    check_headline(doc, expected_headline(analyze_json(NEWSPAPER), analyze_json(changed), ["ad-network"]))
    assert doc["headline"][0] == {"figure": "ecosystem_revenue", "item": "(ecosystem)", "label": "Ecosystem revenue",
                                  "before": 2476416.0, "after": 1576416.0, "change": -900000.0,
                                  "pct_change": pytest.approx(-36.3429, abs=1e-4)}
    # the sections follow, money first and ranks last; every figure carries its % change
    groups = ["rank" if f["figure"] == "rank" else f["section"] for f in doc["figures"]]
    order = ["revenue", "keystones", "lockin", "funnel", "centrality", "rank"]
    assert [order.index(g) for g in groups] == sorted(order.index(g) for g in groups)
    [net] = [f for f in doc["figures"] if (f["item"], f["figure"]) == ("news-portal", "net")]
    # 953,820 - 23,976 - 1,076.4 (payment fees) = 928,767.6 -> 28,767.6: -900,000 / 928,767.6
    assert net["pct_change"] == pytest.approx(-900000 / 928767.6 * 100)


def test_whatif_scaling_a_relationship_touches_both_ends_and_zero_before_is_na():
    # a payment scaled: its payer and payee are the touched nodes
    doc = json.loads(run("whatif", NEWSPAPER, "--scale", "ad-buys=0.5", "--format", "json"))
    items = [(h["figure"], h["item"]) for h in doc["headline"]]
    assert items[2:4] == [("revenue_at_risk", "advertisers"), ("revenue_at_risk", "ad-network")]
    out = run("whatif", NEWSPAPER, "--scale", "registered=2", "--only", "revenue,keystones,lockin")
    # the registered users pay nothing: revenue at risk 0 -> 0 has no % change
    [row] = [line for line in out.splitlines() if "Revenue at risk: Registered" in line]
    assert [cell.strip() for cell in row.split("│")[2:6]] == ["EUR 0", "EUR 0", "EUR 0", "n/a"]


# -------------------------------------------------------------------------------------------------- diff

def test_diff_headline_first_and_equal_to_analyze(tmp_path):
    data = yaml.safe_load(NEWSPAPER.read_text(encoding="utf-8"))
    for r in data["relationships"]:
        if r.get("id") == "ad-buys":
            r["amount"] = 1200000
        if (r["from"], r["to"], r["type"]) == ("flyby", "registered", "CONVERTS_TO"):
            r["rate"] = 0.05
    b = tmp_path / "b.yaml"
    b.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = json.loads(run("diff", NEWSPAPER, b, "--changed-only", "--format", "json"))
    # touched: both ends of every relationship that differs (ad-payout's derived amount follows ad-buys)
    touched = ["ad-network", "news-portal", "flyby", "registered", "advertisers"]
    expected = expected_headline(analyze_json(NEWSPAPER), analyze_json(b), touched)
    check_headline(doc, expected)
    heads = {(h["figure"], h["item"]): h for h in doc["headline"]}
    # by hand: advertisers pay 1,200,000, 60% = 720,000 reaches the portal: revenue -180,000 / 2,476,416 = -7.27%
    assert heads[("ecosystem_revenue", "(ecosystem)")]["change"] == pytest.approx(-180000)
    assert heads[("ecosystem_revenue", "(ecosystem)")]["pct_change"] == pytest.approx(-7.2686, abs=1e-4)
    # funnel: 0.05 x 0.045 + 0.00125 = 0.0035 (from 0.00305): +14.75%; 1,500,000 x 0.0035 = 5,250
    assert heads[("conversion", "funnel flyby")]["pct_change"] == pytest.approx(14.7541, abs=1e-4)
    assert heads[("expected_converted", "funnel flyby")]["after"] == pytest.approx(5250)
    assert heads[("revenue_at_risk", "flyby")]["pct_change"] is None  # 0 before
    out = run("diff", NEWSPAPER, b, "--changed-only")
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == "Diff headline (money in EUR, 2023)"
    # one unit per money row: 2,476,416 -> 2,296,416 in millions, the change -180,000 too
    assert [cell.strip() for cell in lines[4].split("│")[1:6]] == [
        "Ecosystem revenue", "EUR 2.48 million", "EUR 2.30 million", "EUR -0.180 million", "-7.3%"]
    assert lines.index("Model changes") > len(expected) + 4


def test_a_diff_touching_many_nodes_shows_the_ten_that_move_most(tmp_path):
    # B: twelve new advertisers, advertiser i paying i x 1,000 to the ad network; the twelve are touched, as are
    # both ends of each new payment (the ad network gains 78,000 = 1,000 x (1 + ... + 12))
    data = yaml.safe_load(NEWSPAPER.read_text(encoding="utf-8"))
    for i in range(1, 13):
        data["nodes"].append({"id": f"adv-{i}", "kind": "segment", "name": f"Advertiser {i}"})
        data["relationships"].append({"from": f"adv-{i}", "to": "ad-network", "type": "PAYS", "amount": i * 1000})
    b = tmp_path / "b.yaml"
    b.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = json.loads(run("diff", NEWSPAPER, b, "--format", "json"))
    assert [h["item"] for h in doc["headline"] if h["figure"] == "net"] == \
        [f"adv-{i}" for i in range(1, 13)] + ["ad-network"]
    ad = [h for h in doc["headline"] if (h["figure"], h["item"]) == ("net", "ad-network")][0]
    assert ad["change"] == pytest.approx(78000)
    out = run("diff", NEWSPAPER, b)
    shown = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│ Net: ")]
    # the ad network (78,000) and advertisers 12 down to 4 (12,000 ... 4,000); 1 to 3 left out
    assert shown == [f"Net: Advertiser {i} (added)" for i in range(4, 13)] + ["Net: Ad network"]
    assert "3 more touched node(s) with smaller changes: --format json lists every one" in out


def test_section_rows_are_shown_by_their_figure_kind():
    # Amazon without Prime: the ecosystem keeps 569.9 - 41.0 paid on = 528.9 billion; Prime's 40.2 billion of
    # subscription fees go, so 488.7 billion: -40.2 / 528.9 = -7.6%. Money rows read in USD billion, shares as %.
    out = run("whatif", ROOT / "examples/amazon.yaml", "--remove", "prime", "--changed-only")
    rows = {tuple(c.strip() for c in line.split("│")[1:3]): [c.strip() for c in line.split("│")[3:7]]
            for line in out.splitlines() if line.startswith("│") and line.count("│") == 8}
    assert rows[("(ecosystem)", "ecosystem_net")] == ["USD 529 billion", "USD 489 billion", "USD -40.2 billion",
                                                      "-7.6%"]
    assert rows[("(ecosystem)", "hhi_payers")][0] == "2,070"  # an index of concentration, not money
    assert rows[("prime", "dependency")][0].endswith("%")
