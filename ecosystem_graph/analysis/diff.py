"""Diff of two models: nodes and relationships added, removed and changed, and the change of every figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..graph import to_networkx
from ..tables import Table
from . import FORMAT_VERSION, Analysis, analyze
from .scenario import Comparison, compare, money_note, node_names

__all__ = ["ItemChange", "ModelDiff", "diff_models", "relationship_key"]


@dataclass
class ItemChange:
    """A node or relationship that differs: ``fields`` maps each changed field to ``[before, after]``."""

    key: str
    status: str  # added, removed, changed
    fields: dict[str, list] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"key": self.key, "status": self.status, "fields": self.fields}


@dataclass
class ModelDiff:
    """What differs between model A and model B."""

    a: dict
    b: dict
    nodes: list[ItemChange]
    relationships: list[ItemChange]
    metadata: dict[str, list]
    before: Analysis
    after: Analysis
    comparison: Comparison

    @property
    def identical(self) -> bool:
        return not (self.nodes or self.relationships or self.metadata)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name, items in (("nodes", self.nodes), ("relationships", self.relationships)):
            out[name] = {s: sum(1 for i in items if i.status == s) for s in ("added", "removed", "changed")}
        return out

    def to_dict(self, changed_only: bool = False) -> dict[str, Any]:
        comparison = self.comparison.to_dict(changed_only)
        return {"format_version": FORMAT_VERSION, "a": self.a, "b": self.b, "headline": comparison.pop("headline"),
                "metadata": self.metadata, "counts": self.counts(),
                "nodes": [i.to_dict() for i in self.nodes],
                "relationships": [i.to_dict() for i in self.relationships],
                **comparison}

    def tables(self, changed_only: bool = False) -> list[Table]:
        rows = [["metadata", k, "changed", _show(v[0]), _show(v[1])] for k, v in self.metadata.items()]
        for what, items in (("node", self.nodes), ("relationship", self.relationships)):
            for item in items:
                if item.status == "changed":
                    for f, (x, y) in item.fields.items():
                        rows.append([what, item.key, f"changed {f}", _show(x), _show(y)])
                else:
                    rows.append([what, item.key, item.status, "", ""])
        c = self.counts()
        note = (f"nodes: {c['nodes']['added']} added, {c['nodes']['removed']} removed, {c['nodes']['changed']} "
                f"changed; relationships: {c['relationships']['added']} added, {c['relationships']['removed']} "
                f"removed, {c['relationships']['changed']} changed")
        head = Table("Model changes", ["what", "key", "change", "before", "after"], rows, note)
        title = "Diff headline" + money_note(self.before.model)
        return [self.comparison.headline_table(title), head] + self.comparison.tables(changed_only)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def relationship_key(u: str, v: str, key: str) -> str:
    """How a relationship is named in a diff: its id, else ``from -> to key`` (key = TYPE#n)."""
    return key if "#" not in key else f"{u} -> {v} {key}"


def _fields_diff(x: dict, y: dict) -> dict[str, list]:
    out = {}
    for k in list(x) + [k for k in y if k not in x]:
        if x.get(k) != y.get(k):
            out[k] = [x.get(k), y.get(k)]
    return out


def diff_models(a, b, *, label_a: str = "A", label_b: str = "B", **analyze_options) -> ModelDiff:
    """Compare two :class:`~ecosystem_graph.model.Ecosystem` s: items and every figure.

    Nodes are matched by id; relationships by id when they have one, else by ``(from, to, TYPE#n)``.
    The headline's touched nodes are the nodes added, removed or changed and both ends of every
    relationship added, removed or changed.
    """
    Ga, Gb = to_networkx(a), to_networkx(b)
    meta = {k: [Ga.graph.get(k), Gb.graph.get(k)] for k in ("name", "currency", "period", "money_unit",
                                                             "description")
            if Ga.graph.get(k) != Gb.graph.get(k)}
    nodes: list[ItemChange] = []
    for n, data in Ga.nodes(data=True):
        if n not in Gb:
            nodes.append(ItemChange(n, "removed"))
        else:
            changed = _fields_diff(data, Gb.nodes[n])
            if changed:
                nodes.append(ItemChange(n, "changed", changed))
    nodes += [ItemChange(n, "added") for n in Gb if n not in Ga]

    ea = {relationship_key(u, v, k): d for u, v, k, d in Ga.edges(keys=True, data=True)}
    eb = {relationship_key(u, v, k): d for u, v, k, d in Gb.edges(keys=True, data=True)}
    ends = {relationship_key(u, v, k): (u, v) for G in (Gb, Ga) for u, v, k in G.edges(keys=True)}
    rels: list[ItemChange] = []
    for k, d in ea.items():
        if k not in eb:
            rels.append(ItemChange(k, "removed"))
        else:
            changed = _fields_diff(d, eb[k])
            if changed:
                rels.append(ItemChange(k, "changed", changed))
    rels += [ItemChange(k, "added") for k in eb if k not in ea]

    before = analyze(Ga, **analyze_options)
    after = analyze(Gb, **analyze_options)
    touched = [i.key for i in nodes] + [n for r in rels for n in ends[r.key]]
    info = lambda G, label: {"label": label, "name": G.graph.get("name"), "nodes": G.number_of_nodes(),  # noqa: E731
                             "relationships": G.number_of_edges()}
    return ModelDiff(a=info(Ga, label_a), b=info(Gb, label_b), nodes=nodes, relationships=rels, metadata=meta,
                     before=before, after=after, comparison=compare(before, after, touched, node_names(Ga, Gb)))
