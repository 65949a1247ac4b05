"""The money vocabulary on tests/data/money-review.yaml, a model the examples do not cover (a 2-level pass-through
chain through partners, a partner marketplace taking a commission as a share, a satellite with its own revenue and a
payout, a transfer between two offerings, payers with no binding path, a branching funnel): every figure computed by
hand, then the same figures through whatif, the report, the interactive page, every file format and the store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import load_model
from ecosystem_graph.interop import export_model, import_source
from ecosystem_graph.store.neo4j import connect

from .test_report_money import _matches, _money_figures, _parse_money, _ReportText

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests/data/money-review.yaml"

# The payments, by hand (EUR per year):
#   purchases     buyers -> shop             5,000
#   lead-orders   leads -> shop                100
#   w-buy         wholesale -> reseller      1,000
#   dist-share    reseller -> distributor      800  (0.8 x w-buy 1,000)
#   shop-share    distributor -> shop          600  (0.75 x dist-share 800)
#   seller-sales  buyers -> sellers          2,000
#   commission    sellers -> market            200  (0.1 x seller-sales 2,000)
#   membership    members -> market          3,000  (300 x 10)
#   ad-buys       advertisers -> ads           400
#   creator-payout ads -> creators             100  (0.25 x ad-buys 400)
#   platform-fee  market -> shop                50  (offering to offering: not revenue, not a payout)
# ecosystem revenue = external actors into shop/market/ads/app = 5,000 + 100 + 600 + 200 + 3,000 + 400 = 9,300
# core revenue = into shop from outside = 5,000 + 100 + 600 = 5,700 (the market's 50 is internal)
# payouts = offerings to external actors = creator-payout 100; ecosystem net = 9,300 - 100 = 9,200
HAND_NET = {
    "shop": 5_000 + 100 + 600 + 50,  # 5,750
    "market": 200 + 3_000 - 50,  # 3,150
    "ads": 400 - 100,  # 300
    "app": 0,
    "reseller": 1_000 - 800,  # 200
    "distributor": 800 - 600,  # 200
    "sellers": 2_000 - 200,  # 1,800
    "creators": 100,
    "visitors": 0,
    "leads": -100,
    "buyers": -(5_000 + 2_000),  # -7,000
    "members": -3_000,
    "wholesale": -1_000,
    "advertisers": -400,
}


def run(*args: str) -> dict:
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)  # the model's warnings go to stderr


@pytest.fixture(scope="module")
def doc() -> dict:
    return run("analyze", str(MODEL))


def test_revenue_figures_by_hand(doc):
    rev = doc["revenue"]
    assert rev["ecosystem_revenue"] == pytest.approx(9_300)
    assert rev["core_revenue"] == pytest.approx(5_700)
    # shop 5,000 + 100 + 600; market 200 + 3,000; ads 400; app is paid nothing
    assert rev["revenue_by_offering"] == pytest.approx({"shop": 5_700, "market": 3_200, "ads": 400, "app": 0})
    # linked PAYS out of a node whose share_of flow goes into it: reseller 800 (of w-buy), distributor 600 (of
    # dist-share), sellers 200 (of seller-sales), ads 100 (of ad-buys)
    assert rev["pass_through"] == pytest.approx({"reseller": 800, "distributor": 600, "sellers": 200, "ads": 100})
    assert rev["ecosystem_payouts"] == pytest.approx(100) and rev["ecosystem_net"] == pytest.approx(9_200)
    # by paying segment: only payments into offerings (buyers' 2,000 to the sellers is the sellers' income)
    assert rev["by_segment"] == pytest.approx({"buyers": 5_000, "members": 3_000, "advertisers": 400, "leads": 100})
    # no binding path to what they pay: advertisers 400, and the partners distributor 600 and sellers 200
    assert rev["unbound_revenue"] == pytest.approx(400 + 600 + 200)
    # app: buyers pay the shop 5,000 over buyers-USES(.6)->app-FEEDS(.5)->shop (weight .3) and buyers-USES(1)->shop
    # (weight 1): app gets 5,000 x .3 / 1.3 = 1,153.85; leads pay 100 only through the app: 1,253.85
    assert rev["dependent_revenue"]["app"] == pytest.approx(5_000 * 0.3 / 1.3 + 100)
    assert rev["dependent_revenue"]["market"] == pytest.approx(3_200)  # its own revenue; nothing else runs via it


def test_each_actor_net_by_hand_and_the_nets_add_up_to_zero(doc):
    nodes = {n["id"]: n for n in doc["revenue"]["nodes"]}
    assert {k: n["net"] for k, n in nodes.items()} == pytest.approx(HAND_NET)
    assert sum(HAND_NET.values()) == 0 and sum(n["net"] for n in nodes.values()) == pytest.approx(0, abs=1e-9)


def test_revenue_at_risk_of_three_nodes_by_hand(doc):
    ks = {k["id"]: k for k in doc["keystones"]["nodes"]}
    # wholesale: its 1,000 to the reseller is no revenue, but the chain hanging on it stops: dist-share 800 and
    # shop-share 600, which is revenue of the core: 600 at risk, all of it core revenue
    assert (ks["wholesale"]["revenue_at_risk"], ks["wholesale"]["core_revenue_at_risk"]) == (600, 600)
    # ads: its own revenue 400 (its payout to the creators is not ecosystem revenue); none of it core revenue
    assert (ks["ads"]["revenue_at_risk"], ks["ads"]["core_revenue_at_risk"]) == (400, 0)
    # app: leads' 100 to the shop has every binding path through it; buyers keep their direct USES of the shop
    assert (ks["app"]["revenue_at_risk"], ks["app"]["core_revenue_at_risk"]) == (100, 100)
    assert ks["app"]["revenue_share"] == pytest.approx(100 / 9_300)
    # buyers: 5,000 to the shop, and the 200 commission that is a share of their 2,000 to the sellers
    assert (ks["buyers"]["revenue_at_risk"], ks["buyers"]["core_revenue_at_risk"]) == (5_200, 5_000)


def test_funnel_revenue_is_the_ecosystem_revenue_the_stages_bring(doc):
    (f,) = doc["funnel"]["funnels"]
    stages = {s["id"]: s for s in f["stages"]}
    # buyers bring the shop 5,000 and the market the commission 0.1 x 2,000 = 200 (the sellers keep 1,800):
    # 5,200 for 1,000 members = 5.2 each; members 3,000 / 300 = 10; leads 100 / 2,000 = 0.05
    assert stages["buyers"]["revenue_per_member"] == pytest.approx(5.2)
    assert stages["members"]["revenue_per_member"] == pytest.approx(10.0)
    assert stages["leads"]["revenue_per_member"] == pytest.approx(0.05)
    # one visitor: leads 0.2 x 0.05 = 0.01; buyers (0.05 + 0.2 x 0.3 = 0.11) x 5.2 = 0.572; members 0.2 x 0.1
    # x 10 = 0.2: 0.782 per visitor
    assert f["revenue_per_entrant"] == pytest.approx(0.782)


def _figures(doc: dict) -> dict:
    return {(f["section"], f["item"], f["figure"]): f for f in doc["figures"]}


def test_whatif_scaling_the_payer_a_chain_hangs_on_moves_the_chain():
    figs = _figures(run("whatif", str(MODEL), "--scale", "wholesale=1.1"))
    # w-buy 1,000 -> 1,100; dist-share 0.8 x 1,100 = 880; shop-share 0.75 x 880 = 660
    assert figs["revenue", "payment shop-share", "amount"]["after"] == pytest.approx(660)
    assert figs["revenue", "(ecosystem)", "ecosystem_revenue"]["change"] == pytest.approx(60)
    # each middleman keeps its share of the increase: reseller 1,100 - 880 = 220, distributor 880 - 660 = 220
    assert figs["revenue", "reseller", "net"]["after"] == pytest.approx(220)
    assert figs["revenue", "distributor", "net"]["after"] == pytest.approx(220)
    assert figs["keystones", "wholesale", "revenue_at_risk"]["after"] == pytest.approx(660)


def test_whatif_removing_the_first_middleman_stops_the_chain():
    out = run("whatif", str(MODEL), "--remove", "reseller")
    assert any("shop-share" in c for c in out["changes"])
    figs = _figures(out)
    assert figs["revenue", "(ecosystem)", "ecosystem_revenue"]["after"] == pytest.approx(9_300 - 600)
    assert figs["revenue", "(ecosystem)", "core_revenue"]["after"] == pytest.approx(5_700 - 600)
    assert figs["revenue", "distributor", "net"]["after"] == pytest.approx(0)


def test_every_money_number_of_the_report_is_a_figure_and_the_hand_figures_are_printed(doc, tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["report", str(MODEL), "-o", str(out)])
    assert r.exit_code == 0, r.output
    parser = _ReportText()
    parser.feed(out.read_text(encoding="utf-8"))
    text = "\n".join(parser.parts)
    figures = _money_figures(doc)
    found = _parse_money(text)
    assert not [t for t, v, half in found if not _matches(v, half, figures)]
    # the hand figures, each where a reader looks for it
    for printed in ("EUR 9,300", "EUR 5,700", "EUR 9,200", "EUR 1,254", "EUR 1,200"):
        assert printed in text, printed
    assert re.search(r"Distributor\s+partner\s+EUR 800\s+EUR 600\s+EUR 200", text)  # pass-through table row


def test_the_page_shows_each_actor_s_figures_as_computed(tmp_path):
    out = tmp_path / "page.html"
    r = CliRunner().invoke(cli, ["render", str(MODEL), "-o", str(out)])
    assert r.exit_code == 0, r.output
    m = re.search(r'id="eco-graph-data"[^>]*>(.*?)</script>', out.read_text(encoding="utf-8"), re.S)
    data = json.loads(m.group(1))
    panel = {n["id"]: dict(n["d"]) for n in data["nodes"]}
    assert panel["distributor"]["Pass-through (received and paid on)"] == "EUR 600"
    assert panel["wholesale"]["Revenue at risk if lost"] == "EUR 600"
    assert panel["market"]["Net"] == "EUR 3,150"
    edges = {e["from"] + ">" + e["to"]: e["title"] for e in data["edges"] if e["type"] == "PAYS"}
    assert "EUR 600 (derived: 75.0% of" in edges["distributor>shop"]


@pytest.mark.parametrize("fmt,name", [("json", "m.json"), ("graphml", "m.graphml"), ("gexf", "m.gexf"),
                                      ("xlsx", "m.xlsx"), ("csv", "csv")])
def test_every_format_gives_the_model_back(tmp_path, fmt, name):
    model = load_model(str(MODEL))
    export_model(model, fmt, tmp_path / name)
    back = import_source(tmp_path / name).model
    assert back.to_data()["nodes"] == model.to_data()["nodes"]
    assert back.to_data()["relationships"] == model.to_data()["relationships"]
    def amounts(m):  # the derived amounts of the linked flows too
        return [getattr(r, "amount", None) for r in m.relationships]

    assert amounts(back) == amounts(model)


def test_named_queries_give_the_hand_figures(bolt_server):
    model = load_model(str(MODEL))
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        store.push(model, "money-review")
        try:
            res = store.run_named("revenue-by-segment", {"ecosystem": "money-review"})
            by_segment = {row[res.columns.index("segment")]: row[res.columns.index("by_segment")]
                          for row in res.rows}
            res = store.run_named("satellites-by-dependent-revenue", {"ecosystem": "money-review"})
            dependent = {row[0]: row[res.columns.index("dependent_revenue")] for row in res.rows}
            assert store.pull("money-review").to_data() == model.to_data()
        finally:
            store.drop("money-review")
    assert by_segment == pytest.approx({"buyers": 5_000, "members": 3_000, "advertisers": 400, "leads": 100})
    assert dependent == pytest.approx({"market": 3_200, "ads": 400})


def test_newsroom_card_fees_follow_the_web_subscriptions():
    """The newsroom example's card fees are 2% of the web subscriptions: a what-if on the subscribers moves them."""
    figs = _figures(run("whatif", str(ROOT / "examples/newsroom-passthrough.yaml"), "--scale", "subscribers=1.1"))
    # 0.02 x 6,000 x 119.88 x 1.1 = 15,824.16
    assert figs["revenue", "payment card-fees", "amount"]["after"] == pytest.approx(0.02 * 6_000 * 119.88 * 1.1)
