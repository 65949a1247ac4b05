"""One number format (ecosystem_graph.numbers): each kind of figure, money columns in one unit, and the CLI
tables, Markdown, report and render that use it; JSON and CSV keep raw numbers."""

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ecosystem_graph import numbers
from ecosystem_graph.cli import cli
from ecosystem_graph.numbers import (format_count, format_index, format_money, format_number, format_percent,
                                     format_share, money_scale)
from ecosystem_graph.report import fmt
from ecosystem_graph.report.document import ReportTable, cell
from ecosystem_graph.tables import Table, tables_to_markdown, tables_to_rich

ROOT = Path(__file__).resolve().parent.parent
NEWSPAPER = str(ROOT / "examples" / "newspaper-funnel.yaml")
UNITS = {None: 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _read_money(text: str) -> tuple[float, float]:
    """'EUR 0.720 million' -> (720,000, half a unit of the last digit shown = 500)."""
    m = re.fullmatch(r"EUR (-?[\d,]+(?:\.(\d+))?)(?: (thousand|million|billion|trillion))?", text)
    assert m, text
    factor = UNITS[m.group(3)]
    return float(m.group(1).replace(",", "")) * factor, 0.5 * 10 ** -len(m.group(2) or "") * factor


# ------------------------------------------------------------------------------------------ each kind


@pytest.mark.parametrize("value, expected", [
    (2_400_000, "EUR 2.40 million"),
    (720_000, "EUR 720,000"),  # plain amounts stay plain below a million
    (999.95, "EUR 1,000"),  # whole euros from 100 on; the separator after rounding
    (999_999_999.6, "EUR 1.00 billion"),  # rounds up into the next unit, not "1,000 million"
    (99.999, "EUR 100"),  # rounds to 100: whole euros
    (99.99, "EUR 99.99"),  # below 100: cents
    (0, "EUR 0"),
    (-1_558_560, "EUR -1.56 million"),
    (0.004, "EUR 0.00400"),  # a tiny non-zero amount: three significant digits, never 0.00
    (0.5, "EUR 0.50"),
    (None, "–"),
    (math.nan, "nan"),
])
def test_money_plain_amounts(value, expected):
    assert format_money(value, "EUR") == expected


@pytest.mark.parametrize("value, unit, expected", [
    (574.785, "billion", "USD 575 billion"),  # three significant digits
    (1.2345, "billion", "USD 1.23 billion"),
    (1200, "billion", "USD 1.20 trillion"),
    (0.0123, "billion", "USD 12.3 million"),
    (0.00004, "billion", "USD 40,000"),
    (3, "k€", "USD 3 k€"),  # an unknown unit is kept as it is
    (0.004, "k€", "USD 0.00400 k€"),
])
def test_money_in_a_model_unit(value, unit, expected):
    assert format_money(value, "USD", unit) == expected


def test_money_column_uses_the_scale_of_its_largest_amount():
    # the example: "EUR 2.4 million" beside "EUR 720,000" in one column
    scale = money_scale([720_000, 2_400_000, 53_820, 1_076.4, 0])
    assert scale == (1e6, "million")
    assert [format_money(v, "EUR", scale=scale) for v in (2_400_000, 720_000, 53_820, 1_076.4, 3, 0)] == [
        "EUR 2.40 million", "EUR 0.720 million", "EUR 0.0538 million", "EUR 0.00108 million",
        "EUR 0.00000300 million", "EUR 0"]
    # far below the column's unit (more than 12 decimals): in its own unit, never a row of zeros
    assert format_money(0.5, "EUR", scale=(1e12, "trillion")) == "EUR 0.50"
    # the largest by size, negatives included; a column below a million stays plain
    assert money_scale([-1_500_000, 10]) == (1e6, "million")
    assert money_scale([720_000, 53_820]) == (1.0, None)
    # in a model unit: 0.05 billion is the largest -> million (divisor 0.001 billion)
    assert money_scale([0.05, 0.002], "billion") == (0.001, "million")
    assert format_money(0.002, "USD", "billion", scale=(0.001, "million")) == "USD 2.00 million"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False).filter(lambda v: abs(v) >= 1e-6 or v == 0),
                min_size=1, max_size=8))
def test_every_money_text_reads_back_to_its_amount_and_never_zero(values):
    scale = money_scale(values)
    for v in values:
        text = format_money(v, "EUR", scale=scale)
        shown, half = _read_money(text)
        assert abs(shown - v) <= half * (1 + 1e-9) + 1e-9 * abs(v), (v, text)
        if v != 0:
            assert shown != 0, (v, text)  # a non-zero amount never reads 0
        if text.endswith("illion") and abs(v) >= scale[0]:
            # at least three significant digits
            assert len(re.sub(r"^0\.0*", "", re.sub(r"[^\d.]", "", text.split()[1]).lstrip("0"))) >= 3 \
                or "." not in text, (v, text)


@pytest.mark.parametrize("value, expected", [
    (0.123, "12.3%"), (1.0, "100.0%"), (0.0, "0%"), (-0.25, "-25.0%"), (0.9999, "100.0%"),
    (0.004, "0.4%"), (0.00317, "0.32%"), (0.0000123, "0.0012%"),  # small rates keep two significant digits
    (None, "–"),
])
def test_share(value, expected):
    assert format_share(value) == expected


def test_percent_counts_and_indices():
    # figures already times 100 (the CLI's "% of ecosystem revenue"): the 1.369 reads 1.4%
    assert (format_percent(1.369), format_percent(61.48), format_percent(0.05)) == ("1.4%", "61.5%", "0.05%")
    # counts: whole with separators (the 9000 beside 80,000 and 12,800.0 beside 4810)
    assert [format_count(v) for v in (9000, 80_000, 12_800.0, 4810, 999.95, -2.5, 0.5, 0.3)] == [
        "9,000", "80,000", "12,800", "4,810", "1,000", "-3", "1", "0.3"]
    # elasticities and indices: two decimals
    assert [format_index(v) for v in (0.7377, -185.2, 4229.305, 0)] == ["0.74", "-185.20", "4,229.31", "0.00"]
    # anything else: three significant digits, whole from 100 on
    assert [format_number(v) for v in (0.002747, 0.315, 0.25, 129.87, 999.95, 1_522_596.0, -0.5)] == [
        "0.00275", "0.315", "0.25", "130", "1,000", "1,522,596", "-0.5"]
    with pytest.raises(ValueError, match="unknown kind of figure 'size'"):
        format_number(1, "size")


# ------------------------------------------------------------------------------------------ tables


def test_table_formats_each_column_by_its_kind_and_scales_money_columns():
    t = Table("T", ["name", "revenue (EUR)", "% of revenue", "members", "share", "HHI"],
              [["a", 2_400_000, 75.0, 9000, 0.25, 4229.3], ["b", 720_000, 22.5, 80_000, 0.005, None]],
              kinds=[None, None, None, "count", "share", "number"])
    assert t.column_kinds()[:3] == [(None, None, None), ("money", "EUR", None), ("percent", None, None)]
    assert t.formatted_rows() == [["a", "EUR 2.40 million", "75.0%", "9,000", "25.0%", "4,229"],
                                  ["b", "EUR 0.720 million", "22.5%", "80,000", "0.5%", ""]]
    # a row of another kind in a money column (an index) is neither money nor part of the column's scale
    t = Table("R", ["figure", "value"], [["revenue", 2_000_000.0], ["cost", 720_000.0], ["HHI", 4229.3]],
              kinds=["text", "money"], currency="USD", money_unit="thousand", row_kinds=[None, None, "number"])
    assert [r[1] for r in t.formatted_rows()] == ["USD 2.00 billion", "USD 0.720 billion", "4,229"]
    # rows of different kinds (a what-if table): each row in its kind, a money row in one unit
    t = Table("W", ["figure", "before", "after", "change"],
              [["revenue", 2_400_000.0, 720_000.0, -1_680_000.0], ["conversion", 0.004, 0.005, 0.001],
               ["members", 9000, 12_800.0, 3800.0]],
              kinds=["text", None, None, None], currency="EUR", row_kinds=["money", "share", "count"])
    assert t.formatted_rows() == [["revenue", "EUR 2.40 million", "EUR 0.720 million", "EUR -1.68 million"],
                                  ["conversion", "0.4%", "0.5%", "0.1%"], ["members", "9,000", "12,800", "3,800"]]


def test_markdown_and_terminal_use_the_same_texts():
    t = Table("Money", ["who", "amount (EUR)"], [["x|y", 2_400_000], ["z", 720_000]])
    md = tables_to_markdown([t]).splitlines()
    assert md[4:6] == ["| x\\|y | EUR 2.40 million |", "| z | EUR 0.720 million |"]
    from rich.console import Console

    console = Console(width=60, record=True)
    for r in tables_to_rich([t]):
        console.print(r)
    text = console.export_text()
    assert "│ x|y │  EUR 2.40 million │" in text and "│ z   │ EUR 0.720 million │" in text


# ------------------------------------------------------------------------------------- CLI outputs


def _cells(output: str, title: str) -> list[list[str]]:
    """The rows of a rich table in the terminal output: one list of cell texts per line."""
    lines = output.splitlines()
    start = [ln.rstrip() for ln in lines].index(title)
    rows = []
    for line in lines[start + 4:]:
        if line.startswith("└"):
            break
        rows.append([c.strip() for c in line.strip("│").split("│")])
    return rows


def test_analyze_terminal_tables_of_the_newspaper():
    r = CliRunner().invoke(cli, ["analyze", NEWSPAPER])
    assert r.exit_code == 0, r.output
    # subscriptions 1,198,800 + 203,796 + 120,000 = 1,522,596 of 2,476,416 = 61.48%; day passes 53,820 = 2.17%
    assert "│ subscription │   EUR 1.52 million │                  61.5% │" in r.output.splitlines()
    assert _cells(r.output, "Revenue by stream") == [["subscription", "EUR 1.52 million", "61.5%"],
                                                     ["advertising", "EUR 0.900 million", "36.3%"],
                                                     ["purchase", "EUR 0.0538 million", "2.2%"]]
    # funnel stages: 1,500,000 x 0.005 + 60,000 x 0.1 = 13,500 expected paying-once members, 9,000 counted;
    # a quarter of them subscribe, three quarters drop
    stages = {row[0]: row for row in _cells(r.output, "Funnel from flyby") if row[0]}
    assert stages["paying-once"][2:6] == ["9,000", "13,500", "25.0%", "75.0%"]
    assert stages["flyby"][2:4] == ["1,500,000", "1,500,000"]
    # rates as percentages: flyby->registered 0.04, flyby->paying-once 0.005
    levers = {row[0]: row for row in _cells(r.output, "Levers of the funnel from flyby") if row[0]}
    assert levers["flyby->registered"][1] == "4.0%" and levers["flyby->paying-once"][1] == "0.5%"
    assert levers["flyby->paying-once"][3] == "3,750"  # 1,500,000 x 0.01 more paying once x 0.25 = 3,750
    # the examples are gone: no bare 9000, no 12,800.0, no 4-digit figure without a separator
    assert not re.search(r"(?<![\d,.])\d{4}(?![\d,])(?!\.\d)", "\n".join(
        ln for ln in r.output.splitlines() if ln.startswith("│")))
    assert not re.search(r"\d,\d{3}\.\d\b", r.output)


def test_analyze_markdown_of_the_newspaper():
    r = CliRunner().invoke(cli, ["analyze", NEWSPAPER, "--format", "markdown"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "| subscription | EUR 1.52 million | 61.5% |" in lines
    assert "| purchase | EUR 0.0538 million | 2.2% |" in lines
    # money flows: ad-network takes 1,500,000 and pays 900,000 on: net 600,000, all in millions (one column each)
    assert "| ad-network | partner | EUR 1.50 million | EUR 0.900 million | EUR 0.600 million |" in lines
    assert "| subscriber | segment | EUR 0 | EUR 1.56 million | EUR -1.56 million |" in lines
    # payments: 2% of the day passes (53,820) = 1,076.40 to the provider, in the column's millions
    assert "| provider-fee-day-passes | news-portal | payment-provider | EUR 0.00108 million | fee | day-passes " \
           "| 2.0% |" in lines


def test_json_and_csv_keep_raw_numbers():
    runner = CliRunner()
    doc = json.loads(runner.invoke(cli, ["analyze", NEWSPAPER, "--format", "json"]).output)
    purchase = doc["revenue"]["by_stream"]["purchase"]
    assert purchase == pytest.approx(53_820.0)  # 9,000 day passes at 5.98
    out = runner.invoke(cli, ["analyze", NEWSPAPER, "--only", "revenue", "--format", "csv"]).output
    sections = {s.split("\n", 1)[0]: s.split("\n", 1)[1] for s in out.split("\n\n") if s.startswith("# ")}
    rows = list(csv.reader(io.StringIO(sections["# Revenue by stream"])))
    assert rows[0] == ["stream", "amount (EUR)", "% of ecosystem revenue"]
    total = 1_198_800 + 203_796 + 120_000 + 900_000 + 53_820  # ecosystem revenue, by hand
    # the raw floats, as in the JSON: no separator, no currency, no rounding
    assert rows[3][:2] == ["purchase", repr(purchase)]
    assert float(rows[3][2]) == pytest.approx(100 * 53_820 / total, rel=1e-12) and len(rows[3][2]) > 8


# --------------------------------------------------------------------------------- report, render


def test_report_money_columns_use_one_unit():
    t = ReportTable("t", "T", ["Who", "Pays", "Change"], ["who", "pays", "change"])
    for who, amount in (("a", 2_400_000.0), ("b", 720_000.0), ("c", 0.0)):
        t.rows.append([cell(who), cell(amount, fmt.money(amount, "EUR")), cell(amount, f"+{amount:g}")])
    fmt.rescale_money_columns([t], "EUR", None)
    assert [r[1].text for r in t.rows] == ["EUR 2.40 million", "EUR 0.720 million", "EUR 0"]
    assert [r[2].text for r in t.rows] == ["+2.4e+06", "+720000", "+0"]  # not money as written: left alone
    assert fmt.money_column([2_400_000, -720_000], "EUR") == ["EUR 2.40 million", "EUR −0.720 million"]


def test_built_report_has_one_unit_per_money_column():
    from ecosystem_graph.fileio import load_model
    from ecosystem_graph.report.build import build_report

    report = build_report(load_model(NEWSPAPER), graph=False)
    checked = 0
    for section in report.sections:
        for t in section.tables + [x for c in section.charts for x in c.tables]:
            for col in range(len(t.columns)):
                texts = [r[col].text for r in t.rows if r[col].numeric and r[col].text.startswith("EUR ")
                         and r[col].value]
                units = {x.split()[-1] if x.endswith("illion") else None for x in texts}
                assert len(units) <= 1, (t.id, t.columns[col], texts)
                checked += len(units) == 1 and len(texts) > 1 and units == {"million"}
    assert checked >= 2  # not vacuous: several money columns over a million


def test_render_money_and_counts():
    from ecosystem_graph.fileio import load_model
    from ecosystem_graph.render.html import graph_data

    data = graph_data(load_model(NEWSPAPER), size_by="degree")
    by_id = {n["id"]: dict(n["d"]) for n in data["nodes"]}
    # the news portal: ads 900,000 + day passes 53,820 = 953,820 in; 2% fees 23,976 + 1,076.4 = 25,052.4 out
    assert by_id["news-portal"]["Money in"] == "EUR 953,820"
    assert by_id["news-portal"]["Money out"] == "EUR 25,052"
    # ad network: 1,500,000 in, 900,000 out -> net 600,000
    assert (by_id["ad-network"]["Money in"], by_id["ad-network"]["Net"]) == ("EUR 1.50 million", "EUR 600,000")
    assert by_id["paying-once"]["Size"] == "9,000 members"
    edge = next(e["title"] for e in data["edges"] if e["type"] == "PAYS" and e["from"] == "ad-network")
    # ad-buys, the flow it is a share of: advertisers (a segment, "Regional advertisers") pay the ad network
    assert "Amount: EUR 900,000 (derived: 60.0% of what Regional advertisers pay Ad network)" in edge.splitlines()


def test_kinds_are_documented():
    assert set(numbers.KINDS) == {"money", "share", "percent", "count", "index", "number", "text"}


def test_a_linked_flow_tooltip_names_its_parent_and_its_id_when_two_payments_join_the_same_pair():
    # Fans pay the shop twice (orders 100, fees 10); the shop passes 20% of each on to the ads satellite:
    # 20 and 2 (EUR with two decimals below 100). The words alone ("what Fans pay Shop") would not tell the two parents apart.
    from ecosystem_graph.model import Ecosystem
    from ecosystem_graph.render.html import graph_data

    m = Ecosystem.model_validate({
        "name": "Two", "currency": "EUR", "period": "2025",
        "nodes": [{"id": "shop", "kind": "core", "name": "Shop"}, {"id": "ads", "kind": "satellite", "name": "Ads"},
                  {"id": "fans", "kind": "segment", "name": "Fans"}],
        "relationships": [{"id": "orders", "from": "fans", "to": "shop", "type": "PAYS", "amount": 100},
                          {"id": "fees", "from": "fans", "to": "shop", "type": "PAYS", "amount": 10},
                          {"from": "shop", "to": "ads", "type": "PAYS", "share_of": "orders", "share": 0.2},
                          {"from": "shop", "to": "ads", "type": "PAYS", "share_of": "fees", "share": 0.2},
                          {"from": "fans", "to": "shop", "type": "USES"}]})
    titles = sorted(e["title"].splitlines()[2] for e in graph_data(m, size_by="degree")["edges"]
                    if e["from"] == "shop" and e["to"] == "ads")
    assert titles == ["Amount: EUR 2.00 (derived: 20.0% of what Fans pay Shop (fees))",
                      "Amount: EUR 20.00 (derived: 20.0% of what Fans pay Shop (orders))"]
