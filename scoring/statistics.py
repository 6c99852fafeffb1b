"""Anonymous statistics for the integrity office, read from tallies only.

Every figure follows the anonymity rules in ``scoring.spreads``: a spread or
count below the minimum group is suppressed with its reason, open weeks need
the live minimum, breakdowns hide small parts together with enough others,
and an organisation's figures beside the whole are checked for a small
remainder. An analyst sees the organisations of their token: the root's
analysts see everyone, a child's analysts see their own organisation only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound, UnknownReference
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION, DifficultyTally
from dilemmas.model.content import OPTION_KEYS, Category, Dilemma
from dilemmas.model.installations import Installation
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from dilemmas.weeks import Week, week_of
from scoring.spreads import (
    TOO_FEW_ANSWERS,
    Thresholds,
    count_visibility,
    entropy,
    nested_visibility,
    slope,
    suppress_breakdown,
)
from scoring.tallies import (
    Counts,
    View,
    scheduled_for,
    spread_out,
    tallies_of,
    totals_around,
    view_of,
    view_visibility,
    visibility_of,
    week_span,
)

WEEKS_PER_QUARTER = 13


# ------------------------------------------------------------------ weeks


def weeks(session: Session, actor: Actor, now: datetime, thresholds: Thresholds, start=None, end=None) -> list[dict]:
    """Participation per week once the week closed: answers given during it,
    per mode, per organisation, and the share of active installations that
    answered."""
    view = view_of(session, actor)
    span = week_span(now, view, start, end)
    placements = scheduled_for(session, view, span)
    tallies = tallies_of(session, [p.dilemma_id for p in placements], view.counters)
    titles = {d.id: d.current.title for d in with_content(session, [p.dilemma_id for p in placements]).values()}
    scope_ids = [view.organisation.id, *[o.id for o in view.children]] if view.scope != SCOPE_ALL else None
    ends = sorted({p.week.ends_at(p.timezone) for p in placements})
    active_by_end = _active_installations(session, scope_ids, ends)
    rows = []
    for placement in placements:
        closed = placement.closed(now)
        counts = tallies[(placement.dilemma_id, view.scope, view.scope_id)]
        total = counts.total()
        around = totals_around(tallies, placement.dilemma_id, view, lambda c: c.total())
        seen = count_visibility(total, closed, thresholds, around)
        shown_total, reason = (None if seen.suppressed else total), seen.reason
        row = {
            "week": str(placement.week),
            "dilemma_id": placement.dilemma_id,
            "title": titles[placement.dilemma_id],
            "closed": closed,
            "answers": shown_total,
            "suppressed": shown_total is None,
            "reason": reason,
            "by_mode": None,
            "by_organisation": None,
            "active_installations": None,
            "participation": None,
        }
        if shown_total is not None:
            min_group = thresholds.min_group
            row["by_mode"] = suppress_breakdown(total, {m: counts.total(mode=m) for m in MODES}, min_group)
            parts = {o.slug: tallies[(placement.dilemma_id, SCOPE_ORGANISATION, o.id)].total() for o in view.children}
            if parts:
                rest = total - sum(parts.values())
                breakdown = suppress_breakdown(total, {**parts, view.organisation.slug: rest}, min_group)
                row["by_organisation"] = breakdown
            active = active_by_end[placement.week.ends_at(placement.timezone)]
            row["active_installations"] = active
            row["participation"] = round(total / active, 4) if active else None
        rows.append(row)
    return rows


def _by_mode(counts: Counts) -> dict[str, int]:
    return {mode: counts.total(mode=mode) for mode in MODES}


def _active_installations(
    session: Session, organisation_ids: list[int] | None, ends: list[datetime]
) -> dict[datetime, int]:
    """Per week end, the installations that existed then and still exist (an
    erased installation is gone from the denominator as from everywhere);
    one query for all the weeks."""
    if not ends:
        return {}
    query = select(*[func.count().filter(Installation.created_at < end) for end in ends])
    query = query.select_from(Installation)
    if organisation_ids is not None:
        query = query.where(Installation.organisation_id.in_(organisation_ids))
    counts = session.execute(query).one()
    return {end: int(count or 0) for end, count in zip(ends, counts, strict=True)}


# --------------------------------------------------------------- dilemma


def dilemma(session: Session, actor: Actor, dilemma_id: int, now: datetime, thresholds: Thresholds) -> dict:
    """One dilemma: spreads for the view and each organisation in it, per
    mode, and how hard people found it."""
    view = view_of(session, actor)
    placement = next((p for p in scheduled_for(session, view) if p.dilemma_id == dilemma_id), None)
    if placement is None:
        raise NotFound("Dit dilemma bestaat niet of is in jouw organisaties niet gebruikt.")
    closed = placement.closed(now)
    loaded = with_content(session, [dilemma_id])[dilemma_id]
    tallies = tallies_of(session, [dilemma_id], view.counters)
    whole = tallies[(dilemma_id, view.scope, view.scope_id)]
    outer = view_visibility(tallies, dilemma_id, view, closed, thresholds)
    spreads = [{"scope": view.scope, "name": view.organisation.name, **spread_out(outer)}]
    for organisation in view.children:
        inner = nested_visibility(
            outer,
            visibility_of(tallies[(dilemma_id, SCOPE_ORGANISATION, organisation.id)], closed, thresholds),
            thresholds,
        )
        spreads.append({"scope": SCOPE_ORGANISATION, "name": organisation.name, **spread_out(inner)})
    around = [_by_mode(tallies[(dilemma_id, scope, scope_id)]) for scope, scope_id in view.enclosing]
    mode_shown = (
        {} if outer.suppressed else suppress_breakdown(outer.total, _by_mode(whole), thresholds.min_group, around)
    )
    by_mode = []
    for mode in MODES:
        if outer.suppressed or mode_shown.get(mode) is None:
            reason = outer.reason if outer.suppressed else TOO_FEW_ANSWERS
            by_mode.append(
                {"mode": mode, "total": None, "suppressed": True, "reason": reason, "frozen": False, "options": None}
            )
            continue
        seen = visibility_of(Counts({k: v for k, v in whole.cells.items() if k[0] == mode}), closed, thresholds)
        by_mode.append({"mode": mode, **spread_out(seen)})
    return {
        "dilemma_id": dilemma_id,
        "week": str(placement.week),
        "closed": closed,
        "title": loaded.current.title,
        "alignment": {o.key: o.alignment for o in loaded.current.options if o.alignment} or None,
        "spreads": spreads,
        "by_mode": by_mode,
        "difficulty": _difficulty(session, view, dilemma_id, closed, thresholds, whole.total()),
    }


def _difficulty(
    session: Session, view: View, dilemma_id: int, closed: bool, thresholds: Thresholds, answers: int
) -> dict:
    """The view's ratings, checked against the groups around it and against
    its own answers: the answers without a rating are a group too."""
    histograms = _difficulty_counts(session, view, [dilemma_id])
    around = [answers] + [sum(histograms[(dilemma_id, scope, scope_id)]) for scope, scope_id in view.enclosing]
    return _difficulty_out(histograms[(dilemma_id, view.scope, view.scope_id)], closed, thresholds, around)


def _difficulty_counts(session: Session, view: View, dilemma_ids: list[int]) -> dict[tuple[int, str, int], list[int]]:
    """Ratings 1-5 per dilemma for the view and the groups around it."""
    counters = [*view.enclosing, (view.scope, view.scope_id)]
    rows = session.execute(
        select(
            DifficultyTally.dilemma_id,
            DifficultyTally.scope,
            DifficultyTally.scope_id,
            DifficultyTally.value,
            func.sum(DifficultyTally.count),
        )
        .where(
            DifficultyTally.dilemma_id.in_(dilemma_ids),
            DifficultyTally.late.is_(False),
            or_(*[and_(DifficultyTally.scope == sc, DifficultyTally.scope_id == si) for sc, si in counters]),
        )
        .group_by(DifficultyTally.dilemma_id, DifficultyTally.scope, DifficultyTally.scope_id, DifficultyTally.value)
    )
    found: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0] * 5)
    for dilemma_id, scope, scope_id, value, count in rows:
        found[(dilemma_id, scope, scope_id)][int(value) - 1] += int(count or 0)
    return found


def _difficulty_out(histogram: list[int], closed: bool, thresholds: Thresholds, around: list[int] = ()) -> dict:
    ratings = sum(histogram)
    seen = count_visibility(ratings, closed, thresholds, around)
    if seen.suppressed:
        return {"ratings": None, "suppressed": True, "reason": seen.reason, "mean": None, "histogram": None}
    mean = sum((i + 1) * n for i, n in enumerate(histogram)) / ratings
    return {
        "ratings": ratings,
        "suppressed": False,
        "reason": None,
        "mean": round(mean, 2),
        "histogram": {str(i + 1): n for i, n in enumerate(histogram)},
    }


# ------------------------------------------------ awareness and grey zones


def _chapters(dilemma: Dilemma) -> list[str]:
    return sorted({section.ref.split(".")[0] for section in dilemma.current.sections})


def _shown_dilemmas(session, view, now, thresholds, weeks=None, category=None):
    placements = [p for p in scheduled_for(session, view, weeks) if p.week <= week_of(now, p.timezone)]
    loaded = with_content(session, [p.dilemma_id for p in placements])
    if category:
        if not session.scalar(select(Category.id).where(Category.slug == category)):
            raise UnknownReference("Onbekende categorie.", {"category": [f"Categorie '{category}' bestaat niet."]})
        placements = [p for p in placements if loaded[p.dilemma_id].category.slug == category]
    tallies = tallies_of(session, [p.dilemma_id for p in placements], [*view.enclosing, (view.scope, view.scope_id)])
    for placement in placements:
        seen = view_visibility(tallies, placement.dilemma_id, view, placement.closed(now), thresholds)
        answers = tallies[(placement.dilemma_id, view.scope, view.scope_id)].total()
        yield placement, loaded[placement.dilemma_id], seen, answers


def awareness(session, actor, now, thresholds, start=None, end=None, category=None) -> dict:
    """Per code chapter and week, the share of answers on options marked
    `aligned`, the answers behind it, and the trend per quarter (weighted
    least squares over the weeks that may be shown)."""
    view = view_of(session, actor)
    span = week_span(now, view, start, end)
    if not span:
        return {
            "from": str(start) if start else None,
            "to": str(end) if end else None,
            "category": category,
            "chapters": [],
        }
    first = span[0]
    figures: dict[str, list[dict]] = defaultdict(list)
    for placement, loaded, seen, _answers in _shown_dilemmas(session, view, now, thresholds, span, category):
        aligned_keys = {o.key for o in loaded.current.options if o.alignment == "aligned"}
        for chapter in _chapters(loaded):
            figure = {
                "week": str(placement.week),
                "dilemma_id": loaded.id,
                "answers": None,
                "aligned_share": None,
                "suppressed": seen.suppressed,
                "reason": seen.reason,
            }
            if not seen.suppressed:
                aligned = sum(c for k, c in zip(OPTION_KEYS, seen.counts, strict=True) if k in aligned_keys)
                figure["answers"] = seen.total
                figure["aligned_share"] = round(aligned / seen.total, 4)
            figures[chapter].append(figure)
    chapters = []
    for chapter in sorted(figures, key=lambda c: (len(c), c)):
        points = [
            ((_weeks_between(first, Week.parse(f["week"]))) / WEEKS_PER_QUARTER, f["aligned_share"], f["answers"])
            for f in figures[chapter]
            if not f["suppressed"]
        ]
        trend = slope(points)
        chapters.append(
            {
                "chapter": chapter,
                "weeks": figures[chapter],
                "answers": sum(f["answers"] or 0 for f in figures[chapter]),
                "trend_per_quarter": round(trend, 4) if trend is not None else None,
            }
        )
    return {"from": str(span[0]), "to": str(span[-1]), "category": category, "chapters": chapters}


def _weeks_between(first: Week, later: Week) -> int:
    return (later.monday - first.monday).days // 7


def grey_zones(session, actor, now, thresholds) -> dict:
    """Per chapter, how divided the answers are (normalised entropy, 0-1,
    weighted by answers), and the dilemmas rated easy (mean difficulty <= 2)."""
    view = view_of(session, actor)
    per_chapter: dict[str, list[tuple[float, int]]] = defaultdict(list)
    shown = list(_shown_dilemmas(session, view, now, thresholds))
    ratings = _difficulty_counts(session, view, [loaded.id for _, loaded, _, _ in shown])
    easy = []
    for placement, loaded, seen, answers in shown:
        if not seen.suppressed:
            for chapter in _chapters(loaded):
                per_chapter[chapter].append((entropy(seen.counts), seen.total))
        around = [answers] + [sum(ratings[(loaded.id, scope, scope_id)]) for scope, scope_id in view.enclosing]
        histogram = ratings[(loaded.id, view.scope, view.scope_id)]
        difficulty = _difficulty_out(histogram, placement.closed(now), thresholds, around)
        if not difficulty["suppressed"] and difficulty["mean"] <= 2:
            easy.append(
                {
                    "dilemma_id": loaded.id,
                    "week": str(placement.week),
                    "title": loaded.current.title,
                    "mean_difficulty": difficulty["mean"],
                    "ratings": difficulty["ratings"],
                }
            )
    chapters = []
    for chapter in sorted(per_chapter, key=lambda c: (len(c), c)):
        values = per_chapter[chapter]
        answers = sum(n for _, n in values)
        chapters.append(
            {
                "chapter": chapter,
                "dilemmas": len(values),
                "answers": answers,
                "entropy": round(sum(e * n for e, n in values) / answers, 4) if answers else None,
                "most_divided": round(max(e for e, _ in values), 4),
            }
        )
    return {"chapters": chapters, "easy_dilemmas": easy}
