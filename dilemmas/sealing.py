"""The one way Kompas seals what a copy of the database must not read:
AES-GCM under a 32-byte key with a fresh random nonce on every write, the
nonce stored in front of the ciphertext. Idempotency records, answers and
the answer counters all use it; only the key differs (the caller's token,
the installation's key base, the server secret)."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12


def derive(key: bytes, purpose: str, *parts: str | bytes) -> bytes:
    """A 32-byte key for one purpose: HMAC-SHA256 over the purpose and the
    parts, each ended by a zero byte so that no two lists collide."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in (purpose, *parts):
        mac.update(part if isinstance(part, bytes) else part.encode())
        mac.update(b"\0")
    return mac.digest()


def seal(key: bytes, plain: bytes, context: bytes) -> bytes:
    """Nonce + ciphertext + tag. ``context`` is authenticated, not stored:
    a sealed value moved to another row does not open there."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plain, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """The plain bytes; ``cryptography``'s InvalidTag when the key or the
    context is not the one it was sealed with."""
    return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], context)
