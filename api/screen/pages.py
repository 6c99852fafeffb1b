"""The presenter screen under /meeting/, for the projector.

The screen never holds an installation's token. The lead's phone asks for
a one-time code (``POST /sessions/{id}/screen``), the screen exchanges it
at /meeting/open for a signed cookie bound to that one meeting until the
meeting ends. The cookie also names the code that opened it: with it the
laptop steers the meeting (next step, reveal, revote) with the lead's
authority, until the lead's phone revokes that
(``DELETE /sessions/{id}/screen``). The screen shows one full-screen state
at a time (api.screen.states). The screen follows the meeting by conditional
polling: a poll whose ETag still holds is answered 304 from the meeting's
change number, before anything is read or rendered (bench/ compares it
with plain polling)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
from datetime import datetime
from pathlib import Path

import segno
from flask import Blueprint, Response, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import http_date

from api.platform.context import request_time, server_secret, settings
from api.platform.db import db_session
from api.platform.errors import status_of
from api.platform.formats import day
from api.screen.states import Bar, bars, join_url, round_name, screen_state, steering_actions, written_out
from dilemmas.employee import deliberation, meeting_joins
from dilemmas.errors import DomainError, NotFound
from dilemmas.reads.screen_changes import screen_change

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


def _screen_pass() -> tuple[int, str | None] | None:
    """The meeting of this browser's screen cookie and its steering key, or None."""
    try:
        meeting_id, until, *rest = _signer().loads(request.cookies.get(COOKIE, ""))
    except (BadSignature, ValueError, TypeError):
        return None
    if request_time() >= datetime.fromisoformat(until):
        return None
    return int(meeting_id), (str(rest[0]) if rest else None)


def _csrf() -> str:
    """The steering forms' token: bound to this screen's cookie, so a page
    of another site can never post one (SameSite=Strict says the same)."""
    cookie = request.cookies.get(COOKIE, "")
    return hmac.new(server_secret(), b"screen steer\x00" + cookie.encode(), hashlib.sha256).hexdigest()


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
        _signer().dumps([grant.meeting_id, grant.expires_at.isoformat(), grant.steering_key]),
        max_age=max(1, int((grant.expires_at - request_time()).total_seconds())),
        path="/meeting",
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return response


def _view_or_none():
    screen_pass = _screen_pass()
    if screen_pass is None:
        return None
    try:
        return deliberation.screen(db_session(), screen_pass[0], request_time(), settings().thresholds.counter_key)
    except NotFound:
        return None


def _live_context(view: deliberation.ScreenView, message: str | None = None) -> dict:
    meeting_id, steering_key = _screen_pass()
    steering = deliberation.may_steer(db_session(), meeting_id, steering_key)
    chart: list[Bar] = bars(view.meeting.spread, view.dilemma.current.options) if view.meeting.spread else []
    url = join_url(settings().public_url or request.host_url, view.meeting.join_code)
    look_back = view.outcome.look_back_on if view.outcome else None
    return {
        "view": view,
        "meeting": view.meeting,
        "state": screen_state(view),
        "shown": written_out(url),
        "round_name": round_name(view.meeting),
        "look_back": day(look_back) if look_back else None,
        "chart": chart,
        "options": view.dilemma.current.options,
        "join_url": url,
        "actions": steering_actions(view, settings().meeting_min_reveal) if steering else (),
        "csrf": _csrf() if steering else None,
        "message": message,
    }


def _screen_page(view: deliberation.ScreenView, status: int = 200, message: str | None = None) -> Response:
    html = render_template(
        "meeting/screen.html",
        poll_seconds=POLL_SECONDS,
        server_now=http_date(request_time()),
        **_live_context(view, message),
    )
    response = Response(html, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@web.get("/screen")
def screen():
    """The presenter screen: one full-screen state at a time (join, voting,
    reveal, a deliberation step, the outcome), for the back of the room."""
    view = _view_or_none()
    if view is None:
        return _start("Open het scherm met een nieuwe code van de telefoon van de teamleider.", 403)
    return _screen_page(view)


@web.post("/screen/steer")
def steer():
    """The lead's next step, reveal or revote, from the laptop."""
    view = _view_or_none()
    if view is None:
        return _start("Open het scherm met een nieuwe code van de telefoon van de teamleider.", 403)
    if not hmac.compare_digest((request.form.get("csrf_token") or "").encode(), _csrf().encode()):
        return _screen_page(view, 400, "Dit formulier is verlopen. Probeer het nog eens.")
    try:
        deliberation.steer(
            db_session(),
            view.meeting.id,
            _screen_pass()[1],
            request.form.get("action", ""),
            settings().meeting_min_reveal,
            request_time(),
            settings().thresholds.counter_key,
        )
    except DomainError as error:
        db_session().rollback()
        return _screen_page(_view_or_none() or view, status_of(error), error.detail)
    return redirect(url_for("meeting_screen.screen"), 303)


@web.get("/screen/live")
def live():
    """The live state of the screen as HTML, with an ETag of what it shows:
    304 without a body while nothing changed. The ETag comes from the
    meeting's change number (``dilemmas.reads.screen_changes``), read in one
    query before anything is read or rendered, so that a 304 costs a
    fraction of a page (bench.meeting); it is weak, because the page's
    countdown text moves without the page changing (the screen's script
    counts down from the step's end)."""
    screen_pass = _screen_pass()
    if screen_pass is None:
        return Response("", 403)
    change = screen_change(db_session(), screen_pass[0], request_time())
    etag = _live_etag(change.tag()) if change is not None else None
    if etag is not None and request.if_none_match.contains_weak(etag):
        return _live_headers(Response(status=304), etag, weak=True)
    view = _view_or_none()
    if view is None:
        return Response("", 403)
    response = Response(render_template("meeting/live.html", **_live_context(view)), mimetype="text/html")
    if etag is None:  # no change number: the bytes say whether anything changed
        return _live_headers(response, hashlib.sha256(response.get_data()).hexdigest()[:32], weak=False)
    return _live_headers(response, etag, weak=True).make_conditional(request)


def _live_headers(response: Response, etag: str, weak: bool) -> Response:
    response.set_etag(etag, weak=weak)
    response.headers["Cache-Control"] = "private, no-cache"
    # The server's clock (frozen with KOMPAS_NOW), for the step's countdown.
    response.headers["X-Kompas-Now"] = http_date(request_time())
    return response


def _live_etag(change: str) -> str:
    """Everything else the live part depends on besides the meeting: this
    screen's cookie (its steering right and form token), the join link's
    address, the reveal minimum and the templates themselves."""
    parts = (change, request.cookies.get(COOKIE, ""), settings().public_url or request.host_url,
             str(settings().meeting_min_reveal), _templates_digest())  # fmt: skip
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@functools.cache
def _templates_digest() -> str:
    folder = Path(__file__).resolve().parents[1] / "templates" / "meeting"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@web.get("/screen/qr.svg")
def qr():
    """The join link as a QR code (SVG, made on the server): a phone's
    camera opens the join page with the code filled in."""
    view = _view_or_none()
    if view is None or view.meeting.join_code is None:
        return Response("", 404)
    out = io.BytesIO()
    # A full QR code (never a Micro QR, which phones' cameras rarely read),
    # sized by the page: no width or height, only a viewBox.
    code = view.meeting.join_code
    proof = meeting_joins.link_proof(server_secret(), view.meeting.id, code)
    code = segno.make_qr(join_url(settings().public_url or request.host_url, code, proof), error="m")
    code.save(out, kind="svg", omitsize=True, border=4, dark="#000", light="#fff")
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
