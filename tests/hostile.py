"""The hostile-input battery: files that every command reading files must refuse in one line, or show safely.

Run ``python tests/hostile.py OUTDIR`` to write the files (and list them); tests import
:func:`make_battery` (the paths) or :func:`make_cases` (the paths with what is expected of them).

Each generator in :data:`REGISTRY` writes its files into a directory and returns :class:`HostileCase`
records; to add cases (e.g. hostile workbooks), write a function ``def my_cases(directory) -> list[HostileCase]``
and decorate it with ``@hostile`` (or append it to ``REGISTRY``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

__all__ = ["HostileCase", "REGISTRY", "hostile", "make_cases", "make_battery", "base_model", "SMALL_LIMIT"]

SMALL_LIMIT = 4096
"""The ``--max-bytes`` the 'over the limit' case runs with (its file is a little larger)."""


@dataclass(frozen=True)
class HostileCase:
    """One hostile input and what is expected of it.

    role: ``model`` (a model file, read by validate/show/analyze/...), ``scenario`` (``report --scenario``)
    or ``import`` (``ecograph import``; only JSON-format ``model`` cases are imported too).
    expect: ``refuse`` (exit 1, or 2 for a scenario's content, and one clear error line) or ``accept``
    (exit 0, output free of control characters and of library warnings), except by the commands named in
    ``refused_by`` (e.g. XML exports, which cannot hold control characters).
    """

    name: str
    path: Path
    role: str = "model"
    expect: str = "refuse"
    args: tuple[str, ...] = ()  # extra options for every command that reads the case (e.g. --max-bytes)
    note: str = ""
    exit_codes: tuple[int, ...] = (1,)
    special: bool = False  # not a regular file: a FIFO, a device, a symlink loop, a directory
    refused_by: tuple[str, ...] = ()  # for an accepted file: commands that refuse it all the same, in one line


Generator = Callable[[Path], "list[HostileCase]"]
REGISTRY: list[Generator] = []
"""Every generator of battery cases, in order; ``make_cases`` runs them all."""


def hostile(fn: Generator) -> Generator:
    """Register a generator of battery cases."""
    REGISTRY.append(fn)
    return fn


def base_model() -> dict[str, Any]:
    """A small valid model with no warnings; each hostile case changes one thing in it."""
    return {
        "schema_version": 1, "name": "Hostile", "currency": "EUR", "period": "2024",
        "nodes": [
            {"id": "core", "kind": "core", "name": "Core"},
            {"id": "app", "kind": "channel", "name": "App"},
            {"id": "buyers", "kind": "segment", "name": "Buyers", "size": 1000},
            {"id": "payers", "kind": "segment", "name": "Payers", "size": 100},
        ],
        "relationships": [
            {"from": "buyers", "to": "core", "type": "PAYS", "amount": 5000, "stream": "purchase"},
            {"from": "payers", "to": "core", "type": "PAYS", "amount": 900, "stream": "subscription"},
            {"from": "buyers", "to": "core", "type": "USES", "switching_cost": 0.2, "share": 1.0},
            {"from": "payers", "to": "core", "type": "USES", "switching_cost": 0.6, "share": 1.0,
             "mechanisms": ["contractual_commitment"]},
            {"from": "app", "to": "buyers", "type": "REACHES", "reach": 0.5},
            {"id": "upgrade", "from": "buyers", "to": "payers", "type": "CONVERTS_TO", "rate": 0.1},
        ],
    }


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)


def _write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _model_with(change: Callable[[dict], None]) -> dict:
    data = base_model()
    change(data)
    return data


# ------------------------------------------------------------------------------------ numbers


HUGE_DIGITS = "1" + "0" * 9_999  # 10,000 digits: over Python's int-string limit of 4,300
BIG_DIGITS = "9" * 400  # 400 digits: under the limit, far over any sensible size or amount


@hostile
def huge_numbers(d: Path) -> list[HostileCase]:
    base_yaml = _yaml(base_model())
    base_json = json.dumps(base_model(), indent=1)
    out = [
        HostileCase("huge-int-yaml", _write(d / "huge-int.yaml", base_yaml.replace("size: 1000", f"size: {HUGE_DIGITS}")),
                    note="a 10,000-digit integer (Python's int-string limit)"),
        HostileCase("huge-int-json", _write(d / "huge-int.json", base_json.replace('"size": 1000', f'"size": {HUGE_DIGITS}')),
                    note="a 10,000-digit integer in JSON"),
        HostileCase("huge-int-attribute", _write(d / "huge-int-attribute.yaml", base_yaml.replace(
            "name: Core\n", f"name: Core\n  attributes:\n    founded: {HUGE_DIGITS}\n")),
                    note="a 10,000-digit integer in a free attribute"),
        HostileCase("size-400-digits-yaml", _write(d / "size-400-digits.yaml", base_yaml.replace("size: 1000", f"size: {BIG_DIGITS}")),
                    note="a 400-digit segment size"),
        HostileCase("size-400-digits-json", _write(d / "size-400-digits.json", base_json.replace('"size": 1000', f'"size": {BIG_DIGITS}')),
                    note="a 400-digit segment size in JSON"),
        HostileCase("attribute-400-digits", _write(d / "attribute-400-digits.yaml", base_yaml.replace(
            "name: Core\n", f"name: Core\n  attributes:\n    employees: {BIG_DIGITS}\n")),
                    note="a 400-digit integer attribute (no database or spreadsheet holds it)"),
        HostileCase("attribute-99-digits", _write(d / "attribute-99-digits.yaml", base_yaml.replace(
            "name: Core\n", f"name: Core\n  attributes:\n    employees: {'9' * 99}\n")), expect="accept",
                    note="the longest whole number an attribute may hold"),
        HostileCase("amount-1e308", _write(d / "amount-1e308.yaml", base_yaml.replace("amount: 5000", "amount: 1.0e+308")),
                    note="an amount near the largest float: sums overflow to infinity"),
        HostileCase("amount-inf", _write(d / "amount-inf.yaml", base_yaml.replace("amount: 5000", "amount: .inf"))),
        HostileCase("share-nan-json", _write(d / "share-nan.json", base_json.replace('"share": 1.0', '"share": NaN', 1))),
        HostileCase("amount-1e999-json", _write(d / "amount-1e999.json", base_json.replace('"amount": 5000', '"amount": 1e999'))),
        HostileCase("count-times-price-overflow", _write(d / "count-price.yaml", base_yaml.replace(
            "amount: 5000", "count: 1.0e+10\n  price: 1.0e+10")),
                    note="count x price overflows though each is finite"),
        HostileCase("size-hex-huge", _write(d / "size-hex.yaml", base_yaml.replace("size: 1000", "size: 0x" + "f" * 300))),
        HostileCase("period-huge-int", _write(d / "period-huge.yaml", base_yaml.replace("period: '2024'", f"period: {BIG_DIGITS}")),
                    expect="refuse", note="a 400-digit period"),
    ]
    return out


# ------------------------------------------------------------------------------- ranges


@hostile
def hostile_ranges(d: Path) -> list[HostileCase]:
    base_yaml = _yaml(base_model())
    base_json = json.dumps(base_model(), indent=1)

    def amount(text: str) -> str:
        return base_yaml.replace("amount: 5000", f"amount: {text}")

    return [
        HostileCase("range-nan-low", _write(d / "range-nan.yaml", amount("{low: .nan, base: 5000, high: 6000}"))),
        HostileCase("range-inf-high", _write(d / "range-inf.yaml", amount("{low: 4000, base: 5000, high: .inf}"))),
        HostileCase("range-nan-json", _write(d / "range-nan.json", base_json.replace(
            '"amount": 5000', '"amount": {"low": NaN, "base": 5000}'))),
        HostileCase("range-huge-high", _write(d / "range-huge.yaml", amount("{low: 1, base: 5000, high: 1.0e+300}")),
                    note="a high far over the largest amount"),
        HostileCase("range-size-400-digits", _write(d / "range-size.yaml", base_yaml.replace(
            "size: 1000", f"size: {{low: 10, base: 1000, high: {BIG_DIGITS}}}")), note="a 400-digit high of a size"),
        HostileCase("range-low-above-base", _write(d / "range-order.yaml", amount("{low: 6000, base: 5000, high: 7000}"))),
        HostileCase("range-text-low", _write(d / "range-text.yaml", amount("{low: a lot, base: 5000}"))),
        HostileCase("range-bool-dist", _write(d / "range-dist.yaml", amount("{base: 5000, dist: true}"))),
        HostileCase("range-nested", _write(d / "range-nested.yaml", amount("{low: 1, base: {low: 1, base: 2}, high: 3}")),
                    note="a range inside a range"),
        HostileCase("range-as-list", _write(d / "range-list.yaml", amount("[4000, 5000, 6000]"))),
        HostileCase("range-without-base", _write(d / "range-no-base.yaml", amount("{low: 4000, high: 6000}"))),
        HostileCase("range-share-over-one", _write(d / "range-share.yaml", base_yaml.replace(
            "share: 1.0", "share: {low: 0.5, base: 1.0, high: 1.5}", 1))),
        HostileCase("ranges-everywhere", _write(d / "ranges.yaml", amount("{low: 4000, base: 5000, high: 6500}").replace(
            "size: 1000", "size: {low: 800, base: 1000, high: 1300, dist: uniform}").replace(
            "rate: 0.1", "rate: {low: 0.05, base: 0.1, high: 0.2, dist: triangular}")), expect="accept",
                    note="a valid model with ranges, through every command"),
    ]


# ------------------------------------------------------------------------------- structure


def _nested(depth: int, open_: str, close: str) -> str:
    return open_ * depth + close * depth


@hostile
def structure(d: Path) -> list[HostileCase]:
    base_yaml = _yaml(base_model())
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(10))}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    nested_attr = base_yaml.replace("name: Core\n", "name: Core\n  attributes:\n    deep: " + _nested(500, "[", "]") + "\n")
    return [
        HostileCase("deep-nesting-yaml", _write(d / "deep.yaml", _nested(100_000, "[", "]"))),
        HostileCase("deep-nesting-json", _write(d / "deep.json", _nested(100_000, "[", "]"))),
        HostileCase("deep-mapping-yaml", _write(d / "deep-map.yaml", _nested(50_000, "{a: ", "}"))),
        HostileCase("nested-attribute", _write(d / "nested-attribute.yaml", nested_attr),
                    note="an attribute nested 500 lists deep (attributes hold scalars or lists of scalars)"),
        HostileCase("alias-bomb", _write(d / "alias-bomb.yaml", bomb), note="a billion-laughs YAML bomb"),
        HostileCase("python-tag", _write(d / "python-tag.yaml", '!!python/object/apply:os.system ["echo pwned"]\n')),
        HostileCase("multi-document", _write(d / "multi-doc.yaml", base_yaml + "---\n" + base_yaml)),
        HostileCase("top-level-list", _write(d / "list.yaml", "- 1\n- 2\n")),
        HostileCase("top-level-scalar-json", _write(d / "scalar.json", "42")),
        HostileCase("unhashable-key", _write(d / "unhashable-key.yaml", "? [a, b]\n: c\n")),
        HostileCase("int-key", _write(d / "int-key.yaml", base_yaml.replace("name: Core\n", "name: Core\n  5: five\n"))),
        HostileCase("binary-key-value", _write(d / "binary-value.yaml", base_yaml.replace(
            "name: Core\n", "name: !!binary gICA\n"))),
        HostileCase("impossible-date", _write(d / "bad-date.yaml", base_yaml.replace("period: '2024'", "period: 2024-13-45")),
                    note="a YAML timestamp with a 13th month (the parser raises ValueError)"),
        HostileCase("date-name", _write(d / "date-name.yaml", base_yaml.replace("name: Core\n", "name: 2024-01-01\n"))),
        HostileCase("yaml-syntax", _write(d / "syntax.yaml", "name: [unclosed\n  nodes: {\n")),
        HostileCase("json-trailing-garbage", _write(d / "trailing.json", json.dumps(base_model()) + "\n}}}garbage")),
        HostileCase("long-value", _write(d / "long-value.yaml", base_yaml.replace("currency: EUR", "currency: " + "X" * 100_000)),
                    note="a 100,000-character value in an error message"),
    ]


# ------------------------------------------------------------------------------------ bytes


@hostile
def encodings(d: Path) -> list[HostileCase]:
    base_yaml = _yaml(base_model())
    base_json = json.dumps(base_model(), indent=1, ensure_ascii=False)
    return [
        HostileCase("invalid-utf8-yaml", _write(d / "invalid-utf8.yaml", base_yaml.replace("Core\n", "Co\xffre\n").encode("latin-1"))),
        HostileCase("invalid-utf8-json", _write(d / "invalid-utf8.json", base_json.replace('"Core"', '"Co\xffre"').encode("latin-1"))),
        HostileCase("binary-junk", _write(d / "junk.yaml", bytes(range(256)) * 8)),
        HostileCase("nul-bytes-json", _write(d / "nul.json", b"{\x00\x00\x00}")),
        HostileCase("empty", _write(d / "empty.yaml", b"")),
        HostileCase("empty-json", _write(d / "empty.json", b"")),
        HostileCase("only-comment", _write(d / "comment.yaml", "# nothing here\n")),
        HostileCase("bom-then-junk", _write(d / "bom-junk.yaml", b"\xef\xbb\xbf\xff\xfe\x00junk")),
        HostileCase("utf8-bom-json", _write(d / "bom.json", b"\xef\xbb\xbf" + base_json.encode("utf-8")),
                    expect="accept", note="a UTF-8 byte-order mark is read past"),
        HostileCase("utf8-bom-yaml", _write(d / "bom.yaml", b"\xef\xbb\xbf" + base_yaml.encode("utf-8")), expect="accept"),
        HostileCase("utf16-yaml", _write(d / "utf16.yaml", base_yaml.encode("utf-16")), expect="accept",
                    note="UTF-16 with a byte-order mark (YAML allows it)"),
    ]


# -------------------------------------------------------------------------- terminal escapes

ESCAPES = ["\x1b[2J\x1b[H", "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07", "\x9b31m", "\x07\x08\r",
           "\x1b]0;pwned title\x07", "\x7f", "[bold red]markup[/]"]


XML_EXPORTS = ("export-graphml", "export-gexf")  # XML 1.0 cannot hold C0 control characters


@hostile
def control_characters(d: Path) -> list[HostileCase]:
    def names(data: dict) -> None:
        data["name"] = "Eco" + ESCAPES[4]
        for node, esc in zip(data["nodes"], ESCAPES):
            node["name"] = f"{node['name']}{esc}end"
            node["description"] = "desc" + esc
        data["nodes"][2]["tags"] = ["t" + ESCAPES[2]]

    def bad_reference(data: dict) -> None:
        data["relationships"][0]["from"] = "buy\x1b[31mers\x9b2J"

    def bad_key(data: dict) -> None:
        data["nodes"][0]["\x1b[41mevil\x1b[0m"] = 1

    glyphs = _model_with(lambda m: [n.update(name=n["name"] + " 東京 \U0001F600 \u202e") for n in m["nodes"]])
    return [
        HostileCase("escapes-in-names", _write(d / "escapes.yaml", _yaml(_model_with(names))), expect="accept",
                    refused_by=XML_EXPORTS, note="terminal escape sequences in names, descriptions and tags (shown escaped)"),
        HostileCase("escapes-in-names-json", _write(d / "escapes.json", json.dumps(_model_with(names), ensure_ascii=False)),
                    expect="accept", refused_by=XML_EXPORTS),
        HostileCase("missing-glyphs", _write(d / "glyphs.yaml", _yaml(glyphs)), expect="accept",
                    note="characters the chart font lacks (no 'Glyph missing' warnings)"),
        HostileCase("escape-in-reference", _write(d / "escape-ref.yaml", _yaml(_model_with(bad_reference))),
                    note="an escape sequence echoed in an error message"),
        HostileCase("escape-in-key", _write(d / "escape-key.yaml", _yaml(_model_with(bad_key)))),
        HostileCase("escape-in-file-name", _write(d / "esc\x1b[31mname.yaml", _yaml(_model_with(bad_reference))),
                    note="an escape sequence in the file's own name"),
    ]


# --------------------------------------------------------------------------- duplicate keys


@hostile
def duplicate_keys(d: Path) -> list[HostileCase]:
    base_yaml = _yaml(base_model())
    base_json = json.dumps(base_model(), indent=1)
    return [
        HostileCase("duplicate-key-yaml", _write(d / "dup-key.yaml", base_yaml.replace(
            "amount: 5000\n", "amount: 5000\n  amount: 7\n")), note="last would win silently"),
        HostileCase("duplicate-key-json", _write(d / "dup-key.json", base_json.replace(
            '"amount": 5000,', '"amount": 5000, "amount": 7,'))),
    ]


# ------------------------------------------------------------------------- not regular files


@hostile
def special_files(d: Path) -> list[HostileCase]:
    fifo = d / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    loop_a, loop_b = d / "loop-a.yaml", d / "loop-b.yaml"
    for link, target in ((loop_a, loop_b), (loop_b, loop_a)):
        if not link.is_symlink():
            link.symlink_to(target.name)
    dangling = d / "dangling.yaml"
    if not dangling.is_symlink():
        dangling.symlink_to("no-such-target.yaml")
    directory = d / "directory.yaml"
    directory.mkdir(exist_ok=True)
    big = _yaml(base_model()) + "# " + "x" * SMALL_LIMIT + "\n"
    return [
        HostileCase("fifo", fifo, special=True, note="reading a FIFO without a writer would hang"),
        HostileCase("symlink-loop", loop_a, special=True),
        HostileCase("dangling-symlink", dangling, special=True),
        HostileCase("directory", directory, special=True),
        HostileCase("dev-zero", Path("/dev/zero"), special=True, note="a character device, endless"),
        HostileCase("over-limit", _write(d / "over-limit.yaml", big), args=("--max-bytes", str(SMALL_LIMIT)),
                    note="a valid model a little over --max-bytes"),
    ]


# ------------------------------------------------------------------------------- scenarios


@hostile
def scenarios(d: Path) -> list[HostileCase]:
    s = d / "scenario"
    s.mkdir(exist_ok=True)
    fifo = s / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    loop = s / "loop.yaml"
    if not loop.is_symlink():
        loop.symlink_to("loop.yaml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(10))}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

    def case(name: str, content: str | bytes, codes: tuple[int, ...] = (1,)) -> HostileCase:
        return HostileCase(f"scenario-{name}", _write(s / f"{name}.yaml", content), role="scenario", exit_codes=codes)

    return [
        case("binary-junk", bytes(range(256)) * 4),
        case("invalid-utf8", b"remove: [co\xffre]\n"),
        case("huge-int", f"scale:\n  core: {HUGE_DIGITS}\n"),
        case("huge-factor", "scale:\n  core: 1.0e+308\n", codes=(2,)),
        case("deep-nesting", _nested(100_000, "[", "]")),
        case("alias-bomb", bomb),
        case("python-tag", '!!python/object/apply:os.system ["echo pwned"]\n'),
        case("syntax", "remove: [unclosed\n"),
        case("escape-in-key", '"\\e[2Jremove": [core]\n', codes=(2,)),
        case("raw-escape", "remove: [co\x1b[31mre]\n"),
        case("unknown-id", 'remove: ["no\\e[31msuch"]\n', codes=(1, 2)),
        case("wrong-shape", "- a\n- b\n", codes=(2,)),
        HostileCase("scenario-fifo", fifo, role="scenario", special=True),
        HostileCase("scenario-symlink-loop", loop, role="scenario", special=True),
        HostileCase("scenario-directory", s, role="scenario", special=True),
        HostileCase("scenario-dev-zero", Path("/dev/zero"), role="scenario", special=True),
        case("over-limit", "# " + "x" * (1024 * 1024) + "\nremove: [core]\n"),
    ]


# ---------------------------------------------------------------------------------- imports


@hostile
def imports(d: Path) -> list[HostileCase]:
    i = d / "import"
    i.mkdir(exist_ok=True)

    def case(name: str, filename: str, content: str | bytes) -> HostileCase:
        return HostileCase(f"import-{name}", _write(i / filename, content), role="import")

    def pair(name: str, nodes: str | bytes, rels: str | bytes) -> HostileCase:
        p = i / name
        p.mkdir(exist_ok=True)
        _write(p / "nodes.csv", nodes)
        _write(p / "relationships.csv", rels)
        return HostileCase(f"import-csv-{name}", p, role="import")

    good_nodes = "id,name,kind\ncore,Core,core\nbuyers,Buyers,segment\n"
    good_rels = "from,to,type,amount\nbuyers,core,PAYS,10\nbuyers,core,USES,\n"
    kumu_fifo = i / "fifo.json"
    if not kumu_fifo.exists():
        os.mkfifo(kumu_fifo)
    loop = i / "loop.graphml"
    if not loop.is_symlink():
        loop.symlink_to("loop.graphml")
    xml_bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
                + ']>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
                  '<node id="&lol9;"/></graph></graphml>\n')
    return [
        case("kumu-junk", "junk.json", bytes(range(256)) * 4),
        case("kumu-not-object", "list.json", "[1, 2, 3]"),
        case("kumu-elements-not-list", "elements.json", '{"elements": "x", "connections": 5}'),
        case("kumu-huge-int", "huge.json", '{"elements": [{"label": "A", "type": "core", "size": ' + HUGE_DIGITS + "}]}"),
        case("kumu-deep", "deep.json", '{"elements": ' + _nested(100_000, "[", "]") + "}"),
        case("kumu-invalid-utf8", "utf8.json", b'{"elements": [{"label": "A\xff"}]}'),
        case("kumu-escape", "escape.json", '{"elements": [{"label": "A\\u001b[31m", "type": "c\\u001b]0;x\\u0007"}]}'),
        case("kumu-empty", "empty.json", b""),
        HostileCase("import-kumu-fifo", kumu_fifo, role="import", special=True),
        HostileCase("import-graphml-loop", loop, role="import", special=True),
        case("graphml-junk", "junk.graphml", bytes(range(256)) * 4),
        case("graphml-bomb", "bomb.graphml", xml_bomb),
        case("gexf-junk", "junk.gexf", "<gexf><graph><nodes><node id='1' label='\x1b[31m'/></nodes>"),
        HostileCase("import-csv-nul", pair("nul", good_nodes.replace("Core", "Co\x00re"), good_rels).path, role="import",
                    expect="accept", note="a NUL inside a name is kept (and shown escaped)"),
        pair("binary", bytes(range(256)) * 4, good_rels),
        pair("invalid-utf8", good_nodes.replace("Core", "Co\xffre").encode("latin-1"), good_rels),
        pair("huge-field", "id,name,kind\ncore,\"" + "x" * 200_000 + "\",core\n", good_rels),
        pair("huge-int", good_nodes, good_rels.replace(",10", "," + HUGE_DIGITS)),
        pair("escape", good_nodes, good_rels.replace("PAYS", "PA\x1b[2J\x9bYS")),
    ]


@hostile
def workbooks(d: Path) -> list[HostileCase]:
    """The hostile Kumu workbooks (zip bombs, entities, malformed XML, bad cells) of tests/hostile_workbooks.py."""
    try:
        from tests import hostile_workbooks as hw
    except ImportError:  # run as a script: tests/ is on sys.path, not its parent
        import hostile_workbooks as hw

    w = d / "workbooks"
    w.mkdir(exist_ok=True)
    writers = {**hw.HOSTILE_WORKBOOKS, "shared strings bomb": hw.write_shared_strings_bomb,
               "3 million rows": hw.write_many_rows}
    cases = []
    for name, write in writers.items():
        sub = w / name.replace(" ", "-")  # each writer picks its own file name: one folder each
        sub.mkdir(exist_ok=True)
        cases.append(HostileCase(f"import-xlsx-{sub.name}", write(sub), role="import"))
    return cases


def make_cases(directory: str | os.PathLike) -> list[HostileCase]:
    """Write every battery file into ``directory`` (created if needed) and return the cases."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []
    for generator in REGISTRY:
        cases.extend(generator(d))
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "battery case names must be unique"
    return cases


def make_battery(directory: str | os.PathLike) -> list[Path]:
    """Write every battery file into ``directory`` and return their paths."""
    return [c.path for c in make_cases(directory)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile.py OUTDIR", file=sys.stderr)
        return 2
    for c in make_cases(argv[0]):
        print(f"{c.role:9} {c.expect:7} {c.name:28} {os.fsencode(c.path)!r}"[: 200])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
