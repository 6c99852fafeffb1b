"""What every console page shares: the session cookie and the actor behind
it, CSRF on every form, the language, rendering, and turning domain errors
into a page instead of problem+json."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, g, redirect, render_template, request, url_for

from api.console.forms import FormInvalid, domain_errors
from api.console.i18n import translate
from api.platform.context import request_time, server_secret, settings
from api.platform.db import db_session, ensure_week_begun
from api.platform.errors import status_of
from dilemmas.errors import DomainError, Unauthorized
from dilemmas.office import console
from dilemmas.office.scope import Actor

COOKIE = "kompas_office"
# Before sign-in there is no session to keep a CSRF token in: the sign-in
# form carries a random value that must equal this cookie's (double submit).
SIGN_IN_COOKIE = "kompas_office_signin"
PATH = "/office/"
PUBLIC_ENDPOINTS = frozenset({"office.sign_in", "office.oidc_login", "office.oidc_callback"})


class CsrfRefused(Exception):
    """A form without the session's CSRF token."""


def idle_limit() -> timedelta:
    return timedelta(minutes=settings().office_idle_minutes)


def actor() -> Actor:
    """The signed-in person of this request."""
    return g.office.actor


def locale() -> str:
    office = g.get("office")
    if office is not None:
        return office.locale
    # Before sign-in: the language link's choice, carried by the sign-in form.
    wanted = request.values.get("lang")
    return wanted if wanted in console.LOCALES else "nl"


def t(text: str) -> str:
    """The console's text in the session's language (Dutch is the source)."""
    return translate(text, locale())


def csrf_token() -> str:
    office = g.get("office")
    if office is not None:
        return office.csrf_token
    if "sign_in_csrf" not in g:
        g.sign_in_csrf = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    return g.sign_in_csrf


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def check_csrf() -> None:
    """Every POST carries the session's (or the sign-in form's) token."""
    sent = request.form.get("csrf_token")
    expected = g.office.csrf_token if g.get("office") is not None else request.cookies.get(SIGN_IN_COOKIE)
    if not _same(sent, expected):
        raise CsrfRefused()


def safe_next(target: str | None) -> str:
    """Only a path inside the console, never another site."""
    if target and target.startswith(PATH) and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("office.this_week")


def load_sign_in() -> Response | None:
    """Before each console request: resume the session (or send the browser
    to the sign-in page), refuse a form without its CSRF token, and begin
    the week as the app's requests do."""
    ensure_week_begun()
    cookie = request.cookies.get(COOKIE)
    if request.endpoint in PUBLIC_ENDPOINTS:
        if request.method == "POST":
            check_csrf()
        return None
    if not cookie:
        if request.method == "POST":
            return page("office/refused.html", 401, reason="signed_out")
        return redirect(url_for("office.sign_in", next=request.full_path.rstrip("?")))
    session = db_session()
    try:
        g.office = console.resume(session, server_secret(), request_time(), cookie, idle_limit())
    except Unauthorized as error:
        expired = error.extra.get("reason") == "expired"
        if request.method == "POST":
            response = page("office/refused.html", 401, reason="expired" if expired else "signed_out")
        else:
            response = redirect(
                url_for("office.sign_in", next=request.full_path.rstrip("?"), expired=1 if expired else None)
            )
        response.delete_cookie(COOKIE, path=PATH)
        return response
    if request.method == "POST":
        check_csrf()
    return None


def set_sign_in_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        path=PATH,
        httponly=True,
        secure=settings().production,
        samesite="Strict",
    )


def page(template: str, status: int = 200, **context) -> Response:
    """Render a console page."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def form_dict() -> Mapping[str, str]:
    """The posted form with Windows line ends made plain."""
    return {key: value.replace("\r\n", "\n") for key, value in request.form.items()}


@dataclass
class Submission:
    """What became of a form's submission: its messages by field and the
    status the page answers with (the API's for the same refusal)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200


@contextmanager
def submission() -> Iterator[Submission]:
    """Run a form's submission, the console's one error chain. What the
    person can mend in the form (the form's own validation, 422; a field or
    state a service refuses, 422 or 409 as in the API) becomes messages
    beside the fields in the person's language, and the transaction is
    rolled back; everything else (401, 403, 404, 429) goes on to the
    console's error page."""
    outcome = Submission()
    try:
        yield outcome
    except FormInvalid as invalid:
        outcome.errors, outcome.status = _translated(invalid.errors), 422
    except DomainError as error:
        status = status_of(error)
        if status not in (409, 422):
            raise
        db_session().rollback()
        outcome.errors, outcome.status = _translated(domain_errors(error)), status


def _translated(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [t(message) for message in messages] for name, messages in errors.items()}
