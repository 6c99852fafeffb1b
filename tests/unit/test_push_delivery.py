"""The retry policy, against a transport that answers from a script (the
real FCM transport is tested against the fake server in tests/integration)."""

import random

from api.platform.settings import parse_now
from push.delivery import RetryPolicy, deliver
from push.messages import Result, compose, texts_for

NOW = parse_now("2026-12-07T09:01:00+01:00")


def message(token):
    return compose(
        target=token,
        target_kind="registration",
        kind="weekly",
        locale="nl",
        texts=texts_for("weekly", "Titel"),
        data={},
        expires_at=parse_now("2026-12-14T00:00:00+01:00"),
        now=NOW,
    )


class ScriptedTransport:
    """Answers each token from a list of results, one per attempt."""

    name = "scripted"

    def __init__(self, script):
        self.script = {token: list(results) for token, results in script.items()}
        self.calls = []

    def send(self, messages):
        self.calls.append([m.target for m in messages])
        return [(self.script.get(m.target) or [Result(ok=True)]).pop(0) for m in messages]


def failure(code, retry_after=None, retire=False):
    return Result(ok=False, code=code, retry_after=retry_after, retire=retire)


def test_retryable_errors_are_retried_until_they_succeed_and_only_those():
    transport = ScriptedTransport(
        {
            "busy": [failure("QUOTA_EXCEEDED", retry_after=7.0), Result(ok=True)],
            "down": [failure("UNAVAILABLE"), failure("INTERNAL"), Result(ok=True)],
            "gone": [failure("UNREGISTERED", retire=True)],
            "bad": [failure("INVALID_ARGUMENT")],
        }
    )
    slept = []
    outcome = deliver(transport, [message(t) for t in ("ok", "busy", "down", "gone", "bad")], sleep=slept.append)
    assert transport.calls == [["ok", "busy", "down", "gone", "bad"], ["busy", "down"], ["down"]]
    assert outcome.sent == 3 and outcome.attempts == 3
    assert outcome.failed == {"UNREGISTERED": 1, "INVALID_ARGUMENT": 1}
    assert [result.retire for result in outcome.results] == [False, False, False, True, False]
    assert slept[0] >= 7.0  # Retry-After is honoured
    assert len(slept) == 2


def test_backoff_grows_exponentially_with_full_jitter():
    policy = RetryPolicy(attempts=6, base=0.5, cap=4.0)
    rng = random.Random(3)
    for retry in range(6):
        delays = [policy.delay(retry, None, rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= min(4.0, 0.5 * 2**retry)
        assert max(delays) > 0.6 * min(4.0, 0.5 * 2**retry)  # spread over the whole window
    assert policy.delay(0, 20.0, rng) == 20.0


def test_retries_are_bounded_in_number_and_in_time():
    always_down = ScriptedTransport({"down": [failure("UNAVAILABLE")] * 10})
    slept = []
    outcome = deliver(always_down, [message("down")], RetryPolicy(attempts=4), sleep=slept.append)
    assert outcome.attempts == 4 and len(slept) == 3 and outcome.failed == {"UNAVAILABLE": 1}
    # A Retry-After beyond the budget ends the retries at once.
    patient = ScriptedTransport({"busy": [failure("QUOTA_EXCEEDED", retry_after=3600.0), Result(ok=True)]})
    slept = []
    outcome = deliver(patient, [message("busy")], RetryPolicy(budget=60.0), sleep=slept.append)
    assert slept == [] and outcome.failed == {"QUOTA_EXCEEDED": 1}
