"""Small-group suppression: which segments of a result may be shown without exposing anyone."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

THRESHOLD_DEFAULT = 5
THRESHOLD_MIN = 3

K = TypeVar("K", bound=Hashable)


def clamp_threshold(threshold: int) -> int:
    """The configured threshold, never below the floor of 3."""
    return max(THRESHOLD_MIN, threshold)


@dataclass(frozen=True, slots=True)
class Grouping(Generic[K]):
    """Keys shown on their own, keys pooled into "other units", and whether that pool shows."""

    shown: tuple[K, ...]
    merged: tuple[K, ...]
    merged_shown: bool


def group_small(counts: Mapping[K, int], threshold: int) -> Grouping[K]:
    """Pool segments below the threshold into one "other" segment.

    If the pool itself stays below the threshold, the smallest shown segments join it until it
    is large enough: hiding a small pool alone would let anyone recover it as the total minus
    the shown segments.
    """
    t = clamp_threshold(threshold)
    shown = sorted((k for k, n in counts.items() if n >= t), key=lambda k: (counts[k], str(k)))
    merged = [k for k, n in counts.items() if 0 < n < t]
    pool = sum(counts[k] for k in merged)
    while 0 < pool < t and shown:
        moved = shown.pop(0)
        merged.append(moved)
        pool += counts[moved]
    ordered = tuple(sorted(shown, key=str))
    return Grouping(ordered, tuple(sorted(merged, key=str)), pool >= t)


def hidden_cells(counts: Mapping[K, int], threshold: int) -> frozenset[K]:
    """Cells (segments of one question) to hide, with complementary suppression.

    Cells under the threshold are hidden; if the hidden cells together stay under it, the
    smallest visible cells are hidden too, so the total cannot be used to recover them.
    """
    t = clamp_threshold(threshold)
    hidden = {k for k, n in counts.items() if 0 < n < t}
    hidden_sum = sum(counts[k] for k in hidden)
    visible = sorted((k for k, n in counts.items() if n >= t), key=lambda k: (counts[k], str(k)))
    while 0 < hidden_sum < t and visible:
        moved = visible.pop(0)
        hidden.add(moved)
        hidden_sum += counts[moved]
    return frozenset(hidden)
