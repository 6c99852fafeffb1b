"""Live sessions: a team answers one dilemma together in its meeting.

The lead opens a session and shows its 6-digit join code; everyone in the
room (any installation of the team's organisation) joins and votes blind on
their own phone. The lead reveals the spread once enough votes are in, the
team talks, may vote a second time, and the lead records one joint answer
that counts for the team with mode ``team``. The state machine::

    open --reveal--> revealed --revote--> revoting --reveal--> revealed
    revealed --consensus--> revealed (answer recorded) ; any --close--> closed

Nobody sees who voted what: a voter is a ``voter_key`` = HMAC(server secret,
installation seed + session id), different for every session, and a view
shows only counts. ``shift`` (how many voters changed their option between
the rounds) is counted by pairing the two rounds' votes on that key.

A session lasts four hours; after that it counts as closed and its join
code is free again. Join codes are guessable (a million of them), so failed
attempts cost time: per installation with a delay that doubles after a few
free attempts, per client address in the HTTP layer, and every open session
of the organisation gets a new code after 100 failed attempts made while it
was open.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, and_, func, select, update
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from dilemmas import teams
from dilemmas.answers import count_team_answer
from dilemmas.base import Base
from dilemmas.dilemmas import OPTION_KEYS
from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts
from dilemmas.schedule import visible_placement
from dilemmas.teams import Team
from dilemmas.upsert import insert_for, retry_on_conflict
from dilemmas.weeks import local_day

if TYPE_CHECKING:
    from dilemmas.installations import Installation

OPEN, REVEALED, REVOTING, CLOSED = "open", "revealed", "revoting", "closed"
STATES = (OPEN, REVEALED, REVOTING, CLOSED)
ROUNDS = 2
LIFETIME = timedelta(hours=4)
JOIN_CODE = re.compile(r"^\d{6}$")
NOTE_MAX = 500
# Guessing: every open session of the organisation gets a new code after
# this many failed join attempts.
MAX_FAILED_JOINS = 100
# Per installation: a few free failures, then a delay that doubles with every
# failure up to an hour; a day without failures forgets them.
FREE_FAILURES = 3
MAX_DELAY = timedelta(hours=1)
FORGET_FAILURES_AFTER = timedelta(hours=24)


class LiveSession(Base):
    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    round: Mapped[int] = mapped_column(default=1)
    # The round whose spread has been shown (0: none yet).
    revealed_round: Mapped[int] = mapped_column(default=0)
    # Set while the session is not closed, NULL after: UNIQUE makes the code
    # unique among open sessions and allows one open session per team.
    join_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    open_team_id: Mapped[int | None] = mapped_column(unique=True)
    failed_joins: Mapped[int] = mapped_column(default=0)
    shift: Mapped[int | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]


class Participant(Base):
    __tablename__ = "session_participants"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class Vote(Base):
    __tablename__ = "session_votes"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    option: Mapped[str] = mapped_column(String(1))


class TeamAnswer(Base):
    """A team's joint answer to a dilemma: at most one, recorded by the
    session in which the team agreed on it."""

    __tablename__ = "team_answers"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    option: Mapped[str] = mapped_column(String(1))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    late: Mapped[bool] = mapped_column(default=False)
    answered_on: Mapped[date] = mapped_column(Date)


class JoinThrottle(Base):
    """Failed join attempts of one installation, for the growing delay."""

    __tablename__ = "join_throttles"

    installation_id: Mapped[str] = mapped_column(ForeignKey("installations.id", ondelete="CASCADE"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime]


@dataclass(frozen=True)
class Consensus:
    option: str
    note: str | None


@dataclass(frozen=True)
class SessionView:
    """A session as one participant sees it: counts, never who voted what."""

    id: int
    team_id: int
    team_name: str
    dilemma_id: int
    state: str
    round: int
    participants: int
    votes: int
    spread: tuple[int, ...] | None
    shift: int | None
    consensus: Consensus | None
    join_code: str | None
    expires_at: datetime
    role: str
    my_vote: str | None
    allowed: tuple[str, ...]


def voter_key(secret_key: bytes, respondent_seed: str, session_id: int) -> str:
    """The installation's pseudonym in one session; another in every session."""
    message = f"{respondent_seed}:session:{session_id}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()


def new_join_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**6):06d}"


def delay_after(failures: int) -> timedelta:
    """How long an installation waits after ``failures`` failed attempts in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    exponent = min(failures - FREE_FAILURES, 20)
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


def effective_state(row: LiveSession, now: datetime) -> str:
    """The state, with a session past its four hours counted as closed."""
    return CLOSED if row.state == CLOSED or now >= row.expires_at else row.state


def allowed_actions(state: str, round_: int, answered: bool) -> tuple[str, ...]:
    """What may happen next in this state (``answered``: the team's joint
    answer to the dilemma is recorded)."""
    if state in (OPEN, REVOTING):
        return ("vote", "reveal", "close")
    if state == REVEALED:
        if answered:
            return ("close",)
        return (("revote",) if round_ < ROUNDS else ()) + ("consensus", "close")
    return ()


def revealable(allowed: tuple[str, ...], votes: int, min_votes: int) -> tuple[str, ...]:
    """``allowed`` less ``reveal`` while fewer than ``min_votes`` votes are in:
    what ``reveal`` checks, so that a phone never offers a refused step."""
    return allowed if votes >= min_votes else tuple(a for a in allowed if a != "reveal")


def _refuse(action: str, state: str, allowed: tuple[str, ...]) -> Conflict:
    if allowed:
        detail = f"'{action}' kan niet in de toestand '{state}'. Wel mogelijk: {', '.join(allowed)}."
    elif state != CLOSED:
        detail = f"'{action}' kan niet in de toestand '{state}'; de volgende stap is aan de teamleider."
    else:
        detail = f"'{action}' kan niet: de sessie is gesloten."
    return Conflict(detail, state=state, allowed=list(allowed))


@dataclass
class _Access:
    row: LiveSession
    key: str
    lead: bool


def _access(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, lock: str | None = None
) -> _Access:
    """The session for a participant or the team's lead; NotFound for anyone
    else, and for sessions of another organisation. ``lock``: "share" for
    votes and joins, "update" for changes of state (PostgreSQL row locks, so
    that no vote slips in after a reveal)."""
    query = select(LiveSession).where(LiveSession.id == session_id).execution_options(populate_existing=True)
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    row = session.scalars(query).one_or_none()
    if row is None or row.organisation_id != installation.organisation_id:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    key = voter_key(secret_key, installation.respondent_seed, row.id)
    lead = teams.is_lead(session, installation, row.team_id)
    if not lead and session.get(Participant, (row.id, key)) is None:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    return _Access(row, key, lead)


def _team_answer(session: Session, row: LiveSession) -> TeamAnswer | None:
    return session.get(TeamAnswer, (row.team_id, row.dilemma_id), populate_existing=True)


def _require_lead(access: _Access) -> None:
    if not access.lead:
        raise Forbidden("Alleen de teamleider kan dit doen.")


def _require(session: Session, access: _Access, action: str, now: datetime) -> str:
    state = effective_state(access.row, now)
    answered = _team_answer(session, access.row) is not None if state == REVEALED else False
    allowed = _for_caller(access, allowed_actions(state, access.row.round, answered))
    if action not in allowed:
        raise _refuse(action, state, allowed)
    return state


def _for_caller(access: _Access, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A participant can only vote; everything else is the lead's."""
    return allowed if access.lead else tuple(a for a in allowed if a == "vote")


def _view(session: Session, access: _Access, now: datetime) -> SessionView:
    row = access.row
    state = effective_state(row, now)
    participants = session.scalar(select(func.count()).select_from(Participant).where(Participant.session_id == row.id))
    counts: dict[int, list[int]] = {}
    for round_, option, count in session.execute(
        select(Vote.round, Vote.option, func.count()).where(Vote.session_id == row.id).group_by(Vote.round, Vote.option)
    ):
        counts.setdefault(round_, [0] * len(OPTION_KEYS))[OPTION_KEYS.index(option)] = int(count)
    mine = session.scalar(
        select(Vote.option).where(Vote.session_id == row.id, Vote.round == row.round, Vote.voter_key == access.key)
    )
    answer = _team_answer(session, row)
    allowed = _for_caller(access, allowed_actions(state, row.round, answer is not None))
    team = session.get(Team, row.team_id)
    return SessionView(
        id=row.id,
        team_id=row.team_id,
        team_name=team.name,
        dilemma_id=row.dilemma_id,
        state=state,
        round=row.round,
        participants=int(participants or 0),
        votes=sum(counts.get(row.round, [])),
        spread=tuple(counts.get(row.revealed_round, [0] * len(OPTION_KEYS))) if row.revealed_round else None,
        shift=row.shift if row.revealed_round == ROUNDS else None,
        consensus=Consensus(answer.option, answer.note) if answer and answer.session_id == row.id else None,
        join_code=row.join_code if state != CLOSED else None,
        expires_at=row.expires_at,
        role=teams.LEAD if access.lead else "participant",
        my_vote=mine,
        allowed=allowed,
    )


def _close_expired(session: Session, team_id: int, now: datetime) -> None:
    """Close sessions past their four hours, freeing their codes: the team's
    own (it would block a new one), and others that nobody holds right now
    (SKIP LOCKED: two cleaners never wait for each other)."""
    expired = and_(LiveSession.open_team_id.is_not(None), LiveSession.expires_at <= now)
    own = session.scalars(select(LiveSession.id).where(expired, LiveSession.team_id == team_id).with_for_update()).all()
    others = session.scalars(
        select(LiveSession.id)
        .where(expired, LiveSession.team_id != team_id)
        .order_by(LiveSession.id)
        .limit(100)
        .with_for_update(skip_locked=True)
    ).all()
    if own or others:
        session.execute(
            update(LiveSession)
            .where(LiveSession.id.in_([*own, *others]))
            .values(state=CLOSED, join_code=None, open_team_id=None)
            .execution_options(synchronize_session=False)
        )


def _new_code_for(session: Session, row: LiveSession) -> None:
    def assign() -> None:
        row.join_code = new_join_code()
        session.flush()

    retry_on_conflict(session, assign)


def create(
    session: Session, secret_key: bytes, installation: Installation, team_id: int, dilemma_id: int, now: datetime
) -> SessionView:
    """Open a live session of the team on a dilemma its organisation can see
    (lead only; one open session per team)."""
    teams.lead_membership(session, installation, team_id, lock=True)
    visible_placement(session, installation.organisation_id, dilemma_id, now)
    _close_expired(session, team_id, now)
    running = session.scalar(select(LiveSession.id).where(LiveSession.open_team_id == team_id))
    if running is not None:
        raise Conflict("Dit team heeft al een open sessie; sluit die eerst.", session_id=running)

    def insert() -> LiveSession:
        row = LiveSession(
            team_id=team_id,
            organisation_id=installation.organisation_id,
            dilemma_id=dilemma_id,
            state=OPEN,
            round=1,
            revealed_round=0,
            join_code=new_join_code(),
            open_team_id=team_id,
            failed_joins=0,
            expires_at=now + LIFETIME,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return row

    row = retry_on_conflict(session, insert)
    key = voter_key(secret_key, installation.respondent_seed, row.id)
    session.add(Participant(session_id=row.id, voter_key=key))
    session.commit()
    return _view(session, _Access(row, key, lead=True), now)


def _throttle(session: Session, installation: Installation, now: datetime) -> JoinThrottle:
    """The installation's failure record, locked; TooManyAttempts while it
    has to wait."""
    session.execute(
        insert_for(session, JoinThrottle.__table__)
        .values(installation_id=installation.id, failures=0, retry_at=now)
        .on_conflict_do_nothing()
    )
    throttle = session.scalars(
        select(JoinThrottle)
        .where(JoinThrottle.installation_id == installation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if throttle.retry_at > now:
        wait = math.ceil((throttle.retry_at - now).total_seconds())
        raise TooManyAttempts(f"Te veel verkeerde codes. Probeer het over {wait} seconden opnieuw.", wait)
    return throttle


def _count_failure(session: Session, throttle: JoinThrottle, installation: Installation, now: datetime) -> None:
    if now - throttle.retry_at >= FORGET_FAILURES_AFTER:
        throttle.failures = 0
    throttle.failures += 1
    throttle.retry_at = now + delay_after(throttle.failures)
    # Every open session of the organisation could have been the target.
    # Lock them in id order (two failures at once must not deadlock), count,
    # and give a new code to those that have faced too many guesses.
    in_reach = session.scalars(
        select(LiveSession.id)
        .where(
            LiveSession.organisation_id == installation.organisation_id,
            LiveSession.join_code.is_not(None),
            LiveSession.expires_at > now,
        )
        .order_by(LiveSession.id)
        .with_for_update()
    ).all()
    if not in_reach:
        return
    session.execute(
        update(LiveSession)
        .where(LiveSession.id.in_(in_reach))
        .values(failed_joins=LiveSession.failed_joins + 1)
        .execution_options(synchronize_session=False)
    )
    exhausted = session.scalars(
        select(LiveSession)
        .where(LiveSession.id.in_(in_reach), LiveSession.failed_joins >= MAX_FAILED_JOINS)
        .order_by(LiveSession.id)
        .execution_options(populate_existing=True)
    ).all()
    for row in exhausted:
        _new_code_for(session, row)
        row.failed_joins = 0


def join(session: Session, secret_key: bytes, installation: Installation, join_code: str, now: datetime) -> SessionView:
    """Join the open session with this code (same organisation only).
    Joining again changes nothing. A wrong code counts as a failed attempt
    of the installation and against every open session of its organisation."""
    if not JOIN_CODE.match(join_code):
        raise Invalid("Een sessiecode is zes cijfers.", {"join_code": ["Zes cijfers."]})
    throttle = _throttle(session, installation, now)
    row = session.scalars(
        select(LiveSession)
        .where(
            LiveSession.join_code == join_code,
            LiveSession.organisation_id == installation.organisation_id,
            LiveSession.state != CLOSED,
            LiveSession.expires_at > now,
        )
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        _count_failure(session, throttle, installation, now)
        session.commit()
        raise NotFound("Er is geen open sessie met deze code.")
    key = voter_key(secret_key, installation.respondent_seed, row.id)
    session.execute(
        insert_for(session, Participant.__table__).values(session_id=row.id, voter_key=key).on_conflict_do_nothing()
    )
    if throttle.failures == 0:
        # Nothing to remember. Failures are not forgiven by a success: a
        # guesser who knows one good code could otherwise reset the delay.
        session.delete(throttle)
    session.commit()
    return _view(session, _Access(row, key, teams.is_lead(session, installation, row.team_id)), now)


def view(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, now: datetime
) -> SessionView:
    """The session as the caller sees it. Reads only: phones poll this."""
    return _view(session, _access(session, secret_key, installation, session_id), now)


def vote(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, option: str, now: datetime
) -> SessionView:
    """Cast or change the caller's vote in the current round. One vote per
    voter per round, also when the same phone sends it twice at once."""
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    access = _access(session, secret_key, installation, session_id, lock="share")
    _require(session, access, "vote", now)
    row = access.row
    session.execute(
        insert_for(session, Participant.__table__)
        .values(session_id=row.id, voter_key=access.key)
        .on_conflict_do_nothing()
    )
    statement = insert_for(session, Vote.__table__).values(
        session_id=row.id, round=row.round, voter_key=access.key, option=option
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["session_id", "round", "voter_key"], set_={"option": statement.excluded.option}
        )
    )
    session.commit()
    return _view(session, access, now)


def _shift(session: Session, session_id: int) -> int:
    first, second = aliased(Vote), aliased(Vote)
    return int(
        session.scalar(
            select(func.count())
            .select_from(first)
            .join(
                second,
                and_(
                    second.session_id == first.session_id,
                    second.voter_key == first.voter_key,
                    second.round == first.round + 1,
                ),
            )
            .where(first.session_id == session_id, first.round == 1, first.option != second.option)
        )
        or 0
    )


def reveal(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, min_votes: int, now: datetime
) -> SessionView:
    """Show the spread of the current round (lead; at least ``min_votes``)."""
    access = _access(session, secret_key, installation, session_id, lock="update")
    _require_lead(access)
    state = _require(session, access, "reveal", now)
    row = access.row
    votes = int(
        session.scalar(select(func.count()).select_from(Vote).where(Vote.session_id == row.id, Vote.round == row.round))
        or 0
    )
    if votes < min_votes:
        allowed = revealable(allowed_actions(state, row.round, False), votes, min_votes)
        raise Conflict(
            f"Er zijn {votes} stemmen; onthullen kan vanaf {min_votes}.",
            votes=votes,
            needed=min_votes,
            state=state,
            allowed=list(allowed),
        )
    row.state = REVEALED
    row.revealed_round = row.round
    if row.round == ROUNDS:
        row.shift = _shift(session, row.id)
    session.commit()
    return _view(session, access, now)


def revote(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, now: datetime
) -> SessionView:
    """Start the second, again blind, round of votes (lead)."""
    access = _access(session, secret_key, installation, session_id, lock="update")
    _require_lead(access)
    _require(session, access, "revote", now)
    access.row.state = REVOTING
    access.row.round += 1
    session.commit()
    return _view(session, access, now)


def consensus(
    session: Session,
    secret_key: bytes,
    installation: Installation,
    session_id: int,
    option: str,
    now: datetime,
    note: str | None = None,
) -> SessionView:
    """Record the team's joint answer (lead, after a reveal). It counts once
    for the team with mode ``team``; a team answers a dilemma once. Sending
    the same answer again only corrects the note."""
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    note = (teams.plain_text(note, "note", NOTE_MAX) if note else "") or None
    access = _access(session, secret_key, installation, session_id, lock="update")
    _require_lead(access)
    row = access.row
    for _ in range(2):
        recorded = _team_answer(session, row)
        if recorded is not None:
            if recorded.session_id == row.id and recorded.option == option:
                if effective_state(row, now) == REVEALED and recorded.note != note:
                    recorded.note = note
                    session.commit()
                return _view(session, access, now)
            raise Conflict(
                "Het antwoord van het team op dit dilemma is al vastgelegd.",
                consensus=recorded.option if recorded.session_id == row.id else None,
            )
        _require(session, access, "consensus", now)
        placement = visible_placement(session, row.organisation_id, row.dilemma_id, now)
        late = placement.closed(now)
        inserted = session.execute(
            insert_for(session, TeamAnswer.__table__)
            .values(
                team_id=row.team_id,
                dilemma_id=row.dilemma_id,
                session_id=row.id,
                option=option,
                note=note,
                late=late,
                answered_on=local_day(now, placement.timezone),
            )
            .on_conflict_do_nothing()
            .returning(TeamAnswer.__table__.c.team_id)
        ).scalar()
        if inserted is not None:
            count_team_answer(session, row.dilemma_id, row.team_id, late, option)
            session.commit()
            return _view(session, access, now)
        # Another session of the team recorded an answer just now: look again.
    raise Conflict("Het antwoord van het team op dit dilemma is al vastgelegd.")


def close(
    session: Session, secret_key: bytes, installation: Installation, session_id: int, now: datetime
) -> SessionView:
    """End the session (lead): no more joins or votes; the code is free again."""
    access = _access(session, secret_key, installation, session_id, lock="update")
    _require_lead(access)
    _require(session, access, "close", now)
    row = access.row
    row.state = CLOSED
    row.join_code = None
    row.open_team_id = None
    session.commit()
    return _view(session, access, now)
