"""Every money number printed in a report (tiles, sentences, chart labels, tables; HTML and Markdown) is a figure of
``ecograph analyze --format json`` for the same model, rounded as shown; the money-flow chart draws every payment."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecosystem_graph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["examples/amazon.yaml", "examples/newspaper-funnel.yaml", "examples/newsroom-passthrough.yaml"]
UNIT = {None: 1.0, "": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SVG = "{http://www.w3.org/2000/svg}"
# "USD 231.9 billion", "EUR 35,880", "EUR −29,848", "EUR 1,200.00": currency, number, optional unit
MONEY = re.compile(r"\b(USD|EUR)\s([−-]?)(\d[\d,]*(?:\.\d+)?)(?:\s(thousand|million|billion|trillion)\b)?")
# JSON keys whose numbers are money (model unit), and maps whose values are money
MONEY_KEYS = {"ecosystem_revenue", "core_revenue", "ecosystem_payouts", "ecosystem_net", "direct_revenue",
              "unbound_revenue", "inflow", "outflow", "net", "amount", "revenue_at_risk", "core_revenue_at_risk",
              "extra_revenue_per_10pct"}
MONEY_MAPS = {"revenue_by_offering", "pass_through", "by_stream", "by_segment", "dependent_revenue"}
PER_MEMBER_KEYS = {"revenue_per_member", "revenue_per_entrant"}  # money per member: shown in plain currency units


def _money_figures(data: dict) -> list[float]:
    """Every money figure of the analysis JSON, converted to plain currency units."""
    factor = UNIT[data["revenue"].get("money_unit")]
    out: list[float] = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in MONEY_MAPS and isinstance(v, dict):
                    out.extend(float(x) * factor for x in v.values() if isinstance(x, (int, float)))
                else:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and key in MONEY_KEYS | PER_MEMBER_KEYS:
            out.append(float(node) * factor)

    for section in ("revenue", "keystones", "funnel"):
        walk(data.get(section, {}))
    return out


def _parse_money(text: str) -> list[tuple[str, float, float]]:
    """(as printed, value, half a unit of its last digit), both in plain currency units."""
    found = []
    for m in MONEY.finditer(text):
        digits = m.group(3).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        factor = UNIT[m.group(4)]
        sign = -1.0 if m.group(2) else 1.0
        found.append((m.group(0), sign * float(digits) * factor, 0.5 * 10 ** -decimals * factor))
    return found


def _matches(value: float, half: float, figures: list[float]) -> bool:
    slack = half * (1 + 1e-9) + 1e-9 * abs(value)
    return any(abs(f - value) <= slack for f in figures)


class _ReportText(HTMLParser):
    """The text a reader sees in the report body: tiles, sentences, chart labels, tables, notes; not the
    methods appendix (metric definitions and the model's own comments), not scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "link", "img", "input", "hr"):
            return
        skip = tag in ("script", "style") or dict(attrs).get("id") == "methods"
        self._stack.append(skip)
        self._skip += skip

    def handle_endtag(self, tag):
        if tag in ("br", "meta", "link", "img", "input", "hr") or not self._stack:
            return
        self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _svg_texts(svg: str, skip_ticks: bool = True) -> list[str]:
    root = ET.fromstring(svg)
    out = []

    def walk(el, in_tick):
        in_tick = in_tick or "tick" in (el.get("id") or "")
        if el.tag == f"{SVG}text" and not (skip_ticks and in_tick):
            out.append("".join(el.itertext()))
        for child in el:
            walk(child, in_tick)

    walk(root, False)
    return out


@pytest.fixture(scope="module", params=MODELS)
def outputs(request, tmp_path_factory):
    """The analysis JSON, the HTML report and the Markdown report (with its chart files) of one model."""
    model = ROOT / request.param
    out = tmp_path_factory.mktemp(Path(request.param).stem)
    runner = CliRunner()
    res = runner.invoke(cli, ["analyze", str(model), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    html_path, md_path = out / "report.html", out / "report.md"
    for path in (html_path, md_path):
        res = runner.invoke(cli, ["report", str(model), "-o", str(path)])
        assert res.exit_code == 0, res.output
    return data, html_path.read_text(encoding="utf-8"), md_path, request.param


def _sensitivity_money(data: dict, name: str) -> list[float]:
    """For a model with ranges, the money of its "How sure are these numbers": every money figure's base, P10,
    P50, P90 and tornado ends, and the ranged amounts' low, base and high, from `ecograph sensitivity`."""
    res = CliRunner().invoke(cli, ["sensitivity", str(ROOT / name), "--format", "json"])
    if res.exit_code != 0:  # no ranges: no such section
        return []
    doc = json.loads(res.stdout)
    factor = UNIT[data["revenue"].get("money_unit")]
    money = {f["figure"] for f in doc["figures"] if f["kind"] == "money"}
    out = [f[k] for f in doc["figures"] if f["figure"] in money for k in ("base", "p10", "p50", "p90")]
    out += [b[k] for fig, bars in doc["tornado"].items() if fig in money for b in bars for k in ("at_low", "at_high")]
    out += [a[k] for a in doc["assumptions"] if a["property"] == "amount" for k in ("low", "base", "high")]
    return [v * factor for v in out]


def test_every_money_number_in_the_html_report_is_an_analysis_figure(outputs):
    data, page, _, name = outputs
    figures = _money_figures(data) + _sensitivity_money(data, name)
    parser = _ReportText()
    parser.feed(page)
    found = _parse_money("\n".join(parser.parts))
    wrong = [text for text, value, half in found if not _matches(value, half, figures)]
    assert not wrong, f"{name}: money in the report that is no analysis figure: {wrong}"
    # not vacuous: the tiles, the flow chart's bands and the tables all print money
    assert len(found) >= 40
    # a non-zero amount never reads 0.0 (20.0 is fine)
    assert not re.search(r"(?<![\d,.])0\.0+\b(?!\.?\d*[1-9])", " ".join(t for t, _, _ in found))


def test_every_money_number_in_the_markdown_report_and_its_charts_is_an_analysis_figure(outputs):
    data, _, md_path, name = outputs
    figures = _money_figures(data) + _sensitivity_money(data, name)
    text = md_path.read_text(encoding="utf-8").split("\n## Methods\n")[0]
    for svg in sorted(md_path.parent.glob("*.svg")):
        text += "\n" + "\n".join(_svg_texts(svg.read_text(encoding="utf-8").split("\n", 1)[1]))
    found = _parse_money(text.replace("\\", ""))
    wrong = [t for t, value, half in found if not _matches(value, half, figures)]
    assert not wrong, f"{name}: {wrong}"
    assert len(found) >= 40


def _chart(page: str, chart_id: str) -> str:
    m = re.search(r'<figure class="chart" data-chart="' + chart_id + r'">.*?(<svg\b.*?</svg>)', page, re.S)
    assert m, chart_id
    return m.group(1)


def test_money_flow_chart_draws_every_payment_with_its_amount(outputs):
    data, page, _, name = outputs
    factor = UNIT[data["revenue"].get("money_unit")]
    payments = [p for p in data["revenue"]["payments"] if p["amount"] > 0]
    texts = _svg_texts(_chart(page, "money-flow"))
    bands = [t for t in texts if MONEY.match(t)]  # band labels start with the amount; node labels with a name
    assert len(bands) == len(payments), name
    # each band label is one payment's amount, as printed: match them one to one (largest first)
    remaining = sorted((p["amount"] * factor for p in payments), reverse=True)
    for text in sorted(bands, key=lambda t: -_parse_money(t)[0][1]):
        _, value, half = _parse_money(text)[0]
        hit = next((a for a in remaining if abs(a - value) <= half * (1 + 1e-9) + 1e-9 * abs(value)), None)
        assert hit is not None, f"{name}: band {text!r} is no payment"
        remaining.remove(hit)
    # node labels: what each actor receives or pays, the analysis's inflow / outflow of that actor
    flows = {n["id"]: n for n in data["revenue"]["nodes"]}
    for t in texts:
        m = re.search(r"(receives|pays) (.+)$", t)
        if not m:
            continue
        (_, value, half), = _parse_money(m.group(2))
        key = "inflow" if m.group(1) == "receives" else "outflow"
        assert any(abs(f[key] * factor - value) <= half * (1 + 1e-9) for f in flows.values()), t
    assert not any(re.search(r"\b0\.0\b", t) for t in texts)


@pytest.mark.parametrize("chart", ["money-flow", "revenue-by-offering", "revenue-by-stream", "keystones-revenue"])
def test_money_charts_print_money_with_currency(outputs, chart):
    """Every label of a money chart that holds a number (axis ticks aside) carries its currency, so the tests
    above see every money number."""
    _, page, _, name = outputs
    if f'data-chart="{chart}"' not in page:
        pytest.fail(f"{name}: no {chart} chart")
    for t in _svg_texts(_chart(page, chart)):
        if re.fullmatch(r"(USD|EUR)( \w+)? \(.*\)", t):
            continue  # the axis caption, e.g. "USD billion (2023)"
        if re.search(r"\d", t):
            assert MONEY.search(t) or re.fullmatch(r"Other \([\d,]+( actors)?\)", t), (name, t)


def test_what_if_report_prints_only_analysis_and_whatif_figures(tmp_path):
    """With a what-if, the before/after tables and sentence print figures of `ecograph whatif --format json`;
    the other sections those of `analyze` on the model as it is."""
    model = ROOT / "examples/newsroom-passthrough.yaml"
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["analyze", str(model), "--format", "json"]).output)
    res = runner.invoke(cli, ["whatif", str(model), "--remove", "apple-store", "--format", "json"])
    assert res.exit_code == 0, res.output
    figures = _money_figures(before)
    money = MONEY_KEYS | MONEY_MAPS | {"dependent_revenue"}
    for f in json.loads(res.output)["figures"]:
        if f["figure"] in money:
            figures += [float(f[k]) for k in ("before", "after", "change") if f.get(k) is not None]
    for f in json.loads(res.output)["headline"]:  # a removed node's revenue at risk and net count 0 after
        if f["figure"] in {"ecosystem_revenue", "core_revenue", "revenue_at_risk", "net"}:
            figures += [float(f[k]) for k in ("before", "after", "change") if f.get(k) is not None]
    out = tmp_path / "whatif.html"
    res = runner.invoke(cli, ["report", str(model), "-o", str(out), "--remove", "apple-store"])
    assert res.exit_code == 0, res.output
    parser = _ReportText()
    parser.feed(out.read_text(encoding="utf-8"))
    text = "\n".join(parser.parts)
    found = _parse_money(text)
    assert not [t for t, v, half in found if not _matches(v, half, figures)]
    # hand arithmetic: without the store, the subscribers' 3,000 x 119.88 = 359,640 and its 85% payout
    # (305,694) stop: ecosystem revenue 2,732,752 - 305,694 = 2,427,058
    assert "ecosystem revenue would go from EUR 2.73 million to EUR 2.43 million" in text
