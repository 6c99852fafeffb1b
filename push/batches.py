"""Sending a campaign batch by batch, each batch exactly once.

A batch is claimed before it is sent and marked done, with its counts and
the tokens it retired, in one transaction after it is sent. A crash between
the two leaves the batch unfinished, and the next tick sends it again;
a batch marked done is never sent again.

Claiming differs per database, with the same effect:
- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` in a transaction of its
  own that stays open while the batch is sent and closes with the "done".
  Other servers skip the locked batch; if the sender dies, its connection
  closes, the lock goes and the batch is pending again at once.
- SQLite (one machine): a conditional update marks the batch ``sending`` by
  this sender (host, pid, process start and a random part), committed at
  once so no lock is held while sending. A batch whose sender process no
  longer runs is claimed again at once, any other after CLAIM_TIMEOUT.

Reminders go only to installations that have not answered. That is worked
out while sending, by recomputing each installation's respondent key and
looking it up among the dilemma's answers; it is never stored.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import Batch, Campaign
from dilemmas.reads.placements import visible_placements
from push import tokens, topics
from push.campaigns import in_team, meeting_of, team_of, wants
from push.delivery import RETRYABLE, RetryPolicy, deliver
from push.lookbacks import KIND as LOOKBACK
from push.messages import Outgoing, compose, data_for
from push.transports import Transport

log = logging.getLogger("kompas.push")

# A claimed batch that is not done after this long is taken over, whoever
# claimed it: a process on another host (SQLite on a shared disk), or this
# process after an error it could not even record.
CLAIM_TIMEOUT = timedelta(hours=1)


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), so that
    a reused pid is not mistaken for the original process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def sender_identity() -> str:
    """Who claims batches: this host, process (pid and start) and a random
    part, so that two senders in one process are not taken for one."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_process_start(pid)}/{secrets.token_hex(4)}"


def owner_alive(owner: str | None, claimed_at: datetime | None) -> bool:
    """Whether the sender that claimed a batch (on SQLite) may still be at
    it: its process runs, and the claim is younger than CLAIM_TIMEOUT (a
    batch takes minutes at most; an older claim was left by an error)."""
    if not owner or claimed_at is None or datetime.now(UTC) - claimed_at > CLAIM_TIMEOUT:
        return False
    host, pid_text, start, _ = [*owner.split("/"), "", "", ""][:4]
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    return not start or _process_start(int(pid_text)) == start


class BatchClaim:
    """A batch this process has the right to send, until it is finished."""

    def __init__(self, lock: Session, batch: Batch, owner: str) -> None:
        self._lock = lock
        self.batch_id = batch.id
        self.number = batch.number
        self.after_key = batch.after_key
        self.upto_key = batch.upto_key
        self.locale = batch.locale
        self._owner = owner

    def finish(
        self,
        state: str,
        *,
        targeted: int = 0,
        sent: int = 0,
        failed: dict[str, int] | None = None,
        attempts: int = 0,
        dead: list[tuple[str, str]] | None = None,
    ) -> bool:
        """Record the batch as ``done`` (or ``expired``) with its counts and
        retire the dead tokens, in one transaction. False when the claim was
        lost (SQLite: another process took the batch over)."""
        try:
            batch = self._lock.get(Batch, self.batch_id, populate_existing=True)
            if batch.state != "sending" or batch.owner != self._owner:
                log.warning("batch %s was taken over by %s; its counts are theirs", self.batch_id, batch.owner)
                self._lock.rollback()
                return False
            retired = tokens.retire(self._lock, dead or [])
            batch.state = state
            batch.finished_at = datetime.now(UTC)
            batch.targeted, batch.sent, batch.retired = targeted, sent, retired
            batch.failed = dict(failed or {})
            batch.attempts = attempts
            self._lock.commit()
            return True
        finally:
            self._lock.close()

    def abandon(self) -> None:
        """Give the batch back unfinished (after an error in this process)."""
        try:
            self._lock.rollback()
            self._lock.execute(
                update(Batch)
                .where(Batch.id == self.batch_id, Batch.owner == self._owner, Batch.state == "sending")
                .values(state="pending", owner=None)
            )
            self._lock.commit()
        finally:
            self._lock.close()


def claim_next(session: Session, campaign_id: int, owner: str) -> BatchClaim | None:
    """BatchClaim the campaign's first unfinished batch that nobody is sending."""
    lock = Session(bind=session.get_bind(), expire_on_commit=False)
    try:
        if lock.get_bind().dialect.name == "postgresql":
            batch = lock.scalars(
                select(Batch)
                .where(Batch.campaign_id == campaign_id, Batch.state.in_(("pending", "sending")))
                .order_by(Batch.number)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
        else:
            batch = next(
                (
                    candidate
                    for candidate in lock.scalars(
                        select(Batch)
                        .where(Batch.campaign_id == campaign_id, Batch.state.in_(("pending", "sending")))
                        .order_by(Batch.number)
                    )
                    if candidate.state == "pending" or not owner_alive(candidate.owner, candidate.claimed_at)
                ),
                None,
            )
        if batch is None:
            lock.rollback()
            lock.close()
            return None
        batch.state, batch.owner, batch.claimed_at = "sending", owner, datetime.now(UTC)
        lock.flush()
        claim = BatchClaim(lock, batch, owner)
        if lock.get_bind().dialect.name != "postgresql":
            lock.commit()  # on PostgreSQL the row lock is the claim: it lasts until finish()
        return claim
    except BaseException:
        lock.rollback()
        lock.close()
        raise


@dataclass(frozen=True)
class Recipient:
    installation_id: str
    token: str
    token_kind: str
    locale: str


@dataclass(frozen=True)
class CampaignInfo:
    """What sending needs of a campaign, read once."""

    id: int
    kind: str
    organisation_id: int
    organisation_slug: str
    dilemma_id: int | None
    week: str
    strategy: str
    texts: dict
    due_at: datetime
    expires_at: datetime
    team_id: int | None = None
    results_of: int | None = None
    meeting_id: int | None = None

    @classmethod
    def of(cls, session: Session, campaign: Campaign) -> CampaignInfo:
        slug = session.scalar(select(Organisation.slug).where(Organisation.id == campaign.organisation_id))
        return cls(
            campaign.id,
            campaign.kind,
            campaign.organisation_id,
            slug,
            campaign.dilemma_id,
            campaign.week,
            campaign.strategy,
            dict(campaign.texts),
            campaign.due_at,
            campaign.expires_at,
            team_of(session, campaign.id),
            results_of(session, campaign) if campaign.kind == "weekly" else None,
            meeting_of(session, campaign.id),
        )


def results_of(session: Session, campaign: Campaign) -> int | None:
    """The dilemma of the organisation's last week before the campaign's:
    on Monday its figures are in, so the app opens on them first."""
    earlier = (
        p for p in visible_placements(session, campaign.organisation_id, campaign.due_at) if str(p.week) < campaign.week
    )
    return next((p.dilemma_id for p in earlier), None)


def recipients(session: Session, campaign: CampaignInfo, claim: BatchClaim) -> list[Recipient]:
    """The devices of the batch's id range that want the campaign's kind now.
    A reminder goes to every device that asked for reminders: the server
    cannot tell who answered (docs/anonymity.md), the app can, and shows a
    reminder for a dilemma it has answered no more. A look-back whose team
    is gone (its last member left after it was planned) reaches nobody,
    never the whole organisation."""
    if campaign.kind == LOOKBACK and campaign.team_id is None:
        return []
    query = (
        select(Installation.id, Installation.locale, PushToken.token, PushToken.kind)
        .join(PushToken, PushToken.installation_id == Installation.id)
        .where(Installation.organisation_id == campaign.organisation_id, wants(campaign.kind))
        .where(in_team(campaign.team_id))
        .order_by(Installation.id)
    )
    if claim.after_key is not None:
        query = query.where(Installation.id > claim.after_key)
    if claim.upto_key is not None:
        query = query.where(Installation.id <= claim.upto_key)
    return [Recipient(row.id, row.token, row.kind, row.locale) for row in session.execute(query)]


@dataclass(frozen=True)
class BatchReport:
    campaign_id: int
    number: int
    targeted: int
    sent: int
    retired: int
    failed: dict[str, int]
    # FCM refused the whole batch as unavailable even after the retries:
    # the batch was given back, for a later tick.
    postponed: bool = False


def send_batch(
    session: Session,
    campaign: CampaignInfo,
    claim: BatchClaim,
    transport: Transport,
    now: datetime,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> BatchReport:
    """Send one claimed batch and record it done."""
    try:
        data = data_for(campaign.kind, campaign.dilemma_id, campaign.week, campaign.results_of, campaign.meeting_id)
        common = dict(kind=campaign.kind, texts=campaign.texts, data=data, expires_at=campaign.expires_at, now=now)
        if campaign.strategy == "topic":
            topic = topics.topic_name(campaign.organisation_slug, claim.locale)
            audience = topics.members(session, topic)
            people: list[Recipient] = []
            messages: list[Outgoing] = [
                compose(target=topic, target_kind="topic", locale=claim.locale, campaign_id=campaign.id, **common)
            ]
        else:
            people = recipients(session, campaign, claim)
            audience = len(people)
            messages = [
                compose(
                    target=person.token,
                    target_kind=person.token_kind,
                    locale=person.locale,
                    campaign_id=campaign.id,
                    **common,
                )
                for person in people
            ]
        session.commit()  # no transaction of this session stays open while sending
        outcome = deliver(transport, messages, policy, sleep)
    except BaseException:
        claim.abandon()
        raise
    if messages and all(result.code in RETRYABLE for result in outcome.results):
        # Nothing got through: FCM is down or over quota for now. Giving the
        # batch back sends it later instead of writing it off.
        claim.abandon()
        return BatchReport(campaign.id, claim.number, audience, 0, 0, dict(outcome.failed), postponed=True)
    if campaign.strategy == "topic":
        ok = outcome.results[0].ok
        sent, failed = (audience, {}) if ok else (0, {code: audience for code in outcome.failed})
    else:
        sent, failed = outcome.sent, dict(outcome.failed)
    dead = (
        []
        if campaign.strategy == "topic"
        else [(p.installation_id, p.token) for p, result in zip(people, outcome.results, strict=True) if result.retire]
    )
    claim.finish("done", targeted=audience, sent=sent, failed=failed, attempts=outcome.attempts, dead=dead)
    return BatchReport(campaign.id, claim.number, audience, sent, len(dead), failed)


def finish_if_complete(session: Session, campaign_id: int, now: datetime) -> bool:
    """Mark the campaign finished once every batch is done or expired."""
    unfinished = exists().where(Batch.campaign_id == campaign_id, Batch.state.in_(("pending", "sending")))
    result = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.finished_at.is_(None), ~unfinished)
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)
