"""The comparison an employee sees after answering: their choice next to the
spread of colleagues (everyone, the organisation, each of their teams), what
the code says and how the options relate to it.

Reading a spread costs one query over the tally table, whatever the number
of answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from dilemmas.employee.answers import Submitted, answers_of
from dilemmas.errors import Conflict
from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION, Tally
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.installations import Respondent
from dilemmas.reads.content import content_of
from dilemmas.reads.organisations import OrganisationNode, chain
from dilemmas.reads.placements import visible_placement
from scoring.spreads import (
    Spread,
    Thresholds,
    Visibility,
    nested_visibility,
    visibility,
)

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


def _scope(scope: str, name: str, seen: Visibility) -> ScopeSpread:
    return ScopeSpread(**vars(Spread.of(seen)), scope=scope, name=name)


_TALLIES = Tally.__table__.c
# Plain Core, built once: every results request runs it. Only the answers
# given while the week was open are ever shown (docs/anonymity.md).
_SCOPE_TALLIES = (
    select(_TALLIES.scope, _TALLIES.scope_id, _TALLIES.option, func.sum(_TALLIES.count))
    .where(
        _TALLIES.dilemma_id == bindparam("dilemma_id"),
        _TALLIES.late.is_(False),
        or_(
            _TALLIES.scope == SCOPE_ALL,
            and_(
                _TALLIES.scope == SCOPE_ORGANISATION,
                _TALLIES.scope_id.in_(bindparam("organisation_ids", expanding=True)),
            ),
        ),
    )
    .group_by(_TALLIES.scope, _TALLIES.scope_id, _TALLIES.option)
)


def spreads(
    session: Session, dilemma_id: int, organisations: list[OrganisationNode], closed: bool, thresholds: Thresholds
) -> list[ScopeSpread]:
    """The spread for everyone and for each given organisation below the
    root (outermost first), with every anonymity rule applied."""
    nested = [o for o in organisations if o.parent_id is not None]
    counts: dict[tuple[str, int], list[int]] = {}
    if closed:
        parameters = {"dilemma_id": dilemma_id, "organisation_ids": [o.id for o in nested]}
        for scope, scope_id, option, total in session.connection().execute(_SCOPE_TALLIES, parameters):
            counts.setdefault((scope, scope_id), [0] * len(OPTION_KEYS))[OPTION_KEYS.index(option)] += int(total)

    def seen(scope: str, scope_id: int) -> Visibility:
        return visibility(counts.get((scope, scope_id), [0] * len(OPTION_KEYS)), closed, thresholds)

    outer = seen(SCOPE_ALL, 0)
    result = [_scope(SCOPE_ALL, ALL_NAME, outer)]
    for organisation in nested:
        inner = nested_visibility(outer, seen(SCOPE_ORGANISATION, organisation.id), thresholds)
        result.append(_scope(SCOPE_ORGANISATION, organisation.name, inner))
        if not inner.suppressed:
            outer = inner
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
    return Results(
        dilemma_id=dilemma_id,
        week=str(placement.week),
        closed=closed,
        my_answer=answer.option if answer else None,
        mode=answer.mode if answer else None,
        difficulty=answer.difficulty if answer else None,
        scopes=spreads(session, dilemma_id, organisations, closed, thresholds),
        code=[CodeText(s.ref, s.title, s.text) for s in revision.sections],
        explanation=revision.explanation,
        alignment=marked or None,
        feedback=feedback or None,
    )
