"""The comparison an employee sees after answering: their choice next to the
spread of colleagues (everyone, the organisation, each of their teams), what
the code says and how the options relate to it.

Every spread is post-processing of a stored release (``scoring.releases``):
after the week closed, the edition's release after the close; while it is
open, the live figure of everyone (the binary-tree counter over the week's
days), once its first day is over; the organisations wait for the close.
Reading costs one query of the ledger once a process has seen the release."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from dilemmas.employee.answers import Submitted, answers_of
from dilemmas.errors import Conflict
from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.installations import Respondent
from dilemmas.reads.content import content_of
from dilemmas.reads.organisations import OrganisationNode, chain
from dilemmas.reads.placements import visible_placement
from scoring.editions import EditionShift, PreviousEdition, edition_shift, previous_edition_figure
from scoring.releases import Figures, LiveFigure, Release, close_release, live_figure, shown_spread
from scoring.spreads import WEEK_OPEN_SPREAD, Spread, Thresholds, Visibility

ALL_NAME = "Alle collega's"


@dataclass(frozen=True)
class ScopeSpread(Spread):
    scope: str = ""
    name: str = ""


@dataclass(frozen=True)
class CodeText:
    ref: str
    title: str
    text: str


@dataclass(frozen=True)
class Results:
    dilemma_id: int
    week: str
    closed: bool
    my_answer: str | None
    mode: str | None
    difficulty: int | None
    scopes: list[ScopeSpread]
    code: list[CodeText]
    explanation: str
    alignment: dict[str, str] | None
    feedback: dict[str, str] | None
    opens_at: datetime
    closes_at: datetime
    results_at: datetime
    live_until: datetime | None = None
    # The caller's own prediction, shown to them only, open week or closed.
    prediction: dict[str, int] | None = None
    previous_edition: PreviousEdition | None = None
    shift: EditionShift | None = None


def _scope(scope: str, name: str, seen: Visibility) -> ScopeSpread:
    return ScopeSpread(**vars(Spread.of(seen)), scope=scope, name=name)


def spreads(
    release: Release | None, organisations: list[OrganisationNode], live: LiveFigure | None = None
) -> list[ScopeSpread]:
    """The spread for everyone and for each given organisation below the
    root (outermost first), from the release after the close; while the
    week is open (``release`` None), everyone's from the live figure if one
    is out, the organisations' not yet."""
    nested = [o for o in organisations if o.parent_id is not None]

    def seen(scope: str, scope_id: int) -> Visibility:
        if release is None:
            return WEEK_OPEN_SPREAD
        return shown_spread(*Figures(release, scope, scope_id).spread())

    everyone = seen(SCOPE_ALL, 0)
    if release is None and live is not None:
        everyone = replace(shown_spread(live.counts, live.variance), frozen=False)
    result = [_scope(SCOPE_ALL, ALL_NAME, everyone)]
    for organisation in nested:
        result.append(_scope(SCOPE_ORGANISATION, organisation.name, seen(SCOPE_ORGANISATION, organisation.id)))
    return result


def results_for(
    session: Session,
    installation: Respondent,
    dilemma_id: int,
    now: datetime,
    thresholds: Thresholds,
    submitted: Submitted | None = None,
) -> Results:
    """The results of a dilemma for an installation. While the week is open
    they are only for those who answered (Conflict otherwise). ``submitted``:
    the answer this request has just given, with what ``submit`` read."""
    if submitted is not None:
        placement, answer = submitted.placement, submitted.answer
    else:
        placement = visible_placement(session, installation.organisation_id, dilemma_id, now)
        answer = answers_of(session, installation, [dilemma_id]).get(dilemma_id)
    closed = placement.closed(now)
    if answer is None and not closed:
        raise Conflict("Beantwoord eerst het dilemma; daarna zie je hoe collega's antwoordden.", cause="answer-first")
    dilemma = submitted.dilemma if submitted is not None else content_of(session, dilemma_id)
    revision = dilemma.current
    marked = {o.key: o.alignment for o in revision.options if o.alignment}
    feedback = {o.key: o.feedback for o in revision.options if o.feedback}
    organisations = list(reversed(chain(session, installation.organisation_id)))
    release = close_release(session, thresholds.counter_key, placement, now)
    live = live_figure(session, thresholds.counter_key, placement, now) if release is None else None
    scopes = spreads(release, organisations, live)
    previous, shift = None, None
    if release is None and scopes[0].suppressed:
        # Nothing live yet: the last closed edition's spread, if the dilemma ran before.
        previous = previous_edition_figure(session, thresholds.counter_key, dilemma_id, now)
    elif release is not None:
        nested = [(SCOPE_ORGANISATION, o.id, o.name) for o in organisations if o.parent_id is not None]
        shown = [(SCOPE_ALL, 0, ALL_NAME), *nested]
        shift = edition_shift(session, thresholds.counter_key, placement, shown, now)
    return Results(
        dilemma_id=dilemma_id,
        week=str(placement.week),
        closed=closed,
        my_answer=answer.option if answer else None,
        mode=answer.mode if answer else None,
        difficulty=answer.difficulty if answer else None,
        scopes=scopes,
        code=[CodeText(s.ref, s.title, s.text) for s in revision.sections],
        explanation=revision.explanation,
        alignment=marked or None,
        feedback=feedback or None,
        opens_at=placement.opens_at,
        closes_at=placement.closes_at,
        results_at=placement.closes_at,
        live_until=placement.day_ends_at(live.day) if live is not None else None,
        prediction=answer.predicted() if answer else None,
        previous_edition=previous,
        shift=shift,
    )
