"""The audit log: entries added in the transaction of the change they record,
and the trail an admin reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dilemmas.model.admins import AdminToken
from dilemmas.model.audit import AuditEntry
from dilemmas.model.code import CodeSection
from dilemmas.model.content import Revision
from dilemmas.model.organisations import Organisation
from dilemmas.model.suggestions import Suggestion
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


# What a person calls an object, by the entry's object_type.
NAMED = {
    "code_section": (CodeSection, CodeSection.ref),
    "admin_token": (AdminToken, AdminToken.name),
    "organisation": (Organisation, Organisation.name),
    "suggestion": (Suggestion, Suggestion.text),
}


def object_names(session: Session, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """The names of the entries' objects as people know them, in a query per
    kind: a dilemma's current title, a section's number, a token's holder,
    an organisation's name, a suggestion's text. A deleted object has none."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names: dict[tuple[str, int], str] = {}
    if dilemma_ids := wanted.get("dilemma"):
        newest = (
            select(Revision.dilemma_id, func.max(Revision.number).label("number"))
            .where(Revision.dilemma_id.in_(dilemma_ids))
            .group_by(Revision.dilemma_id)
            .subquery()
        )
        titles = select(Revision.dilemma_id, Revision.title).join(
            newest, and_(Revision.dilemma_id == newest.c.dilemma_id, Revision.number == newest.c.number)
        )
        names.update({("dilemma", i): title for i, title in session.execute(titles)})
    for kind, (model, column) in NAMED.items():
        if ids := wanted.get(kind):
            found = session.execute(select(model.id, column).where(model.id.in_(ids)))
            names.update({(kind, i): name for i, name in found})
    return names
