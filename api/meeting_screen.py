"""The meeting in the room: guided deliberation and the outcome (API, for
the lead's phone), and the presenter screen (web pages under /meeting/, for
the projector).

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

import marshmallow as ma
import segno
from flask import Blueprint as WebBlueprint
from flask import Response, current_app, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import http_date

from api import limits
from api.admin import FORBIDDEN, UNAUTHORIZED
from api.auth import ADMIN_SECURITY, INSTALLATION_SECURITY, current_actor, current_caller
from api.context import request_time, server_secret
from api.db import db_session
from api.fields import Prose
from api.limits import limiter
from api.sessions import LEAD_ONLY, NOT_FOUND, SessionOut, present
from dilemmas.employee import deliberation
from dilemmas.errors import NotFound
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.deliberation import AGREEMENT_MAX, VALUE_MAX
from scoring.meetings import by_chapter
from scoring.spreads import option_counts

blp = Blueprint(
    "meeting", __name__, url_prefix="/api/v1", description="Guided deliberation, the presenter screen and the outcome"
)
web = WebBlueprint(
    "meeting_screen", __name__, url_prefix="/meeting", static_folder="static/meeting", static_url_path="/static"
)

COOKIE = "kompas_screen"
# Only our own script, styles and images; nothing inline, no frames.
SCREEN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
POLL_SECONDS = 2


class MethodStepOut(ma.Schema):
    title = ma.fields.String()
    prompt = ma.fields.String()
    minutes = ma.fields.Integer()


class MethodOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    steps = ma.fields.List(ma.fields.Nested(MethodStepOut))


class FollowIn(ma.Schema):
    method = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    auto = ma.fields.Boolean(
        load_default=False, metadata={"description": "The timer moves on to the next step when a step's time is up"}
    )


class MoveIn(ma.Schema):
    by = ma.fields.Integer(
        load_default=1,
        strict=True,
        validate=ma.validate.Range(min=-20, max=20),
        metadata={"description": "1: next step, -1: back"},
    )
    auto = ma.fields.Boolean(allow_none=True, load_default=None)


class ScreenCodeOut(ma.Schema):
    code = ma.fields.String(metadata={"description": "One-time code; works once, for five minutes"})
    url = ma.fields.String(metadata={"description": "The page that opens the presenter screen with the code"})
    expires_at = ma.fields.DateTime()


def _named_values() -> ma.fields.List:
    return ma.fields.List(Prose(validate=ma.validate.Length(max=VALUE_MAX)), validate=ma.validate.Length(max=8))


# Per option a list of its own: the contract names the four keys, so that a
# client (and a fuzzer) never sends a key the API refuses.
OptionValuesIn = ma.Schema.from_dict({key: _named_values() for key in OPTION_KEYS}, name="OptionValuesIn")


class OutcomeIn(ma.Schema):
    values = ma.fields.Nested(
        OptionValuesIn,
        load_default=dict,
        metadata={"description": "Per option, the values and interests the room named (no names of people)"},
    )
    agreements = ma.fields.List(
        Prose(validate=ma.validate.Length(max=AGREEMENT_MAX)), load_default=list, validate=ma.validate.Length(max=5)
    )
    look_back_on = ma.fields.Date(
        allow_none=True, load_default=None, metadata={"description": "The team's phones get the agreements on this day"}
    )


class OutcomeOut(ma.Schema):
    values = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    agreements = ma.fields.List(ma.fields.String())
    look_back_on = ma.fields.Date(allow_none=True)


def _context():
    return db_session(), current_caller(), request_time()


@blp.route("/methods")
class Methods(MethodView):
    @blp.doc(security=INSTALLATION_SECURITY)
    @blp.response(200, MethodOut(many=True))
    @blp.alt_response(401, description="Missing or unknown token")
    def get(self):
        """The methods a meeting can follow: steps with a prompt for the lead
        and minutes per step."""
        current_caller()
        return [asdict(m) for m in deliberation.methods(db_session())]


@blp.route("/sessions/<int:session_id>/deliberation")
class Follow(MethodView):
    @blp.doc(security=INSTALLATION_SECURITY)
    @blp.arguments(FollowIn)
    @blp.response(200, SessionOut)
    @blp.alt_response(401, description="Missing or unknown token")
    @blp.alt_response(403, description=LEAD_ONLY)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="The session is closed, or the method is unknown (errors name the field)")
    def put(self, body, session_id):
        """Let the session follow a method, from its first step (lead). Every
        phone then shows the current step (``step`` in the session)."""
        session, installation, now = _context()
        return present(deliberation.follow(session, installation, session_id, body["method"], body["auto"], now))


@blp.route("/sessions/<int:session_id>/deliberation/move")
class Move(MethodView):
    @blp.doc(security=INSTALLATION_SECURITY)
    @blp.arguments(MoveIn)
    @blp.response(200, SessionOut)
    @blp.alt_response(401, description="Missing or unknown token")
    @blp.alt_response(403, description=LEAD_ONLY)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="The session is closed or follows no method")
    def post(self, body, session_id):
        """Go to the next step (or back), restarting the step's timer (lead)."""
        session, installation, now = _context()
        return present(deliberation.move(session, installation, session_id, body["by"], now, body["auto"]))


@blp.route("/sessions/<int:session_id>/screen")
class ScreenCodeView(MethodView):
    @blp.doc(security=INSTALLATION_SECURITY)
    @blp.response(201, ScreenCodeOut)
    @blp.alt_response(401, description="Missing or unknown token")
    @blp.alt_response(403, description=LEAD_ONLY)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="The session is closed")
    def post(self, session_id):
        """A one-time code for the presenter screen of this session (lead).
        Typed at /meeting/ or opened as the returned URL, it gives that
        browser a read-only view of this one session until it ends."""
        session, installation, now = _context()
        grant = deliberation.grant_screen(session, installation, session_id, now)
        url = url_for("meeting_screen.open_screen", code=grant.code, _external=True)
        return {"code": grant.code, "url": url, "expires_at": grant.expires_at}


@blp.route("/sessions/<int:session_id>/outcome")
class OutcomeResource(MethodView):
    @blp.doc(security=INSTALLATION_SECURITY)
    @blp.arguments(OutcomeIn, required=False)
    @blp.response(200, OutcomeOut)
    @blp.alt_response(401, description="Missing or unknown token")
    @blp.alt_response(403, description=LEAD_ONLY)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="The session is closed, or the look-back day is not within the coming year")
    def put(self, body, session_id):
        """Write what the team takes from the session (lead; replaces the
        earlier text): values and interests per option, agreements, and a day
        to look back, on which the team's phones get the agreements. Stored
        for the team; nothing in it names a participant."""
        session, installation, now = _context()
        outcome = deliberation.record_outcome(
            session, installation, session_id, body["values"], body["agreements"], body["look_back_on"], now
        )
        return _outcome(outcome)


class ThemeOut(ma.Schema):
    ref = ma.fields.String(metadata={"description": "A section of the code of conduct"})
    title = ma.fields.String()
    agreements = ma.fields.Integer(metadata={"description": "Agreements made on dilemmas about this section"})


class ChapterMeetingsOut(ma.Schema):
    chapter = ma.fields.String()
    title = ma.fields.String()
    sessions = ma.fields.Integer(metadata={"description": "Sessions held (at least one round revealed)"})
    mean_shift = ma.fields.Float(allow_none=True, metadata={"description": "Mean number of voters who changed"})
    themes = ma.fields.List(
        ma.fields.Nested(ThemeOut),
        metadata={"description": "Only from teams of at least ANONYMITY_MIN_GROUP members"},
    )


@blp.route("/admin/stats/meetings")
class MeetingStatistics(MethodView):
    decorators = [limiter.limit(limits.ADMIN, key_func=limits.per_caller)]

    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, ChapterMeetingsOut(many=True))
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(403, description=FORBIDDEN + " (analyst or admin)")
    def get(self):
        """The teams' meetings per chapter of the code of conduct, in the
        caller's organisations: sessions held, the mean shift between the
        rounds, and the themes of the agreements (never a team or a text)."""
        return by_chapter(db_session(), current_actor(), current_app.config["THRESHOLDS"])


def _outcome(outcome: deliberation.OutcomeView) -> dict:
    return {
        "values": {k: list(v) for k, v in outcome.values.items()},
        "agreements": list(outcome.agreements),
        "look_back_on": outcome.look_back_on,
    }


# The presenter screen -------------------------------------------------------


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
