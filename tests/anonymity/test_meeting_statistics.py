"""Attack 7 of issue 23 (adversary D of docs/anonymity.md): the office's
meeting statistics read before and after one team's meeting. Real requests
against a running server."""

from __future__ import annotations

from tests.anonymity.conftest import NEXT_MONDAY, NEXT_TUESDAY, WEDNESDAY

MEETINGS = "/api/v1/admin/stats/meetings"


def _hold(world, dilemma_id: int, first: str, second: str, agreements: list[str]) -> None:
    """A team of len(first) phones holds a meeting: a round, a reveal, a
    revote, a reveal and its agreements."""
    phones = [world.register() for _ in first]
    lead, *members = phones
    status, _, team = world.call("POST", "/api/v1/teams", {"name": "Team Oost"}, lead)
    assert status == 201, team
    for phone in members:
        assert world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, phone)[0] == 200
    status, _, meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma_id}, lead)
    assert status == 201, meeting
    sid = meeting["id"]
    for phone in members:
        assert world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, phone)[0] == 200
    for round_votes in (first, second):
        for phone, option in zip(phones, round_votes, strict=True):
            assert world.call("PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)[0] == 200
        status, _, body = world.call("POST", f"/api/v1/sessions/{sid}/reveal", token=lead)
        assert status == 200, body
        if round_votes is first:
            assert world.call("POST", f"/api/v1/sessions/{sid}/revote", token=lead)[0] == 200
    outcome = {"agreements": agreements, "look_back_on": "2027-01-11"}
    assert world.call("PUT", f"/api/v1/sessions/{sid}/outcome", outcome, lead)[0] == 200


def _read(world, analyst: str) -> list[dict]:
    status, _, rows = world.call("GET", MEETINGS, token=analyst)
    assert status == 200, rows
    return rows


def recovered(before: list[dict], after: list[dict]) -> tuple[float, int] | None:
    """What the analyst computes from two readings: the one new team's shift
    (new mean x sessions - old mean x sessions) and its agreements (the
    growth of a theme), from the first chapter that moved."""
    old = {row["chapter"]: row for row in before}
    for row in after:
        was = old.get(row["chapter"], {"sessions": 0, "mean_shift": None, "themes": []})
        if row["sessions"] is None or was["sessions"] is None or row["sessions"] != was["sessions"] + 1:
            continue
        shift = (row["mean_shift"] or 0) * row["sessions"] - (was["mean_shift"] or 0) * was["sessions"]
        themes = {t["ref"]: t["agreements"] or 0 for t in was["themes"]}
        grown = [t["agreements"] - themes.get(t["ref"], 0) for t in row["themes"] if t["agreements"] is not None]
        return round(shift, 2), max(grown, default=0)
    return None


def test_reading_before_and_after_a_meeting_gives_nothing_away(world):
    """Before: `/admin/stats/meetings` was exact and counted open weeks, so
    two readings around one team's meeting gave its shift (3) and its
    number of agreements (3). Now the figures are a release of closed weeks
    only, drawn once: neither a meeting during the week nor a late one
    after it moves them."""
    world.at(WEDNESDAY)
    analyst = world.admin("analyst")
    dilemma = world.current(world.register())["id"]
    _hold(world, dilemma, "AABBC", "AABBB", ["We melden het."])  # another team, earlier: shift 1
    before = _read(world, analyst)
    _hold(world, dilemma, "AAABC", "BBBBC", ["Eerst vragen.", "Altijd melden.", "Samen besluiten."])
    after = _read(world, analyst)
    assert recovered(before, after) != (3, 3)
    assert after == before

    # After the close: the release, drawn once; a team that meets on the
    # dilemma later (the archive stays open) moves no figure.
    world.at(NEXT_MONDAY)
    closed = _read(world, analyst)
    _hold(world, dilemma, "AAABC", "BBBBC", ["Eerst vragen.", "Altijd melden.", "Samen besluiten."])
    world.at(NEXT_TUESDAY)
    again = _read(world, analyst)
    assert recovered(closed, again) is None
    assert again == closed
