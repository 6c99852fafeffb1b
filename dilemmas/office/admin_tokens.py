"""Personal access tokens of the integrity office: minted once (the plain
token is shown once and stored as an HMAC), expiring, revocable; each
authenticates one actor."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound, Unauthorized
from dilemmas.model.admins import ROLES, TOKEN_PREFIX, AdminToken
from dilemmas.model.organisations import Organisation
from dilemmas.office import audit
from dilemmas.office.scope import Actor, organisation_in_scope
from dilemmas.reads.organisations import subtree_ids
from dilemmas.tokens import hash_token

DEFAULT_DAYS = 90


MAX_DAYS = 366


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


def issue(
    session: Session,
    secret_key: bytes,
    now: datetime,
    actor: Actor,
    name: str,
    role: str,
    organisation_slug: str | None = None,
    days: int = DEFAULT_DAYS,
) -> tuple[AdminToken, str]:
    """An admin mints a token for an organisation in reach (default their
    own); the plain text is returned once and never stored."""
    actor.require("admin")
    organisation = organisation_in_scope(session, actor, organisation_slug)
    return mint(session, secret_key, now, name, role, organisation, days, created_by=actor.label)


def authenticate(session: Session, secret_key: bytes, plain: str, now: datetime) -> Actor:
    token = session.scalar(select(AdminToken).where(AdminToken.token_hash == hash_token(plain, secret_key)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("Onbekend, verlopen of ingetrokken beheertoken.", cause="admin-token-invalid")
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
