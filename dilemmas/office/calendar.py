"""The calendar: scheduling dilemmas on ISO weeks, the year's view with its
gaps, and the start of each week.

An organisation shows the dilemma scheduled for it that week, else its
parent's. When a week starts and the root has nothing scheduled, the next
approved, never-used dilemma of the bank is scheduled for it, exactly once
even when several processes race: the (organisation, week) and (dilemma)
UNIQUE constraints decide, and only the process whose insert won writes the
audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dilemmas.errors import Conflict
from dilemmas.model.content import Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office import audit
from dilemmas.office.authoring import TRANSITIONS, get, refusal
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content
from dilemmas.reads.organisations import chain
from dilemmas.reads.organisations import root as root_organisation
from dilemmas.storage.conflicts import insert_ignoring_conflicts
from dilemmas.weeks import Week, week_of, week_range


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


# Weeks between two editions of a dilemma, unless the settings say otherwise.
EDITION_MIN_WEEKS = 26


def earliest_edition_week(last_week: Week, min_weeks: int) -> Week:
    """The first week a new edition may run after an edition in ``last_week``."""
    return Week.of(last_week.monday + timedelta(weeks=min_weeks))


def _refuse_an_edition_too_soon(session: Session, dilemma: Dilemma, week: Week, min_weeks: int) -> None:
    """A new edition runs at least ``min_weeks`` after the edition it repeats:
    so soon after, the same colleagues would answer from memory."""
    if dilemma.previous_edition_id is None:
        return
    previous = session.scalar(select(ScheduledWeek.week).where(ScheduledWeek.dilemma_id == dilemma.previous_edition_id))
    if previous is None:
        return
    earliest = earliest_edition_week(Week.parse(previous), min_weeks)
    if week < earliest:
        raise Conflict(
            f"Een nieuwe editie kan op zijn vroegst in week {earliest}: {min_weeks} weken na de vorige editie "
            f"(week {previous}).",
            cause="edition-refused",
            reason="too_early",
            earliest_week=str(earliest),
        )


def schedule(
    session: Session,
    actor: Actor,
    now: datetime,
    dilemma_id: int,
    week: Week,
    min_edition_weeks: int = EDITION_MIN_WEEKS,
) -> Dilemma:
    """Put an approved dilemma on a week of its organisation that has not
    started yet; one dilemma per organisation per week, and a new edition
    at least ``min_edition_weeks`` after the one it repeats."""
    step = TRANSITIONS["schedule"]
    actor.require(*step.roles)
    dilemma = get(session, actor, dilemma_id)
    if dilemma.status not in step.sources:
        raise refusal("schedule", dilemma, actor)
    organisation = session.get(Organisation, dilemma.organisation_id)
    if now >= week.starts_at(organisation.timezone):
        raise Conflict(f"Week {week} is al begonnen; plan een latere week.", cause="week-taken", week=str(week))
    _refuse_an_edition_too_soon(session, dilemma, week, min_edition_weeks)
    new_id = insert_ignoring_conflicts(
        session,
        ScheduledWeek,
        dict(organisation_id=organisation.id, week=str(week), dilemma_id=dilemma.id, automatic=False, created_at=now),
    )
    if new_id is None:
        session.rollback()
        taken = session.scalar(
            select(ScheduledWeek.dilemma_id).where(
                ScheduledWeek.organisation_id == organisation.id, ScheduledWeek.week == str(week)
            )
        )
        raise Conflict(
            f"In week {week} staat al een dilemma voor {organisation.name}.",
            cause="week-taken",
            week=str(week),
            taken_by=taken,
        )
    dilemma.status = "scheduled"
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.schedule",
        "dilemma",
        dilemma.id,
        organisation.id,
        before="approved",
        after="scheduled",
        week=str(week),
    )
    session.commit()
    return get(session, actor, dilemma.id)


@dataclass(frozen=True)
class WeekRow:
    week: str
    organisation: Organisation
    dilemma: Dilemma | None
    source: str  # own | automatic | inherited | gap
    inherited_from: str | None


def schedule_view(session: Session, actor: Actor, now: datetime, start: Week | None, end: Week | None) -> list[WeekRow]:
    """Each week of the range for each of the actor's organisations: its
    dilemma (own, automatic from the bank, or inherited from a parent) or a gap."""
    organisations = [o for o in session.scalars(select(Organisation).order_by(Organisation.id)) if actor.sees(o.id)]
    start = start or week_of(now, actor.organisation.timezone)
    end = end or Week.of(start.monday + timedelta(weeks=12))
    weeks = [str(week) for week in week_range(start, end)]
    everyone = {o.id: o for o in session.scalars(select(Organisation))}
    entries = {
        (row.organisation_id, row.week): row
        for row in session.scalars(select(ScheduledWeek).where(ScheduledWeek.week.in_(weeks)))
    }
    loaded = with_content(session, list({row.dilemma_id for row in entries.values()}))
    rows = []
    for week in weeks:
        for organisation in organisations:
            own = entries.get((organisation.id, week))
            if own is not None:
                source = "automatic" if own.automatic else "own"
                rows.append(WeekRow(week, organisation, loaded[own.dilemma_id], source, None))
                continue
            inherited = next(
                ((o.id, entries[(o.id, week)]) for o in chain(session, organisation.id)[1:] if (o.id, week) in entries),
                None,
            )
            if inherited is not None:
                ancestor_id, found = inherited
                source = everyone[ancestor_id].slug
                rows.append(WeekRow(week, organisation, loaded[found.dilemma_id], "inherited", source))
            else:
                rows.append(WeekRow(week, organisation, None, "gap", None))
    return rows
