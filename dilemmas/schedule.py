"""The week schedule: which dilemma an organisation shows in which ISO week.

An organisation shows the dilemma scheduled for it that week, else its
parent's. When a week starts and the root has nothing scheduled, the next
approved, never-used dilemma of the bank is scheduled for it, exactly once
even when several processes race: the (organisation, week) and (dilemma)
UNIQUE constraints decide, and only the process whose insert won writes the
audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, and_, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dilemmas import audit
from dilemmas.base import Base
from dilemmas.dilemmas import VISIBLE_STATUSES, Dilemma
from dilemmas.errors import NotFound
from dilemmas.memo import remembered
from dilemmas.organisations import Organisation, chain
from dilemmas.organisations import root as root_organisation
from dilemmas.upsert import insert_ignoring_conflicts
from dilemmas.weeks import Week, is_closed, week_of


class ScheduledWeek(Base):
    __tablename__ = "schedule"
    __table_args__ = (
        UniqueConstraint("organisation_id", "week"),
        UniqueConstraint("dilemma_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    week: Mapped[str] = mapped_column(String(8), index=True)
    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"))
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


@dataclass(frozen=True)
class Placement:
    """A dilemma as one organisation sees it: in which week, in which zone."""

    dilemma_id: int
    week: Week
    organisation_id: int
    timezone: str

    def closed(self, now: datetime) -> bool:
        return is_closed(self.week, now, self.timezone)


def _placements(
    session: Session, organisation_id: int, now: datetime, *, current_only: bool, dilemma_id: int | None = None
) -> tuple[Placement, ...]:
    """The placements visible to the organisation, nearest first: newest
    week first, and within a week the organisation's own before its
    parent's. Remembered per process while the content does not change
    (the weeks of ``now`` are part of the key)."""
    orgs = chain(session, organisation_id)
    weeks = tuple(str(week_of(now, org.timezone)) for org in orgs)

    def load() -> tuple[Placement, ...]:
        conditions = []
        for org, this_week in zip(orgs, weeks, strict=True):
            week_condition = ScheduledWeek.week == this_week if current_only else ScheduledWeek.week <= this_week
            conditions.append(and_(ScheduledWeek.organisation_id == org.id, week_condition))
        query = (
            select(ScheduledWeek.dilemma_id, ScheduledWeek.week, ScheduledWeek.organisation_id)
            .join(Dilemma, Dilemma.id == ScheduledWeek.dilemma_id)
            .where(or_(*conditions), Dilemma.status.in_(VISIBLE_STATUSES))
        )
        if dilemma_id is not None:
            query = query.where(ScheduledWeek.dilemma_id == dilemma_id)
        zones = {o.id: o.timezone for o in orgs}
        nearness = {o.id: i for i, o in enumerate(orgs)}
        placements = [Placement(d, Week.parse(w), o, zones[o]) for d, w, o in session.execute(query)]
        return tuple(sorted(placements, key=lambda p: (p.week, -nearness[p.organisation_id]), reverse=True))

    return remembered(session, ("placements", organisation_id, weeks, current_only, dilemma_id), load)


def current_placement(session: Session, organisation_id: int, now: datetime) -> Placement | None:
    """This week's dilemma for the organisation, falling back to its parent's."""
    placements = _placements(session, organisation_id, now, current_only=True)
    if not placements:
        return None
    # The organisations' weeks may differ (time zones): nearest wins, not newest.
    nearness = {o.id: i for i, o in enumerate(chain(session, organisation_id))}
    return min(placements, key=lambda p: nearness[p.organisation_id])


def visible_placements(session: Session, organisation_id: int, now: datetime) -> tuple[Placement, ...]:
    """Every dilemma whose week has started for the organisation or an
    ancestor, newest week first."""
    return _placements(session, organisation_id, now, current_only=False)


def visible_placement(session: Session, organisation_id: int, dilemma_id: int, now: datetime) -> Placement:
    """The dilemma as the organisation sees it; NotFound when it may not."""
    placements = _placements(session, organisation_id, now, current_only=False, dilemma_id=dilemma_id)
    if not placements:
        raise NotFound("Dit dilemma bestaat niet of is (nog) niet zichtbaar voor jou.")
    return placements[0]


def placement_of(session: Session, dilemma_id: int) -> Placement | None:
    """Where a dilemma is scheduled, whoever looks."""
    row = session.execute(
        select(ScheduledWeek.week, Organisation.id, Organisation.timezone)
        .join(Organisation, Organisation.id == ScheduledWeek.organisation_id)
        .where(ScheduledWeek.dilemma_id == dilemma_id)
    ).first()
    return Placement(dilemma_id, Week.parse(row[0]), row[1], row[2]) if row else None


def next_from_bank(session: Session, organisation: Organisation) -> Dilemma | None:
    """The approved, never-scheduled bank dilemma to use next: the category
    that was used least recently first (never used before all), then the
    bank's order."""
    last_used = (
        select(Dilemma.category_id, func.max(ScheduledWeek.week).label("last_week"))
        .join(ScheduledWeek, ScheduledWeek.dilemma_id == Dilemma.id)
        .where(ScheduledWeek.organisation_id == organisation.id)
        .group_by(Dilemma.category_id)
        .subquery()
    )
    scheduled = select(ScheduledWeek.dilemma_id)
    return session.scalar(
        select(Dilemma)
        .outerjoin(last_used, last_used.c.category_id == Dilemma.category_id)
        .where(
            Dilemma.organisation_id == organisation.id,
            Dilemma.status == "approved",
            Dilemma.bank_position.is_not(None),
            Dilemma.id.not_in(scheduled),
        )
        .order_by(
            last_used.c.last_week.is_not(None),
            last_used.c.last_week,
            Dilemma.bank_position,
            Dilemma.id,
        )
        .limit(1)
    )


def publish_started(session: Session, organisation: Organisation, now: datetime) -> int:
    """Scheduled dilemmas of the organisation whose week has started become
    published; returns how many did."""
    this_week = str(week_of(now, organisation.timezone))
    started = select(ScheduledWeek.dilemma_id).where(
        ScheduledWeek.organisation_id == organisation.id, ScheduledWeek.week <= this_week
    )
    result = session.execute(
        update(Dilemma)
        .where(Dilemma.status == "scheduled", Dilemma.id.in_(started))
        .values(status="published")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def fill_week(session: Session, organisation: Organisation, now: datetime) -> ScheduledWeek | None:
    """Schedule a bank dilemma when the organisation's current week is empty.

    Returns the new entry when this call scheduled one; None when the week
    was already filled (possibly by a racing process) or the bank is empty.
    The caller commits.
    """
    week = str(week_of(now, organisation.timezone))
    for _ in range(3):
        exists = session.scalar(
            select(ScheduledWeek.id).where(ScheduledWeek.organisation_id == organisation.id, ScheduledWeek.week == week)
        )
        if exists is not None:
            return None
        candidate = next_from_bank(session, organisation)
        if candidate is None:
            return None
        new_id = insert_ignoring_conflicts(
            session,
            ScheduledWeek,
            dict(
                organisation_id=organisation.id,
                week=week,
                dilemma_id=candidate.id,
                automatic=True,
                created_at=now,
            ),
        )
        if new_id is not None:
            candidate.status = "published"
            audit.record(
                session,
                now,
                actor="system",
                action="schedule.automatic",
                object_type="dilemma",
                object_id=candidate.id,
                organisation_id=organisation.id,
                week=week,
                slug=candidate.slug,
            )
            return session.get(ScheduledWeek, new_id)
        # Lost a race: either the week is now filled (seen on the next loop)
        # or the candidate went to another week; try again.
    return None


def begin_week(session: Session, now: datetime) -> ScheduledWeek | None:
    """Begin the current week: publish every scheduled dilemma whose week has
    started and fill the root's empty week from the bank. Commits; returns
    the entry this call scheduled, if any. Safe to run from many processes."""
    for organisation in session.scalars(select(Organisation)):
        publish_started(session, organisation, now)
    filled = fill_week(session, root_organisation(session), now)
    session.commit()
    return filled


class WeekKeeper:
    """Runs ``begin_week`` once per process per week, so a request costs no
    queries for it after the first of the week."""

    def __init__(self) -> None:
        self._done: set[str] = set()
        self._timezone: str | None = None

    def has_begun(self, now: datetime) -> bool:
        """Whether this process has begun ``now``'s week (no query)."""
        return self._timezone is not None and str(week_of(now, self._timezone)) in self._done

    def ensure(self, session: Session, now: datetime) -> None:
        if self._timezone is None:
            self._timezone = root_organisation(session).timezone
        week = str(week_of(now, self._timezone))
        if week not in self._done:
            begin_week(session, now)
            self._done.add(week)
