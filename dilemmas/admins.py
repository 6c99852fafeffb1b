"""People of the integrity office and their personal access tokens.

A token carries one role, scoped to one organisation and its children. It is
shown once, kept only as an HMAC, expires, and can be revoked. The token's
``name`` is the person: four-eyes review compares it with a revision's author.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dilemmas import audit
from dilemmas.base import Base, page_window
from dilemmas.errors import Forbidden, NotFound, Unauthorized
from dilemmas.installations import hash_token
from dilemmas.organisations import EnrolmentCode, Organisation, new_code, subtree_ids

ROLES = ("author", "reviewer", "publisher", "analyst", "admin")
TOKEN_PREFIX = "kpa_"  # recognisable in logs and by secret scanners
DEFAULT_DAYS = 90
MAX_DAYS = 366


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


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person with one role over a set of organisations."""

    token_id: int
    name: str
    role: str
    organisation: Organisation
    scope: frozenset[int]
    expires_at: datetime

    def can(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    def require(self, *roles: str) -> None:
        if not self.can(*roles):
            raise Forbidden(f"Hiervoor is de rol {' of '.join(roles)} nodig; je token heeft de rol {self.role}.")

    def sees(self, organisation_id: int) -> bool:
        return organisation_id in self.scope

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def mint(
    session: Session,
    secret_key: bytes,
    now: datetime,
    name: str,
    role: str,
    organisation: Organisation,
    days: int = DEFAULT_DAYS,
    created_by: str = "cli",
) -> tuple[AdminToken, str]:
    """A new token; the plain text is returned once and never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AdminToken(
        name=name,
        role=role,
        organisation=organisation,
        token_hash=hash_token(plain, secret_key),
        created_at=now,
        expires_at=now + timedelta(days=days),
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    audit.record(
        session, now, created_by, "token.create", "admin_token", token.id, organisation.id, name=name, role=role
    )
    session.commit()
    return token, plain


def authenticate(session: Session, secret_key: bytes, plain: str, now: datetime) -> Actor:
    token = session.scalar(select(AdminToken).where(AdminToken.token_hash == hash_token(plain, secret_key)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("Onbekend, verlopen of ingetrokken beheertoken.")
    return actor_for(session, token)


def actor_for(session: Session, token: AdminToken) -> Actor:
    return Actor(
        token.id,
        token.name,
        token.role,
        token.organisation,
        frozenset(subtree_ids(session, token.organisation_id)),
        token.expires_at,
    )


def organisations_in_scope(session: Session, actor: Actor) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(actor.scope)).order_by(Organisation.id)))


def organisation_in_scope(session: Session, actor: Actor, slug: str | None) -> Organisation:
    """The organisation an actor names (default: their own); NotFound when
    it is outside their scope, as if it did not exist."""
    if slug is None:
        return actor.organisation
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None or not actor.sees(organisation.id):
        raise NotFound(f"Organisatie '{slug}' bestaat niet of valt buiten je bereik.")
    return organisation


def tokens_in_scope(session: Session, actor: Actor) -> list[AdminToken]:
    actor.require("admin")
    return list(
        session.scalars(select(AdminToken).where(AdminToken.organisation_id.in_(actor.scope)).order_by(AdminToken.id))
    )


def revoke(session: Session, actor: Actor, token_id: int, now: datetime) -> None:
    actor.require("admin")
    token = session.get(AdminToken, token_id)
    if token is None or not actor.sees(token.organisation_id):
        raise NotFound("Dit token bestaat niet.")
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(session, now, actor.label, "token.revoke", "admin_token", token.id, token.organisation_id)
    session.commit()


def enrolment_codes(session: Session, actor: Actor) -> list[tuple[Organisation, str | None]]:
    """The active enrolment code of each organisation in scope."""
    actor.require("admin")
    codes = {
        row.organisation_id: row.code
        for row in session.scalars(
            select(EnrolmentCode).where(EnrolmentCode.active.is_(True)).order_by(EnrolmentCode.id)
        )
    }
    return [(o, codes.get(o.id)) for o in organisations_in_scope(session, actor)]


def rotate_enrolment_code(session: Session, actor: Actor, now: datetime, slug: str | None) -> tuple[Organisation, str]:
    """A new code for the organisation. The old one stops working for new
    installations; installations already enrolled stay where they are."""
    actor.require("admin")
    organisation = organisation_in_scope(session, actor, slug)
    for old in session.scalars(
        select(EnrolmentCode).where(EnrolmentCode.organisation_id == organisation.id, EnrolmentCode.active.is_(True))
    ):
        old.active = False
    code = new_code()
    session.add(EnrolmentCode(organisation_id=organisation.id, code=code, created_at=now))
    audit.record(session, now, actor.label, "enrolment_code.rotate", "organisation", organisation.id, organisation.id)
    session.commit()
    return organisation, code


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
) -> tuple[list[audit.AuditEntry], int]:
    """The audit log of the actor's organisations, newest first."""
    actor.require("admin")
    entry = audit.AuditEntry
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
