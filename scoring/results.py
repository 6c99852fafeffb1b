"""The comparison an employee sees after answering: their choice next to the
spread of colleagues (everyone, the organisation, each of their teams), what
the code says and how the options relate to it.

Reading a spread costs one query over the tally table, whatever the number
of answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from dilemmas.employee.answers import Submitted, answers_of
from dilemmas.employee.teams import teams_of
from dilemmas.errors import Conflict
from dilemmas.model.answers import MODE_TEAM, SCOPE_ALL, SCOPE_ORGANISATION, SCOPE_TEAM, Answer, AnswerTeam, Tally
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.installations import Respondent
from dilemmas.reads.content import content_of
from dilemmas.reads.organisations import OrganisationNode, chain
from dilemmas.reads.placements import visible_placement
from scoring.spreads import (
    TOO_FEW_ANSWERS,
    Spread,
    Thresholds,
    Visibility,
    nested_visibility,
    overlap_allows,
    team_visibility,
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


def shared_answers(session: Session, dilemma_id: int, team_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """For each of ``team_ids`` and every other team: how many answers given
    while the week was open count for both. Reads the teams' answer links,
    so it costs as much as the teams are large, never the whole dilemma."""
    mine, other = aliased(AnswerTeam), aliased(AnswerTeam)
    rows = session.execute(
        select(mine.team_id, other.team_id, func.count())
        .select_from(mine)
        .join(
            other,
            and_(
                other.dilemma_id == mine.dilemma_id,
                other.respondent_key == mine.respondent_key,
                other.team_id != mine.team_id,
            ),
        )
        .join(Answer, and_(Answer.dilemma_id == mine.dilemma_id, Answer.respondent_key == mine.respondent_key))
        .where(mine.dilemma_id == dilemma_id, mine.team_id.in_(list(team_ids)), Answer.late.is_(False))
        .group_by(mine.team_id, other.team_id)
    ).all()
    return {(team_id, other_id): int(count) for team_id, other_id, count in rows}


_TALLIES = Tally.__table__.c
# Plain Core, built once: every answer and every results request runs it.
_SCOPE_TALLIES = (
    select(_TALLIES.scope, _TALLIES.scope_id, _TALLIES.late, _TALLIES.option, func.sum(_TALLIES.count))
    .where(
        _TALLIES.dilemma_id == bindparam("dilemma_id"),
        or_(
            _TALLIES.scope == SCOPE_ALL,
            and_(
                _TALLIES.scope == SCOPE_ORGANISATION,
                _TALLIES.scope_id.in_(bindparam("organisation_ids", expanding=True)),
            ),
            and_(
                _TALLIES.scope == SCOPE_TEAM,
                _TALLIES.scope_id.in_(bindparam("team_ids", expanding=True)),
                _TALLIES.mode != MODE_TEAM,
            ),
        ),
    )
    .group_by(_TALLIES.scope, _TALLIES.scope_id, _TALLIES.late, _TALLIES.option)
)


def spreads(
    session: Session,
    dilemma_id: int,
    organisations: list[OrganisationNode],
    closed: bool,
    thresholds: Thresholds,
    teams: Sequence[Row] = (),
) -> list[ScopeSpread]:
    """The spread for everyone, for each given organisation below the root
    (outermost first) and for each given team, with every anonymity rule
    applied. A team's spread counts its members' own answers; its joint
    answers (mode ``team``) are not part of it."""
    nested = [o for o in organisations if o.parent_id is not None]
    shared = shared_answers(session, dilemma_id, [t.id for t in teams]) if teams and closed else {}
    team_ids = {t.id for t in teams} | {other for _, other in shared}
    parameters = {"dilemma_id": dilemma_id, "organisation_ids": [o.id for o in nested], "team_ids": sorted(team_ids)}
    rows = session.connection().execute(_SCOPE_TALLIES, parameters).all()
    counts: dict[tuple[str, int], dict[bool, list[int]]] = {}
    for scope, scope_id, late, option, total in rows:
        split = counts.setdefault((scope, scope_id), {False: [0] * 4, True: [0] * 4})
        split[bool(late)][OPTION_KEYS.index(option)] += int(total)

    def split_of(scope: str, scope_id: int) -> dict[bool, list[int]]:
        return counts.get((scope, scope_id), {False: [0] * 4, True: [0] * 4})

    def seen(scope: str, scope_id: int) -> Visibility:
        split = split_of(scope, scope_id)
        return visibility(split[False], split[True], closed, thresholds)

    def seen_team(team_id: int) -> Visibility:
        return team_visibility(split_of(SCOPE_TEAM, team_id)[False], closed, thresholds)

    outer = seen(SCOPE_ALL, 0)
    result = [_scope(SCOPE_ALL, ALL_NAME, outer)]
    for organisation in nested:
        inner = nested_visibility(outer, seen(SCOPE_ORGANISATION, organisation.id), thresholds)
        result.append(_scope(SCOPE_ORGANISATION, organisation.name, inner))
        if not inner.suppressed:
            outer = inner

    def clashes(team_id: int, total: int) -> bool:
        for (mine, other_id), both in shared.items():
            other = seen_team(other_id)
            if mine == team_id and not other.suppressed and not overlap_allows(total, other.total, both, thresholds):
                return True
        return False

    for team in teams:
        inner = nested_visibility(outer, seen_team(team.id), thresholds)
        if not inner.suppressed and clashes(team.id, inner.total):
            inner = Visibility(None, TOO_FEW_ANSWERS)
        result.append(_scope(SCOPE_TEAM, team.name, inner))
    return result


def results_for(
    session: Session,
    secret_key: bytes,
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
        answer = answers_of(session, secret_key, installation, [dilemma_id]).get(dilemma_id)
    closed = placement.closed(now)
    if answer is None and not closed:
        raise Conflict("Beantwoord eerst het dilemma; daarna zie je hoe collega's antwoordden.")
    if submitted is not None:
        dilemma, installation_teams = submitted.dilemma, submitted.teams
    else:
        dilemma, installation_teams = content_of(session, dilemma_id), teams_of(session, installation)
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
        scopes=spreads(session, dilemma_id, organisations, closed, thresholds, installation_teams),
        code=[CodeText(s.ref, s.title, s.text) for s in revision.sections],
        explanation=revision.explanation,
        alignment=marked or None,
        feedback=feedback or None,
    )
