"""Guided deliberation, the presenter screen's code and cookie, and the
outcome of a meeting, through the Flask test client."""

from datetime import timedelta

import pytest

from api.platform.settings import parse_now
from tests.api.test_errors import assert_problem
from tests.api.test_sessions import join
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

NOW = "2026-12-09T12:00:00+01:00"


@pytest.fixture
def room(app, client, session):
    """A lead, two colleagues and an open session on this week's dilemma."""
    set_now(app, NOW)
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    lead = register(client)
    colleagues = [register(client) for _ in range(2)]
    created = team(lead, colleagues)
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id}).get_json()
    for phone in colleagues:
        assert join(phone, opened["join_code"]).status_code == 200
    return lead, colleagues, opened


def test_the_bundled_methods_are_listed_with_their_steps(client, room):
    lead, _, _ = room
    methods = {m["slug"]: m for m in lead.get("/methods").get_json()}
    assert set(methods) >= {"stemmen-praten-opnieuw-stemmen", "dilemmamethode"}
    assert len(methods["dilemmamethode"]["steps"]) == 8
    assert all(s["prompt"] and s["minutes"] > 0 for m in methods.values() for s in m["steps"])


def test_phones_show_the_step_and_the_timer_moves_on(app, room):
    lead, colleagues, opened = room
    sid = opened["id"]
    assert colleagues[0].get(f"/sessions/{sid}").get_json()["step"] is None
    followed = lead.put(f"/sessions/{sid}/deliberation", json={"method": "dilemmamethode", "auto": True})
    assert followed.status_code == 200, followed.get_json()
    step = colleagues[0].get(f"/sessions/{sid}").get_json()["step"]
    assert (step["number"], step["count"], step["title"]) == (1, 8, "Opening: doel, vertrouwen en rollen")
    assert step["ends_at"] == "2026-12-09T11:05:00Z"  # five minutes, in UTC
    set_now(app, parse_now(NOW) + timedelta(minutes=21))  # 5 + 10 + 5 minutes: step 4 since one minute
    step = colleagues[1].get(f"/sessions/{sid}").get_json()["step"]
    assert (step["number"], step["title"]) == (4, "Wat zeggen de regels?")
    moved = lead.post(f"/sessions/{sid}/deliberation/move", json={"by": 1, "auto": False}).get_json()["step"]
    assert moved["number"] == 5 and moved["auto"] is False
    set_now(app, parse_now(NOW) + timedelta(hours=1))
    assert colleagues[0].get(f"/sessions/{sid}").get_json()["step"]["number"] == 5  # no timer: the lead moves on
    back = lead.post(f"/sessions/{sid}/deliberation/move", json={"by": -10}).get_json()["step"]
    assert back["number"] == 1


def test_only_the_lead_leads_and_bad_input_is_a_problem(room):
    lead, colleagues, opened = room
    sid = opened["id"]
    assert_problem(colleagues[0].put(f"/sessions/{sid}/deliberation", json={"method": "dilemmamethode"}), 403)
    assert_problem(colleagues[0].post(f"/sessions/{sid}/screen"), 403)
    assert_problem(colleagues[0].put(f"/sessions/{sid}/outcome", json={"agreements": ["x"]}), 403)
    assert_problem(lead.put(f"/sessions/{sid}/deliberation", json={"method": "geen-methode"}), 409)
    assert_problem(lead.put(f"/sessions/{sid}/deliberation", json={"method": 7}), 422)
    assert_problem(lead.post(f"/sessions/{sid}/deliberation/move", json={"by": 1}), 409)
    assert_problem(lead.post(f"/sessions/{sid}/deliberation/move", json={"by": "x"}), 422)
    assert_problem(lead.put(f"/sessions/{sid}/outcome", json={"values": {"Z": ["x"]}}), 422)
    assert_problem(lead.put(f"/sessions/{sid}/outcome", json={"look_back_on": "2020-01-01"}), 409)
    assert_problem(lead.put(f"/sessions/{sid}/outcome", json={"agreements": ["x" * 301]}), 422)
    assert_problem(lead.put("/sessions/999999/outcome", json={}), 404)


def test_the_screen_code_works_once_and_opens_one_meeting_read_only(client, room):
    lead, _, opened = room
    granted = lead.post(f"/sessions/{opened['id']}/screen")
    assert granted.status_code == 201
    code = granted.get_json()["code"]
    assert granted.get_json()["url"].endswith(f"/meeting/open?code={code}")
    assert client.get("/meeting/screen").status_code == 403
    opened_page = client.post("/meeting/open", data={"code": code})
    assert opened_page.status_code == 303
    cookie = opened_page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/meeting" in cookie
    page = client.get("/meeting/screen")
    assert page.status_code == 200 and opened["join_code"] in page.get_data(as_text=True)
    live = client.get("/meeting/screen/live")
    assert client.get("/meeting/screen/live", headers={"If-None-Match": live.headers["ETag"]}).status_code == 304
    assert client.get("/meeting/screen/qr.svg").mimetype == "image/svg+xml"
    assert client.post("/meeting/open", data={"code": code}).status_code == 404  # once
    assert client.post("/meeting/open", data={"code": ""}).status_code == 400
    assert client.put("/meeting/screen").status_code == 405


def test_the_outcome_is_the_teams(room):
    lead, _, opened = room
    written = lead.put(
        f"/sessions/{opened['id']}/outcome",
        json={
            "values": {"A": ["eerlijkheid", "  "], "B": ["collegialiteit", "veiligheid"]},
            "agreements": ["We melden elk geschenk bij de teamleider."],
            "look_back_on": "2027-01-11",
        },
    )
    assert written.status_code == 200, written.get_json()
    assert written.get_json() == {
        "values": {"A": ["eerlijkheid"], "B": ["collegialiteit", "veiligheid"]},
        "agreements": ["We melden elk geschenk bij de teamleider."],
        "look_back_on": "2027-01-11",
    }


def test_on_the_look_back_day_only_the_teams_phones_get_a_look_back_once(app, client, session, room):
    from sqlalchemy import select

    from dilemmas.model.push import LoggedMessage
    from tests.api.test_admin_push import send_due

    lead, colleagues, opened = room
    outsider = register(client)
    for index, phone in enumerate([lead, *colleagues, outsider]):
        phone.put("/installations/me/push-token", json={"token": f"device-token-{index:04d}", "platform": "ios"})
    agreement = "We melden elk geschenk bij de teamleider."
    lead.put(f"/sessions/{opened['id']}/outcome", json={"agreements": [agreement], "look_back_on": "2027-01-11"})
    set_now(app, "2027-01-10T23:30:00+01:00")
    send_due(app)
    assert session.scalars(select(LoggedMessage).where(LoggedMessage.kind == "lookback")).all() == []
    session.rollback()
    set_now(app, "2027-01-11T00:30:00+01:00")  # the day has come in Amsterdam (still the 10th in UTC)
    send_due(app)
    send_due(app)
    sent = session.scalars(select(LoggedMessage).where(LoggedMessage.kind == "lookback")).all()
    assert len(sent) == 3  # the lead and two colleagues; not the outsider; once
    # Neither the agreement nor the team's name leaves the server or stays in the push log.
    assert all(agreement not in m.body and agreement not in m.title and m.target is None for m in sent)
    assert all("Team" not in m.title and "Team" not in m.body for m in sent)


def _held(lead, phones, dilemma_id, team_id, agreements):
    opened = lead.post(f"/teams/{team_id}/sessions", json={"dilemma_id": dilemma_id}).get_json()
    for phone in phones:
        join(phone, opened["join_code"])
    for phone, option in zip([lead, *phones], "AABBB", strict=False):
        phone.put(f"/sessions/{opened['id']}/vote", json={"option": option})
    assert lead.post(f"/sessions/{opened['id']}/reveal").status_code == 200
    lead.post(f"/sessions/{opened['id']}/revote")
    for phone in [lead, *phones]:
        phone.put(f"/sessions/{opened['id']}/vote", json={"option": "B"})
    lead.post(f"/sessions/{opened['id']}/reveal")
    lead.put(f"/sessions/{opened['id']}/outcome", json={"agreements": agreements})
    return opened["id"]


def test_the_office_sees_meetings_per_chapter_only_as_a_release_after_the_close(app, client, session, room):
    from dilemmas.model.releases import PrivacyLedger
    from scoring import budget
    from tests.factories import office

    small_lead, small_members, small = room
    dilemma_id = small["dilemma_id"]
    for phone, option in zip([small_lead, *small_members], "AAB", strict=True):
        phone.put(f"/sessions/{small['id']}/vote", json={"option": option})
    small_lead.post(f"/sessions/{small['id']}/reveal")
    small_lead.put(f"/sessions/{small['id']}/outcome", json={"agreements": ["Een", "Twee", "Drie"]})
    lead = register(client)
    members = [register(client) for _ in range(4)]
    big = team(lead, members, name="Team Zuid")
    _held(lead, members, dilemma_id, big["id"], ["We vragen het eerst na."])

    analyst = office(client, session, "analyst")
    assert analyst.get("/stats/meetings").get_json() == []  # the week is open: nothing of it
    set_now(app, "2026-12-14T09:00:00+01:00")
    rows = analyst.get("/stats/meetings").get_json()
    assert rows and all(row["editions"] == 1 for row in rows)
    for row in rows:
        # Two sessions under noise of scale 250: suppressed, with the reason.
        assert row["sessions"] is None and row["sessions_reason"] == "too_few_meetings"
        assert row["mean_shift"] is None and row["mean_shift_reason"] == "too_few_meetings"
        assert row["themes"] and all(
            t["agreements"] is None and t["reason"] == "too_few_meetings" for t in row["themes"]
        )
    assert "Een" not in str(rows) and "We vragen" not in str(rows) and "Team" not in str(rows)
    assert analyst.get("/stats/meetings").get_json() == rows  # drawn once
    ledger = session.query(PrivacyLedger).filter_by(dilemma_id=dilemma_id, release="meetings").one()
    assert ledger.part == "meetings" and ledger.epsilon == budget.MEETINGS_EPSILON
    assert_problem(client.get("/api/v1/admin/stats/meetings"), 401)
    assert_problem(small_lead.get("/admin/stats/meetings"), 401)


def test_look_back_campaigns_are_not_listed_per_team(app, client, session, room):
    from api.platform.settings import parse_now
    from tests.api.test_admin_push import send_due

    lead, colleagues, opened = room
    for index, phone in enumerate([lead, *colleagues]):
        phone.put("/installations/me/push-token", json={"token": f"device-token-{index:04d}", "platform": "ios"})
    lead.put(f"/sessions/{opened['id']}/outcome", json={"agreements": ["Iets"], "look_back_on": "2027-01-11"})
    set_now(app, "2027-01-11T00:30:00+01:00")
    send_due(app)
    from push.campaigns import Campaign, list_campaigns

    assert session.query(Campaign).filter_by(kind="lookback").count() == 1  # made and sent
    listed = list_campaigns(session, parse_now("2027-01-11T00:30:00+01:00"))
    assert all(c.kind != "lookback" for c in listed)  # it was listed, with its device count
