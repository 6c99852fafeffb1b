"""What a request's use case needs besides its session and its caller: the
time (the real clock, or the instant KOMPAS_NOW freezes) and the server
secret. One place, so that no view reads the configuration for them."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from api.platform.settings import clock


def request_time() -> datetime:
    """Now, for this request."""
    return clock(current_app.config)


def server_secret() -> bytes:
    """The server secret that token hashes and pseudonymous keys use."""
    return current_app.config["SECRET_KEY"]
