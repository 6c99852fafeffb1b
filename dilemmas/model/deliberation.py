"""A meeting's guided deliberation and its outcome: the methods (content),
the step a meeting is at, the presenter screen's one-time codes, and what
the team agreed. Nothing here names or links a participant: no
installation id, no voter key, no order of anyone's action."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base

VALUE_MAX = 120
AGREEMENT_MAX = 300


class Method(Base):
    """A way to hold the conversation: steps with a prompt for the lead and
    a time per step (content/methods/*.yaml)."""

    __tablename__ = "meeting_methods"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # [{"title": str, "prompt": str, "minutes": int}, ...]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Deliberation(Base):
    """The method a meeting follows and the step it is at. With ``auto`` the
    timer moves the meeting on when a step's time is up. ``revealed_step``
    is the step a round was last revealed in: the presenter screen shows the
    whole result until the meeting moves on from it."""

    __tablename__ = "meeting_deliberations"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    method_slug: Mapped[str] = mapped_column(ForeignKey("meeting_methods.slug"))
    step: Mapped[int] = mapped_column(default=0)
    step_started_at: Mapped[datetime]
    auto: Mapped[bool] = mapped_column(default=False)
    revealed_step: Mapped[int | None]


class ScreenCode(Base):
    """A one-time code with which the presenter screen opens one meeting.
    Only a hash of the code is kept."""

    __tablename__ = "meeting_screen_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    used: Mapped[bool] = mapped_column(default=False)


class Outcome(Base):
    """What a team took from a meeting: its agreements and the day to look
    back on them. Stored for the team, never per person."""

    __tablename__ = "meeting_outcomes"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # ["We melden elk geschenk boven 50 euro.", ...]
    agreements: Mapped[list[str]] = mapped_column(JSON, default=list)
    look_back_on: Mapped[date | None] = mapped_column(Date, index=True)
    reminded: Mapped[bool] = mapped_column(default=False)


class OutcomeValue(Base):
    """A value or interest the room named for one option (typed by the lead)."""

    __tablename__ = "meeting_outcome_values"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    option: Mapped[str] = mapped_column(String(1), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(VALUE_MAX))
