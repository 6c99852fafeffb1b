"""A team's live meeting (``dilemmas.employee.meetings`` and
``meeting_joins``) without HTTP: the state machine, who may move it, the
lifetime, the shift between rounds and the throttle on join codes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dilemmas.employee import meeting_joins, meetings, teams
from dilemmas.errors import Conflict, Forbidden, NotFound, TooManyAttempts
from dilemmas.model.meetings import Meeting, TeamAnswer
from tests.conftest import SECRET
from tests.factories import bank, installation, schedule
from tests.unit.conftest import NOW

MODE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now
SCOPE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now

KEY = SECRET.encode()
MIN_VOTES = 3


@pytest.fixture
def this_week(db):
    return schedule(db, bank(db)[0], "2026-W50")


@pytest.fixture
def room(db, this_week):
    """A lead, three colleagues in the team, and the lead's open meeting
    that the colleagues joined with its code."""
    lead = installation(db)
    colleagues = [installation(db) for _ in range(3)]
    team = teams.create(db, lead, "Team Noord", NOW)
    for colleague in colleagues:
        teams.join(db, colleague, team.invite_code)
    opened = meetings.create(db, lead, team.id, this_week.id, NOW)
    for colleague in colleagues:
        meeting_joins.join(db, colleague, opened.join_code, NOW)
    return lead, colleagues, team, opened


def team_tallies(db, dilemma_id):
    """The teams' joint answers: one ``team_answers`` row each (no counter)."""
    rows = db.execute(
        select(TeamAnswer.team_id, TeamAnswer.late, TeamAnswer.option).where(TeamAnswer.dilemma_id == dilemma_id)
    ).all()
    return {(SCOPE_TEAM, team_id, MODE_TEAM, late, option): 1 for team_id, late, option in rows}


def vote_all(db, meeting_id, phones, options, now=NOW):
    for phone, option in zip(phones, options, strict=True):
        meetings.vote(db, phone, meeting_id, option, now)


def refused(db, call, *args):
    """Call a use case that must refuse with Conflict; roll back and return
    what the Conflict carries."""
    with pytest.raises(Conflict) as conflict:
        call(db, *args)
    db.rollback()
    return conflict.value.extra


def test_the_whole_state_machine_from_open_to_closed(db, this_week):
    lead = installation(db)
    colleagues = [installation(db) for _ in range(3)]
    team = teams.create(db, lead, "Team Noord", NOW)
    for colleague in colleagues:
        teams.join(db, colleague, team.invite_code)

    opened = meetings.create(db, lead, team.id, this_week.id, NOW)
    # The lead takes part from their first vote, not from the creation.
    assert (opened.state, opened.round, opened.participants, opened.votes) == ("open", 1, 0, 0)
    assert opened.allowed == ("vote", "reveal", "close") and opened.role == "lead"
    assert len(opened.join_code) == 6 and opened.join_code.isdigit()
    assert opened.expires_at == NOW + timedelta(hours=4)
    mid = opened.id
    for colleague in colleagues:
        joined = meeting_joins.join(db, colleague, opened.join_code, NOW)
        assert joined.role == "participant" and joined.allowed == ("vote",)
    assert meetings.view(db, lead, mid, NOW).participants == 3

    # Round one, blind: a voter sees only their own vote.
    phones = [lead, *colleagues]
    vote_all(db, mid, phones[:2], "AA")
    assert refused(db, meetings.revote, lead, mid, NOW) == {"state": "open", "allowed": ["vote", "reveal", "close"]}
    assert refused(db, meetings.reveal, lead, mid, MIN_VOTES, NOW) == {
        "votes": 2,
        "needed": MIN_VOTES,
        "state": "open",
        "allowed": ["vote", "close"],
    }
    assert meetings.view(db, lead, mid, NOW).state == "open"  # the refusal changed nothing
    vote_all(db, mid, phones[2:], "BB")
    seen = meetings.view(db, colleagues[2], mid, NOW)
    assert (seen.votes, seen.spread, seen.my_vote) == (4, None, "B")

    revealed = meetings.reveal(db, lead, mid, MIN_VOTES, NOW)
    assert (revealed.state, revealed.spread, revealed.shift) == ("revealed", (2, 2, 0, 0), None)
    assert revealed.allowed == ("revote", "consensus", "close")
    assert refused(db, meetings.vote, colleagues[0], mid, "C", NOW) == {
        "state": "revealed",
        "allowed": [],  # what the participant who asks may do
    }

    # Round two, blind again; the first round's spread stays on the screen.
    again = meetings.revote(db, lead, mid, NOW)
    assert (again.state, again.round, again.votes, again.my_vote) == ("revoting", 2, 0, None)
    assert again.spread == (2, 2, 0, 0)
    vote_all(db, mid, phones, "ABBB")  # one colleague moved from A to B
    assert refused(db, meetings.consensus, lead, mid, "B", NOW) == {
        "state": "revoting",
        "allowed": ["vote", "reveal", "close"],
    }
    second = meetings.reveal(db, lead, mid, MIN_VOTES, NOW)
    assert (second.state, second.round, second.spread, second.shift) == ("revealed", 2, (1, 3, 0, 0), 1)
    assert second.allowed == ("consensus", "close")  # two rounds at most

    agreed = meetings.consensus(db, lead, mid, "B", NOW, note="  Eerst   melden.  ")
    assert (agreed.consensus.option, agreed.consensus.note) == ("B", "Eerst melden.")
    assert agreed.allowed == ("close",)
    assert team_tallies(db, this_week.id) == {(SCOPE_TEAM, team.id, MODE_TEAM, False, "B"): 1}
    answer = db.get(TeamAnswer, (team.id, this_week.id))
    assert (answer.session_id, answer.option, answer.late, str(answer.answered_on)) == (mid, "B", False, "2026-12-07")
    # The same answer again corrects the note only; another option is refused.
    assert meetings.consensus(db, lead, mid, "B", NOW, note="Melden.").consensus.note == "Melden."
    assert refused(db, meetings.consensus, lead, mid, "A", NOW) == {"consensus": "B"}
    assert team_tallies(db, this_week.id) == {(SCOPE_TEAM, team.id, MODE_TEAM, False, "B"): 1}

    closed = meetings.close(db, lead, mid, NOW)
    assert (closed.state, closed.join_code, closed.allowed) == ("closed", None, ())
    assert refused(db, meetings.vote, colleagues[0], mid, "A", NOW) == {"state": "closed", "allowed": []}
    assert refused(db, meetings.close, lead, mid, NOW) == {"state": "closed", "allowed": []}
    row = db.get(Meeting, mid)
    assert (row.state, row.join_code, row.open_team_id) == ("closed", None, None)


def test_only_the_lead_moves_the_meeting(db, room):
    lead, colleagues, team, opened = room
    vote_all(db, opened.id, [lead, *colleagues], "ABCD")
    member = colleagues[0]
    for call, args in [
        (meetings.reveal, (opened.id, MIN_VOTES, NOW)),
        (meetings.revote, (opened.id, NOW)),
        (meetings.consensus, (opened.id, "A", NOW)),
        (meetings.close, (opened.id, NOW)),
    ]:
        with pytest.raises(Forbidden):
            call(db, member, *args)
        db.rollback()
    with pytest.raises(Forbidden):
        meetings.create(db, member, team.id, opened.dilemma_id, NOW)
    db.rollback()
    view = meetings.view(db, lead, opened.id, NOW)
    assert (view.state, view.round, view.votes, view.consensus) == ("open", 1, 4, None)


def test_someone_who_did_not_join_cannot_see_the_meeting(db, room):
    _, _, _, opened = room
    stranger = installation(db)
    with pytest.raises(NotFound):
        meetings.view(db, stranger, opened.id, NOW)
    with pytest.raises(NotFound):
        meetings.vote(db, stranger, opened.id, "A", NOW)


def test_a_meeting_past_its_lifetime_counts_as_closed(db, room):
    lead, colleagues, team, opened = room
    expiry = NOW + meetings.LIFETIME
    just_before = meetings.view(db, lead, opened.id, expiry - timedelta(seconds=1))
    assert just_before.state == "open" and just_before.join_code == opened.join_code

    expired = meetings.view(db, lead, opened.id, expiry)

    assert (expired.state, expired.join_code, expired.allowed) == ("closed", None, ())
    assert refused(db, meetings.vote, colleagues[0], opened.id, "A", expiry) == {"state": "closed", "allowed": []}
    latecomer = installation(db)
    with pytest.raises(NotFound):
        meeting_joins.join(db, latecomer, opened.join_code, expiry)
    db.commit()
    # The team may open a new meeting: the expired one is closed for good.
    reopened = meetings.create(db, lead, team.id, opened.dilemma_id, expiry)
    assert reopened.id != opened.id and reopened.state == "open"
    assert db.get(Meeting, opened.id).state == "closed"


def test_one_open_meeting_per_team(db, room):
    lead, _, team, opened = room
    assert refused(db, meetings.create, lead, team.id, opened.dilemma_id, NOW) == {"session_id": opened.id}


def test_shift_counts_the_voters_who_changed_between_the_rounds(db, room):
    lead, colleagues, _, opened = room
    phones = [lead, *colleagues]
    vote_all(db, opened.id, phones, "AABB")
    meetings.reveal(db, lead, opened.id, MIN_VOTES, NOW)
    meetings.revote(db, lead, opened.id, NOW)
    # Two move (A->C, A->B), one stays, one changes its mind in round two
    # but ends where it began, and a newcomer votes in round two only.
    newcomer = installation(db)
    meeting_joins.join(db, newcomer, opened.join_code, NOW)
    vote_all(db, opened.id, [*phones, newcomer], "CBBDD")
    meetings.vote(db, colleagues[2], opened.id, "B", NOW)

    second = meetings.reveal(db, lead, opened.id, MIN_VOTES, NOW)

    assert second.spread == (0, 3, 1, 1)
    assert second.shift == 2
    assert db.get(Meeting, opened.id).shift == 2


def test_a_wrong_join_code_is_throttled_after_the_free_failures(db, room):
    _, _, _, opened = room
    guesser, bystander = installation(db), installation(db)
    wrong = "000000" if opened.join_code != "000000" else "111111"
    for _ in range(meeting_joins.FREE_FAILURES):
        with pytest.raises(NotFound):
            meeting_joins.join(db, guesser, wrong, NOW)

    # The third failure cost one second: even the right code waits for it.
    with pytest.raises(TooManyAttempts) as waiting:
        meeting_joins.join(db, guesser, opened.join_code, NOW)
    db.rollback()
    assert waiting.value.retry_after == 1
    assert meeting_joins.join(db, bystander, opened.join_code, NOW).participants == 4  # others are not held up
    assert db.get(Meeting, opened.id).failed_joins == meeting_joins.FREE_FAILURES

    # The next failure doubles the wait; after it the right code works.
    later = NOW + timedelta(seconds=1)
    with pytest.raises(NotFound):
        meeting_joins.join(db, guesser, wrong, later)
    with pytest.raises(TooManyAttempts) as doubled:
        meeting_joins.join(db, guesser, opened.join_code, later)
    db.rollback()
    assert doubled.value.retry_after == 2
    joined = meeting_joins.join(db, guesser, opened.join_code, later + timedelta(seconds=2))
    assert joined.id == opened.id and joined.participants == 5


def test_a_revote_is_not_revealed_with_fewer_votes_than_the_first_round(db, room):
    """Round 1 of four, round 2 of three: the spread and the shift would
    give away whether the missing colleague changed their vote."""
    lead, colleagues, _, opened = room
    phones = [lead, *colleagues]
    vote_all(db, opened.id, phones, "AABB")
    meetings.reveal(db, lead, opened.id, MIN_VOTES, NOW)
    meetings.revote(db, lead, opened.id, NOW)
    vote_all(db, opened.id, phones[:3], "ABB")
    refusal = refused(db, meetings.reveal, lead, opened.id, MIN_VOTES, NOW)
    assert refusal["votes"] == 3 and refusal["needed"] == 4
    assert db.get(Meeting, opened.id).revealed_round == 1
    meetings.vote(db, phones[3], opened.id, "B", NOW)
    assert meetings.reveal(db, lead, opened.id, MIN_VOTES, NOW).spread == (1, 3, 0, 0)
