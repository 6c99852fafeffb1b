"""The Idempotency-Key header on POST (docs/api.md, "Retries, limits and
headers"): the same key and body replay the stored response for 24 hours,
the same key with another body is 422, a request still in flight is 409.

Keys belong to the authenticated caller: a record is derived from the
caller's token (``dilemmas.idempotency``), so two callers never share one,
and nobody with the database, or with the database and the server secret,
can read a stored response. A request without a token has no idempotency
(the header is ignored): the one public POST, registering an installation,
answers with a new secret token, which must never be replayed to whoever
sends the same key."""

from __future__ import annotations

from flask import Flask, Response, g, request

from api.platform.auth import bearer_token, caller_key
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.errors import problem
from dilemmas import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "ETag")


def claim_key():
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isprintable():
        return problem(400, f"{HEADER} moet 1 tot 200 leesbare tekens zijn.")
    if caller_key() is None:
        return None
    caller = idempotency.Caller(bearer_token(), key)
    fingerprint = caller.fingerprint(request.method, request.path, request.get_data())
    outcome = idempotency.claim(db_session(), caller, fingerprint, request_time())
    if outcome.outcome == "claimed":
        g.idempotency_claim = (outcome.record.id, caller)
        return None
    if outcome.outcome == "mismatch":
        return problem(422, f"Deze {HEADER} is al gebruikt voor een ander verzoek.", cause="key-reused")
    if outcome.outcome == "in_flight":
        return problem(
            409, f"Een verzoek met deze {HEADER} is nog bezig.", headers={"Retry-After": "1"}, cause="request-in-flight"
        )
    stored = idempotency.stored_response(caller, outcome.record)
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def store_response(response: Response):
    claimed = g.pop("idempotency_claim", None)
    if claimed is None:
        return response
    record_id, caller = claimed
    # The request's own session: the services have committed their work,
    # and a second connection would wait for this one's lock on SQLite.
    session = db_session()
    session.rollback()
    if response.status_code >= 500:
        idempotency.release(session, record_id)
    else:
        kept = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
        stored = idempotency.StoredResponse(response.status_code, kept, response.get_data())
        idempotency.finish(session, caller, record_id, stored)
    return response


def init_app(app: Flask) -> None:
    app.before_request(claim_key)
    app.after_request(store_response)
