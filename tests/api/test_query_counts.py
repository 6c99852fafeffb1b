"""What a request costs in queries: fixed, whatever the number of answers."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import set_now
from tests.factories import bank, register, schedule


@contextmanager
def counted(app):
    statements = []
    engine = app.extensions["kompas.engine"]

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_current_answer_and_results_cost_a_fixed_number_of_queries(app, client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phones = [register(client) for _ in range(3)]
    # Warm: the first request begins the week (which moves the content
    # generation), the second fills this process's memo at the new one.
    phones[0].get("/dilemmas/current")
    phones[0].get("/dilemmas/current")
    phones[0].answer(dilemma.id, "C")
    costs = {}
    for many in (False, True):
        if many:
            for _ in range(30):
                register(client).answer(dilemma.id, "A")
        with counted(app) as current:
            assert phones[1 + many].get("/dilemmas/current").status_code == 200
        with counted(app) as answer:
            assert phones[1 + many].answer(dilemma.id, "B").status_code == 200
        with counted(app) as results:
            assert phones[1 + many].get(f"/dilemmas/{dilemma.id}/results").status_code == 200
        costs[many] = (len(current), len(answer), len(results))
    assert costs[False] == costs[True], costs
    current_cost, answer_cost, results_cost = costs[True]
    print("queries: current", current_cost, "answer", answer_cost, "results", results_cost)
    # The process's memo of the content tables (valid while the content
    # generation, read with the installation, stays the same) keeps the hot
    # paths this short: current = installation + own answer; answer =
    # installation, insert, teams, tallies, difficulty; results =
    # installation, own answer, teams, tallies; while the week is open the
    # answer and the results read the live release's ledger row too.
    assert current_cost <= 2 and answer_cost <= 6 and results_cost <= 5


def test_statistics_cost_a_fixed_number_of_queries(app, client, session):
    from tests.factories import office

    dilemma = schedule(session, bank(session)[0], "2026-W48")
    analyst = office(client, session, "analyst")
    paths = [
        "/stats/weeks?from=2026-W40&to=2026-W50",
        f"/stats/dilemmas/{dilemma.id}",
        "/stats/awareness?from=2026-W40&to=2026-W50",
        "/stats/grey-zones",
        "/stats/misperception?from=2026-W40&to=2026-W50",
    ]
    from tests.conftest import set_now

    costs = {}
    for answers in (5, 40):
        set_now(app, "2026-11-25T10:00:00+01:00")
        while len(costs.get("answered", [])) < answers:
            register(client).answer(dilemma.id, "ABCD"[len(costs.setdefault("answered", [])) % 4])
            costs["answered"].append(1)
        set_now(app, "2026-12-09T12:00:00+01:00")
        # The first read after the close makes the edition's release, once (a
        # fixed number of statements too); the reads measured read it.
        for path in paths:
            analyst.get(path)
        measured = []
        for path in paths:
            with counted(app) as statements:
                assert analyst.get(path).status_code == 200
            measured.append(len(statements))
        costs[answers] = measured
    print("statistics queries:", dict(zip(paths, costs[40], strict=True)))
    assert costs[5] == costs[40]


def test_the_admin_listing_costs_the_same_for_5_or_50_dilemmas(app, client, session):
    from tests.factories import office

    dilemma = schedule(session, bank(session)[0], "2026-W50")
    register(client).answer(dilemma.id, "A")
    publisher = office(client, session, "publisher")
    costs = []
    for size in (5, 50):
        with counted(app) as statements:
            listed = publisher.get(f"/dilemmas?status=approved&page_size={size}")
            assert listed.status_code == 200 and len(listed.get_json()) == size
        costs.append(len(statements))
    print("admin listing queries:", costs)
    assert costs[0] == costs[1]
    # No answered flag while the week is open (it would flip at the first
    # answer); after it, the released noisy total's (tests/anonymity/test_answered_flag.py).
    answered = publisher.get(f"/dilemmas/{dilemma.id}").get_json()
    assert answered["answered"] is False and answered["week"] == "2026-W50"
    set_now(app, "2026-12-14T00:00:00+01:00")
    assert publisher.get(f"/dilemmas/{dilemma.id}").get_json()["week"] == "2026-W50"


def test_weekly_participation_costs_the_same_for_one_or_many_weeks(app, client, session):
    from tests.factories import office

    analyst = office(client, session, "analyst")
    costs = []
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        schedule(session, bank(session)[0], week)
        with counted(app) as statements:
            assert analyst.get("/stats/weeks?from=2026-W40&to=2026-W50").status_code == 200
        costs.append(len(statements))
    assert costs[0] == costs[1] == costs[2], costs


@pytest.mark.postgres_only
def test_reading_requests_run_without_a_transaction_and_answers_in_one(app, client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    engine = app.extensions["kompas.engine"]
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(cursor.connection.autocommit)

    event.listen(engine, "before_cursor_execute", record)
    try:
        # The first request of the week begins it, in a transaction of its own.
        assert phone.get("/dilemmas/current").status_code == 200
        assert False in seen and True in seen
        seen.clear()
        assert phone.get("/dilemmas/current").status_code == 200
        assert seen and all(seen)  # no BEGIN, no ROLLBACK: autocommit
        seen.clear()
        assert phone.answer(dilemma.id, "A").status_code == 200
        assert seen and not any(seen)  # the answer and its counts commit together
        seen.clear()
        assert phone.get(f"/dilemmas/{dilemma.id}/results").status_code == 200
        assert seen and all(seen)
    finally:
        event.remove(engine, "before_cursor_execute", record)
