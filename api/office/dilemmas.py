"""The integrity office writes, reviews, schedules and archives dilemmas."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.office.access import FORBIDDEN
from api.office.schemas import DilemmaIn, DilemmaPatch, ListQuery, RequestChangesIn, ScheduleIn, WeekField
from api.platform import limits
from api.platform.auth import current_actor
from api.platform.blueprint import ADMIN, Blueprint
from api.platform.context import request_time, settings
from api.platform.db import db_session
from api.platform.fields import Choice, Instant, Prose
from api.platform.limits import limiter
from dilemmas.model.content import ALIGNMENTS, AUDIENCES, OPTION_KEYS, STATUSES, Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.office import authoring, editions, listing
from dilemmas.office.authoring import TRANSITIONS, workflow_actions
from dilemmas.office.calendar import schedule, schedule_view
from scoring import answered

blp = Blueprint("admin_dilemmas", __name__, url_prefix="/api/v1/admin", description="Integrity office: dilemmas")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

NOT_FOUND = "No such dilemma in the token's organisations"
CONFLICT = "Not allowed in the dilemma's current state (the allowed actions are named)"


class AdminOptionOut(ma.Schema):
    key = Choice(OPTION_KEYS)
    text = ma.fields.String()
    alignment = Choice(ALIGNMENTS, allow_none=True)
    feedback = ma.fields.String(allow_none=True)


class RevisionRef(ma.Schema):
    number = ma.fields.Integer()
    author = ma.fields.String()
    created_at = Instant()


class AdminDilemmaOut(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    organisation = ma.fields.String()
    category = ma.fields.String()
    audience = Choice(AUDIENCES)
    status = Choice(STATUSES)
    needs_review = ma.fields.Boolean()
    week = ma.fields.String(allow_none=True)
    revision = ma.fields.Nested(RevisionRef)
    title = ma.fields.String()
    situation = ma.fields.String()
    explanation = ma.fields.String()
    options = ma.fields.List(ma.fields.Nested(AdminOptionOut))
    code_refs = ma.fields.List(ma.fields.String())
    answered = ma.fields.Boolean()
    previous_edition_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The edition this one runs again (null for a first edition)"}
    )
    allowed_actions = ma.fields.List(
        Choice(TRANSITIONS),
        metadata={"description": "The transitions this token may make now (role, state and four-eyes)"},
    )


class CommentIn(ma.Schema):
    comment = Prose(validate=ma.validate.Length(max=2000))


class RevisionOptionOut(ma.Schema):
    text = ma.fields.String()
    alignment = Choice(ALIGNMENTS, allow_none=True)
    feedback = ma.fields.String(allow_none=True)


class ChangeOut(ma.Schema):
    number = ma.fields.Integer()
    author = ma.fields.String()
    created_at = Instant()
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
    source = Choice(("own", "automatic", "inherited", "gap"))
    inherited_from = ma.fields.String(allow_none=True)
    dilemma_id = ma.fields.Integer(allow_none=True)
    title = ma.fields.String(allow_none=True)
    status = Choice(STATUSES, allow_none=True)


def present(dilemma: Dilemma, facts: answered.Facts | None = None) -> dict:
    session = db_session()
    revision = dilemma.current
    facts = facts or answered.facts_of(session, settings().thresholds, [dilemma.id], request_time())[dilemma.id]
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
        "previous_edition_id": dilemma.previous_edition_id,
        "allowed_actions": workflow_actions(dilemma.status, current_actor(), revision.author),
    }


@blp.route("/dilemmas")
class Dilemmas(MethodView):
    @blp.operation(
        "listAdminDilemmas", auth=ADMIN, errors={404: "The organisation filter names an organisation out of reach"}
    )
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, AdminDilemmaOut(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Dilemmas of the token's organisations, newest first, with filters."""
        found = listing.search(
            db_session(), current_actor(), pagination_parameters.page, pagination_parameters.page_size, **query
        )
        pagination_parameters.item_count = found.total
        facts = answered.facts_of(db_session(), settings().thresholds, [d.id for d in found.items], request_time())
        return [present(d, facts[d.id]) for d in found.items]

    @blp.operation(
        "createDilemma", auth=ADMIN, errors={403: FORBIDDEN, 404: "The organisation is unknown or out of reach"}
    )
    @blp.arguments(DilemmaIn)
    @blp.response(201, AdminDilemmaOut)
    def post(self, body):
        """Write a new draft (author role): exactly four distinct options, an
        existing category, existing code sections."""
        return present(authoring.create(db_session(), current_actor(), request_time(), body))


@blp.route("/dilemmas/<int:dilemma_id>")
class OneDilemma(MethodView):
    @blp.operation("getAdminDilemma", auth=ADMIN, errors={404: NOT_FOUND})
    @blp.response(200, AdminDilemmaOut)
    def get(self, dilemma_id):
        """One dilemma with its current revision and the actions allowed now."""
        return present(authoring.get(db_session(), current_actor(), dilemma_id))

    @blp.operation(
        "updateDilemma",
        auth=ADMIN,
        errors={
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: "Options of an answered dilemma, or a state that cannot be edited",
        },
    )
    @blp.arguments(DilemmaPatch, required=False)
    @blp.response(200, AdminDilemmaOut)
    def patch(self, body, dilemma_id):
        """Change a dilemma (author role): a new revision; answers keep the
        revision they answered. An approved dilemma goes back to review."""
        return present(authoring.update(db_session(), current_actor(), request_time(), dilemma_id, body))

    @blp.operation(
        "deleteDilemma",
        auth=ADMIN,
        errors={403: FORBIDDEN, 404: NOT_FOUND, 409: "Only an unanswered draft can be deleted"},
    )
    @blp.response(204)
    def delete(self, dilemma_id):
        """Delete an unanswered draft (author role); archive anything else."""
        authoring.remove(db_session(), current_actor(), request_time(), dilemma_id)


def _transition_view(action: str, operation_id: str, summary: str, schema: type[ma.Schema] = CommentIn):
    def post(self, body, dilemma_id):
        return present(
            authoring.transition(db_session(), current_actor(), request_time(), dilemma_id, action, body.get("comment"))
        )

    post.__doc__ = summary
    post = blp.response(200, AdminDilemmaOut)(post)
    post = blp.arguments(schema, required=schema is not CommentIn)(post)
    post = blp.operation(
        operation_id,
        auth=ADMIN,
        errors={
            403: FORBIDDEN + " (or four-eyes: you wrote this revision)",
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )(post)
    view = type(f"Transition_{action.replace('-', '_')}", (MethodView,), {"post": post})
    blp.route(f"/dilemmas/<int:dilemma_id>/{action}")(view)


_transition_view("submit", "submitDilemma", "Send a draft for review (author role).")
_transition_view(
    "approve", "approveDilemma", "Approve the revision in review (reviewer role; never the revision's author)."
)
_transition_view(
    "request-changes",
    "requestChanges",
    "Send the revision back with a comment (reviewer role; never the revision's author).",
    RequestChangesIn,
)
_transition_view(
    "unschedule", "unscheduleDilemma", "Take a scheduled dilemma off its week before the week starts (publisher role)."
)
_transition_view("archive", "archiveDilemma", "Withdraw a dilemma from the app and the bank (publisher role).")


@blp.route("/dilemmas/<int:dilemma_id>/schedule")
class Schedule(MethodView):
    @blp.operation(
        "scheduleDilemma",
        auth=ADMIN,
        errors={
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: "The week is taken or has started, or the dilemma is not approved",
        },
    )
    @blp.arguments(ScheduleIn)
    @blp.response(200, AdminDilemmaOut)
    def post(self, body, dilemma_id):
        """Put an approved dilemma on a week that has not started (publisher
        role); it publishes itself when the week starts."""
        return present(
            schedule(
                db_session(), current_actor(), request_time(), dilemma_id, body["week"], settings().edition_min_weeks
            )
        )


@blp.route("/dilemmas/<int:dilemma_id>/editions")
class Editions(MethodView):
    @blp.operation(
        "runDilemmaAgain",
        auth=ADMIN,
        errors={
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: "The dilemma has not run and closed, a newer edition exists, the week is less than "
            "KOMPAS_EDITION_MIN_WEEKS after the last edition's (`earliest_week`), or the week is taken",
        },
    )
    @blp.arguments(ScheduleIn)
    @blp.response(201, AdminDilemmaOut)
    def post(self, body, dilemma_id):
        """Run a dilemma again as a new edition on a week (publisher role).

        The new edition is a new dilemma with the current text and
        `previous_edition_id`: its own respondent keys, counters, privacy
        budget and week, so nobody can link one person's answers to the two
        editions. It must lie at least `KOMPAS_EDITION_MIN_WEEKS` weeks after
        the last edition's week, which must have closed. Audit-logged."""
        return present(
            editions.run_again(
                db_session(), current_actor(), request_time(), dilemma_id, body["week"], settings().edition_min_weeks
            )
        )


@blp.route("/dilemmas/<int:dilemma_id>/revisions")
class Revisions(MethodView):
    @blp.operation("listRevisions", auth=ADMIN, errors={404: NOT_FOUND})
    @blp.response(200, ChangeOut(many=True))
    def get(self, dilemma_id):
        """Every revision, its author and time, and what changed."""
        return authoring.revision_history(db_session(), current_actor(), dilemma_id)


@blp.route("/schedule")
class ScheduleView(MethodView):
    @blp.operation("getSchedule", auth=ADMIN)
    @blp.arguments(ScheduleQuery, location="query")
    @blp.response(200, WeekOut(many=True))
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
