"""ecograph timeline and analysis/timeline.py: figures per period, changes, role shifts, suggestions, CAGR,
ordering and its errors, the CLI's exact output, and the Amazon example against the annual-report numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ecosystem_graph.analysis.keystones import keystones
from ecosystem_graph.analysis.timeline import period_key, timeline
from ecosystem_graph.cli import cli
from ecosystem_graph.errors import UsageError
from ecosystem_graph.fileio import load_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem

ROOT = Path(__file__).resolve().parents[1]
AMAZON = ROOT / "examples" / "amazon-timeline"


def shop_data(period: str, shop: float, cloud: float, *, app: bool = True, currency: str = "EUR",
              unit: str | None = "million", buyers_cost: float = 0.3, cloud_kind: str = "satellite") -> dict:
    """A shop (core) and a cloud business (satellite); ``app`` (a channel feeding the shop) optional."""
    nodes = [{"id": "shop", "kind": "core", "name": "Shop"},
             {"id": "cloud", "kind": cloud_kind, "name": "Cloud"},
             {"id": "buyers", "kind": "segment", "name": "Buyers"},
             {"id": "devs", "kind": "segment", "name": "Developers"}]
    rels = [{"id": "sales", "from": "buyers", "to": "shop", "type": "PAYS", "amount": shop},
            {"id": "usage", "from": "devs", "to": "cloud", "type": "PAYS", "amount": cloud},
            {"from": "devs", "to": "cloud", "type": "USES", "switching_cost": 0.8},
            {"from": "buyers", "to": "shop", "type": "USES", "switching_cost": buyers_cost}]
    if app:
        nodes.append({"id": "app", "kind": "channel", "name": "App"})
        rels.append({"from": "app", "to": "shop", "type": "FEEDS", "strength": 0.5})
    data = {"schema_version": 1, "name": "Shop", "currency": currency, "period": period,
            "nodes": nodes, "relationships": rels}
    if unit:
        data["money_unit"] = unit
    return data


def shop(*args, **kwargs) -> Ecosystem:
    return Ecosystem.model_validate(shop_data(*args, **kwargs))


# The three periods of the hand-built ecosystem: the cloud overtakes the shop in 2023; the app channel is
# missing in 2022.
#   period   shop  cloud  ecosystem revenue
#   2021     100    20    120
#   2022     110    60    170
#   2023     120   150    270
THREE = [("a.yaml", shop("2021", 100, 20)), ("b.yaml", shop("2022", 110, 60, app=False)),
         ("c.yaml", shop("2023", 120, 150))]


@pytest.fixture(scope="module")
def three():
    return timeline(THREE)


# ------------------------------------------------------------------------------------------ figures


def test_figures_per_period_by_hand(three):
    assert [p.period for p in three.periods] == ["2021", "2022", "2023"]
    assert [p.label for p in three.periods] == ["a.yaml", "b.yaml", "c.yaml"]
    assert [p.ecosystem_revenue for p in three.periods] == [120.0, 170.0, 270.0]
    assert [p.core_revenue for p in three.periods] == [100.0, 110.0, 120.0]
    assert three.periods[0].revenue_by_offering == {"shop": 100.0, "cloud": 20.0, "app": 0.0}
    assert three.periods[1].revenue_by_offering == {"shop": 110.0, "cloud": 60.0}
    # net = inflow - outflow: the shop and the cloud receive, the segments pay; the app moves no money
    assert three.periods[2].net == {"shop": 120.0, "cloud": 150.0, "buyers": -120.0, "devs": -150.0}
    # lock-in index 100 * (0.5 * cost + 0.25 * min(paths, 3) / 3 + 0.25 * mechanisms / 7):
    # buyers: 0.5 * 0.3 + 0.25 / 3 = 0.23333; developers have no binding path to a core: 0
    assert three.periods[0].lockin == pytest.approx({"buyers": 100 * (0.15 + 0.25 / 3), "devs": 0.0})
    assert three.periods[0].conversion == {}  # no CONVERTS_TO
    assert three.periods[1].nodes == ["shop", "cloud", "buyers", "devs"]
    assert three.periods[0].share("cloud") == pytest.approx(20 / 120)
    assert three.currency == "EUR" and three.money_unit == "million"


def test_keystone_ranking_per_period_is_the_keystone_analysis():
    t = timeline(THREE)
    for p, (_, m) in zip(t.periods, THREE):
        assert p.keystones == [k.id for k in keystones(to_networkx(m)).nodes]


def test_growth_figures_by_hand(three):
    first, second = three.changes
    assert (first.from_period, first.to_period, second.from_period, second.to_period) == (
        "2021", "2022", "2022", "2023")
    assert first.ecosystem_revenue_growth == pytest.approx(170 / 120 - 1)  # 0.41667
    assert second.ecosystem_revenue_growth == pytest.approx(270 / 170 - 1)  # 0.58824
    assert first.core_revenue_growth == pytest.approx(0.10)  # 110 / 100 - 1
    assert second.core_revenue_growth == pytest.approx(120 / 110 - 1)  # 0.0909
    assert first.offering_growth["cloud"] == pytest.approx(2.0)  # 60 / 20 - 1
    assert second.offering_growth["cloud"] == pytest.approx(1.5)  # 150 / 60 - 1
    # the app earned nothing before: no growth rate
    assert first.offering_growth["app"] is None and second.offering_growth["app"] is None
    assert second.offering_share["cloud"] == pytest.approx((60 / 170, 150 / 270))
    assert first.offering_share["app"] == (0.0, None)  # gone in 2022
    assert second.net_change["cloud"] == pytest.approx(90.0)  # 150 - 60
    assert first.lockin_change == {"buyers": 0.0, "devs": 0.0}


def test_compound_annual_growth_by_hand(three):
    # cloud: (150 / 20) ** (1 / 2) - 1 = sqrt(7.5) - 1 = 1.7386; shop: sqrt(1.2) - 1 = 0.0954
    assert three.cagr["cloud"] == pytest.approx(math.sqrt(7.5) - 1)
    assert three.cagr["shop"] == pytest.approx(math.sqrt(1.2) - 1)
    assert three.cagr["app"] is None  # never any revenue
    assert three.ecosystem_cagr == pytest.approx(0.5)  # sqrt(270 / 120) - 1 = 1.5 - 1


def test_compound_annual_growth_from_the_first_to_the_last_period_with_revenue():
    # the cloud earns nothing in 2020: its growth runs 2021 -> 2024, three years: (80 / 10) ** (1 / 3) - 1 = 1.0
    t = timeline([shop("2020", 50, 0), shop("2021", 60, 10), shop("2024", 70, 80)])
    assert t.cagr["cloud"] == pytest.approx(1.0)
    assert t.cagr["shop"] == pytest.approx((70 / 50) ** (1 / 4) - 1)


def test_no_compound_annual_growth_unless_periods_are_years():
    t = timeline([shop("2023-Q1", 100, 20), shop("2023-Q2", 110, 40)])
    assert t.cagr == {"shop": None, "cloud": None, "app": None}
    assert t.ecosystem_cagr is None and t.period_kind == "quarter"
    # years kept out of time order with --as-given: no annual rate either
    t = timeline([shop("2024", 100, 20), shop("2022", 110, 40)], as_given=True)
    assert t.cagr["shop"] is None and t.period_kind == "year"


# ------------------------------------------------------------------------------------------ shifts


def test_satellite_overtaking_the_core_in_the_third_period(three):
    overtakes = [s for s in three.shifts if s.kind == "overtakes_core"]
    assert len(overtakes) == 1
    s = overtakes[0]
    assert s.periods == ["2022", "2023"]
    assert s.sentence == ("In 2023, Cloud (EUR 150 million) overtook the core Shop (EUR 120 million) as a source "
                          "of revenue; in 2022 it had EUR 60.0 million against EUR 110 million.")
    assert s.figures == {"satellite": "cloud", "core": "shop", "satellite_revenue": [60.0, 150.0],
                         "core_revenue": [110.0, 120.0]}


def marketplace(period: str, shop_sales: float, gmv: float, listing: float) -> Ecosystem:
    """A shop (core) and a marketplace (satellite) that takes the buyers' payments and pays 85% on to the
    sellers (a partner), who also pay it listing fees."""
    return Ecosystem.model_validate({
        "schema_version": 1, "name": "Bazaar", "currency": "EUR", "money_unit": "million", "period": period,
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
                  {"id": "market", "kind": "satellite", "name": "Marketplace"},
                  {"id": "sellers", "kind": "partner", "name": "Sellers"},
                  {"id": "buyers", "kind": "segment", "name": "Buyers"}],
        "relationships": [
            {"id": "sales", "from": "buyers", "to": "shop", "type": "PAYS", "amount": shop_sales},
            {"id": "gmv", "from": "buyers", "to": "market", "type": "PAYS", "amount": gmv},
            {"id": "payout", "from": "market", "to": "sellers", "type": "PAYS", "share_of": "gmv",
             "share": {"low": 0.8, "base": 0.85, "high": 0.9}},
            {"id": "listing", "from": "sellers", "to": "market", "type": "PAYS", "amount": listing}]})


def test_a_marketplace_overtaking_by_what_passes_through_says_what_it_keeps():
    # 2021: marketplace 40 + 4 = 44 < shop 100; 2022: 150 + 10 = 160 > shop 110 (revenue counts the buyers'
    # payments it passes on), but it keeps 160 - 0.85 x 150 = 160 - 127.5 = 32.5 against the shop's 110;
    # 2023: 600 + 30 = 630 > 115, kept 630 - 510 = 120 > 115: no warning once it earns more too
    tl = timeline([("a.yaml", marketplace("2021", 100, 40, 4)), ("b.yaml", marketplace("2022", 110, 150, 10)),
                   ("c.yaml", marketplace("2023", 115, 600, 30))])
    (s,) = [s for s in tl.shifts if s.kind == "overtakes_core"]
    assert s.sentence == ("In 2022, Marketplace (EUR 160 million) overtook the core Shop (EUR 110 million) as a "
                          "source of revenue; in 2021 it had EUR 44.0 million against EUR 100 million. After what "
                          "it pays on to others it kept EUR 32.5 million, the core EUR 110 million.")
    assert [p.ecosystem_revenue for p in tl.periods] == pytest.approx([144.0, 270.0, 745.0])
    assert [p.net["market"] for p in tl.periods] == pytest.approx([10.0, 32.5, 120.0])
    # 2023 on its own: the marketplace both brings and keeps more than the shop, so the plain sentence stands
    (late,) = [s for s in timeline([("b.yaml", marketplace("2022", 200, 150, 10)),
                                    ("c.yaml", marketplace("2023", 115, 600, 30))]).shifts
               if s.kind == "overtakes_core"]
    assert late.sentence.endswith("against EUR 200 million.")


def test_the_relabel_suggestion_says_what_a_pass_through_satellite_keeps():
    # largest source of revenue in 2022 (160 > 110) and 2023 (630 > 115): suggested as a core; it kept
    # 160 - 0.85 x 150 = 32.5 in 2022 (below the shop's 110) and 630 - 0.85 x 600 = 120 in 2023 (above 115)
    tl = timeline([("a.yaml", marketplace("2021", 100, 40, 4)), ("b.yaml", marketplace("2022", 110, 150, 10)),
                   ("c.yaml", marketplace("2023", 115, 600, 30))])
    (sug,) = tl.suggestions
    assert sug.sentence == ("Consider relabelling Marketplace as a core: it was the largest source of revenue in "
                            "both 2022 (EUR 160 million) and 2023 (EUR 630 million). After what it pays on to "
                            "others it kept EUR 32.5 million in 2022 and EUR 120 million in 2023, the core "
                            "EUR 110 million and EUR 115 million. Not applied: the model files are unchanged.")
    # keeping more than the shop in both periods (2023: 120 > 115; 2024: 1000 + 50 - 850 = 200 > 118): no clause; 1,050 million reads 1.05 billion
    (plain,) = timeline([("c.yaml", marketplace("2023", 115, 600, 30)),
                         ("d.yaml", marketplace("2024", 118, 1000, 50))]).suggestions
    assert plain.sentence.endswith("and 2024 (EUR 1.05 billion). Not applied: the model files are unchanged.")


def test_share_crossing_the_threshold(three):
    # cloud: 20 / 120 = 16.7% in 2021, 60 / 170 = 35.3% in 2022: above a quarter from 2022 on
    assert [(s.kind, s.periods) for s in three.shifts] == [("share_crossed", ["2021", "2022"]),
                                                          ("overtakes_core", ["2022", "2023"])]
    assert three.shifts[0].sentence == ("In 2022, Cloud rose to 35.3% of ecosystem revenue (EUR 60.0 million), "
                                        "above 25.0%; in 2021 it brought 16.7%.")
    # with a 40% threshold the crossing comes in 2023 (150 / 270 = 55.6%), and the shop (64.7% -> 44.4%) stays above
    t = timeline(THREE, shift=0.4)
    crossed = [s for s in t.shifts if s.kind == "share_crossed"]
    assert [(s.periods, s.figures["offering"]) for s in crossed] == [(["2022", "2023"], "cloud")]
    # with 50%: the shop falls below it in 2023 (64.7% -> 44.4%) and the cloud rises above it (model order)
    t = timeline(THREE, shift=0.5)
    sentences = [s.sentence for s in t.shifts if s.kind == "share_crossed"]
    assert sentences == [
        "In 2023, Shop fell to 44.4% of ecosystem revenue (EUR 120 million), below 50.0%; in 2022 it brought 64.7%.",
        "In 2023, Cloud rose to 55.6% of ecosystem revenue (EUR 150 million), above 50.0%; in 2022 it brought 35.3%."]


def test_share_crossing_by_an_offering_that_is_new_or_gone():
    # 2022 without the cloud: the shop earns 100 of 100; 2023 the cloud earns 50 of 150 = 33.3%
    before = shop_data("2022", 100, 0)
    before["nodes"] = [n for n in before["nodes"] if n["id"] != "cloud"]
    before["relationships"] = [r for r in before["relationships"] if "cloud" not in (r["from"], r["to"])]
    t = timeline([Ecosystem.model_validate(before), shop("2023", 100, 50)])
    assert [s.sentence for s in t.shifts if s.kind == "share_crossed"] == [
        "In 2023, Cloud, new since 2022, brought 33.3% of ecosystem revenue (EUR 50.0 million), above 25.0%."]
    assert t.changes[0].appeared == ["cloud"]
    # and back: the cloud (33.3% in 2023) is gone in 2024
    after = dict(before, period="2024")
    t = timeline([shop("2023", 100, 50), Ecosystem.model_validate(after)])
    assert [s.sentence for s in t.shifts if s.kind == "share_crossed"] == [
        "In 2024, Cloud is gone; in 2023 it brought 33.3% of ecosystem revenue (EUR 50.0 million), above 25.0%."]
    assert t.changes[0].offering_share["cloud"] == pytest.approx((50 / 150, None))


def test_a_relabelled_node_is_listed_as_a_kind_change():
    t = timeline([shop("2023", 120, 150), shop("2024", 125, 200, cloud_kind="core")])
    assert t.changes[0].kind_changed == {"cloud": ("satellite", "core")}
    assert t.to_dict()["changes"][0]["kind_changed"] == {"cloud": ["satellite", "core"]}


def test_lockin_moving_more_than_ten_points():
    # buyers: 100 * (0.5 * 0.3 + 0.25 / 3) = 23.33 -> 100 * (0.5 * 0.55 + 0.25 / 3) = 35.83, +12.5 points
    t = timeline([shop("2022", 100, 20, buyers_cost=0.3), shop("2023", 100, 20, buyers_cost=0.55)])
    moved = [s for s in t.shifts if s.kind == "lockin_moved"]
    assert len(moved) == 1
    assert moved[0].sentence == ("From 2022 to 2023, the lock-in of Buyers rose by 12.5 points, from 23.3 to 35.8 "
                                 "(of 100): customers are harder to win away.")
    assert moved[0].figures["index"] == pytest.approx([100 * (0.15 + 0.25 / 3), 100 * (0.275 + 0.25 / 3)])
    # 0.3 -> 0.49: +9.5 points, not reported; 0.3 -> 0.05: -12.5, reported as a fall
    t = timeline([shop("2022", 100, 20, buyers_cost=0.3), shop("2023", 100, 20, buyers_cost=0.49)])
    assert not [s for s in t.shifts if s.kind == "lockin_moved"]
    t = timeline([shop("2022", 100, 20, buyers_cost=0.3), shop("2023", 100, 20, buyers_cost=0.05)])
    assert [s.sentence for s in t.shifts if s.kind == "lockin_moved"] == [
        "From 2022 to 2023, the lock-in of Buyers fell by 12.5 points, from 23.3 to 10.8 (of 100): customers are "
        "easier to win away."]


def test_top_keystone_change():
    # 2022: the shop carries most revenue and lock-in; 2023: the cloud, now a core, earns 500 of 600 and binds the
    # developers (lock-in 48.3 against the buyers' 23.3), so losing it costs the most
    models = [shop("2022", 100, 20), shop("2023", 100, 500, cloud_kind="core")]
    tops = [keystones(to_networkx(m)).nodes[0].id for m in models]
    assert tops == ["shop", "cloud"]
    t = timeline(models)
    changed = [s for s in t.shifts if s.kind == "top_keystone_changed"]
    assert [(s.figures, s.sentence) for s in changed] == [(
        {"before": "shop", "after": "cloud"},
        "In 2023, Cloud became the keystone the ecosystem would miss most, taking over from Shop (the top keystone "
        "in 2022).")]
    # a core overtaking a core is no satellite overtaking one
    assert not [s for s in t.shifts if s.kind == "overtakes_core"]


def test_relabelling_suggested_after_two_periods_as_largest_source_never_applied():
    models = [shop("2022", 110, 60), shop("2023", 120, 150), shop("2024", 125, 200), shop("2025", 130, 260)]
    t = timeline(models)
    # the cloud is the largest source in 2023 and 2024 (and 2025): one suggestion, at the first two periods
    assert [(s.node, s.periods, s.action) for s in t.suggestions] == [("cloud", ["2023", "2024"],
                                                                        "relabel_as_core")]
    assert t.suggestions[0].sentence == ("Consider relabelling Cloud as a core: it was the largest source of "
                                         "revenue in both 2023 (EUR 150 million) and 2024 (EUR 200 million). Not "
                                         "applied: the model files are unchanged.")
    assert [m.nodes[1].kind for m in models] == ["satellite"] * 4  # the models are untouched
    # largest in one period only: no suggestion; already a core: no suggestion
    assert timeline(THREE).suggestions == []
    assert timeline([shop("2023", 120, 150, cloud_kind="core"), shop("2024", 125, 200, cloud_kind="core")]
                    ).suggestions == []


# ------------------------------------------------------------------------------------------ matching


def test_node_missing_in_the_middle_period_is_removed_then_added(three):
    first, second = three.changes
    assert (first.appeared, first.disappeared) == ([], ["app"])
    assert (second.appeared, second.disappeared) == (["app"], [])
    # relationships as diff names them: the FEEDS without an id by from, to and type
    assert first.relationships_disappeared == ["app -> shop FEEDS#0"]
    assert second.relationships_appeared == ["app -> shop FEEDS#0"]
    assert first.relationships_appeared == [] and second.relationships_disappeared == []


# ------------------------------------------------------------------------------------------ order and errors


def test_snapshots_given_out_of_order_are_sorted_by_period():
    t = timeline([THREE[2], THREE[0], THREE[1]])
    assert [(p.period, p.label) for p in t.periods] == [("2021", "a.yaml"), ("2022", "b.yaml"), ("2023", "c.yaml")]
    assert t.ordered_by == "period"
    assert [p.ecosystem_revenue for p in t.periods] == [120.0, 170.0, 270.0]


@pytest.mark.parametrize("periods, expected", [
    (["2024-Q1", "2023-Q4", "2023-q2"], ["2023-q2", "2023-Q4", "2024-Q1"]),
    (["2023-12-31", "2023-01-31", "2022-06-30"], ["2022-06-30", "2023-01-31", "2023-12-31"]),
    (["2023-11", "2023-02", "2022-12"], ["2022-12", "2023-02", "2023-11"]),
    (["FY2025", "FY2023", "FY2024"], ["FY2023", "FY2024", "FY2025"]),
    (["2024-H1", "2023-H2"], ["2023-H2", "2024-H1"]),
])
def test_sort_rule_for_each_kind_of_period(periods, expected):
    t = timeline([shop(p, 100, 20) for p in periods])
    assert [p.period for p in t.periods] == expected


def test_as_given_keeps_the_order_and_accepts_any_period():
    t = timeline([shop("plan B", 100, 20), shop("plan A", 90, 30), shop("today", 80, 10)], as_given=True)
    assert [p.period for p in t.periods] == ["plan B", "plan A", "today"]
    assert t.ordered_by == "as given" and t.period_kind is None
    assert t.changes[0].ecosystem_revenue_growth == pytest.approx(0.0)  # 120 -> 120


def test_period_errors():
    with pytest.raises(UsageError) as e:
        timeline([("x.yaml", shop("2023", 1, 1)), ("y.yaml", shop("2023", 2, 2))])
    assert str(e.value) == ("period 2023 appears twice (x.yaml (2023) and y.yaml (2023)); each snapshot needs its "
                            "own period")
    with pytest.raises(UsageError) as e:
        timeline([("x.yaml", shop("2023", 1, 1)), ("y.yaml", shop("spring", 2, 2))])
    assert str(e.value) == ("cannot sort the period of y.yaml (spring): periods must be years (2023, FY2023), halves "
                            "(2023-H1), quarters (2023-Q1), months (2023-01), ISO dates (2023-01-31); or keep the "
                            "order given with --as-given")
    with pytest.raises(UsageError) as e:
        timeline([("x.yaml", shop("2023", 1, 1)), ("y.yaml", shop("2024-Q1", 2, 2))])
    assert str(e.value) == ("the periods mix kinds (x.yaml (2023): year, y.yaml (2024-Q1): quarter); use one kind "
                            "for every snapshot, or keep the order given with --as-given")
    with pytest.raises(UsageError) as e:
        timeline([("x.yaml", shop("2023", 1, 1)), ("y.yaml", shop("2024", 1, 1)), ("z.yaml", shop("FY2023", 2, 2))])
    assert str(e.value) == "x.yaml (2023) and z.yaml (FY2023) are the same year; each snapshot needs its own period"
    with pytest.raises(UsageError, match="at least two snapshots, got 1"):
        timeline([shop("2023", 1, 1)])
    with pytest.raises(UsageError, match="appears twice"):  # duplicates are refused even as given
        timeline([shop("x", 1, 1), shop("x", 2, 2)], as_given=True)


def test_mismatched_currencies_are_a_clear_error():
    with pytest.raises(UsageError) as e:
        timeline([("a.yaml", shop("2022", 1, 1)), ("b.yaml", shop("2023", 1, 1, currency="USD")),
                  ("c.yaml", shop("2024", 1, 1))])
    assert str(e.value) == ("the snapshots differ in currency (a.yaml (2022), c.yaml (2024): EUR; b.yaml (2023): USD);"
                            " a timeline compares snapshots in one currency: convert the amounts first")
    with pytest.raises(UsageError) as e:
        timeline([("a.yaml", shop("2022", 1, 1)), ("b.yaml", shop("2023", 1, 1, unit="billion"))])
    assert str(e.value) == ("the snapshots differ in money unit (a.yaml (2022): million; b.yaml (2023): billion); "
                            "a timeline compares snapshots in one money unit: convert the amounts first")


def test_shift_threshold_must_be_a_share():
    for bad in (0, 1, 1.5, -0.2):
        with pytest.raises(UsageError, match="--shift must be a share"):
            timeline(THREE, shift=bad)


def test_period_key_refuses_impossible_dates():
    assert period_key("2023-02-29") is None and period_key("2024-02-29") == ("date", (2024, 2, 29))


def test_to_dict_round_trips_through_json(three):
    data = json.loads(json.dumps(three.to_dict()))
    assert data["format_version"] == 2
    assert [p["period"] for p in data["periods"]] == ["2021", "2022", "2023"]
    assert data["changes"][1]["offering_share"]["cloud"] == pytest.approx([60 / 170, 150 / 270])
    assert [s["kind"] for s in data["shifts"]] == ["share_crossed", "overtakes_core"]
    assert data["cagr"]["cloud"] == pytest.approx(math.sqrt(7.5) - 1)
    assert data["periods"][1]["revenue_share"]["cloud"] == pytest.approx(60 / 170)


# ------------------------------------------------------------------------------------------ CLI


@pytest.fixture
def files(tmp_path):
    paths = []
    for name, (_, m) in zip(["shop-2021.yaml", "shop-2022.yaml", "shop-2023.yaml"], THREE):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(m.to_data(), sort_keys=False), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def runner():
    return CliRunner()


def test_cli_markdown_exact_lines(runner, files):
    result = runner.invoke(cli, ["timeline", files[2], files[0], files[1], "--format", "markdown"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "### Role shifts",
        "",
        "| periods | shift | what happened |",
        "| --- | --- | --- |",
        "| 2021 → 2022 | share_crossed | In 2022, Cloud rose to 35.3% of ecosystem revenue (EUR 60.0 million), "
        "above 25.0%; in 2021 it brought 16.7%. |",
        "| 2022 → 2023 | overtakes_core | In 2023, Cloud (EUR 150 million) overtook the core Shop (EUR 120 million) "
        "as a source of revenue; in 2022 it had EUR 60.0 million against EUR 110 million. |",
    ]
    # growth 170 / 120 - 1 = 41.7%, 270 / 170 - 1 = 58.8%; core 10.0%, 120 / 110 - 1 = 9.1%
    assert "| 2021 | shop-2021.yaml | EUR 120 million |  | EUR 100 million |  |" in lines
    assert "| 2022 | shop-2022.yaml | EUR 170 million | 41.7% | EUR 110 million | 10.0% |" in lines
    assert "| 2023 | shop-2023.yaml | EUR 270 million | 58.8% | EUR 120 million | 9.1% |" in lines
    assert "compound annual growth of ecosystem revenue 2021–2023: 50.0%" in lines
    # CAGR sqrt(7.5) - 1 = 173.9%, sqrt(1.2) - 1 = 9.5%
    assert "| cloud | satellite | EUR 20.0 million | EUR 60.0 million | EUR 150 million | 173.9% |" in lines
    assert "| shop | core | EUR 100 million | EUR 110 million | EUR 120 million | 9.5% |" in lines
    assert "| cloud | 200.0% | 150.0% |" in lines  # 60 / 20 - 1, 150 / 60 - 1
    assert "| 2021→2022 |  | app | 0 | 1 |" in lines
    assert "| 2022→2023 | app |  | 1 | 0 |" in lines


def test_cli_json_and_csv(runner, files):
    result = runner.invoke(cli, ["timeline", *files, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["ecosystem_revenue"] for p in data["periods"]] == [120.0, 170.0, 270.0]
    assert data["changes"][0]["disappeared"] == ["app"] and data["changes"][1]["appeared"] == ["app"]
    result = runner.invoke(cli, ["timeline", *files, "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# Role shifts"
    start = lines.index("# Revenue by offering (EUR million)")
    assert lines[start + 1:start + 4] == ["offering,kind,2021,2022,2023,CAGR (%)",
                                          f"cloud,satellite,20.0,60.0,150.0,{100 * (math.sqrt(7.5) - 1)!r}",
                                          f"shop,core,100.0,110.0,120.0,{100 * (math.sqrt(1.2) - 1)!r}"]


def test_cli_output_file_is_written_whole(runner, files, tmp_path):
    out = tmp_path / "timeline.json"
    result = runner.invoke(cli, ["timeline", *files, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["shifts"][1]["kind"] == "overtakes_core"
    # the two role shifts of the markdown test above: Cloud crossing 25% in 2022, overtaking Shop in 2023
    assert (result.stdout, result.stderr) == (f"Wrote {out} (3 periods, 2021 to 2023, 2 role shifts)\n", "")
    md = tmp_path / "timeline.md"
    result = runner.invoke(cli, ["timeline", *files, "--format", "markdown", "-o", str(md)])
    assert (result.exit_code, result.stdout) == (0, f"Wrote {md} (3 periods, 2021 to 2023, 2 role shifts)\n")
    # 2021 and 2022 alone: only the first shift (Cloud crossing 25%)
    two = tmp_path / "two.csv"
    result = runner.invoke(cli, ["timeline", files[0], files[1], "--format", "csv", "-o", str(two)])
    assert (result.exit_code, result.stdout) == (0, f"Wrote {two} (2 periods, 2021 to 2022, 1 role shift)\n")
    assert md.read_text(encoding="utf-8") == runner.invoke(cli, ["timeline", *files, "--format", "markdown"]).stdout
    table = tmp_path / "timeline.txt"
    assert runner.invoke(cli, ["timeline", *files, "-o", str(table)]).exit_code == 0
    assert "│ 2022 → 2023 │ overtakes_core │" in table.read_text(encoding="utf-8")
    # a directory as the output: refused before anything runs, nothing left behind
    result = runner.invoke(cli, ["timeline", *files, "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '-o' / '--output': File '{tmp_path}' is a directory."
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["shop-2021.yaml", "shop-2022.yaml", "shop-2023.yaml", "timeline.json", "timeline.md", "timeline.txt",
         "two.csv"])


def test_cli_output_in_a_missing_folder_is_one_error_line(runner, files, tmp_path):
    target = tmp_path / "missing" / "t.json"
    result = runner.invoke(cli, ["timeline", *files, "--format", "json", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: cannot write (No such file or directory)\n"
    assert not (tmp_path / "missing").exists()


def test_cli_fewer_than_two_files(runner, files):
    result = runner.invoke(cli, ["timeline", files[0]])
    assert result.exit_code == 2
    assert result.stderr == ("Error: a timeline needs at least two model files, got 1; e.g. ecograph timeline "
                             "amazon-2018.yaml amazon-2023.yaml\n")
    assert runner.invoke(cli, ["timeline"]).exit_code == 2


def test_cli_invalid_file_gives_located_errors(runner, files, tmp_path):
    bad = tmp_path / "bad.yaml"
    data = shop_data("2024", 1, 1)
    data["relationships"][3]["to"] = "shpo"  # the buyers' USES
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["timeline", files[0], str(bad)])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[-1] == f"1 error in {bad}"
    assert errors[0].startswith(f"{bad}:") and "unknown node 'shpo'" in errors[0] and "did you mean 'shop'?" in errors[0]


def test_cli_mismatched_currency(runner, files, tmp_path):
    usd = tmp_path / "usd-2024.yaml"
    usd.write_text(yaml.safe_dump(shop_data("2024", 1, 1, currency="USD"), sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["timeline", files[0], files[1], str(usd)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: the snapshots differ in currency ({files[0]} (2021), {files[1]} (2022): EUR; "
                             f"{usd} (2024): USD); a timeline compares snapshots in one currency: convert the amounts "
                             f"first\n")


def test_cli_duplicate_period_and_as_given(runner, files, tmp_path):
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump(shop_data("2021", 1, 1), sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["timeline", files[0], str(again)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: period 2021 appears twice ({files[0]} (2021) and {again} (2021)); each "
                             f"snapshot needs its own period\n")
    result = runner.invoke(cli, ["timeline", files[2], files[0], "--as-given", "--format", "json"])
    assert result.exit_code == 0
    assert [p["period"] for p in json.loads(result.stdout)["periods"]] == ["2023", "2021"]


def test_cli_shift_option(runner, files):
    result = runner.invoke(cli, ["timeline", *files, "--shift", "0.5", "--format", "json"])
    assert result.exit_code == 0
    assert [s["figures"]["offering"] for s in json.loads(result.stdout)["shifts"]
            if s["kind"] == "share_crossed"] == ["shop", "cloud"]
    result = runner.invoke(cli, ["timeline", *files, "--shift", "25"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: --shift must be a share of ecosystem revenue between 0 and 1 (0.25 = a "
                             "quarter), not 25.0\n")


def test_cli_help_teaches_with_examples(runner):
    result = runner.invoke(cli, ["timeline", "--help"])
    assert result.exit_code == 0
    assert "ecograph timeline examples/amazon-timeline/*.yaml" in result.output
    assert "--as-given" in result.output and "--shift" in result.output
    assert "timeline" in runner.invoke(cli, ["--help"]).output


# ------------------------------------------------------------------------------------------ Amazon example


@pytest.fixture(scope="module")
def amazon():
    paths = sorted(AMAZON.glob("*.yaml"))
    return timeline([(p.name, load_model(p)) for p in paths])


# Net sales by category, USD millions, from the annual reports (Form 10-K) as written in the example files;
# 2013: only AWS is reported (2015 10-K), the rest an assumption.
REPORTED = {
    "2018": {"online-retail": 122_987, "physical-stores": 17_224, "marketplace-services": 42_745,
             "prime": 14_168, "aws": 25_655, "advertising": 10_108},  # advertising: "other", mainly advertising
    "2023": {"online-retail": 231_872, "physical-stores": 20_030, "marketplace-services": 140_053,
             "prime": 40_209, "aws": 90_757, "advertising": 46_906},
}


def test_amazon_timeline_matches_the_annual_reports(amazon):
    assert [p.period for p in amazon.periods] == ["2013", "2018", "2023"]
    assert amazon.currency == "USD" and amazon.money_unit == "billion"
    by_period = {p.period: p for p in amazon.periods}
    for period, reported in REPORTED.items():
        got = by_period[period].revenue_by_offering
        for offering, millions in reported.items():
            assert got[offering] == pytest.approx(millions / 1000), (period, offering)
    # 2018: the six categories are the whole of the 10-K total, 232,887
    assert by_period["2018"].ecosystem_revenue == pytest.approx(232.887)
    # 2023: the 10-K total 574,785 less "other" 4,958, not modelled
    assert by_period["2023"].ecosystem_revenue == pytest.approx(574.785 - 4.958)
    # 2013: AWS reported (3,108); the total 74,452 is met within the rounding of the split (74.453)
    assert by_period["2013"].revenue_by_offering["aws"] == pytest.approx(3.108)
    assert by_period["2013"].ecosystem_revenue == pytest.approx(74.452, abs=0.002)


def test_amazon_timeline_shows_the_rise_of_aws_and_advertising(amazon):
    # AWS: (90.757 / 3.108) ** (1 / 10) - 1 = 40.1% a year; advertising (46.906 / 1.231) ** 0.1 - 1 = 43.9%;
    # online stores (231.872 / 55.321) ** 0.1 - 1 = 15.4%
    assert amazon.cagr["aws"] == pytest.approx((90.757 / 3.108) ** 0.1 - 1)
    assert amazon.cagr["advertising"] == pytest.approx((46.906 / 1.231) ** 0.1 - 1)
    assert amazon.cagr["online-retail"] == pytest.approx((231.872 / 55.321) ** 0.1 - 1)
    # physical stores: from 2018 (first with revenue) to 2023, five years
    assert amazon.cagr["physical-stores"] == pytest.approx((20.030 / 17.224) ** 0.2 - 1)
    shares = [p.share("aws") for p in amazon.periods]
    assert shares == sorted(shares) and shares[-1] == pytest.approx(90.757 / 569.827)
    assert amazon.changes[0].appeared == ["amazon-music", "alexa", "physical-stores", "echo-devices", "alexa-auto",
                                          "car-maker"]
    # with a 15% threshold, AWS's share crossing (11.0% in 2018, 15.9% in 2023) is a role shift
    t = timeline([(p.name, load_model(p)) for p in sorted(AMAZON.glob("*.yaml"))], shift=0.15)
    assert [s.sentence for s in t.shifts if s.kind == "share_crossed"] == [
        "In 2023, Amazon Web Services rose to 15.9% of ecosystem revenue (USD 90.8 billion), above 15.0%; in 2018 "
        "it brought 11.0%."]


def test_amazon_timeline_without_shift_says_so(amazon):
    # at a quarter: the marketplace services peak at 24.6% (140.053 / 569.827), AWS at 15.9%; the online stores stay
    # the top keystone; the lock-in indexes do not move
    assert amazon.shifts == [] and amazon.suggestions == []
    assert amazon.tables()[0].rows == [[
        "2013 → 2023", "none", "No role shift: no satellite overtook a core, no offering's share crossed 25.0%, the "
        "top keystone stayed, no segment's lock-in moved by more than 10 points."]]


def test_amazon_example_files_validate(runner):
    result = runner.invoke(cli, ["validate", *sorted(str(p) for p in AMAZON.glob("*.yaml"))])
    assert result.exit_code == 0, result.output


def test_readme_shows_the_real_output_of_the_amazon_timeline(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("ecograph timeline examples/amazon-timeline/*.yaml\n```\n\n```\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line.strip()]
    assert len(shown) >= 20
    result = runner.invoke(cli, ["timeline", *sorted(str(p) for p in AMAZON.glob("*.yaml"))])
    assert result.exit_code == 0
    real = [line.rstrip() for line in result.stdout.splitlines()]
    start = real.index(shown[0])
    assert real[start:start + len(shown)] == shown


def _brute_force_money(path: Path) -> tuple[dict, dict]:
    """Revenue per offering and net per actor straight from the YAML: PAYS from segments and partners into cores,
    satellites and channels; a linked PAYS is its share of the flow it names."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    by_id = {r["id"]: r for r in data["relationships"] if r.get("id")}

    def amount(r):
        return r["share"] * amount(by_id[r["share_of"]]) if r.get("share_of") else float(r["amount"])

    revenue = {n: 0.0 for n, k in kind.items() if k in ("core", "satellite", "channel")}
    net: dict = {}
    for r in data["relationships"]:
        if r["type"] != "PAYS":
            continue
        a = amount(r)
        net[r["from"]] = net.get(r["from"], 0.0) - a
        net[r["to"]] = net.get(r["to"], 0.0) + a
        if kind[r["from"]] in ("segment", "partner") and r["to"] in revenue:
            revenue[r["to"]] += a
    return revenue, net


@pytest.mark.parametrize("year", ["2013", "2018", "2023"])
def test_amazon_figures_against_a_brute_force_reading_of_the_files(amazon, year):
    revenue, net = _brute_force_money(AMAZON / f"amazon-{year}.yaml")
    period = next(p for p in amazon.periods if p.period == year)
    assert period.revenue_by_offering == pytest.approx(revenue)
    assert period.ecosystem_revenue == pytest.approx(sum(revenue.values()))
    assert period.net == pytest.approx(net)


def test_cli_output_file_name_chooses_the_format_when_none_is_given(runner, files, tmp_path):
    # .json, .csv and .md give those formats; an explicit --format wins over the name; other names: the table.
    for name, check in (("t.json", lambda text: json.loads(text)["shifts"][1]["kind"] == "overtakes_core"),
                        ("t.csv", lambda text: text.splitlines()[0] == "# Role shifts"),
                        ("t.md", lambda text: text == runner.invoke(cli, ["timeline", *files, "--format",
                                                                           "markdown"]).stdout)):
        assert runner.invoke(cli, ["timeline", *files, "-o", str(tmp_path / name)]).exit_code == 0
        assert check((tmp_path / name).read_text(encoding="utf-8")), name
    assert runner.invoke(cli, ["timeline", *files, "--format", "table", "-o", str(tmp_path / "u.json")]).exit_code == 0
    assert "│ 2022 → 2023 │ overtakes_core │" in (tmp_path / "u.json").read_text(encoding="utf-8")
