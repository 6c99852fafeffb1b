"""The weekly loop gives something back (issue 24): colleagues' live figure
with its margin while the week is open, the instants the app plans with,
and the archive's marks of what came out since the app last looked."""

from __future__ import annotations

from collections import Counter

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations
from tests.conftest import SECRET, set_now
from tests.factories import bank, register, schedule

MONDAY = "2026-12-07T10:00:00+01:00"
TUESDAY_AFTERNOON = "2026-12-08T15:00:00+01:00"
# Week 2026-W50 in Amsterdam: Monday 7 December 00:00 to Monday 14 December 00:00 (CET).
OPENS, CLOSES = parse_now("2026-12-06T23:00:00Z"), parse_now("2026-12-13T23:00:00Z")
SHARE = {"A": 50, "B": 25, "C": 15, "D": 10}


def instants(body: dict) -> tuple:
    return tuple(parse_now(body[name]) for name in ("opens_at", "closes_at", "results_at"))


def six_hundred_answer_on_monday(session, dilemma_id: int) -> None:
    """600 colleagues answer on Monday, through the same service as the app."""
    options = [key for key, share in SHARE.items() for _ in range(share * 6)]
    for option in options:
        person = installations.register(session, SECRET.encode(), parse_now(MONDAY), "ios").installation
        answers.submit(session, person, dilemma_id, option, parse_now(MONDAY))


def test_on_tuesday_the_live_figure_of_all_colleagues_has_a_margin_of_at_most_five_points(app, client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, MONDAY)
    six_hundred_answer_on_monday(session, dilemma.id)
    phone = register(client, session, organisation="douane")
    answered = phone.answer(dilemma.id, "B")
    assert answered.status_code == 200
    # On Monday itself no day is over: nothing is released yet.
    everyone = answered.get_json()["scopes"][0]
    assert everyone["suppressed"] and everyone["reason"] == "week_open"
    assert answered.get_json()["live_until"] is None

    set_now(app, TUESDAY_AFTERNOON)
    first = phone.get(f"/dilemmas/{dilemma.id}/results").get_json()
    everyone, *organisations = first["scopes"]
    assert everyone["scope"] == "all" and not everyone["suppressed"] and not everyone["frozen"]
    assert everyone["margin"] is not None and everyone["margin"] <= 5
    # The truth lies within the margin 95 % of the time; three margins make
    # a false alarm of this test negligible, and still catch a wrong figure.
    for option in everyone["options"]:
        assert abs(option["percent"] - SHARE[option["key"]]) <= 3 * everyone["margin"], everyone
    assert organisations and all(o["suppressed"] and o["reason"] == "week_open" for o in organisations)
    assert parse_now(first["live_until"]) == parse_now("2026-12-08T00:00:00+01:00")  # the end of Monday
    assert instants(first) == (OPENS, CLOSES, CLOSES)
    # Reading twice gives the same figure: the release is stored.
    assert phone.get(f"/dilemmas/{dilemma.id}/results").get_json()["scopes"] == first["scopes"]


def test_the_current_dilemma_and_the_archive_say_when_the_week_opens_closes_and_figures_come(app, client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, MONDAY)
    phone = register(client, session)
    current = phone.get("/dilemmas/current").get_json()
    assert instants(current) == (OPENS, CLOSES, CLOSES)
    assert all(instants(item) == (OPENS, CLOSES, CLOSES) for item in phone.get("/dilemmas").get_json()[:1])

    set_now(app, "2026-12-14T10:00:00+01:00")  # the next Monday: W50's figures are in
    looked_before = phone.get("/dilemmas", query_string={"since": "2026-12-13T12:00:00Z"}).get_json()
    marked = {item["id"]: item["new_results"] for item in looked_before}
    assert marked[dilemma.id] is True
    assert Counter(marked.values())[True] == 1, "only the week that closed since then"
    looked_after = phone.get("/dilemmas", query_string={"since": "2026-12-14T08:00:00+01:00"}).get_json()
    assert not any(item["new_results"] for item in looked_after)
    assert not any(item["new_results"] for item in phone.get("/dilemmas").get_json())
