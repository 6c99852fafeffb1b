"""Answers and the counts kept beside them.

An answer row holds the dilemma, ``respondent_key`` (derived from the
installation's token for this one dilemma, ``employee.keys``) and
``sealed``: option, mode, difficulty, organisation, lateness and the
prediction in a fixed-length record sealed (``dilemmas.sealing``) under a key derived from
the same key base. Without the token nobody, the operator with the server
secret included, can open a row or link it to an installation or to
another answer; the row's order, its ``xmin`` and the WAL say only that
some pseudonym answered something. The counts of the edition are one
sealed vector (``dilemmas.counters``), changed in the same transaction.

An answer counts for everyone and for the answerer's organisation and its
ancestors; it never counts for a team (docs/anonymity.md), and the live
counter counts each installation's first answer on the day it was given.

A prediction (the share of colleagues the answerer expects on each option,
whole percentages adding up to 100) is given with the first answer and
then fixed: the answer's response shows the live figure, and a guess made
after seeing it would measure the figure, not the belief. Its counts are
the sums of predicted percentages per option, for everyone and on-time
answers only: one prediction adds exactly 100 to them, so the number of
predictions is their total / 100 and costs no budget of its own
(``scoring.misperception``).

Correctness under concurrency rests on the primary key (dilemma,
respondent_key): of two racing first answers exactly one insert wins and
counts; the loser, like any later change, locks the stored row (FOR UPDATE)
and then the counters' row."""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dilemmas import counters
from dilemmas.employee.keys import respondent_key
from dilemmas.errors import Conflict, Invalid
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION, Answer
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.installations import Respondent
from dilemmas.reads.content import DilemmaContent, content_of
from dilemmas.reads.organisations import chain
from dilemmas.reads.placements import Placement, visible_placement
from dilemmas.sealing import derive, seal, unseal
from dilemmas.storage.conflicts import insert_for
from dilemmas.weeks import local_day

PREDICTION_KEYS = f"Geef een heel percentage voor elk van de opties {', '.join(OPTION_KEYS)}."
PREDICTION_SUM = "Hele percentages van 0 tot 100 die samen precies 100 zijn."


def tally_scopes(session: Session, organisation_id: int) -> list[tuple[str, int]]:
    """The scopes one answer counts in: everyone, and the answerer's
    organisation and each ancestor below the root (the root's is everyone)."""
    scopes = [(SCOPE_ALL, 0)]
    scopes += [(SCOPE_ORGANISATION, o.id) for o in chain(session, organisation_id) if o.parent_id is not None]
    return scopes


Prediction = tuple[int, ...]  # percentages per option, in OPTION_KEYS order


@dataclass(frozen=True)
class Sealed:
    """What an answer row holds, only ever sealed: a fixed-length record so
    that the row's size says nothing either."""

    option: str
    mode: str
    difficulty: int | None
    organisation_id: int
    late: bool
    prediction: Prediction | None = None

    # version, option, mode, difficulty (0: none), late, organisation, the
    # prediction's percentages (all 0: none, which no prediction adds up to)
    _FORMAT = ">BBBBBI4B3x"

    def pack(self) -> bytes:
        return struct.pack(
            self._FORMAT,
            1,
            OPTION_KEYS.index(self.option),
            MODES.index(self.mode),
            self.difficulty or 0,
            int(self.late),
            self.organisation_id,
            *(self.prediction or (0,) * len(OPTION_KEYS)),
        )

    @classmethod
    def unpack(cls, plain: bytes) -> Sealed:
        _, option, mode, difficulty, late, organisation_id, *shares = struct.unpack(cls._FORMAT, plain)
        prediction = tuple(shares) if any(shares) else None
        return cls(OPTION_KEYS[option], MODES[mode], difficulty or None, organisation_id, bool(late), prediction)

    def predicted(self) -> dict[str, int] | None:
        """The prediction by option key, or None."""
        return dict(zip(OPTION_KEYS, self.prediction, strict=True)) if self.prediction else None


def prediction_of(given: dict[str, int] | None) -> Prediction | None:
    """A prediction as stored, after checking it: every option key once,
    whole percentages from 0 to 100 that add up to 100 (Invalid otherwise)."""
    if given is None:
        return None
    if not isinstance(given, dict) or set(given) != set(OPTION_KEYS):
        raise Invalid("Een inschatting heeft een percentage per optie.", {"prediction": [PREDICTION_KEYS]})
    shares = tuple(given[k] for k in OPTION_KEYS)
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100 for v in shares) or sum(shares) != 100:
        raise Invalid("Een inschatting telt op tot 100 procent.", {"prediction": [PREDICTION_SUM]})
    return shares


def _answer_key(base: bytes, dilemma_id: int) -> bytes:
    return derive(base, "answer seal", str(dilemma_id))


def _seal(base: bytes, dilemma_id: int, key: str, answer: Sealed) -> bytes:
    return seal(_answer_key(base, dilemma_id), answer.pack(), key.encode())


def _unseal(base: bytes, dilemma_id: int, key: str, sealed: bytes) -> Sealed:
    return Sealed.unpack(unseal(_answer_key(base, dilemma_id), sealed, key.encode()))


def _deltas(session: Session, answer: Sealed, sign: int, first_day: int | None = None):
    """The counts one answer adds (sign +1) or takes away (-1)."""
    late = int(answer.late)
    for scope, scope_id in tally_scopes(session, answer.organisation_id):
        yield (counters.OPTION, scope, scope_id, answer.mode, late, answer.option), sign
        if answer.difficulty is not None:
            yield (counters.RATING, scope, scope_id, late, answer.difficulty), sign
    if first_day is not None:
        yield (counters.FIRST, first_day, answer.option), sign
    if answer.prediction is not None and not answer.late:
        for option, share in zip(OPTION_KEYS, answer.prediction, strict=True):
            yield (counters.PREDICTED, option), sign * share


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
    answer: Sealed


def submit(
    session: Session,
    installation: Respondent,
    dilemma_id: int,
    option: str,
    now: datetime,
    mode: str = "alone",
    difficulty: int | None = None,
    prediction: dict[str, int] | None = None,
) -> Submitted:
    """Answer a dilemma, or change the answer while its week is open.

    Repeating the same answer is harmless; a different option after the week
    closed is a Conflict. A first answer after the week closed is accepted
    (the archive stays answerable) and counted as late. ``prediction`` is
    taken with the first answer; later, sending the same one again is
    harmless, another one a Conflict (``prediction-fixed``).
    """
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    predicted = prediction_of(prediction)
    placement = visible_placement(session, installation.organisation_id, dilemma_id, now)
    dilemma = content_of(session, dilemma_id)
    base = installation.key_base
    key = respondent_key(base, dilemma_id)
    closed = placement.closed(now)
    given = Sealed(option, mode, difficulty, installation.organisation_id, closed, predicted)
    values = dict(dilemma_id=dilemma_id, respondent_key=key, sealed=_seal(base, dilemma_id, key, given))
    inserted = session.connection().execute(_insert_answer(session.get_bind().dialect.name), values).scalar()
    if inserted is not None:
        # The live counter counts first answers per day of the week (docs/anonymity.md).
        day = None if closed else (local_day(now, placement.timezone) - placement.week.monday).days
        counters.change(session, installation.counter_key, dilemma_id, _deltas(session, given, +1, day))
        answer = given
    else:
        row = _locked_answer(session, dilemma_id, key)
        stored = _unseal(base, dilemma_id, key, row.sealed)
        if predicted is not None and predicted != stored.prediction:
            raise Conflict(
                "Je inschatting geef je bij je eerste antwoord; daarna staat ze vast.",
                cause="prediction-fixed",
            )
        changed = (stored.option, stored.mode) != (option, mode)
        if changed and closed:
            raise Conflict(
                "De week van dit dilemma is voorbij; je antwoord kan niet meer veranderen.",
                cause="week-closed",
                answer=stored.option,
            )
        rated = not closed and difficulty is not None and difficulty != stored.difficulty
        answer = stored
        if changed or rated:
            answer = Sealed(
                option if changed else stored.option,
                mode if changed else stored.mode,
                difficulty if rated else stored.difficulty,
                stored.organisation_id,
                stored.late,
                stored.prediction,
            )
            deltas = [*_deltas(session, stored, -1), *_deltas(session, answer, +1)]
            counters.change(session, installation.counter_key, dilemma_id, deltas)
            row.sealed = _seal(base, dilemma_id, key, answer)
    session.commit()
    return Submitted(placement, dilemma, answer)


def _locked_answer(session: Session, dilemma_id: int, key: str) -> Answer:
    query = select(Answer).where(Answer.dilemma_id == dilemma_id, Answer.respondent_key == key).with_for_update()
    return session.scalars(query).one()


_ANSWERS = Answer.__table__.c


# Plain Core, built once (see installations.authenticate): every app
# request that shows a dilemma asks for the caller's own answer.
_OWN_ANSWERS = select(_ANSWERS.dilemma_id, _ANSWERS.respondent_key, _ANSWERS.sealed).where(
    _ANSWERS.dilemma_id.in_(bindparam("dilemma_ids", expanding=True)),
    _ANSWERS.respondent_key.in_(bindparam("keys", expanding=True)),
)


def answers_of(session: Session, installation: Respondent, dilemma_ids: list[int]) -> dict[int, Sealed]:
    """The installation's own answers to these dilemmas, by dilemma id,
    opened with its key base: ``option``, ``mode``, ``difficulty`` and
    ``prediction``."""
    if not dilemma_ids:
        return {}
    base = installation.key_base
    keys = [respondent_key(base, d) for d in dilemma_ids]
    rows = session.connection().execute(_OWN_ANSWERS, {"dilemma_ids": list(dilemma_ids), "keys": keys})
    return {row.dilemma_id: _unseal(base, row.dilemma_id, row.respondent_key, row.sealed) for row in rows}
