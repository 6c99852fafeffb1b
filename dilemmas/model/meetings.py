"""A team's live meetings: participants, their sealed votes, the team's joint
answer and the throttle on failed join codes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base

OPEN, REVEALED, REVOTING, CLOSED = "open", "revealed", "revoting", "closed"
STATES = (OPEN, REVEALED, REVOTING, CLOSED)
# What a session may allow next (employee.meetings.meeting_actions).
ACTIONS = ("vote", "reveal", "revote", "consensus", "close")
# How a phone takes part: the team's lead steers, everyone else votes.
LEAD_ROLE, PARTICIPANT_ROLE = "lead", "participant"
ROLES = (LEAD_ROLE, PARTICIPANT_ROLE)
NOTE_MAX = 500


class Meeting(Base):
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
    __table_args__ = {"sqlite_with_rowid": False}  # no order of joining

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class Ballots(Base):
    """Every vote of a meeting, both rounds, as one vector sealed under a
    key derived from the server secret, rewritten whole with a fresh nonce
    on every vote (``dilemmas.employee.ballots``): no row per vote, so no
    order of voting in page offsets, ``xmin``, dead tuples or the WAL, and
    no option in clear."""

    __tablename__ = "session_ballots"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


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


class MeetingChange(Base):
    """A number that triggers move with every change of a meeting that its
    presenter screen shows (migration 0017): the screen's poll compares it
    before reading and rendering the meeting. Apart from ``live_sessions``
    so that voters, who hold a share lock on the meeting's row, never wait
    to upgrade it."""

    __tablename__ = "meeting_changes"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
