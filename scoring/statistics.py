"""Anonymous statistics for the integrity office, read from releases only.

Every figure is post-processing of an edition's differentially private
release after its week closed (``scoring.releases``, docs/anonymity.md):
spreads with their margin, counts, breakdowns per mode and organisation,
participation, difficulty, trends and the grey-zone index. Nothing is
shown of a week that is open (``week_open``); a figure whose noise is too
large for it is suppressed (``too_few_answers``). An analyst sees the
organisations of their token: the root's analysts see everyone, a child's
analysts their own organisation and those below it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound, UnknownReference
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.content import OPTION_KEYS, Category, Dilemma
from dilemmas.model.installations import Installation
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from dilemmas.weeks import Week, week_of
from scoring import meetings
from scoring.editions import edition_shift
from scoring.releases import Figures, Release, close_releases, live_figure, shown_count, shown_spread
from scoring.spreads import (
    WEEK_OPEN,
    WEEK_OPEN_SPREAD,
    Thresholds,
    Visibility,
    entropy,
    slope,
)
from scoring.tallies import (
    View,
    scheduled_for,
    spread_out,
    view_of,
    week_span,
)

WEEKS_PER_QUARTER = 13


# ------------------------------------------------------------------ weeks


def weeks(session: Session, actor: Actor, now: datetime, thresholds: Thresholds, start=None, end=None) -> list[dict]:
    """Participation per week once the week closed: answers given during it,
    per mode, per organisation, and the share of active installations that
    answered; every count a noisy release."""
    view = view_of(session, actor)
    span = week_span(now, view, start, end)
    placements = scheduled_for(session, view, span)
    releases = close_releases(session, thresholds.counter_key, placements, now)
    joint_releases = meetings.meetings_releases(session, placements, now)
    titles = {d.id: d.current.title for d in with_content(session, [p.dilemma_id for p in placements]).values()}
    scope_ids = [view.organisation.id, *[o.id for o in view.children]] if view.scope != "all" else None
    ends = sorted({p.week.ends_at(p.timezone) for p in placements})
    active_by_end = _active_installations(session, scope_ids, ends)
    rows = []
    for placement in placements:
        release = releases.get(placement.dilemma_id)
        row = {
            "week": str(placement.week),
            "dilemma_id": placement.dilemma_id,
            "title": titles[placement.dilemma_id],
            "closed": release is not None,
            "answers": None,
            "suppressed": True,
            "reason": WEEK_OPEN,
            "by_mode": None,
            "by_organisation": None,
            "joint_answers": None,
            "active_installations": None,
            "participation": None,
        }
        if release is not None:
            figures = Figures(release, view.scope, view.scope_id)
            total, variance = figures.total()
            shown = shown_count(total, variance)
            row.update(answers=shown, suppressed=shown is None, reason=None if shown is not None else "too_few_answers")
        if row["answers"] is not None:
            row["by_mode"] = {m: shown_count(*figures.mode_total(m)) for m in MODES}
            # "As a team" counts the teams' joint answers too (a release of
            # the meetings, scoring.meetings), beside members' own answers
            # given in mode team.
            joint = meetings.joint_answers(joint_releases[placement.dilemma_id], view)
            members, members_variance = figures.mode_total("team")
            row["by_mode"]["team"] = shown_count(members + joint.value, members_variance + joint.variance)
            row["joint_answers"] = meetings.count_out(joint)["count"]
            if view.children:
                parts = {o.slug: Figures(release, SCOPE_ORGANISATION, o.id).total() for o in view.children}
                rest = total - sum(n for n, _ in parts.values()), variance + sum(v for _, v in parts.values())
                row["by_organisation"] = {
                    slug: shown_count(*part) for slug, part in {**parts, view.organisation.slug: rest}.items()
                }
            active = active_by_end[placement.week.ends_at(placement.timezone)]
            row["active_installations"] = active
            row["participation"] = round(min(1.0, row["answers"] / active), 4) if active else None
        rows.append(row)
    return rows


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
    loaded = with_content(session, [dilemma_id])[dilemma_id]
    release = close_releases(session, thresholds.counter_key, [placement], now).get(dilemma_id)

    def seen(scope: str, scope_id: int) -> Visibility:
        return WEEK_OPEN_SPREAD if release is None else shown_spread(*Figures(release, scope, scope_id).spread())

    spreads = [{"scope": view.scope, "name": view.organisation.name, **spread_out(seen(view.scope, view.scope_id))}]
    for organisation in view.children:
        spreads.append(
            {
                "scope": SCOPE_ORGANISATION,
                "name": organisation.name,
                **spread_out(seen(SCOPE_ORGANISATION, organisation.id)),
            }
        )
    by_mode = []
    for mode in MODES:
        if release is None:
            by_mode.append({"mode": mode, **spread_out(WEEK_OPEN_SPREAD)})
        else:
            figures = Figures(release, view.scope, view.scope_id)
            by_mode.append({"mode": mode, **spread_out(shown_spread(*figures.mode_spread(mode)))})
    shift = None
    if release is not None:
        scopes = [(view.scope, view.scope_id, view.organisation.name)]
        scopes += [(SCOPE_ORGANISATION, o.id, o.name) for o in view.children]
        shift = edition_shift(session, thresholds.counter_key, placement, scopes, now)
    return {
        "dilemma_id": dilemma_id,
        "week": str(placement.week),
        "closed": release is not None,
        "title": loaded.current.title,
        "alignment": {o.key: o.alignment for o in loaded.current.options if o.alignment} or None,
        "spreads": spreads,
        "by_mode": by_mode,
        "difficulty": _difficulty_out(release, view),
        "live": _live_out(session, thresholds, placement, now) if release is None else None,
        "previous_edition_id": loaded.previous_edition_id,
        "shift": asdict(shift) if shift is not None else None,
    }


def _live_out(session: Session, thresholds: Thresholds, placement, now: datetime) -> dict:
    """While the week is open: everyone's live figure (the stored
    binary-tree release the phones show too) with its margin and the end
    of the last day it counts; suppressed (``week_open``) before the first
    day is over, and ``too_few_answers`` while its margin is too wide."""
    live = live_figure(session, thresholds.counter_key, placement, now)
    if live is None:
        return {"scope": SCOPE_ALL, "until": None, **spread_out(WEEK_OPEN_SPREAD)}
    seen = replace(shown_spread(live.counts, live.variance), frozen=False)
    return {"scope": SCOPE_ALL, "until": placement.day_ends_at(live.day), **spread_out(seen)}


def _difficulty_out(release: Release | None, view: View) -> dict:
    """The view's ratings 1-5 from the release: a noisy histogram, its
    total and mean, or suppressed."""
    if release is None:
        return {"ratings": None, "suppressed": True, "reason": WEEK_OPEN, "mean": None, "histogram": None}
    noisy, variance = Figures(release, view.scope, view.scope_id).ratings()
    histogram = [max(0, n) for n in noisy]
    ratings = shown_count(sum(noisy), len(noisy) * variance)
    if ratings is None or sum(histogram) <= 0:
        return {"ratings": None, "suppressed": True, "reason": "too_few_answers", "mean": None, "histogram": None}
    mean = sum((i + 1) * n for i, n in enumerate(histogram)) / sum(histogram)
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
    releases = close_releases(session, thresholds.counter_key, placements, now)
    for placement in placements:
        release = releases.get(placement.dilemma_id)
        if release is None:
            seen = WEEK_OPEN_SPREAD
        else:
            seen = shown_spread(*Figures(release, view.scope, view.scope_id).spread())
        yield placement, loaded[placement.dilemma_id], seen, release


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
    for placement, loaded, seen, _release in _shown_dilemmas(session, view, now, thresholds, span, category):
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
    easy = []
    for placement, loaded, seen, release in _shown_dilemmas(session, view, now, thresholds):
        if not seen.suppressed:
            for chapter in _chapters(loaded):
                per_chapter[chapter].append((entropy(seen.counts), seen.total))
        difficulty = _difficulty_out(release, view)
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
