"""Guided deliberation in a meeting, for the lead's phone: the methods, a
method's steps, the one-time code for the presenter screen (api.screen),
and the outcome."""

from __future__ import annotations

from dataclasses import asdict

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from api.employee.meetings import LEAD_ONLY, NOT_FOUND, ConsensusOut, SessionOut, present
from api.platform.auth import current_caller
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.fields import Instant, Prose, WholeNumber
from dilemmas.employee import deliberation
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.deliberation import AGREEMENT_MAX, VALUE_MAX

blp = Blueprint(
    "meeting", __name__, url_prefix="/api/v1", description="Guided deliberation, the presenter screen and the outcome"
)


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
    by = WholeNumber(
        load_default=1,
        validate=ma.validate.Range(min=-20, max=20),
        metadata={"description": "1: next step, -1: back"},
    )
    auto = ma.fields.Boolean(allow_none=True, load_default=None)


class ScreenCodeOut(ma.Schema):
    code = ma.fields.String(metadata={"description": "One-time code; works once, for five minutes"})
    url = ma.fields.String(metadata={"description": "The page that opens the presenter screen with the code"})
    expires_at = Instant()


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


class MeetingOutcomeOut(OutcomeOut):
    session_id = ma.fields.Integer(metadata={"description": "The meeting (the look-back push's meeting_id)"})
    team_id = ma.fields.Integer()
    dilemma_id = ma.fields.Integer()
    consensus = ma.fields.Nested(
        ConsensusOut, allow_none=True, metadata={"description": "The team's answer recorded in this meeting, else null"}
    )


def _context():
    return db_session(), current_caller(), request_time()


@blp.route("/methods")
class Methods(MethodView):
    @blp.operation("listMethods", auth=INSTALLATION)
    @blp.response(200, MethodOut(many=True))
    def get(self):
        """The methods a meeting can follow: steps with a prompt for the lead
        and minutes per step."""
        current_caller()
        return [asdict(m) for m in deliberation.methods(db_session())]


@blp.route("/sessions/<int:session_id>/deliberation")
class Follow(MethodView):
    @blp.operation(
        "followMethod",
        auth=INSTALLATION,
        errors={
            403: LEAD_ONLY,
            404: NOT_FOUND,
            409: "The session is closed, or the method is unknown (errors name the field)",
        },
    )
    @blp.arguments(FollowIn)
    @blp.response(200, SessionOut)
    def put(self, body, session_id):
        """Let the session follow a method, from its first step (lead). Every
        phone then shows the current step (``step`` in the session)."""
        session, installation, now = _context()
        return present(deliberation.follow(session, installation, session_id, body["method"], body["auto"], now))


@blp.route("/sessions/<int:session_id>/deliberation/move")
class Move(MethodView):
    @blp.operation(
        "moveStep",
        auth=INSTALLATION,
        errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: "The session is closed or follows no method"},
    )
    @blp.arguments(MoveIn)
    @blp.response(200, SessionOut)
    def post(self, body, session_id):
        """Go to the next step (or back), restarting the step's timer (lead)."""
        session, installation, now = _context()
        return present(deliberation.move(session, installation, session_id, body["by"], now, body["auto"]))


@blp.route("/sessions/<int:session_id>/screen")
class ScreenCodeView(MethodView):
    @blp.operation(
        "openPresenterScreen", auth=INSTALLATION, errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: "The session is closed"}
    )
    @blp.response(201, ScreenCodeOut)
    def post(self, session_id):
        """A one-time code for the presenter screen of this session (lead).
        Typed at /meeting/ or opened as the returned URL, it gives that
        browser a view of this one session until it ends, and the right to
        steer it (next step, reveal, revote) until the lead revokes it."""
        session, installation, now = _context()
        grant = deliberation.grant_screen(session, installation, session_id, now)
        url = url_for("meeting_screen.open_screen", code=grant.code, _external=True)
        return {"code": grant.code, "url": url, "expires_at": grant.expires_at}

    @blp.operation(
        "revokePresenterScreens",
        auth=INSTALLATION,
        errors={403: LEAD_ONLY, 404: NOT_FOUND, 409: "The session is closed"},
    )
    @blp.response(204)
    def delete(self, session_id):
        """Take the steering right back from every presenter screen of this
        session (lead): the screens keep showing it, but can no longer move
        the step, reveal or revote."""
        session, installation, now = _context()
        deliberation.revoke_screens(session, installation, session_id, now)


@blp.route("/sessions/<int:session_id>/outcome")
class OutcomeResource(MethodView):
    @blp.operation(
        "recordOutcome",
        auth=INSTALLATION,
        errors={
            403: LEAD_ONLY,
            404: NOT_FOUND,
            409: "The session is closed, or the look-back day is not within the coming year",
        },
    )
    @blp.arguments(OutcomeIn, required=False)
    @blp.response(200, OutcomeOut)
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

    @blp.operation(
        "getOutcome",
        auth=INSTALLATION,
        errors={404: "No such session in the caller's organisation, or the caller is neither in its team nor in it"},
        conditional=True,
    )
    @blp.response(200, MeetingOutcomeOut)
    def get(self, session_id):
        """What the team took from the session: its answer recorded in it,
        values and interests per option, agreements and the look-back day,
        for the members of the team and whoever took part. What the app
        shows on a look-back push (its `meeting_id`); empty until the lead
        writes it. Poll with If-None-Match."""
        session, installation, now = _context()
        found = deliberation.read_outcome(session, installation, session_id, now)
        consensus = found.consensus
        return {
            "session_id": found.meeting_id,
            "team_id": found.team_id,
            "dilemma_id": found.dilemma_id,
            "consensus": {"option": consensus.option, "note": consensus.note} if consensus else None,
            **_outcome(found.outcome),
        }


def _outcome(outcome: deliberation.OutcomeView) -> dict:
    return {
        "values": {k: list(v) for k, v in outcome.values.items()},
        "agreements": list(outcome.agreements),
        "look_back_on": outcome.look_back_on,
    }
