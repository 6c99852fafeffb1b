"""A meeting's look-back through the real fcm transport (firebase-admin
against the fake FCM server): the message carries the meeting's id and
nothing the team wrote, and the app reads the outcome back with its token."""

from __future__ import annotations

import json

from tests.api.test_sessions import join
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team
from tests.integration.test_push_campaigns import Pusher, sessions  # noqa: F401 (a fixture)

AGREEMENT = "We melden elk geschenk bij de teamleider."
VALUE = "collegialiteit"


def test_a_look_back_names_the_meeting_and_no_text_of_the_team(app, client, session, sessions, fcm):  # noqa: F811
    set_now(app, "2026-12-09T12:00:00+01:00")
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    lead, colleague, outsider = register(client), register(client), register(client)
    created = team(lead, [colleague], name="Team Integriteit Noord")
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id}).get_json()
    join(colleague, opened["join_code"])
    for index, phone in enumerate((lead, colleague, outsider)):
        phone.put("/installations/me/push-token", json={"token": f"device-token-{index:04d}", "platform": "android"})
    written = lead.put(
        f"/sessions/{opened['id']}/outcome",
        json={"values": {"A": [VALUE]}, "agreements": [AGREEMENT], "look_back_on": "2027-01-11"},
    )
    assert written.status_code == 200, written.get_json()

    pusher = Pusher(sessions, fcm)
    try:
        pusher.tick("2027-01-11T08:00:00+01:00")
    finally:
        pusher.close()
    looked_back = [m for m in fcm.messages() if m["data"]["type"] == "lookback"]
    assert {m["token"] for m in looked_back} == {"device-token-0000", "device-token-0001"}
    for message in looked_back:
        assert message["data"]["meeting_id"] == str(opened["id"])
        assert set(message["data"]) == {"type", "week", "meeting_id"}
        # Nothing the team wrote or is called travels through Google's servers.
        wire = json.dumps(message, ensure_ascii=False)
        assert AGREEMENT not in wire and VALUE not in wire and "Integriteit Noord" not in wire
        assert "notification" not in message  # data only: the app words it

    # What the app does with it: the outcome, with the token it already has.
    set_now(app, "2027-01-11T08:05:00+01:00")
    for phone in (lead, colleague):
        outcome = phone.get(f"/sessions/{looked_back[0]['data']['meeting_id']}/outcome")
        assert outcome.status_code == 200, outcome.get_json()
        assert outcome.get_json()["agreements"] == [AGREEMENT]
    assert outsider.get(f"/sessions/{opened['id']}/outcome").status_code == 404


def test_a_look_back_whose_team_is_gone_reaches_nobody(app, client, session, sessions, fcm):  # noqa: F811
    """The campaign is planned, then the team dissolves before its batch is
    sent: without its team row the campaign must not fall back to the whole
    organisation."""
    from api.platform.settings import parse_now
    from push import lookbacks
    from tests.pushkit import settings

    set_now(app, "2026-12-09T12:00:00+01:00")
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    lead, colleague, outsider = register(client), register(client), register(client)
    created = team(lead, [colleague])
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id}).get_json()
    for index, phone in enumerate((lead, colleague, outsider)):
        phone.put("/installations/me/push-token", json={"token": f"device-token-{index:04d}", "platform": "android"})
    lead.put(f"/sessions/{opened['id']}/outcome", json={"agreements": [AGREEMENT], "look_back_on": "2027-01-11"})
    with sessions() as planning:
        made = lookbacks.ensure_look_backs(planning, parse_now("2027-01-11T08:00:00+01:00"), settings())
    assert len(made) == 1
    set_now(app, "2027-01-11T08:01:00+01:00")
    for phone in (colleague, lead):
        assert phone.delete(f"/teams/{created['id']}/membership").status_code == 204
    pusher = Pusher(sessions, fcm)
    try:
        pusher.tick("2027-01-11T08:02:00+01:00")
    finally:
        pusher.close()
    assert [m for m in fcm.messages() if m["data"]["type"] == "lookback"] == []
