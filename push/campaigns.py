"""Campaigns: one push of one kind to the devices of one organisation.

A ``weekly`` campaign brings the current dilemma at the organisation's
weekly moment (KOMPAS_WEEKLY_PUSH, local time), a ``reminder`` brings it
again at KOMPAS_REMINDER_PUSH to those who asked for reminders and have not
answered, and an ``adhoc`` campaign is whatever the integrity office sends.

Exactly once: a weekly or reminder campaign row is unique per
(organisation, dilemma, kind), so of several processes that find it due at
the same moment exactly one creates it; the creator plans its batches in
the same transaction. Batches are ranges of installation ids (never lists
of recipients, which for a reminder would say who had not answered), and
each is claimed, sent and marked done once (push/batches.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from dilemmas.errors import Invalid, UnknownReference
from dilemmas.model.content import Dilemma, Revision
from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import Batch, Campaign, CampaignTeam
from dilemmas.model.teams import Membership
from dilemmas.office import audit
from dilemmas.office.scope import Actor, organisation_in_scope
from dilemmas.reads.organisations import subtree_ids
from dilemmas.reads.placements import current_placement, visible_placement
from dilemmas.storage.conflicts import insert_ignoring_conflicts
from dilemmas.weeks import week_of
from push.messages import LOCALES, texts_for
from push.settings import PushSettings, moment_in_week

TITLE_MAX = 80
# A campaign's state as the office reads it (``_state``) and how it reaches
# devices: one message per device, or one per locale to the organisation's topic.
STATES = ("scheduled", "due", "sending", "done", "expired")
STRATEGIES = ("tokens", "topic")
BODY_MAX = 240
ADHOC_MIN_TTL = timedelta(hours=24)


def team_of(session: Session, campaign_id: int) -> int | None:
    """The team a campaign is for, or None for a campaign of everyone."""
    return session.scalar(select(CampaignTeam.team_id).where(CampaignTeam.campaign_id == campaign_id))


def meeting_of(session: Session, campaign_id: int) -> int | None:
    """The meeting a look-back campaign looks back on, else None."""
    return session.scalar(select(CampaignTeam.meeting_id).where(CampaignTeam.campaign_id == campaign_id))


def in_team(team_id: int | None):
    """A filter on installations: members of the team (or everyone)."""
    if team_id is None:
        return true()
    return Installation.id.in_(select(Membership.installation_id).where(Membership.team_id == team_id))


def wants(kind: str):
    """The installations' setting that a campaign of ``kind`` honours."""
    return Installation.notify_reminders.is_(True) if kind == "reminder" else Installation.notify_weekly.is_(True)


def audience(organisation_id: int, kind: str, team_id: int | None = None):
    """Installations of the organisation (or of one team in it) with a push
    token that want ``kind``."""
    return (
        select(Installation.id)
        .join(PushToken, PushToken.installation_id == Installation.id)
        .where(Installation.organisation_id == organisation_id, wants(kind), in_team(team_id))
    )


def uses_topics(organisation: Organisation, kind: str, settings: PushSettings) -> bool:
    """Topic sends are for very large organisations (PUSH_TOPIC_ORGANISATIONS)
    and never for reminders, which go only to those who have not answered."""
    return kind != "reminder" and organisation.slug in settings.topic_organisations


def plan(session: Session, campaign: Campaign, batch_size: int) -> None:
    """Add the campaign's batches: id ranges of about ``batch_size``
    installations each (sizes evened out), or one topic batch per locale.
    Installations that arrive later fall in one of the ranges."""
    if campaign.strategy == "topic":
        campaign.planned = session.scalar(
            select(func.count()).select_from(audience(campaign.organisation_id, campaign.kind).subquery())
        )
        for number, locale in enumerate(LOCALES):
            session.add(Batch(campaign_id=campaign.id, number=number, locale=locale))
        return
    team_id = team_of(session, campaign.id)
    ids = list(session.scalars(audience(campaign.organisation_id, campaign.kind, team_id).order_by(Installation.id)))
    campaign.planned = len(ids)
    count = max(1, math.ceil(len(ids) / batch_size))
    after = None
    for number in range(count):
        upto = ids[(len(ids) * (number + 1)) // count - 1] if number < count - 1 else None
        session.add(Batch(campaign_id=campaign.id, number=number, after_key=after, upto_key=upto))
        after = upto


def _dilemma_title(session: Session, dilemma_id: int) -> str:
    return session.scalar(
        select(Revision.title).where(Revision.dilemma_id == dilemma_id).order_by(Revision.number.desc()).limit(1)
    )


def _exists(session: Session, organisation_id: int, dilemma_id: int, kind: str) -> bool:
    return (
        session.scalar(
            select(Campaign.id).where(
                Campaign.organisation_id == organisation_id, Campaign.dilemma_id == dilemma_id, Campaign.kind == kind
            )
        )
        is not None
    )


def ensure_due(session: Session, now: datetime, settings: PushSettings) -> list[Campaign]:
    """Create the weekly and reminder campaigns whose moment has come in each
    organisation's current week; return those this call created (none when
    another process was first). Commits."""
    created = []
    for organisation in session.scalars(select(Organisation).order_by(Organisation.id)).all():
        placement = current_placement(session, organisation.id, now)
        if placement is None:
            continue
        week = week_of(now, organisation.timezone)
        for kind, moment in (("weekly", settings.weekly_moment), ("reminder", settings.reminder_moment)):
            due = moment_in_week(week, organisation.timezone, moment)
            if now < due or _exists(session, organisation.id, placement.dilemma_id, kind):
                continue
            values = dict(
                kind=kind,
                organisation_id=organisation.id,
                dilemma_id=placement.dilemma_id,
                week=str(week),
                strategy="topic" if uses_topics(organisation, kind, settings) else "tokens",
                texts=texts_for(kind, _dilemma_title(session, placement.dilemma_id)),
                planned=0,
                created_by="system",
                created_at=now,
                due_at=due,
                expires_at=week.ends_at(organisation.timezone),
            )
            campaign_id = insert_ignoring_conflicts(session, Campaign, values)
            if campaign_id is None:
                continue
            campaign = session.get(Campaign, campaign_id)
            plan(session, campaign, settings.batch_size)
            session.commit()
            created.append(campaign)
    session.commit()
    return created


def adhoc_reach(session: Session, organisation_id: int) -> int:
    """How many phones an ad hoc push to the organisation (and every one
    below it) would reach now: those with a push token that accept the
    weekly push, as ``create_adhoc`` plans them."""
    members = subtree_ids(session, organisation_id)
    return session.scalar(
        select(func.count(func.distinct(Installation.id)))
        .join(PushToken, PushToken.installation_id == Installation.id)
        .where(Installation.organisation_id.in_(members), wants("adhoc"))
    )


def create_adhoc(
    session: Session,
    now: datetime,
    settings: PushSettings,
    organisation: Organisation,
    title: str,
    body: str,
    dilemma_id: int | None = None,
    created_by: str = "admin",
) -> list[Campaign]:
    """An ad hoc push from the integrity office to the organisation and every
    organisation below it (one campaign each), due now, with the same texts
    in both languages. It reaches the installations that accept the weekly
    push. With a dilemma, the app opens that dilemma (which must be visible
    to the organisation). Records each campaign in the audit log; commits once."""
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not 1 <= len(title) <= TITLE_MAX:
        errors["title"] = [f"Geef een titel van 1 tot {TITLE_MAX} tekens."]
    if not 1 <= len(body) <= BODY_MAX:
        errors["body"] = [f"Geef een tekst van 1 tot {BODY_MAX} tekens."]
    if errors:
        raise Invalid("Het pushbericht is niet compleet.", errors)
    week = week_of(now, organisation.timezone)
    if dilemma_id is not None:
        if session.get(Dilemma, dilemma_id) is None:
            raise UnknownReference("Onbekend dilemma.", {"dilemma_id": ["Dit dilemma bestaat niet."]})
        week = visible_placement(session, organisation.id, dilemma_id, now).week
    texts = {locale: {"title": title, "body": body} for locale in LOCALES}
    created = []
    members = subtree_ids(session, organisation.id)
    for member in session.scalars(select(Organisation).where(Organisation.id.in_(members)).order_by(Organisation.id)):
        expires = max(week_of(now, member.timezone).ends_at(member.timezone), now + ADHOC_MIN_TTL)
        campaign = Campaign(
            kind="adhoc",
            organisation_id=member.id,
            dilemma_id=dilemma_id,
            week=str(week),
            strategy="topic" if uses_topics(member, "adhoc", settings) else "tokens",
            texts=texts,
            created_by=created_by,
            created_at=now,
            due_at=now,
            expires_at=expires,
        )
        session.add(campaign)
        session.flush()
        plan(session, campaign, settings.batch_size)
        audit.record(session, now, created_by, "push.adhoc", "campaign", campaign.id, member.id, title=title)
        created.append(campaign)
    session.commit()
    return created


def adhoc_push(
    session: Session,
    now: datetime,
    settings: PushSettings,
    actor: Actor,
    title: str,
    body: str,
    dilemma_id: int | None = None,
    organisation_slug: str | None = None,
) -> list[Campaign]:
    """A publisher's ad hoc push (``create_adhoc``) to an organisation in
    reach, by default their own."""
    actor.require("publisher")
    organisation = organisation_in_scope(session, actor, organisation_slug)
    return create_adhoc(session, now, settings, organisation, title, body, dilemma_id, created_by=actor.label)


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign with its counts, as the integrity office sees it."""

    id: int
    kind: str
    organisation: str
    dilemma_id: int | None
    week: str
    strategy: str
    state: str
    created_by: str
    created_at: datetime
    due_at: datetime
    expires_at: datetime
    finished_at: datetime | None
    batches: int
    batches_done: int
    planned: int
    targeted: int
    sent: int
    retired_tokens: int
    failed: dict[str, int] = field(default_factory=dict)


def _state(campaign: Campaign, states: Counter, now: datetime) -> str:
    if campaign.finished_at is not None:
        return "expired" if states["expired"] else "done"
    if now < campaign.due_at:
        return "scheduled"
    if states["done"] or states["sending"]:
        return "sending"
    return "due"


def list_campaigns(
    session: Session,
    now: datetime,
    organisation_ids: Iterable[int] | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[CampaignSummary]:
    """The newest campaigns first, with their counts summed over batches:
    devices targeted, messages sent, tokens retired, failures by reason.
    Never a look-back: one per team, its device count would list teams and
    their sizes to every office role (docs/anonymity.md)."""
    query = select(Campaign, Organisation.slug).join(Organisation, Organisation.id == Campaign.organisation_id)
    query = query.where(Campaign.kind != "lookback")
    if organisation_ids is not None:
        query = query.where(Campaign.organisation_id.in_(list(organisation_ids)))
    if kind is not None:
        query = query.where(Campaign.kind == kind)
    query = query.order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit)
    rows = session.execute(query.execution_options(populate_existing=True)).all()
    ids = [campaign.id for campaign, _ in rows]
    batches: dict[int, list[Batch]] = {i: [] for i in ids}
    if ids:
        query = select(Batch).where(Batch.campaign_id.in_(ids)).execution_options(populate_existing=True)
        for batch in session.scalars(query):
            batches[batch.campaign_id].append(batch)
    summaries = []
    for campaign, slug in rows:
        own = batches[campaign.id]
        states = Counter(batch.state for batch in own)
        failed: Counter = Counter()
        for batch in own:
            failed.update(batch.failed or {})
        summaries.append(
            CampaignSummary(
                id=campaign.id,
                kind=campaign.kind,
                organisation=slug,
                dilemma_id=campaign.dilemma_id,
                week=campaign.week,
                strategy=campaign.strategy,
                state=_state(campaign, states, now),
                created_by=campaign.created_by,
                created_at=campaign.created_at,
                due_at=campaign.due_at,
                expires_at=campaign.expires_at,
                finished_at=campaign.finished_at,
                batches=len(own),
                batches_done=states["done"] + states["expired"],
                planned=campaign.planned,
                targeted=sum(batch.targeted for batch in own),
                sent=sum(batch.sent for batch in own),
                retired_tokens=sum(batch.retired for batch in own),
                failed=dict(failed),
            )
        )
    return summaries
