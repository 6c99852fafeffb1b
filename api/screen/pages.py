"""The presenter screen under /meeting/, for the projector.

The screen never holds an installation's token. The lead's phone asks for
a one-time code (``POST /sessions/{id}/screen``), the screen exchanges it
at /meeting/open for a signed, read-only cookie bound to that one meeting
until the meeting ends. The screen follows the meeting by conditional
polling: each poll renders the live part and answers 304 without a body
when nothing changed (bench/ compares it with plain polling)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import segno
from flask import Blueprint, Response, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import http_date

from api.platform.context import request_time, server_secret
from api.platform.db import db_session
from dilemmas.employee import deliberation
from dilemmas.errors import NotFound
from scoring.spreads import option_counts

web = Blueprint(
    "meeting_screen",
    __name__,
    url_prefix="/meeting",
    static_folder=Path(__file__).resolve().parents[1] / "static" / "meeting",
    static_url_path="/static",
)

COOKIE = "kompas_screen"
# Only our own script, styles and images; nothing inline, no frames.
SCREEN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
POLL_SECONDS = 2


@web.after_request
def screen_policy(response: Response) -> Response:
    """The presenter screen's pages load their own script and styles."""
    response.headers["Content-Security-Policy"] = SCREEN_POLICY
    return response


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_secret(), salt="kompas meeting screen")


def _screen_meeting() -> int | None:
    """The meeting of this browser's screen cookie, or None."""
    try:
        meeting_id, until = _signer().loads(request.cookies.get(COOKIE, ""))
    except (BadSignature, ValueError, TypeError):
        return None
    if request_time() >= datetime.fromisoformat(until):
        return None
    return int(meeting_id)


def _start(error: str | None = None, status: int = 200) -> Response:
    return Response(render_template("meeting/start.html", error=error), status, mimetype="text/html")


@web.get("/")
def start():
    """The page where the screen's code is typed."""
    return _start()


@web.route("/open", methods=["GET", "POST"])
def open_screen():
    """Exchange a one-time code for this browser's read-only screen cookie."""
    code = (request.values.get("code") or "").strip()
    if not code or len(code) > 64:
        return _start("Typ de code die de telefoon van de teamleider laat zien.", 400)
    try:
        grant = deliberation.redeem_screen(db_session(), code, request_time())
    except NotFound:
        return _start("Deze code werkt niet (meer). Vraag op de telefoon een nieuwe code.", 404)
    response = redirect(url_for("meeting_screen.screen"), 303)
    response.set_cookie(
        COOKIE,
        _signer().dumps([grant.meeting_id, grant.expires_at.isoformat()]),
        max_age=max(1, int((grant.expires_at - request_time()).total_seconds())),
        path="/meeting",
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return response


def _view_or_none():
    meeting_id = _screen_meeting()
    if meeting_id is None:
        return None
    try:
        return deliberation.screen(db_session(), meeting_id, request_time())
    except NotFound:
        return None


def _chart(spread: tuple[int, ...] | None) -> list[dict]:
    return [asdict(o) for o in option_counts(spread)] if spread is not None else []


def _live_context(view: deliberation.ScreenView) -> dict:
    return {
        "view": view,
        "meeting": view.meeting,
        "chart": _chart(view.meeting.spread),
        "options": view.dilemma.current.options,
    }


@web.get("/screen")
def screen():
    """The presenter screen: the dilemma, the join code and its QR code, the
    counts, the reveal, the step and the outcome, for the back of the room."""
    view = _view_or_none()
    if view is None:
        return _start("Open het scherm met een nieuwe code van de telefoon van de teamleider.", 403)
    html = render_template(
        "meeting/screen.html", poll_seconds=POLL_SECONDS, server_now=http_date(request_time()), **_live_context(view)
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@web.get("/screen/live")
def live():
    """The live part of the screen as HTML, with a strong ETag of its bytes:
    304 without a body while nothing changed."""
    view = _view_or_none()
    if view is None:
        return Response("", 403)
    response = Response(render_template("meeting/live.html", **_live_context(view)), mimetype="text/html")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    # The server's clock (frozen with KOMPAS_NOW), for the step's countdown.
    response.headers["X-Kompas-Now"] = http_date(request_time())
    return response.make_conditional(request)


@web.get("/screen/qr.svg")
def qr():
    """The join code as a QR code (SVG, made on the server)."""
    view = _view_or_none()
    if view is None or view.meeting.join_code is None:
        return Response("", 404)
    out = io.BytesIO()
    # A full QR code (never a Micro QR, which phones' cameras rarely read),
    # sized by the page: no width or height, only a viewBox.
    code = segno.make_qr(view.meeting.join_code, error="m")
    code.save(out, kind="svg", omitsize=True, border=4, dark="#000", light="#fff")
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
