"""Attack 6 of issue 23: the limiter's rows, as a thief with a copy of the
limits database reads them. A registration row's expiry minus its window was
the installation's creation time to the millisecond; a caller's key was an
unpeppered SHA-256 of its token, with microsecond times that chained a
suggestion to its author's answer time; expired rows stayed until some
process happened to purge. Now a key is an HMAC under a key derived from
the server secret, a row's expiry is the end of its aligned window, and a
row is deleted once its window is over (docs/anonymity.md, mechanism 5)."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from api.platform import limits
from dilemmas.model.limits import RateLimitCounter

ADDRESS = "198.51.100.23"
SUGGESTION = {"text": "Een leverancier biedt mij kaartjes aan voor een wedstrijd van vanavond."}
SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31104000}


class Clock:
    """The limiter's clock, moved by the test (seconds since the epoch,
    with microseconds, as a real clock reads)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _rows(app) -> list[tuple[str, int, float]]:
    table = RateLimitCounter.__table__
    with app.extensions["kompas.limits_engine"].connect() as connection:
        return [tuple(row) for row in connection.execute(select(table.c.key, table.c.count, table.c.expires_at))]


def _window(key: str) -> int:
    """A flask-limiter key ends in ``/<amount>/<multiples>/<granularity>``."""
    match = re.search(r"/(\d+)/(\d+)/(\w+)$", key)
    assert match, key
    return int(match.group(2)) * SECONDS[match.group(3)]


def _unpeppered(value: str) -> set[str]:
    """What a thief without the secret can compute from a token or an
    address they know or guess."""
    guesses = set()
    for prefix in (b"", b"kompas caller\0", b"kompas address\0", b"address:", b"caller:"):
        for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.blake2b):
            guesses.add(digest(prefix + value.encode()).hexdigest())
    return guesses | {value}


def _registered_and_suggested(make_app, monkeypatch, clock: Clock):
    monkeypatch.setattr(limits, "clock", clock)
    app = make_app(RATELIMIT_ENABLED="true")
    client = app.test_client()
    made = client.post("/api/v1/installations", json={"platform": "android"}, environ_base={"REMOTE_ADDR": ADDRESS})
    assert made.status_code == 201
    token = made.get_json()["token"]
    clock.now += 1.234567
    suggested = client.post(
        "/api/v1/suggestions",
        json=SUGGESTION,
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert suggested.status_code == 201
    return app, client, token


def test_a_limiter_row_holds_no_time_finer_than_its_window(make_app, monkeypatch):
    clock = Clock(1_796_000_123.456789)  # a working day in 2026, to the microsecond
    app, _, _ = _registered_and_suggested(make_app, monkeypatch, clock)
    rows = _rows(app)
    assert len(rows) >= 2
    for key, _count, expires_at in rows:
        window = _window(key)
        assert expires_at % window == 0, (key, expires_at)  # the end of an aligned window
        assert expires_at > clock.now


def test_no_limiter_key_is_computable_without_the_secret(make_app, monkeypatch):
    app, _, token = _registered_and_suggested(make_app, monkeypatch, Clock(1_796_000_123.456789))
    computable = _unpeppered(token) | _unpeppered(ADDRESS)
    stored = "".join(key for key, _, _ in _rows(app))
    assert [guess for guess in computable if guess in stored] == []
    assert "address:" in stored and "caller:" in stored  # both kinds of key were written


def test_expired_limiter_rows_are_gone(make_app, monkeypatch):
    clock = Clock(1_796_000_123.456789)
    app, client, _ = _registered_and_suggested(make_app, monkeypatch, clock)
    assert _rows(app)
    clock.now += 86400 + 1  # every window of a registration and a suggestion is over
    again = client.post("/api/v1/installations", json={"platform": "android"}, environ_base={"REMOTE_ADDR": ADDRESS})
    assert again.status_code == 201
    rows = _rows(app)
    assert rows and all(expires_at > clock.now for _, _, expires_at in rows)
    assert all(count == 1 for _, count, _ in rows)  # only the new registration's row
