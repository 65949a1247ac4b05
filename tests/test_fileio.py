"""Model file I/O: hostile input (size limit, alias bombs), unicode, lossless YAML/JSON/networkx round trips."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings

from ecosystem_graph.errors import InputError, ModelValidationError
from ecosystem_graph.fileio import (
    DEFAULT_MAX_BYTES,
    check_file,
    dumps_model,
    load_model,
    parse_model_text,
    save_model,
)
from ecosystem_graph.graph import from_networkx, to_networkx
from ecosystem_graph.model import Ecosystem
from ecosystem_graph.validation import validate_data

from .strategies import ecosystem_data

UNICODE_MODEL = """\
schema_version: 1
name: Ökosystem SÜDKURIER
currency: EUR
period: '2024'
description: "Zeitung, 新聞, 🗞️ and \\"quotes\\""
nodes:
  - {id: zeitung, kind: core, name: SÜDKURIER Zeitung}
  - {id: leser, kind: segment, name: Leserinnen & Leser <b>, tags: [Bodensee, Konstanz–Überlingen]}
relationships:
  - {from: leser, to: zeitung, type: PAYS, amount: 12.5, stream: subscription}
"""


def test_unicode_round_trips_through_yaml_and_json(tmp_path):
    src = tmp_path / "u.yaml"
    src.write_text(UNICODE_MODEL, encoding="utf-8")
    model = load_model(src)
    assert model.name == "Ökosystem SÜDKURIER"
    for name in ("out.yaml", "out.json"):
        save_model(model, tmp_path / name)
        again = load_model(tmp_path / name)
        assert again == model
        assert again.nodes[1].tags == ["Bodensee", "Konstanz–Überlingen"]
    # Written as real UTF-8 characters, not escapes, so a consultant can read the file.
    assert "SÜDKURIER" in (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "SÜDKURIER" in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_saved_files_get_normal_permissions(tmp_path):
    src = tmp_path / "u.yaml"
    src.write_text(UNICODE_MODEL, encoding="utf-8")
    old = os.umask(0o022)
    try:
        save_model(load_model(src), tmp_path / "out.yaml")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.yaml").stat().st_mode) == 0o644


def test_failed_save_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    src = tmp_path / "u.yaml"
    src.write_text(UNICODE_MODEL, encoding="utf-8")
    model = load_model(src)
    target = tmp_path / "keep.yaml"
    target.write_text("old content\n")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("ecosystem_graph.fileio.dumps_model", lambda m, fmt: "new\n")
    monkeypatch.setattr("ecosystem_graph.fileio.os.replace", explode)
    with pytest.raises(RuntimeError):
        save_model(model, target)
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.yaml", "u.yaml"]


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(UNICODE_MODEL)
    size = path.stat().st_size
    with pytest.raises(InputError) as info:
        check_file(path, max_bytes=100)
    assert str(info.value) == (f"{path}: file is {size:,} bytes, over the limit of 100 bytes; raise it with "
                               "--max-bytes or ECOGRAPH_MAX_BYTES if you trust this file")
    assert DEFAULT_MAX_BYTES == 512 * 1024 * 1024


def test_size_limit_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "m.yaml"
    path.write_text(UNICODE_MODEL)
    monkeypatch.setenv("ECOGRAPH_MAX_BYTES", "50")
    with pytest.raises(InputError, match="over the limit of 50 bytes"):
        check_file(path)
    monkeypatch.setenv("ECOGRAPH_MAX_BYTES", "lots")
    with pytest.raises(InputError, match=r"ECOGRAPH_MAX_BYTES must be a whole number of bytes from 1 to "
                                         r"1,099,511,627,776 \(1 TiB\), not 'lots'"):
        check_file(path)


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(InputError) as info:
        check_file(path)
    assert str(info.value) == (f"{path}: YAML aliases expand to more than 100,000 nodes; refusing the file "
                               "(an alias-expansion bomb?)")


def test_modest_aliases_are_allowed(tmp_path):
    text = UNICODE_MODEL.replace("tags: [Bodensee, Konstanz–Überlingen]", "tags: &t [Bodensee]") + \
        "  - {from: leser, to: zeitung, type: USES, mechanisms: [search_costs]}\n"
    text = text.replace("relationships:\n", "  - {id: kiosk, kind: channel, name: Kiosk, tags: *t}\nrelationships:\n")
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    model = load_model(path)
    assert model.nodes[2].tags == ["Bodensee"]


def test_unsafe_yaml_tags_are_not_executed(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    result = check_file(path)
    assert [p.message.split(":")[0] for p in result.errors] == ["YAML syntax error"]
    assert "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'" in \
        result.errors[0].message


def test_missing_file_and_directory_and_non_utf8(tmp_path):
    with pytest.raises(InputError, match=f"^{tmp_path}/nope.yaml: no such file$"):
        check_file(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory, not a model file"):
        check_file(tmp_path)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: Ökosystem\n".encode("latin-1"))
    result = check_file(bad)
    assert result.model is None
    assert "YAML syntax error" in result.errors[0].message or "not UTF-8" in result.errors[0].message


def test_deeply_nested_json_is_refused_cleanly(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        check_file(path)


def test_json_and_yaml_of_the_same_model_are_equal(tmp_path):
    model = load_model("examples/amazon.yaml")
    text = dumps_model(model, "json")
    assert json.loads(text)["relationships"][0] == {
        "id": "retail-sales-prime", "from": "prime-members", "to": "online-retail", "type": "PAYS",
        "amount": 139.14, "stream": "purchase"}
    assert parse_model_text(text.encode(), "x.json", "json").model == model


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=ecosystem_data(ranges=True))
def test_random_valid_ecosystems_survive_yaml_json_and_networkx(data):
    model, problems = validate_data(data)
    assert model is not None, [p.message for p in problems if p.is_error]
    for fmt in ("yaml", "json"):
        result = parse_model_text(dumps_model(model, fmt).encode("utf-8"), f"x.{fmt}", fmt)
        assert result.model == model, [p.format() for p in result.errors]
    G = to_networkx(model)
    assert G.number_of_nodes() == len(model.nodes)
    assert G.number_of_edges() == len(model.relationships)
    back = from_networkx(G)
    # from_networkx returns relationships grouped by source node; everything else is identical.
    assert back.model_copy(update={"relationships": []}) == model.model_copy(update={"relationships": []})
    assert sorted(map(_key, back.relationships)) == sorted(map(_key, model.relationships))
    assert sorted(map(repr, to_networkx(back).edges(keys=True, data=True))) == \
        sorted(map(repr, G.edges(keys=True, data=True)))


def _key(rel) -> str:
    return json.dumps(rel.model_dump(mode="json", by_alias=True), sort_keys=True)


def test_load_save_load_is_lossless_for_both_examples(tmp_path):
    for name in ("amazon", "newspaper-funnel"):
        model = load_model(f"examples/{name}.yaml")
        save_model(model, tmp_path / f"{name}.yaml")
        assert load_model(tmp_path / f"{name}.yaml") == model


def test_model_validation_error_lists_problems_then_a_count(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("name: X\ncurrency: EUR\nperiod: '1'\nnodes: []\nrelationships:\n  - {from: a, to: b, type: FEEDS}\n")
    with pytest.raises(ModelValidationError) as info:
        load_model(path)
    # line 6 is "  - {from: a, to: b, type: FEEDS}": 'a' is at column 12, 'b' at column 19
    assert str(info.value) == (f"{path}:6:12: unknown node 'a' in relationships[0].from\n"
                               f"{path}:6:19: unknown node 'b' in relationships[0].to\n"
                               f"2 errors in {path}")


def test_period_given_as_a_number_is_kept_as_text():
    data = {"name": "X", "currency": "EUR", "period": 2023, "nodes": [], "relationships": []}
    assert Ecosystem.model_validate(data).period == "2023"


# ------------------------------------------------------------------- YAML from events, memory, duplicates

YAML_CASES = [
    "",
    "---\n...\n",
    "a: 1\nb: [x, {c: null}]\nd: 2023-01-01\ne: yes\nf: 0x10\ng: .inf\nh: !!str 5\ni: '=' \n",
    "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
    "m:\n  <<: [{a: 1}, {a: 2, b: 3}]\n  c: 4\n",
    "a: &x [1, 2]\nb: *x\n? !!str 1\n: one\n",
    "- &s text\n- *s\n- {k: *s}\n",
]


@pytest.mark.parametrize("text", YAML_CASES)
def test_yaml_built_from_events_equals_pyyaml(text):
    import yaml

    from ecosystem_graph.yaml_data import load_yaml_data

    assert load_yaml_data(text.encode(), yaml.CSafeLoader) == (yaml.load(text, Loader=yaml.CSafeLoader), [])


@pytest.mark.parametrize("text, message", [
    ("a: *nope\n", "1:4: YAML syntax error: found undefined alias 'nope'"),
    ("a: &q 1\nb: &q 2\n", "2:4: YAML syntax error: duplicate anchor 'q' (first at line 1)"),
    ("--- 1\n--- 2\n", "2:1: YAML syntax error: expected a single document in the stream but found another document"),
    ("? [a]\n: 1\n", "1:3: YAML syntax error: while constructing a mapping found unhashable key"),
    ("a: !!set {x, y}\n", "1:4: YAML syntax error: could not determine a constructor for the tag "
                          "'tag:yaml.org,2002:set'"),
    ("a:\n  <<: [1]\n", "2:3: YAML syntax error: while constructing a mapping expected a mapping or list of "
                        "mappings for merging"),
])
def test_yaml_composition_errors_are_located(text, message):
    result = parse_model_text(text.encode(), "m.yaml")
    assert [p.format() for p in result.problems] == [f"m.yaml:{message}"]


def test_yaml_nested_beyond_the_depth_limit_is_refused(tmp_path):
    import yaml

    from ecosystem_graph.yaml_data import load_yaml_data

    text = "a: " + "[" * 1001 + "]" * 1001 + "\n"
    # libyaml stops at 1000 levels (column 1003 is the 1001st '['); without libyaml, the builder does.
    assert [p.format() for p in parse_model_text(text.encode(), "d.yaml").problems] == [
        "d.yaml:1:1003: YAML syntax error: while increasing flow level exceeded maximum nesting depth"]
    with pytest.raises(RecursionError):
        load_yaml_data(text.encode(), yaml.SafeLoader)


@pytest.mark.parametrize("name", ["examples/amazon.yaml", "examples/newspaper-funnel.yaml"])
def test_validating_item_by_item_gives_what_validating_at_once_gives(name):
    import yaml

    text = open(name, encoding="utf-8").read()
    broken = text.replace("kind: satellite", "kind: sattelite", 1).replace("type: USES", "type: USE", 1)
    for source in (text, broken):
        whole = validate_data(yaml.safe_load(source))
        consumed = validate_data(yaml.safe_load(source), consume=True)
        assert consumed[0] == whole[0]
        assert sorted(map(repr, consumed[1])) == sorted(map(repr, whole[1]))
    assert validate_data(yaml.safe_load(broken))[0] is None


_OUT_OF_MEMORY_CHILD = r"""
import resource, sys
from ecosystem_graph.cli import main
from ecosystem_graph.fileio import load_model
import ecosystem_graph.validation
how, path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Address space now (interpreter + imports) plus twice the file: far below what loading needs (~10x).
vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
resource.setrlimit(resource.RLIMIT_AS, (vm + 2 * size, vm + 2 * size))
if how == "cli":
    sys.argv = ["ecograph", "validate", "--max-bytes", str(size + 1), path]
    main()
else:
    try:
        load_model(path, max_bytes=size + 1)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
"""


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("how", ["cli", "library"])
def test_too_little_memory_ends_in_one_line(tmp_path, fmt, how):
    import subprocess
    import sys

    from ecosystem_graph.generate import write_generated

    path = tmp_path / f"model.{fmt}"
    write_generated(path, 10_000, fmt=fmt)
    size = path.stat().st_size
    done = subprocess.run([sys.executable, "-c", _OUT_OF_MEMORY_CHILD, how, str(path), str(size)],
                          capture_output=True, text=True, timeout=300)
    message = (f"{path}: out of memory loading this {size:,}-byte model file (loading needs up to about 15 "
               f"times the file size); use a smaller file or allow more memory")
    if how == "cli":
        assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {message}\n")
    else:
        assert (done.returncode, done.stdout, done.stderr) == (0, f"InputError: {message}\n", "")
