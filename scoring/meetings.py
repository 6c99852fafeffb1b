"""What the integrity office sees of the teams' meetings (docs/anonymity.md,
mechanism 7): a differentially private release per edition after its week
closed, and per chapter of the code of conduct the post-processing of those
releases: sessions held, the mean shift between the rounds, the agreements
per theme (the code sections of the dilemmas they were made on), and the
teams' joint answers of each week. Never a team, a text or a person.

The unit of privacy. An installation's contribution to an edition's
meetings is the meetings it took part in on that dilemma during its week.
Its lead can make a meeting exist or not, so a meeting counts as a whole.
Each team counts with one meeting per edition (the one in which it recorded
its joint answer, else its last one with a revealed round), and that
meeting adds at most: 1 session, 1 joint answer, 1 meeting with a second
round, min(shift, SHIFT_CAP) voters who changed and min(agreements,
AGREEMENTS_CAP) agreements; votes are never counted. Swapping one counted
meeting of a team for another moves each measure by at most its cap too.
A person who takes part in one team's meeting on a dilemma is covered at
``budget.MEETINGS_EPSILON``; the server cannot link one person's meetings
of several teams (their voter keys differ by design), so each further
team's meeting on the same dilemma adds as much again (group privacy)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.code import CodeChapter
from dilemmas.model.deliberation import Outcome
from dilemmas.model.meetings import Meeting, TeamAnswer
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from dilemmas.reads.placements import Placement
from scoring import budget
from scoring.releases import (
    Release,
    _Measure,
    _release,
    chains_below_root,
    count_margin,
    shown_count,
    stored,
)
from scoring.tallies import View, scheduled_for, view_of

MEETINGS = "meetings"  # the release's name and its part of the budget
CELL = "n"
SHIFT_CAP = 4
AGREEMENTS_CAP = 3
CAPS = {"sessions": 1, "joint": 1, "shifted": 1, "shift": SHIFT_CAP, "agreements": AGREEMENTS_CAP}

TOO_FEW_MEETINGS = "too_few_meetings"
REASONS = (TOO_FEW_MEETINGS,)
# A mean shift is shown when it lies within this many voters of the truth
# with 95 % probability.
MAX_SHIFT_MARGIN = 1.0


@dataclass(frozen=True)
class Contribution:
    """What one team's counted meeting adds to its edition, capped."""

    organisation_id: int
    sessions: int
    joint: int
    shifted: int
    shift: int
    agreements: int


def contributions(session: Session, placement: Placement) -> list[Contribution]:
    """One per team that held a meeting (a round revealed) on the edition's
    dilemma during its week."""
    held = session.execute(
        select(Meeting.id, Meeting.team_id, Meeting.organisation_id, Meeting.shift)
        .where(
            Meeting.dilemma_id == placement.dilemma_id,
            Meeting.revealed_round >= 1,
            Meeting.created_at >= placement.opens_at,
            Meeting.created_at < placement.closes_at,
        )
        .order_by(Meeting.id)
    ).all()
    joint = dict(
        session.execute(
            select(TeamAnswer.team_id, TeamAnswer.session_id).where(
                TeamAnswer.dilemma_id == placement.dilemma_id, TeamAnswer.late.is_(False)
            )
        ).all()
    )
    counted = {}
    for meeting in held:
        if counted.get(meeting.team_id) is None or counted[meeting.team_id].id != joint.get(meeting.team_id):
            counted[meeting.team_id] = meeting
    written = dict(
        session.execute(
            select(Outcome.session_id, Outcome.agreements).where(
                Outcome.session_id.in_([m.id for m in counted.values()])
            )
        ).all()
    )
    return [
        Contribution(
            organisation_id=m.organisation_id,
            sessions=1,
            joint=int(joint.get(m.team_id) == m.id),
            shifted=int(m.shift is not None),
            shift=min(m.shift or 0, SHIFT_CAP),
            agreements=min(len(written.get(m.id) or []), AGREEMENTS_CAP),
        )
        for m in counted.values()
    ]


def _measures(session: Session, placement: Placement) -> list[_Measure]:
    chains = chains_below_root(session)
    below = sorted(o for o, chain in chains.items() if chain)
    levels = max((len(chains[o]) for o in below), default=0)
    totals: dict[tuple[str, int, str], int] = defaultdict(int)
    for made in contributions(session, placement):
        for scope in [(SCOPE_ALL, 0), *[(SCOPE_ORGANISATION, o) for o in chains.get(made.organisation_id, [])]]:
            for name in CAPS:
                totals[(*scope, name)] += getattr(made, name)
    scopes = [(SCOPE_ALL, 0), *[(SCOPE_ORGANISATION, o) for o in below]]
    return [
        _Measure(
            name,
            cap * (1 + levels) / budget.MEETINGS_SPLIT[name],
            [(scope, scope_id, CELL, totals[(scope, scope_id, name)]) for scope, scope_id in scopes],
        )
        for name, cap in CAPS.items()
    ]


def meetings_releases(session: Session, placements: list[Placement], now: datetime) -> dict[int, Release]:
    """The meetings release of each edition whose week closed, made at the
    first read after the close: drawn once, charged, stored."""
    closed = {p.dilemma_id: p for p in placements if p.closed(now)}
    found = {d: r for (d, _), r in stored(session, [(d, MEETINGS) for d in closed]).items()}
    for dilemma_id, placement in closed.items():
        if dilemma_id not in found:
            found[dilemma_id] = _release(
                session, dilemma_id, MEETINGS, MEETINGS, budget.MEETINGS_EPSILON, _measures(session, placement)
            )
    return found


# -------------------------------------------------------- post-processing


@dataclass
class Noisy:
    """A sum of released cells and the variance of its noise."""

    value: int = 0
    variance: float = 0.0

    def add(self, release: Release, measure: str, view: View) -> None:
        self.value += release.values(measure, view.scope, view.scope_id, [CELL])[0]
        self.variance += release.variance(measure)


def count_out(noisy: Noisy) -> dict:
    """A count as shown: the noisy figure and its margin, or suppressed."""
    shown = shown_count(noisy.value, noisy.variance)
    if shown is None:
        return {"count": None, "margin": None, "reason": TOO_FEW_MEETINGS}
    return {"count": shown, "margin": count_margin(noisy.variance), "reason": None}


def joint_answers(release: Release, view: View) -> Noisy:
    """The teams' joint answers of one edition in the view."""
    noisy = Noisy()
    noisy.add(release, "joint", view)
    return noisy


def _mean_shift(total: Noisy, shifted: Noisy) -> dict:
    if shown_count(shifted.value, shifted.variance) is None or total.value < 0:
        return {"mean": None, "margin": None, "reason": TOO_FEW_MEETINGS}
    mean = min(total.value / shifted.value, SHIFT_CAP)
    margin = math.ceil(10 * count_margin(total.variance + mean * mean * shifted.variance) / shifted.value) / 10
    if margin > MAX_SHIFT_MARGIN:
        return {"mean": None, "margin": None, "reason": TOO_FEW_MEETINGS}
    return {"mean": round(mean, 1), "margin": margin, "reason": None}


def by_chapter(session: Session, actor: Actor, now: datetime) -> list[dict]:
    """Per chapter of the code, over the editions of the view whose week
    closed: sessions held, the mean shift, agreements per theme (analyst).
    Every chapter of those editions is listed, suppressed figures too, so
    that the list itself says nothing."""
    view = view_of(session, actor)
    placements = [p for p in scheduled_for(session, view) if p.closed(now)]
    released = meetings_releases(session, placements, now)
    loaded = with_content(session, list(released))
    chapters = {c.id: c for c in session.scalars(select(CodeChapter))}
    sums: dict[int, dict[str, Noisy]] = defaultdict(lambda: defaultdict(Noisy))
    themes: dict[int, dict[tuple[str, str], Noisy]] = defaultdict(lambda: defaultdict(Noisy))
    editions: dict[int, int] = defaultdict(int)
    for dilemma_id, release in released.items():
        sections = loaded[dilemma_id].current.sections
        for chapter_id in {s.chapter_id for s in sections}:
            editions[chapter_id] += 1
            for name in CAPS:
                sums[chapter_id][name].add(release, name, view)
            for section in sections:
                if section.chapter_id == chapter_id:
                    themes[chapter_id][(section.ref, section.title)].add(release, "agreements", view)
    rows = []
    for chapter_id in sorted(editions, key=lambda c: (chapters[c].organisation_id, chapters[c].position)):
        chapter, figures = chapters[chapter_id], sums[chapter_id]
        sessions = count_out(figures["sessions"])
        shift = _mean_shift(figures["shift"], figures["shifted"])
        rows.append(
            {
                "chapter": chapter.number,
                "title": chapter.title,
                "editions": editions[chapter_id],
                "sessions": sessions["count"],
                "sessions_margin": sessions["margin"],
                "sessions_reason": sessions["reason"],
                "mean_shift": shift["mean"],
                "mean_shift_margin": shift["margin"],
                "mean_shift_reason": shift["reason"],
                "themes": [
                    {"ref": ref, "title": title, **_agreements(noisy)}
                    for (ref, title), noisy in sorted(themes[chapter_id].items())
                ],
            }
        )
    return rows


def _agreements(noisy: Noisy) -> dict:
    out = count_out(noisy)
    return {"agreements": out["count"], "margin": out["margin"], "reason": out["reason"]}
