"""Bearer tokens are stored only as an HMAC under the server secret."""

from __future__ import annotations

import hashlib
import hmac


def hash_token(token: str, secret_key: bytes) -> str:
    return hmac.new(secret_key, token.encode(), hashlib.sha256).hexdigest()
