"""Rate limits (flask-limiter), configured here and nowhere else."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.errors import problem

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


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
