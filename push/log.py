"""The ``log`` transport, the default: it sends nothing and records every
message it would have sent, in the ``push_log`` table and in the log, so a
development install shows what would reach the phones, offline.

Neither place holds a device token: a device is recorded by its
fingerprint. A reminder's recipients are not recorded at all, because the
list of devices that got a reminder is the list of people who had not
answered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from dilemmas.model.push import LoggedMessage
from push.messages import Outgoing, Result, fingerprint

log = logging.getLogger("kompas.push")
# Kinds whose devices the log never names: who gets a reminder, or a team's
# look-back, says who has not answered or who is in a team.
UNTARGETED = ("reminder", "lookback")


def recorded_target(message: Outgoing) -> str | None:
    if message.kind in UNTARGETED:
        return None
    return message.target if message.target_kind == "topic" else fingerprint(message.target)


class LogTransport:
    """Records instead of sending; every message succeeds."""

    name = "log"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def send(self, messages: Sequence[Outgoing]) -> list[Result]:
        if not messages:
            return []
        now = datetime.now(UTC)
        rows = [
            dict(
                logged_at=now,
                kind=message.kind,
                target_kind=message.target_kind,
                target=recorded_target(message),
                locale=message.locale,
                title=message.title[:200],
                body=message.body[:1000],
                data=message.data,
                collapse_key=message.collapse_key,
                ttl_seconds=message.ttl_seconds,
                campaign_id=message.campaign_id,
            )
            for message in messages
        ]
        with self._sessions() as session:
            session.execute(insert(LoggedMessage), rows)
            session.commit()
        for message in messages:
            log.info("push (log transport) %s", message.describe(with_target=message.kind not in UNTARGETED))
        return [Result(ok=True, message_id="logged") for _ in messages]

    def subscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        log.info("push (log transport): %d device(s) subscribed to topic %s", len(tokens), topic)
        return [Result(ok=True) for _ in tokens]

    def unsubscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        log.info("push (log transport): %d device(s) unsubscribed from topic %s", len(tokens), topic)
        return [Result(ok=True) for _ in tokens]

    def close(self) -> None:
        pass
