"""Schemathesis hooks (SCHEMATHESIS_HOOKS): schemathesis plays a client
that follows docs/clients.md, one fresh Idempotency-Key per intended action.
Left alone it sends the same generated key with other bodies, which the
server rightly refuses (422); replays themselves are tested in
tests/api/test_idempotency.py."""

import uuid

import schemathesis


@schemathesis.hook
def map_headers(context, headers):
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
