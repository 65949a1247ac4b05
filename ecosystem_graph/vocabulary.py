"""The model's vocabulary in plain Python: node kinds, relationship types, ranged properties and limits.

Also the kinds' roles, the kinds each relationship type joins, lock-in mechanisms and payment streams.
Defined once here, without pydantic, so that a quick check of a file needs no model classes;
:mod:`ecosystem_graph.model` builds its pydantic models from it and exports every name again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    "reads_as_plural",
    "payment_words",
    "describe_big_int",
    "RANGED_PROPERTIES",
    "DISTRIBUTIONS",
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


def reads_as_plural(name: str, kind: str | None) -> bool:
    """True when a verb after ``name`` takes the plural: a segment is a group of people ("Prime members pay
    Prime"); another node is one actor ("AWS feeds Retail") unless its name reads as plural, its last word
    ending in a lower-case s other than ss, us or is.

    >>> [reads_as_plural(n, k) for n, k in [("Fans", SEGMENT), ("Restaurants", PARTNER), ("AWS", SATELLITE),
    ...                                      ("Amazon Business", PARTNER), ("Online stores", CORE)]]
    [True, True, False, False, True]
    """
    if kind == SEGMENT:
        return True
    words = name.split()
    return bool(words) and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is"))


def payment_words(payer: str, payer_kind: str | None, payee: str, flow_id: str | None = None) -> str:
    """A payment named in words, as a linked flow's label and tooltip name the flow it is a share of; its id in
    brackets when given (when another payment joins the same payer and payee, the words alone would not tell
    them apart).

    >>> payment_words("Prime members", SEGMENT, "Marketplace sellers")
    'what Prime members pay Marketplace sellers'
    >>> payment_words("AWS", SATELLITE, "Retail", "fees")
    'what AWS pays Retail (fees)'
    """
    verb = "pay" if reads_as_plural(payer, payer_kind) else "pays"
    return f"what {payer} {verb} {payee}" + (f" ({flow_id})" if flow_id is not None else "")


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
