"""Answering, changing an answer, results and the anonymity rules."""

from datetime import date

import pytest
from sqlalchemy import func, select

from dilemmas.model.answers import SCOPE_ALL, Answer, Tally
from tests.conftest import set_now
from tests.factories import bank, register, schedule


def tallied(session, dilemma_id, scope=SCOPE_ALL):
    rows = session.execute(
        select(Tally.option, func.sum(Tally.count))
        .where(Tally.dilemma_id == dilemma_id, Tally.scope == scope)
        .group_by(Tally.option)
    ).all()
    return {option: int(total) for option, total in rows if total}


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


def test_answer_returns_results_with_code_text_and_alignment(client, session, this_week):
    phone = register(client)
    response = phone.answer(this_week.id, "B", difficulty=4)
    assert response.status_code == 200
    body = response.get_json()
    assert body["my_answer"] == "B" and body["mode"] == "alone" and body["difficulty"] == 4
    assert body["code"] and all(c["text"] for c in body["code"])
    assert body["explanation"]
    assert set(body["alignment"]) == {"A", "B", "C", "D"}
    assert body["scopes"][0] == {
        "scope": "all",
        "name": "Alle collega's",
        "total": None,
        "suppressed": True,
        "reason": "week_open",  # nothing is shown while the week is open
        "frozen": False,
        "options": None,
    }
    assert phone.get("/dilemmas/current").get_json()["my_answer"] == "B"


def test_results_need_an_answer_while_the_week_is_open(app, client, session, this_week):
    phone = register(client)
    response = phone.get(f"/dilemmas/{this_week.id}/results")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    set_now(app, "2026-12-14T00:00:00+01:00")
    assert phone.get(f"/dilemmas/{this_week.id}/results").get_json()["my_answer"] is None


def test_repeating_an_answer_counts_once_and_changing_moves_the_count(client, session, this_week):
    phone = register(client)
    for _ in range(3):
        assert phone.answer(this_week.id, "A").status_code == 200
    assert tallied(session, this_week.id) == {"A": 1}
    phone.answer(this_week.id, "C")
    assert tallied(session, this_week.id) == {"C": 1}
    phone.answer(this_week.id, "C", mode="colleague")
    assert tallied(session, this_week.id) == {"C": 1}
    by_mode = session.execute(
        select(Tally.mode, func.sum(Tally.count)).where(Tally.dilemma_id == this_week.id).group_by(Tally.mode)
    ).all()
    assert {m: int(c) for m, c in by_mode if c} == {"colleague": 1}
    assert session.scalar(select(func.count()).select_from(Answer)) == 1


def test_changing_after_the_week_closed_is_refused_and_changes_nothing(app, client, session, this_week):
    phone = register(client)
    phone.answer(this_week.id, "A")
    set_now(app, "2026-12-14T00:00:00+01:00")
    refused = phone.answer(this_week.id, "B")
    assert refused.status_code == 409
    assert refused.get_json()["type"] == "/problems/week-closed" and refused.get_json()["answer"] == "A"
    assert tallied(session, this_week.id) == {"A": 1}
    assert phone.answer(this_week.id, "A").status_code == 200  # repeating stays harmless


def test_answer_row_holds_no_installation_id_and_keys_differ_per_dilemma(client, session, this_week):
    other = schedule(session, bank(session)[1], "2026-W49")
    phone = register(client)
    phone.answer(this_week.id, "A")
    phone.answer(other.id, "B")
    rows = session.scalars(select(Answer)).all()
    assert len(rows) == 2
    assert rows[0].respondent_key != rows[1].respondent_key
    columns = set(Answer.__table__.columns.keys())
    assert not columns & {"installation_id", "ip", "created_at", "answered_at"}
    for row in rows:
        assert phone.id not in row.respondent_key
    # Answered on Wednesday 2026-12-09; the day kept is the Monday of the week
    # the answer was given in (also for the earlier week's dilemma, answered late).
    assert {row.dilemma_id: (row.answered_on, row.late) for row in rows} == {
        this_week.id: (date(2026, 12, 7), False),
        other.id: (date(2026, 12, 7), True),
    }


def answer_many(client, dilemma_id, options, session=None, organisation="rijk"):
    for option in options:
        assert register(client, session, organisation).answer(dilemma_id, option).status_code == 200


def spread(body, scope="all"):
    return next(s for s in body["scopes"] if s["scope"] == scope)


def test_minimum_group_edge_four_versus_five_after_the_week(app, client, session, this_week):
    answer_many(client, this_week.id, "AABC")
    set_now(app, "2026-12-14T00:00:00+01:00")
    viewer = register(client)
    four = spread(viewer.get(f"/dilemmas/{this_week.id}/results").get_json())
    assert four["suppressed"] and four["reason"] == "too_few_answers" and four["options"] is None
    set_now(app, "2026-12-13T23:00:00+01:00")
    answer_many(client, this_week.id, "D")
    set_now(app, "2026-12-14T00:00:00+01:00")
    five = spread(viewer.get(f"/dilemmas/{this_week.id}/results").get_json())
    assert not five["suppressed"] and five["frozen"]
    assert [(o["key"], o["count"], o["percent"]) for o in five["options"]] == [
        ("A", 2, 40),
        ("B", 1, 20),
        ("C", 1, 20),
        ("D", 1, 20),
    ]


def test_nothing_is_shown_while_open_however_many_answered_then_the_snapshot_stays(app, client, session, this_week):
    answer_many(client, this_week.id, "ABCD" * 6)  # 24
    last = register(client)
    body = last.get(f"/dilemmas/{this_week.id}/results")
    assert body.status_code == 409
    twenty_five = spread(register(client).answer(this_week.id, "A").get_json())
    assert twenty_five == {  # no "live" spread from 25 answers on any more
        "scope": "all",
        "name": "Alle collega's",
        "total": None,
        "suppressed": True,
        "reason": "week_open",
        "frozen": False,
        "options": None,
    }
    answer_many(client, this_week.id, "B" * 30)  # 55: still nothing while the week is open
    assert spread(register(client).answer(this_week.id, "C").get_json())["reason"] == "week_open"
    set_now(app, "2026-12-14T00:00:00+01:00")
    closed = spread(last.get(f"/dilemmas/{this_week.id}/results").get_json())
    assert not closed["suppressed"] and closed["frozen"] and closed["total"] == 56
    assert [o["count"] for o in closed["options"]] == [7, 36, 7, 6]
    assert sum(o["percent"] for o in closed["options"]) == 100
    answer_many(client, this_week.id, "DDDDD")  # late answers: stored and counted, shown nowhere
    after = spread(last.get(f"/dilemmas/{this_week.id}/results").get_json())
    assert after == closed
    assert tallied(session, this_week.id) == {"A": 7, "B": 36, "C": 7, "D": 11}


def test_open_week_small_group_says_week_open(client, session, this_week):
    answer_many(client, this_week.id, "ABCDABCD")
    body = register(client).answer(this_week.id, "A").get_json()
    assert spread(body) == {
        "scope": "all",
        "name": "Alle collega's",
        "total": None,
        "suppressed": True,
        "reason": "week_open",
        "frozen": False,
        "options": None,
    }


def test_closed_small_group_is_frozen_and_late_answers_do_not_move_it(app, client, session, this_week):
    answer_many(client, this_week.id, "AAABB")
    set_now(app, "2026-12-15T10:00:00+01:00")
    late = register(client)
    body = late.answer(this_week.id, "D").get_json()
    all_scope = spread(body)
    assert all_scope["frozen"] and all_scope["total"] == 5
    assert [o["count"] for o in all_scope["options"]] == [3, 2, 0, 0]
    assert body["my_answer"] == "D"
    assert tallied(session, this_week.id) == {"A": 3, "B": 2, "D": 1}
    late_count = select(func.sum(Tally.count)).where(
        Tally.dilemma_id == this_week.id, Tally.scope == SCOPE_ALL, Tally.late.is_(True)
    )
    assert session.scalar(late_count) == 1  # the late answer is counted apart


def test_child_scope_is_suppressed_when_the_remainder_is_small(app, client, session, this_week):
    answer_many(client, this_week.id, "AAAAAABBBB", session, "douane")  # 10 at customs
    answer_many(client, this_week.id, "CC")  # 2 elsewhere: all minus douane would show them
    set_now(app, "2026-12-14T00:00:00+01:00")
    body = register(client, session, "douane").get(f"/dilemmas/{this_week.id}/results").get_json()
    assert [s["scope"] for s in body["scopes"]] == ["all", "organisation"]
    assert not spread(body, "all")["suppressed"]
    customs = spread(body, "organisation")
    assert customs["name"] == "Douane Nederland"
    assert customs["suppressed"] and customs["reason"] == "too_few_answers"
    set_now(app, "2026-12-13T12:00:00+01:00")
    answer_many(client, this_week.id, "DDD")  # now 5 outside customs
    set_now(app, "2026-12-14T00:00:00+01:00")
    body = register(client, session, "douane").get(f"/dilemmas/{this_week.id}/results").get_json()
    assert [o["count"] for o in spread(body, "organisation")["options"]] == [6, 4, 0, 0]
    assert spread(body, "all")["total"] == 15


def test_another_installation_cannot_read_my_answer(client, session, this_week):
    mine = register(client)
    mine.answer(this_week.id, "D")
    other = register(client)
    assert other.get("/dilemmas/current").get_json()["my_answer"] is None
    assert other.get(f"/dilemmas/{this_week.id}/results").status_code == 409


def test_erasure_removes_the_installation_and_unlinks_but_keeps_counts(client, session, this_week):
    phone = register(client)
    phone.put("/installations/me/push-token", json={"token": "device-token-123", "platform": "android"})
    phone.answer(this_week.id, "B")
    assert phone.delete("/installations/me").status_code == 204
    assert phone.get("/installations/me").status_code == 401
    assert tallied(session, this_week.id) == {"B": 1}
    assert session.scalar(select(func.count()).select_from(Answer)) == 1
    from dilemmas.model.installations import Installation, PushToken

    assert session.scalar(select(func.count()).select_from(Installation)) == 0
    assert session.scalar(select(func.count()).select_from(PushToken)) == 0
    # A new installation on the same phone starts with no answer.
    again = register(client)
    assert again.get("/dilemmas/current").get_json()["my_answer"] is None
