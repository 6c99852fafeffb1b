"""Adversary C of docs/anonymity.md: a team lead or participant with as
many installations as they like. Real requests against a running server."""

from __future__ import annotations

from tests.anonymity.conftest import MONDAY, NEXT_MONDAY, WEDNESDAY


def _team(world, lead: str, members: list[str], name: str) -> dict:
    team = world.call("POST", "/api/v1/teams", {"name": name}, lead)[2]
    for token in members:
        assert world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, token)[0] == 200
    return team


def _team_spreads(world, token: str, dilemma_id: int) -> dict[str, dict[str, int]]:
    """What the attacker reads: every team spread in the results."""
    status, _, results = world.call("GET", f"/api/v1/dilemmas/{dilemma_id}/results", token=token)
    assert status == 200, results
    return {
        scope["name"]: {o["key"]: o["count"] for o in scope["options"]}
        for scope in results["scopes"]
        if scope["scope"] == "team" and not scope["suppressed"]
    }


def test_a_lead_with_extra_installations_reads_no_team_spread(world):
    """Attack 3: a lead adds four installations of their own to a team with
    one colleague; after the week the team's spread minus the lead's own
    five answers is the colleague's answer."""
    world.at(MONDAY)
    lead, victim = world.register(), world.register()
    fakes = [world.register() for _ in range(4)]
    _team(world, lead, [victim, *fakes], "Team van vijf")
    dilemma = world.current(lead)["id"]
    for token in [lead, *fakes]:
        world.answer(token, dilemma, "A")
    world.answer(victim, dilemma, "C")

    world.at(NEXT_MONDAY)
    spreads = _team_spreads(world, lead, dilemma)
    learned = None
    if "Team van vijf" in spreads:
        counts = dict(spreads["Team van vijf"])
        counts["A"] -= 5
        learned = next((k for k, n in counts.items() if n == 1), None)
    assert learned is None and spreads == {}


def test_overlapping_teams_cannot_be_combined(world):
    """Attack 4: four overlapping teams, each large enough and each pair
    differing by enough: A - B + C - D is one colleague, x."""
    world.at(MONDAY)
    lead, x = world.register(), world.register()
    w1, w2, y1, y2 = ([world.register() for _ in range(5)] for _ in range(4))
    _team(world, lead, [x, *w1, *w2], "A")
    _team(world, lead, [*w1, *y1], "B")
    _team(world, lead, [*y1, *y2], "C")
    _team(world, lead, [*w2, *y2], "D")
    dilemma = world.current(lead)["id"]
    for token in [*w1, *w2, *y1, *y2]:
        world.answer(token, dilemma, "A")
    world.answer(x, dilemma, "B")

    world.at(NEXT_MONDAY)
    spreads = _team_spreads(world, lead, dilemma)
    learned = None
    if set(spreads) == {"A", "B", "C", "D"}:
        combined = {k: spreads["A"][k] - spreads["B"][k] + spreads["C"][k] - spreads["D"][k] for k in "ABCD"}
        learned = next((k for k, n in combined.items() if n == 1), None)
    assert learned is None and spreads == {}


def test_every_phone_sees_how_many_devices_take_part(world):
    """No mechanism stops a lead with one extra device from reading the one
    colleague in the room at three votes (docs/anonymity.md, residual): the
    colleague's phone shows how many devices joined and voted, before it
    votes and after, so that a device too many is noticed in the room."""
    world.at(WEDNESDAY)
    lead, extra, colleague = world.register(), world.register(), world.register()
    team = _team(world, lead, [extra, colleague], "Twee mensen")
    dilemma = world.current(lead)["id"]
    meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma}, lead)[2]
    world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, extra)
    world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": "A"}, extra)
    world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": "A"}, lead)

    joined = world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, colleague)[2]
    assert (joined["participants"], joined["votes"]) == (3, 2)  # three devices, two people in the room
    voted = world.call("PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": "C"}, colleague)[2]
    assert (voted["participants"], voted["votes"]) == (3, 3)
