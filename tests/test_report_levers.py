"""The report's funnel levers: the summary sentence and the KPI name the biggest lever, the levers table and the
"All funnels" table carry the figures of ``ecograph analyze --format json``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ecosystem_graph.cli import cli
from tests.test_report import close, parse

ROOT = Path(__file__).resolve().parent.parent
NEWSPAPER = ROOT / "examples" / "newspaper-funnel.yaml"


def _text(page: str) -> str:
    """The words of an HTML page, tags dropped and spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def newspaper(tmp_path_factory):
    """(analysis JSON, node names, HTML page, Markdown text) of the newspaper example."""
    out = tmp_path_factory.mktemp("newspaper")
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(NEWSPAPER), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for name in ("report.html", "report.md"):
        res = runner.invoke(cli, ["report", str(NEWSPAPER), "-o", str(out / name)])
        assert res.exit_code == 0, res.output
    names = {n["id"]: n["name"] for n in yaml.safe_load(NEWSPAPER.read_text(encoding="utf-8"))["nodes"]}
    return data, names, (out / "report.html").read_text(encoding="utf-8"), (out / "report.md").read_text(
        encoding="utf-8")


def _expected_sentence(data: dict, names: dict) -> str:
    """The biggest-lever clause written from the JSON figures (rates with one decimal, counts whole, money whole
    euros: the newspaper's amounts are in plain EUR)."""
    (f,) = data["funnel"]["funnels"]
    x = f["biggest_lever"]
    assert x == f["levers"][0] and not x["capped"]
    (final,) = f["finals"]
    return (f"the biggest lever is {names[x['from']]} → {names[x['to']]}: 10% more of its rate "
            f"({x['rate'] * 100:.1f}% → {x['rate'] * 110:.1f}%) brings {x['extra_converted_per_10pct']:,.0f} more "
            f"{names[final]} (+{100 * x['extra_converted_per_10pct'] / f['expected_converted']:.1f}%) and "
            f"EUR {x['extra_revenue_per_10pct']:,.0f} more revenue")


# hand check of the newspaper funnel (only the 1,500,000 flybys enter): expected members registered 1.5M x 0.04 =
# 60,000, paying once 1.5M x 0.005 + 60,000 x 0.1 = 13,500, subscribers 13,500 x 0.25 + 60,000 x 0.02 = 4,575.
# Raising paying once -> subscriber by 10% (0.25 -> 0.275) adds 13,500 x 0.025 = 337.5 subscribers, 337.5 / 4,575
# = +7.4%, each bringing the ecosystem revenue of one subscriber: (1,198,800 web + 203,796 app-store payouts
# (0.85 x 2,000 x 119.88) + 120,000 e-paper) / 12,000 subscribers = EUR 126.883 a year: 337.5 x 126.883 = EUR 42,823.
# Its elasticity 0.25 x 13,500 / 4,575 = 0.74 beats flyby -> registered (0.04 x 1.5M x 0.045 / 4,575 = 0.59) and
# the lowest rate, flyby -> paying once (0.005 x 1.5M x 0.25 / 4,575 = 0.41).
HAND = ("the biggest lever is Paying once (day pass) → Digital subscribers: 10% more of its rate (25.0% → 27.5%) "
        "brings 338 more Digital subscribers (+7.4%) and EUR 42,823 more revenue")



def markdown_report(model: dict, stem) -> str:
    """The Markdown report `ecograph report` writes for ``model`` (saved as STEM.yaml, written to STEM.md)."""
    src, out = stem.with_suffix(".yaml"), stem.with_suffix(".md")
    src.write_text(yaml.safe_dump(model), encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8")

def test_summary_sentence_names_the_biggest_lever_in_html_and_markdown(newspaper):
    data, names, page, md = newspaper
    assert _expected_sentence(data, names) == HAND
    text = _text(page)
    assert HAND in text and HAND in md
    assert "bottleneck" not in text.lower().split("methods")[0]  # the lowest rate is no longer the headline
    summary = parse(page).summary
    assert close(summary["funnel_conversion"], data["funnel"]["funnels"][0]["conversion"])


def test_funnel_kpis_put_the_biggest_lever_before_the_lowest_rate(newspaper):
    data, names, page, md = newspaper
    (f,) = data["funnel"]["funnels"]
    figures = parse(page).figures
    assert close(figures["funnel_biggest_lever"], f["biggest_lever"]["extra_converted_per_10pct"])
    assert close(figures["funnel_bottleneck"], f["bottleneck"]["rate"]) and f["bottleneck"]["rate"] == 0.005
    assert ("| Biggest lever | Paying once (day pass) → Digital subscribers (+338 converted per +10% of the rate) |\n"
            "| Lowest rate step | 0.5% (Flybys (anonymous) → Paying once (day pass)) |") in md
    assert "Bottleneck" not in md.split("\n## Methods\n")[0]


def test_levers_table_lists_every_step_as_the_analysis_ranks_them(newspaper):
    data, names, page, md = newspaper
    (f,) = data["funnel"]["funnels"]
    rows = parse(page).cells["levers-1"]
    assert list(rows) == [f"{x['from']}->{x['to']}" for x in f["levers"]]  # ranked by elasticity
    for x in f["levers"]:
        row = rows[f"{x['from']}->{x['to']}"]
        for key in ("rate", "elasticity", "extra_converted_per_point", "extra_converted_per_10pct",
                    "extra_revenue_per_10pct"):
            assert close(row[key], x[key]), (x["from"], x["to"], key)
    # Markdown: the same rows, elasticity with 2 decimals; the first row by hand (see HAND above): +1 point on
    # paying once -> subscriber adds 13,500 x 0.01 = 135
    assert ("| Paying once (day pass) → Digital subscribers | 25.0% | 0.74 | 135 | 338 | EUR 42,823 | no |"
            in md)
    # 1.5M x 0.01 x 0.25 = 3,750; 1.5M x 0.0005 x 0.25 = 187.5 subscribers, from 1.5M x 0.0005 = 750 more paying
    # once (EUR 53,820 of day passes / 9,000 = 5.98 each): 750 x 5.98 + 187.5 x 126.883 = EUR 28,275.6
    assert ("| Flybys (anonymous) → Paying once (day pass) | 0.50% | 0.41 | 3,750 | 188 | EUR 28,276 | no |"
            in md)
    assert "1% more on a step's rate gives that many % more converted customers" in md


def test_all_funnels_table_leads_with_the_biggest_lever(tmp_path):
    # two chains: a -> b (0.5) -> c (0.2) with 1,000 entrants, x -> y (0.3) with 100. In a chain every step has
    # elasticity 1 (ties: step order), so a -> b and x -> y lead; the lowest rates are b -> c and x -> y.
    model = {"name": "two funnels", "currency": "EUR", "period": "2024",
             "nodes": [{"id": "a", "kind": "segment", "name": "A", "size": 1000},
                       {"id": "b", "kind": "segment", "name": "B"}, {"id": "c", "kind": "segment", "name": "C"},
                       {"id": "x", "kind": "segment", "name": "X", "size": 100},
                       {"id": "y", "kind": "segment", "name": "Y"}],
             "relationships": [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.5},
                               {"from": "b", "to": "c", "type": "CONVERTS_TO", "rate": 0.2},
                               {"from": "x", "to": "y", "type": "CONVERTS_TO", "rate": 0.3}]}
    md = markdown_report(model, tmp_path / "two")
    assert ("| Entry stage | Final stage(s) | Conversion | Biggest lever | Elasticity | Lowest rate step | "
            "Lowest rate |") in md
    assert "| A | C | 10.00% | A → B | 1.00 | B → C | 20.0% |" in md  # 0.5 x 0.2 = 0.1
    assert "| X | Y | 30.00% | X → Y | 1.00 | X → Y | 30.0% |" in md
    # the summary: 1,000 x 0.5 x 0.2 = 100 converted; 10% more on a -> b (0.5 -> 0.55): 1,000 x 0.05 x 0.2 = 10
    assert ("the biggest lever is A → B: 10% more of its rate (50.0% → 55.0%) brings 10 more C (+10.0%) (2 funnels"
            in md)  # no money in the model: no revenue clause
    assert "EUR 0 more revenue" not in md


def test_a_capped_lever_says_so_and_stops_at_100_percent(tmp_path):
    # one step a -> b at 0.95 with 1,000 entrants: 950 convert; 10% more would be 1.045, so the raise stops at
    # what is left of the drop rate, 0.05: 1,000 x 0.05 = 50 more (+50 / 950 = 5.3%)
    model = {"name": "capped", "currency": "EUR", "period": "2024",
             "nodes": [{"id": "a", "kind": "segment", "name": "A", "size": 1000},
                       {"id": "b", "kind": "segment", "name": "B"}],
             "relationships": [{"from": "a", "to": "b", "type": "CONVERTS_TO", "rate": 0.95}]}
    md = markdown_report(model, tmp_path / "capped")
    assert ("the biggest lever is A → B: 10% more of its rate (95.0% → 100.0%) brings 50 more B (+5.3%) "
            "(capped).") in md
    assert "| A → B | 95.0% | 1.00 | 10 | 50 | EUR 0 | yes |" in md  # +1 point fits: 1,000 x 0.01 = 10; no money
    assert "Capped: the stage's rates out would pass 100%" in md
