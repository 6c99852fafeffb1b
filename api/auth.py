"""Bearer tokens: installation tokens for the app, personal access tokens
(with a role and an organisation) for the integrity office."""

from __future__ import annotations

from flask import current_app, g, request

from api.config import clock
from api.db import db_session
from dilemmas import admins, installations
from dilemmas.admins import Actor
from dilemmas.errors import Unauthorized
from dilemmas.installations import Installation

INSTALLATION_SECURITY = [{"installation": []}]
ADMIN_SECURITY = [{"admin": []}]
SECURITY_SCHEMES = {
    "installation": {
        "type": "http",
        "scheme": "bearer",
        "description": "The token returned once by POST /api/v1/installations.",
    },
    "admin": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (kpa_...) from `kompas admin create-token` or POST /admin/tokens.",
    },
}


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Stuur je token mee als 'Authorization: Bearer TOKEN'.")
    return token.strip()


def current_installation() -> Installation:
    """The installation the request's bearer token belongs to (401 otherwise)."""
    if "installation" not in g:
        g.installation = installations.authenticate(db_session(), current_app.config["SECRET_KEY"], bearer_token())
    return g.installation


def current_actor() -> Actor:
    """The integrity-office person behind the request's admin token (401
    otherwise: also for an installation token)."""
    if "actor" not in g:
        g.actor = admins.authenticate(
            db_session(), current_app.config["SECRET_KEY"], bearer_token(), clock(current_app.config)
        )
    return g.actor
