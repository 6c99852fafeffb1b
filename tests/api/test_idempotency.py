"""Idempotency-Key on POST: replay, 422 on another body, 409 in flight, 24 h."""

from sqlalchemy import func, select

from api.config import parse_now
from dilemmas import idempotency
from dilemmas.model.idempotency import IdempotencyKey
from dilemmas.model.installations import Installation
from tests.conftest import SECRET, set_now
from tests.factories import new_dilemma_body, office


def post(client, body, key, **headers):
    return client.post("/api/v1/installations", json=body, headers={"Idempotency-Key": key, **headers})


def installations_count(session):
    return session.scalar(select(func.count()).select_from(Installation))


def test_a_retried_registration_replays_the_same_response_once(client, session):
    first = post(client, {"platform": "ios"}, "key-1")
    again = post(client, {"platform": "ios"}, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()  # the same installation and token
    assert again.headers["Idempotent-Replayed"] == "true"
    assert installations_count(session) == 1
    stored = session.scalar(select(IdempotencyKey))
    assert first.get_json()["token"].encode() not in stored.body  # kept encrypted


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, session):
    post(client, {"platform": "ios"}, "key-2")
    other = post(client, {"platform": "android"}, "key-2")
    assert other.status_code == 422 and other.headers["Content-Type"] == "application/problem+json"
    assert installations_count(session) == 1


def test_a_request_in_flight_is_409(client, session):
    owner = idempotency.owner_of(SECRET.encode(), "address:127.0.0.1")
    body = b'{"platform": "web"}'
    fingerprint = idempotency.fingerprint_of(SECRET.encode(), "POST", "/api/v1/installations", body)
    claimed = idempotency.claim(session, owner, "key-3", fingerprint, parse_now("2026-12-09T11:59:00+01:00"))
    assert claimed.outcome == "claimed"
    busy = client.post(
        "/api/v1/installations", data=body, headers={"Idempotency-Key": "key-3", "Content-Type": "application/json"}
    )
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    assert installations_count(session) == 0


def test_keys_expire_after_24_hours_and_belong_to_their_owner(app, client, session):
    first = post(client, {"platform": "ios"}, "key-4")
    set_now(app, "2026-12-10T12:00:01+01:00")
    later = post(client, {"platform": "ios"}, "key-4")
    assert later.status_code == 201 and later.get_json()["id"] != first.get_json()["id"]
    author = office(client, session, "author")
    one = client.post(
        "/api/v1/admin/dilemmas", json=new_dilemma_body(), headers={**author.headers, "Idempotency-Key": "k"}
    )
    other_author = office(client, session, "author", name="Tweede Auteur")
    two = client.post(
        "/api/v1/admin/dilemmas", json=new_dilemma_body(), headers={**other_author.headers, "Idempotency-Key": "k"}
    )
    assert one.status_code == two.status_code == 201 and one.get_json()["id"] != two.get_json()["id"]
    replay = client.post(
        "/api/v1/admin/dilemmas", json=new_dilemma_body(), headers={**author.headers, "Idempotency-Key": "k"}
    )
    assert replay.get_json()["id"] == one.get_json()["id"]


def test_failures_on_our_side_are_not_stored(make_app, session):
    app = make_app()

    @app.post("/test-only/crash")
    def crash():
        raise RuntimeError("boom")

    client = app.test_client()
    assert client.post("/test-only/crash", json={}, headers={"Idempotency-Key": "key-5"}).status_code == 500
    assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    assert post(client, {"platform": "ios"}, "x" * 201).status_code == 400
