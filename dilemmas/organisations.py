"""Organisations form a tree (Rijk at the root, Douane below it); each has a
time zone, contacts and enrolment codes that put installations in it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dilemmas.base import Base
from dilemmas.errors import NotFound
from dilemmas.memo import remembered

# No 0/O or 1/I/L: codes are read aloud and typed from posters.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    contacts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


def by_slug(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(f"Organisatie '{slug}' bestaat niet.")
    return organisation


def root(session: Session) -> Organisation:
    """The organisation without a parent (Rijk); exactly one is expected."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id)
    )
    if organisation is None:
        raise NotFound("Er is nog geen organisatie geladen (kompas init).")
    return organisation


@dataclass(frozen=True)
class OrganisationNode:
    """An organisation's place in the tree, as a request needs it: read-only,
    so that the requests of one process can share it (``remembered``)."""

    id: int
    parent_id: int | None
    name: str
    timezone: str


def _tree(session: Session) -> dict[int, OrganisationNode]:
    rows = session.execute(select(Organisation.id, Organisation.parent_id, Organisation.name, Organisation.timezone))
    return {row.id: OrganisationNode(*row) for row in rows}


def _chain(session: Session, organisation_id: int) -> tuple[OrganisationNode, ...]:
    everyone = remembered(session, "organisations", lambda: _tree(session))
    result = [everyone[organisation_id]]
    while result[-1].parent_id is not None and len(result) <= len(everyone):
        result.append(everyone[result[-1].parent_id])
    return tuple(result)


def chain(session: Session, organisation_id: int) -> tuple[OrganisationNode, ...]:
    """The organisation and its ancestors, nearest first."""
    return remembered(session, ("chain", organisation_id), lambda: _chain(session, organisation_id))


def subtree_ids(session: Session, organisation_id: int) -> set[int]:
    """The organisation and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in session.execute(select(Organisation.id, Organisation.parent_id)):
        children.setdefault(parent_id, []).append(org_id)
    found, todo = set(), [organisation_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def normalise_code(code: str) -> str:
    """Codes are compared without case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code() -> str:
    return "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(10))


def by_enrolment_code(session: Session, code: str) -> Organisation | None:
    """The organisation an active enrolment code belongs to, or None."""
    return session.scalar(
        select(Organisation)
        .join(EnrolmentCode, EnrolmentCode.organisation_id == Organisation.id)
        .where(EnrolmentCode.code == normalise_code(code), EnrolmentCode.active.is_(True))
    )


def current_enrolment_code(session: Session, organisation: Organisation, now: datetime) -> str:
    """The organisation's active enrolment code, created when it has none."""
    code = session.scalar(
        select(EnrolmentCode.code)
        .where(EnrolmentCode.organisation_id == organisation.id, EnrolmentCode.active.is_(True))
        .order_by(EnrolmentCode.id.desc())
    )
    if code is None:
        code = new_code()
        session.add(EnrolmentCode(organisation_id=organisation.id, code=code, created_at=now))
        session.commit()
    return code


def format_code(code: str) -> str:
    """``K7QM3XPA9T`` -> ``K7QM-3XPA-9T`` for people to read."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
