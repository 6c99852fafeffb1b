"""Installations (the anonymous identity of one app on one phone) and their push tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmas.model.organisations import Organisation
from dilemmas.storage.base import Base

PLATFORMS = ("ios", "android", "web")


LOCALES = ("nl", "en")


PUSH_TOKEN_KINDS = ("registration", "fid")


class Installation(Base):
    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    notify_weekly: Mapped[bool] = mapped_column(default=True)
    notify_reminders: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    # Derived from the bearer token by the request that has it; never stored.
    key_base = None  # bytes
    # Derived from the server secret by the request; seals the counters.
    counter_key = None  # bytes

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    push_token: Mapped[PushToken | None] = relationship(
        back_populates="installation", cascade="all, delete-orphan", passive_deletes=True
    )


class PushToken(Base):
    """The one device token of an installation; refreshed on every app open."""

    __tablename__ = "push_tokens"

    installation_id: Mapped[str] = mapped_column(ForeignKey("installations.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(4096))
    # FCM registration tokens today; Firebase Installation IDs can follow.
    kind: Mapped[str] = mapped_column(String(16), default="registration")
    platform: Mapped[str] = mapped_column(String(16))
    refreshed_at: Mapped[datetime] = mapped_column(index=True)

    installation: Mapped[Installation] = relationship(back_populates="push_token")


class Respondent(Protocol):
    """What answering, meetings and reading need of an installation: an
    ``Installation`` or a ``Caller`` of a request that carried its token."""

    @property
    def id(self) -> str: ...
    @property
    def organisation_id(self) -> int: ...
    @property
    def key_base(self) -> bytes | None: ...
    @property
    def counter_key(self) -> bytes | None: ...
