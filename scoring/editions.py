"""Editions of a dilemma compared (``dilemmas.office.editions``): the
spread of the last closed edition while a re-run's week is open, and after
its close the shift between the two editions, per option and in the share
of aligned options, with its margin.

Both are post-processing of the two editions' stored releases after their
close (``scoring.releases``): they cost no privacy budget. A shift is only
computed for a scope where both editions' spreads are shown; its margin
comes from the two releases' noise variances (the two editions' noise is
independent, so the variances add)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dilemmas.model.answers import SCOPE_ALL
from dilemmas.model.content import OPTION_KEYS
from dilemmas.reads.content import content_of
from dilemmas.reads.placements import Placement, placement_of
from scoring.releases import MARGIN_Z, Figures, Release, close_release, shown_spread
from scoring.spreads import TOO_FEW_ANSWERS, Spread, Visibility


@dataclass(frozen=True)
class PreviousEdition:
    """The last closed edition of the same dilemma: its week, when its
    week closed, and its spread of everyone (frozen)."""

    dilemma_id: int
    week: str
    closes_at: datetime
    spread: Spread


@dataclass(frozen=True)
class Change:
    """A shift in percentage points (this edition minus the one before) and
    the points within which the true shift lies with 95 % probability."""

    points: int
    margin: int


@dataclass(frozen=True)
class OptionChange(Change):
    key: str = ""


@dataclass(frozen=True)
class ScopeShift:
    """The shift of one scope: per option (None when the options' texts
    differ between the editions) and in the aligned share (None when the
    editions mark no aligned option); suppressed with its reason when
    either edition's spread is not shown."""

    scope: str
    scope_id: int
    name: str
    suppressed: bool
    reason: str | None
    options: list[OptionChange] | None
    aligned: Change | None


@dataclass(frozen=True)
class EditionShift:
    previous_dilemma_id: int
    previous_week: str
    same_options: bool
    scopes: list[ScopeShift]


def _share_sd(counts: tuple[int, ...], variance: float, keys: set[str]) -> tuple[float, float]:
    """The share of ``keys`` in a released spread, and the standard
    deviation of its error: with noise e per option count and share a of
    the set S in the noisy total N, the error of the share is
    (Σ_S e·(1 − a) − a·Σ_not-S e) / N."""
    total = sum(counts)
    inside = sum(c for k, c in zip(OPTION_KEYS, counts, strict=True) if k in keys)
    share = inside / total
    weight = len(keys) * (1 - share) ** 2 + (len(OPTION_KEYS) - len(keys)) * share**2
    return share, math.sqrt(variance * weight) / total


def change(
    before: Visibility,
    before_variance: float,
    after: Visibility,
    after_variance: float,
    keys: set[str],
    keys_after: set[str] | None = None,
) -> tuple[int, int]:
    """The shift in points of the share of ``keys`` (after: ``keys_after``,
    default the same) between two shown spreads, and its margin."""
    old, old_sd = _share_sd(before.counts, before_variance, keys)
    new, new_sd = _share_sd(after.counts, after_variance, keys if keys_after is None else keys_after)
    return round(100 * (new - old)), math.ceil(100 * MARGIN_Z * math.hypot(old_sd, new_sd))


def scope_shift(
    before: Release,
    after: Release,
    scope: str,
    scope_id: int,
    name: str,
    aligned: tuple[set[str], set[str]],
    same_options: bool,
) -> ScopeShift:
    """The shift of one scope between two editions' releases after their close."""
    old_counts, old_variance = Figures(before, scope, scope_id).spread()
    new_counts, new_variance = Figures(after, scope, scope_id).spread()
    old, new = shown_spread(old_counts, old_variance), shown_spread(new_counts, new_variance)
    if old.suppressed or new.suppressed:
        return ScopeShift(scope, scope_id, name, True, TOO_FEW_ANSWERS, None, None)
    options = None
    if same_options:
        options = [OptionChange(*change(old, old_variance, new, new_variance, {key}), key=key) for key in OPTION_KEYS]
    aligned_before, aligned_after = aligned
    aligned_change = None
    if aligned_before and aligned_after:
        aligned_change = Change(*change(old, old_variance, new, new_variance, aligned_before, aligned_after))
    return ScopeShift(scope, scope_id, name, False, None, options, aligned_change)


def _closed_previous(session: Session, dilemma_id: int, now: datetime) -> Placement | None:
    before = content_of(session, dilemma_id).previous_edition_id
    if before is None:
        return None
    placement = placement_of(session, before)
    return placement if placement is not None and placement.closed(now) else None


def previous_edition_figure(
    session: Session, counter_key: bytes | None, dilemma_id: int, now: datetime
) -> PreviousEdition | None:
    """The spread of everyone in the edition before this one, once that
    edition closed and if its spread is shown; else None."""
    placement = _closed_previous(session, dilemma_id, now)
    if placement is None:
        return None
    release = close_release(session, counter_key, placement, now)
    seen = shown_spread(*Figures(release, SCOPE_ALL, 0).spread())
    if seen.suppressed:
        return None
    return PreviousEdition(placement.dilemma_id, str(placement.week), placement.closes_at, Spread.of(seen))


def edition_shift(
    session: Session,
    counter_key: bytes | None,
    placement: Placement,
    scopes: list[tuple[str, int, str]],
    now: datetime,
) -> EditionShift | None:
    """The shift between this edition and the one before it for each of
    ``scopes`` (scope, scope id, name), once both closed; else None."""
    before = _closed_previous(session, placement.dilemma_id, now)
    if before is None or not placement.closed(now):
        return None
    old_release = close_release(session, counter_key, before, now)
    new_release = close_release(session, counter_key, placement, now)
    old_options = content_of(session, before.dilemma_id).current.options
    new_options = content_of(session, placement.dilemma_id).current.options
    same_options = [o.text for o in old_options] == [o.text for o in new_options]
    aligned = (
        {o.key for o in old_options if o.alignment == "aligned"},
        {o.key for o in new_options if o.alignment == "aligned"},
    )
    return EditionShift(
        before.dilemma_id,
        str(before.week),
        same_options,
        [scope_shift(old_release, new_release, *scope, aligned, same_options) for scope in scopes],
    )
