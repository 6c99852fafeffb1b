"""Kompas behind pgbouncer in transaction mode (``pool_mode = transaction``),
the pooler in front of PostgreSQL when servers x workers x pool size exceed
``max_connections``: a real pgbouncer (Debian's package) on the throwaway
cluster. In that mode consecutive transactions of one client connection
may run on different server connections, so psycopg must not prepare
statements (``?prepare_threshold=none`` in DATABASE_URL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError

from dilemmas.model.answers import SCOPE_ALL, Answer
from dilemmas.storage.database import make_engine
from tests import counts
from tests.factories import register
from tests.pgbouncer import Pgbouncer

pytestmark = pytest.mark.postgres_only

# psycopg prepares a statement on its fifth run on a connection.
RUNS = 7


@pytest.fixture
def bouncer(database_url):
    # One server connection: every client's transactions share it, so a
    # statement prepared by one client is seen by the others at once.
    with Pgbouncer(database_url, pool_mode="transaction", pool_size=1) as running:
        yield running


def test_psycopg_prepared_statements_break_on_a_transaction_pool(bouncer):
    """Why the setting exists: two clients with psycopg's default both
    prepare their first statement under the same name on the one server
    connection."""
    first, second = make_engine(bouncer.url()), make_engine(bouncer.url())
    try:
        with first.connect() as one, second.connect() as two, pytest.raises(ProgrammingError) as raised:
            for i in range(RUNS):
                one.execute(text("SELECT 1 + :x"), {"x": i})
                one.commit()
            for i in range(RUNS):
                two.execute(text("SELECT 2 + :x"), {"x": i})
                two.commit()
        assert "prepared statement" in str(raised.value)
    finally:
        first.dispose()
        second.dispose()


def test_answers_and_results_through_pgbouncer_in_transaction_mode(bouncer, make_app, session):
    """Two app processes (two engines, like two gunicorn workers) take turns
    on the one server connection: registering, the week's dilemma, answers
    and results, every statement run more often than psycopg's threshold."""
    url = bouncer.url(prepare_threshold="none")
    workers = [make_app(DATABASE_URL=url).test_client() for _ in range(2)]
    phones = [register(workers[i % 2]) for i in range(2 * RUNS)]
    for i, phone in enumerate(phones):
        phone.client = workers[(i + 1) % 2]  # the next request lands on the other worker
        current = phone.get("/dilemmas/current")
        assert current.status_code == 200, current.get_json()
        dilemma = current.get_json()["id"]
        phone.client = workers[i % 2]
        answered = phone.answer(dilemma, "ABCD"[i % 4], difficulty=1 + i % 5)
        assert answered.status_code == 200, answered.get_json()
        phone.client = workers[(i + 1) % 2]
        results = phone.get(f"/dilemmas/{dilemma}/results")
        assert results.status_code == 200, results.get_json()
        assert results.get_json()["my_answer"] == "ABCD"[i % 4]
    # Straight to PostgreSQL: every answer stored once and counted once.
    assert session.scalar(select(func.count()).select_from(Answer).where(Answer.dilemma_id == dilemma)) == len(phones)
    assert sum(counts.per_option(session, dilemma, SCOPE_ALL).values()) == len(phones)
