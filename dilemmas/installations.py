"""Installations: the anonymous identity of one app on one phone.

No name, e-mail or phone number is ever stored. The bearer token is shown
once and kept only as an HMAC; ``respondent_seed`` never leaves the server
and is what links an installation to its answers, one dilemma at a time.
Deleting the row destroys the seed, which makes every answer unlinkable.
Erasure also ends the installation's team memberships (the lead role passes
on), and so does a move to another organisation: a team never has members
from outside its organisation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ForeignKey, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dilemmas import teams
from dilemmas.base import Base
from dilemmas.errors import Unauthorized, UnknownReference
from dilemmas.memo import GENERATION
from dilemmas.organisations import Organisation, by_enrolment_code
from dilemmas.organisations import root as root_organisation

PLATFORMS = ("ios", "android", "web")
LOCALES = ("nl", "en")
PUSH_TOKEN_KINDS = ("registration", "fid")


class Installation(Base):
    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    respondent_seed: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    notify_weekly: Mapped[bool] = mapped_column(default=True)
    notify_reminders: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

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


def hash_token(token: str, secret_key: bytes) -> str:
    return hmac.new(secret_key, token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Registration:
    installation: Installation
    token: str


def _organisation_for_code(session: Session, code: str) -> Organisation:
    organisation = by_enrolment_code(session, code)
    if organisation is None:
        raise UnknownReference(
            "De aanmeldcode is onbekend of verlopen.",
            {"enrolment_code": ["Onbekende of verlopen aanmeldcode."]},
        )
    return organisation


def register(
    session: Session,
    secret_key: bytes,
    now: datetime,
    platform: str,
    locale: str = "nl",
    enrolment_code: str | None = None,
) -> Registration:
    """Create an installation; the returned token is never stored."""
    organisation = _organisation_for_code(session, enrolment_code) if enrolment_code else root_organisation(session)
    token = secrets.token_urlsafe(32)
    installation = Installation(
        id=secrets.token_hex(16),
        token_hash=hash_token(token, secret_key),
        respondent_seed=secrets.token_hex(32),
        organisation=organisation,
        platform=platform,
        locale=locale,
        created_at=now,
    )
    session.add(installation)
    session.commit()
    return Registration(installation, token)


class Respondent(Protocol):
    """What answering and reading need of an installation: an ``Installation``
    or a ``Caller``."""

    @property
    def id(self) -> str: ...
    @property
    def organisation_id(self) -> int: ...
    @property
    def respondent_seed(self) -> str: ...


@dataclass(frozen=True)
class Caller:
    """The installation behind a request as answering and reading need it,
    read in one query together with the content generation (``dilemmas.memo``),
    so the request knows at once what its process may still remember."""

    id: str
    organisation_id: int
    respondent_seed: str
    generation: int


# Plain Core, built once, run on the session's connection: this runs on
# every request of the app, and the ORM's statement handling would cost
# more than the query.
_INSTALLATIONS = Installation.__table__.c
_AUTHENTICATE = select(
    _INSTALLATIONS.id, _INSTALLATIONS.organisation_id, _INSTALLATIONS.respondent_seed, GENERATION
).where(_INSTALLATIONS.token_hash == bindparam("token_hash"))


def authenticate(session: Session, secret_key: bytes, token: str) -> Caller:
    row = session.connection().execute(_AUTHENTICATE, {"token_hash": hash_token(token, secret_key)}).first()
    if row is None:
        raise Unauthorized("Onbekend of ingetrokken installatietoken.")
    return Caller(*row)


def installation_of(session: Session, caller: Caller) -> Installation:
    """The caller's installation, to change or erase it."""
    installation = session.get(Installation, caller.id)
    if installation is None:  # erased since the request authenticated
        raise Unauthorized("Onbekend of ingetrokken installatietoken.")
    return installation


def update(
    session: Session,
    installation: Installation,
    locale: str | None = None,
    enrolment_code: str | None = None,
    weekly: bool | None = None,
    reminders: bool | None = None,
) -> Installation:
    """Change settings; an enrolment code moves the installation to that
    organisation (answers already given keep counting where they were) and
    ends its memberships of the old organisation's teams."""
    if enrolment_code is not None:
        organisation = _organisation_for_code(session, enrolment_code)
        if organisation.id != installation.organisation_id:
            teams.leave_all(session, installation)
        installation.organisation = organisation
    if locale is not None:
        installation.locale = locale
    if weekly is not None:
        installation.notify_weekly = weekly
    if reminders is not None:
        installation.notify_reminders = reminders
    session.commit()
    return installation


def erase(session: Session, installation: Installation) -> None:
    """Remove the installation, its push token and its team memberships. Its
    answers stay counted but nobody can link them to anyone any more: the
    seed is gone."""
    teams.leave_all(session, installation)
    session.delete(installation)
    session.commit()


def set_push_token(
    session: Session, installation: Installation, now: datetime, token: str, platform: str, kind: str = "registration"
) -> None:
    if installation.push_token is None:
        installation.push_token = PushToken(token=token, platform=platform, kind=kind, refreshed_at=now)
    else:
        installation.push_token.token = token
        installation.push_token.platform = platform
        installation.push_token.kind = kind
        installation.push_token.refreshed_at = now
    session.commit()


def remove_push_token(session: Session, installation: Installation) -> None:
    installation.push_token = None
    session.commit()
