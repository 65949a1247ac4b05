"""A model at a glance: counts by kind and type, money by stream, the best-connected nodes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import NODE_KINDS, RELATIONSHIP_TYPES, Ecosystem
from .tables import Table

__all__ = ["FORMAT_VERSION", "ModelSummary", "summarize"]

FORMAT_VERSION = 1


@dataclass
class ModelSummary:
    """What ``ecograph show`` prints; every output format is fed from this object."""

    name: str
    currency: str
    period: str
    money_unit: str | None
    nodes_by_kind: dict[str, int]
    relationships_by_type: dict[str, int]
    money_by_stream: dict[str, float]
    top_by_degree: list[dict] = field(default_factory=list)

    @property
    def total_money(self) -> float:
        return sum(self.money_by_stream.values())

    def to_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, "name": self.name, "currency": self.currency,
                "period": self.period, "money_unit": self.money_unit,
                "nodes": {"total": sum(self.nodes_by_kind.values()), "by_kind": self.nodes_by_kind},
                "relationships": {"total": sum(self.relationships_by_type.values()),
                                  "by_type": self.relationships_by_type},
                # Rounded to 1e-6 so sums of count x price do not show float noise (53820.00000000001).
                "money": {"total": round(self.total_money, 6),
                          "by_stream": {k: round(v, 6) for k, v in self.money_by_stream.items()}},
                "top_by_degree": self.top_by_degree}

    def tables(self) -> list[Table]:
        unit = f"{self.currency} {self.money_unit}" if self.money_unit else self.currency
        head = f"{self.name} ({self.period})"
        return [
            Table(f"{head}: nodes by kind", ["kind", "nodes"],
                  [[k, n] for k, n in self.nodes_by_kind.items()] + [["total", sum(self.nodes_by_kind.values())]]),
            Table("Relationships by type", ["type", "relationships"],
                  [[t, n] for t, n in self.relationships_by_type.items()]
                  + [["total", sum(self.relationships_by_type.values())]]),
            Table(f"Money by stream ({unit} per period, sum of PAYS amounts)", ["stream", "amount"],
                  [[s, a] for s, a in self.money_by_stream.items()] + [["total", self.total_money]]),
            Table("Top nodes by degree", ["id", "name", "kind", "degree"],
                  [[t["id"], t["name"], t["kind"], t["degree"]] for t in self.top_by_degree]),
        ]


def summarize(model: Ecosystem, *, top: int = 10) -> ModelSummary:
    """Summarize a model.

    Degree counts every relationship a node takes part in (in plus out); ties sort by id.

    >>> from ecosystem_graph.generate import generate_model
    >>> s = summarize(generate_model(20, seed=3), top=1)
    >>> sum(s.nodes_by_kind.values())
    20
    """
    kinds = Counter(n.kind for n in model.nodes)
    types = Counter(r.type for r in model.relationships)
    money: dict[str, float] = {}
    degree: Counter = Counter()
    for r in model.relationships:
        degree[r.source] += 1
        degree[r.target] += 1
        if r.type == "PAYS":
            key = r.stream or "unspecified"
            money[key] = money.get(key, 0.0) + (r.amount or 0.0)
    nodes = model.node_index()
    ranked = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return ModelSummary(
        name=model.name, currency=model.currency, period=model.period, money_unit=model.money_unit,
        nodes_by_kind={k: kinds[k] for k in NODE_KINDS if kinds[k]},
        relationships_by_type={t: types[t] for t in RELATIONSHIP_TYPES if types[t]},
        money_by_stream=dict(sorted(money.items(), key=lambda kv: (-kv[1], kv[0]))),
        top_by_degree=[{"id": nid, "name": nodes[nid].name, "kind": nodes[nid].kind, "degree": d}
                       for nid, d in ranked],
    )
