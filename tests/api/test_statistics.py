"""Statistics for the integrity office: participation, spreads, awareness,
grey zones; JSON and CSV; every figure post-processing of one stored
differentially private release per edition (docs/anonymity.md).

Figures carry noise, so the tests check what holds whatever the noise
drew (far within the tolerance: a discrete Laplace tail beyond 25 scales
has probability below 1e-10) and what the rules decide from the noisy
figures, never an exact count."""

import csv
import io
import itertools
from datetime import timedelta

import pytest

from api.platform.settings import parse_now
from dilemmas import counters
from dilemmas.counters import OPTION, RATING
from dilemmas.employee import answers, installations
from dilemmas.model.content import Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.office.organisations import current_enrolment_code
from dilemmas.weeks import week_of
from tests import counts
from tests.conftest import SECRET, set_now
from tests.factories import bank, office, register, schedule

SECRET_KEY = SECRET.encode()


def people(session, count, organisation="rijk", when="2025-12-01T09:00:00+01:00"):
    """Installations made through the service (fast), as the app would."""
    org = session.query(Organisation).filter_by(slug=organisation).one()
    code = current_enrolment_code(session, org, parse_now(when)) if organisation != "rijk" else None
    return [
        installations.register(session, SECRET_KEY, parse_now(when), "ios", enrolment_code=code).installation
        for _ in range(count)
    ]


def answer_all(session, who, dilemma_id, options, when, modes=None, difficulty=None):
    for index, (person, option) in enumerate(zip(who, options, strict=False)):
        mode = modes[index] if modes else "alone"
        answers.submit(session, person, dilemma_id, option, parse_now(when), mode=mode, difficulty=difficulty)


def counted(session, dilemma_id, options, organisation="rijk", mode="alone", difficulty=None):
    """Put the counts of many on-time answers straight into the sealed
    counters (as ``answers.submit`` would, one per option letter): for the
    tests that need hundreds of answers and test the figures, not answering."""
    org = session.query(Organisation).filter_by(slug=organisation).one()
    deltas = []
    for scope, scope_id in answers.tally_scopes(session, org.id):
        for option in options:
            deltas.append(((OPTION, scope, scope_id, mode, 0, option), 1))
            if difficulty is not None:
                deltas.append(((RATING, scope, scope_id, 0, difficulty), 1))
    merged = {}
    for key, delta in deltas:
        merged[key] = merged.get(key, 0) + delta
    counters.change(session, counts.KEY, dilemma_id, merged.items())
    session.commit()


@pytest.fixture
def analyst(client, session):
    return office(client, session, "analyst")


def test_weeks_report_participation_from_the_release(app, client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W49")
    rijk = people(session, 100)
    customs = people(session, 11, "douane")
    counted(session, dilemma.id, "AABBCCDDA" * 40)
    answer_all(session, rijk[:90], dilemma.id, "AABBCCDDA" * 10, "2026-12-02T10:00:00+01:00")
    answer_all(session, rijk[90:], dilemma.id, "A" * 10, "2026-12-02T10:00:00+01:00", modes=["colleague"] * 10)
    answer_all(session, customs[:10], dilemma.id, "BBBBCCD" * 2, "2026-12-03T10:00:00+01:00")
    answer_all(session, customs[30:], dilemma.id, "A", "2026-12-09T10:00:00+01:00")  # late: in W50
    rows = analyst.get("/stats/weeks?from=2026-W49&to=2026-W49").get_json()
    assert len(rows) == 1
    row = rows[0]
    # About the 470 answers given during the week (scale 4 per option); the late one is released nowhere.
    assert abs(row["answers"] - 470) <= 100 and row["closed"] is True and row["reason"] is None
    assert "late" not in row
    # Per mode and per organisation the noise is of scale 20 per cell: 10 in colleague mode,
    # and Customs' 10 answers, are far too few for it.
    assert set(row["by_mode"]) == {"alone", "colleague", "team"} and row["by_mode"]["colleague"] is None
    assert set(row["by_organisation"]) == {"douane", "rijk"} and row["by_organisation"]["douane"] is None
    # Participation: noisy answers over the exact installations (a count that describes no answer),
    # at most 1 (the counts put in directly have no installations).
    assert row["active_installations"] == 111 and row["participation"] == 1.0
    table = analyst.get("/stats/weeks?from=2026-W49&to=2026-W49", headers={**analyst.headers, "Accept": "text/csv"})
    assert table.status_code == 200, table.get_data(as_text=True)
    figures = {r["figure"]: r for r in csv.DictReader(io.StringIO(table.get_data().decode("utf-8-sig")))}
    assert figures["answers"]["value"] == str(row["answers"])
    assert figures["mode:colleague"]["suppressed"] == "yes" and figures["organisation:douane"]["suppressed"] == "yes"
    assert "late" not in figures
    customs_analyst = office(client, session, "analyst", "douane")
    theirs = customs_analyst.get("/stats/weeks?from=2026-W49&to=2026-W49").get_json()[0]
    assert (
        theirs["answers"] is None and theirs["reason"] == "too_few_answers" and theirs["active_installations"] is None
    )


def test_an_open_week_shows_nothing_however_many_answered_and_the_closed_week_a_release(app, client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    who = people(session, 36)
    counted(session, dilemma.id, "ABCDAB" * 45)
    answer_all(session, who[:30], dilemma.id, "ABCDAB" * 5, "2026-12-08T10:00:00+01:00", difficulty=3)
    row = analyst.get("/stats/weeks?from=2026-W50&to=2026-W50").get_json()[0]
    assert row["answers"] is None and row["reason"] == "week_open" and row["by_mode"] is None
    assert row["by_organisation"] is None and row["participation"] is None
    detail = analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json()
    assert all(s["total"] is None and s["reason"] == "week_open" for s in [*detail["spreads"], *detail["by_mode"]])
    assert detail["difficulty"]["ratings"] is None and detail["difficulty"]["reason"] == "week_open"
    set_now(app, "2026-12-14T00:00:00+01:00")
    closed_row = analyst.get("/stats/weeks?from=2026-W50&to=2026-W50").get_json()[0]
    closed_detail = analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json()
    assert abs(closed_row["answers"] - 300) <= 100 and closed_row["reason"] is None
    everyone = closed_detail["spreads"][0]
    assert not everyone["suppressed"] and 0 < everyone["margin"] <= 10
    for option, share in zip(everyone["options"], (33, 33, 17, 17), strict=True):
        assert abs(option["percent"] - share) <= 25
    # The ratings' noise (scale 67 per value here) swamps 30 ratings.
    assert closed_detail["difficulty"]["suppressed"] and closed_detail["difficulty"]["reason"] == "too_few_answers"
    # Late answers and ratings are counted apart and move no figure.
    answer_all(session, who[30:], dilemma.id, "DDDDDD", "2026-12-15T10:00:00+01:00", difficulty=5)
    assert analyst.get("/stats/weeks?from=2026-W50&to=2026-W50").get_json()[0] == closed_row
    assert analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json() == closed_detail


def test_dilemma_statistics_per_scope_mode_and_difficulty(client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W48")
    # Enough answers that the per-mode cells (scale 50) are shown with all
    # but certainty: an alone spread of 2,400 has a margin near 8 points.
    counted(session, dilemma.id, "AAAABBBCCD" * 240, difficulty=2)
    counted(session, dilemma.id, "DDDDCC" * 10, "douane", mode="colleague", difficulty=4)
    result = analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json()
    everyone, douane = result["spreads"]
    assert abs(everyone["total"] - 2460) <= 100 and everyone["margin"] <= 3
    assert sum(o["percent"] for o in everyone["options"]) == 100
    for option, share in zip(everyone["options"], (39, 29, 20, 12), strict=True):
        assert abs(option["percent"] - share) <= 10
    assert douane["name"] == "Douane Nederland" and douane["suppressed"]  # 60 answers under scale-25 noise
    modes = {m["mode"]: m for m in result["by_mode"]}
    assert not modes["alone"]["suppressed"] and modes["alone"]["margin"] <= 20
    assert modes["colleague"]["suppressed"] and modes["team"]["suppressed"]
    difficulty = result["difficulty"]
    assert not difficulty["suppressed"] and set(difficulty["histogram"]) == {"1", "2", "3", "4", "5"}
    assert 1 <= difficulty["mean"] <= 5 and abs(difficulty["ratings"] - 2460) <= 1000
    assert analyst.get("/stats/dilemmas/999999").status_code == 404


def test_roles_and_scope(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W48")
    for role in ("author", "reviewer", "publisher"):
        assert office(client, session, role).get("/stats/weeks").status_code == 403
        assert office(client, session, role).get(f"/stats/dilemmas/{dilemma.id}").status_code == 403
    assert office(client, session, "admin").get("/stats/grey-zones").status_code == 200
    customs_only = schedule(session, bank(session, "douane")[0], "2026-W47", "douane")
    rijk_analyst = office(client, session, "analyst")
    assert rijk_analyst.get(f"/stats/dilemmas/{customs_only.id}").status_code == 200
    customs_analyst = office(client, session, "analyst", "douane")
    assert customs_analyst.get(f"/stats/dilemmas/{dilemma.id}").status_code == 200  # inherited by Customs
    other_child = bank(session)[5]
    schedule(session, other_child, "2026-W46")
    phone = register(client)
    assert phone.client.get("/api/v1/admin/stats/weeks", headers=phone.headers).status_code == 401


def test_csv_is_excel_friendly_and_keeps_suppressed_figures(client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W48")
    answer_all(session, people(session, 4), dilemma.id, "ABCD", "2026-11-24T10:00:00+01:00")
    response = analyst.get(f"/stats/dilemmas/{dilemma.id}", headers={**analyst.headers, "Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["subject", "week", "dilemma_id", "figure", "value", "suppressed", "reason"]
    answers_row = rows[0]
    assert answers_row["figure"] == "answers" and answers_row["value"] == ""
    assert answers_row["suppressed"] == "yes" and answers_row["reason"] == "too_few_answers"
    assert all(r["value"] == "" for r in rows if r["figure"].endswith(":count"))
    for path in ("/stats/weeks", "/stats/awareness", "/stats/grey-zones"):
        table = analyst.get(path, headers={**analyst.headers, "Accept": "text/csv"})
        assert table.status_code == 200 and table.get_data().decode("utf-8-sig").startswith("subject,week")


def test_grey_zones_entropy_and_easy_dilemmas(client, session, analyst):
    agreed, divided = bank(session)[0], bank(session)[1]
    schedule(session, agreed, "2026-W47")
    schedule(session, divided, "2026-W48")
    # 2,000 ratings each: the ratings' noise (scale 33 per level) leaves
    # their total shown with all but certainty (a 95 % error near 400).
    counted(session, agreed.id, "A" * 2000, difficulty=1)
    counted(session, divided.id, "AABBCCDD" * 250, difficulty=4)
    result = analyst.get("/stats/grey-zones").get_json()
    entropies = {c["chapter"]: c for c in result["chapters"]}
    agreed_chapters = {s.ref.split(".")[0] for s in agreed.current.sections}
    divided_chapters = {s.ref.split(".")[0] for s in divided.current.sections}
    for chapter in agreed_chapters - divided_chapters:
        assert entropies[chapter]["entropy"] < 0.15  # the noise spreads a unanimous answer a little
    for chapter in divided_chapters - agreed_chapters:
        assert entropies[chapter]["entropy"] > 0.95
    assert [e["dilemma_id"] for e in result["easy_dilemmas"]] == [agreed.id]


def test_a_year_with_a_known_trend_is_recovered(app, client, session, analyst):
    """52 weeks; the share of answers on aligned options rises from 20% to 80%."""
    candidates = []
    for dilemma in bank(session):
        marks = [o.alignment for o in dilemma.current.options]
        if 0 < marks.count("aligned") < 4:
            candidates.append((dilemma, "rijk"))
    for dilemma in bank(session, "douane"):
        marks = [o.alignment for o in dilemma.current.options]
        if 0 < marks.count("aligned") < 4:
            candidates.append((dilemma, "douane"))
    assert len(candidates) >= 52
    week = parse_now("2025-12-17T10:00:00+01:00")  # a Wednesday in 2025-W51

    first = None
    for index, (dilemma, owner) in enumerate(candidates[:52]):
        moment = week + timedelta(weeks=index)
        iso = str(week_of(moment, "Europe/Amsterdam"))
        first = first or iso
        schedule(session, dilemma, iso, owner)
        target = 0.2 + 0.6 * index / 51
        aligned = [o.key for o in dilemma.current.options if o.alignment == "aligned"]
        other = [o.key for o in dilemma.current.options if o.alignment != "aligned"]
        count = round(300 * target)
        options = list(itertools.islice(itertools.cycle(aligned), count)) + list(
            itertools.islice(itertools.cycle(other), 300 - count)
        )
        counted(session, dilemma.id, options, "douane")  # Customs people see both banks
    set_now(app, "2026-12-16T10:00:00+01:00")
    result = analyst.get(f"/stats/awareness?from={first}&to=2026-W51").get_json()
    expected = 0.6 / 51 * 13  # per quarter of 13 weeks
    busiest = max(result["chapters"], key=lambda c: len(c["weeks"]))
    assert len(busiest["weeks"]) >= 10
    assert busiest["trend_per_quarter"] == pytest.approx(expected, abs=0.02)
    for chapter in result["chapters"]:
        if len([w for w in chapter["weeks"] if not w["suppressed"]]) >= 6:
            assert chapter["trend_per_quarter"] == pytest.approx(expected, abs=0.04)
        assert all(w["suppressed"] or abs(w["answers"] - 300) <= 100 for w in chapter["weeks"])
    some = result["chapters"][0]["weeks"][0]
    assert 0 <= some["aligned_share"] <= 1
    assert analyst.get("/stats/awareness?category=nope").status_code == 409
    filtered = analyst.get(f"/stats/awareness?from={first}&to=2026-W51&category=geschenken").get_json()
    ids = {w["dilemma_id"] for c in filtered["chapters"] for w in c["weeks"]}
    assert ids and all(session.get(Dilemma, i).category.slug == "geschenken" for i in ids)


def test_every_role_reads_the_one_release_and_it_spends_the_budget_once(app, client, session):
    """What a phone, both analysts, the weeks and the CSV show of one edition
    comes from one stored release: the same figure everywhere, read as often
    as anyone likes, and the ledger charged once (ε = 1 per edition)."""
    from dilemmas.model.releases import PrivacyLedger
    from scoring import budget

    dilemma = schedule(session, bank(session)[0], "2026-W48")
    counted(session, dilemma.id, "ABCD" * 100)
    answer_all(session, people(session, 20, "douane"), dilemma.id, "D" * 20, "2026-11-24T10:00:00+01:00")
    phone, customs_phone = register(client), register(client, session, "douane")
    root = office(client, session, "analyst")
    seen = set()
    for _ in range(3):
        for who in (phone, customs_phone):
            seen.add(who.get(f"/dilemmas/{dilemma.id}/results").get_json()["scopes"][0]["total"])
        seen.add(root.get(f"/stats/dilemmas/{dilemma.id}").get_json()["spreads"][0]["total"])
    assert len(seen) == 1 and abs(seen.pop() - 420) <= 100
    customs = office(client, session, "analyst", "douane").get(f"/stats/dilemmas/{dilemma.id}").get_json()
    assert customs["spreads"][0]["suppressed"]  # 20 answers: the noise hides them, whoever asks
    assert root.get("/stats/weeks?from=2026-W48&to=2026-W48").get_json()[0]["answers"] is not None
    released = [row.release for row in session.query(PrivacyLedger).filter_by(dilemma_id=dilemma.id)]
    assert sorted(released) == ["close", "meetings"]  # the weeks' "as a team" reads the meetings release
    assert budget.spent(session, dilemma.id) <= budget.EDITION_EPSILON
