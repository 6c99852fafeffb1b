"""Bearer tokens: installation tokens for the app, personal access tokens
(with a role and an organisation) for the integrity office."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, request

from api.platform.blueprint import ADMIN, INSTALLATION, authentication
from api.platform.context import request_time, server_secret
from api.platform.db import db_session, memo
from dilemmas.employee import installations
from dilemmas.employee.installations import Caller
from dilemmas.errors import Unauthorized
from dilemmas.model.installations import Installation
from dilemmas.office import admin_tokens
from dilemmas.office.scope import Actor
from dilemmas.sealing import derive

SECURITY_SCHEMES = {
    INSTALLATION: {
        "type": "http",
        "scheme": "bearer",
        "description": "The token returned once by POST /api/v1/installations.",
    },
    ADMIN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (kpa_...) from `kompas admin create-token` or POST /admin/tokens.",
    },
}


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Stuur je token mee als 'Authorization: Bearer TOKEN'.", cause="token-missing")
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


def _operation():
    """The function that serves this request's method (the MethodView's
    ``get``, ``post``...)."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    method = request.method.lower()
    return getattr(view_class, method, None) or (getattr(view_class, "get", None) if method == "head" else None)


def authenticate_first() -> None:
    """Authenticate before anything else looks at the request: a request
    without a valid token is 401 before it can be rate-limited (429) or its
    body or query refused (400, 415, 422), so neither tells an outsider
    anything. The transaction of the check ends here, so that the hooks
    after it (the start of the week, SQLite's single writer) never wait
    for it."""
    operation = _operation()
    scheme = authentication(operation)
    if scheme is None:
        return
    if getattr(operation, "read_only", False):
        g.read_only = True
    if scheme == INSTALLATION:
        current_caller()
    else:
        current_actor()
    session = db_session()
    # A reading session on PostgreSQL has no transaction to end
    # (autocommit): keeping its connection saves the view a second pool
    # checkout, a tenth of a current request's CPU (bench.answerpath).
    if not (g.get("read_only") and session.get_bind().dialect.name == "postgresql"):
        session.commit()


def caller_key() -> str | None:
    """A stable name for the authenticated caller, for rate limits: an HMAC
    of the token it was authenticated with (never the raw header, so its
    spelling does not matter) under a key derived from the server secret,
    so that a copy of the limiter's rows names no token; None for a request
    without an authenticated caller."""
    if "caller" not in g and "actor" not in g:
        return None
    key = derive(server_secret(), "kompas rate limits", "caller")
    return hmac.new(key, bearer_token().encode(), hashlib.sha256).hexdigest()
