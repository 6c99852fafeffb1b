"""What an analyst's token may read: the view (everyone for the root's
analysts, else their own organisation and those below it) and the
dilemmas its people saw. The figures come from releases only
(``scoring.releases``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.scope import Actor
from dilemmas.reads.organisations import chain
from dilemmas.reads.placements import Placement
from dilemmas.weeks import Week, week_of, week_range
from scoring.spreads import Spread, Visibility


@dataclass(frozen=True)
class View:
    """Which counters an actor reads: everyone, or their own organisation.
    ``enclosing`` are the groups around it (everyone, then ancestors below
    the root), outermost first."""

    scope: str
    scope_id: int
    organisation: Organisation
    children: list[Organisation]
    enclosing: list[tuple[str, int]]

    @property
    def counters(self) -> list[tuple[str, int]]:
        return [*self.enclosing, (self.scope, self.scope_id), *[(SCOPE_ORGANISATION, o.id) for o in self.children]]


def view_of(session: Session, actor: Actor) -> View:
    actor.require("analyst")
    everyone = {o.id: o for o in session.scalars(select(Organisation))}
    children = [everyone[i] for i in sorted(actor.scope) if i != actor.organisation.id]
    if actor.organisation.parent_id is None:
        return View(SCOPE_ALL, 0, actor.organisation, children, [])
    ancestors = chain(session, actor.organisation.id)[1:]
    enclosing = [(SCOPE_ORGANISATION, o.id) for o in reversed(ancestors) if o.parent_id is not None]
    return View(SCOPE_ORGANISATION, actor.organisation.id, actor.organisation, children, [(SCOPE_ALL, 0), *enclosing])


def week_span(now: datetime, view: View, start: Week | None, end: Week | None) -> list[Week]:
    end = end or week_of(now, view.organisation.timezone)
    return week_range(start or Week.of(end.monday - timedelta(weeks=51)), end)


def scheduled_for(session: Session, view: View, weeks: list[Week] | None = None) -> list[Placement]:
    """Dilemmas the view's people saw: scheduled for the organisation, an
    ancestor or (for the root's analysts) any organisation."""
    organisations = {o.id: o for o in session.scalars(select(Organisation))}
    wanted = {o.id for o in chain(session, view.organisation.id)} | {o.id for o in view.children}
    query = select(ScheduledWeek).where(ScheduledWeek.organisation_id.in_(wanted))
    if weeks is not None:
        query = query.where(ScheduledWeek.week.in_([str(w) for w in weeks]))
    return [
        Placement(
            row.dilemma_id, Week.parse(row.week), row.organisation_id, organisations[row.organisation_id].timezone
        )
        for row in session.scalars(query.order_by(ScheduledWeek.week))
    ]


def spread_out(seen: Visibility) -> dict:
    return asdict(Spread.of(seen))
