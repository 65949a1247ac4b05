"""The ecosystem model: node kinds, relationship types and their properties, as pydantic v2 models.

The vocabulary (kinds, types, which kinds a type may join, lock-in mechanisms, payment streams) is defined
once, in :mod:`ecosystem_graph.vocabulary`, and exported again here; every other module (validation, Neo4j
labels, rendering) takes it from here. The rules a JSON Schema cannot state live in :mod:`ecosystem_graph.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    FieldSerializationInfo,
    PrivateAttr,
    Tag,
    TypeAdapter,
    field_serializer,
    model_validator,
)

from . import vocabulary
from .rules import check_pays, check_range_order, linked_flow_amounts, period_as_text, whole_numbers_fit
# Every name of the vocabulary, exported again (see __all__): other modules read the vocabulary from the model.
from .vocabulary import (ALLOWED_ENDPOINTS, CHANNEL, CORE, DISTRIBUTIONS, EXTERNAL_KINDS, ID_PATTERN, KEYSTONE_KINDS,
                         KIND_ROLES, LINKED_FLOW_ERROR, LOCKIN_MECHANISMS, MAX_AMOUNT, MAX_ATTRIBUTE_DIGITS, MAX_SIZE,
                         MAX_SLUG_LENGTH, NEO4J_LABELS, NODE_KINDS, OFFERING_KINDS, OUTER_OFFERING_KINDS, PARTNER,
                         PAYMENT_STREAMS, RANGED_PROPERTIES, RELATIONSHIP_TYPES, SATELLITE, SCHEMA_VERSION, SEGMENT,
                         SWITCHING_COST_TYPES, KindRole, describe_big_int, linked_amount, linked_amounts, payment_words,
                         reads_as_plural, slugify)

__all__ = [
    *vocabulary.__all__,  # the vocabulary is part of the model's names
    "Range",
    "ShareRange",
    "AmountRange",
    "SizeRange",
    "Assumption",
    "Ecosystem",
    "Node",
    "Relationship",
    "CoreNode",
    "SatelliteNode",
    "ChannelNode",
    "PartnerNode",
    "SegmentNode",
    "Uses",
    "Pays",
    "Feeds",
    "Reaches",
    "Supplies",
    "DependsOn",
    "ConvertsTo",
    "NODE_CLASSES",
    "RELATIONSHIP_CLASSES",
    "NODE_ADAPTER",
    "RELATIONSHIP_ADAPTER",
    "json_schema",
]

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_SIZE)]
Mechanism = Literal[LOCKIN_MECHANISMS]  # Literal of a tuple: one literal per item
Stream = Literal[PAYMENT_STREAMS]
CostType = Literal[SWITCHING_COST_TYPES]
# Free-form extra data (from imports, or a consultant's own columns): scalars and lists of scalars only,
# so that every target (YAML, JSON, GraphML, Neo4j properties) can hold it.
Scalar = Union[bool, int, Annotated[float, Field(allow_inf_nan=False)], str]
AttributeValue = Union[Scalar, list[Scalar], None]


Attributes = Annotated[dict[str, AttributeValue], BeforeValidator(whole_numbers_fit)]


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


# The default factories are plain functions, not the builtins list and dict: pydantic reads each default
# factory's signature, and reading a builtin's signature starts Python's tokenizer (measured: 2% of
# `ecograph validate`'s start-up, benchmarks/bench_startup.py).


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ---------------------------------------------------------------------------------------------- ranges

_FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


_LOW = "The lowest plausible value (default: base)."
_BASE = "The best estimate: the value every analysis reads."
_HIGH = "The highest plausible value (default: base)."


class Range(_Strict):
    """An uncertain number: a ``base`` (the figure every analysis reads) and the ``low``..``high`` it may take.

    ``low`` and ``high`` default to ``base`` (a range that is not uncertain on that side); ``dist`` is the
    shape values are drawn from by the sensitivity analysis. A file writes it as a mapping in place of the
    number, e.g. ``amount: {low: 30, base: 35, high: 40}``. Frozen: copies of a model share their ranges.

    Examples
    --------
    >>> r = Range(base=35, low=30, high=42)
    >>> (r.low, r.base, r.high, r.dist)
    (30.0, 35.0, 42.0, 'pert')
    >>> Range(base=2).high
    2.0
    """

    model_config = ConfigDict(frozen=True)

    low: _FiniteFloat | None = Field(None, description=_LOW)
    base: _FiniteFloat = Field(description=_BASE)
    high: _FiniteFloat | None = Field(None, description=_HIGH)
    dist: Literal[DISTRIBUTIONS] = Field(
        "pert", description="Distribution drawn from between low and high: pert (default), triangular or uniform.")

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.low is None:
            self.__dict__["low"] = self.base  # frozen: filled in once, here
        if self.high is None:
            self.__dict__["high"] = self.base
        check_range_order(self.low, self.base, self.high)
        return self

    def to_data(self) -> dict[str, Any]:
        """The mapping written to files: low, base, high, and dist when it is not the default (pert).

        >>> Range(low=1, base=2, high=4, dist="uniform").to_data()
        {'low': 1.0, 'base': 2.0, 'high': 4.0, 'dist': 'uniform'}
        """
        out: dict[str, Any] = {"low": self.low, "base": self.base, "high": self.high}
        if self.dist != "pert":
            out["dist"] = self.dist
        return out


class ShareRange(Range):
    """A range of a fraction (share, rate, strength, reach, criticality): low, base and high within 0..1."""

    low: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = Field(None, description=_LOW)
    base: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(description=_BASE)
    high: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = Field(None, description=_HIGH)


class AmountRange(Range):
    """A range of money, a count, a price or a switching cost: low, base and high from 0 to ``MAX_AMOUNT``."""

    low: Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)] | None = Field(None, description=_LOW)
    base: Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)] = Field(description=_BASE)
    high: Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)] | None = Field(None, description=_HIGH)


class SizeRange(Range):
    """A range of a segment size: whole numbers from 0 to ``MAX_SIZE``."""

    low: Annotated[int, Field(ge=0, le=MAX_SIZE)] | None = Field(None, description=_LOW)
    base: Annotated[int, Field(ge=0, le=MAX_SIZE)] = Field(description=_BASE)
    high: Annotated[int, Field(ge=0, le=MAX_SIZE)] | None = Field(None, description=_HIGH)


def _number_or_range(value: Any) -> str:
    return "range" if isinstance(value, (dict, Range)) else "number"


def _as_mapping(value: Any) -> Any:
    # A Range given in Python (e.g. Range(low=1, base=2, high=3)) is checked against the property's bounds.
    return {**value.to_data(), "dist": value.dist} if isinstance(value, Range) else value


def _ranged(number: Any, range_class: type[Range]) -> Any:
    """A property that takes a number, a range mapping or a :class:`Range` (each checked with its own bounds)."""
    return Annotated[Union[Annotated[number, Tag("number")],
                           Annotated[range_class, BeforeValidator(_as_mapping), Tag("range")]],
                     Discriminator(_number_or_range)]


RangedShare = _ranged(Fraction, ShareRange)
RangedAmount = _ranged(NonNegative, AmountRange)
RangedSize = _ranged(NonNegativeInt, SizeRange)


class _Ranged(_Strict):
    """Items with ranged properties: after validation each such property holds its base number and the
    range is kept in :attr:`ranges` (written back in place of the number by ``model_dump``)."""

    _ranges: dict[str, Range] = PrivateAttr(default_factory=_empty_dict)

    @property
    def ranges(self) -> dict[str, Range]:
        """The ranged properties of this item: property name -> :class:`Range` (empty when none)."""
        return self._ranges

    @model_validator(mode="after")
    def _keep_ranges(self) -> "_Ranged":
        # Runs before the subclasses' own checks (pydantic runs a base class's validators first), so
        # those read base numbers.
        found = {}
        fields = self.__dict__
        for name in RANGED_PROPERTIES.get(fields.get("kind") or fields.get("type"), ()):
            value = fields.get(name)
            if isinstance(value, Range):
                found[name] = value
                fields[name] = value.base
        if found:
            self._ranges = found
        return self

    @field_serializer("size", "amount", "count", "price", "share", "switching_cost", "strength", "reach",
                      "criticality", "rate", check_fields=False)
    def _write_range(self, value: Any, info: FieldSerializationInfo) -> Any:
        found = self._ranges.get(info.field_name)
        if found is None or (info.context or {}).get("ranges") is False:
            return value
        return found.to_data()


# ---------------------------------------------------------------------------------------------- nodes


class _NodeBase(_Ranged):
    id: str = Field(pattern=ID_PATTERN, max_length=200, description="Stable slug, unique in the file.")
    name: str = Field(min_length=1, description="Display name; any unicode.")
    description: str | None = None
    tags: list[str] = Field(default_factory=_empty_list)
    attributes: Attributes = Field(
        default_factory=_empty_dict, description="Free-form extra fields (scalars or lists of scalars)."
    )


class CoreNode(_NodeBase):
    """The business core: the main source of revenue the ecosystem grew from."""

    kind: Literal["core"]


class SatelliteNode(_NodeBase):
    """A secondary revenue source around the core (Prime, AWS, ...)."""

    kind: Literal["satellite"]


class ChannelNode(_NodeBase):
    """A way customers reach the ecosystem (website, app, device, integration)."""

    kind: Literal["channel"]
    device: bool = Field(False, description="A dedicated device: a channel that is also a durable purchase.")


class PartnerNode(_NodeBase):
    """A third party the ecosystem depends on or enables."""

    kind: Literal["partner"]
    role: str | None = Field(None, description="What the partner is to the platform, e.g. producer, carrier.")


class SegmentNode(_NodeBase):
    """A homogeneous customer group; also a funnel stage when joined by CONVERTS_TO."""

    kind: Literal["segment"]
    size: Optional[RangedSize] = Field(None, description="Members in the segment (per period); a number or a range.")


Node = Annotated[
    Union[CoreNode, SatelliteNode, ChannelNode, PartnerNode, SegmentNode], Field(discriminator="kind")
]

NODE_CLASSES = {"core": CoreNode, "satellite": SatelliteNode, "channel": ChannelNode,
                "partner": PartnerNode, "segment": SegmentNode}

# ---------------------------------------------------------------------------------------- relationships


class _RelationshipBase(_Ranged):
    id: str | None = Field(None, pattern=ID_PATTERN, max_length=200,
                           description="Optional stable id (needed to --scale one relationship).")
    source: str = Field(alias="from", description="Id of the node the relationship starts from.")
    target: str = Field(alias="to", description="Id of the node the relationship points to.")
    description: str | None = None
    attributes: Attributes = Field(default_factory=_empty_dict)


class Uses(_RelationshipBase):
    """A segment uses an offering or a channel: the binding that can lock it in."""

    type: Literal["USES"]
    switching_cost: Optional[RangedAmount] = Field(
        None, description="Cost for the segment to leave this binding: 0..1 or money, one scale per model.")
    mechanisms: list[Mechanism] = Field(default_factory=_empty_list, description="Lock-in types present.")
    cost_types: list[CostType] = Field(default_factory=_empty_list, description="Switching-cost families.")
    share: Optional[RangedShare] = Field(None, description="Share of the segment that uses it.")


class Pays(_RelationshipBase):
    """Money per period from payer to payee.

    A linked flow gives ``share_of`` (the id of another PAYS) and ``share`` instead of an amount: its
    amount is ``share x`` the amount of that flow, derived when the whole :class:`Ecosystem` is read
    (``amount`` then holds the derived money and :attr:`is_linked` is True; files never store it).
    """

    type: Literal["PAYS"]
    amount: Optional[RangedAmount] = Field(
        None, description="Money per period (derived from count x price, or from share x the share_of flow).")
    stream: Stream | None = None
    count: Optional[RangedAmount] = Field(None, description="Occurrences per period (e3value).")
    price: Optional[RangedAmount] = Field(None, description="Valuation per occurrence (e3value).")
    share_of: str | None = Field(
        None, pattern=ID_PATTERN, max_length=200,
        description="Id of another PAYS this one is a share of (a linked flow: an app store paying 85% of "
                    "subscriptions on); its amount is derived, so amount, count and price are not given.")
    share: Optional[RangedShare] = Field(None, description="The part of the share_of flow paid on, 0..1.")

    @property
    def is_linked(self) -> bool:
        """True when the amount is derived from another PAYS (``share_of`` is set)."""
        return self.share_of is not None

    @model_validator(mode="after")
    def _amount_is_count_times_price(self) -> "Pays":
        given = [k for k in ("amount", "count", "price") if k in self.model_fields_set and getattr(self, k) is not None]
        amount = check_pays(share_of=self.share_of, share=self.share, amount=self.amount, count=self.count,
                            price=self.price, given=given,
                            ranged=self.ranges, highs={k: r.high for k, r in self.ranges.items()})
        if self.amount is None:
            self.amount = amount
        return self


class Feeds(_RelationshipBase):
    """Drives demand, traffic or data into the target (cross-selling)."""

    type: Literal["FEEDS"]
    strength: Optional[RangedShare] = None


class Reaches(_RelationshipBase):
    """A channel reaches a segment."""

    type: Literal["REACHES"]
    reach: Optional[RangedShare] = None


class Supplies(_RelationshipBase):
    """A partner provides goods, capacity or services."""

    type: Literal["SUPPLIES"]


class DependsOn(_RelationshipBase):
    """Operational dependency (Prime Video depends on AWS)."""

    type: Literal["DEPENDS_ON"]
    criticality: Optional[RangedShare] = None


class ConvertsTo(_RelationshipBase):
    """A funnel step between two segment stages."""

    type: Literal["CONVERTS_TO"]
    rate: RangedShare = Field(description="Share of the source stage that converts per period.")


Relationship = Annotated[
    Union[Uses, Pays, Feeds, Reaches, Supplies, DependsOn, ConvertsTo], Field(discriminator="type")
]

RELATIONSHIP_CLASSES = {"USES": Uses, "PAYS": Pays, "FEEDS": Feeds, "REACHES": Reaches,
                        "SUPPLIES": Supplies, "DEPENDS_ON": DependsOn, "CONVERTS_TO": ConvertsTo}

# ------------------------------------------------------------------------------------------ assumptions


@dataclass(frozen=True)
class Assumption:
    """One ranged number of a model: where it is, its low, base and high, and a name a client reads.

    ``owner`` is ``"node"`` or ``"relationship"``; ``key`` the node id, or the relationship's edge key in
    :func:`ecosystem_graph.graph.to_networkx` (its id, else ``TYPE#n``); ``source``/``target`` its node ids
    (None for a node); ``type`` the relationship type or the node kind; ``property`` the field (``amount``).
    """

    owner: Literal["node", "relationship"]
    key: str
    source: str | None
    target: str | None
    type: str
    property: str
    low: float
    base: float
    high: float
    dist: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        """The assumption as plain data (for JSON output)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_VERBS = {"USES": ("uses", "use"), "PAYS": ("pays", "pay"), "FEEDS": ("feeds", "feed"),
          "REACHES": ("reaches", "reach"), "SUPPLIES": ("supplies", "supply"),
          "DEPENDS_ON": ("depends on", "depend on"), "CONVERTS_TO": ("converts to", "convert to")}


def _relationship_label(source: str, target: str, rtype: str, source_is_plural: bool, prop: str) -> str:
    singular, plural = _VERBS.get(rtype, (rtype.lower(), rtype.lower()))
    return f"{source} {plural if source_is_plural else singular} {target}: {prop.replace('_', ' ')}"


def _parent_words(parent, pair_count: int, names: dict[str, str], kinds: dict[str, str]) -> str:
    # A linked flow's parent in words: "what Prime members pay Marketplace sellers"; its id in brackets when
    # another PAYS joins the same two nodes in the same direction (the words alone would not tell them apart).
    return payment_words(names.get(parent.source, parent.source), kinds.get(parent.source),
                         names.get(parent.target, parent.target), parent.id if pair_count > 1 else None)


# ------------------------------------------------------------------------------------------ ecosystem


class Ecosystem(_Strict):
    """A whole model file: metadata, nodes and relationships.

    Structural checks (types, ranges, unknown keys) live here; checks across items (duplicate ids,
    dangling references, allowed kinds, funnel sums) live in :mod:`ecosystem_graph.references`.
    """

    schema_version: Literal[1] = Field(SCHEMA_VERSION, description="Version of this file format.")
    name: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD, EUR.")
    period: str = Field(min_length=1, description="The period money and sizes refer to, e.g. 2023.")
    money_unit: str | None = Field(None, description="Scale of every amount, e.g. 'billion'.")
    description: str | None = None
    nodes: list[Node] = Field(default_factory=_empty_list)
    relationships: list[Relationship] = Field(default_factory=_empty_list)

    @model_validator(mode="before")
    @classmethod
    def _period_as_text(cls, data: Any) -> Any:
        return period_as_text(data)

    @model_validator(mode="after")
    def derive_linked_amounts(self) -> "Ecosystem":
        """Set the ``amount`` of every linked PAYS (``share_of``) from the flow it is a share of.

        Runs as a validator; call it again after ``model_copy``, which runs none.
        """
        # A linked PAYS holds the derived money in `amount` so every reader of one number sees real money.
        linked = [r for r in self.relationships if isinstance(r, Pays) and r.share_of is not None]
        if not linked:
            return self
        flows = {r.id: (r.share_of, r.share, r.amount) for r in self.relationships
                 if isinstance(r, Pays) and r.id is not None}
        amounts = linked_flow_amounts(flows, [(r.id, r.share_of, r.share) for r in linked])
        for r, got in zip(linked, amounts):
            object.__setattr__(r, "amount", got)  # derived: not an input field (stays out of model_fields_set)
        return self

    def to_data(self, *, ranges: bool = True) -> dict[str, Any]:
        """The plain data of this model as written to files (``from``/``to`` keys, no empty optionals).

        A linked PAYS (``share_of``) is written without its derived ``amount``. A ranged property is written
        as its range mapping ``{low, base, high}``, or as its base number with ``ranges=False``.
        """
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json",
                               context=None if ranges else {"ranges": False})
        data["nodes"] = [_tidy(item, _NODE_KEYS_FIRST) for item in data["nodes"]]
        data["relationships"] = [_tidy(item, _REL_KEYS_FIRST) for item in data["relationships"]]
        for item in data["relationships"]:
            if "share_of" in item:
                item.pop("amount", None)
        return data

    def node_index(self) -> dict[str, Any]:
        """Nodes by id."""
        return {n.id: n for n in self.nodes}

    def assumptions(self) -> list[Assumption]:
        """Every ranged number of the model, in model order: nodes first, then relationships, each item's
        properties in the order of :data:`RANGED_PROPERTIES`.

        The derived amount of a linked flow (``share_of``) or of a PAYS with both count and price is not an
        assumption; its ranged ``share``, ``count`` or ``price`` are. Labels are unique: a linked flow's share
        reads "...: share of what PAYER pays PAYEE" (the flow it is a share of, with that flow's id in brackets
        when another PAYS joins the same payer and payee), and relationships that would read alike get their
        key in brackets.

        Examples
        --------
        >>> m = Ecosystem.model_validate({"name": "Tiny", "currency": "EUR", "period": "2024",
        ...     "nodes": [{"id": "shop", "kind": "core", "name": "Shop"},
        ...               {"id": "fans", "kind": "segment", "name": "Fans", "size": {"low": 80, "base": 100}}],
        ...     "relationships": [{"from": "fans", "to": "shop", "type": "PAYS",
        ...                        "amount": {"low": 8, "base": 10, "high": 15, "dist": "triangular"}}]})
        >>> [(a.key, a.property, a.low, a.base, a.high, a.dist) for a in m.assumptions()]
        [('fans', 'size', 80, 100, 100, 'pert'), ('PAYS#0', 'amount', 8.0, 10.0, 15.0, 'triangular')]
        >>> m.assumptions()[1].label
        'Fans pay Shop: amount'
        """
        out: list[Assumption] = []
        names: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for node in self.nodes:
            names[node.id] = node.name
            kinds[node.id] = node.kind
            for prop in RANGED_PROPERTIES.get(node.kind, ()):
                r = node.ranges.get(prop)
                if r is not None:
                    out.append(Assumption("node", node.id, None, None, node.kind, prop, r.low, r.base, r.high,
                                          r.dist, f"{node.name}: {prop.replace('_', ' ')}"))
        flows: dict[str, Pays] = {}
        pairs: dict[tuple, int] = {}  # (payer, payee) -> PAYS between them
        for rel in self.relationships:
            if isinstance(rel, Pays):
                if rel.id:
                    flows.setdefault(rel.id, rel)
                pairs[(rel.source, rel.target)] = pairs.get((rel.source, rel.target), 0) + 1
        ordinals: dict[tuple, int] = {}
        for rel in self.relationships:
            n = 0
            if not rel.id:  # as graph.to_networkx counts them for TYPE#n keys
                n = ordinals.get((rel.source, rel.target, rel.type), 0)
                ordinals[(rel.source, rel.target, rel.type)] = n + 1
            if not rel.ranges:
                continue
            key = rel.id if rel.id else f"{rel.type}#{n}"
            for prop in RANGED_PROPERTIES.get(rel.type, ()):
                r = rel.ranges.get(prop)
                if r is not None:
                    source = names.get(rel.source, rel.source)
                    label = _relationship_label(source, names.get(rel.target, rel.target), rel.type,
                                                reads_as_plural(source, kinds.get(rel.source)), prop)
                    if prop == "share" and isinstance(rel, Pays) and rel.share_of is not None:
                        parent = flows.get(rel.share_of)
                        label += " of " + (rel.share_of if parent is None else _parent_words(
                            parent, pairs[(parent.source, parent.target)], names, kinds))
                    out.append(Assumption("relationship", key, rel.source, rel.target, rel.type, prop, r.low,
                                          r.base, r.high, r.dist, label))
        seen: dict[str, int] = {}
        for a in out:
            seen[a.label] = seen.get(a.label, 0) + 1
        # two relationships of one type between the same nodes: their key tells them apart
        return [a if seen[a.label] == 1 or a.owner == "node" else replace(a, label=f"{a.label} ({a.key})") for a in out]


_NODE_KEYS_FIRST = ("id", "kind", "name")
_REL_KEYS_FIRST = ("id", "from", "to", "type")
_OPTIONAL_COLLECTIONS = frozenset({"tags", "attributes", "mechanisms", "cost_types"})


def _tidy(item: dict[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    # Key fields first so files read well; empty lists/maps left out (loading restores the same
    # defaults, so this is lossless).
    out = {k: item[k] for k in first if k in item}
    for k, v in item.items():
        if k not in out and not (k in _OPTIONAL_COLLECTIONS and not v):
            out[k] = v
    return out


NODE_ADAPTER: TypeAdapter = TypeAdapter(Node)
RELATIONSHIP_ADAPTER: TypeAdapter = TypeAdapter(Relationship)


def json_schema() -> dict[str, Any]:
    """JSON Schema of the model file format (for editors and the YAML language server)."""
    schema = Ecosystem.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ecosystem-graph model file"
    schema["description"] = (
        f"An ecosystem model, schema_version {SCHEMA_VERSION}: metadata, nodes and relationships."
    )
    return schema
