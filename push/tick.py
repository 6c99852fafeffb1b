"""The scheduler tick: what is due at an instant, run once, from any number
of processes at the same time. Never runs inside web workers.

A tick begins the week, retires stale device tokens, deletes expired
idempotency records, creates the campaigns
whose moment has come, brings topic subscriptions up to date and then sends
every unfinished campaign batch by batch. Several ticks at once share the
work: each batch is claimed by one of them (push/batches.py). A campaign
whose week is over is closed without sending the rest: its messages would
have expired anyway. When FCM turns a whole batch away even after the
retries, the tick gives the batch back and stops sending; the next tick
tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas import idempotency
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import Campaign
from dilemmas.office.calendar import begin_week
from push import batches, campaigns, lookbacks, tokens, topics
from push.batches import CampaignInfo
from push.delivery import RetryPolicy
from push.settings import PushSettings
from push.transports import Transport


def _never() -> bool:
    return False


def run_due(
    session: Session,
    now: datetime,
    settings: PushSettings,
    transport: Transport,
    should_stop: Callable[[], bool] = _never,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[str]:
    """Do what is due at ``now`` and say what was done, line by line.
    ``should_stop`` is asked between batches (a worker asked to stop
    finishes the batch it is sending and no more)."""
    filled = begin_week(session, now)
    if filled is not None:
        yield f"scheduled dilemma {filled.dilemma_id} automatically for week {filled.week}"
    stale = tokens.retire_stale(session, now, settings.token_max_age_days)
    if stale:
        yield f"retired {stale} push token(s) not refreshed for {settings.token_max_age_days} days"
    # Idempotency records promise 24 hours and no more, also on a server
    # that no keyed request reaches any more.
    expired = idempotency.purge_expired(session, now)
    session.commit()
    if expired:
        yield f"deleted {expired} idempotency record(s) older than 24 hours"
    for campaign in campaigns.ensure_due(session, now, settings):
        yield (
            f"campaign {campaign.id}: {campaign.kind} for {_slug(session, campaign)} ({campaign.week}), "
            f"{campaign.planned} device(s), strategy {campaign.strategy}"
        )
    for campaign in lookbacks.ensure_look_backs(session, now, settings):
        yield f"campaign {campaign.id}: look-back of a team's agreements, {campaign.planned} device(s)"
    report = topics.reconcile(session, transport, settings, now)
    if report.subscribed or report.unsubscribed or report.retired or report.failed:
        yield (
            f"topics: {report.subscribed} subscribed, {report.unsubscribed} unsubscribed, "
            f"{report.retired} token(s) retired, {report.failed} failed"
        )
    yield from send_due(session, now, settings, transport, should_stop, policy, sleep)


def _slug(session: Session, campaign: Campaign) -> str:
    return session.scalar(select(Organisation.slug).where(Organisation.id == campaign.organisation_id))


def send_due(
    session: Session,
    now: datetime,
    settings: PushSettings,
    transport: Transport,
    should_stop: Callable[[], bool] = _never,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[str]:
    """Send the batches of every unfinished campaign that is due; close
    campaigns whose week is over."""
    owner = batches.sender_identity()
    due = session.scalars(
        select(Campaign)
        .where(Campaign.finished_at.is_(None), Campaign.due_at <= now)
        .order_by(Campaign.due_at, Campaign.id)
    ).all()
    infos = [CampaignInfo.of(session, campaign) for campaign in due]
    session.commit()
    for campaign in infos:
        expired = now >= campaign.expires_at
        while not should_stop():
            claim = batches.claim_next(session, campaign.id, owner)
            if claim is None:
                break
            if expired:
                claim.finish("expired")
                continue
            report = batches.send_batch(session, campaign, claim, transport, now, policy, sleep)
            if report.postponed:
                reasons = ", ".join(sorted(report.failed))
                yield (
                    f"campaign {campaign.id} batch {report.number + 1}: "
                    f"FCM refused it ({reasons}); a later tick tries again"
                )
                return
            failures = ", ".join(f"{count} {code}" for code, count in sorted(report.failed.items())) or "none failed"
            yield (
                f"campaign {campaign.id} batch {report.number + 1}: {report.sent} of {report.targeted} sent, "
                f"{report.retired} token(s) retired, {failures}"
            )
        if should_stop():
            return
        if batches.finish_if_complete(session, campaign.id, now):
            yield f"campaign {campaign.id} ({campaign.kind}, {campaign.organisation_slug}) " + (
                "closed: its week is over" if expired else "finished"
            )
