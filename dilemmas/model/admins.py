"""Personal access tokens of the integrity office, with a role and an organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmas.model.organisations import Organisation
from dilemmas.storage.base import Base

ROLES = ("author", "reviewer", "publisher", "analyst", "admin")


TOKEN_PREFIX = "kpa_"  # recognisable in logs and by secret scanners


class AdminToken(Base):
    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(120))

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ConsoleSignIn(Base):
    """A signed-in browser of the office console: the cookie holds a random
    id, this row (keyed by its HMAC) holds who it is. Deleted on sign-out and
    when it has been idle too long."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cookie_hash: Mapped[str] = mapped_column("session_hash", String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("admin_tokens.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(2), default="nl")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)

    token: Mapped[AdminToken] = relationship(lazy="joined")
