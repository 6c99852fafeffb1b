"""Faults with real processes on PostgreSQL: concurrent retries across
servers, a server killed mid-load, the database stopped for a while.
Each test prints its figures (requests sent, acknowledged, stored)."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dilemmas.model.answers import SCOPE_ALL
from tests import counts
from tests.conftest import SECRET
from tests.factories import bank, schedule
from tests.servers import Server, call

pytestmark = pytest.mark.postgres_only

NOW = "2026-12-09T12:00:00+01:00"


@pytest.fixture
def environment(database_url):
    return {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": NOW,
        "RATELIMIT_ENABLED": "false",
    }


@pytest.fixture
def servers(environment, tmp_path):
    started = []

    def start(count, workers=2):
        for _ in range(count):
            started.append(Server(environment, tmp_path, workers=workers).start())
        return started[-count:]

    yield start
    for server in started:
        server.close()


# Every token this module registered: the sealed rows open only with them.
TOKENS: list[str] = []


def register(base):
    status, _, body = call(base, "POST", "/api/v1/installations", {"platform": "ios"})
    assert status == 201, body
    TOKENS.append(body["token"])
    return body["token"]


def tallied(session, dilemma_id):
    return counts.per_option(session, dilemma_id, SCOPE_ALL)


def stored(session, dilemma_id):
    """The answer rows by option, opened with their phones' tokens."""
    return counts.by_option(counts.opened(session, dilemma_id, TOKENS))


def test_fifty_identical_answers_across_three_servers_count_once(session, servers):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    three = servers(3)
    token = register(three[0].base)
    path = f"/api/v1/dilemmas/{dilemma.id}/answer"
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda i: call(three[i % 3].base, "PUT", path, {"option": "C"}, token)[0], range(50)))
    print(f"\nidentical answers: sent 50, acknowledged {results.count(200)}, stored {stored(session, dilemma.id)}")
    assert results.count(200) == 50
    assert stored(session, dilemma.id) == {"C": 1}
    assert tallied(session, dilemma.id) == {"C": 1}


def test_a_server_killed_mid_load_loses_no_acknowledged_answer(session, servers):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    first, second = servers(2)
    tokens = [register(second.base) for _ in range(120)]
    path = f"/api/v1/dilemmas/{dilemma.id}/answer"
    acknowledged: dict[str, str] = {}
    sent = 0
    lock = threading.Lock()
    killed = threading.Event()

    def answer(index):
        nonlocal sent
        token, option = tokens[index], "ABCD"[index % 4]
        target = first if index % 2 else second
        status = call(target.base, "PUT", path, {"option": option}, token)[0]
        with lock:
            sent += 1
        if status != 200:  # a phone retries on the other server, with the same answer
            status = call(second.base, "PUT", path, {"option": option}, token)[0]
            with lock:
                sent += 1
        if status == 200:
            with lock:
                acknowledged[token] = option

    def killer():
        time.sleep(0.4)
        first.kill()
        killed.set()
        time.sleep(0.5)
        first.start()

    chaos = threading.Thread(target=killer)
    chaos.start()
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(answer, range(len(tokens))))
    chaos.join()
    assert killed.is_set()
    found = stored(session, dilemma.id)
    print(f"\nkill -9 during load: sent {sent}, acknowledged {len(acknowledged)}, stored {sum(found.values())}")
    assert len(acknowledged) == len(tokens)  # every phone got its answer in, after at most one retry
    expected: dict[str, int] = {}
    for option in acknowledged.values():
        expected[option] = expected.get(option, 0) + 1
    assert found == expected
    assert tallied(session, dilemma.id) == expected
    for token in random.sample(list(acknowledged), 20):
        status, _, body = call(second.base, "GET", f"/api/v1/dilemmas/{dilemma.id}", token=token)
        assert status == 200 and body["my_answer"] == acknowledged[token]


def test_a_stopped_database_gives_503_and_recovers_without_restart(session, servers, pg_cluster):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    (server,) = servers(1)
    tokens = [register(server.base) for _ in range(40)]
    path = f"/api/v1/dilemmas/{dilemma.id}/answer"
    statuses: list[int] = []
    problems = []
    longest = 0.0

    def hit(index):
        nonlocal longest
        started = time.monotonic()
        status, headers, body = call(server.base, "PUT", path, {"option": "ABCD"[index % 4]}, tokens[index % 40], 20)
        longest = max(longest, time.monotonic() - started)
        statuses.append(status)
        if status == 503:
            problems.append((headers.get("Content-Type"), body))
        return status

    for index in range(20):
        hit(index)
    pg_cluster.pause()
    try:
        during = [hit(index) for index in range(20, 40)]
    finally:
        pg_cluster.resume()
    time.sleep(0.5)
    after = [hit(index) for index in range(40, 80)]
    print(
        f"\ndatabase stopped: during {during.count(503)} x 503 of {len(during)}, after {after.count(200)} x 200 "
        f"of {len(after)}, slowest {longest:.2f}s"
    )
    assert set(during) == {503}
    assert all(kind == "application/problem+json" and body["status"] == 503 for kind, body in problems)
    assert 500 not in statuses and 0 not in statuses
    assert after.count(200) == len(after)
    assert longest < 10
    assert tallied(session, dilemma.id) == stored(session, dilemma.id)


def test_an_idle_connection_is_pinged_and_replaced_after_a_restart(database_url, pg_cluster, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from dilemmas.storage import database

    engine = database.make_engine(database_url)
    try:
        with engine.connect() as connection:  # one connection in the pool
            connection.execute(text("SELECT 1"))
        pg_cluster.pause()
        pg_cluster.resume()
        # Busy connections are not pinged: the first use fails (a 503 in the
        # app) and SQLAlchemy discards the pool, so the next use connects.
        monkeypatch.setattr(database, "IDLE_BEFORE_PING", 3600.0)
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        pg_cluster.pause()
        pg_cluster.resume()
        # One that has been idle is pinged first and replaced: no error.
        monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
