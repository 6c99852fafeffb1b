"""The integrity office writes, reviews, schedules and archives dilemmas."""

from __future__ import annotations

import re

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from api import limits
from api.admin import FORBIDDEN, UNAUTHORIZED
from api.auth import ADMIN_SECURITY, current_actor
from api.context import request_time
from api.db import db_session
from api.fields import Line, Prose, Said
from api.limits import limiter
from dilemmas.errors import UnknownReference
from dilemmas.model.content import (
    ALIGNMENTS,
    AUDIENCES,
    OPTION_KEYS,
    OPTION_MAX,
    SITUATION_MAX,
    STATUSES,
    TITLE_MAX,
    Dilemma,
)
from dilemmas.model.organisations import Organisation
from dilemmas.office import authoring, listing
from dilemmas.office.authoring import workflow_actions
from dilemmas.office.calendar import schedule, schedule_view
from dilemmas.weeks import Week

blp = Blueprint("admin_dilemmas", __name__, url_prefix="/api/v1/admin", description="Integrity office: dilemmas")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

NOT_FOUND = "No such dilemma in the token's organisations"
CONFLICT = "Not allowed in the dilemma's current state (the allowed actions are named)"


WEEK_PATTERN = r"^20[0-9]{2}-W(0[1-9]|[1-4][0-9]|5[0-3])$"


class WeekField(ma.fields.String):
    """An ISO week such as 2026-W49. A well-formed week that a year does not
    have (2027-W53) is no week at all: 404, like any unknown thing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"example": "2026-W49", "pattern": WEEK_PATTERN, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(WEEK_PATTERN, text):
            raise ma.ValidationError("Een week schrijf je als 2026-W49.")
        try:
            return Week.parse(text)
        except ValueError:
            raise UnknownReference(
                f"Week {text} bestaat niet.", {attr or "week": ["Dat jaar heeft die week niet."]}
            ) from None


class AdminOptionIn(ma.Schema):
    key = ma.fields.String(
        validate=ma.validate.OneOf(OPTION_KEYS),
        metadata={
            "description": "Optional, as GET returns it: when all four options have one, each goes to its "
            "key's place; otherwise the order of the list decides"
        },
    )
    text = Prose(required=True, validate=ma.validate.Length(min=1, max=OPTION_MAX))
    alignment = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(ALIGNMENTS))
    feedback = Prose(allow_none=True, validate=ma.validate.Length(max=600))


FOUR_OPTIONS = ma.validate.Length(equal=4, error="Precies vier opties.")


class OptionsInPlace(ma.Schema):
    """Options may carry the ``key`` that GET returns, so that what GET
    gives can be sent back. When the four options carry the four keys, each
    goes to its key's place; otherwise their order in the list decides."""

    @ma.post_load
    def options_in_place(self, data, **_kwargs):
        options = data.get("options")
        if not options:
            return data
        keys = [option.pop("key", None) for option in options]
        if sorted(filter(None, keys)) == sorted(OPTION_KEYS[: len(options)]):
            data["options"] = [option for _, option in sorted(zip(keys, options, strict=True), key=lambda p: p[0])]
        return data


class DilemmaIn(OptionsInPlace):
    organisation = Line(validate=ma.validate.Length(min=1, max=64))
    slug = ma.fields.String(validate=ma.validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"))
    category = Line(required=True, validate=ma.validate.Length(min=1, max=64))
    audience = ma.fields.String(load_default="iedereen", validate=ma.validate.OneOf(AUDIENCES))
    title = Line(required=True, validate=ma.validate.Length(min=1, max=TITLE_MAX))
    situation = Prose(required=True, validate=ma.validate.Length(min=1, max=SITUATION_MAX))
    explanation = Prose(load_default="", validate=ma.validate.Length(max=4000))
    options = ma.fields.List(ma.fields.Nested(AdminOptionIn), required=True, validate=FOUR_OPTIONS)
    code_refs = ma.fields.List(
        Line(validate=ma.validate.Length(min=1, max=16)),
        load_default=list,
        validate=ma.validate.Length(max=10),
    )


class DilemmaPatch(OptionsInPlace):
    category = Line(validate=ma.validate.Length(min=1, max=64))
    audience = ma.fields.String(validate=ma.validate.OneOf(AUDIENCES))
    title = Line(validate=ma.validate.Length(min=1, max=TITLE_MAX))
    situation = Prose(validate=ma.validate.Length(min=1, max=SITUATION_MAX))
    explanation = Prose(validate=ma.validate.Length(max=4000))
    options = ma.fields.List(ma.fields.Nested(AdminOptionIn), validate=FOUR_OPTIONS)
    code_refs = ma.fields.List(Line(validate=ma.validate.Length(min=1, max=16)), validate=ma.validate.Length(max=10))


class AdminOptionOut(ma.Schema):
    key = ma.fields.String()
    text = ma.fields.String()
    alignment = ma.fields.String(allow_none=True)
    feedback = ma.fields.String(allow_none=True)


class RevisionRef(ma.Schema):
    number = ma.fields.Integer()
    author = ma.fields.String()
    created_at = ma.fields.DateTime()


class AdminDilemmaOut(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    organisation = ma.fields.String()
    category = ma.fields.String()
    audience = ma.fields.String()
    status = ma.fields.String()
    needs_review = ma.fields.Boolean()
    week = ma.fields.String(allow_none=True)
    revision = ma.fields.Nested(RevisionRef)
    title = ma.fields.String()
    situation = ma.fields.String()
    explanation = ma.fields.String()
    options = ma.fields.List(ma.fields.Nested(AdminOptionOut))
    code_refs = ma.fields.List(ma.fields.String())
    answered = ma.fields.Boolean()
    allowed_actions = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "The transitions this token may make now (role, state and four-eyes)"},
    )


class ListQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    category = Line(validate=ma.validate.Length(max=64))
    organisation = Line(validate=ma.validate.Length(max=64))
    week_from = WeekField(data_key="from")
    week_to = WeekField(data_key="to")
    needs_review = ma.fields.Boolean()


class CommentIn(ma.Schema):
    comment = Prose(validate=ma.validate.Length(max=2000))


class RequestChangesIn(ma.Schema):
    comment = Said(required=True, validate=ma.validate.Length(min=1, max=2000))


class ScheduleIn(ma.Schema):
    week = WeekField(required=True, metadata={"example": "2026-W49"})


class RevisionOptionOut(ma.Schema):
    text = ma.fields.String()
    alignment = ma.fields.String(allow_none=True, metadata={"description": "aligned | grey | conflicts"})
    feedback = ma.fields.String(allow_none=True)


class ChangeOut(ma.Schema):
    number = ma.fields.Integer()
    author = ma.fields.String()
    created_at = ma.fields.DateTime()
    title = ma.fields.String()
    situation = ma.fields.String()
    explanation = ma.fields.String()
    options = ma.fields.List(ma.fields.Nested(RevisionOptionOut), metadata={"description": "In the order A-D"})
    code_refs = ma.fields.List(ma.fields.String())
    changes = ma.fields.Dict(metadata={"description": "field -> {from, to} against the previous revision"})


class ScheduleQuery(ma.Schema):
    start = WeekField(data_key="from")
    end = WeekField(data_key="to")


class WeekOut(ma.Schema):
    week = ma.fields.String()
    organisation = ma.fields.String()
    source = ma.fields.String(metadata={"description": "own | automatic | inherited | gap"})
    inherited_from = ma.fields.String(allow_none=True)
    dilemma_id = ma.fields.Integer(allow_none=True)
    title = ma.fields.String(allow_none=True)
    status = ma.fields.String(allow_none=True)


def present(dilemma: Dilemma, facts: authoring.Facts | None = None) -> dict:
    session = db_session()
    revision = dilemma.current
    facts = facts or listing.facts_of(session, [dilemma.id], request_time())[dilemma.id]
    return {
        "id": dilemma.id,
        "slug": dilemma.slug,
        "organisation": session.get(Organisation, dilemma.organisation_id).slug,
        "category": dilemma.category.slug,
        "audience": dilemma.audience,
        "status": dilemma.status,
        "needs_review": dilemma.needs_review,
        "week": facts.week,
        "revision": revision,
        "title": revision.title,
        "situation": revision.situation,
        "explanation": revision.explanation,
        "options": revision.options,
        "code_refs": [s.ref for s in revision.sections],
        "answered": facts.answered,
        "allowed_actions": workflow_actions(dilemma.status, current_actor(), revision.author),
    }


@blp.route("/dilemmas")
class Dilemmas(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, AdminDilemmaOut(many=True))
    @blp.paginate()
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(404, description="The organisation filter names an organisation out of reach")
    def get(self, query, pagination_parameters):
        """Dilemmas of the token's organisations, newest first, with filters."""
        found = listing.search(
            db_session(), current_actor(), pagination_parameters.page, pagination_parameters.page_size, **query
        )
        pagination_parameters.item_count = found.total
        facts = listing.facts_of(db_session(), [d.id for d in found.items], request_time())
        return [present(d, facts[d.id]) for d in found.items]

    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(DilemmaIn)
    @blp.response(201, AdminDilemmaOut)
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(403, description=FORBIDDEN)
    @blp.alt_response(404, description="The organisation is unknown or out of reach")
    def post(self, body):
        """Write a new draft (author role): exactly four distinct options, an
        existing category, existing code sections."""
        return present(authoring.create(db_session(), current_actor(), request_time(), body))


@blp.route("/dilemmas/<int:dilemma_id>")
class OneDilemma(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, AdminDilemmaOut)
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(404, description=NOT_FOUND)
    def get(self, dilemma_id):
        """One dilemma with its current revision and the actions allowed now."""
        return present(authoring.get(db_session(), current_actor(), dilemma_id))

    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(DilemmaPatch, required=False)
    @blp.response(200, AdminDilemmaOut)
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(403, description=FORBIDDEN)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="Options of an answered dilemma, or a state that cannot be edited")
    def patch(self, body, dilemma_id):
        """Change a dilemma (author role): a new revision; answers keep the
        revision they answered. An approved dilemma goes back to review."""
        return present(authoring.update(db_session(), current_actor(), request_time(), dilemma_id, body))

    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(204)
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(403, description=FORBIDDEN)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="Only an unanswered draft can be deleted")
    def delete(self, dilemma_id):
        """Delete an unanswered draft (author role); archive anything else."""
        authoring.remove(db_session(), current_actor(), request_time(), dilemma_id)


def _transition_view(action: str, summary: str, schema: type[ma.Schema] = CommentIn):
    def post(self, body, dilemma_id):
        return present(
            authoring.transition(db_session(), current_actor(), request_time(), dilemma_id, action, body.get("comment"))
        )

    post.__doc__ = summary
    post = blp.alt_response(409, description=CONFLICT)(post)
    post = blp.alt_response(404, description=NOT_FOUND)(post)
    post = blp.alt_response(403, description=FORBIDDEN + " (or four-eyes: you wrote this revision)")(post)
    post = blp.alt_response(401, description=UNAUTHORIZED)(post)
    post = blp.response(200, AdminDilemmaOut)(post)
    post = blp.arguments(schema, required=schema is not CommentIn)(post)
    post = blp.doc(security=ADMIN_SECURITY)(post)
    view = type(f"Transition_{action.replace('-', '_')}", (MethodView,), {"post": post})
    blp.route(f"/dilemmas/<int:dilemma_id>/{action}")(view)


_transition_view("submit", "Send a draft for review (author role).")
_transition_view("approve", "Approve the revision in review (reviewer role; never the revision's author).")
_transition_view(
    "request-changes",
    "Send the revision back with a comment (reviewer role; never the revision's author).",
    RequestChangesIn,
)
_transition_view("unschedule", "Take a scheduled dilemma off its week before the week starts (publisher role).")
_transition_view("archive", "Withdraw a dilemma from the app and the bank (publisher role).")


@blp.route("/dilemmas/<int:dilemma_id>/schedule")
class Schedule(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(ScheduleIn)
    @blp.response(200, AdminDilemmaOut)
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(403, description=FORBIDDEN)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="The week is taken or has started, or the dilemma is not approved")
    def post(self, body, dilemma_id):
        """Put an approved dilemma on a week that has not started (publisher
        role); it publishes itself when the week starts."""
        return present(schedule(db_session(), current_actor(), request_time(), dilemma_id, body["week"]))


@blp.route("/dilemmas/<int:dilemma_id>/revisions")
class Revisions(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, ChangeOut(many=True))
    @blp.alt_response(401, description=UNAUTHORIZED)
    @blp.alt_response(404, description=NOT_FOUND)
    def get(self, dilemma_id):
        """Every revision, its author and time, and what changed."""
        return authoring.revision_history(db_session(), current_actor(), dilemma_id)


@blp.route("/schedule")
class ScheduleView(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(ScheduleQuery, location="query")
    @blp.response(200, WeekOut(many=True))
    @blp.alt_response(401, description=UNAUTHORIZED)
    def get(self, query):
        """Each week (default: this one and the next 12) of each organisation in
        reach: its dilemma (own, automatic or inherited) or a gap."""
        rows = schedule_view(db_session(), current_actor(), request_time(), query.get("start"), query.get("end"))
        return [
            {
                "week": row.week,
                "organisation": row.organisation.slug,
                "source": row.source,
                "inherited_from": row.inherited_from,
                "dilemma_id": row.dilemma.id if row.dilemma else None,
                "title": row.dilemma.current.title if row.dilemma else None,
                "status": row.dilemma.status if row.dilemma else None,
            }
            for row in rows
        ]
