"""What the integrity office sees of the teams' meetings, per chapter of
the code of conduct: how many sessions were held (a round revealed), the
mean shift between the rounds, and the themes of the agreements (the code
sections of the dilemmas they were made on), the themes only from teams
of at least ``ANONYMITY_MIN_GROUP`` members. Never a team, a text or a
person."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.model.code import CodeChapter
from dilemmas.model.deliberation import Outcome
from dilemmas.model.meetings import Meeting
from dilemmas.model.teams import Membership
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from scoring.spreads import Thresholds


def by_chapter(session: Session, actor: Actor, thresholds: Thresholds) -> list[dict]:
    """Per chapter: sessions held, mean shift, and agreement themes with
    how many agreements were made on each (analyst)."""
    actor.require("analyst")
    held = session.execute(
        select(Meeting.id, Meeting.team_id, Meeting.dilemma_id, Meeting.shift).where(
            Meeting.organisation_id.in_(actor.scope), Meeting.revealed_round >= 1
        )
    ).all()
    if not held:
        return []
    sizes = dict(
        session.execute(
            select(Membership.team_id, func.count())
            .where(Membership.team_id.in_({m.team_id for m in held}))
            .group_by(Membership.team_id)
        ).all()
    )
    written = select(Outcome.session_id, Outcome.agreements).where(Outcome.session_id.in_([m.id for m in held]))
    agreements = dict(session.execute(written).all())
    dilemmas = with_content(session, list({m.dilemma_id for m in held}))
    chapters = {c.id: c for c in session.scalars(select(CodeChapter))}
    sessions: Counter = Counter()
    shifts: dict[int, list[int]] = defaultdict(list)
    themes: dict[int, Counter] = defaultdict(Counter)
    for meeting in held:
        sections = dilemmas[meeting.dilemma_id].current.sections
        big_enough = sizes.get(meeting.team_id, 0) >= thresholds.min_group
        for chapter_id in {s.chapter_id for s in sections}:
            sessions[chapter_id] += 1
            if meeting.shift is not None:
                shifts[chapter_id].append(meeting.shift)
            made = len(agreements.get(meeting.id) or [])
            if big_enough and made:
                for section in sections:
                    if section.chapter_id == chapter_id:
                        themes[chapter_id][(section.ref, section.title)] += made
    rows = []
    for chapter_id in sorted(sessions, key=lambda c: (chapters[c].organisation_id, chapters[c].position)):
        chapter = chapters[chapter_id]
        values = shifts[chapter_id]
        rows.append(
            {
                "chapter": chapter.number,
                "title": chapter.title,
                "sessions": sessions[chapter_id],
                "mean_shift": round(sum(values) / len(values), 2) if values else None,
                "themes": [
                    {"ref": ref, "title": title, "agreements": count}
                    for (ref, title), count in sorted(themes[chapter_id].items())
                ],
            }
        )
    return rows
