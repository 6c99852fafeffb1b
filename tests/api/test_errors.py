"""Every error is problem+json, bad input changes nothing, nothing leaks."""

import pytest
from sqlalchemy import func, select

from dilemmas.errors import Forbidden
from dilemmas.model.answers import Answer, AnswerCounts
from dilemmas.model.installations import Installation
from tests.factories import bank, register, schedule

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/") and body["title"] and body["request_id"]
    return body


@pytest.fixture
def phone(client, session):
    schedule(session, bank(session)[0], "2026-W50")
    return register(client)


def nothing_stored(session):
    return (
        session.scalar(select(func.count()).select_from(Answer)) == 0
        and session.scalar(select(func.count()).select_from(AnswerCounts)) == 0
    )


def test_malformed_json_is_400(phone, session):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    response = phone.client.put(
        f"/api/v1/dilemmas/{dilemma}/answer",
        data='{"option": "A"',
        headers={**phone.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 400)
    assert nothing_stored(session)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"option"}),
        ({"option": "E"}, {"option"}),
        ({"option": "a"}, {"option"}),
        ({"option": "A", "mode": "team"}, {"mode"}),
        ({"option": "A", "difficulty": 6}, {"difficulty"}),
        ({"option": "A", "difficulty": "hard"}, {"difficulty"}),
        ({"option": "A", "installation_id": "x"}, {"installation_id"}),
        ({"option": ["A"]}, {"option"}),
        (["A"], {"_body"}),
        ("A", {"_body"}),
    ],
)
def test_invalid_answers_are_422_with_field_errors_and_change_nothing(phone, session, body, fields):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    problem = assert_problem(phone.put(f"/dilemmas/{dilemma}/answer", json=body), 422)
    assert set(problem["errors"]) == fields
    assert nothing_stored(session)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-token"}],
)
def test_missing_or_bad_token_is_401(client, headers):
    body = assert_problem(client.get("/api/v1/dilemmas/current", headers=headers), 401)
    assert "Bearer" in client.get("/api/v1/dilemmas/current", headers=headers).headers["WWW-Authenticate"]
    assert "token" in body["detail"].lower()


def test_unknown_dilemma_is_404(phone):
    assert_problem(phone.get("/dilemmas/999999"), 404)
    assert_problem(phone.answer(999999, "A"), 404)
    assert_problem(phone.get("/dilemmas/999999/results"), 404)
    assert_problem(phone.get("/nothing-here"), 404)
    assert_problem(phone.get("/code/sections/99.9"), 404)


def test_wrong_method_is_405_with_allow(phone):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    response = phone.delete(f"/dilemmas/{dilemma}/answer")
    assert_problem(response, 405)
    assert "PUT" in response.headers["Allow"]


def test_body_too_large_is_413_and_changes_nothing(make_app, session):
    app = make_app(MAX_CONTENT_LENGTH="2048")
    client = app.test_client()
    response = client.post("/api/v1/installations", json={"platform": "ios", "enrolment_code": "x" * 5000})
    assert_problem(response, 413)
    assert session.scalar(select(func.count()).select_from(Installation)) == 0


def test_registration_validation(client, session):
    assert set(assert_problem(client.post("/api/v1/installations", json={}), 422)["errors"]) == {"platform"}
    assert set(
        assert_problem(client.post("/api/v1/installations", json={"platform": "ios", "locale": "fr"}), 422)["errors"]
    ) == {"locale"}
    unknown = assert_problem(
        client.post("/api/v1/installations", json={"platform": "ios", "enrolment_code": "NOPE-NOPE"}), 409
    )
    assert set(unknown["errors"]) == {"enrolment_code"}
    assert session.scalar(select(func.count()).select_from(Installation)) == 0


def test_domain_forbidden_is_403_and_unexpected_errors_leak_nothing(make_app):
    app = make_app()

    @app.get("/test-only/forbidden")
    def forbidden():
        raise Forbidden("Je hebt hier geen rechten voor.")

    @app.get("/test-only/crash")
    def crash():
        raise RuntimeError("secret detail: password=hunter2 at /srv/kompas/api.py line 7")

    client = app.test_client()
    assert_problem(client.get("/test-only/forbidden"), 403)
    response = client.get("/test-only/crash")
    body = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "RuntimeError" not in text and "Traceback" not in text
    assert body["title"] == "Er ging iets mis"


def test_request_id_is_echoed(client):
    body = client.get("/api/v1/dilemmas/current", headers={"X-Request-Id": "abc-123"}).get_json()
    assert body["request_id"] == "abc-123"


def test_ids_beyond_any_issued_id_are_404_not_a_database_error(phone, client, session):
    from tests.factories import office

    huge = "99999999999999999999"
    assert_problem(phone.get(f"/dilemmas/{huge}"), 404)
    assert_problem(phone.put(f"/dilemmas/{huge}/answer", json={"option": "A"}), 404)
    assert_problem(office(client, session, "author").get(f"/dilemmas/{2**31}"), 404)
    assert phone.get(f"/dilemmas/{2**31 - 1}").status_code == 404
