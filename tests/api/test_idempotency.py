"""Idempotency-Key on POST: replay, 422 on another body, 409 in flight, 24 h;
only for an authenticated caller, never across callers."""

from sqlalchemy import func, select

from api.platform.settings import parse_now
from dilemmas import idempotency
from dilemmas.model.idempotency import IdempotencyKey
from dilemmas.model.installations import Installation
from dilemmas.model.teams import Team
from tests.conftest import set_now
from tests.factories import new_dilemma_body, office, register


def keyed(phone, path, body, key):
    return phone.client.post(f"/api/v1{path}", json=body, headers={**phone.headers, "Idempotency-Key": key})


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_retried_post_replays_the_same_response_once(client, session):
    phone = register(client)
    first = keyed(phone, "/teams", {"name": "Team Noord"}, "key-1")
    again = keyed(phone, "/teams", {"name": "Team Noord"}, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()  # the same team and invite code
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(session, Team) == 1
    stored = session.scalar(select(IdempotencyKey))
    assert first.get_json()["invite_code"].encode() not in stored.sealed  # kept encrypted
    assert b"key-1" not in stored.slot.encode()


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, session):
    phone = register(client)
    keyed(phone, "/teams", {"name": "Team Noord"}, "key-2")
    other = keyed(phone, "/teams", {"name": "Team Zuid"}, "key-2")
    assert other.status_code == 422 and other.headers["Content-Type"] == "application/problem+json"
    assert count(session, Team) == 1


def test_a_request_in_flight_is_409(client, session):
    phone = register(client)
    caller = idempotency.Caller(phone.token, "key-3")
    body = b'{"name": "Team Noord"}'
    fingerprint = caller.fingerprint("POST", "/api/v1/teams", body)
    claimed = idempotency.claim(session, caller, fingerprint, parse_now("2026-12-09T11:59:00+01:00"))
    assert claimed.outcome == "claimed"
    busy = client.post(
        "/api/v1/teams",
        data=body,
        headers={**phone.headers, "Idempotency-Key": "key-3", "Content-Type": "application/json"},
    )
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    assert count(session, Team) == 0


def test_keys_expire_after_24_hours_are_deleted_and_belong_to_their_caller(app, client, session):
    phone = register(client)
    first = keyed(phone, "/teams", {"name": "Team Noord"}, "key-4")
    assert count(session, IdempotencyKey) == 1
    set_now(app, "2026-12-10T12:00:01+01:00")
    later = keyed(phone, "/teams", {"name": "Team Noord"}, "key-4")
    assert later.status_code == 201 and later.get_json()["id"] != first.get_json()["id"]
    assert count(session, IdempotencyKey) == 1  # the expired record is gone, the new one stays
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


def test_the_token_spelling_does_not_matter_to_a_key(client, session):
    phone = register(client)
    first = keyed(phone, "/teams", {"name": "Team Noord"}, "key-6")
    again = client.post(
        "/api/v1/teams",
        json={"name": "Team Noord"},
        headers={"Authorization": f"BEARER   {phone.token}", "Idempotency-Key": "key-6"},
    )
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()


def test_two_devices_behind_one_address_never_get_each_others_registration(client, session):
    """Registering has no token to key on: the header is ignored there, so
    a second device with the same key and body gets its own installation,
    never the first one's token."""
    headers = {"Idempotency-Key": "same-key"}
    one = client.post("/api/v1/installations", json={"platform": "ios"}, headers=headers)
    two = client.post("/api/v1/installations", json={"platform": "ios"}, headers=headers)
    assert one.status_code == two.status_code == 201
    assert "Idempotent-Replayed" not in two.headers
    assert one.get_json()["token"] != two.get_json()["token"]
    assert count(session, Installation) == 2 and count(session, IdempotencyKey) == 0


def test_failures_on_our_side_are_not_stored(make_app, session):
    app = make_app()

    @app.post("/test-only/crash")
    def crash():
        raise RuntimeError("boom")

    client = app.test_client()
    assert client.post("/test-only/crash", json={}, headers={"Idempotency-Key": "key-5"}).status_code == 500
    phone = register(client)
    assert keyed(phone, "/teams", {"name": "x"}, "x" * 201).status_code == 400
    assert count(session, IdempotencyKey) == 0
