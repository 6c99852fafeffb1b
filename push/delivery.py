"""Deliver a batch through a transport, retrying what FCM says is worth it.

``UNAVAILABLE``, ``INTERNAL`` and ``QUOTA_EXCEEDED`` are retried with
exponential backoff and full jitter, never sooner than the server's
``Retry-After``, a bounded number of times within a bounded total wait.
Every other error is final for this campaign; ``UNREGISTERED`` and an
invalid-token ``INVALID_ARGUMENT`` also retire the token.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dilemmas.weeks import week_of
from push.messages import Outgoing, Result, compose, data_for, texts_for
from push.transports import Transport

RETRYABLE = frozenset({"UNAVAILABLE", "INTERNAL", "QUOTA_EXCEEDED"})
TEST_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: at most ``attempts`` sends of a
    message, waiting ``base * 2**n`` seconds at most (full jitter, capped at
    ``cap``) and never less than Retry-After, within ``budget`` seconds of
    waiting in all."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    budget: float = 60.0

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        backoff = rng.uniform(0, min(self.cap, self.base * 2**retry))
        return max(backoff, retry_after or 0.0)


@dataclass
class Outcome:
    """A delivered batch, counted: what was sent, which tokens to retire,
    what failed and why."""

    results: list[Result]
    attempts: int
    failed: Counter = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(1 for result in self.results if result.ok)


def deliver(
    transport: Transport,
    messages: Sequence[Outgoing],
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> Outcome:
    """Send ``messages``; retry the retryable failures as ``policy`` allows."""
    rng = rng or random.Random()
    results: list[Result | None] = [None] * len(messages)
    pending = list(range(len(messages)))
    attempts = 0
    waited = 0.0
    while pending:
        attempts += 1
        for index, result in zip(pending, transport.send([messages[i] for i in pending]), strict=True):
            results[index] = result
        pending = [i for i in pending if results[i].code in RETRYABLE]
        if not pending or attempts >= policy.attempts:
            break
        retry_after = max((results[i].retry_after or 0.0 for i in pending), default=0.0)
        delay = policy.delay(attempts - 1, retry_after, rng)
        if waited + delay > policy.budget:
            break
        sleep(delay)
        waited += delay
    final = [result for result in results if result is not None]
    failed = Counter(result.code or "UNKNOWN" for result in final if not result.ok)
    return Outcome(final, attempts, failed)


def send_test(
    transport: Transport,
    token: str,
    now: datetime,
    token_kind: str = "registration",
    locale: str = "nl",
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """Send one test message to one device token (``kompas push send-test``)."""
    message = compose(
        target=token,
        target_kind=token_kind,
        kind="test",
        locale=locale,
        texts=texts_for("test", None),
        data=data_for("test", None, str(week_of(now, "UTC"))),
        expires_at=now + TEST_TTL,
        now=now,
    )
    return deliver(transport, [message], policy, sleep).results[0]
