"""Signing in to the office console: a browser session on top of a personal
access token.

The console acts with the same ``Actor`` as the admin API: a session is
opened with a token (or, after an OpenID Connect sign-in, with a token
minted for that person for one day) and every request resumes the actor
from it. The cookie holds a random id; only its HMAC is stored, next to the
session's CSRF token and language. A session ends on sign-out, when its
token is revoked or expires, and after ``idle`` without a request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound, Unauthorized
from dilemmas.model.admins import AdminToken, ConsoleSignIn
from dilemmas.office import admin_tokens, audit
from dilemmas.office.scope import Actor
from dilemmas.reads.organisations import by_slug
from dilemmas.tokens import hash_token

LOCALES = ("nl", "en")
OIDC_CREATOR = "oidc"
# Seen-at is written at most this often, so browsing costs few writes.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Opened:
    """A new console sign-in: the cookie's value (shown once) and its CSRF token."""

    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class Resumed:
    actor: Actor
    csrf_token: str
    locale: str


def _open(session: Session, secret_key: bytes, now: datetime, token: AdminToken, locale: str) -> Opened:
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        ConsoleSignIn(
            cookie_hash=hash_token(cookie, secret_key),
            token_id=token.id,
            csrf_token=csrf,
            locale=locale if locale in LOCALES else "nl",
            created_at=now,
            last_seen_at=now,
        )
    )
    audit.record(
        session, now, f"{token.name} ({token.role})", "console.sign_in", "admin_token", token.id, token.organisation_id
    )
    session.commit()
    return Opened(cookie, csrf)


def sign_in(session: Session, secret_key: bytes, now: datetime, plain_token: str, locale: str = "nl") -> Opened:
    """Open a session with a personal access token (Unauthorized when it is
    unknown, expired or revoked)."""
    actor = admin_tokens.authenticate(session, secret_key, plain_token.strip(), now)
    return _open(session, secret_key, now, session.get(AdminToken, actor.token_id), locale)


def sign_in_federated(
    session: Session,
    secret_key: bytes,
    now: datetime,
    name: str,
    role: str,
    organisation_slug: str,
    locale: str = "nl",
) -> Opened:
    """Open a session for a person the organisation's identity provider
    vouched for, with the role and organisation its claims map to: a token
    for one day is minted for them (audited, revocable, revoked again on
    sign-out), so that they act exactly as a token holder would."""
    try:
        organisation = by_slug(session, organisation_slug)
    except NotFound:
        raise Unauthorized(f"Organisatie '{organisation_slug}' uit de aanmelding bestaat niet.") from None
    token, _plain = admin_tokens.mint(session, secret_key, now, name, role, organisation, 1, created_by=OIDC_CREATOR)
    return _open(session, secret_key, now, token, locale)


def resume(session: Session, secret_key: bytes, now: datetime, cookie: str, idle: timedelta) -> Resumed:
    """The actor behind a session cookie; Unauthorized when the session is
    unknown, idle for longer than ``idle`` (then it is ended), or its token
    no longer valid."""
    row = session.scalar(select(ConsoleSignIn).where(ConsoleSignIn.cookie_hash == hash_token(cookie, secret_key)))
    if row is None:
        raise Unauthorized("Je bent niet (meer) aangemeld.")
    token = row.token
    if now - row.last_seen_at > idle or token.revoked_at is not None or token.expires_at <= now:
        session.delete(row)
        session.commit()
        raise Unauthorized("Je sessie is verlopen. Meld je opnieuw aan.", reason="expired")
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    actor = admin_tokens.actor_for(session, token)
    resumed = Resumed(actor, row.csrf_token, row.locale)
    session.commit()
    return resumed


def set_locale(session: Session, secret_key: bytes, cookie: str, locale: str) -> None:
    """The console's language for this session (nl or en)."""
    row = session.scalar(select(ConsoleSignIn).where(ConsoleSignIn.cookie_hash == hash_token(cookie, secret_key)))
    if row is not None and locale in LOCALES:
        row.locale = locale
        session.commit()


def sign_out(session: Session, secret_key: bytes, now: datetime, cookie: str) -> None:
    """End the session; a token minted for a federated sign-in is revoked with it."""
    row = session.scalar(select(ConsoleSignIn).where(ConsoleSignIn.cookie_hash == hash_token(cookie, secret_key)))
    if row is None:
        return
    token = row.token
    if token.created_by == OIDC_CREATOR and token.revoked_at is None:
        token.revoked_at = now
    audit.record(
        session, now, f"{token.name} ({token.role})", "console.sign_out", "admin_token", token.id, token.organisation_id
    )
    session.execute(delete(ConsoleSignIn).where(ConsoleSignIn.id == row.id))
    session.commit()
