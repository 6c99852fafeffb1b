"""Idempotency keys: a retried POST replays the stored response instead of
acting twice. Kept in the database so the promise holds across servers.

A stored response can hold a secret (the token of a new installation), so it
is kept encrypted with a key derived from the server secret, and for 24
hours only."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dilemmas.model.idempotency import IdempotencyKey
from dilemmas.storage.conflicts import insert_ignoring_conflicts

LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class KeyClaim:
    """What to do with a request that carries a key: run it (``claimed``),
    or refuse it, or replay the stored response."""

    outcome: str  # claimed | replay | in_flight | mismatch
    record: IdempotencyKey | None = None


def _digest(secret_key: bytes, *parts: str | bytes) -> str:
    mac = hmac.new(secret_key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part if isinstance(part, bytes) else part.encode())
        mac.update(b"\0")
    return mac.hexdigest()


def owner_of(secret_key: bytes, credentials: str) -> str:
    """Keys belong to whoever sent them: a token, or else a client address."""
    return _digest(secret_key, "owner", credentials)


def fingerprint_of(secret_key: bytes, method: str, path: str, body: bytes) -> str:
    return _digest(secret_key, "request", method, path, body)


def claim(session: Session, owner: str, key: str, fingerprint: str, now: datetime) -> KeyClaim:
    """Start a keyed request. Commits, so racing servers see the claim."""
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.owner == owner, IdempotencyKey.key == key, IdempotencyKey.created_at < now - LIFETIME
        )
    )
    new_id = insert_ignoring_conflicts(
        session, IdempotencyKey, dict(owner=owner, key=key, fingerprint=fingerprint, state="in_flight", created_at=now)
    )
    session.commit()
    if new_id is not None:
        return KeyClaim("claimed", session.get(IdempotencyKey, new_id))
    record = session.scalar(select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key))
    if record is None:  # expired and removed by a racing request in between
        return claim(session, owner, key, fingerprint, now)
    if record.fingerprint != fingerprint:
        return KeyClaim("mismatch", record)
    if record.state != "done":
        return KeyClaim("in_flight", record)
    return KeyClaim("replay", record)


def _cipher(secret_key: bytes) -> AESGCM:
    return AESGCM(hmac.new(secret_key, b"kompas idempotency", hashlib.sha256).digest())


def finish(
    session: Session, secret_key: bytes, record_id: int, status: int, headers: dict[str, str], body: bytes
) -> None:
    record = session.get(IdempotencyKey, record_id)
    if record is None:
        return
    nonce = os.urandom(12)
    record.body = nonce + _cipher(secret_key).encrypt(nonce, body, record.key.encode())
    record.status, record.headers, record.state = status, headers, "done"
    session.commit()


def release(session: Session, record_id: int) -> None:
    """Forget a claim whose request failed on our side, so a retry can run."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))
    session.commit()


def stored_body(secret_key: bytes, record: IdempotencyKey) -> bytes:
    nonce, sealed = record.body[:12], record.body[12:]
    return _cipher(secret_key).decrypt(nonce, sealed, record.key.encode())
