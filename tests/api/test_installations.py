"""Registration, settings, organisation by enrolment code, push token."""

from sqlalchemy import select

from dilemmas.model.installations import Installation, PushToken
from tests.conftest import SECRET
from tests.factories import enrolment_code, register


def test_token_is_stored_only_as_a_hash(client, session):
    phone = register(client)
    stored = session.get(Installation, phone.id)
    assert stored.token_hash != phone.token and phone.token not in stored.token_hash
    assert len(stored.token_hash) == 64
    # No server-side seed: the keys of its answers come from the token alone.
    assert "respondent_seed" not in Installation.__table__.columns


def test_settings_can_change(client, session):
    phone = register(client)
    body = phone.get("/installations/me").get_json()
    assert body["notifications"] == {"weekly": True, "reminders": False} and body["locale"] == "nl"
    changed = phone.patch("/installations/me", json={"locale": "en", "notifications": {"reminders": True}})
    assert changed.status_code == 200
    assert changed.get_json()["notifications"] == {"weekly": True, "reminders": True}
    assert changed.get_json()["locale"] == "en"
    assert phone.patch("/installations/me", json={"locale": "de"}).status_code == 422
    assert phone.patch("/installations/me", json={"notifications": {"weekly": "often"}}).status_code == 422


def test_enrolment_code_moves_an_installation(client, session):
    phone = register(client)
    code = enrolment_code(session, "douane")
    moved = phone.patch("/installations/me", json={"enrolment_code": code})
    assert moved.get_json()["organisation"] == {"slug": "douane", "name": "Douane Nederland"}
    assert phone.get("/organisation").get_json()["parent"] == "rijk"
    wrong = phone.patch("/installations/me", json={"enrolment_code": "AAAA-BBBB-CC"})
    assert wrong.status_code == 409 and "enrolment_code" in wrong.get_json()["errors"]
    assert phone.get("/installations/me").get_json()["organisation"]["slug"] == "douane"


def test_push_token_is_one_per_installation_and_refreshable(client, session):
    phone = register(client)
    assert (
        phone.put("/installations/me/push-token", json={"token": "token-one-123", "platform": "ios"}).status_code == 204
    )
    assert (
        phone.put("/installations/me/push-token", json={"token": "token-two-456", "platform": "ios"}).status_code == 204
    )
    tokens = session.scalars(select(PushToken)).all()
    assert [t.token for t in tokens] == ["token-two-456"] and tokens[0].kind == "registration"
    assert phone.get("/installations/me").get_json()["push_token"] is True
    assert phone.put("/installations/me/push-token", json={"token": "x", "platform": "ios"}).status_code == 422
    assert phone.delete("/installations/me/push-token").status_code == 204
    assert phone.delete("/installations/me/push-token").status_code == 204
    assert session.scalars(select(PushToken)).all() == []


def test_registration_is_rate_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    statuses = [client.post("/api/v1/installations", json={"platform": "web"}).status_code for _ in range(31)]
    assert statuses[:30] == [201] * 30
    assert statuses[30] == 429
    limited = client.post("/api/v1/installations", json={"platform": "web"})
    assert limited.headers["Content-Type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0


def test_secret_is_what_keys_the_token(make_app, client):
    phone = register(client)
    other = make_app(KOMPAS_SECRET_KEY=SECRET[::-1]).test_client()
    assert other.get("/api/v1/installations/me", headers=phone.headers).status_code == 401


def test_answers_and_admin_requests_are_limited_per_token(make_app, session):
    from api.platform import limits
    from tests.factories import bank, office, schedule

    app = make_app(RATELIMIT_ENABLED="true")
    client = app.test_client()
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone, other = register(client), register(client)
    per_minute = int(limits.ANSWERS.split()[0])
    statuses = [phone.answer(dilemma.id, "ABCD"[i % 4]).status_code for i in range(per_minute + 1)]
    assert statuses[:per_minute] == [200] * per_minute and statuses[-1] == 429
    assert other.answer(dilemma.id, "A").status_code == 200  # another installation has its own budget
    analyst = office(client, session, "analyst")
    admin_limit = int(limits.ADMIN.split()[0])
    codes = {analyst.get("/me").status_code for _ in range(admin_limit)}
    assert codes == {200}
    limited = analyst.get("/me")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
