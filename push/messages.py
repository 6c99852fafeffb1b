"""The messages Kompas pushes, independent of the transport that carries
them: texts per kind and locale, the collapse key per kind, a time-to-live
until the week ends and the data the app opens the dilemma with."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("weekly", "reminder", "adhoc")
LOCALES = ("nl", "en")

# Dutch and English texts per campaign kind; ``{title}`` is the dilemma's.
TEXTS = {
    "weekly": {
        "nl": ("Het dilemma van deze week", "{title}"),
        "en": ("This week's dilemma", "{title}"),
    },
    "reminder": {
        "nl": ("Nog even tijd voor het dilemma", "Wat zou jij doen? {title}"),
        "en": ("There is still time for this week's dilemma", "What would you do? {title}"),
    },
    "test": {
        "nl": ("Kompas testbericht", "Pushberichten werken op dit toestel."),
        "en": ("Kompas test message", "Push messages work on this device."),
    },
}
# One collapse key (Android) / apns-collapse-id (iOS) / Topic (web push) per
# kind: a newer message of a kind replaces an older one that is still
# waiting on the device, so a late retry never shows up twice.
COLLAPSE_KEYS = {
    "weekly": "kompas-weekly",
    "reminder": "kompas-reminder",
    "adhoc": "kompas-adhoc",
    "lookback": "kompas-lookback",
    "test": "kompas-test",
}
# The Android notification channel per kind (docs/push.md: the app creates
# them), so that a user can silence reminders without losing the weekly one.
CHANNELS = {
    "weekly": "kompas-weekly",
    "reminder": "kompas-reminders",
    "adhoc": "kompas-office",
    "lookback": "kompas-meetings",
    "test": "kompas-office",
}
# Kinds the app shows itself, or not: the system would show a notification
# message while the app is in the background, even for an answered dilemma.
DATA_ONLY = frozenset({"reminder", "lookback"})
SILENT = frozenset({"test"})


@dataclass(frozen=True)
class Outgoing:
    """One message to one device (registration token or FID) or to a topic."""

    target: str
    target_kind: str
    kind: str
    locale: str
    title: str
    body: str
    data: dict[str, str]
    collapse_key: str
    expires_at: datetime
    ttl_seconds: int
    campaign_id: int | None = None

    def describe(self, with_target: bool = True) -> str:
        """A log line without the device token (logs never hold tokens)."""
        if self.target_kind == "topic":
            who = f" to topic {self.target}"
        else:
            who = f" to device {fingerprint(self.target)}" if with_target else ""
        return f"{self.kind} ({self.locale}){who}: {self.title!r} / {self.body!r}"


@dataclass(frozen=True)
class Result:
    """What became of one message.

    ``code`` is FCM's error code (``UNREGISTERED``, ``INVALID_ARGUMENT``,
    ``UNAVAILABLE``, ``INTERNAL``, ``QUOTA_EXCEEDED``, ...); ``retire`` says
    the token is dead (unregistered, or rejected as not a valid token);
    ``retry_after`` is the server's ``Retry-After`` in seconds, if any.
    """

    ok: bool
    message_id: str | None = None
    code: str | None = None
    retire: bool = False
    retry_after: float | None = None
    detail: str = field(default="", compare=False)


def fingerprint(token: str) -> str:
    """A short, stable stand-in for a device token, for logs and the log
    transport's table: enough to tell devices apart, useless to send to."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def texts_for(kind: str, dilemma_title: str | None) -> dict[str, dict[str, str]]:
    """The title and body per locale of a weekly or reminder message."""
    return {
        locale: {"title": title, "body": body.format(title=dilemma_title or "")}
        for locale, (title, body) in TEXTS[kind].items()
    }


def ttl_seconds(expires_at: datetime, now: datetime) -> int:
    """Seconds left until ``expires_at`` (at least 0)."""
    return max(0, int((expires_at - now).total_seconds()))


def data_for(
    kind: str, dilemma_id: int | None, week: str, results_of: int | None = None, meeting_id: int | None = None
) -> dict[str, str]:
    """The data payload the app opens the right screen with (FCM data values
    are strings). A weekly message names last week's dilemma as
    ``results_of``: its figures are in, and the app shows them first. A
    look-back names its meeting, whose outcome the app fetches: ids only,
    never a text of the team's."""
    data = {"type": kind, "week": week}
    if dilemma_id is not None:
        data["dilemma_id"] = str(dilemma_id)
    if results_of is not None:
        data["results_of"] = str(results_of)
    if meeting_id is not None:
        data["meeting_id"] = str(meeting_id)
    return data


def compose(
    *,
    target: str,
    target_kind: str,
    kind: str,
    locale: str,
    texts: dict[str, dict[str, str]],
    data: dict[str, str],
    expires_at: datetime,
    now: datetime,
    campaign_id: int | None = None,
) -> Outgoing:
    """A message in the recipient's locale (Dutch when the locale has no text)."""
    text = texts.get(locale) or texts["nl"]
    return Outgoing(
        target=target,
        target_kind=target_kind,
        kind=kind,
        locale=locale if locale in texts else "nl",
        title=text["title"],
        body=text["body"],
        data=data,
        collapse_key=COLLAPSE_KEYS[kind],
        expires_at=expires_at,
        ttl_seconds=ttl_seconds(expires_at, now),
        campaign_id=campaign_id,
    )
