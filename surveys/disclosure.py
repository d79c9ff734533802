"""Disclosure control: which figures about members may be shown, to anyone, in any scope.

Every screen, chart and export that shows figures derived from members goes through here.
The rule (docs/privacy.md): the units of the union are partitioned into *blocks*, the same
for every viewer, each holding either nobody or at least the threshold of people; a figure
only ever sums whole blocks. A viewer sees the blocks wholly inside their scope and nothing
of the others, so any difference of two figures anyone can see (parent minus children, one
officer's scope minus another's, a total minus its lines) is again whole blocks: never
fewer than the threshold of people.

Blocks are built bottom-up on the unit tree: a unit with too few people joins its parent;
what is still too small at the top joins the smallest block that is big enough.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

THRESHOLD_DEFAULT = 5
THRESHOLD_MIN = 3

K = TypeVar("K", bound=Hashable)


def clamp_threshold(threshold: int) -> int:
    """The configured threshold, never below the floor of 3."""
    return max(THRESHOLD_MIN, threshold)


def _depth(key: K, parents: Mapping[K, K | None]) -> int:
    depth, seen, current = 0, {key}, parents.get(key)
    while current is not None and current not in seen:
        seen.add(current)
        depth += 1
        current = parents.get(current)
    return depth


def blocks(
    counts: Mapping[K, int], parents: Mapping[K, K | None], threshold: int
) -> tuple[frozenset[K], ...]:
    """The release blocks: disjoint sets of units with people, each of at least the threshold.

    ``counts`` is how many people a figure counts per unit (answers, recipients...);
    ``parents`` the unit tree (a unit missing from it, or None, is a root). Units with people
    that belong to no block (fewer than the threshold in the whole union) are never shown.
    """
    t = clamp_threshold(threshold)
    nodes: set[K] = {k for k, n in counts.items() if n > 0}
    for key in list(nodes):
        current = parents.get(key)
        while current is not None and current not in nodes:
            nodes.add(current)
            current = parents.get(current)
    # Deepest first, so every unit has its children's leftovers before it decides.
    order = sorted(nodes, key=lambda k: (-_depth(k, parents), str(k)))
    carried: dict[K, set[K]] = {}
    carried_n: dict[K, int] = {}
    closed: list[set[K]] = []
    small: set[K] = set()
    for key in order:
        members = carried.pop(key, set())
        n = carried_n.pop(key, 0) + max(0, counts.get(key, 0))
        if counts.get(key, 0) > 0:
            members.add(key)
        if n >= t:
            closed.append(members)
            continue
        parent = parents.get(key)
        if parent is not None and parent in nodes:
            carried.setdefault(parent, set()).update(members)
            carried_n[parent] = carried_n.get(parent, 0) + n
        else:
            small.update(members)
    if small:
        total = sum(counts[k] for k in small)
        if total >= t:
            closed.append(small)
        elif closed:
            # Hiding the leftover alone would let anyone get it as the total minus the rest.
            smallest = min(closed, key=lambda b: (sum(counts[k] for k in b), sorted(map(str, b))))
            smallest.update(small)
    return tuple(frozenset(b) for b in closed if b)


def released(groups: tuple[frozenset[K], ...], scope: Collection[K] | None) -> frozenset[K]:
    """The units whose people a viewer of ``scope`` may see counted (None: the whole union)."""
    if scope is None:
        return frozenset(k for block in groups for k in block)
    inside = set(scope)
    return frozenset(k for block in groups if block <= inside for k in block)


@dataclass(frozen=True, slots=True)
class Line(Generic[K]):
    """One line of a per-unit table: a unit of its own, or several pooled (``pooled``)."""

    units: tuple[K, ...]
    top: K | None
    pooled: bool
    values: tuple[int, ...]


def lines(
    rows: Mapping[K, tuple[int, ...]],
    parents: Mapping[K, K | None],
    threshold: int,
    scope: Collection[K] | None,
) -> tuple[Line[K], ...]:
    """Per-unit lines (e.g. answered/invited) with small units pooled, for one viewer.

    The blocks follow the first value of each row (the group size, e.g. invited members),
    so the same pooling holds for every viewer. A block that is one unit's subtree is named
    by that unit (``top``); one pooled across the tree has ``top`` None ("other units").
    Their values add up to the figures of the units the viewer may see (``released``), so
    the total shown is their sum.
    """
    groups = blocks({k: v[0] for k, v in rows.items()}, parents, threshold)
    seen = released(groups, scope)
    out: list[Line[K]] = []
    for block in groups:
        if not block <= seen:
            continue
        units = tuple(sorted(block, key=lambda k: (_depth(k, parents), str(k))))
        top = units[0] if all(_under(k, units[0], parents) for k in units) else None
        width = max(len(rows[k]) for k in units)
        values = tuple(sum(rows[k][i] for k in units if i < len(rows[k])) for i in range(width))
        out.append(Line(units, top, len(units) > 1, values))
    return tuple(out)


def _under(key: K, ancestor: K, parents: Mapping[K, K | None]) -> bool:
    seen: set[K] = set()
    current: K | None = key
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def enough(counts: Mapping[K, int], threshold: int) -> tuple[K, ...]:
    """Keys of a flat table with no total shown (a ranking) that hold enough people."""
    t = clamp_threshold(threshold)
    return tuple(k for k, n in counts.items() if n >= t)
