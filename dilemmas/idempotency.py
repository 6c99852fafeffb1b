"""Idempotency keys: a retried POST replays the stored response instead of
acting twice. Kept in the database so the promise holds across servers.

Only an authenticated caller's keys are kept, and everything about a record
is derived from that caller's token, which the server keeps only as a
peppered hash: the slot (which caller, which key), the fingerprint of the
request, and the key that seals the stored response (status, headers and
body: a new team's invite code, a session's ``my_vote``). A copy of the
database, with or without the server secret, can neither open a response
nor tell which records belong to one caller. Records are deleted once their
24 hours are over."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dilemmas.model.idempotency import IdempotencyKey
from dilemmas.sealing import derive, seal, unseal
from dilemmas.storage.conflicts import insert_ignoring_conflicts

LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class KeyClaim:
    """What to do with a request that carries a key: run it (``claimed``),
    or refuse it, or replay the stored response."""

    outcome: str  # claimed | replay | in_flight | mismatch
    record: IdempotencyKey | None = None


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Caller:
    """The caller's token and the key it sent: all a record is derived from."""

    token: str
    key: str

    def _derive(self, purpose: str, *parts: str | bytes) -> bytes:
        return derive(self.token.encode(), purpose, self.key, *parts)

    @property
    def slot(self) -> str:
        return self._derive("slot").hex()

    def fingerprint(self, method: str, path: str, body: bytes) -> str:
        return self._derive("request", method, path, body).hex()

    def sealing_key(self) -> bytes:
        return self._derive("seal")


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every record whose 24 hours are over; how many went."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - LIFETIME))
    return result.rowcount or 0


def claim(session: Session, caller: Caller, fingerprint: str, now: datetime) -> KeyClaim:
    """Start a keyed request. Commits, so racing servers see the claim."""
    purge_expired(session, now)
    slot = caller.slot
    new_id = insert_ignoring_conflicts(
        session, IdempotencyKey, dict(slot=slot, fingerprint=fingerprint, state="in_flight", created_at=now)
    )
    session.commit()
    if new_id is not None:
        return KeyClaim("claimed", session.get(IdempotencyKey, new_id))
    record = session.scalar(select(IdempotencyKey).where(IdempotencyKey.slot == slot))
    if record is None:  # expired and removed by a racing request in between
        return claim(session, caller, fingerprint, now)
    if record.fingerprint != fingerprint:
        return KeyClaim("mismatch", record)
    if record.state != "done":
        return KeyClaim("in_flight", record)
    return KeyClaim("replay", record)


def finish(session: Session, caller: Caller, record_id: int, response: StoredResponse) -> None:
    record = session.get(IdempotencyKey, record_id)
    if record is None:
        return
    plain = json.dumps(
        {"status": response.status, "headers": response.headers, "body": b64encode(response.body).decode()}
    ).encode()
    record.sealed = seal(caller.sealing_key(), plain, record.slot.encode())
    record.state = "done"
    session.commit()


def release(session: Session, record_id: int) -> None:
    """Forget a claim whose request failed on our side, so a retry can run."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))
    session.commit()


def stored_response(caller: Caller, record: IdempotencyKey) -> StoredResponse:
    plain = json.loads(unseal(caller.sealing_key(), record.sealed, record.slot.encode()))
    return StoredResponse(plain["status"], plain["headers"], b64decode(plain["body"]))
