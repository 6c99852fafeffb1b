"""Pure functions over released counts: percentages, the shape of a shown
spread, entropy and trends.

No rule here decides what may be shown: every figure comes from a
differentially private release (``scoring.releases``, docs/anonymity.md),
which replaces the former minimum groups and subtraction checks. A spread
is suppressed (``too_few_answers``) when its noisy figure's margin is too
wide, and nothing is released while a week is open but the live counter
(``week_open`` everywhere else).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dilemmas.model.content import OPTION_KEYS

TOO_FEW_ANSWERS = "too_few_answers"
WEEK_OPEN = "week_open"


def percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages that add up to 100 (largest remainder); all zero
    for no counts. Ties in the remainder go to the earlier option."""
    total = sum(counts)
    if total <= 0:
        return [0] * len(counts)
    exact = [100 * c / total for c in counts]
    floors = [int(x) for x in exact]
    short = 100 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:short]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class OptionCount:
    key: str
    count: int
    percent: int


def option_counts(counts: Sequence[int]) -> list[OptionCount]:
    """The count of each option (A-D) with whole percentages that add up to 100."""
    return [OptionCount(k, c, p) for k, c, p in zip(OPTION_KEYS, counts, percentages(counts), strict=True)]


@dataclass(frozen=True)
class Thresholds:
    """What reading figures needs from the configuration: ``min_group`` is
    kept for meetings' rules; ``counter_key`` opens the sealed counters
    when a release is due (``dilemmas.counters.counter_key``)."""

    min_group: int = 5
    counter_key: bytes | None = None

    def __post_init__(self) -> None:
        if self.min_group < 3:
            raise ValueError("the minimum group is never below 3")


@dataclass(frozen=True)
class Visibility:
    """Which counts of a group may be shown: ``counts`` is None when
    suppressed (then ``reason`` says why); ``frozen`` when they are the
    release after the week's close; ``margin`` in percentage points."""

    counts: tuple[int, ...] | None
    reason: str | None
    frozen: bool = False
    margin: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.counts is None

    @property
    def total(self) -> int:
        return sum(self.counts) if self.counts is not None else 0


@dataclass(frozen=True)
class Spread:
    """A group's spread as anyone may see it: suppressed with its reason, or
    the total, the count of each option and the margin."""

    total: int | None
    suppressed: bool
    reason: str | None
    frozen: bool
    options: list[OptionCount] | None
    margin: int | None = None

    @classmethod
    def of(cls, seen: Visibility) -> Spread:
        if seen.suppressed:
            return cls(None, True, seen.reason, False, None, None)
        return cls(seen.total, False, None, seen.frozen, option_counts(seen.counts), seen.margin)


WEEK_OPEN_SPREAD = Visibility(None, WEEK_OPEN)


def entropy(counts: Sequence[int]) -> float:
    """Normalised Shannon entropy of a spread: 0 when everyone chose the same
    option, 1 when the answers are spread evenly over all options."""
    total = sum(counts)
    if total <= 0 or len(counts) < 2:
        return 0.0
    shares = [c / total for c in counts if c > 0]
    return max(0.0, min(1.0, -sum(p * math.log(p) for p in shares) / math.log(len(counts))))


def slope(points: Sequence[tuple[float, float, float]]) -> float | None:
    """Weighted least-squares slope of (x, y, weight) points; None with fewer
    than two distinct x values."""
    weight = sum(w for _, _, w in points)
    if weight <= 0 or len({x for x, _, w in points if w > 0}) < 2:
        return None
    mean_x = sum(x * w for x, _, w in points) / weight
    mean_y = sum(y * w for _, y, w in points) / weight
    spread = sum(w * (x - mean_x) ** 2 for x, _, w in points)
    return sum(w * (x - mean_x) * (y - mean_y) for x, y, w in points) / spread
