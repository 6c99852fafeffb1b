"""Push's tables: campaigns and their batches, a campaign's team, the log
transport's record and the topic subscriptions. The behaviour lives in
``push/``; these are only the rows, here because every table lives in
``dilemmas/model/`` (one metadata, complete for migrations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.model.installations import Installation
from dilemmas.storage.base import Base


class Campaign(Base):
    __tablename__ = "push_campaigns"
    __table_args__ = (
        # Weekly and reminder campaigns happen once per organisation and
        # dilemma, whatever number of servers tick at the same moment.
        Index(
            "uq_push_campaigns_once",
            "organisation_id",
            "dilemma_id",
            "kind",
            unique=True,
            sqlite_where=text("kind != 'adhoc'"),
            postgresql_where=text("kind != 'adhoc'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    dilemma_id: Mapped[int | None] = mapped_column(ForeignKey("dilemmas.id", ondelete="SET NULL"))
    week: Mapped[str] = mapped_column(String(8))
    strategy: Mapped[str] = mapped_column(String(16), default="tokens")
    # {"nl": {"title": ..., "body": ...}, "en": {...}}, fixed when planned.
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    planned: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(120), default="system")
    created_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class Batch(Base):
    """A slice of a campaign that is sent as one: the installations whose id
    lies in (after_key, upto_key] (``None`` is open), or for a topic
    campaign the topic of one locale."""

    __tablename__ = "push_batches"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("push_campaigns.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    after_key: Mapped[str | None] = mapped_column(String(32))
    upto_key: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    # Who sends it (SQLite only: host/pid/start of the process) and since when.
    owner: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    targeted: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(default=0)
    retired: Mapped[int] = mapped_column(default=0)
    failed: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class CampaignTeam(Base):
    """A campaign for the devices of one team only (a meeting's look-back),
    and the meeting it looks back on: its id is all the message carries."""

    __tablename__ = "push_campaign_teams"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("push_campaigns.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # NULL for look-backs planned before 0013, which named no meeting.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)


class LoggedMessage(Base):
    """A message the log transport would have sent."""

    __tablename__ = "push_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    logged_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_kind: Mapped[str] = mapped_column(String(16))
    # The topic, or the device token's fingerprint; None for reminders.
    target: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    collapse_key: Mapped[str] = mapped_column(String(64))
    ttl_seconds: Mapped[int]
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("push_campaigns.id", ondelete="SET NULL"), index=True)


class TopicMember(Base):
    """A device subscribed to a topic, as FCM was told (push/topics.py)."""

    __tablename__ = "push_topic_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    installation_id: Mapped[str | None] = mapped_column(
        ForeignKey("installations.id", ondelete="SET NULL"), unique=True
    )
    topic: Mapped[str] = mapped_column(String(200), index=True)
    token: Mapped[str] = mapped_column(String(4096))
    subscribed_at: Mapped[datetime]


# A batch is a range of installation ids within one organisation: with this
# index the database reads just that range, not the whole organisation, for
# each batch.
Index("ix_installations_organisation_id_id", Installation.organisation_id, Installation.id)
