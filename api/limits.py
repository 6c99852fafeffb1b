"""Rate limits (flask-limiter), configured here and nowhere else.

| what | limit | per |
|---|---|---|
| registering an installation | 30 per hour | client address |
| sending a suggestion | 10 per hour | client address |
| answering | 60 per minute | installation token |
| any admin request | 600 per minute | admin token |
| any office console request | 600 per minute | console session |
| signing in to the console | 20 per minute | client address |

``RATELIMIT_ENABLED=false`` switches them off (load tests, demos);
``RATELIMIT_STORAGE_URI`` (``memory://`` or ``redis://...``) is where the
counts live: Redis when several servers run. A limited request gets 429
problem+json with ``Retry-After``.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.errors import problem

REGISTRATION = "30 per hour"
SUGGESTIONS = "10 per hour"
ANSWERS = "60 per minute"
ADMIN = "600 per minute"
# Signing in to the office console: guessing tokens, per client address.
CONSOLE_SIGN_IN = "20 per minute"


def per_token() -> str:
    """The caller's bearer token, hashed (so limiter storage holds no token),
    or the client address without one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return f"address:{get_remote_address()}"
    return "token:" + hashlib.sha256(header.encode()).hexdigest()


def per_console_session() -> str:
    """The office console's session cookie, hashed, or the client address."""
    cookie = request.cookies.get("kompas_office", "")
    if not cookie:
        return f"address:{get_remote_address()}"
    return "console:" + hashlib.sha256(cookie.encode()).hexdigest()


limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

# Guessing team invite codes and session join codes, per client address:
# only wrong codes count, and the wait grows from a minute to an hour to a
# day as they add up. A meeting room behind one address mistypes far less.
CODE_GUESSING_LIMITS = "10 per minute;30 per hour;100 per day"


def failed_code(response: Response) -> bool:
    """A join attempt with a wrong code (what the guessing limits count)."""
    return response.status_code == 404


def init_app(app: Flask) -> None:
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(error):
        retry_after = None
        limit = getattr(error, "limit", None)
        if limit is not None:
            retry_after = str(limit.limit.get_expiry())
        return problem(
            429,
            "Te veel verzoeken in korte tijd. Wacht even en probeer het opnieuw.",
            headers={"Retry-After": retry_after} if retry_after else None,
        )
