"""Teams and memberships. A membership names an installation; nothing outside
the team's own rules ever lists them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base

if TYPE_CHECKING:
    pass


LEAD = "lead"


MEMBER = "member"


NAME_MAX = 80


INVITE_CODE_LENGTH = 12  # 31**12: about 59 bits, not guessable within any rate limit


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    # The handle the next member gets; handles are never reused.
    next_handle: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]


class Membership(Base):
    __tablename__ = "team_memberships"
    __table_args__ = (UniqueConstraint("team_id", "handle"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    installation_id: Mapped[str] = mapped_column(
        ForeignKey("installations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8), default=MEMBER)
    handle: Mapped[int]
