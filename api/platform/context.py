"""What a request's use case needs besides its session and its caller: the
settings, the time (the real clock, or the instant KOMPAS_NOW freezes) and
the server secret. One place, so that no view reads the configuration."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from api.platform.settings import Settings


def settings() -> Settings:
    """The app's settings (``api.platform.settings``)."""
    return current_app.extensions["kompas.settings"]


def request_time() -> datetime:
    """Now, for this request."""
    return settings().now()


def server_secret() -> bytes:
    """The server secret that token hashes and pseudonymous keys use."""
    return settings().secret_key
