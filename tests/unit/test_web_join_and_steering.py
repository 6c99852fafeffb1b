"""Joining in a browser (``meeting_joins.join_on_the_web``) and steering
from the presenter screen (``deliberation.steer``), without HTTP."""

import pytest
from sqlalchemy import select

from dilemmas.counters import counter_key
from dilemmas.employee import deliberation, meeting_joins, meetings, teams
from dilemmas.errors import Conflict, Forbidden, NotFound
from dilemmas.model.installations import Installation
from dilemmas.model.meetings import Meeting
from tests.conftest import SECRET
from tests.factories import bank, installation, schedule
from tests.unit.conftest import NOW

KEY = SECRET.encode()
COUNTERS = counter_key(KEY)


@pytest.fixture
def room(db):
    """A lead, three colleagues in the team, the lead's open meeting on this
    week's dilemma, joined by the colleagues."""
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    lead = installation(db)
    colleagues = [installation(db) for _ in range(3)]
    team = teams.create(db, lead, "Team Noord", NOW)
    for colleague in colleagues:
        teams.join(db, colleague, team.invite_code)
    opened = meetings.create(db, lead, team.id, dilemma.id, NOW)
    for colleague in colleagues:
        meeting_joins.join(db, colleague, opened.join_code, NOW)
    return lead, colleagues, team, opened


def vote_all(db, meeting_id, phones, options):
    for phone, option in zip(phones, options, strict=True):
        meetings.vote(db, phone, meeting_id, option, NOW)


def test_a_browser_gets_a_web_installation_only_with_the_right_code(db, room):
    _lead, _colleagues, _team, opened = room
    before = db.scalar(select(Installation.id).order_by(Installation.id.desc()))
    with pytest.raises(NotFound):
        meeting_joins.join_on_the_web(db, KEY, "000000" if opened.join_code != "000000" else "111111", NOW, None)
    assert db.scalar(select(Installation.id).order_by(Installation.id.desc())) == before
    joined = meeting_joins.join_on_the_web(db, KEY, opened.join_code, NOW, None)
    made = db.scalars(select(Installation).where(Installation.platform == "web")).one()
    assert joined.token and made.organisation_id == db.get(Meeting, opened.id).organisation_id
    assert joined.meeting.participants == 4 and joined.meeting.role == "participant"


def test_wrong_codes_from_browsers_count_against_no_meeting(db, room):
    """A browser without an installation belongs to no organisation: its
    typos give no meeting a new code (the web layer caps them per address
    and over all addresses, tests/anonymity/test_browser_codes.py)."""
    _lead, _colleagues, _team, opened = room
    wrong = "000000" if opened.join_code != "000000" else "111111"
    for _attempt in range(meeting_joins.MAX_FAILED_JOINS):
        with pytest.raises(NotFound):
            meeting_joins.join_on_the_web(db, KEY, wrong, NOW, None)
    db.expire_all()
    kept = db.get(Meeting, opened.id)
    assert kept.join_code == opened.join_code and kept.failed_joins == 0


def test_the_screen_steers_until_the_lead_revokes_it(db, room):
    lead, colleagues, _team, opened = room
    grant = deliberation.grant_screen(db, lead, opened.id, NOW)
    screen = deliberation.redeem_screen(db, grant.code, NOW)
    vote_all(db, opened.id, [lead, *colleagues[:1]], "AB")
    with pytest.raises(Conflict):  # two votes: too few to reveal, as for the lead's phone
        deliberation.steer(db, opened.id, screen.steering_key, "reveal", 3, NOW, COUNTERS)
    db.rollback()
    vote_all(db, opened.id, colleagues[1:], "BC")
    view = deliberation.steer(db, opened.id, screen.steering_key, "reveal", 3, NOW, COUNTERS)
    assert view.state == "revealed" and view.spread == (1, 2, 1, 0)
    assert deliberation.steer(db, opened.id, screen.steering_key, "revote", 3, NOW, COUNTERS).round == 2
    with pytest.raises(Forbidden):  # a key of no screen of this meeting
        deliberation.steer(db, opened.id, "made-up", "reveal", 3, NOW, COUNTERS)
    assert deliberation.revoke_screens(db, lead, opened.id, NOW) == 1
    with pytest.raises(Forbidden):
        deliberation.steer(db, opened.id, screen.steering_key, "reveal", 3, NOW, COUNTERS)
    with pytest.raises(Forbidden):
        deliberation.revoke_screens(db, colleagues[0], opened.id, NOW)  # only the lead
