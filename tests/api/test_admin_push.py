"""GET|POST /admin/push/campaigns: the office's view of push, and ad hoc pushes."""

from sqlalchemy import select

from dilemmas.model.audit import AuditEntry
from push.tick import run_due
from push.transports import open_transport
from tests.factories import bank, office, register, schedule


def send_due(app):
    settings = app.extensions["kompas.settings"].push()
    sessions = app.extensions["kompas.sessions"]
    transport = open_transport(settings, sessions)
    try:
        with sessions() as session:
            list(run_due(session, app.extensions["kompas.settings"].now(), settings, transport))
    finally:
        transport.close()


def test_an_adhoc_push_is_accepted_sent_and_counted(app, client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    for index in range(3):
        phone = register(client, session, "douane" if index else "rijk")
        phone.put("/installations/me/push-token", json={"token": f"device-token-{index:04d}", "platform": "ios"})
    publisher = office(client, session, "publisher")
    body = {
        "kind": "adhoc",
        "title": "Even aandacht",
        "body": "Lees het dilemma van deze week.",
        "dilemma_id": dilemma.id,
    }
    accepted = publisher.post("/push/campaigns", body)
    assert accepted.status_code == 202
    created = accepted.get_json()
    assert {c["organisation"] for c in created} == {"rijk", "douane"} and all(c["kind"] == "adhoc" for c in created)
    send_due(app)
    listed = {
        c["organisation"]: c for c in office(client, session, "analyst").get("/push/campaigns?kind=adhoc").get_json()
    }
    assert listed["rijk"]["sent"] == 1 and listed["douane"]["sent"] == 2
    assert listed["rijk"]["state"] == "done" and listed["rijk"]["failed"] == {}
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "push.adhoc")).all()
    assert len(actions) == 2


def test_who_may_push_and_where(client, session):
    body = {"kind": "adhoc", "title": "Titel", "body": "Tekst"}
    assert office(client, session, "analyst").post("/push/campaigns", body).status_code == 403
    assert office(client, session, "author").post("/push/campaigns", body).status_code == 403
    customs = office(client, session, "publisher", "douane")
    assert customs.post("/push/campaigns", {**body, "organisation": "rijk"}).status_code == 404
    accepted = customs.post("/push/campaigns", body).get_json()
    assert [c["organisation"] for c in accepted] == ["douane"]
    assert all(c["organisation"] == "douane" for c in customs.get("/push/campaigns").get_json())
    assert office(client, session, "publisher").post("/push/campaigns", {**body, "kind": "weekly"}).status_code == 422
    unknown = office(client, session, "publisher").post("/push/campaigns", {**body, "dilemma_id": 999999})
    assert unknown.status_code == 409 and "dilemma_id" in unknown.get_json()["errors"]
