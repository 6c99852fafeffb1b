"""Adversary D of docs/anonymity.md: an analyst, admin or employee who
reads every endpoint as often as they like. Real requests against a
running server."""

from __future__ import annotations

from tests.anonymity.conftest import MONDAY, NEXT_MONDAY, NEXT_TUESDAY, THURSDAY_NOON, WEDNESDAY


def _scopes(world, token: str, dilemma_id: int) -> list[dict]:
    status, _, results = world.call("GET", f"/api/v1/dilemmas/{dilemma_id}/results", token=token)
    assert status == 200, results
    return results["scopes"]


def test_reading_twice_reveals_nothing(world):
    """Attack 5: read, let one colleague answer, read again. Before: spreads
    of 25 or more were live, and a suppressed scope's reason flipped from
    too_few_answers to week_open when the fifth answered."""
    world.at(WEDNESDAY)
    reader = world.register()
    dilemma = world.current(reader)["id"]
    world.answer(reader, dilemma, "A")
    readings = [_scopes(world, reader, dilemma)]
    for count in (3, 1, 20):  # 4, 5 and 25 answers: the old thresholds
        for _ in range(count):
            world.answer(world.register(), dilemma, "A")
        readings.append(_scopes(world, reader, dilemma))
    victim = world.register()
    world.answer(victim, dilemma, "D")
    readings.append(_scopes(world, reader, dilemma))
    assert all(reading == readings[0] for reading in readings)
    # Everyone's live figure counts whole days only (Monday and Tuesday here):
    # an answer of today moves no figure before tonight's release.
    # (An organisation's figure waits for the close: tests/api/test_weekly_loop.py.)
    [everyone] = readings[0]  # a reader of the root organisation has the one scope
    assert everyone["suppressed"] and everyone["reason"] == "too_few_answers"

    # After the week: the release, drawn once, which no late answer and no
    # second read moves (26 answers: suppressed under its noise).
    world.at(NEXT_MONDAY)
    closed = _scopes(world, reader, dilemma)
    world.answer(world.register(), dilemma, "C")
    assert _scopes(world, reader, dilemma) == closed
    assert closed[0]["suppressed"] and closed[0]["reason"] == "too_few_answers"


def test_one_response_does_not_subtract_to_a_late_answer(world):
    """Attack 6: a total that includes late answers beside parts that do not,
    and a difficulty histogram and weekly counts that keep moving, give one
    late answer of a small group away."""
    world.at(MONDAY)
    analyst = world.admin("analyst")
    first = world.register()
    dilemma = world.current(first)["id"]
    world.answer(first, dilemma, "A", difficulty=2)
    for option in "ABBCD":
        world.answer(world.register(), dilemma, option, difficulty=3)

    world.at(NEXT_MONDAY)
    paths = [f"/api/v1/admin/stats/dilemmas/{dilemma}", "/api/v1/admin/stats/weeks", "/api/v1/admin/stats/grey-zones"]
    before = _of_the_week(dilemma, [world.call("GET", path, token=analyst)[2] for path in paths])
    world.answer(world.register(), dilemma, "D", mode="colleague", difficulty=5)
    world.at(NEXT_TUESDAY)
    after = _of_the_week(dilemma, [world.call("GET", path, token=analyst)[2] for path in paths])
    assert after == before
    stats = before[0]
    assert stats["spreads"][0]["suppressed"] and stats["difficulty"]["suppressed"]


def test_reminder_counts_do_not_depend_on_answers(world):
    """Attack 8: the reminder campaign's counts told any admin, in a small
    organisation, how many of its reminder subscribers had answered."""
    world.at(MONDAY)
    admin = world.admin("author", "douane")
    phones = [world.register("douane") for _ in range(6)]
    dilemma = world.current(phones[0])["id"]
    for i, token in enumerate(phones):
        assert world.call("PATCH", "/api/v1/installations/me", {"notifications": {"reminders": True}}, token)[0] == 200
        body = {"token": f"device-{i}-" + "x" * 40, "platform": "android"}
        assert world.call("PUT", "/api/v1/installations/me/push-token", body, token)[0] == 204
    for token in phones[:3]:
        world.answer(token, dilemma, "B")

    world.kompas("push", "tick", at=THURSDAY_NOON)
    world.at(THURSDAY_NOON)
    campaigns = world.call("GET", "/api/v1/admin/push/campaigns?kind=reminder", token=admin)[2]
    reminders = [c for c in campaigns if c["organisation"] == "douane"]
    assert reminders and reminders[0]["targeted"] == 6 and reminders[0]["sent"] == 6


def _of_the_week(dilemma_id: int, responses: list) -> list:
    """The figures of the week that closed (the next week's row is open)."""
    stats, weeks, grey = responses
    return [stats, [row for row in weeks if row["dilemma_id"] == dilemma_id], grey]
