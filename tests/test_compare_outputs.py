"""benchmarks/compare_outputs.py: the diff of two output directories ignores the report's generation time only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("compare_outputs", ROOT / "benchmarks" / "compare_outputs.py")
compare_outputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_outputs)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_only_the_generation_time_is_ignored(tmp_path):
    a = _tree(tmp_path / "a", {"x/report.md": "Generated 2026-12-02 07:12 UTC\nrevenue 10\n", "same.json": "{}"})
    b = _tree(tmp_path / "b", {"x/report.md": "Generated 2027-01-31 23:59 UTC\nrevenue 10\n", "same.json": "{}"})
    assert compare_outputs.diff(a, b) == []
    (b / "x" / "report.md").write_text("Generated 2027-01-31 23:59 UTC\nrevenue 11\n", encoding="utf-8")
    (b / "extra.txt").write_text("new", encoding="utf-8")
    found = compare_outputs.diff(a, b)
    assert found[0] == f"only in {b}: extra.txt"
    assert found[1].startswith("differs: x/report.md") and "-revenue 10" in found[1] and "+revenue 11" in found[1]
    assert compare_outputs.main(["diff", str(a), str(b)]) == 1


def test_the_variant_drops_the_node_its_relationships_and_linked_flows(tmp_path):
    source = tmp_path / "m.yaml"
    source.write_text(yaml.safe_dump({"nodes": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "relationships": [
        {"id": "ab", "from": "a", "to": "b", "type": "PAYS", "amount": 4.0},
        {"id": "bc", "from": "b", "to": "c", "type": "PAYS", "share_of": "ab", "share": 0.5},
        {"id": "ca", "from": "c", "to": "a", "type": "PAYS", "amount": 3.0, "count": 3, "price": 1.0}]}))
    target = tmp_path / "v.yaml"
    compare_outputs.write_variant(source, target, "b", "ca")
    data = yaml.safe_load(target.read_text())
    assert [n["id"] for n in data["nodes"]] == ["a", "c"]
    # ab and bc touch b; ca doubled (3 x 2), its count and price dropped so the amount stands alone
    assert data["relationships"] == [{"id": "ca", "from": "c", "to": "a", "type": "PAYS", "amount": 6.0}]
