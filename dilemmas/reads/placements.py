"""Where and when a dilemma is visible: placements of scheduled dilemmas in
an organisation's weeks, nearest organisation first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound
from dilemmas.model.content import VISIBLE_STATUSES, Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.reads.memo import remembered
from dilemmas.reads.organisations import chain
from dilemmas.weeks import Week, is_closed, week_of


@dataclass(frozen=True)
class Placement:
    """A dilemma as one organisation sees it: in which week, in which zone."""

    dilemma_id: int
    week: Week
    organisation_id: int
    timezone: str

    def closed(self, now: datetime) -> bool:
        return is_closed(self.week, now, self.timezone)

    @property
    def opens_at(self) -> datetime:
        """The instant (UTC) the week opens in the organisation's zone."""
        return self.week.starts_at(self.timezone)

    @property
    def closes_at(self) -> datetime:
        """The instant (UTC) the week closes: answers are final from then on,
        and the figures after the close exist (they are released on the
        first read after it)."""
        return self.week.ends_at(self.timezone)

    def day_ends_at(self, day: int) -> datetime:
        """The instant (UTC) local day ``day`` (1 = Monday) of the week ends."""
        local = datetime.combine(self.week.monday + timedelta(days=day), time(0), ZoneInfo(self.timezone))
        return local.astimezone(UTC)


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
