"""The audit log: entries added in the transaction of the change they record,
and the trail an admin reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.model.audit import AuditEntry
from dilemmas.office.scope import Actor
from dilemmas.storage.base import page_window


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


def audit_trail(
    session: Session,
    actor: Actor,
    page: int,
    page_size: int,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    by: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEntry], int]:
    """The audit log of the actor's organisations, newest first."""
    actor.require("admin")
    entry = AuditEntry
    query = select(entry).where(entry.organisation_id.in_(actor.scope))
    if action:
        query = query.where(entry.action == action)
    if object_type:
        query = query.where(entry.object_type == object_type)
    if object_id is not None:
        query = query.where(entry.object_id == object_id)
    if by:
        query = query.where(entry.actor.startswith(by))
    if since:
        query = query.where(entry.at >= since)
    if until:
        query = query.where(entry.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    offset, limit = page_window(page, page_size)
    rows = session.scalars(query.order_by(entry.id.desc()).offset(offset).limit(limit))
    return list(rows), total
