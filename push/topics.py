"""Topic subscriptions for organisations that get their weekly push as one
message per topic (PUSH_TOPIC_ORGANISATIONS): a topic per organisation and
locale, and every installation that wants the weekly push subscribed to the
topic of its organisation and locale.

``push_topic_members`` records what FCM was told. Each tick compares it with
what the installations' settings ask for and subscribes or unsubscribes the
difference, so a changed locale, organisation, token or setting follows
within a tick. An erased installation's row loses its installation id but
keeps the token until the next tick has unsubscribed it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import TopicMember
from dilemmas.storage.conflicts import insert_for
from push import tokens
from push.settings import PushSettings
from push.transports import Transport


def topic_name(organisation_slug: str, locale: str) -> str:
    """``kompas-douane-nl``: FCM topic names allow [a-zA-Z0-9-_.~%]."""
    return f"kompas-{organisation_slug}-{locale}"


def members(session: Session, topic: str) -> int:
    return session.scalar(select(func.count()).select_from(TopicMember).where(TopicMember.topic == topic)) or 0


@dataclass(frozen=True)
class TopicReport:
    subscribed: int = 0
    unsubscribed: int = 0
    retired: int = 0
    failed: int = 0


def reconcile(session: Session, transport: Transport, settings: PushSettings, now: datetime) -> TopicReport:
    """Subscribe and unsubscribe until FCM's topics match the settings.
    Safe to run from several processes: both calls are idempotent at FCM.
    Commits."""
    if not settings.topic_organisations and not session.scalar(select(exists().select_from(TopicMember))):
        return TopicReport()
    wanted = {
        installation_id: (topic_name(slug, locale), token)
        for installation_id, slug, locale, token in session.execute(
            select(Installation.id, Organisation.slug, Installation.locale, PushToken.token)
            .join(PushToken, PushToken.installation_id == Installation.id)
            .join(Organisation, Organisation.id == Installation.organisation_id)
            .where(
                Organisation.slug.in_(sorted(settings.topic_organisations)),
                Installation.notify_weekly.is_(True),
                PushToken.kind == "registration",
            )
        )
    }
    current = session.execute(select(TopicMember.id, TopicMember.installation_id, TopicMember.topic, TopicMember.token))
    leave: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
    kept: set[str] = set()
    for member_id, installation_id, topic, token in current:
        if installation_id is not None and wanted.get(installation_id) == (topic, token):
            kept.add(installation_id)
        else:
            leave[topic].append((member_id, installation_id, token))
    session.commit()  # no transaction open while FCM is called

    unsubscribed = subscribed = failed = 0
    # An installation still subscribed elsewhere joins its new topic only
    # once it has left the old one, or FCM would keep both.
    stuck: set[str] = set()
    for topic, rows in leave.items():
        results = transport.unsubscribe(topic, [token for _, _, token in rows])
        gone = []
        for (member_id, installation_id, _), result in zip(rows, results, strict=True):
            if result.ok or result.retire:
                gone.append(member_id)
            else:
                failed += 1
                if installation_id is not None:
                    stuck.add(installation_id)
        if gone:
            session.execute(delete(TopicMember).where(TopicMember.id.in_(gone)))
            session.commit()
        unsubscribed += len(gone)
    join: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for installation_id, (topic, token) in wanted.items():
        if installation_id not in kept and installation_id not in stuck:
            join[topic].append((installation_id, token))
    dead: list[tuple[str, str]] = []
    for topic, rows in join.items():
        results = transport.subscribe(topic, [token for _, token in rows])
        joined = []
        for (installation_id, token), result in zip(rows, results, strict=True):
            if result.ok:
                joined.append(dict(installation_id=installation_id, topic=topic, token=token, subscribed_at=now))
            elif result.retire:
                dead.append((installation_id, token))
            else:
                failed += 1
        if joined:
            statement = insert_for(session, TopicMember.__table__).values(joined)
            statement = statement.on_conflict_do_update(
                index_elements=["installation_id"],
                set_={name: statement.excluded[name] for name in ("topic", "token", "subscribed_at")},
            )
            session.execute(statement)
            session.commit()
        subscribed += len(joined)
    tokens.retire(session, dead)
    session.commit()
    return TopicReport(subscribed, unsubscribed, len(dead), failed)
