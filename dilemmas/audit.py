"""An append-only log of what was done to content and schedule, by whom."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from dilemmas.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    organisation_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | None,
    organisation_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry to the caller's transaction (it commits with the change)."""
    entry = AuditEntry(
        at=now,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        organisation_id=organisation_id,
        details=details,
    )
    session.add(entry)
    return entry
