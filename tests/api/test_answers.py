"""Answering, changing an answer, results and the anonymity rules."""

import pytest
from sqlalchemy import func, select

from dilemmas.model.answers import SCOPE_ALL, Answer
from tests import counts
from tests.conftest import set_now
from tests.factories import bank, register, schedule


def tallied(session, dilemma_id, scope=SCOPE_ALL):
    """The true counts per option (on time and late), as only the releases read them."""
    return counts.per_option(session, dilemma_id, scope)


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
        # Wednesday: the live figure of Monday and Tuesday is out, and one
        # answer is far too few for it to be shown.
        "reason": "too_few_answers",
        "frozen": False,
        "options": None,
        "margin": None,
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
    by_mode = {key[2]: n for key, n in counts.option_counts(session, this_week.id).items()}
    assert by_mode == {"colleague": 1}
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
    # Nothing in the clear but the dilemma and the pseudonym: no day, no
    # lateness, no option; the sealed records have one length.
    assert set(Answer.__table__.columns.keys()) == {"dilemma_id", "respondent_key", "sealed"}
    for row in rows:
        assert phone.id not in row.respondent_key
    assert len({len(row.sealed) for row in rows}) == 1


def answer_many(client, dilemma_id, options, session=None, organisation="rijk"):
    for option in options:
        assert register(client, session, organisation).answer(dilemma_id, option).status_code == 200


def spread(body, scope="all"):
    return next(s for s in body["scopes"] if s["scope"] == scope)


def test_a_small_group_is_suppressed_under_the_noise_after_the_week(app, client, session, this_week):
    answer_many(client, this_week.id, "AABCD")
    set_now(app, "2026-12-14T00:00:00+01:00")
    five = spread(register(client).get(f"/dilemmas/{this_week.id}/results").get_json())
    # Five answers carry a margin far above 20 points: suppressed, whatever the noise drew.
    assert five["suppressed"] and five["reason"] == "too_few_answers" and five["options"] is None
    assert five["margin"] is None


def test_nothing_is_shown_while_open_however_many_answered_then_the_release_stays(app, client, session, this_week):
    answer_many(client, this_week.id, "ABCD" * 6)  # 24
    last = register(client)
    body = last.get(f"/dilemmas/{this_week.id}/results")
    assert body.status_code == 409
    twenty_five = spread(register(client).answer(this_week.id, "A").get_json())
    assert twenty_five == {
        "scope": "all",
        "name": "Alle collega's",
        "total": None,
        "suppressed": True,
        # Wednesday: the live figure counts Monday and Tuesday, when nobody
        # had answered yet: shown only as too few.
        "reason": "too_few_answers",
        "frozen": False,
        "options": None,
        "margin": None,
    }
    answer_many(client, this_week.id, "ABCD" * 44)  # 201 today: in no live figure before tonight
    assert spread(register(client).answer(this_week.id, "C").get_json()) == twenty_five
    set_now(app, "2026-12-14T00:00:00+01:00")
    closed = spread(last.get(f"/dilemmas/{this_week.id}/results").get_json())
    # 202 answers, about a quarter each: shown with the noise, and a margin
    # of a few points that the counts respect.
    assert not closed["suppressed"] and closed["frozen"] and 0 < closed["margin"] <= 12
    assert sum(o["percent"] for o in closed["options"]) == 100
    # Twice the margin (which holds 95 %, 98-99 % measured): no false alarm.
    assert all(abs(o["percent"] - 25) <= 2 * closed["margin"] + 1 for o in closed["options"])
    assert abs(closed["total"] - 202) <= 40
    answer_many(client, this_week.id, "DDDDD")  # late answers: stored and counted, released nowhere
    after = spread(last.get(f"/dilemmas/{this_week.id}/results").get_json())
    assert after == closed
    assert tallied(session, this_week.id) == {"A": 51, "B": 50, "C": 51, "D": 50 + 5}


def test_open_week_small_group_is_suppressed(client, session, this_week):
    answer_many(client, this_week.id, "ABCDABCD")
    body = register(client).answer(this_week.id, "A").get_json()
    assert spread(body) == {
        "scope": "all",
        "name": "Alle collega's",
        "total": None,
        "suppressed": True,
        # Wednesday: the live figure counts Monday and Tuesday, when nobody
        # had answered yet: shown only as too few.
        "reason": "too_few_answers",
        "frozen": False,
        "options": None,
        "margin": None,
    }


def test_a_late_answer_is_counted_apart_and_released_nowhere(app, client, session, this_week):
    answer_many(client, this_week.id, "AAABB")
    set_now(app, "2026-12-15T10:00:00+01:00")
    late = register(client)
    body = late.answer(this_week.id, "D").get_json()
    assert body["my_answer"] == "D"
    assert tallied(session, this_week.id) == {"A": 3, "B": 2, "D": 1}
    assert counts.per_option(session, this_week.id, SCOPE_ALL, late=True) == {"D": 1}


def test_an_organisation_is_released_beside_everyone_each_with_its_own_noise(app, client, session, this_week):
    answer_many(client, this_week.id, "AAAAAABBBB", session, "douane")
    answer_many(client, this_week.id, "CC")
    set_now(app, "2026-12-14T00:00:00+01:00")
    body = register(client, session, "douane").get(f"/dilemmas/{this_week.id}/results").get_json()
    assert [s["scope"] for s in body["scopes"]] == ["all", "organisation"]
    customs = spread(body, "organisation")
    assert customs["name"] == "Douane Nederland"
    # Twelve and ten answers: far too few for the noise; no subtraction rule needed.
    assert customs["suppressed"] and customs["reason"] == "too_few_answers"
    assert spread(body, "all")["suppressed"]


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
