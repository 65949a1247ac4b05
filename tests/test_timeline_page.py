"""The timeline page's data: one layout over every snapshot, each period's nodes, relationships and sizes."""

from __future__ import annotations

import math

import pytest

from ecosystem_graph.errors import UsageError
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.render.timeline import render_timeline_html, timeline_graph_data
from tests.timeline_models import NODES_BY_PERIOD, PERIODS, snapshot, three_periods


def test_every_period_lists_its_own_nodes_and_the_union_is_laid_out_once():
    data = timeline_graph_data(three_periods())
    tl = data["timeline"]
    assert tl["labels"] == list(PERIODS) and tl["start"] == 2
    for i, period in enumerate(PERIODS):
        assert {n for n, per in tl["nodes"].items() if per[i]} == NODES_BY_PERIOD[period]
    assert {n["id"] for n in data["nodes"]} == set().union(*NODES_BY_PERIOD.values())
    # 5 + 5 + 8 relationships; union: the 2023 snapshot holds all 8
    assert [c["relationships"] for c in tl["counts"]] == [5, 5, 8]
    assert len(data["edges"]) == 8


def test_sizes_use_one_scale_across_periods():
    tl = timeline_graph_data(three_periods(), size_by="revenue")["timeline"]
    # money through a node, max(in, out); largest anywhere: buyers 2023, 115 + 30 = 145
    expected = {"ads": (20.0, 60.0, 130.0), "shop": (100.0 + 0, 110.0, 115.0)}
    for node, values in expected.items():
        for i, value in enumerate(values):
            assert tl["nodes"][node][i]["s"] == pytest.approx(12 + 36 * math.sqrt(value / 145.0), abs=0.01)
    # PAYS widths: 1 + 9 * sqrt(amount / 130), the largest amount of any period (sellers -> ads in 2023)
    widths = sorted(p["w"] for per in tl["edges"].values() for p in per if p and p["w"] != 1.2)
    assert max(widths) == pytest.approx(10.0)
    assert min(widths) == pytest.approx(1 + 9 * math.sqrt(10.0 / 130.0), abs=0.01)


def test_snapshots_in_other_currencies_or_alone_are_refused():
    a = snapshot("2021")
    b = Ecosystem.model_validate({**snapshot("2022").to_data(), "currency": "USD"})
    with pytest.raises(UsageError, match="one currency and money unit: period 2021 is in EUR million, "
                                         "period 2022 in USD million"):
        timeline_graph_data([a, b])
    with pytest.raises(UsageError, match="at least two snapshots"):
        timeline_graph_data([a])
    with pytest.raises(UsageError, match="size_by"):
        timeline_graph_data([a, snapshot("2022")], size_by="colour")


def test_period_labels_are_escaped_in_the_page():
    page = render_timeline_html([snapshot("2021", label="2021 <i>x</i>"), snapshot("2022")])
    assert "2021 &lt;i&gt;x&lt;/i&gt;" in page and "<i>x</i>" not in page
