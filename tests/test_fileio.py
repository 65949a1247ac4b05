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
@given(data=ecosystem_data())
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
