"""Bearer tokens: installation tokens for the app, personal access tokens
(with a role and an organisation) for the integrity office."""

from __future__ import annotations

from flask import g, request

from api.context import request_time, server_secret
from api.db import db_session, memo
from dilemmas.employee import installations
from dilemmas.employee.installations import Caller
from dilemmas.errors import Unauthorized
from dilemmas.model.installations import Installation
from dilemmas.office import admin_tokens
from dilemmas.office.scope import Actor

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


def current_caller() -> Caller:
    """Who the request's bearer token belongs to (401 otherwise). Binds the
    process's memo of the content tables to the generation read with it."""
    if "caller" not in g:
        session = db_session()
        g.caller = installations.authenticate(session, server_secret(), bearer_token())
        memo().bind(session, g.caller.generation)
    return g.caller


def current_installation() -> Installation:
    """The caller's installation itself, for the requests that change it."""
    if "installation" not in g:
        g.installation = installations.installation_of(db_session(), current_caller())
    return g.installation


def current_actor() -> Actor:
    """The integrity-office person behind the request's admin token (401
    otherwise: also for an installation token)."""
    if "actor" not in g:
        g.actor = admin_tokens.authenticate(db_session(), server_secret(), bearer_token(), request_time())
    return g.actor
