"""Installations: the anonymous identity of one app on one phone.

No name, e-mail or phone number is ever stored. The bearer token is shown
once and kept only as an HMAC; the keys of the installation's answers and
votes are derived from the token by each request (``employee.keys``), so
nothing on the server links them to the installation. Erasure also ends
the installation's team memberships (the lead role passes on), and so does
a move to another organisation: a team never has members
from outside its organisation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dilemmas.counters import counter_key
from dilemmas.employee import teams
from dilemmas.employee.keys import key_base
from dilemmas.errors import Unauthorized, UnknownReference
from dilemmas.language import DEFAULT_LOCALE
from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.reads.memo import GENERATION
from dilemmas.reads.organisations import by_enrolment_code
from dilemmas.reads.organisations import root as root_organisation
from dilemmas.tokens import hash_token


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
    organisation: Organisation | None = None,
) -> Registration:
    """Create an installation (in ``organisation``, else the enrolment
    code's, else the root); the returned token is never stored."""
    if organisation is None:
        organisation = _organisation_for_code(session, enrolment_code) if enrolment_code else root_organisation(session)
    token = secrets.token_urlsafe(32)
    installation = Installation(
        id=secrets.token_hex(16),
        token_hash=hash_token(token, secret_key),
        organisation=organisation,
        platform=platform,
        locale=locale,
        created_at=now,
    )
    session.add(installation)
    session.commit()
    installation.key_base = key_base(secret_key, token)
    installation.counter_key = counter_key(secret_key)
    return Registration(installation, token)


@dataclass(frozen=True)
class Caller:
    """The installation behind a request as answering and reading need it,
    read in one query together with the content generation (``dilemmas.reads.memo``),
    so the request knows at once what its process may still remember."""

    id: str
    organisation_id: int
    key_base: bytes
    generation: int
    counter_key: bytes
    # The language the phone reads (errors, names): read in the same query.
    locale: str = DEFAULT_LOCALE


# Plain Core, built once, run on the session's connection: this runs on
# every request of the app, and the ORM's statement handling would cost
# more than the query.
_INSTALLATIONS = Installation.__table__.c


_AUTHENTICATE = select(_INSTALLATIONS.id, _INSTALLATIONS.organisation_id, GENERATION, _INSTALLATIONS.locale).where(
    _INSTALLATIONS.token_hash == bindparam("token_hash")
)


def authenticate(session: Session, secret_key: bytes, token: str) -> Caller:
    """The installation of a bearer token, with the key base of its rows
    and the key of the counters its answers change."""
    row = session.connection().execute(_AUTHENTICATE, {"token_hash": hash_token(token, secret_key)}).first()
    if row is None:
        raise Unauthorized("Onbekend of ingetrokken installatietoken.")
    return Caller(row[0], row[1], key_base(secret_key, token), row[2], counter_key(secret_key), row[3])


def installation_of(session: Session, caller: Caller) -> Installation:
    """The caller's installation, to change or erase it."""
    installation = session.get(Installation, caller.id)
    if installation is None:  # erased since the request authenticated
        raise Unauthorized("Onbekend of ingetrokken installatietoken.")
    installation.key_base = caller.key_base
    installation.counter_key = caller.counter_key
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
