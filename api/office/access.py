"""The integrity office: who am I, tokens, enrolment codes, the audit log."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.office.schemas import AuditQuery, TokenIn
from api.platform import limits
from api.platform.auth import current_actor
from api.platform.blueprint import ADMIN, Blueprint
from api.platform.context import request_time, server_secret
from api.platform.db import db_session
from api.platform.fields import Choice, Instant, Line
from api.platform.limits import limiter
from dilemmas.model.admins import ROLES, AdminToken
from dilemmas.office import admin_tokens
from dilemmas.office.audit import audit_trail
from dilemmas.office.organisations import enrolment_codes, rotate_enrolment_code
from dilemmas.office.scope import organisations_in_scope
from dilemmas.typed_codes import format_code

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Integrity office: tokens and audit")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

FORBIDDEN = "The token's role does not allow this"


class MeOut(ma.Schema):
    name = ma.fields.String()
    role = Choice(ROLES)
    organisation = ma.fields.String()
    scope = ma.fields.List(ma.fields.String(), metadata={"description": "Organisations this token reaches"})
    expires_at = Instant()


class TokenOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    role = Choice(ROLES)
    organisation = ma.fields.String()
    created_at = Instant()
    expires_at = Instant()
    revoked_at = Instant(allow_none=True)
    created_by = ma.fields.String()


class NewTokenOut(TokenOut):
    token = ma.fields.String(metadata={"description": "Shown once."})


class EnrolmentCodeOut(ma.Schema):
    organisation = ma.fields.String()
    code = ma.fields.String(allow_none=True)


class RotateIn(ma.Schema):
    organisation = Line(validate=ma.validate.Length(min=1, max=64))


class AuditOut(ma.Schema):
    id = ma.fields.Integer()
    at = Instant()
    actor = ma.fields.String()
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.Integer(allow_none=True)
    details = ma.fields.Dict()


def present_token(token: AdminToken) -> dict:
    fields = ("id", "name", "role", "created_at", "expires_at", "revoked_at", "created_by")
    return {**{name: getattr(token, name) for name in fields}, "organisation": token.organisation.slug}


@blp.route("/me")
class Me(MethodView):
    @blp.operation("getAdminMe", auth=ADMIN)
    @blp.response(200, MeOut)
    def get(self):
        """The person, role and organisations of this token."""
        actor = current_actor()
        return {
            "name": actor.name,
            "role": actor.role,
            "organisation": actor.organisation.slug,
            "scope": [o.slug for o in organisations_in_scope(db_session(), actor)],
            "expires_at": actor.expires_at,
        }


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.operation("listAdminTokens", auth=ADMIN, errors={403: FORBIDDEN})
    @blp.response(200, TokenOut(many=True))
    def get(self):
        """Tokens of the organisations in reach (never their secrets). Admin role."""
        return [present_token(t) for t in admin_tokens.tokens_in_scope(db_session(), current_actor())]

    @blp.operation(
        "createAdminToken", auth=ADMIN, errors={403: FORBIDDEN, 404: "The organisation is unknown or out of reach"}
    )
    @blp.arguments(TokenIn)
    @blp.response(201, NewTokenOut)
    def post(self, body):
        """Mint a personal access token; the token is shown only now. Admin role."""
        token, plain = admin_tokens.issue(
            db_session(),
            server_secret(),
            request_time(),
            current_actor(),
            body["name"],
            body["role"],
            body.get("organisation"),
            body["days"],
        )
        return {**present_token(token), "token": plain}


@blp.route("/tokens/<int:token_id>")
class OneToken(MethodView):
    @blp.operation("revokeAdminToken", auth=ADMIN, errors={403: FORBIDDEN, 404: "No such token in reach"})
    @blp.response(204)
    def delete(self, token_id):
        """Revoke a token at once. Admin role."""
        admin_tokens.revoke(db_session(), current_actor(), token_id, request_time())


@blp.route("/enrolment-codes")
class EnrolmentCodes(MethodView):
    @blp.operation("listEnrolmentCodes", auth=ADMIN, errors={403: FORBIDDEN})
    @blp.response(200, EnrolmentCodeOut(many=True))
    def get(self):
        """The active enrolment code of each organisation in reach. Admin role."""
        pairs = enrolment_codes(db_session(), current_actor())
        return [{"organisation": o.slug, "code": format_code(code) if code else None} for o, code in pairs]

    @blp.operation(
        "rotateEnrolmentCode", auth=ADMIN, errors={403: FORBIDDEN, 404: "The organisation is unknown or out of reach"}
    )
    @blp.arguments(RotateIn, required=False)
    @blp.response(201, EnrolmentCodeOut)
    def post(self, body):
        """Rotate an organisation's enrolment code: the old one stops working for
        new installations only. Admin role."""
        organisation, code = rotate_enrolment_code(
            db_session(), current_actor(), request_time(), body.get("organisation")
        )
        return {"organisation": organisation.slug, "code": format_code(code)}


@blp.route("/audit")
class Audit(MethodView):
    @blp.operation("listAudit", auth=ADMIN, errors={403: FORBIDDEN})
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditOut(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Every admin action in reach, newest first; read-only. Admin role."""
        rows, total = audit_trail(
            db_session(),
            current_actor(),
            pagination_parameters.page,
            pagination_parameters.page_size,
            action=query.get("action"),
            object_type=query.get("object_type"),
            object_id=query.get("object_id"),
            by=query.get("actor"),
            since=query.get("since"),
            until=query.get("until"),
        )
        pagination_parameters.item_count = total
        return rows
