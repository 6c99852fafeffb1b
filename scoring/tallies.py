"""What an analyst's token may read, and the tallies behind it: the view
(everyone for the root's analysts, else their own organisation, checked
against the groups around it), the dilemmas its people saw, and the
counters of many dilemmas in one query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION, Tally
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.scope import Actor
from dilemmas.reads.organisations import chain
from dilemmas.reads.placements import Placement
from dilemmas.weeks import Week, week_of, week_range
from scoring.spreads import (
    Spread,
    Thresholds,
    Visibility,
    nested_visibility,
    visibility,
)


@dataclass(frozen=True)
class View:
    """Which counters an actor reads: everyone, or their own organisation.
    ``enclosing`` are the counters of the groups around it (everyone, then
    ancestors below the root), outermost first: a child's figures are
    checked against them so that no one can subtract one from the other."""

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


@dataclass
class Counts:
    """Tallies of one dilemma in one counter, by (mode, option): only the
    answers given while the dilemma's week was open (docs/anonymity.md)."""

    cells: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def spread(self, mode: str | None = None) -> list[int]:
        return [
            sum(n for (m, o), n in self.cells.items() if o == option and (mode is None or m == mode))
            for option in OPTION_KEYS
        ]

    def total(self, mode: str | None = None) -> int:
        return sum(self.spread(mode))


def tallies_of(
    session: Session, dilemma_ids: list[int], scopes: list[tuple[str, int]]
) -> dict[tuple[int, str, int], Counts]:
    """One query for the counters of many dilemmas: the answers given while
    each dilemma's week was open. Late answers are counted in the tallies
    but never read here, so no figure moves after the week closed."""
    result: dict[tuple[int, str, int], Counts] = defaultdict(Counts)
    if not dilemma_ids or not scopes:
        return result
    rows = session.execute(
        select(Tally.dilemma_id, Tally.scope, Tally.scope_id, Tally.mode, Tally.option, func.sum(Tally.count))
        .where(
            Tally.dilemma_id.in_(dilemma_ids),
            Tally.late.is_(False),
            or_(*[and_(Tally.scope == scope, Tally.scope_id == scope_id) for scope, scope_id in scopes]),
        )
        .group_by(Tally.dilemma_id, Tally.scope, Tally.scope_id, Tally.mode, Tally.option)
    )
    for dilemma_id, scope, scope_id, mode, option, count in rows:
        result[(dilemma_id, scope, scope_id)].cells[(mode, option)] += int(count or 0)
    return result


def visibility_of(counts: Counts, closed: bool, thresholds: Thresholds) -> Visibility:
    return visibility(counts.spread(), closed, thresholds)


def view_visibility(tallies, dilemma_id: int, view: View, closed: bool, thresholds: Thresholds) -> Visibility:
    """The view's own spread, checked against every group around it."""
    seen = None
    for scope, scope_id in [*view.enclosing, (view.scope, view.scope_id)]:
        inner = visibility_of(tallies[(dilemma_id, scope, scope_id)], closed, thresholds)
        if seen is None:
            seen = inner
            continue
        checked = nested_visibility(seen, inner, thresholds)
        if (scope, scope_id) == (view.scope, view.scope_id):
            return checked
        if not checked.suppressed:
            seen = checked
    return seen


def totals_around(tallies, dilemma_id: int, view: View, pick) -> list[int]:
    return [pick(tallies[(dilemma_id, scope, scope_id)]) for scope, scope_id in view.enclosing]


def spread_out(seen: Visibility) -> dict:
    return asdict(Spread.of(seen))
