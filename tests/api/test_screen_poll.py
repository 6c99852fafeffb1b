"""The presenter screen's conditional poll: a 304 from the meeting's change
number, without reading or rendering the meeting, and a new 200 after
every change the screen shows; never a new ETag for a vote changed within
a round, which the screen does not show."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from api.platform.settings import parse_now
from tests.api.test_sessions import join
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

NOW = "2026-12-09T12:00:00+01:00"


@contextmanager
def statements(app):
    seen = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    engine = app.extensions["kompas.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


class Screen:
    """The presenter screen's browser: polls as its script does, sending
    back the last ETag."""

    def __init__(self, client):
        self.client, self.etag, self.page = client, None, ""

    def poll(self):
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.client.get("/meeting/screen/live", headers=headers)
        if response.status_code == 200:
            self.etag, self.page = response.headers["ETag"], response.get_data(as_text=True)
        return response

    def changed(self) -> bool:
        before = self.etag
        response = self.poll()
        assert response.status_code in (200, 304), response.status_code
        if response.status_code == 304:
            assert response.headers["ETag"] == before and not response.get_data()
            return False
        assert response.headers["ETag"] != before
        return True


@pytest.fixture
def meeting(app, client, session):
    """A lead, four colleagues of whom three joined, an open meeting and its
    screen (with the lead's steering right) open in the client."""
    set_now(app, NOW)
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    lead = register(client)
    colleagues = [register(client) for _ in range(4)]
    created = team(lead, colleagues)
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": dilemma.id}).get_json()
    for phone in colleagues[:3]:
        assert join(phone, opened["join_code"]).status_code == 200
    code = lead.post(f"/sessions/{opened['id']}/screen").get_json()["code"]
    assert client.post("/meeting/open", data={"code": code}).status_code == 303
    return lead, colleagues, opened["id"], opened["join_code"]


def test_every_change_the_screen_shows_is_a_new_200_and_nothing_else_is(app, client, meeting):
    lead, colleagues, sid, code = meeting
    screen = Screen(client)
    assert screen.changed() and "Onthullen" not in screen.page
    assert not screen.changed()  # nothing happened
    assert join(colleagues[3], code).status_code == 200
    assert screen.changed(), "a join"
    assert colleagues[0].put(f"/sessions/{sid}/vote", json={"option": "A"}).status_code == 200
    assert screen.changed(), "a vote"
    assert colleagues[0].put(f"/sessions/{sid}/vote", json={"option": "C"}).status_code == 200
    assert not screen.changed(), "a vote changed within the round shows nowhere on the screen"
    for phone in colleagues[1:]:
        phone.put(f"/sessions/{sid}/vote", json={"option": "B"})
    assert screen.changed() and "Onthullen" in screen.page
    assert lead.post(f"/sessions/{sid}/reveal").status_code == 200
    assert screen.changed(), "the reveal"
    followed = lead.put(f"/sessions/{sid}/deliberation", json={"method": "dilemmamethode", "auto": True})
    assert followed.status_code == 200
    assert screen.changed(), "a method followed"
    set_now(app, parse_now(NOW) + timedelta(seconds=50))
    assert not screen.changed()  # the step's countdown is the screen's script's
    set_now(app, parse_now(NOW) + timedelta(minutes=5, seconds=1))
    assert screen.changed() and "Stap 2 van 8" in screen.page, "the timer moved the step on"
    assert lead.post(f"/sessions/{sid}/deliberation/move", json={"by": 1}).status_code == 200
    assert screen.changed() and "Stap 3 van 8" in screen.page, "the lead moved the step"
    assert lead.post(f"/sessions/{sid}/revote").status_code == 200
    assert screen.changed(), "the revote"
    for phone in colleagues:
        phone.put(f"/sessions/{sid}/vote", json={"option": "B"})
    assert screen.changed(), "votes of the second round"
    assert lead.post(f"/sessions/{sid}/reveal").status_code == 200
    assert screen.changed(), "the second reveal"
    assert lead.put(f"/sessions/{sid}/consensus", json={"option": "B"}).status_code == 200
    assert screen.changed() and "Antwoord van het team: B" in screen.page, "the joint answer"
    assert lead.put(f"/sessions/{sid}/outcome", json={"agreements": ["We melden het."]}).status_code == 200
    assert screen.changed() and "We melden het." in screen.page, "the outcome"
    assert "Volgende stap" in screen.page
    assert lead.delete(f"/sessions/{sid}/screen").status_code == 204
    assert screen.changed() and "Volgende stap" not in screen.page, "the steering right taken back"
    assert lead.post(f"/sessions/{sid}/close").status_code == 200
    assert screen.changed() and "sessie gesloten" in screen.page, "the close"
    assert not screen.changed()


def test_a_304_reads_one_row_and_renders_nothing(app, client, meeting):
    screen = Screen(client)
    with statements(app) as full:
        assert screen.poll().status_code == 200
    with statements(app) as conditional:
        assert screen.poll().status_code == 304
    assert len(conditional) == 1 < len(full), (conditional, full)


def test_the_meetings_end_is_a_change_without_a_write(app, client, meeting):
    screen = Screen(client)
    assert screen.changed()
    set_now(app, parse_now(NOW) + timedelta(hours=3, minutes=59))
    assert not screen.changed()
    set_now(app, parse_now(NOW) + timedelta(hours=4, minutes=1))
    assert screen.poll().status_code in (200, 403)  # never a 304 for a meeting that ended
