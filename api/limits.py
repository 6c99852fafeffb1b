"""Rate limits (flask-limiter), configured here and nowhere else."""

from __future__ import annotations

from flask import Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.errors import problem

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
