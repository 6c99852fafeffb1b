"""Employees propose a dilemma, anonymously."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.platform import limits
from api.platform.auth import current_installation
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.fields import Choice, Line, Prose
from api.platform.limits import limiter
from dilemmas.employee import suggestions
from dilemmas.model.suggestions import STATUSES

blp = Blueprint("suggestions", __name__, url_prefix="/api/v1/suggestions", description="Suggest a dilemma")


class SuggestionIn(ma.Schema):
    text = Prose(required=True, validate=ma.validate.Length(min=20, max=2000))
    category = Line(validate=ma.validate.Length(min=1, max=64))


class SuggestionReceipt(ma.Schema):
    id = ma.fields.Integer()
    status = Choice(STATUSES)


@blp.route("")
class Suggest(MethodView):
    decorators = [limiter.limit(limits.SUGGESTIONS, methods=["POST"], key_func=limits.per_caller)]

    @blp.operation("suggestDilemma", auth=INSTALLATION, errors={429: "Too many suggestions from this installation"})
    @blp.arguments(SuggestionIn)
    @blp.response(201, SuggestionReceipt)
    def post(self, body):
        """Send the integrity office a situation that would make a good
        dilemma. Nothing about the sender is kept."""
        return suggestions.submit(db_session(), current_installation(), request_time(), **body)
