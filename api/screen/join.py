"""Joining a meeting in any phone's browser, without the app: the link in
the presenter screen's QR code, ``/join/<code>``.

- The browser gets an installation of platform ``web`` only once its code
  is right, made on the spot in the meeting's organisation; its token lives
  in an HttpOnly cookie (path /join, SameSite=Lax so that a camera's link
  carries it, Secure in production) for ``WEB_LIFETIME``, and is never
  shown. After that the browser is a phone like any other: the same keys,
  votes, counts and anonymity rules (docs/anonymity.md).
- Every form carries a CSRF token (a double-submit cookie).
- Wrong codes count per client address, and those of browsers without an
  installation over all addresses together (``limits.web_code_limits``:
  walking the million codes finds an open meeting with a small, stated
  probability; docs/meetings.md). They count against no meeting, so no
  meeting gets a new code for another organisation's typos.
- The join code never reaches a log: ``CodeOutOfPath`` takes it out of the
  request's path before the app, gunicorn's access log or the request log
  see it.
- The pages work without JavaScript; a small script only keeps the count
  of votes live."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, url_for

from api.platform.context import request_time, server_secret, settings
from api.platform.db import db_session
from api.platform.errors import status_of
from api.platform.limits import WEB_CODES_FROM_ADDRESS, web_code_limits
from api.screen.states import bars
from dilemmas.employee import installations, meeting_joins, meetings
from dilemmas.errors import DomainError, NotFound, Unauthorized
from dilemmas.reads.content import content_of

web = Blueprint(
    "join",
    __name__,
    url_prefix="/join",
    static_folder=Path(__file__).resolve().parents[1] / "static" / "join",
    static_url_path="/static",
)

COOKIE = "kompas_web"
CSRF_COOKIE = "kompas_web_form"
# A meeting lasts at most four hours; a browser's installation outlives it
# by a working day, then the browser joins anew.
WEB_LIFETIME = timedelta(hours=12)
ENVIRON_CODE = "kompas.join_code"
ENVIRON_PROOF = "kompas.join_proof"
CODE_IN_PATH = re.compile(r"^/join/(\d{1,12})(?:-([0-9a-f]{1,64}))?/?$")
JOIN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class CodeOutOfPath:
    """WSGI middleware: ``/join/123456`` (or the QR's ``/join/123456-<proof>``)
    becomes ``/join/`` with the code and proof kept beside the request,
    before anything logs the path."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        match = CODE_IN_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            environ[ENVIRON_CODE] = match.group(1)
            environ[ENVIRON_PROOF] = match.group(2) or ""
            environ["PATH_INFO"] = "/join/"
            for raw in ("RAW_URI", "REQUEST_URI"):
                if raw in environ:
                    environ[raw] = "/join/"
        return self.app(environ, start_response)


# The app's claim on /join/ links: with the app installed, the phone opens
# the join link in the app instead of this page.
links = Blueprint("app_links", __name__, url_prefix="/.well-known")


@links.get("/apple-app-site-association")
def apple_app_site_association():
    """iOS universal links for /join/ (KOMPAS_IOS_APP_IDS); 404 when unset."""
    apps = sorted(settings().ios_app_ids)
    if not apps:
        return Response("", 404)
    return {"applinks": {"details": [{"appIDs": apps, "components": [{"/": "/join/*"}]}]}}


@links.get("/assetlinks.json")
def asset_links():
    """Android app links for /join/ (KOMPAS_ANDROID_APPS); 404 when unset."""
    statements = []
    for app in sorted(settings().android_apps):
        package, _, fingerprint = app.partition("=")
        statements.append(
            {
                "relation": ["delegate_permission/common.handle_all_urls"],
                "target": {
                    "namespace": "android_app",
                    "package_name": package,
                    "sha256_cert_fingerprints": [fingerprint.removeprefix("SHA256:")],
                },
            }
        )
    if not statements:
        return Response("", 404)
    return Response(json.dumps(statements), mimetype="application/json")


@web.after_request
def join_policy(response: Response) -> Response:
    """Own scripts and styles only; never cached (the pages show votes)."""
    response.headers["Content-Security-Policy"] = JOIN_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _caller():
    """The installation of this browser's cookie, or None (looked up once
    per request: the limits ask too)."""
    if "_join_caller" not in request.environ:
        token = request.cookies.get(COOKIE)
        caller = None
        if token:
            try:
                caller = installations.authenticate(db_session(), server_secret(), token)
            except Unauthorized:
                caller = None
        request.environ["_join_caller"] = caller
    return request.environ["_join_caller"]


def _form_token() -> str:
    if "_join_csrf" not in request.environ:
        request.environ["_join_csrf"] = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return request.environ["_join_csrf"]


def _form_ok() -> bool:
    sent, kept = request.form.get("csrf_token") or "", request.cookies.get(CSRF_COOKIE) or ""
    return bool(sent) and hmac.compare_digest(sent.encode(), kept.encode())


def _page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, csrf_token=_form_token(), **context), status, mimetype="text/html")
    response.set_cookie(
        CSRF_COOKIE,
        _form_token(),
        max_age=int(WEB_LIFETIME.total_seconds()),
        path="/join",
        httponly=True,
        samesite="Lax",
        secure=settings().production,
    )
    return response


def _join_page(code: str = "", error: str | None = None, status: int = 200, proof: str = "") -> Response:
    return _page(
        "join/join.html",
        status,
        code=code,
        proof=proof,
        error=error,
        lifetime_hours=int(WEB_LIFETIME / timedelta(hours=1)),
    )


@web.get("/")
def start():
    """The page the QR code opens: the code filled in (with the link's
    proof beside it), one button."""
    return _join_page(request.environ.get(ENVIRON_CODE, "")[:6], proof=request.environ.get(ENVIRON_PROOF, "")[:64])


def _proof() -> str | None:
    return (request.form.get("proof") or "")[:64] or None


def _spared() -> bool:
    """Who the cap on typed codes over all addresses does not count: a
    browser with an installation (a phone like any other), and one that
    came by the screen's QR link (its proof cannot be guessed)."""
    return _caller() is not None or _proof() is not None


def _limited(view):
    for decorator in web_code_limits(_spared):
        view = decorator(view)
    return view


@web.post("/")
@_limited
def join():
    """Join with the code: an installation of platform web for a browser
    without one, then the meeting's page."""
    code = re.sub(r"\s", "", request.form.get("code") or "")[:12]
    if not _form_ok():
        return _join_page(code, "Dit formulier is verlopen. Probeer het nog eens.", 400)
    try:
        joined = meeting_joins.join_on_the_web(db_session(), server_secret(), code, request_time(), _caller(), _proof())
    except DomainError as error:
        db_session().rollback()
        status = status_of(error)
        text = {
            404: "Er is geen open sessie met deze code. Kijk nog eens op het scherm.",
            422: "Een sessiecode is zes cijfers.",
            429: "Te veel verkeerde codes. Wacht even en probeer het opnieuw.",
        }.get(status, error.detail)
        return _join_page(code, text, status, proof=_proof() or "")
    response = redirect(url_for("join.meeting", meeting_id=joined.meeting.id), 303)
    if joined.token is not None:
        response.set_cookie(
            COOKIE,
            joined.token,
            max_age=int(WEB_LIFETIME.total_seconds()),
            path="/join",
            httponly=True,
            samesite="Lax",
            secure=settings().production,
        )
    return response


@web.errorhandler(429)
def too_many(error):
    """Too many wrong codes, from this address or from browsers anywhere:
    the page says which, in words."""
    limit = getattr(error, "limit", None)
    response = _join_page("", (limit and limit.error_message) or WEB_CODES_FROM_ADDRESS, 429)
    if limit is not None:
        response.headers["Retry-After"] = str(limit.limit.get_expiry())
    return response


def _meeting_view(meeting_id: int):
    caller = _caller()
    if caller is None:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    return meetings.view(db_session(), caller, meeting_id, request_time())


@web.get("/m/<int:meeting_id>")
def meeting(meeting_id: int, error: str | None = None, status: int = 200):
    """The meeting on the phone: the dilemma, a vote, the count, the result."""
    try:
        view = _meeting_view(meeting_id)
    except DomainError:
        return _join_page("", "Doe eerst mee met de code van het scherm.", 404)
    dilemma = content_of(db_session(), view.dilemma_id)
    return _page(
        "join/meeting.html",
        status,
        view=view,
        dilemma=dilemma,
        chart=bars(view.spread, dilemma.current.options) if view.spread else [],
        error=error,
    )


@web.post("/m/<int:meeting_id>/vote")
def vote(meeting_id: int):
    """Cast or change this browser's vote in the current round."""
    if not _form_ok():
        return meeting(meeting_id, "Dit formulier is verlopen. Probeer het nog eens.", 400)
    caller = _caller()
    if caller is None:
        return _join_page("", "Doe eerst mee met de code van het scherm.", 404)
    try:
        meetings.vote(db_session(), caller, meeting_id, request.form.get("option", ""), request_time())
    except DomainError as error:
        db_session().rollback()
        message = "Kies een van de opties." if status_of(error) == 422 else error.detail
        return meeting(meeting_id, message, status_of(error))
    return redirect(url_for("join.meeting", meeting_id=meeting_id, gestemd=1), 303)


@web.get("/m/<int:meeting_id>/count")
def count(meeting_id: int):
    """The live count for the page's small script: votes, phones, state."""
    try:
        view = _meeting_view(meeting_id)
    except DomainError:
        return Response("", 404)
    return {"votes": view.votes, "participants": view.participants, "state": view.state, "round": view.round}
