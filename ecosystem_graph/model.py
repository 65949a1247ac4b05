"""The ecosystem model: node kinds, relationship types and their properties, as pydantic v2 models.

The vocabulary (kinds, types, which kinds a type may join, lock-in mechanisms, payment streams) is defined
once here as closed sets; every other module (validation, Neo4j labels, rendering) takes it from here.
"""

from __future__ import annotations

import math
import re
import unicodedata
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
from pydantic_core import PydanticCustomError

__all__ = [
    "SCHEMA_VERSION",
    "NODE_KINDS",
    "CORE",
    "SATELLITE",
    "CHANNEL",
    "PARTNER",
    "SEGMENT",
    "KindRole",
    "KIND_ROLES",
    "OFFERING_KINDS",
    "OUTER_OFFERING_KINDS",
    "EXTERNAL_KINDS",
    "KEYSTONE_KINDS",
    "RELATIONSHIP_TYPES",
    "ALLOWED_ENDPOINTS",
    "LOCKIN_MECHANISMS",
    "SWITCHING_COST_TYPES",
    "PAYMENT_STREAMS",
    "NEO4J_LABELS",
    "ID_PATTERN",
    "MAX_SLUG_LENGTH",
    "MAX_SIZE",
    "MAX_AMOUNT",
    "MAX_ATTRIBUTE_DIGITS",
    "slugify",
    "describe_big_int",
    "RANGED_PROPERTIES",
    "DISTRIBUTIONS",
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
    "LINKED_FLOW_ERROR",
    "linked_amounts",
    "linked_amount",
]

SCHEMA_VERSION = 1

CORE = "core"
"""The business at the centre: binding paths end at a core, and what a core is paid is core revenue."""
SATELLITE = "satellite"
"""A product or service around the core that feeds it."""
CHANNEL = "channel"
"""A channel (or a device) through which the ecosystem reaches its segments."""
PARTNER = "partner"
"""A third party that supplies or feeds the ecosystem."""
SEGMENT = "segment"
"""A customer segment: it uses the offerings, pays, converts (the funnel's stages) and is locked in."""

NODE_KINDS = (CORE, SATELLITE, CHANNEL, PARTNER, SEGMENT)
"""Node kinds as written in model files (lower case); ``NEO4J_LABELS`` gives the graph-database label."""


@dataclass(frozen=True)
class KindRole:
    """The roles of one node kind in the analyses, the report and the page (a row of :data:`KIND_ROLES`).

    >>> sorted(OFFERING_KINDS), sorted(EXTERNAL_KINDS), KEYSTONE_KINDS
    (['channel', 'core', 'satellite'], ['partner', 'segment'], ('satellite', 'channel', 'partner'))
    """

    offering: bool
    """The orchestrator's own offering: money paid into it is ecosystem revenue, money it pays out to an
    external actor is a payout, and the page groups collapsed segments under the offering they use most."""
    external: bool
    """An actor outside the orchestrator (customers, third parties): its payments to offerings are the
    ecosystem's revenue, binding paths start from it, and the page collapses these kinds into groups."""
    named_keystone: bool
    """Named as a keystone in the report's summary (losing the core or a paying segment costs its own
    revenue by definition, so those two kinds are left out of the sentence)."""


KIND_ROLES: dict[str, KindRole] = {
    CORE: KindRole(offering=True, external=False, named_keystone=False),
    SATELLITE: KindRole(offering=True, external=False, named_keystone=True),
    CHANNEL: KindRole(offering=True, external=False, named_keystone=True),
    PARTNER: KindRole(offering=False, external=True, named_keystone=True),
    SEGMENT: KindRole(offering=False, external=True, named_keystone=False),
}
"""Every node kind's roles: the one table the other modules read (directly or through the sets below)."""

OFFERING_KINDS = frozenset(k for k, role in KIND_ROLES.items() if role.offering)
"""The orchestrator's own offerings (core, satellites, channels): money paid into them is ecosystem revenue."""

OUTER_OFFERING_KINDS = OFFERING_KINDS - {CORE}
"""The offerings around the core (satellites, channels): the steps between a segment and the core on a
binding path, and the offerings whose revenue may depend on the core."""

EXTERNAL_KINDS = frozenset(k for k, role in KIND_ROLES.items() if role.external)
"""Actors outside the orchestrator (segments, partners): customers and third parties."""

KEYSTONE_KINDS = tuple(k for k in NODE_KINDS if KIND_ROLES[k].named_keystone)
"""The kinds the report's summary names as keystones, in vocabulary order."""

NEO4J_LABELS = {kind: kind.capitalize() for kind in NODE_KINDS}

RELATIONSHIP_TYPES = ("USES", "PAYS", "FEEDS", "REACHES", "SUPPLIES", "DEPENDS_ON", "CONVERTS_TO")

ALLOWED_ENDPOINTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "USES": (frozenset({"segment"}), frozenset({"core", "satellite", "channel"})),
    "PAYS": (frozenset(NODE_KINDS), frozenset(NODE_KINDS)),
    "FEEDS": (frozenset({"satellite", "channel", "partner"}), frozenset({"core", "satellite"})),
    "REACHES": (frozenset({"channel"}), frozenset({"segment"})),
    "SUPPLIES": (frozenset({"partner"}), frozenset({"core", "satellite"})),
    "DEPENDS_ON": (frozenset(NODE_KINDS), frozenset(NODE_KINDS)),
    "CONVERTS_TO": (frozenset({"segment"}), frozenset({"segment"})),
}
"""For each relationship type: the kinds it may start from and the kinds it may point to."""

LOCKIN_MECHANISMS = (
    "contractual_commitment",
    "durable_purchase",
    "brand_specific_training",
    "information_and_databases",
    "specialized_suppliers",
    "search_costs",
    "loyalty_program",
)
"""The seven lock-in types of Shapiro & Varian, *Information Rules* (1999)."""

SWITCHING_COST_TYPES = ("procedural", "financial", "relational")
"""Burnham, Frels & Mahajan (2003): the three families of switching costs."""

PAYMENT_STREAMS = ("purchase", "subscription", "commission", "fee", "advertising", "usage")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

MAX_SLUG_LENGTH = 80
"""Slugs are cut to this many characters (before a ``-2`` suffix is added); ids may hold 200."""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(label: object, fallback: str = "node") -> str:
    """A lower-case ASCII slug of ``label``: letters and digits joined by ``-``.

    Accents are folded (``Café`` -> ``cafe``); a label with no ASCII letter or digit at all (``東京``)
    gives ``fallback``. The result always matches :data:`ecosystem_graph.model.ID_PATTERN`.

    Examples
    --------
    >>> slugify("Prime Video (US)")
    'prime-video-us'
    >>> slugify("Café Crème")
    'cafe-creme'
    >>> slugify("東京", fallback="segment")
    'segment'
    """
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", text.lower()).strip("-")
    slug = slug[:MAX_SLUG_LENGTH].rstrip("-")
    if not slug:
        slug = _NON_ALNUM.sub("-", fallback.lower()).strip("-") or "node"
    return slug

MAX_SIZE = 10**15
"""The largest segment size (a million times the world's population; exact as a float, fits every store)."""

MAX_AMOUNT = 1e18
"""The largest amount, count, price or switching cost: sums of millions of them stay far from overflow."""

MAX_ATTRIBUTE_DIGITS = 100
"""Whole-number attributes have at most this many digits (stores keep attributes as JSON text, so 64 bits
is no limit there; an integer over Python's int-string limit could not even be written back)."""

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_SIZE)]
Mechanism = Literal[
    "contractual_commitment",
    "durable_purchase",
    "brand_specific_training",
    "information_and_databases",
    "specialized_suppliers",
    "search_costs",
    "loyalty_program",
]
Stream = Literal["purchase", "subscription", "commission", "fee", "advertising", "usage"]
CostType = Literal["procedural", "financial", "relational"]
# Free-form extra data (from imports, or a consultant's own columns): scalars and lists of scalars only,
# so that every target (YAML, JSON, GraphML, Neo4j properties) can hold it.
Scalar = Union[bool, int, Annotated[float, Field(allow_inf_nan=False)], str]
AttributeValue = Union[Scalar, list[Scalar], None]


_ATTRIBUTE_INT_BOUND = 10**MAX_ATTRIBUTE_DIGITS


def _whole_numbers_fit(attributes: Any) -> Any:
    # Checked before the union: an over-long int would otherwise become a float, or fail every branch.
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool) and abs(item) >= _ATTRIBUTE_INT_BOUND:
                    raise ValueError(f"attribute '{key}' is {describe_big_int(item)}; whole numbers may have at "
                                     f"most {MAX_ATTRIBUTE_DIGITS} digits")
    return attributes


Attributes = Annotated[dict[str, AttributeValue], BeforeValidator(_whole_numbers_fit)]


def describe_big_int(value: int) -> str:
    """An integer as text, or "a number of N digits" when it is too long to show (or to convert).

    >>> describe_big_int(12), describe_big_int(10**400)
    ('12', 'a number of 401 digits')
    """
    if abs(value) < 10**20:
        return str(value)
    try:
        return f"a number of {len(str(abs(value))):,} digits"
    except ValueError:  # over Python's int-string limit (4,300 digits)
        return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"


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

DISTRIBUTIONS = ("triangular", "pert", "uniform")
"""Shapes a range may be drawn from: ``pert`` (the default: a smoothed triangle, the usual choice for
expert estimates), ``triangular`` and ``uniform``."""

RANGED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "segment": ("size",),
    "PAYS": ("amount", "count", "price", "share"),
    "USES": ("switching_cost", "share"),
    "FEEDS": ("strength",),
    "REACHES": ("reach",),
    "DEPENDS_ON": ("criticality",),
    "CONVERTS_TO": ("rate",),
}
"""The numeric properties that may be given as a range ``{low, base, high}``, by node kind or relationship type."""

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
    dist: Literal["triangular", "pert", "uniform"] = Field(
        "pert", description="Distribution drawn from between low and high: pert (default), triangular or uniform.")

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.low is None:
            self.__dict__["low"] = self.base  # frozen: filled in once, here
        if self.high is None:
            self.__dict__["high"] = self.base
        if self.low > self.base:
            raise ValueError(f"low {_num(self.low)} is above base {_num(self.base)}; a range needs "
                             f"low <= base <= high")
        if self.base > self.high:
            raise ValueError(f"high {_num(self.high)} is below base {_num(self.base)}; a range needs "
                             f"low <= base <= high")
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
        if self.share_of is not None:
            given = [k for k in ("amount", "count", "price") if k in self.model_fields_set
                     and getattr(self, k) is not None]
            if given:
                raise PydanticCustomError(
                    LINKED_FLOW_ERROR, "{what}: {why}",
                    {"field": "share_of", "what": f"share_of '{self.share_of}' together with {' and '.join(given)}",
                     "why": f"a linked flow's amount is derived from the flow it is a share of; remove "
                            f"{' and '.join(given)}, or remove share_of and share"})
            if self.share is None:
                raise PydanticCustomError(
                    LINKED_FLOW_ERROR, "{what}: {why}",
                    {"field": "share_of", "what": f"share_of '{self.share_of}' without share",
                     "why": "give the part of that flow paid on, e.g. share: 0.85"})
            return self
        if self.share is not None:
            raise PydanticCustomError(
                LINKED_FLOW_ERROR, "{what}: {why}",
                {"field": "share", "what": "share without share_of",
                 "why": "give the id of the PAYS this flow is a share of, e.g. share_of: subscriptions"})
        if self.count is not None and self.price is not None:
            if "amount" in self.ranges:
                raise ValueError("a range on amount together with count and price: the amount is count x price, "
                                 "so give the ranges on count and price")
            product = self.count * self.price
            if product > MAX_AMOUNT:
                raise ValueError(f"count x price = {_num(self.count)} x {_num(self.price)} = {_num(product)} is "
                                 f"over {MAX_AMOUNT:g}")
            count_high, price_high = (self.ranges[k].high if k in self.ranges else getattr(self, k)
                                      for k in ("count", "price"))
            if count_high * price_high > MAX_AMOUNT:
                raise ValueError(f"count x price at their highs = {_num(count_high)} x {_num(price_high)} = "
                                 f"{_num(count_high * price_high)} is over {MAX_AMOUNT:g}")
            if self.amount is None:
                self.amount = product
            elif not math.isclose(self.amount, product, rel_tol=1e-9, abs_tol=1e-9):
                raise ValueError(
                    f"amount {_num(self.amount)} is not count x price = {_num(self.count)} x "
                    f"{_num(self.price)} = {_num(product)}"
                )
        if self.amount is None:
            raise ValueError("PAYS needs an amount, a count and a price, or a share_of and a share")
        return self


def linked_amount(parent: str, share: float, flows: dict, derived: dict[str, float]) -> float | None:
    """``share x`` the amount of flow ``parent``: the amount of a linked flow without an id of its own.

    ``flows`` and ``derived`` are the argument and the result of :func:`linked_amounts`; None when
    ``parent`` is unknown or its chain gives no amount.

    >>> linked_amount("subs", 0.5, {"subs": (None, None, 100.0)}, {})
    50.0
    """
    if parent in derived:
        return share * derived[parent]
    entry = flows.get(parent)
    if entry is None or entry[0] is not None or entry[2] is None:
        return None
    return share * entry[2]


LINKED_FLOW_ERROR = "linked_flow"
"""Error type of the checks on ``share_of``/``share`` (validation places them at the field named in ``field``)."""


def linked_amounts(flows: dict[str, tuple[str | None, float | None, float | None]]) -> dict[str, float]:
    """Derived amounts of linked flows: ``flows`` maps a key to ``(share_of, share, amount)``.

    Returns ``{key: amount}`` for every linked flow (``share_of`` set) whose chain ends at a flow with
    an amount; a chain through an unknown key or a cycle gives no amount for its flows.

    Examples
    --------
    >>> linked_amounts({"subs": (None, None, 100.0), "payout": ("subs", 0.85, None),
    ...                 "partner": ("payout", 0.1, None)})
    {'payout': 85.0, 'partner': 8.5}
    """
    out: dict[str, float] = {}
    for key, (parent, _share, _amount) in flows.items():
        if parent is None or key in out:
            continue
        chain = [key]
        seen = {key}
        base: float | None = None
        cur = parent
        while True:
            if cur in out:
                base = out[cur]
                break
            entry = flows.get(cur)
            if entry is None or cur in seen:
                break  # unknown flow or a cycle: nothing to derive
            if entry[0] is None:
                base = entry[2]
                break
            chain.append(cur)
            seen.add(cur)
            cur = entry[0]
        if base is None:
            continue
        for k in reversed(chain):
            base = base * flows[k][1]
            out[k] = base
    return out


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


def _relationship_label(source: str, target: str, rtype: str, source_is_segment: bool, prop: str) -> str:
    # A segment is a group of people ("Prime members pay Prime"); other nodes are one actor ("AWS feeds Retail").
    singular, plural = _VERBS.get(rtype, (rtype.lower(), rtype.lower()))
    return f"{source} {plural if source_is_segment else singular} {target}: {prop.replace('_', ' ')}"


def _parent_words(parent, pair_count: int, names: dict[str, str], kinds: dict[str, str]) -> str:
    # A linked flow's parent in words: "what Prime members pay Marketplace sellers"; its id in brackets when
    # another PAYS joins the same two nodes in the same direction (the words alone would not tell them apart).
    payer, payee = names.get(parent.source, parent.source), names.get(parent.target, parent.target)
    verb = _VERBS["PAYS"][kinds.get(parent.source) == SEGMENT]
    return f"what {payer} {verb} {payee}" + (f" ({parent.id})" if pair_count > 1 else "")


# ------------------------------------------------------------------------------------------ ecosystem


class Ecosystem(_Strict):
    """A whole model file: metadata, nodes and relationships.

    Structural checks (types, ranges, unknown keys) live here; checks across items (duplicate ids,
    dangling references, allowed kinds, funnel sums) live in :mod:`ecosystem_graph.validation`.
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
        # `period: 2023` in YAML is an int; the period is a label, so keep its text.
        period = data.get("period") if isinstance(data, dict) else None
        if isinstance(period, int) and not isinstance(period, bool) and abs(period) < 10**18:
            data = dict(data)
            data["period"] = str(data["period"])
        return data

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
        derived = linked_amounts(flows)
        for r in linked:
            got = derived.get(r.id) if r.id is not None else linked_amount(r.share_of, r.share, flows, derived)
            if got is None:
                raise PydanticCustomError(
                    LINKED_FLOW_ERROR, "{what}: {why}",
                    {"field": "", "what": f"share_of '{r.share_of}'",
                     "why": "does not lead to a PAYS with an amount (unknown id, not a PAYS, or a cycle)"})
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
                    label = _relationship_label(names.get(rel.source, rel.source), names.get(rel.target, rel.target),
                                                rel.type, kinds.get(rel.source) == "segment", prop)
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


def _num(x: float) -> str:
    return f"{x:g}"


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
