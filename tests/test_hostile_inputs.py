"""Issue 13, items 9 and 10: each hostile input read as a located error or one line, with the bound it hits."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from click.testing import CliRunner

from ecosystem_graph import fileio
from ecosystem_graph.cli import cli
from ecosystem_graph.cli.options import MAX_BYTES_CEILING
from ecosystem_graph.errors import InputError, ModelValidationError
from ecosystem_graph.fileio import check_file, check_input_file, max_bytes_from_env, parse_model_text, read_bytes_limited
from ecosystem_graph.model import MAX_AMOUNT, MAX_ATTRIBUTE_DIGITS, MAX_SIZE, describe_big_int
from ecosystem_graph.terminal import printable, printable_json
from ecosystem_graph.validation import validate_data
from tests.hostile import base_model


def _errors(data) -> list[str]:
    model, problems = validate_data(data)
    return [p.message for p in problems if p.is_error]


# ------------------------------------------------------------------------------ numbers (item 9)


def test_ten_thousand_digit_integer_is_one_located_error():
    text = yaml.safe_dump(base_model(), sort_keys=False).replace("size: 1000", "size: " + "7" * 10_000)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.lstrip().startswith("size: 777"))
    for fmt, raw in (("yaml", text.encode()), ("json", None)):
        if raw is None:
            raw = json.dumps(base_model(), indent=1).replace('"size": 1000', '"size": ' + "7" * 10_000).encode()
            line = next(n for n, t in enumerate(raw.decode().splitlines(), 1) if '"size": 777' in t)
        result = parse_model_text(raw, "m." + fmt, fmt)
        assert result.model is None and len(result.problems) == 1
        p = result.problems[0]
        assert p.line == line
        assert p.format().endswith("a number of 10,000 digits; numbers may have at most 4,300 digits")


@pytest.mark.parametrize("size, ok", [(MAX_SIZE, True), (MAX_SIZE + 1, False), (10**399, False)])
def test_segment_size_is_bounded(size, ok):
    data = base_model()
    data["nodes"][2]["size"] = size
    errors = _errors(data)
    assert (errors == []) == ok
    if not ok:
        # 10**15 + 1 has 16 digits and is shown; 10**399 (400 digits) is described, not printed.
        shown = str(size) if size < 10**20 else "a number of 400 digits"
        assert errors == [f"nodes[2].size is {shown}; must be <= 1e+15"]


def test_a_400_digit_size_no_longer_reaches_the_analyses(tmp_path):
    path = tmp_path / "m.yaml"
    text = yaml.safe_dump(base_model(), sort_keys=False).replace("size: 1000", "size: " + "9" * 400)
    path.write_text(text)
    for args in (["analyze", str(path)], ["report", str(path), "-o", str(tmp_path / "r.html")],
                 ["export", str(path), "--format", "xlsx", "-o", str(tmp_path / "m.xlsx")]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 1 and r.stderr == (f"{path}:15:9: nodes[2].size is a number of 400 digits; must be "
                                                 f"<= 1e+15\n1 error in {path}\n")


@pytest.mark.parametrize("field, value, message", [
    ("amount", 1e308, "relationships[0].amount is 1e+308; must be <= 1e+18"),
    ("amount", MAX_AMOUNT, None),
    ("amount", float("inf"), "relationships[0].amount is inf; NaN and infinity are not allowed"),
])
def test_amounts_are_bounded(field, value, message):
    data = base_model()
    data["relationships"][0][field] = value
    assert _errors(data) == ([message] if message else [])


def test_count_times_price_is_bounded():
    data = base_model()
    del data["relationships"][0]["amount"]
    data["relationships"][0].update(count=1e10, price=1e9)  # 1e19 > 1e18
    assert _errors(data) == ["count x price = 1e+10 x 1e+09 = 1e+19 is over 1e+18 in relationships[0]"]
    data["relationships"][0].update(count=1e9, price=1e9)  # 1e18: the bound itself
    assert _errors(data) == []


@pytest.mark.parametrize("value, ok", [(10**MAX_ATTRIBUTE_DIGITS - 1, True), (-(10**100 - 1), True), (2**70, True),
                                       (10**100, False), ([1, -(10**100)], False)])
def test_whole_number_attributes_have_at_most_100_digits(value, ok):
    data = base_model()
    data["nodes"][0]["attributes"] = {"employees": value}
    errors = _errors(data)
    assert (errors == []) == ok
    if ok:
        model, _ = validate_data(data)
        assert model.nodes[0].attributes["employees"] == value  # the same int, not made a float
        assert type(model.nodes[0].attributes["employees"]) is int
    else:
        assert errors == ["attribute 'employees' is a number of 101 digits; whole numbers may have at most 100 "
                          "digits in nodes[0].attributes"]


def test_a_non_scalar_attribute_is_one_problem_not_one_per_type():
    data = base_model()
    data["nodes"][0]["attributes"] = {"deep": [[[1]]], "map": {"a": 1}}
    assert _errors(data) == ["nodes[0].attributes.deep must be text, a number, true or false, or a list of those",
                             "nodes[0].attributes.map must be text, a number, true or false, or a list of those"]


def test_describe_big_int():
    assert describe_big_int(10**19) == "10000000000000000000"
    assert describe_big_int(10**20) == "a number of 21 digits"
    # 16**12000 has 12000*log10(16) = 14449.4 -> 14,450 digits, over the int-string limit: estimated.
    assert describe_big_int(16**12000) == "a number of about 14,450 digits"


def test_impossible_date_is_an_error_not_a_traceback():
    result = parse_model_text(b"name: x\nperiod: 2024-13-45\n", "m.yaml", "yaml")
    assert [p.format() for p in result.problems] == ["m.yaml:$: cannot read a value: month must be in 1..12"]


# ------------------------------------------------------------------ files that are not files (9, 10)


def test_symlink_loop_is_one_line(tmp_path):
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    with pytest.raises(InputError) as info:
        check_file(tmp_path / "a.yaml")
    assert str(info.value) == f"{tmp_path / 'a.yaml'}: too many levels of symbolic links (a symlink loop?)"


def test_fifo_is_refused_without_opening_it(tmp_path, monkeypatch):
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    opened = []
    monkeypatch.setattr(fileio.os, "open", lambda *a, **k: opened.append(a))  # opening would block
    with pytest.raises(InputError) as info:
        read_bytes_limited(fifo, 1000)
    assert str(info.value) == f"{fifo}: is a FIFO (named pipe), not a regular file; give a model file"
    assert opened == []


def test_dev_zero_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(fileio.os, "open", lambda *a, **k: pytest.fail("/dev/zero was opened"))
    with pytest.raises(InputError) as info:
        read_bytes_limited("/dev/zero", 10**9)
    assert str(info.value) == "/dev/zero: is a character device, not a regular file; give a model file"


def test_import_refuses_special_files_too(tmp_path):
    fifo = tmp_path / "map.json"
    os.mkfifo(fifo)
    r = CliRunner().invoke(cli, ["import", str(fifo), "-o", str(tmp_path / "m.yaml")])
    assert r.exit_code == 1
    assert r.stderr == f"Error: {fifo}: is a FIFO (named pipe), not a regular file; give a file to import\n"


def test_a_directory_as_model_is_one_line_exit_1(tmp_path):
    r = CliRunner().invoke(cli, ["show", str(tmp_path)])
    assert r.exit_code == 1 and r.stderr == f"Error: {tmp_path}: is a directory, not a model file\n"


def test_read_bytes_limited_reads_exactly_the_file(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"x" * 5000)
    assert read_bytes_limited(path, 5000) == b"x" * 5000
    with pytest.raises(InputError, match="file is 5,000 bytes, over the limit of 4,999 bytes"):
        read_bytes_limited(path, 4999)
    assert check_input_file(path, 5000).st_size == 5000


# --------------------------------------------------------------------------- limits (items 9, 10)


@pytest.mark.parametrize("value", ["-1", "0", "lots", "1.5", str(MAX_BYTES_CEILING + 1), "9" * 5000])
def test_max_bytes_from_environment_is_refused_outside_1_to_1_tib(value, monkeypatch):
    monkeypatch.setenv("ECOGRAPH_MAX_BYTES", value)
    with pytest.raises(InputError) as info:
        max_bytes_from_env()
    assert str(info.value) == (f"ECOGRAPH_MAX_BYTES must be a whole number of bytes from 1 to 1,099,511,627,776 "
                               f"(1 TiB), not '{value[:40]}'")


def test_max_bytes_bounds(monkeypatch):
    assert MAX_BYTES_CEILING == fileio.MAX_BYTES_CEILING == 2**40
    monkeypatch.setenv("ECOGRAPH_MAX_BYTES", str(2**40))
    assert max_bytes_from_env() == 2**40
    r = CliRunner().invoke(cli, ["show", "examples/amazon.yaml", "--max-bytes", "99999999999999999999999"])
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == ("Error: Invalid value for '--max-bytes': 99999999999999999999999 is not "
                                         "in the range 1<=x<=1099511627776.")
    ok = CliRunner().invoke(cli, ["validate", "examples/amazon.yaml", "--max-bytes", str(2**40)])
    assert ok.exit_code == 0, ok.output


def test_generate_nodes_has_an_upper_bound(tmp_path):
    r = CliRunner().invoke(cli, ["generate", "--nodes", "10000001", "-o", str(tmp_path / "g.yaml")])
    assert r.exit_code == 2 and "'--nodes' / '-n': 10000001 is not in the range 5<=x<=10000000." in r.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ terminal output (item 10)


def test_printable_escapes_c0_del_c1_only():
    every = "".join(chr(c) for c in range(0x00, 0xA1))
    shown = printable(every)
    assert all(0x20 <= ord(ch) < 0x7F or ord(ch) == 0xA0 for ch in shown)
    assert shown.startswith("\\x00\\x01") and "\\t\\n\\x0b\\x0c\\r" in shown and shown.endswith("\\x9f\xa0")
    assert printable("é 東京 \U0001F600 [bold]") == "é 東京 \U0001F600 [bold]"  # printable text untouched
    assert json.loads(printable_json(json.dumps({"a": "\x1b\x9b\x7f"}, ensure_ascii=False))) == {"a": "\x1b\x9b\x7f"}


def test_validation_errors_cannot_forge_lines(tmp_path):
    data = base_model()
    data["relationships"][0]["from"] = "x\nError: forged line"
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    r = CliRunner().invoke(cli, ["show", str(path)])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0].endswith("unknown node 'x\\nError: forged line' in relationships[0].from")
    assert len(r.stderr.splitlines()) == 2


def test_csv_and_markdown_tables_escape_control_characters(tmp_path):
    data = base_model()
    data["nodes"][0]["name"] = "Core\x1b[31m"
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    # Markdown escapes the backslash of the escape once more, so that it renders as typed.
    for fmt, shown in (("csv", "Core\\x1b[31m"), ("markdown", "Core\\\\x1b[31m")):
        r = CliRunner().invoke(cli, ["analyze", str(path), "--only", "centrality", "--format", fmt, "--serial"])
        assert r.exit_code == 0 and shown in r.stdout and "\x1b" not in r.stdout


def test_bidirectional_controls_are_shown_escaped_on_the_terminal_and_kept_as_data(tmp_path):
    # U+202E (right-to-left override) would show "abc\u202edef" as "abcfed" and reverse the rest of the table
    # line; the terminal table and Markdown show it as the escape \u202e, CSV and JSON keep the name as data
    data = base_model()
    data["nodes"][0]["name"] = "abc\u202edef"
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = lambda fmt: CliRunner().invoke(cli, ["analyze", str(path), "--only", "centrality", "--format", fmt,
                                               "--serial"])
    table = run("table")
    assert table.exit_code == 0, table.output
    assert "\u202e" not in table.stdout
    assert "│ core   │ abc\\u202edef │ core    │" in table.stdout
    markdown = run("markdown")  # Markdown escapes the backslash of the escape once more, to render as typed
    assert "\u202e" not in markdown.stdout and "| core | abc\\\\u202edef | core |" in markdown.stdout
    csv = run("csv")
    assert "\ncore,abc\u202edef,core," in csv.stdout
    js = run("json")
    assert "\u202e" not in js.stdout and '"name": "abc\\u202edef"' in js.stdout
    assert json.loads(js.stdout)["centrality"]["nodes"][0]["name"] == "abc\u202edef"


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_timeline_output_file_escapes_names_as_on_the_terminal(tmp_path, fmt):
    # A file shown with cat must not drive or reorder the terminal: as sensitivity -o does, the table and
    # Markdown files show ESC and U+202E as escapes; CSV keeps U+202E as data and escapes ESC only. The
    # timeline's tables name each period's file: the hostile text is in the file names
    paths = []
    for period in ("2023", "2024"):
        data = base_model()
        data["period"] = period
        paths.append(tmp_path / f"abc\u202edef\x1b[2J{period}.yaml")
        paths[-1].write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / f"t.{fmt}"
    r = CliRunner().invoke(cli, ["timeline", *map(str, paths), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b[2J" in text
    if fmt == "csv":
        assert "abc\u202edef\\x1b[2J" in text
    else:
        assert "\u202e" not in text and "\\u202edef" in text


def test_printable_escapes_every_bidirectional_control_and_no_other_format_character():
    # ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert printable(controls) == ("\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067"
                                   "\\u2068\\u2069")
    assert printable(controls, keep_newlines=True) == printable(controls)
    assert printable(controls, keep_whitespace=True) == controls  # CSV cells: data
    # zero-width joiner (a family emoji), zero-width non-joiner (Persian), soft hyphen: reorder nothing, kept
    assert printable("\U0001F468\u200d\U0001F469 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 Ko\u00adla") == \
        "\U0001F468\u200d\U0001F469 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 Ko\u00adla"


def test_model_validation_error_keeps_its_summary():
    from ecosystem_graph.validation import Problem

    exc = ModelValidationError([Problem("error", (), "bad", source="f")], "f")
    assert exc.summary == "1 error in f" and str(exc) == "f:$: bad\n1 error in f"


def test_scenario_alias_bomb_is_refused(tmp_path):
    from ecosystem_graph.report.scenario_file import load_scenario

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(10))}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    path = tmp_path / "s.yaml"
    path.write_text(bomb)
    with pytest.raises(InputError, match="YAML aliases expand to more than"):
        load_scenario(path)



@pytest.mark.parametrize("spec, ok", [("core=1000000", True), ("core=1000001", False), ("core=1e308", False),
                                      ("core=nan", False)])
def test_whatif_scale_factor_is_bounded(spec, ok, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(base_model()))
    r = CliRunner().invoke(cli, ["whatif", str(path), "--scale", spec, "--serial", "--only", "revenue"])
    if ok:
        assert r.exit_code == 0, r.output
    else:
        assert r.exit_code == 2 and r.stderr == (f"Error: --scale '{spec}' must be ID=FACTOR with a factor from 0 to "
                                                 f"1,000,000, e.g. --scale aws=0.5\n")


def test_markdown_tables_of_sensitivity_and_timeline_carry_no_raw_html(tmp_path):
    # A name reaches the tornado's assumption label and the timeline's shift sentence; a Markdown viewer
    # must show it as typed, not run it as HTML.
    hostile = "<img src=x onerror=alert(1)>"
    first, second = base_model(), base_model()
    for data, paid in ((first, 100), (second, 10000)):  # the satellite overtakes the core (5000 + 900) in 2025
        data["nodes"].append({"id": "sat", "kind": "satellite", "name": hostile})
        data["relationships"].append({"from": "buyers", "to": "sat", "type": "PAYS", "amount": paid})
    first["relationships"][0]["amount"] = {"low": 4000, "base": 5000, "high": 6000}
    first["relationships"][-1]["amount"] = {"low": 50, "base": 100, "high": 200}
    second["period"] = "2025"
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(first))
    b.write_text(yaml.safe_dump(second))
    for args in (["sensitivity", str(a), "--draws", "50"], ["timeline", str(a), str(b)]):
        r = CliRunner().invoke(cli, [*args, "--format", "markdown"])
        assert r.exit_code == 0, r.output
        assert "\\<img src=x onerror=alert(1)>" in r.stdout
        assert "<img" not in r.stdout.replace("\\<img", "")
