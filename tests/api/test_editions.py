"""Editions of a dilemma (issue 24, points 2 and 5): the office runs a
dilemma again as a new edition, at least KOMPAS_EDITION_MIN_WEEKS after the
last; a re-run shows the previous edition's spread while its own figures
wait, and after its close the shift between the two editions."""

from __future__ import annotations

import re

from sqlalchemy import select

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations
from dilemmas.employee.keys import key_base, respondent_key
from dilemmas.model.answers import Answer
from dilemmas.model.audit import AuditEntry
from dilemmas.model.releases import PrivacyLedger
from dilemmas.reads.content import content_of
from scoring import budget
from tests.conftest import SECRET, set_now
from tests.factories import bank, office, register, schedule

# Edition 1 in 2026-W50 (7-13 December); 26 weeks on is 2027-W23 (7-13 June).
FIRST_MONDAY = "2026-12-07T10:00:00+01:00"
AFTER_FIRST = "2026-12-15T10:00:00+01:00"
SECOND_WEEK = "2027-W23"
SECOND_MONDAY = "2027-06-07T10:00:00+02:00"
SECOND_TUESDAY = "2027-06-08T15:00:00+02:00"
AFTER_SECOND = "2027-06-15T10:00:00+02:00"
FIRST_SHARE = {"A": 50, "B": 25, "C": 15, "D": 10}
SECOND_SHARE = {"A": 25, "B": 45, "C": 20, "D": 10}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def population(session, dilemma_id: int, share: dict[str, int], moment: str, per_point: int = 6) -> None:
    """100 x ``per_point`` colleagues answer on ``moment``, through the same
    service as the app, in the given spread."""
    for option in [key for key, points in share.items() for _ in range(points * per_point)]:
        person = installations.register(session, SECRET.encode(), parse_now(moment), "ios").installation
        answers.submit(session, person, dilemma_id, option, parse_now(moment))


def rerun(app, client, session, first_id: int):
    publisher = office(client, session, "publisher")
    set_now(app, AFTER_FIRST)
    made = publisher.post(f"/dilemmas/{first_id}/editions", json={"week": SECOND_WEEK})
    assert made.status_code == 201, made.get_json()
    return publisher, made.get_json()


def test_a_dilemma_runs_again_only_after_its_week_and_not_too_soon(app, client, session):
    first = schedule(session, bank(session)[0], "2026-W50")
    publisher = office(client, session, "publisher")
    author = office(client, session, "author")
    # While its week is open the dilemma has not run yet.
    refused = problem(publisher.post(f"/dilemmas/{first.id}/editions", json={"week": SECOND_WEEK}), 409)
    assert refused["type"] == "/problems/edition-refused" and refused["reason"] == "not_run"
    never_run = bank(session)[1]
    refused = problem(publisher.post(f"/dilemmas/{never_run.id}/editions", json={"week": SECOND_WEEK}), 409)
    assert refused["reason"] == "not_run"

    set_now(app, AFTER_FIRST)
    assert author.post(f"/dilemmas/{first.id}/editions", json={"week": SECOND_WEEK}).status_code == 403
    too_soon = problem(publisher.post(f"/dilemmas/{first.id}/editions", json={"week": "2027-W22"}), 409)
    assert too_soon["reason"] == "too_early" and too_soon["earliest_week"] == SECOND_WEEK
    assert problem(publisher.post(f"/dilemmas/{first.id}/editions", json={"week": "2027-W99"}), 422)

    made = publisher.post(f"/dilemmas/{first.id}/editions", json={"week": SECOND_WEEK})
    assert made.status_code == 201, made.get_json()
    second = made.get_json()
    assert second["id"] != first.id and second["previous_edition_id"] == first.id
    assert second["status"] == "scheduled" and second["week"] == SECOND_WEEK
    original = publisher.get(f"/dilemmas/{first.id}").get_json()
    for field in ("title", "situation", "explanation", "options", "code_refs", "category", "audience"):
        assert second[field] == original[field], field
    assert original["previous_edition_id"] is None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "dilemma.run_again"))
    assert entry.object_id == second["id"] and entry.actor.startswith("Publisher")
    assert entry.details["previous_edition"] == first.id and entry.details["week"] == SECOND_WEEK

    # One line of editions: the old one cannot branch off a second re-run.
    newer = problem(publisher.post(f"/dilemmas/{first.id}/editions", json={"week": "2027-W40"}), 409)
    assert newer["reason"] == "newer_edition" and newer["newer_edition_id"] == second["id"]
    # Taken off its week and put back: the same rule holds for scheduling.
    assert publisher.post(f"/dilemmas/{second['id']}/unschedule").status_code == 200
    again = problem(publisher.post(f"/dilemmas/{second['id']}/schedule", json={"week": "2027-W10"}), 409)
    assert again["type"] == "/problems/edition-refused" and again["earliest_week"] == SECOND_WEEK
    assert publisher.post(f"/dilemmas/{second['id']}/schedule", json={"week": "2027-W30"}).status_code == 200


def test_the_setting_sets_the_weeks_between_editions(make_app, session):
    app = make_app(KOMPAS_EDITION_MIN_WEEKS="4")
    client = app.test_client()
    first = schedule(session, bank(session)[0], "2026-W50")
    publisher = office(client, session, "publisher")
    set_now(app, AFTER_FIRST)
    # 2026 has 53 weeks: four on from W50 is 2027-W01.
    too_soon = problem(publisher.post(f"/dilemmas/{first.id}/editions", json={"week": "2026-W53"}), 409)
    assert too_soon["earliest_week"] == "2027-W01"
    assert publisher.post(f"/dilemmas/{first.id}/editions", json={"week": "2027-W01"}).status_code == 201


def test_one_token_has_unlinkable_keys_and_separate_budgets_in_two_editions(app, client, session):
    first = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, FIRST_MONDAY)
    phone = register(client, session)
    assert phone.answer(first.id, "A").status_code == 200
    _, second = rerun(app, client, session, first.id)
    set_now(app, SECOND_MONDAY)
    assert phone.answer(second["id"], "A").status_code == 200

    base = key_base(SECRET.encode(), phone.token)
    keys = {d: respondent_key(base, d) for d in (first.id, second["id"])}
    rows = {row.dilemma_id: row for row in session.scalars(select(Answer))}
    assert {d: rows[d].respondent_key for d in keys} == keys
    assert keys[first.id] != keys[second["id"]]
    # Nothing in the two rows ties them together: no shared key, no shared ciphertext.
    assert rows[first.id].sealed != rows[second["id"]].sealed

    set_now(app, AFTER_SECOND)
    for dilemma_id in keys:
        assert phone.get(f"/dilemmas/{dilemma_id}/results").status_code == 200
    close = sum(budget.CLOSE_EPSILON.values())
    ledgers = {
        d: {row.release for row in session.scalars(select(PrivacyLedger).where(PrivacyLedger.dilemma_id == d))}
        for d in keys
    }
    assert all("close" in names for names in ledgers.values())
    for dilemma_id in keys:
        # Each edition pays its own close release out of its own ε = 1.
        assert budget.spent(session, dilemma_id) >= close - 1e-9
        assert budget.spent(session, dilemma_id) <= budget.EDITION_EPSILON


def test_a_rerun_shows_the_last_editions_spread_until_its_own_live_figure(app, client, session):
    first = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, FIRST_MONDAY)
    population(session, first.id, FIRST_SHARE, FIRST_MONDAY)
    _, second = rerun(app, client, session, first.id)

    set_now(app, SECOND_MONDAY)
    phone = register(client, session)
    answered = phone.answer(second["id"], "B").get_json()
    everyone = answered["scopes"][0]
    assert everyone["suppressed"] and everyone["reason"] == "week_open"
    previous = answered["previous_edition"]
    assert previous["dilemma_id"] == first.id and previous["week"] == "2026-W50"
    assert parse_now(previous["closes_at"]) == parse_now("2026-12-13T23:00:00Z")
    spread = previous["spread"]
    assert spread["frozen"] and spread["margin"] <= 5
    for option in spread["options"]:
        # Twice the margin (which holds 95 %, 98-99 % measured): no false alarm.
        assert abs(option["percent"] - FIRST_SHARE[option["key"]]) <= 2 * spread["margin"] + 1, spread
    assert answered["results_at"] == "2027-06-13T22:00:00Z" and answered["shift"] is None
    # Frozen: the same figure on every read, and on Tuesday while the re-run's
    # own live figure is suppressed (one answer is far too few).
    set_now(app, SECOND_TUESDAY)
    later = phone.get(f"/dilemmas/{second['id']}/results").get_json()
    assert later["scopes"][0]["suppressed"] and later["previous_edition"] == previous

    # A first edition has nothing before it.
    set_now(app, FIRST_MONDAY)
    other = register(client, session)
    assert other.answer(first.id, "A").get_json()["previous_edition"] is None


def test_the_live_figure_comes_before_the_previous_edition(app, client, session):
    first = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, FIRST_MONDAY)
    population(session, first.id, FIRST_SHARE, FIRST_MONDAY)
    _, second = rerun(app, client, session, first.id)
    set_now(app, SECOND_MONDAY)
    population(session, second["id"], SECOND_SHARE, SECOND_MONDAY)
    phone = register(client, session)
    assert phone.answer(second["id"], "B").get_json()["previous_edition"]["week"] == "2026-W50"
    set_now(app, SECOND_TUESDAY)
    live = phone.get(f"/dilemmas/{second['id']}/results").get_json()
    assert not live["scopes"][0]["suppressed"] and live["previous_edition"] is None


def test_after_both_closes_the_rerun_shows_the_shift_within_its_margin(app, client, session):
    first = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, FIRST_MONDAY)
    population(session, first.id, FIRST_SHARE, FIRST_MONDAY)
    _, second = rerun(app, client, session, first.id)
    set_now(app, SECOND_MONDAY)
    population(session, second["id"], SECOND_SHARE, SECOND_MONDAY)
    phone = register(client, session)
    assert phone.answer(second["id"], "B").json["shift"] is None

    set_now(app, AFTER_SECOND)
    results = phone.get(f"/dilemmas/{second['id']}/results").get_json()
    shift = results["shift"]
    assert shift["previous_dilemma_id"] == first.id and shift["previous_week"] == "2026-W50"
    assert shift["same_options"]
    everyone = shift["scopes"][0]
    assert everyone["scope"] == "all" and not everyone["suppressed"]
    # The answers behind: 600 per edition plus the phone's one B.
    truth = {k: SECOND_SHARE[k] * 6 / 601 * 100 - FIRST_SHARE[k] for k in "ACD"}
    truth["B"] = (SECOND_SHARE["B"] * 6 + 1) / 601 * 100 - FIRST_SHARE["B"]
    for option in everyone["options"]:
        # The margin holds all four options together 95 % of the time (98-99 %
        # measured: about one run in a hundred falls outside it). Twice the
        # margin is about six standard deviations of the noise: a false alarm
        # is negligible, and a wrong figure (the sign, an edition, the scope:
        # shifts of 20 points here) still fails.
        assert 0 < option["margin"] <= 6, everyone
        assert abs(option["points"] - truth[option["key"]]) <= 2 * option["margin"] + 1, everyone
    aligned = {o.key for o in content_of(session, first.id).current.options if o.alignment == "aligned"}
    true_aligned = sum(truth[k] for k in aligned)
    assert abs(everyone["aligned"]["points"] - true_aligned) <= 2 * everyone["aligned"]["margin"] + 1
    # An organisation with a handful of answers: its spreads are not shown, nor its shift.
    assert all(scope["suppressed"] and scope["options"] is None for scope in shift["scopes"][1:])
    assert phone.get(f"/dilemmas/{first.id}/results").get_json()["shift"] is None

    analyst = office(client, session, "analyst", days=400)
    stats = analyst.get(f"/stats/dilemmas/{second['id']}").get_json()
    assert stats["previous_edition_id"] == first.id and stats["live"] is None
    office_shift = stats["shift"]["scopes"][0]
    assert office_shift["options"] == everyone["options"] and office_shift["aligned"] == everyone["aligned"]
    assert [s["suppressed"] for s in stats["shift"]["scopes"][1:]] == [True] * (len(stats["shift"]["scopes"]) - 1)
    csv = analyst.get(f"/stats/dilemmas/{second['id']}", headers={"Accept": "text/csv"}).get_data(as_text=True)
    for option in everyone["options"]:
        assert f"shift:{option['key']},{option['points']},no" in csv
        assert f"shift:{option['key']}:margin,{option['margin']},no" in csv


def test_the_console_runs_a_dilemma_again_and_shows_the_live_figure_and_the_shift(app, client, session):
    from tests.api.test_console import sign_in

    first = schedule(session, bank(session)[0], "2026-W50")
    set_now(app, FIRST_MONDAY)
    population(session, first.id, FIRST_SHARE, FIRST_MONDAY)
    admin = office(client, session, "admin", days=400)
    # Tuesday of the first week: "Deze week" shows the live figure with its margin.
    set_now(app, "2026-12-08T15:00:00+01:00")
    sign_in(client, admin.token)
    week = client.get("/office/").get_data(as_text=True)
    assert 'id="chart-live-rijk"' in week and "marge ± " in week and "live-table" in week
    page = client.get(f"/office/dilemmas/{first.id}").get_data(as_text=True)
    assert 'id="run-again"' not in page, "not before its week is over"

    set_now(app, AFTER_FIRST)
    csrf = sign_in(client, admin.token)  # the clock jumped past the idle time-out
    page = client.get(f"/office/dilemmas/{first.id}").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d{4}-W\d{2})"', page.split('id="run-again"')[1])
    assert offered[0] == SECOND_WEEK
    too_soon = client.post(f"/office/dilemmas/{first.id}/editions", data={"csrf_token": csrf, "week": "2027-W10"})
    assert too_soon.status_code == 409 and "2027-W23" in too_soon.get_data(as_text=True)
    made = client.post(f"/office/dilemmas/{first.id}/editions", data={"csrf_token": csrf, "week": SECOND_WEEK})
    assert made.status_code == 303
    second_id = int(re.search(r"/office/dilemmas/(\d+)", made.headers["Location"]).group(1))
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Nieuwe editie gemaakt en ingepland" in page and 'id="previous-edition"' in page

    set_now(app, SECOND_MONDAY)
    population(session, second_id, SECOND_SHARE, SECOND_MONDAY)
    set_now(app, AFTER_SECOND)
    sign_in(client, admin.token)
    statistics = client.get(f"/office/statistics/dilemmas/{second_id}").get_data(as_text=True)
    assert 'id="shift"' in statistics and 'id="chart-shift-0"' in statistics
    rows = dict(re.findall(r'<th scope="row">Optie ([A-D])</th><td class="num">([+-]\d+)</td>', statistics))
    expected = {k: SECOND_SHARE[k] - FIRST_SHARE[k] for k in "ABCD"}
    assert set(rows) == set("ABCD")
    assert all(abs(int(rows[k]) - expected[k]) <= 6 for k in rows), rows


def test_the_api_document_describes_previous_edition_shift_and_the_editions_operation(client):
    document = client.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    results = schemas["ResultsOut"]["properties"]
    assert {"previous_edition", "shift"} <= set(results)
    assert set(schemas["PreviousEditionOut"]["properties"]) == {"dilemma_id", "week", "closes_at", "spread"}
    operation = document["paths"]["/api/v1/admin/dilemmas/{dilemma_id}/editions"]["post"]
    assert operation["operationId"] == "runDilemmaAgain" and {"201", "409"} <= set(operation["responses"])
    assert {"earliest_week", "newer_edition_id"} <= set(schemas["Problem"]["properties"])
