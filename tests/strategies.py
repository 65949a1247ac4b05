"""Hypothesis strategies for random *valid* ecosystem data (shared by the round-trip property tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from ecosystem_graph.model import ALLOWED_ENDPOINTS, LOCKIN_MECHANISMS, NODE_KINDS, PAYMENT_STREAMS

__all__ = ["ecosystem_data", "linked_ecosystem_data"]

# Unicode text without surrogates or control characters (YAML cannot carry all of those as plain text
# in every position, and nobody names a node with them); includes umlauts, CJK, emoji, quotes.
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\ufeff"),
    min_size=1, max_size=30,
).filter(lambda s: s.strip() == s and s != "")
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
money = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
scalars = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False,
                                                                       width=64), names)
attributes = st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
                             st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=3)


def _maybe_range(draw, value, upper, ranges: bool, whole: bool = False):
    """``value``, or (when ``ranges``, half the time) a range around it within 0..``upper``."""
    if not ranges or not draw(st.booleans()):
        return value
    if whole:
        low, high = draw(st.integers(0, value)), draw(st.integers(value, upper))
    else:
        low = draw(st.floats(0, value, allow_nan=False))
        high = draw(st.floats(value, upper, allow_nan=False))
    out = {"low": low, "base": value, "high": high}
    if draw(st.booleans()):
        out["dist"] = draw(st.sampled_from(["triangular", "pert", "uniform"]))
    return out


def _node(kind: str, i: int, draw, ranges: bool = False) -> dict:
    node = {"id": f"{kind}-{i}", "kind": kind, "name": draw(names)}
    if draw(st.booleans()):
        node["description"] = draw(names)
    if draw(st.booleans()):
        node["tags"] = draw(st.lists(names, max_size=3))
    if draw(st.booleans()):
        node["attributes"] = draw(attributes)
    if kind == "segment" and draw(st.booleans()):
        node["size"] = _maybe_range(draw, draw(st.integers(0, 10**9)), 10**10, ranges, whole=True)
    if kind == "channel" and draw(st.booleans()):
        node["device"] = draw(st.booleans())
    if kind == "partner" and draw(st.booleans()):
        node["role"] = draw(names)
    return node


def _properties(rtype: str, draw, ranges: bool = False) -> dict:
    props: dict = {}
    if rtype == "PAYS":
        if draw(st.booleans()):  # ranges go on count and price; the amount is their product
            props["count"] = _maybe_range(draw, draw(st.integers(0, 10**6)), 10**7, ranges, whole=True)
            props["price"] = _maybe_range(draw, draw(st.floats(0, 1e4, allow_nan=False)), 1e5, ranges)
        else:
            props["amount"] = _maybe_range(draw, draw(money), 1e13, ranges)
        if draw(st.booleans()):
            props["stream"] = draw(st.sampled_from(PAYMENT_STREAMS))
    elif rtype == "USES":
        if draw(st.booleans()):
            props["switching_cost"] = _maybe_range(draw, draw(fractions), 1, ranges)
        props["mechanisms"] = draw(st.lists(st.sampled_from(LOCKIN_MECHANISMS), unique=True, max_size=3))
        if draw(st.booleans()):
            props["share"] = _maybe_range(draw, draw(fractions), 1, ranges)
    elif rtype == "FEEDS" and draw(st.booleans()):
        props["strength"] = _maybe_range(draw, draw(fractions), 1, ranges)
    elif rtype == "REACHES" and draw(st.booleans()):
        props["reach"] = _maybe_range(draw, draw(fractions), 1, ranges)
    elif rtype == "DEPENDS_ON" and draw(st.booleans()):
        props["criticality"] = _maybe_range(draw, draw(fractions), 1, ranges)
    if draw(st.booleans()):
        props["description"] = draw(names)
    return props


@st.composite
def ecosystem_data(draw, max_nodes: int = 12, max_relationships: int = 25, ranges: bool = False) -> dict:
    """Plain data of a valid ecosystem: every kind present, relationships only where allowed,
    conversion rates leaving a stage summing to at most 1 (at their highs). With ``ranges``, about half
    the numbers are ranges ``{low, base, high[, dist]}``."""
    counts = {k: draw(st.integers(1, max(1, max_nodes // 5))) for k in NODE_KINDS}
    nodes = [_node(k, i, draw, ranges) for k in NODE_KINDS for i in range(counts[k])]
    by_kind = {k: [n["id"] for n in nodes if n["kind"] == k] for k in NODE_KINDS}
    rels: list[dict] = []
    rate_left: dict[str, float] = {}
    for _ in range(draw(st.integers(0, max_relationships))):
        rtype = draw(st.sampled_from(sorted(ALLOWED_ENDPOINTS)))
        allowed_from, allowed_to = ALLOWED_ENDPOINTS[rtype]
        src = draw(st.sampled_from([i for k in sorted(allowed_from) for i in by_kind[k]]))
        targets = [i for k in sorted(allowed_to) for i in by_kind[k] if i != src]
        if not targets:
            continue
        dst = draw(st.sampled_from(targets))
        rel = {"from": src, "to": dst, "type": rtype, **_properties(rtype, draw, ranges)}
        if rtype == "CONVERTS_TO":
            left = rate_left.get(src, 1.0)
            rate = draw(st.floats(0, left, allow_nan=False))
            rel["rate"] = _maybe_range(draw, rate, left, ranges)
            rate_left[src] = left - (rel["rate"]["high"] if isinstance(rel["rate"], dict) else rate)
        rels.append(rel)
    data = {"schema_version": 1, "name": draw(names), "currency": draw(st.sampled_from(["EUR", "USD", "CHF"])),
            "period": draw(st.sampled_from(["2023", "2024-Q1", "FY2025"])), "nodes": nodes,
            "relationships": rels}
    if draw(st.booleans()):
        data["description"] = draw(names)
    return data


@st.composite
def linked_ecosystem_data(draw, max_nodes: int = 10, max_relationships: int = 12, max_linked: int = 8) -> dict:
    """:func:`ecosystem_data` plus PAYS with ids (``pay-N``) and linked flows (``link-N``) whose
    ``share_of`` names an earlier one, so chains (A -> B -> C) form and no cycle does; the
    relationships are then shuffled, so a share_of may name a flow further down the file."""
    data = draw(ecosystem_data(max_nodes=max_nodes, max_relationships=max_relationships))
    ids = [n["id"] for n in data["nodes"]]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    flows: list[dict] = []
    for i in range(draw(st.integers(1, 3))):
        src, dst = draw(pairs)
        flows.append({"id": f"pay-{i}", "from": src, "to": dst, "type": "PAYS", **_properties("PAYS", draw)})
    for i in range(draw(st.integers(1, max_linked))):
        src, dst = draw(pairs)
        flow = {"id": f"link-{i}", "from": src, "to": dst, "type": "PAYS",
                "share_of": draw(st.sampled_from([f["id"] for f in flows])), "share": draw(fractions)}
        if draw(st.booleans()):
            flow["stream"] = draw(st.sampled_from(PAYMENT_STREAMS))
        if draw(st.booleans()):
            del flow["id"]  # the last of a chain needs no id (nothing names it)
        else:
            flows.append(flow)
            continue
        data["relationships"].append(flow)
    data["relationships"] = draw(st.permutations(data["relationships"] + flows))
    return data
