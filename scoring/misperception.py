"""Predictions against reality: how far colleagues' expectations of each
other are off (issue 24, docs/anonymity.md mechanism 2b).

With an answer an employee may predict the share of colleagues on each
option. The office sees, per dilemma and per chapter of the code (a
dilemma's first code reference), the *misperception*: the average
predicted share minus the real share, signed, for the options marked
``aligned`` together and for those marked ``conflicts`` together. Positive:
colleagues expected more of them than there were.

Both halves are releases, never counts. The predicted side is one release
per edition after its close (``predictions``, ε = ``PREDICTIONS_EPSILON``):
the sums of predicted percentages per option, for everyone. One
installation's prediction adds exactly 100 to those four sums together (L1
sensitivity 100: the body's check is the clipping), so discrete Laplace
noise of scale 100 / ε per sum keeps the release ε-DP, and the number of
predictions is post-processing (their total / 100) instead of a count with
a budget of its own. The real side is the close release's spread of
everyone (``scoring.releases``). Shares, their difference, the pooling of
a chapter's dilemmas and the margin are post-processing of stored cells."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dilemmas.counters import counts_of
from dilemmas.model.answers import SCOPE_ALL
from dilemmas.model.content import OPTION_KEYS
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from dilemmas.reads.placements import Placement
from dilemmas.weeks import Week
from scoring import budget
from scoring.figures import figure
from scoring.releases import MAX_MARGIN, Figures, Release, _key, _Measure, _release, close_releases, stored
from scoring.spreads import TOO_FEW_ANSWERS, WEEK_OPEN, Thresholds
from scoring.tallies import scheduled_for, view_of, week_span

PREDICTIONS = "predictions"  # the release's name and its part of the budget
MEASURE = "predicted"
SCALE = 100 / budget.PREDICTIONS_EPSILON
GROUPS = ("aligned", "conflicts")
# No option of the group is marked on the dilemma (or on any of a chapter's).
NOT_MARKED = "not_marked"
REASONS = (WEEK_OPEN, TOO_FEW_ANSWERS, NOT_MARKED)
# One figure (not four together) within its margin with 95 % probability:
# the discrete Laplace tail at 5 % two-sided, in standard deviations (a
# sum of several noises has a lighter tail, so this errs wide).
MARGIN_Z = math.log(20) / math.sqrt(2)


# ---------------------------------------------------------------- release


def predictions_releases(
    session: Session, counter_key: bytes | None, placements: list[Placement], now: datetime
) -> dict[int, Release]:
    """The predictions' release of each closed edition: the stored ones in
    one read, the others drawn, charged and stored now (once, as every
    release)."""
    closed = [p for p in placements if p.closed(now)]
    found = {d: r for (d, _), r in stored(session, [(p.dilemma_id, PREDICTIONS) for p in closed]).items()}
    for placement in closed:
        dilemma_id = placement.dilemma_id
        if dilemma_id in found:
            continue
        sums = counts_of(session, _key(counter_key), [dilemma_id])[dilemma_id].predicted()
        cells = [(SCOPE_ALL, 0, option, sums.get(option, 0)) for option in OPTION_KEYS]
        found[dilemma_id] = _release(
            session,
            dilemma_id,
            PREDICTIONS,
            PREDICTIONS,
            budget.PREDICTIONS_EPSILON,
            [_Measure(MEASURE, SCALE, cells)],
        )
    return found


# -------------------------------------------------------- post-processing


@dataclass(frozen=True)
class Cell:
    """One released count (negative noise shown as zero), its noise
    variance, and whether its option belongs to the group."""

    value: int
    variance: float
    member: bool


def share(cells: list[Cell]) -> tuple[float, float] | None:
    """The group's share of the cells' total (0-1) and its variance (the
    delta method: the noise of every cell moves the total too); None
    without a positive total."""
    total = sum(c.value for c in cells)
    if total <= 0:
        return None
    part = sum(c.value for c in cells if c.member) / total
    variance = sum((c.member - part) ** 2 * c.variance for c in cells) / total**2
    return part, variance


def group_figure(predicted: list[Cell], real: list[Cell]) -> dict:
    """Predicted and real share in percent, their difference and its margin
    (percentage points, 95 %), or suppressed on the noisy figures."""
    if not any(c.member for c in real):
        return _suppressed(NOT_MARKED)
    guessed, happened = share(predicted), share(real)
    if guessed is None or happened is None:
        return _suppressed(TOO_FEW_ANSWERS)
    margin = math.ceil(100 * MARGIN_Z * math.sqrt(guessed[1] + happened[1]))
    if margin > MAX_MARGIN:
        return _suppressed(TOO_FEW_ANSWERS)
    return {
        "predicted": round(100 * guessed[0], 1),
        "real": round(100 * happened[0], 1),
        "misperception": round(100 * (guessed[0] - happened[0]), 1),
        "margin": margin,
        "suppressed": False,
        "reason": None,
    }


def _suppressed(reason: str) -> dict:
    return {
        "predicted": None,
        "real": None,
        "misperception": None,
        "margin": None,
        "suppressed": True,
        "reason": reason,
    }


def _cells(release: Release, measure: str, members: set[str], variance: float) -> list[Cell]:
    values = release.values(measure, SCOPE_ALL, 0, OPTION_KEYS)
    return [Cell(max(0, v), variance, k in members) for k, v in zip(OPTION_KEYS, values, strict=True)]


def predictions_count(cells: list[Cell]) -> int | None:
    """The number of predictions (each adds 100 to the sums), shown when
    its 95 % error is at most half of it."""
    total = sum(c.value for c in cells)
    variance = sum(c.variance for c in cells) / 100**2
    count = round(total / 100)
    if count <= 0 or 1.96 * math.sqrt(variance) > 0.5 * count:
        return None
    return count


# ------------------------------------------------------------- statistics


def misperception(
    session: Session,
    actor: Actor,
    now: datetime,
    thresholds: Thresholds,
    start: Week | None = None,
    end: Week | None = None,
) -> dict:
    """Per dilemma of the view's weeks (default: the last 52) and per
    chapter of the code: the misperception of the aligned and of the
    conflicts options, of all colleagues who answered each dilemma."""
    view = view_of(session, actor)
    span = week_span(now, view, start, end)
    # One row per edition, even where several organisations scheduled it.
    placements, seen = [], set()
    for placement in scheduled_for(session, view, span) if span else []:
        if placement.dilemma_id not in seen:
            seen.add(placement.dilemma_id)
            placements.append(placement)
    loaded = with_content(session, [p.dilemma_id for p in placements])
    closes = close_releases(session, thresholds.counter_key, placements, now)
    predictions = predictions_releases(session, thresholds.counter_key, placements, now)
    rows = []
    pooled: dict[str, dict[str, tuple[list[Cell], list[Cell]]]] = defaultdict(lambda: {g: ([], []) for g in GROUPS})
    closed_per_chapter: dict[str, int] = defaultdict(int)
    predicted_per_chapter: dict[str, list[Cell]] = defaultdict(list)
    for placement in placements:
        dilemma = loaded[placement.dilemma_id]
        sections = dilemma.current.sections
        chapter = sections[0].ref.split(".")[0] if sections else None
        row = {
            "dilemma_id": dilemma.id,
            "week": str(placement.week),
            "title": dilemma.current.title,
            "chapter": chapter,
            "closed": placement.dilemma_id in closes,
            "predictions": None,
            **{group: _suppressed(WEEK_OPEN) for group in GROUPS},
        }
        close, predicted = closes.get(dilemma.id), predictions.get(dilemma.id)
        if close is not None and predicted is not None:
            counts, real_variance = Figures(close, SCOPE_ALL, 0).spread()
            guessed_variance = predicted.variance(MEASURE)
            every = _cells(predicted, MEASURE, set(), guessed_variance)
            row["predictions"] = predictions_count(every)
            if chapter is not None:
                closed_per_chapter[chapter] += 1
                predicted_per_chapter[chapter].extend(every)
            for group in GROUPS:
                members = {o.key for o in dilemma.current.options if o.alignment == group}
                guessed = _cells(predicted, MEASURE, members, guessed_variance)
                real = [Cell(max(0, c), real_variance, k in members) for k, c in zip(OPTION_KEYS, counts, strict=True)]
                row[group] = group_figure(guessed, real)
                if chapter is not None and members:
                    pooled[chapter][group][0].extend(guessed)
                    pooled[chapter][group][1].extend(real)
        rows.append(row)
    chapters = []
    for chapter in sorted(closed_per_chapter, key=lambda c: (len(c), c)):
        chapters.append(
            {
                "chapter": chapter,
                "dilemmas": closed_per_chapter[chapter],
                "predictions": predictions_count(predicted_per_chapter[chapter]),
                **{group: group_figure(*pooled[chapter][group]) for group in GROUPS},
            }
        )
    return {
        "from": str(span[0]) if span else None,
        "to": str(span[-1]) if span else None,
        "dilemmas": list(reversed(rows)),
        "chapters": chapters,
    }


def misperception_figures(result: dict) -> list[dict]:
    """The misperception as CSV rows, one per figure."""
    out = []
    for row in result["dilemmas"]:
        base = (row["title"], row["week"], row["dilemma_id"])
        reason = TOO_FEW_ANSWERS if row["closed"] else WEEK_OPEN
        out.append(figure(*base, "predictions", row["predictions"], reason))
        out += _group_rows(base, row)
    for chapter in result["chapters"]:
        base = (f"chapter {chapter['chapter']}", None, None)
        out.append(figure(*base, "dilemmas", chapter["dilemmas"]))
        out.append(figure(*base, "predictions", chapter["predictions"], TOO_FEW_ANSWERS))
        out += _group_rows(base, chapter)
    return out


def _group_rows(base: tuple, row: dict) -> list[dict]:
    return [
        figure(*base, f"{group}:{name}", row[group][name], row[group]["reason"])
        for group in GROUPS
        for name in ("predicted", "real", "misperception", "margin")
    ]
