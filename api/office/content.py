"""The integrity office edits the code of conduct and reads suggestions."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.office.access import FORBIDDEN
from api.office.dilemmas import AdminDilemmaOut, present
from api.office.schemas import SectionIn, SuggestionPatch
from api.platform import limits
from api.platform.auth import current_actor
from api.platform.blueprint import ADMIN, Blueprint
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.fields import Instant, Line
from api.platform.limits import limiter
from dilemmas.model.suggestions import STATUSES
from dilemmas.office import codebook, suggestions
from dilemmas.reads import code

blp = Blueprint(
    "admin_content", __name__, url_prefix="/api/v1/admin", description="Integrity office: code and suggestions"
)
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)


class VersionOut(ma.Schema):
    version = ma.fields.Integer()
    title = ma.fields.String()
    text = ma.fields.String()
    author = ma.fields.String()
    created_at = Instant()


class AdminSectionSummary(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()
    version = ma.fields.Integer()
    updated_at = Instant()


class AdminSectionOut(AdminSectionSummary):
    versions = ma.fields.List(ma.fields.Nested(VersionOut))


class AdminChapterOut(ma.Schema):
    number = ma.fields.String()
    title = ma.fields.String()
    sections = ma.fields.List(ma.fields.Nested(AdminSectionSummary))


class SuggestionOut(ma.Schema):
    id = ma.fields.Integer()
    text = ma.fields.String()
    category = ma.fields.Function(
        lambda s: s.category.slug if s.category else None,
        allow_none=True,
        metadata={"type": "string", "description": "The category's slug, when the sender chose one"},
    )
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    received_on = ma.fields.Date()
    dilemma_id = ma.fields.Integer(allow_none=True)


class SuggestionQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    category = Line(validate=ma.validate.Length(max=64))


@blp.route("/code")
class CodeTree(MethodView):
    @blp.operation("getAdminCode", auth=ADMIN)
    @blp.response(200, AdminChapterOut(many=True))
    def get(self):
        """The code as the token's organisation reads it (root first)."""
        return code.chapters_for(db_session(), current_actor().organisation)


@blp.route("/code/sections/<string:ref>")
class CodeSectionView(MethodView):
    @blp.operation("getAdminCodeSection", auth=ADMIN, errors={404: "No such section in reach"})
    @blp.response(200, AdminSectionOut)
    def get(self, ref):
        """A section with every earlier version."""
        return code.section_for(db_session(), current_actor().organisation, ref)

    @blp.operation(
        "updateCodeSection",
        auth=ADMIN,
        errors={403: FORBIDDEN, 404: "No such section in the token's own organisations"},
    )
    @blp.arguments(SectionIn)
    @blp.response(200, AdminSectionOut)
    def put(self, body, ref):
        """A new version of a section (author role); dilemmas that refer to it
        are flagged `needs_review`."""
        return codebook.edit_section(db_session(), current_actor(), request_time(), ref, **body)


@blp.route("/suggestions")
class Suggestions(MethodView):
    @blp.operation("listSuggestions", auth=ADMIN, errors={403: FORBIDDEN})
    @blp.arguments(SuggestionQuery, location="query")
    @blp.response(200, SuggestionOut(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The inbox of suggestions sent in by employees, newest first."""
        rows, total = suggestions.inbox(
            db_session(), current_actor(), pagination_parameters.page, pagination_parameters.page_size, **query
        )
        pagination_parameters.item_count = total
        return rows


@blp.route("/suggestions/<int:suggestion_id>")
class OneSuggestion(MethodView):
    @blp.operation("updateSuggestion", auth=ADMIN, errors={403: FORBIDDEN, 404: "No such suggestion in reach"})
    @blp.arguments(SuggestionPatch)
    @blp.response(200, SuggestionOut)
    def patch(self, body, suggestion_id):
        """Set a suggestion's status: new, in_progress, used or declined."""
        return suggestions.set_status(db_session(), current_actor(), request_time(), suggestion_id, body["status"])


@blp.route("/suggestions/<int:suggestion_id>/draft")
class DraftFromSuggestion(MethodView):
    @blp.operation("draftFromSuggestion", auth=ADMIN, errors={403: FORBIDDEN, 404: "No such suggestion in reach"})
    @blp.response(201, AdminDilemmaOut)
    def post(self, suggestion_id):
        """Turn a suggestion into a draft dilemma (author role)."""
        return present(suggestions.draft_from(db_session(), current_actor(), request_time(), suggestion_id))
