"""The office's list of dilemmas: filtered, paged, with each one's week and
whether it has answers, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from dilemmas.model.answers import Answer
from dilemmas.model.content import Category, Dilemma, Revision
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.scope import Actor, organisation_in_scope
from dilemmas.reads.content import with_content
from dilemmas.storage.base import page_window
from dilemmas.weeks import Week, is_closed


@dataclass(frozen=True)
class Facts:
    """What an admin listing shows beside a dilemma's content."""

    week: str | None
    answered: bool


def facts_of(session: Session, dilemma_ids: list[int], now: datetime) -> dict[int, Facts]:
    """Week and 'has answers' for many dilemmas in a few queries (a semi-join
    that stops at the first answer of each, whatever their number). While a
    dilemma's week is open ``answered`` is False whatever happened: the flag
    flipping at the week's first answer told who answered first."""
    if not dilemma_ids:
        return {}
    weeks = dict(
        session.execute(
            select(ScheduledWeek.dilemma_id, ScheduledWeek.week).where(ScheduledWeek.dilemma_id.in_(dilemma_ids))
        ).all()
    )
    answered = set(
        session.scalars(
            select(Dilemma.id).where(Dilemma.id.in_(dilemma_ids), exists().where(Answer.dilemma_id == Dilemma.id))
        )
    )
    zones = dict(
        session.execute(
            select(ScheduledWeek.dilemma_id, Organisation.timezone)
            .join(Organisation, Organisation.id == ScheduledWeek.organisation_id)
            .where(ScheduledWeek.dilemma_id.in_(dilemma_ids))
        ).all()
    )

    def shown(i: int) -> bool:
        week = weeks.get(i)
        return i in answered and (week is None or is_closed(Week.parse(week), now, zones[i]))

    return {i: Facts(weeks.get(i), shown(i)) for i in dilemma_ids}


@dataclass
class Listing:
    items: list[Dilemma]
    total: int


def search(
    session: Session,
    actor: Actor,
    page: int,
    page_size: int,
    status: str | None = None,
    category: str | None = None,
    organisation: str | None = None,
    week_from: Week | None = None,
    week_to: Week | None = None,
    needs_review: bool | None = None,
    text: str | None = None,
    audience: str | None = None,
) -> Listing:
    """The dilemmas of the actor's organisations, newest first, filtered;
    ``text`` is found in any revision's title or situation."""
    query = select(Dilemma.id).where(Dilemma.organisation_id.in_(actor.scope))
    if text and text.strip():
        pattern = "%" + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = select(Revision.dilemma_id).where(
            func.lower(Revision.title).like(pattern, escape="\\")
            | func.lower(Revision.situation).like(pattern, escape="\\")
        )
        query = query.where(Dilemma.id.in_(found))
    if audience:
        query = query.where(Dilemma.audience == audience)
    if status:
        query = query.where(Dilemma.status == status)
    if category:
        query = query.join(Category, Category.id == Dilemma.category_id).where(Category.slug == category)
    if organisation:
        query = query.where(Dilemma.organisation_id == organisation_in_scope(session, actor, organisation).id)
    if needs_review is not None:
        query = query.where(Dilemma.needs_review.is_(needs_review))
    if week_from or week_to:
        query = query.join(ScheduledWeek, ScheduledWeek.dilemma_id == Dilemma.id)
        if week_from:
            query = query.where(ScheduledWeek.week >= str(week_from))
        if week_to:
            query = query.where(ScheduledWeek.week <= str(week_to))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    offset, limit = page_window(page, page_size)
    ids = list(session.scalars(query.order_by(Dilemma.id.desc()).offset(offset).limit(limit)))
    loaded = with_content(session, ids)
    return Listing([loaded[i] for i in ids], total or 0)
