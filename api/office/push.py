"""The integrity office's view of push campaigns, and the ad hoc push."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.office.access import FORBIDDEN
from api.office.schemas import AdhocIn
from api.platform import limits
from api.platform.auth import current_actor
from api.platform.blueprint import ADMIN, Blueprint
from api.platform.context import request_time, settings
from api.platform.db import db_session
from api.platform.fields import Choice, Instant
from api.platform.limits import limiter
from push import campaigns
from push.campaigns import STATES, STRATEGIES

blp = Blueprint("admin_push", __name__, url_prefix="/api/v1/admin/push", description="Integrity office: push")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

KINDS = ("weekly", "reminder", "adhoc")


class CampaignQuery(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))


class CampaignOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    organisation = ma.fields.String()
    dilemma_id = ma.fields.Integer(allow_none=True)
    week = ma.fields.String()
    strategy = Choice(STRATEGIES, metadata={"description": "One message per device, or per locale to a topic"})
    state = Choice(STATES)
    created_by = ma.fields.String()
    created_at = Instant()
    due_at = Instant()
    expires_at = Instant()
    finished_at = Instant(allow_none=True)
    batches = ma.fields.Integer()
    batches_done = ma.fields.Integer()
    planned = ma.fields.Integer()
    targeted = ma.fields.Integer()
    sent = ma.fields.Integer()
    retired_tokens = ma.fields.Integer()
    failed = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


@blp.route("/campaigns")
class Campaigns(MethodView):
    @blp.operation("listCampaigns", auth=ADMIN)
    @blp.arguments(CampaignQuery, location="query")
    @blp.response(200, CampaignOut(many=True))
    def get(self, query):
        """Campaigns of the token's organisations, newest first, with their
        counts: devices targeted, sent, tokens retired, failures by reason."""
        actor = current_actor()
        return campaigns.list_campaigns(db_session(), request_time(), actor.scope, **query)

    @blp.operation(
        "createCampaign",
        auth=ADMIN,
        errors={
            403: FORBIDDEN + " (publisher or admin)",
            404: "The organisation is unknown or out of reach, or the dilemma not visible to it",
            409: "The dilemma does not exist",
        },
    )
    @blp.arguments(AdhocIn)
    @blp.response(202, CampaignOut(many=True))
    def post(self, body):
        """An ad hoc push to an organisation (default: the token's) and those
        below it; the push worker sends it (202)."""
        session, now = db_session(), request_time()
        created = campaigns.adhoc_push(
            session,
            now,
            settings().push(),
            current_actor(),
            body["title"],
            body["body"],
            body.get("dilemma_id"),
            body.get("organisation"),
        )
        listed = campaigns.list_campaigns(session, now, [c.organisation_id for c in created], kind="adhoc")
        return [c for c in listed if c.id in {campaign.id for campaign in created}]
