"""Teams: invite codes, membership, the lead role, and that the results
show no team spread of members' own answers (docs/anonymity.md)."""

import pytest
from sqlalchemy import func, inspect, select

from dilemmas.employee.teams import MAX_TEAMS_PER_INSTALLATION
from dilemmas.model.answers import SCOPE_ALL, Answer
from dilemmas.model.installations import Installation
from dilemmas.model.meetings import TeamAnswer
from dilemmas.model.teams import Membership, Team
from tests import counts
from tests.api.test_errors import assert_problem
from tests.conftest import set_now
from tests.factories import bank, enrolment_code, register, schedule, team

SCOPE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now

CLOSED = "2026-12-14T00:00:00+01:00"  # Monday of 2026-W51: 2026-W50 has closed


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_creating_a_team_makes_the_creator_lead_with_an_invite_code(client, session):
    lead = register(client)
    response = lead.post("/teams", json={"name": "  Team   Noord "})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "name": "Team Noord",
        "member_count": 1,
        "role": "lead",
        "handle": 1,
        "invite_code": body["invite_code"],
    }
    code = body["invite_code"].replace("-", "")
    assert len(code) == 12 and code.isalnum()
    assert lead.get("/teams").get_json() == [body]


def test_joining_with_the_invite_code_and_seeing_size_and_role_but_no_members(client, session):
    lead, member = register(client), register(client)
    created = team(lead)
    code = created["invite_code"].replace("-", " ").lower()  # read aloud, typed sloppily
    joined = member.post("/teams/join", json={"invite_code": code})
    assert joined.status_code == 200
    assert joined.get_json() == {
        "id": created["id"],
        "name": "Team Noord",
        "member_count": 2,
        "role": "member",
        "handle": 2,
        "invite_code": None,
    }
    again = member.post("/teams/join", json={"invite_code": created["invite_code"]})
    assert again.get_json()["member_count"] == 2  # joining twice changes nothing
    detail = member.get(f"/teams/{created['id']}").get_json()
    assert set(detail) == {"id", "name", "member_count", "role", "handle", "invite_code"}
    assert detail["member_count"] == 2 and detail["role"] == "member"
    assert lead.get(f"/teams/{created['id']}").get_json()["invite_code"] == created["invite_code"]


def test_another_organisation_cannot_join_or_see_a_team(client, session):
    lead = register(client)
    created = team(lead)
    customs = register(client, session, "douane")
    assert_problem(customs.post("/teams/join", json={"invite_code": created["invite_code"]}), 404)
    assert_problem(customs.get(f"/teams/{created['id']}"), 404)
    assert_problem(customs.post("/teams/join", json={"invite_code": "NOPE-NOPE-NOPE"}), 404)
    outsider = register(client)
    assert_problem(outsider.get(f"/teams/{created['id']}"), 404)  # same organisation, not a member
    assert_problem(outsider.delete(f"/teams/{created['id']}/membership"), 404)
    assert count(session, Membership) == 1


def test_the_lead_rotates_the_invite_code_and_the_old_one_stops_working(client, session):
    lead, member, late = register(client), register(client), register(client)
    created = team(lead, [member])
    assert_problem(member.post(f"/teams/{created['id']}/invite-code"), 403)
    rotated = lead.post(f"/teams/{created['id']}/invite-code")
    assert rotated.status_code == 200
    new_code = rotated.get_json()["invite_code"]
    assert new_code != created["invite_code"]
    assert_problem(late.post("/teams/join", json={"invite_code": created["invite_code"]}), 404)
    assert late.post("/teams/join", json={"invite_code": new_code}).get_json()["member_count"] == 3


def test_leaving_passes_the_lead_on_and_the_last_one_out_deletes_the_team(client, session):
    lead, first, second = register(client), register(client), register(client)
    created = team(lead, [first, second])
    assert lead.delete(f"/teams/{created['id']}/membership").status_code == 204
    assert_problem(lead.get(f"/teams/{created['id']}"), 404)
    assert first.get(f"/teams/{created['id']}").get_json()["role"] == "lead"  # longest-standing member
    assert second.get(f"/teams/{created['id']}").get_json()["role"] == "member"
    assert first.get(f"/teams/{created['id']}").get_json()["member_count"] == 2
    assert second.delete(f"/teams/{created['id']}/membership").status_code == 204
    assert first.delete(f"/teams/{created['id']}/membership").status_code == 204
    assert count(session, Team) == 0 and count(session, Membership) == 0
    assert_problem(register(client).post("/teams/join", json={"invite_code": created["invite_code"]}), 404)


def test_the_lead_hands_over_by_opaque_handle(client, session):
    lead, first, second = register(client), register(client), register(client)
    created = team(lead, [first, second])
    path = f"/teams/{created['id']}"
    assert_problem(first.get(f"{path}/members"), 403)
    handles = lead.get(f"{path}/members").get_json()
    assert handles == [
        {"handle": 1, "role": "lead", "you": True},
        {"handle": 2, "role": "member", "you": False},
        {"handle": 3, "role": "member", "you": False},
    ]
    # The colleague reads their own number in the app and says it out loud.
    said = second.get(path).get_json()["handle"]
    assert_problem(first.put(f"{path}/lead", json={"handle": said}), 403)
    assert set(assert_problem(lead.put(f"{path}/lead", json={"handle": 99}), 409)["errors"]) == {"handle"}
    assert set(assert_problem(lead.put(f"{path}/lead", json={"handle": "3"}), 422)["errors"]) == {"handle"}
    handed = lead.put(f"{path}/lead", json={"handle": said})
    assert handed.status_code == 200 and handed.get_json()["role"] == "member"
    assert second.get(path).get_json()["role"] == "lead"
    assert second.get(path).get_json()["invite_code"] == created["invite_code"]
    assert_problem(lead.post(f"{path}/invite-code"), 403)
    roles = session.scalars(select(Membership.role).where(Membership.team_id == created["id"])).all()
    assert sorted(roles) == ["lead", "member", "member"]


def test_erasure_removes_memberships_and_passes_the_lead_role(client, session):
    lead, member = register(client), register(client)
    created = team(lead, [member])
    assert lead.delete("/installations/me").status_code == 204
    assert count(session, Membership, Membership.installation_id == lead.id) == 0
    assert member.get(f"/teams/{created['id']}").get_json() | {"invite_code": None} == {
        "id": created["id"],
        "name": "Team Noord",
        "member_count": 1,
        "role": "lead",
        "handle": 2,
        "invite_code": None,
    }
    assert member.delete("/installations/me").status_code == 204
    assert count(session, Team) == 0 and count(session, Installation) == 0


def test_moving_to_another_organisation_ends_memberships(client, session):
    lead, member = register(client), register(client)
    created = team(lead, [member])
    moved = member.patch("/installations/me", json={"enrolment_code": enrolment_code(session, "douane")})
    assert moved.status_code == 200
    assert member.get("/teams").get_json() == []
    assert lead.get(f"/teams/{created['id']}").get_json()["member_count"] == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": ""}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 81}, {"name"}),
        ({"name": 5}, {"name"}),
        ({"name": "Team\u0000Noord"}, {"name"}),
        ({"name": "Team", "organisation_id": 2}, {"organisation_id"}),
        (["Team"], {"_body"}),
    ],
)
def test_invalid_team_bodies_are_422_and_store_nothing(client, session, body, fields):
    phone = register(client)
    assert set(assert_problem(phone.post("/teams", json=body), 422)["errors"]) == fields
    assert count(session, Team) == 0


def test_a_lone_surrogate_is_not_json_400(client, session):
    phone = register(client)
    assert assert_problem(phone.post("/teams", json={"name": "Team \ud800"}), 400)["detail"]
    assert count(session, Team) == 0


def test_invalid_join_bodies_are_422(client):
    phone = register(client)
    for body in ({}, {"invite_code": ""}, {"invite_code": 12345678}, {"invite_code": "x" * 40}):
        assert set(assert_problem(phone.post("/teams/join", json=body), 422)["errors"]) == {"invite_code"}


def test_an_installation_is_in_at_most_a_fixed_number_of_teams(client, session):
    phone = register(client)
    for number in range(MAX_TEAMS_PER_INSTALLATION):
        team(phone, name=f"Team {number}")
    problem = assert_problem(phone.post("/teams", json={"name": "One more"}), 409)
    assert problem["limit"] == MAX_TEAMS_PER_INSTALLATION
    other = team(register(client), name="Elsewhere")
    assert_problem(phone.post("/teams/join", json={"invite_code": other["invite_code"]}), 409)
    assert count(session, Membership, Membership.installation_id == phone.id) == MAX_TEAMS_PER_INSTALLATION


def test_teams_are_listed_by_name(client):
    phone = register(client)
    team(phone, name="Zuid")
    team(phone, name="Audit")
    assert [t["name"] for t in phone.get("/teams").get_json()] == ["Audit", "Zuid"]


def test_every_team_endpoint_needs_a_token(client):
    for method, path, body in (
        ("post", "/api/v1/teams", {"name": "Team"}),
        ("get", "/api/v1/teams", None),
        ("post", "/api/v1/teams/join", {"invite_code": "ABCD-EFGH-JKMN"}),
        ("get", "/api/v1/teams/1", None),
        ("delete", "/api/v1/teams/1/membership", None),
        ("post", "/api/v1/teams/1/invite-code", None),
        ("get", "/api/v1/teams/1/members", None),
        ("put", "/api/v1/teams/1/lead", {"handle": 2}),
    ):
        assert_problem(getattr(client, method)(path, json=body), 401)


# No team spread in the results: members' own answers never count for a team
# (only a meeting's joint answer does, tests/api/test_sessions.py), so a lead
# with extra installations or overlapping teams has nothing to subtract.


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


def scope_of(body, scope, name=None):
    return next(s for s in body["scopes"] if s["scope"] == scope and (name is None or s["name"] == name))


def scopes_of(body):
    return [s["scope"] for s in body["scopes"]]


def true_counts(session, dilemma_id, scope):
    """What was counted for a scope while the week was open (A-D): the
    released figure of so few answers is suppressed under its noise."""
    found = counts.per_option(session, dilemma_id, SCOPE_ALL if scope == "all" else "organisation", late=False)
    return [found.get(option, 0) for option in "ABCD"]


def tally(session, dilemma_id, scope, scope_id):
    """The true counts per option of a scope (the sealed counters)."""
    return counts.per_option(session, dilemma_id, scope, scope_id)


def team_tally(session, dilemma_id, team_id):
    """A team's joint answer: its one ``team_answers`` row (no counter)."""
    rows = session.execute(
        select(TeamAnswer.option).where(TeamAnswer.dilemma_id == dilemma_id, TeamAnswer.team_id == team_id)
    ).scalars()
    return {option: 1 for option in rows}


def no_team_counters(session, dilemma_id):
    return not any(key[0] == SCOPE_TEAM for key in counts.option_counts(session, dilemma_id))


def outsiders(client, dilemma_id, options, session=None, organisation="rijk"):
    for option in options:
        assert register(client, session, organisation).answer(dilemma_id, option).status_code == 200


def test_a_team_gets_no_spread_before_or_after_the_week_and_everyone_counts_exactly(app, client, session, this_week):
    lead = register(client)
    members = [register(client) for _ in range(5)]
    created = team(lead, members)
    for phone, option in zip([lead, *members], "AABBCD", strict=True):
        assert phone.answer(this_week.id, option).status_code == 200
    outsiders(client, this_week.id, "ABCDA")
    open_week = lead.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert open_week["scopes"] == [
        {
            "scope": "all",
            "name": "Alle collega's",
            "total": None,
            "suppressed": True,
            "reason": "too_few_answers",  # the live figure of Monday and Tuesday: nobody yet
            "frozen": False,
            "options": None,
            "margin": None,
        }
    ]
    set_now(app, CLOSED)
    closed = members[0].get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(closed) == ["all"]  # no team scope, not even a suppressed one
    spread = scope_of(closed, "all")
    assert spread["suppressed"]  # eleven answers: far too few for the noise
    assert true_counts(session, this_week.id, "all") == [4, 3, 2, 2]
    late = register(client)
    late.post("/teams/join", json={"invite_code": created["invite_code"]})
    late.answer(this_week.id, "D")  # after the week: counted late, shown nowhere
    after = late.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(after) == ["all"] and scope_of(after, "all") == spread
    assert team_tally(session, this_week.id, created["id"]) == {}
    assert tally(session, this_week.id, SCOPE_ALL, 0) == {"A": 4, "B": 3, "C": 2, "D": 3}


def test_a_small_team_has_no_scope_and_its_answers_count_for_everyone(app, client, session, this_week):
    lead = register(client)
    members = [register(client) for _ in range(3)]
    created = team(lead, members)
    for phone in [lead, *members]:
        phone.answer(this_week.id, "A")
    outsiders(client, this_week.id, "BBBBB")
    set_now(app, CLOSED)
    body = lead.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(body) == ["all"]
    assert true_counts(session, this_week.id, "all") == [4, 5, 0, 0]
    assert team_tally(session, this_week.id, created["id"]) == {}


def test_answers_never_count_for_a_team_whenever_given_or_changed(app, client, session, this_week):
    lead, before, after = register(client), register(client), register(client)
    created = team(lead, [before])
    lead.answer(this_week.id, "A")
    before.answer(this_week.id, "B")
    after.answer(this_week.id, "C")  # not yet a member
    after.post("/teams/join", json={"invite_code": created["invite_code"]})
    assert team_tally(session, this_week.id, created["id"]) == {}
    assert tally(session, this_week.id, SCOPE_ALL, 0) == {"A": 1, "B": 1, "C": 1}
    before.delete(f"/teams/{created['id']}/membership")
    before.answer(this_week.id, "D")  # a change moves the count of everyone only
    after.answer(this_week.id, "A")  # a member's change adds no team count either
    assert team_tally(session, this_week.id, created["id"]) == {}
    assert no_team_counters(session, this_week.id)
    assert tally(session, this_week.id, SCOPE_ALL, 0) == {"A": 2, "D": 1}
    # Nothing ties an answer to a team: no column, no table beside it.
    assert not {"installation_id", "team_id"} & set(Answer.__table__.columns.keys())
    assert "answer_teams" not in inspect(session.get_bind()).get_table_names()


def test_a_team_is_no_scope_whatever_the_rest_of_its_organisation(app, client, session, this_week):
    lead = register(client)
    members = [register(client) for _ in range(4)]
    created = team(lead, members)
    for phone in [lead, *members]:
        phone.answer(this_week.id, "A")
    outsiders(client, this_week.id, "BB")  # everyone minus the team would be these two
    set_now(app, CLOSED)
    body = lead.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(body) == ["all"]
    assert true_counts(session, this_week.id, "all") == [5, 2, 0, 0]
    set_now(app, "2026-12-13T12:00:00+01:00")
    outsiders(client, this_week.id, "CCC")  # three more within the week
    set_now(app, CLOSED)
    body = lead.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(body) == ["all"]
    assert true_counts(session, this_week.id, "all") == [5, 2, 3, 0]
    assert team_tally(session, this_week.id, created["id"]) == {}


def test_a_customs_team_sees_only_everyone_and_its_organisation(app, client, session, this_week):
    lead = register(client, session, "douane")
    members = [register(client, session, "douane") for _ in range(4)]
    created = team(lead, members, name="Havenploeg")
    for phone in [lead, *members]:
        phone.answer(this_week.id, "B")
    outsiders(client, this_week.id, "AAAAA", session, "douane")
    outsiders(client, this_week.id, "CCCCC")
    set_now(app, CLOSED)
    body = lead.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(body) == ["all", "organisation"]
    assert (
        scope_of(body, "organisation")["suppressed"] and sum(true_counts(session, this_week.id, "organisation")) == 10
    )
    assert true_counts(session, this_week.id, "organisation") == [5, 5, 0, 0]
    assert scope_of(body, "all")["suppressed"] and sum(true_counts(session, this_week.id, "all")) == 15
    assert true_counts(session, this_week.id, "all") == [5, 5, 5, 0]
    assert team_tally(session, this_week.id, created["id"]) == {}


def test_overlapping_teams_that_differ_by_one_answer_show_nothing_to_subtract(app, client, session, this_week):
    core = [register(client) for _ in range(5)]
    extra = register(client)
    small = team(core[0], core[1:], name="Kern")
    large = team(core[0], [*core[1:], extra], name="Afdeling")
    for phone in core:
        phone.answer(this_week.id, "A")
    extra.answer(this_week.id, "D")  # the large team minus the small one: this one answer
    outsiders(client, this_week.id, "BBBBBCCCCC")
    set_now(app, CLOSED)
    for viewer in (core[0], extra):  # everyone sees the same: no team at all
        body = viewer.get(f"/dilemmas/{this_week.id}/results").get_json()
        assert scopes_of(body) == ["all"]
        assert true_counts(session, this_week.id, "all") == [5, 5, 5, 1]
    assert team_tally(session, this_week.id, small["id"]) == {}
    assert team_tally(session, this_week.id, large["id"]) == {}
    assert no_team_counters(session, this_week.id)


def test_overlapping_teams_that_differ_by_enough_show_no_team_either(app, client, session, this_week):
    core = [register(client) for _ in range(5)]
    more = [register(client) for _ in range(5)]
    team(core[0], core[1:], name="Kern")
    team(core[0], [*core[1:], *more], name="Afdeling")
    for phone in core:
        phone.answer(this_week.id, "A")
    for phone in more:
        phone.answer(this_week.id, "B")
    outsiders(client, this_week.id, "CCCCC")
    set_now(app, CLOSED)
    body = core[1].get(f"/dilemmas/{this_week.id}/results").get_json()
    assert scopes_of(body) == ["all"]
    assert true_counts(session, this_week.id, "all") == [5, 5, 5, 0]
    assert no_team_counters(session, this_week.id)
