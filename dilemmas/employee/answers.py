"""Answers and the tallies kept beside them.

An answer row holds no installation id, no address and no time: its owner
is ``respondent_key``, derived from the installation's token for this one
dilemma (``employee.keys``), so neither a dump nor the operator with the
server secret can link it to an installation or to another answer. Its day
is the Monday of the week it was given in, nothing finer. The tallies are
changed in the same transaction as the answer, by atomic upserts on a few
shards per counter (one hot row would serialise every answer of a dilemma
on PostgreSQL); readers sum the shards.

An answer counts for everyone and for the answerer's organisation and its
ancestors; it never counts for a team (docs/anonymity.md: a team's spread of
its members' answers cannot be protected), so nothing ties an answer to the
teams of the one who gave it.

Correctness under concurrency rests on the primary key (dilemma,
respondent_key): of two racing first answers exactly one insert wins and
counts; the loser, like any later change, locks the stored row (FOR UPDATE)
before it moves a count from one option to another."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from dilemmas.employee.keys import respondent_key
from dilemmas.errors import Conflict, Invalid
from dilemmas.model.answers import (
    MODE_TEAM,
    SCOPE_ALL,
    SCOPE_ORGANISATION,
    SCOPE_TEAM,
    TALLY_SHARDS,
    Answer,
    AnswerReseal,
    DifficultyTally,
    Tally,
)
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.installations import Respondent
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.reads.content import DilemmaContent, content_of
from dilemmas.reads.organisations import chain
from dilemmas.reads.placements import Placement, visible_placement
from dilemmas.storage.conflicts import add_to_counters, insert_for
from dilemmas.storage.order import rewrite_in_key_order
from dilemmas.weeks import Week, is_closed, week_of


def tally_scopes(session: Session, organisation_id: int) -> list[tuple[str, int]]:
    """The counters one answer feeds: everyone, and the answerer's
    organisation and each ancestor below the root (the root's is everyone)."""
    scopes = [(SCOPE_ALL, 0)]
    scopes += [(SCOPE_ORGANISATION, o.id) for o in chain(session, organisation_id) if o.parent_id is not None]
    return scopes


def _count(session: Session, dilemma_id: int, scopes, mode: str, late: bool, option: str, delta: int) -> None:
    shard = random.randrange(TALLY_SHARDS)
    keys = [
        dict(dilemma_id=dilemma_id, scope=scope, scope_id=scope_id, mode=mode, late=late, option=option, shard=shard)
        for scope, scope_id in scopes
    ]
    add_to_counters(session, Tally, keys, "count", delta)


def _count_difficulty(session: Session, dilemma_id: int, scopes, late: bool, value: int | None, delta: int) -> None:
    if value is None:
        return
    shard = random.randrange(TALLY_SHARDS)
    keys = [
        dict(dilemma_id=dilemma_id, scope=scope, scope_id=scope_id, late=late, value=value, shard=shard)
        for scope, scope_id in scopes
    ]
    add_to_counters(session, DifficultyTally, keys, "count", delta)


def count_team_answer(session: Session, dilemma_id: int, team_id: int, late: bool, option: str) -> None:
    """Count a team's joint answer (mode ``team``) for that team, in the
    caller's transaction."""
    _count(session, dilemma_id, [(SCOPE_TEAM, team_id)], MODE_TEAM, late, option, +1)


@functools.cache
def _insert_answer(dialect: str):
    # Built once (per database): composing it cost more than running it.
    table = Answer.__table__
    statement = insert_for(dialect, table).values(
        {column.name: bindparam(column.name, type_=column.type) for column in table.columns}
    )
    return statement.on_conflict_do_nothing().returning(table.c.respondent_key)


@dataclass(frozen=True)
class Submitted:
    placement: Placement
    dilemma: DilemmaContent
    answer: Answer


def submit(
    session: Session,
    installation: Respondent,
    dilemma_id: int,
    option: str,
    now: datetime,
    mode: str = "alone",
    difficulty: int | None = None,
) -> Submitted:
    """Answer a dilemma, or change the answer while its week is open.

    Repeating the same answer is harmless; a different option after the week
    closed is a Conflict. A first answer after the week closed is accepted
    (the archive stays answerable) and counted as late.
    """
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    placement = visible_placement(session, installation.organisation_id, dilemma_id, now)
    dilemma = content_of(session, dilemma_id)
    key = respondent_key(installation.key_base, dilemma_id)
    closed = placement.closed(now)
    values = dict(
        dilemma_id=dilemma_id,
        respondent_key=key,
        revision_id=dilemma.current.id,
        organisation_id=installation.organisation_id,
        option=option,
        mode=mode,
        difficulty=difficulty,
        answered_on=week_of(now, placement.timezone).monday,
        late=closed,
    )
    inserted = session.connection().execute(_insert_answer(session.get_bind().dialect.name), values).scalar()
    if inserted is not None:
        organisation_scopes = tally_scopes(session, installation.organisation_id)
        _count(session, dilemma_id, organisation_scopes, mode, closed, option, +1)
        _count_difficulty(session, dilemma_id, organisation_scopes, closed, difficulty, +1)
        answer = Answer(**values)  # what was stored, without reading it back
    else:
        stored = _locked_answer(session, dilemma_id, key)
        changed = (stored.option, stored.mode) != (option, mode)
        if changed and closed:
            raise Conflict(
                "De week van dit dilemma is voorbij; je antwoord kan niet meer veranderen.",
                cause="week-closed",
                answer=stored.option,
            )
        rated = not closed and difficulty is not None and difficulty != stored.difficulty
        organisation_scopes = tally_scopes(session, stored.organisation_id) if changed or rated else []
        if changed:
            _count(session, dilemma_id, organisation_scopes, stored.mode, stored.late, stored.option, -1)
            _count(session, dilemma_id, organisation_scopes, mode, stored.late, option, +1)
            stored.option, stored.mode = option, mode
            stored.revision_id = dilemma.current.id
        if rated:
            _count_difficulty(session, dilemma_id, organisation_scopes, stored.late, stored.difficulty, -1)
            _count_difficulty(session, dilemma_id, organisation_scopes, stored.late, difficulty, +1)
            stored.difficulty = difficulty
        answer = stored
    session.commit()
    return Submitted(placement, dilemma, answer)


def _locked_answer(session: Session, dilemma_id: int, key: str) -> Answer:
    # A reseal (``reseal_closed``) may rewrite the row while this waits for
    # its lock; the lock then returns nothing, and asking again finds the
    # rewritten row.
    query = select(Answer).where(Answer.dilemma_id == dilemma_id, Answer.respondent_key == key).with_for_update()
    return session.scalars(query).one_or_none() or session.scalars(query).one()


_ANSWERS = Answer.__table__.c


# Plain Core, built once (see installations.authenticate): every app
# request that shows a dilemma asks for the caller's own answer.
_OWN_ANSWERS = select(_ANSWERS.dilemma_id, _ANSWERS.option, _ANSWERS.mode, _ANSWERS.difficulty).where(
    _ANSWERS.dilemma_id.in_(bindparam("dilemma_ids", expanding=True)),
    _ANSWERS.respondent_key.in_(bindparam("keys", expanding=True)),
)


def answers_of(session: Session, installation: Respondent, dilemma_ids: list[int]) -> dict[int, Row]:
    """The installation's own answers to these dilemmas, by dilemma id:
    rows with ``option``, ``mode`` and ``difficulty``."""
    if not dilemma_ids:
        return {}
    keys = [respondent_key(installation.key_base, d) for d in dilemma_ids]
    rows = session.connection().execute(_OWN_ANSWERS, {"dilemma_ids": list(dilemma_ids), "keys": keys})
    return {row.dilemma_id: row for row in rows}


def reseal_closed(session: Session, now: datetime) -> list[int]:
    """Rewrite the answers of each dilemma whose week has closed in key
    order, once, and say which dilemmas were. PostgreSQL stores rows in the
    order they were written (and a dump keeps that order); afterwards a
    closed week's rows say nothing of who answered first. SQLite keeps them
    in key order anyway (WITHOUT ROWID). Commits per dilemma."""
    done = select(AnswerReseal.dilemma_id)
    candidates = session.execute(
        select(ScheduledWeek.dilemma_id, ScheduledWeek.week, Organisation.timezone)
        .join(Organisation, Organisation.id == ScheduledWeek.organisation_id)
        .where(ScheduledWeek.dilemma_id.not_in(done))
    ).all()
    closed = [d for d, week, zone in candidates if is_closed(Week.parse(week), now, zone)]
    for dilemma_id in closed:
        rewrite_in_key_order(session, Answer.__table__, "dilemma_id", dilemma_id)
        session.add(AnswerReseal(dilemma_id=dilemma_id))
        session.commit()
    return closed
