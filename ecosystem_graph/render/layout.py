"""The ``ecosystem`` layout: cores in the centre, then rings of satellites, channels/partners and segments."""

from __future__ import annotations

import math
from typing import Iterable, Mapping

from ..model import CHANNEL, CORE, PARTNER, SATELLITE, SEGMENT

__all__ = ["RING_OF_KIND", "ecosystem_layout"]

RING_OF_KIND = {CORE: 0, SATELLITE: 1, CHANNEL: 2, PARTNER: 2, SEGMENT: 3}
"""Ring of each node kind, from the centre outwards (channels and partners share the third ring)."""

_FIRST_RADIUS = 230.0
_RING_GAP = 210.0
_LAYER_GAP = 46.0


def ecosystem_layout(
    kinds: Mapping[str, str],
    edges: Iterable[tuple[str, str]],
    *,
    spacing: float = 70.0,
) -> dict[str, tuple[float, float]]:
    """Positions for the ``ecosystem`` layout, in time linear in nodes + edges.

    Cores sit in the centre (on a small ring when there are several), satellites on the first ring,
    channels and partners on the second, segments on the outer ring. On every ring a node is put near
    the angle of its neighbours on the inner rings (circular mean, ordered by a bucket sort), so
    bindings stay short and rarely cross. A ring too full for ``spacing`` pixels between neighbours
    becomes a band of several concentric layers, with consecutive nodes alternating between layers.

    Parameters
    ----------
    kinds : mapping
        Node id -> kind (``core``, ``satellite``, ``channel``, ``partner``, ``segment``), in the order
        nodes should be placed when nothing else decides (e.g. the model's order).
    edges : iterable of (u, v)
        The relationships, in either direction (direction does not matter for the layout).
    spacing : float
        Minimum distance in pixels between consecutive nodes on a ring.

    Returns
    -------
    dict
        Node id -> (x, y) in pixels, centred on the origin.

    Examples
    --------
    >>> pos = ecosystem_layout({"shop": "core", "prime": "satellite", "fans": "segment"},
    ...                        [("fans", "prime"), ("prime", "shop")])
    >>> pos["shop"]
    (0.0, 0.0)
    >>> round(math.hypot(*pos["prime"])) < round(math.hypot(*pos["fans"]))
    True
    """
    rings: list[list[str]] = [[] for _ in range(4)]
    for node, kind in kinds.items():
        rings[RING_OF_KIND.get(kind, 3)].append(node)
    neighbours: dict[str, list[str]] = {n: [] for n in kinds}
    for u, v in edges:
        if u in neighbours and v in neighbours and u != v:
            neighbours[u].append(v)
            neighbours[v].append(u)

    pos: dict[str, tuple[float, float]] = {}
    angle: dict[str, float] = {}  # only for nodes away from the centre
    outer = 0.0
    for ring_no, members in enumerate(rings):
        if not members:
            continue
        if ring_no == 0:
            outer = _place_cores(members, pos, angle, spacing)
            continue
        ordered, preferred = _order_by_neighbour_angle(members, neighbours, angle)
        base = max(outer + _RING_GAP, _FIRST_RADIUS if ring_no == 1 else 0.0)
        outer = _place_band(ordered, base, spacing, pos, angle, _best_rotation(ordered, preferred, ring_no))
    return pos


def _place_cores(members: list[str], pos: dict, angle: dict, spacing: float) -> float:
    if len(members) == 1:
        pos[members[0]] = (0.0, 0.0)
        return 0.0
    radius = max(90.0, len(members) * spacing / (2 * math.pi))
    return _place_band(members, radius, spacing, pos, angle)


def _order_by_neighbour_angle(members: list[str], neighbours: dict, angle: dict) -> tuple[list[str], dict]:
    """Members ordered by the circular mean angle of their already placed neighbours (bucket sort),
    and that angle for each member that has one."""
    k = len(members)
    buckets: list[list[str]] = [[] for _ in range(k)]
    wanted: dict[str, float] = {}
    for i, node in enumerate(members):
        sx = sy = 0.0
        for other in neighbours[node]:
            a = angle.get(other)
            if a is not None:
                sx += math.cos(a)
                sy += math.sin(a)
        if sx * sx + sy * sy > 1e-12:
            preferred = math.atan2(sy, sx) % (2 * math.pi)
            wanted[node] = preferred
        else:  # nothing placed around it (or only the centre): keep its place in the input order
            preferred = 2 * math.pi * i / k
        buckets[min(k - 1, int(preferred / (2 * math.pi) * k))].append(node)
    return [node for bucket in buckets for node in bucket], wanted


def _slot_angle(i: int, k: int) -> float:
    return 2 * math.pi * i / k - math.pi / 2  # slot 0 at 12 o'clock


def _best_rotation(ordered: list[str], wanted: dict, ring_no: int) -> float:
    """The rotation of the ring that brings nodes closest (circular mean) to their wanted angles; rings
    with no wish are turned a little each, so that single nodes do not line up on one axis."""
    sx = sy = 0.0
    k = len(ordered)
    for i, node in enumerate(ordered):
        w = wanted.get(node)
        if w is not None:
            d = w - _slot_angle(i, k)
            sx += math.cos(d)
            sy += math.sin(d)
    if sx * sx + sy * sy > 1e-12:
        return math.atan2(sy, sx)
    return ring_no * 2.4  # about the golden angle


def _place_band(ordered: list[str], base: float, spacing: float, pos: dict, angle: dict,
                rotation: float = 0.0) -> float:
    """Put ``ordered`` evenly around a ring of radius ``base`` (a band of layers if crowded); return
    the outer radius used."""
    k = len(ordered)
    layers = max(1, math.ceil(k * spacing / (2 * math.pi * base))) if k > 1 else 1
    # Consecutive nodes alternate between layers, so on each layer neighbours are `layers` slots apart;
    # the slots are padded to a multiple of `layers` so that this holds across 12 o'clock too.
    slots = -(-k // layers) * layers
    for i, node in enumerate(ordered):
        a = _slot_angle(i, slots) + rotation
        r = base + (i % layers) * _LAYER_GAP
        pos[node] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
        angle[node] = a % (2 * math.pi)
    return base + (layers - 1) * _LAYER_GAP
