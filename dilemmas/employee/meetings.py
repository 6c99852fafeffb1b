"""Live sessions: a team answers one dilemma together in its meeting.

The lead opens a session and shows its 6-digit join code; everyone in the
room (any installation of the team's organisation) joins and votes blind on
their own phone. The lead reveals the spread once enough votes are in, the
team talks, may vote a second time, and the lead records one joint answer
that counts for the team with mode ``team``. The state machine::

    open --reveal--> revealed --revote--> revoting --reveal--> revealed
    revealed --consensus--> revealed (answer recorded) ; any --close--> closed

Nobody sees who voted what: a participant is a ``voter_key`` derived from
the installation's token for this session (``employee.keys``), different for
every session, and a view shows only counts. The votes themselves are one
sealed vector per meeting (``employee.ballots``), keyed by another pseudonym
of the token (``ballot_key``); ``shift`` (how many voters changed their
option between the rounds) pairs the two rounds' votes on that key.

A session lasts four hours; after that it counts as closed and its join
code is free again. Join codes are guessable (a million of them), so failed
attempts cost time: per installation with a delay that doubles after a few
free attempts, per client address in the HTTP layer, and every open session
of the organisation gets a new code after 100 failed attempts made while it
was open. A browser without an installation belongs to no organisation: its
wrong codes are capped per address and over all addresses in the HTTP layer
(``meeting_joins.join_on_the_web``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from dilemmas.employee import ballots, teams
from dilemmas.employee.keys import ballot_key, voter_key
from dilemmas.employee.meeting_rules import (
    ROUNDS,
    Consensus,
    MeetingView,
    effective_state,
    meeting_actions,
    new_join_code,
    refuse,
    revealable,
)
from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.deliberation import Deliberation
from dilemmas.model.meetings import (
    CLOSED,
    LEAD_ROLE,
    NOTE_MAX,
    OPEN,
    PARTICIPANT_ROLE,
    REVEALED,
    REVOTING,
    Meeting,
    Participant,
    TeamAnswer,
)
from dilemmas.model.teams import Team
from dilemmas.reads.deliberation import step_of
from dilemmas.reads.placements import visible_placement
from dilemmas.storage.conflicts import insert_for, retry_on_conflict
from dilemmas.storage.order import rewrite_in_key_order
from dilemmas.weeks import week_of

if TYPE_CHECKING:
    from dilemmas.model.installations import Respondent


LIFETIME = timedelta(hours=4)


@dataclass
class Access:
    """A caller's hold on a meeting: ``key`` its participant row's key,
    ``ballot`` its key among the sealed ballots (both empty for the
    presenter screen, which never votes), ``vault`` the ballots' key."""

    row: Meeting
    key: str
    lead: bool
    vault: bytes
    ballot: str = ""


def caller_access(installation: Respondent, row: Meeting, lead: bool) -> Access:
    """The access of an installation that takes part (or leads)."""
    base = installation.key_base
    return Access(
        row, voter_key(base, row.id), lead, ballots.vault_key(installation.counter_key), ballot_key(base, row.id)
    )


def _access(session: Session, installation: Respondent, meeting_id: int, lock: str | None = None) -> Access:
    """The session for a participant or the team's lead; NotFound for anyone
    else, and for sessions of another organisation. ``lock``: "share" for
    votes and joins, "update" for changes of state (PostgreSQL row locks, so
    that no vote slips in after a reveal)."""
    query = select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    row = session.scalars(query).one_or_none()
    if row is None or row.organisation_id != installation.organisation_id:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    access = caller_access(installation, row, teams.is_lead(session, installation, row.team_id))
    if not access.lead and session.get(Participant, (row.id, access.key)) is None:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    return access


def lead_access(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> Access:
    """The session for its lead, locked for a change; Forbidden for anyone
    else who takes part, Conflict once it is closed."""
    access = _access(session, installation, meeting_id, lock="update")
    _require_lead(access)
    if effective_state(access.row, now) == CLOSED:
        raise refuse("change", CLOSED, ())
    return access


def steering_access(session: Session, meeting_id: int, counter_key: bytes, now: datetime) -> Access:
    """The lead's authority over a meeting for the presenter screen the lead
    lets steer (deliberation.steer checks that right): locked for a change,
    with no voter key (the screen never votes); Conflict once closed."""
    row = session.scalars(
        select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("Deze sessie bestaat niet.")
    if effective_state(row, now) == CLOSED:
        raise refuse("change", CLOSED, ())
    return Access(row, "", lead=True, vault=ballots.vault_key(counter_key))


def _team_answer(session: Session, row: Meeting) -> TeamAnswer | None:
    return session.get(TeamAnswer, (row.team_id, row.dilemma_id), populate_existing=True)


def _require_lead(access: Access) -> None:
    if not access.lead:
        raise Forbidden("Alleen de teamleider kan dit doen.", cause="lead-only")


def _require(session: Session, access: Access, action: str, now: datetime) -> str:
    state = effective_state(access.row, now)
    answered = _team_answer(session, access.row) is not None if state == REVEALED else False
    allowed = _for_caller(access, meeting_actions(state, access.row.round, answered))
    if action not in allowed:
        raise refuse(action, state, allowed)
    return state


def _for_caller(access: Access, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A participant can only vote; everything else is the lead's."""
    return allowed if access.lead else tuple(a for a in allowed if a == "vote")


def view_of(session: Session, access: Access, now: datetime) -> MeetingView:
    row = access.row
    state = effective_state(row, now)
    participants = session.scalar(select(func.count()).select_from(Participant).where(Participant.session_id == row.id))
    votes = ballots.read(session, access.vault, row.id)
    answer = _team_answer(session, row)
    allowed = _for_caller(access, meeting_actions(state, row.round, answer is not None))
    team = session.get(Team, row.team_id)
    return MeetingView(
        id=row.id,
        team_id=row.team_id,
        team_name=team.name,
        dilemma_id=row.dilemma_id,
        state=state,
        round=row.round,
        participants=int(participants or 0),
        votes=votes.count(row.round),
        spread=votes.spread(row.revealed_round) if row.revealed_round else None,
        shift=row.shift if row.revealed_round == ROUNDS else None,
        consensus=Consensus(answer.option, answer.note) if answer and answer.session_id == row.id else None,
        join_code=row.join_code if state != CLOSED else None,
        expires_at=row.expires_at,
        role=LEAD_ROLE if access.lead else PARTICIPANT_ROLE,
        my_vote=votes.of(row.round, access.ballot),
        allowed=allowed,
        step=step_of(session, row.id, now) if state != CLOSED else None,
    )


def _close_expired(session: Session, team_id: int, now: datetime) -> None:
    """Close sessions past their four hours, freeing their codes: the team's
    own (it would block a new one), and others that nobody holds right now
    (SKIP LOCKED: two cleaners never wait for each other)."""
    expired = and_(Meeting.open_team_id.is_not(None), Meeting.expires_at <= now)
    own = session.scalars(select(Meeting.id).where(expired, Meeting.team_id == team_id).with_for_update()).all()
    others = session.scalars(
        select(Meeting.id)
        .where(expired, Meeting.team_id != team_id)
        .order_by(Meeting.id)
        .limit(100)
        .with_for_update(skip_locked=True)
    ).all()
    if own or others:
        session.execute(
            update(Meeting)
            .where(Meeting.id.in_([*own, *others]))
            .values(state=CLOSED, join_code=None, open_team_id=None)
            .execution_options(synchronize_session=False)
        )
        for meeting_id in [*own, *others]:
            _forget_order(session, meeting_id)


def assign_new_code(session: Session, row: Meeting) -> None:
    def assign() -> None:
        row.join_code = new_join_code()
        session.flush()

    retry_on_conflict(session, assign)


def create(session: Session, installation: Respondent, team_id: int, dilemma_id: int, now: datetime) -> MeetingView:
    """Open a live session of the team on a dilemma its organisation can see
    (lead only; one open session per team)."""
    teams.lead_membership(session, installation, team_id, lock=True)
    visible_placement(session, installation.organisation_id, dilemma_id, now)
    _close_expired(session, team_id, now)
    running = session.scalar(select(Meeting.id).where(Meeting.open_team_id == team_id))
    if running is not None:
        raise Conflict("Dit team heeft al een open sessie; sluit die eerst.", cause="session-open", session_id=running)

    def insert() -> Meeting:
        row = Meeting(
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
    # The lead takes part like anyone else, from their first vote: a
    # participant row written first would say which vote is the lead's.
    session.commit()
    return view_of(session, caller_access(installation, row, lead=True), now)


def view(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> MeetingView:
    """The session as the caller sees it. Reads only: phones poll this."""
    return view_of(session, _access(session, installation, meeting_id), now)


def vote(session: Session, installation: Respondent, meeting_id: int, option: str, now: datetime) -> MeetingView:
    """Cast or change the caller's vote in the current round. One vote per
    voter per round, also when the same phone sends it twice at once."""
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    access = _access(session, installation, meeting_id, lock="share")
    _require(session, access, "vote", now)
    row = access.row
    session.execute(
        insert_for(session, Participant.__table__)
        .values(session_id=row.id, voter_key=access.key)
        .on_conflict_do_nothing()
    )
    ballots.cast(session, access.vault, row.id, row.round, access.ballot, option)
    session.commit()
    return view_of(session, access, now)


def reveal(session: Session, installation: Respondent, meeting_id: int, min_votes: int, now: datetime) -> MeetingView:
    """Show the spread of the current round (lead; at least ``min_votes``,
    and in the revote at least as many as the first round had)."""
    access = _access(session, installation, meeting_id, lock="update")
    _require_lead(access)
    return reveal_as(session, access, min_votes, now)


def reveal_as(session: Session, access: Access, min_votes: int, now: datetime) -> MeetingView:
    """``reveal`` with the lead's access already checked (the lead's phone,
    or the presenter screen the lead lets steer)."""
    state = _require(session, access, "reveal", now)
    row = access.row
    cast = ballots.read(session, access.vault, row.id)
    votes = cast.count(row.round)
    needed = min_votes
    if row.round > 1:
        # A revote shown with fewer votes than the first round, beside the
        # shift, names the vote of whoever is missing: the lead closes the
        # round instead (docs/anonymity.md, mechanism 7).
        needed = max(min_votes, cast.count(1))
    if votes < needed:
        allowed = revealable(meeting_actions(state, row.round, False), votes, needed)
        raise Conflict(
            f"Er zijn {votes} stemmen; onthullen kan vanaf {needed}."
            + (
                " In de tweede ronde moet iedereen van de eerste weer stemmen; sluit anders de sessie."
                if row.round > 1
                else ""
            ),
            cause="too-few-votes",
            votes=votes,
            needed=needed,
            state=state,
            allowed=list(allowed),
        )
    row.state = REVEALED
    row.revealed_round = row.round
    if row.round == ROUNDS:
        row.shift = cast.shift(1, row.round)
    followed = step_of(session, row.id, now)
    if followed is not None:
        # The presenter screen shows the whole result until the method moves on.
        session.get(Deliberation, row.id).revealed_step = followed.number - 1
    session.commit()
    return view_of(session, access, now)


def revote(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> MeetingView:
    """Start the second, again blind, round of votes (lead)."""
    access = _access(session, installation, meeting_id, lock="update")
    _require_lead(access)
    return revote_as(session, access, now)


def revote_as(session: Session, access: Access, now: datetime) -> MeetingView:
    """``revote`` with the lead's access already checked."""
    _require(session, access, "revote", now)
    access.row.state = REVOTING
    access.row.round += 1
    session.commit()
    return view_of(session, access, now)


def consensus(
    session: Session,
    installation: Respondent,
    meeting_id: int,
    option: str,
    now: datetime,
    note: str | None = None,
) -> MeetingView:
    """Record the team's joint answer (lead, after a reveal). It counts once
    for the team with mode ``team``; a team answers a dilemma once. Sending
    the same answer again only corrects the note."""
    if option not in OPTION_KEYS:
        raise Invalid("Onbekende optie.", {"option": [f"Kies een van {', '.join(OPTION_KEYS)}."]})
    note = (teams.plain_text(note, "note", NOTE_MAX) if note else "") or None
    access = _access(session, installation, meeting_id, lock="update")
    _require_lead(access)
    row = access.row
    for _ in range(2):
        recorded = _team_answer(session, row)
        if recorded is not None:
            if recorded.session_id == row.id and recorded.option == option:
                if effective_state(row, now) == REVEALED and recorded.note != note:
                    recorded.note = note
                    session.commit()
                return view_of(session, access, now)
            raise Conflict(
                "Het antwoord van het team op dit dilemma is al vastgelegd.",
                cause="consensus-recorded",
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
                answered_on=week_of(now, placement.timezone).monday,
            )
            .on_conflict_do_nothing()
            .returning(TeamAnswer.__table__.c.team_id)
        ).scalar()
        if inserted is not None:
            session.commit()
            return view_of(session, access, now)
        # Another session of the team recorded an answer just now: look again.
    raise Conflict("Het antwoord van het team op dit dilemma is al vastgelegd.", cause="consensus-recorded")


def close(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> MeetingView:
    """End the session (lead): no more joins or votes; the code is free again."""
    access = _access(session, installation, meeting_id, lock="update")
    _require_lead(access)
    _require(session, access, "close", now)
    row = access.row
    row.state = CLOSED
    row.join_code = None
    row.open_team_id = None
    _forget_order(session, row.id)
    session.commit()
    return view_of(session, access, now)


def _forget_order(session: Session, meeting_id: int) -> None:
    # Who joined first is nobody's business (docs/anonymity.md); the votes
    # are one sealed row that holds no order.
    rewrite_in_key_order(session, Participant.__table__, "session_id", meeting_id)
