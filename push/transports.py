"""The one small interface every transport offers, and the factory that
opens the configured one (``PUSH_TRANSPORT``: ``log`` or ``fcm``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from push.messages import Outgoing, Result
from push.settings import PushSettings


class Transport(Protocol):
    """Carries messages to devices and manages topic subscriptions."""

    name: str

    def send(self, messages: Sequence[Outgoing]) -> list[Result]:
        """Send every message once (no retries); one result per message, in order."""

    def subscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        """Subscribe registration tokens to a topic; one result per token."""

    def unsubscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        """Unsubscribe registration tokens from a topic; one result per token."""

    def close(self) -> None:
        """Release connections and threads."""


def open_transport(settings: PushSettings, sessions: sessionmaker[Session]) -> Transport:
    """The configured transport. ``fcm`` loads firebase-admin and the
    service-account key; ``log`` only needs the database."""
    if settings.transport == "fcm":
        from push.fcm import FcmTransport

        if not settings.credentials:
            raise ValueError("PUSH_TRANSPORT=fcm needs GOOGLE_APPLICATION_CREDENTIALS (a service-account key file)")
        return FcmTransport(settings.credentials, endpoint=settings.endpoint, connections=settings.fanout_connections)
    if settings.transport == "log":
        from push.log import LogTransport

        return LogTransport(sessions)
    raise ValueError(f"unknown push transport {settings.transport!r}")
