"""Installations: register, read and change settings, erase; push token."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.platform import limits
from api.platform.auth import current_installation
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.context import request_time, server_secret
from api.platform.db import db_session
from api.platform.fields import Choice, Flag, Line
from dilemmas.employee import installations
from dilemmas.model.installations import LOCALES, PLATFORMS, PUSH_TOKEN_KINDS

blp = Blueprint(
    "installations", __name__, url_prefix="/api/v1/installations", description="The app's anonymous identity"
)


class OrganisationRef(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()


class RegistrationIn(ma.Schema):
    platform = ma.fields.String(required=True, validate=ma.validate.OneOf(PLATFORMS))
    locale = ma.fields.String(load_default="nl", validate=ma.validate.OneOf(LOCALES))
    enrolment_code = Line(validate=ma.validate.Length(min=4, max=64))


class RegistrationOut(ma.Schema):
    id = ma.fields.String()
    token = ma.fields.String(metadata={"description": "Shown once; keep it on the phone."})
    organisation = ma.fields.Nested(OrganisationRef)


class Notifications(ma.Schema):
    weekly = Flag()
    reminders = Flag()


class NotificationsOut(ma.Schema):
    weekly = ma.fields.Boolean(metadata={"description": "The Monday push with the week's dilemma"})
    reminders = ma.fields.Boolean(metadata={"description": "The Thursday reminder when not answered yet"})


class InstallationOut(ma.Schema):
    id = ma.fields.String()
    platform = Choice(PLATFORMS)
    locale = Choice(LOCALES, metadata={"description": "The language of texts, errors and pushes for this phone"})
    organisation = ma.fields.Nested(OrganisationRef)
    notifications = ma.fields.Nested(NotificationsOut)
    push_token = ma.fields.Boolean(metadata={"description": "Whether a device token is registered"})
    created_on = ma.fields.Date(metadata={"description": "The day it registered (never the time)"})

    @ma.pre_dump
    def _settings(self, installation, **kwargs):
        return {
            "id": installation.id,
            "platform": installation.platform,
            "locale": installation.locale,
            "organisation": installation.organisation,
            "notifications": {"weekly": installation.notify_weekly, "reminders": installation.notify_reminders},
            "push_token": installation.push_token is not None,
            "created_on": installation.created_at.date(),
        }


class InstallationPatch(ma.Schema):
    locale = ma.fields.String(validate=ma.validate.OneOf(LOCALES))
    enrolment_code = Line(validate=ma.validate.Length(min=4, max=64))
    notifications = ma.fields.Nested(Notifications)


class PushTokenIn(ma.Schema):
    token = Line(required=True, validate=ma.validate.Length(min=8, max=4096))
    platform = ma.fields.String(required=True, validate=ma.validate.OneOf(PLATFORMS))
    kind = ma.fields.String(load_default="registration", validate=ma.validate.OneOf(PUSH_TOKEN_KINDS))


@blp.route("")
class Registrations(MethodView):
    decorators = limits.registration_limits()

    @blp.operation(
        "registerInstallation",
        auth=None,
        errors={
            422: "An unknown enrolment code or invalid field",
            429: "Too many registrations from this address (or, with a valid enrolment code, for its organisation)",
        },
    )
    @blp.arguments(RegistrationIn)
    @blp.response(201, RegistrationOut)
    def post(self, body):
        """Register an installation; the token is returned only now."""
        registration = installations.register(db_session(), server_secret(), request_time(), **body)
        created = {
            "id": registration.installation.id,
            "token": registration.token,
            "organisation": registration.installation.organisation,
        }
        return created, 201, {"Location": f"{blp.url_prefix}/me"}


@blp.route("/me")
class Me(MethodView):
    @blp.operation("getMyInstallation", auth=INSTALLATION)
    @blp.response(200, InstallationOut)
    def get(self):
        """This installation's settings."""
        return current_installation()

    @blp.operation(
        "updateMyInstallation", auth=INSTALLATION, errors={422: "An unknown enrolment code or invalid field"}
    )
    @blp.arguments(InstallationPatch, required=False)
    @blp.response(200, InstallationOut)
    def patch(self, body):
        """Change the locale, notifications, or organisation (enrolment code)."""
        notifications = body.pop("notifications", {})
        return installations.update(db_session(), current_installation(), **body, **notifications)

    @blp.operation("eraseMyInstallation", auth=INSTALLATION)
    @blp.response(204)
    def delete(self):
        """Erase this installation: its token, push token and the link to its
        answers. The answers stay counted, anonymously."""
        installations.erase(db_session(), current_installation())


@blp.route("/me/push-token")
class PushTokenView(MethodView):
    @blp.operation("setPushToken", auth=INSTALLATION)
    @blp.arguments(PushTokenIn)
    @blp.response(204)
    def put(self, body):
        """Register or refresh the device's push token (on every app open)."""
        installations.set_push_token(db_session(), current_installation(), request_time(), **body)

    @blp.operation("removePushToken", auth=INSTALLATION)
    @blp.response(204)
    def delete(self):
        """Stop pushes to this device."""
        installations.remove_push_token(db_session(), current_installation())
