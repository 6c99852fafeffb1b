"""Bearer tokens: installation tokens for the app (admin tokens follow)."""

from __future__ import annotations

from flask import current_app, g, request

from api.db import db_session
from dilemmas import installations
from dilemmas.errors import Unauthorized
from dilemmas.installations import Installation

INSTALLATION_SECURITY = [{"installation": []}]
SECURITY_SCHEMES = {
    "installation": {
        "type": "http",
        "scheme": "bearer",
        "description": "The token returned once by POST /api/v1/installations.",
    }
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
