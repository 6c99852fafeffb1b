"""Schemathesis hooks (SCHEMATHESIS_HOOKS): schemathesis plays a client
that follows docs/clients.md, one fresh Idempotency-Key per intended action.
Left alone it sends the same generated key with other bodies, which the
server rightly refuses (422); replays themselves are tested in
tests/api/test_idempotency.py."""

import uuid

import schemathesis


@schemathesis.hook
def before_call(context, case, **kwargs):
    # Right before sending: every phase and the stateful runs alike.
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
