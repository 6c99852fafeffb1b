"""A meeting's look-back: on the day the team chose, the team's phones get
a message to look back, as a campaign of kind ``lookback`` for the devices
of that team only (``CampaignTeam``), sent like any other campaign. The
message names no team and carries no agreement: push_log keeps what was
sent, and FCM would carry it to Google (docs/anonymity.md). It carries the
meeting's id, with which the app fetches the agreements with its own token
(``GET /sessions/{id}/outcome``).
Exactly once: the outcome is marked reminded in the same transaction that
creates the campaign."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dilemmas.employee.deliberation import due_look_backs, mark_reminded
from dilemmas.model.push import Campaign, CampaignTeam
from dilemmas.weeks import week_of
from push.campaigns import BODY_MAX, TITLE_MAX, plan
from push.messages import LOCALES
from push.settings import PushSettings

KIND = "lookback"
LIFETIME = timedelta(hours=24)
TEXTS = {
    "nl": ("Terugblik: jullie afspraken", "Open Kompas en bespreek hoe het ging met wat jullie afspraken."),
    "en": ("Looking back: your agreements", "Open Kompas and talk about how your agreements worked out."),
}


def _texts() -> dict[str, dict[str, str]]:
    return {locale: {"title": TEXTS[locale][0][:TITLE_MAX], "body": TEXTS[locale][1][:BODY_MAX]} for locale in LOCALES}


def ensure_look_backs(session: Session, now: datetime, settings: PushSettings) -> list[Campaign]:
    """Create the look-back campaigns whose day has come; return those this
    call created. Commits once per campaign."""
    created = []
    for due in due_look_backs(session, now):
        if not mark_reminded(session, due.meeting_id):
            session.rollback()
            continue
        campaign = Campaign(
            kind=KIND,
            organisation_id=due.organisation_id,
            dilemma_id=None,
            week=str(week_of(now, due.timezone)),
            strategy="tokens",
            texts=_texts(),
            created_by="system",
            created_at=now,
            due_at=now,
            expires_at=now + LIFETIME,
        )
        session.add(campaign)
        session.flush()
        session.add(CampaignTeam(campaign_id=campaign.id, team_id=due.team_id, meeting_id=due.meeting_id))
        session.flush()
        plan(session, campaign, settings.batch_size)
        session.commit()
        created.append(campaign)
    return created
