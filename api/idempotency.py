"""The Idempotency-Key header on every POST (DESIGN.md "Nothing lost,
nothing twice"): the same key and body replay the stored response for 24
hours, the same key with another body is 422, a request still in flight is
409. Keys belong to the caller's token, or to the client address without one."""

from __future__ import annotations

from flask import Flask, Response, g, request

from api.context import request_time, server_secret
from api.db import db_session
from api.errors import problem
from dilemmas import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def init_app(app: Flask) -> None:
    @app.before_request
    def claim_key():
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return None
        if not 1 <= len(key) <= 200 or not key.isprintable():
            return problem(400, f"{HEADER} moet 1 tot 200 leesbare tekens zijn.")
        secret = server_secret()
        credentials = request.headers.get("Authorization") or f"address:{request.remote_addr}"
        owner = idempotency.owner_of(secret, credentials)
        fingerprint = idempotency.fingerprint_of(secret, request.method, request.path, request.get_data())
        outcome = idempotency.claim(db_session(), owner, key, fingerprint, request_time())
        if outcome.outcome == "claimed":
            g.idempotency_record = outcome.record.id
            return None
        if outcome.outcome == "mismatch":
            return problem(422, f"Deze {HEADER} is al gebruikt voor een ander verzoek.")
        if outcome.outcome == "in_flight":
            return problem(409, f"Een verzoek met deze {HEADER} is nog bezig.", headers={"Retry-After": "1"})
        record = outcome.record
        response = Response(idempotency.stored_body(secret, record), status=record.status)
        for name, value in (record.headers or {}).items():
            response.headers[name] = value
        response.headers[REPLAYED] = "true"
        return response

    @app.after_request
    def store_response(response: Response):
        record_id = g.pop("idempotency_record", None)
        if record_id is None:
            return response
        # The request's own session: the services have committed their work,
        # and a second connection would wait for this one's lock on SQLite.
        session = db_session()
        session.rollback()
        if response.status_code >= 500:
            idempotency.release(session, record_id)
        else:
            kept = {k: v for k, v in response.headers.items() if k in ("Content-Type", "Location", "ETag")}
            idempotency.finish(session, server_secret(), record_id, response.status_code, kept, response.get_data())
        return response
