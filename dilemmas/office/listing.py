"""The office's list of dilemmas: filtered, paged, with each one's week, in a
fixed number of queries (whether it has answers is a release's to say:
``scoring.answered``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.model.content import Category, Dilemma, Revision
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.scope import Actor, organisation_in_scope
from dilemmas.reads.content import with_content
from dilemmas.reads.placements import Placement
from dilemmas.storage.base import page_window
from dilemmas.weeks import Week


def placements_of(session: Session, dilemma_ids: list[int]) -> dict[int, Placement]:
    """Where each of these dilemmas is scheduled, in one query: the week a
    listing shows beside it, and whether that week has closed."""
    if not dilemma_ids:
        return {}
    rows = session.execute(
        select(ScheduledWeek.dilemma_id, ScheduledWeek.week, Organisation.id, Organisation.timezone)
        .join(Organisation, Organisation.id == ScheduledWeek.organisation_id)
        .where(ScheduledWeek.dilemma_id.in_(dilemma_ids))
    ).all()
    return {d: Placement(d, Week.parse(week), org, zone) for d, week, org, zone in rows}


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
