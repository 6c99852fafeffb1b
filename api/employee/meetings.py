"""Live sessions: a team votes blind in its meeting, reveals, talks, may
vote again and records one joint answer."""

from __future__ import annotations

from dataclasses import asdict

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView

from api.employee.dilemmas import OptionCountOut
from api.platform import limits
from api.platform.auth import current_caller
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.caching import conditional
from api.platform.context import request_time, settings
from api.platform.db import db_session
from api.platform.fields import Choice, Instant, Prose, WholeNumber
from dilemmas.employee import meetings
from dilemmas.employee.meeting_joins import join
from dilemmas.employee.meetings import NOTE_MAX, MeetingView, revealable
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.meetings import ACTIONS, ROLES, STATES
from dilemmas.storage.base import INT_MAX
from scoring.spreads import option_counts

blp = Blueprint("sessions", __name__, url_prefix="/api/v1", description="Live team sessions")

LEAD_ONLY = "Only the team's lead"
NOT_FOUND = "No such session, another organisation's, or the caller does not take part"
REFUSED = "Not possible in the session's state; the problem names the allowed transitions"


class SessionIn(ma.Schema):
    dilemma_id = WholeNumber(required=True, validate=ma.validate.Range(min=1, max=INT_MAX))


class SessionJoinIn(ma.Schema):
    join_code = ma.fields.String(
        required=True, validate=ma.validate.Regexp(r"^\d{6}$", error="Zes cijfers."), metadata={"example": "042917"}
    )


class VoteIn(ma.Schema):
    option = ma.fields.String(required=True, validate=ma.validate.OneOf(OPTION_KEYS))


class ConsensusIn(ma.Schema):
    option = ma.fields.String(required=True, validate=ma.validate.OneOf(OPTION_KEYS))
    note = Prose(allow_none=True, validate=ma.validate.Length(max=NOTE_MAX))


class ConsensusOut(ma.Schema):
    option = Choice(OPTION_KEYS)
    note = ma.fields.String(allow_none=True)


class StepOut(ma.Schema):
    method = ma.fields.String()
    method_name = ma.fields.String()
    number = ma.fields.Integer(metadata={"description": "1 for the first step"})
    count = ma.fields.Integer(metadata={"description": "Number of steps of the method"})
    title = ma.fields.String()
    prompt = ma.fields.String(metadata={"description": "What the lead asks the room (Dutch)"})
    minutes = ma.fields.Integer()
    started_at = Instant()
    ends_at = Instant(
        metadata={"description": "When the step's time is up; count down against the response's Date header"}
    )
    auto = ma.fields.Boolean(metadata={"description": "The timer moves on to the next step by itself"})


class SessionOut(ma.Schema):
    id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    team_name = ma.fields.String()
    dilemma_id = ma.fields.Integer()
    state = Choice(STATES)
    round = ma.fields.Integer(metadata={"description": "1, or 2 after a revote"})
    participants = ma.fields.Integer(
        metadata={"description": "Devices that joined or voted (never whose); show it, so one too many is noticed"}
    )
    votes = ma.fields.Integer(metadata={"description": "Votes cast in the current round (never whose)"})
    spread = ma.fields.List(
        ma.fields.Nested(OptionCountOut),
        allow_none=True,
        metadata={"description": "The last revealed round's spread; null before the first reveal"},
    )
    shift = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Voters who changed their option between the rounds; once round 2 is revealed"},
    )
    consensus = ma.fields.Nested(ConsensusOut, allow_none=True)
    join_code = ma.fields.String(allow_none=True, metadata={"description": "Null once closed"})
    expires_at = Instant()
    role = Choice(ROLES)
    my_vote = Choice(OPTION_KEYS, allow_none=True, metadata={"description": "The caller's own vote in this round"})
    allowed = ma.fields.List(Choice(ACTIONS), metadata={"description": "What the caller can do next"})
    step = ma.fields.Nested(
        StepOut,
        allow_none=True,
        metadata={"description": "The current step of the method the session follows, or null"},
    )


def present(view: MeetingView) -> dict:
    """A session's view as SessionOut dumps it."""
    return _present(view)


def _present(view: MeetingView) -> dict:
    spread = None if view.spread is None else [asdict(o) for o in option_counts(view.spread)]
    allowed = revealable(view.allowed, view.votes, settings().meeting_min_reveal)
    return {**asdict(view), "spread": spread, "allowed": list(allowed)}


def _conditional(view: MeetingView) -> Response:
    return conditional(jsonify(SessionOut().dump(_present(view))))


def _context():
    # The caller (not the installation row) carries the key base of its votes.
    return db_session(), current_caller(), request_time()


@blp.route("/teams/<int:team_id>/sessions")
class TeamSessions(MethodView):
    @blp.operation(
        "openSession",
        auth=INSTALLATION,
        errors={
            403: LEAD_ONLY,
            404: "Not a team of the caller, or a dilemma the team cannot see",
            409: "The team already has an open session",
        },
    )
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, body, team_id):
        """Open a live session on a dilemma (lead). Its 6-digit join code
        works for four hours or until the session is closed."""
        session, installation, now = _context()
        opened = _present(meetings.create(session, installation, team_id, body["dilemma_id"], now))
        return opened, 201, {"Location": f"{blp.url_prefix}/sessions/{opened['id']}"}


@blp.route("/sessions/join")
class Join(MethodView):
    decorators = limits.code_guessing_limits()

    @blp.operation(
        "joinSession",
        auth=INSTALLATION,
        errors={
            404: "No open session with this code in the caller's organisation",
            429: "Too many wrong codes from this phone or address; see Retry-After",
        },
    )
    @blp.arguments(SessionJoinIn)
    @blp.response(200, SessionOut)
    def post(self, body):
        """Join a session with its code. Wrong codes cost a growing delay."""
        session, installation, now = _context()
        return _present(join(session, installation, body["join_code"], now))


@blp.route("/sessions/<int:session_id>")
class One(MethodView):
    @blp.operation("getSession", auth=INSTALLATION, errors={404: NOT_FOUND}, conditional=True)
    @blp.response(200, SessionOut)
    def get(self, session_id):
        """The session: state, counts, the revealed spread, shift, consensus.
        Poll with If-None-Match: an unchanged session is a 304 that costs
        only reads."""
        session, installation, now = _context()
        return _conditional(meetings.view(session, installation, session_id, now))


@blp.route("/sessions/<int:session_id>/vote")
class VoteView(MethodView):
    @blp.operation("voteInSession", auth=INSTALLATION, errors={404: NOT_FOUND, 409: REFUSED})
    @blp.arguments(VoteIn)
    @blp.response(200, SessionOut)
    def put(self, body, session_id):
        """Vote blind in the current round, or change the vote before the reveal."""
        session, installation, now = _context()
        return _present(meetings.vote(session, installation, session_id, body["option"], now))


@blp.route("/sessions/<int:session_id>/reveal")
class Reveal(MethodView):
    @blp.operation(
        "revealSession",
        auth=INSTALLATION,
        errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: REFUSED + "; or fewer votes than SESSION_MIN_REVEAL"},
    )
    @blp.response(200, SessionOut)
    def post(self, session_id):
        """Show the round's spread to everyone in the session (lead)."""
        session, installation, now = _context()
        minimum = settings().meeting_min_reveal
        return _present(meetings.reveal(session, installation, session_id, minimum, now))


@blp.route("/sessions/<int:session_id>/revote")
class Revote(MethodView):
    @blp.operation("revoteSession", auth=INSTALLATION, errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: REFUSED})
    @blp.response(200, SessionOut)
    def post(self, session_id):
        """Start the second blind round after the discussion (lead)."""
        session, installation, now = _context()
        return _present(meetings.revote(session, installation, session_id, now))


@blp.route("/sessions/<int:session_id>/consensus")
class ConsensusView(MethodView):
    @blp.operation(
        "recordConsensus",
        auth=INSTALLATION,
        errors={
            403: LEAD_ONLY,
            404: NOT_FOUND,
            409: REFUSED + "; or the team's answer to this dilemma is already recorded",
        },
    )
    @blp.arguments(ConsensusIn)
    @blp.response(200, SessionOut)
    def put(self, body, session_id):
        """Record the team's joint answer (lead, after a reveal); it counts
        once, for the team, with mode team."""
        session, installation, now = _context()
        return _present(meetings.consensus(session, installation, session_id, body["option"], now, body.get("note")))


@blp.route("/sessions/<int:session_id>/close")
class Close(MethodView):
    @blp.operation("closeSession", auth=INSTALLATION, errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: REFUSED})
    @blp.response(200, SessionOut)
    def post(self, session_id):
        """Close the session (lead): no more joins or votes."""
        session, installation, now = _context()
        return _present(meetings.close(session, installation, session_id, now))
