"""Pure functions over counts: percentages and the anonymity rules.

The rules of docs/anonymity.md, applied to every figure anyone sees, the
employee's results and the integrity office's statistics alike:

1. Nothing of a dilemma is shown while its week is open: no spread, count,
   rating or breakdown, whatever the number of answers, and always with the
   same reason (``week_open``). A figure that changed while people answer
   could be read twice around one colleague's answer; installations are free,
   so no number of answers makes that safe.
2. After the week closed, every figure counts only the answers given while
   the week was open: a snapshot taken at the close that never changes
   again. Late answers are stored and counted but shown nowhere, so no two
   responses differ by one late answer.
3. A figure is shown only with at least ``min_group`` answers (never below
   3); else it is suppressed (``too_few_answers``).
4. Two responses must not subtract to a small group: when a subgroup is
   shown beside the group that contains it, the remainder (group minus
   subgroup) must be empty or reach ``min_group`` too, else the subgroup is
   suppressed.
5. A breakdown of a shown total (answers per mode, per organisation) hides
   its small parts, and hides further parts until the hidden ones together
   are a group of at least ``min_group``: the total minus the shown parts
   then reveals only a group that may be seen.

There are no team spreads of members' own answers: a lead who adds a few
installations of their own to a team, or who leads overlapping teams, can
subtract any such spread down to one colleague (docs/anonymity.md).
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
    min_group: int = 5

    def __post_init__(self) -> None:
        if self.min_group < 3:
            raise ValueError("the minimum group is never below 3")


@dataclass(frozen=True)
class Visibility:
    """Which counts of a group may be shown: ``counts`` is None when
    suppressed (then ``reason`` says why); ``frozen`` when they are the
    counts at the week's close."""

    counts: tuple[int, ...] | None
    reason: str | None
    frozen: bool = False

    @property
    def suppressed(self) -> bool:
        return self.counts is None

    @property
    def total(self) -> int:
        return sum(self.counts) if self.counts is not None else 0


@dataclass(frozen=True)
class Spread:
    """A group's spread as anyone may see it: suppressed with its reason, or
    the total and the count of each option."""

    total: int | None
    suppressed: bool
    reason: str | None
    frozen: bool
    options: list[OptionCount] | None

    @classmethod
    def of(cls, seen: Visibility) -> Spread:
        if seen.suppressed:
            return cls(None, True, seen.reason, False, None)
        return cls(seen.total, False, None, seen.frozen, option_counts(seen.counts))


def visibility(on_time: Sequence[int], week_closed: bool, thresholds: Thresholds) -> Visibility:
    """Rules 1-3 for one group: its counts per option of the answers given
    while the week was open, shown once the week has closed."""
    if not week_closed:
        return Visibility(None, WEEK_OPEN)
    if sum(on_time) >= thresholds.min_group:
        return Visibility(tuple(on_time), None, frozen=True)
    return Visibility(None, TOO_FEW_ANSWERS)


def count_visibility(total: int, week_closed: bool, thresholds: Thresholds, around: Sequence[int] = ()) -> Visibility:
    """Rules 1, 3 and 4 for a plain count (answers, ratings): ``around`` are
    the same counts of the groups that contain this one."""
    if not week_closed:
        return Visibility(None, WEEK_OPEN)
    if total < thresholds.min_group or any(0 < outer - total < thresholds.min_group for outer in around):
        return Visibility(None, TOO_FEW_ANSWERS)
    return Visibility((total,), None, frozen=True)


def nested_visibility(outer: Visibility, inner: Visibility, thresholds: Thresholds) -> Visibility:
    """Rule 4: suppress a shown subgroup whose remainder in the shown
    group around it is a small group."""
    if inner.suppressed or outer.suppressed:
        return inner
    remainder = outer.total - inner.total
    if 0 < remainder < thresholds.min_group:
        return Visibility(None, TOO_FEW_ANSWERS)
    return inner


def entropy(counts: Sequence[int]) -> float:
    """Normalised Shannon entropy of a spread: 0 when everyone chose the same
    option, 1 when the answers are spread evenly over all options."""
    total = sum(counts)
    if total <= 0 or len(counts) < 2:
        return 0.0
    shares = [c / total for c in counts if c > 0]
    return max(0.0, min(1.0, -sum(p * math.log(p) for p in shares) / math.log(len(counts))))


def suppress_breakdown(
    total: int, parts: dict[str, int], min_group: int, around: Sequence[dict[str, int]] = ()
) -> dict[str, int | None]:
    """Suppress the parts of a shown total that are small groups, and
    enough further parts that the suppressed ones together are empty or a
    group of at least ``min_group`` (otherwise total minus the shown parts
    would reveal them). Zero counts reveal nothing and stay. ``around`` are
    the same parts of groups that contain this one (seen by others): a part
    that differs from one of them by a small group is suppressed too."""
    hidden = {key for key, count in parts.items() if 0 < count < min_group}
    hidden |= {key for key in parts for outer in around if 0 < outer.get(key, 0) - parts[key] < min_group}
    while hidden and sum(parts[k] for k in hidden) < min_group:
        candidates = sorted((count, key) for key, count in parts.items() if key not in hidden and count > 0)
        if not candidates:
            break
        hidden.add(candidates[0][1])
    if hidden and sum(parts[k] for k in hidden) < min_group and total - sum(parts[k] for k in hidden) > 0:
        hidden = set(parts)  # cannot hide them behind one another: hide the breakdown
    return {key: (None if key in hidden else count) for key, count in parts.items()}


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
