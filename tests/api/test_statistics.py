"""Statistics for the integrity office: participation, spreads, awareness,
grey zones; JSON and CSV; never a small group revealed."""

import csv
import io
import itertools
from datetime import timedelta

import pytest

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations
from dilemmas.model.content import Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.office.organisations import current_enrolment_code
from dilemmas.weeks import week_of
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


@pytest.fixture
def analyst(client, session):
    return office(client, session, "analyst")


def test_weeks_report_participation_with_suppressed_breakdowns(app, client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W49")
    rijk = people(session, 12)
    customs = people(session, 8, "douane")
    answer_all(session, rijk[:9], dilemma.id, "AABBCCDDA", "2026-12-02T10:00:00+01:00")
    answer_all(session, rijk[9:], dilemma.id, "AAA", "2026-12-02T10:00:00+01:00", modes=["colleague"] * 3)
    answer_all(session, customs[:7], dilemma.id, "BBBBCCD", "2026-12-03T10:00:00+01:00")
    answer_all(session, customs[7:], dilemma.id, "A", "2026-12-09T10:00:00+01:00")  # late: in W50
    rows = analyst.get("/stats/weeks?from=2026-W49&to=2026-W49").get_json()
    assert len(rows) == 1
    row = rows[0]
    # Only the 19 answers given during the week; the late one is shown nowhere.
    assert row["answers"] == 19 and row["closed"] is True
    assert "late" not in row
    # 3 in colleague mode is a small group: hidden, and alone is hidden with it (19 - 16 = 3).
    assert row["by_mode"] == {"alone": None, "colleague": None, "team": 0}
    assert row["by_organisation"] == {"douane": 7, "rijk": 12}
    assert row["active_installations"] == 20 and row["participation"] == 0.95
    table = analyst.get("/stats/weeks?from=2026-W49&to=2026-W49", headers={**analyst.headers, "Accept": "text/csv"})
    assert table.status_code == 200, table.get_data(as_text=True)
    figures = {r["figure"]: r for r in csv.DictReader(io.StringIO(table.get_data().decode("utf-8-sig")))}
    assert figures["answers"]["value"] == "19" and figures["organisation:douane"]["value"] == "7"
    assert figures["mode:colleague"]["suppressed"] == "yes" and figures["participation"]["value"] == "0.95"
    assert "late" not in figures
    customs_analyst = office(client, session, "analyst", "douane")
    theirs = customs_analyst.get("/stats/weeks?from=2026-W49&to=2026-W49").get_json()[0]
    assert theirs["answers"] == 7 and theirs["by_organisation"] is None and theirs["active_installations"] == 8


def test_an_open_week_shows_nothing_however_many_answered_and_the_closed_week_a_snapshot(app, client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    who = people(session, 36)
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
    assert closed_row["answers"] == 30 and closed_row["reason"] is None
    assert [o["count"] for o in closed_detail["spreads"][0]["options"]] == [10, 10, 5, 5]
    assert closed_detail["difficulty"]["ratings"] == 30 and closed_detail["difficulty"]["mean"] == 3
    # Late answers and ratings are counted apart and move no figure.
    answer_all(session, who[30:], dilemma.id, "DDDDDD", "2026-12-15T10:00:00+01:00", difficulty=5)
    assert analyst.get("/stats/weeks?from=2026-W50&to=2026-W50").get_json()[0] == closed_row
    assert analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json() == closed_detail


def test_dilemma_statistics_per_scope_mode_and_difficulty(client, session, analyst):
    dilemma = schedule(session, bank(session)[0], "2026-W48")
    rijk = people(session, 10)
    customs = people(session, 6, "douane")
    answer_all(session, rijk, dilemma.id, "AAAABBBCCD", "2026-11-24T10:00:00+01:00", difficulty=2)
    answer_all(
        session, customs, dilemma.id, "DDDDCC", "2026-11-24T10:00:00+01:00", modes=["colleague"] * 6, difficulty=4
    )
    result = analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json()
    everyone, douane = result["spreads"]
    assert everyone["total"] == 16 and [o["count"] for o in everyone["options"]] == [4, 3, 4, 5]
    assert sum(o["percent"] for o in everyone["options"]) == 100
    assert douane["name"] == "Douane Nederland" and [o["count"] for o in douane["options"]] == [0, 0, 2, 4]
    modes = {m["mode"]: m for m in result["by_mode"]}
    assert modes["alone"]["total"] == 10 and modes["colleague"]["total"] == 6 and modes["team"]["total"] is None
    assert result["difficulty"] == {
        "ratings": 16,
        "suppressed": False,
        "reason": None,
        "mean": 2.75,
        "histogram": {"1": 0, "2": 10, "3": 0, "4": 6, "5": 0},
    }
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
    who = people(session, 8)
    answer_all(session, who, agreed.id, "AAAAAAAA", "2026-11-17T10:00:00+01:00", difficulty=1)
    answer_all(session, who, divided.id, "AABBCCDD", "2026-11-24T10:00:00+01:00", difficulty=4)
    result = analyst.get("/stats/grey-zones").get_json()
    entropies = {c["chapter"]: c for c in result["chapters"]}
    agreed_chapters = {s.ref.split(".")[0] for s in agreed.current.sections}
    divided_chapters = {s.ref.split(".")[0] for s in divided.current.sections}
    for chapter in agreed_chapters - divided_chapters:
        assert entropies[chapter]["entropy"] == 0
    for chapter in divided_chapters - agreed_chapters:
        assert entropies[chapter]["entropy"] == 1
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
    who = people(session, 20, "douane")  # Customs people see both banks

    first = None
    for index, (dilemma, owner) in enumerate(candidates[:52]):
        moment = week + timedelta(weeks=index)
        iso = str(week_of(moment, "Europe/Amsterdam"))
        first = first or iso
        schedule(session, dilemma, iso, owner)
        target = 0.2 + 0.6 * index / 51
        aligned = [o.key for o in dilemma.current.options if o.alignment == "aligned"]
        other = [o.key for o in dilemma.current.options if o.alignment != "aligned"]
        count = round(20 * target)
        options = list(itertools.islice(itertools.cycle(aligned), count)) + list(
            itertools.islice(itertools.cycle(other), 20 - count)
        )
        answer_all(session, who, dilemma.id, options, moment.isoformat())
    set_now(app, "2026-12-16T10:00:00+01:00")
    result = analyst.get(f"/stats/awareness?from={first}&to=2026-W51").get_json()
    expected = 0.6 / 51 * 13  # per quarter of 13 weeks
    busiest = max(result["chapters"], key=lambda c: len(c["weeks"]))
    assert len(busiest["weeks"]) >= 10
    assert busiest["trend_per_quarter"] == pytest.approx(expected, abs=0.01)
    for chapter in result["chapters"]:
        if len([w for w in chapter["weeks"] if not w["suppressed"]]) >= 6:
            assert chapter["trend_per_quarter"] == pytest.approx(expected, abs=0.03)
        assert all(w["answers"] == 20 for w in chapter["weeks"])
    some = result["chapters"][0]["weeks"][0]
    assert 0 <= some["aligned_share"] <= 1
    assert analyst.get("/stats/awareness?category=nope").status_code == 409
    filtered = analyst.get(f"/stats/awareness?from={first}&to=2026-W51&category=geschenken").get_json()
    ids = {w["dilemma_id"] for c in filtered["chapters"] for w in c["weeks"]}
    assert ids and all(session.get(Dilemma, i).category.slug == "geschenken" for i in ids)


@pytest.mark.parametrize(
    ("rijk_options", "customs_options", "colleague"),
    [
        ("AAAAAB", "CCCCD", 0),  # 6 + 5: everyone shown, Customs shown
        ("AAB", "CCCCDDDD", 2),  # 3 outside Customs: Customs must hide
        ("AAAABBBBCC", "D", 4),  # one Customs answer
        ("AAAAABBBBBCCCCCDDDDDAAAAA", "BBBBB", 1),  # 30 answers, one in colleague mode
    ],
)
def test_no_response_or_pair_reveals_a_small_group(app, client, session, rijk_options, customs_options, colleague):
    """Collect every figure any role can see for one dilemma and check every
    figure and every difference of two nested figures."""
    dilemma = schedule(session, bank(session)[0], "2026-W48")
    rijk = people(session, len(rijk_options))
    customs = people(session, len(customs_options), "douane")
    modes = ["colleague"] * colleague + ["alone"] * len(rijk_options)
    answer_all(session, rijk, dilemma.id, rijk_options, "2026-11-24T10:00:00+01:00", modes=modes)
    answer_all(session, customs, dilemma.id, customs_options, "2026-11-24T10:00:00+01:00")
    groups = {
        "all": len(rijk_options) + len(customs_options),
        "douane": len(customs_options),
        "alone": len(rijk_options) - colleague + len(customs_options),
        "colleague": colleague,
    }
    shown = {}
    phone, customs_phone = register(client), register(client, session, "douane")
    for scope in phone.get(f"/dilemmas/{dilemma.id}/results").get_json()["scopes"]:
        shown.setdefault("all", set()).add(scope["total"])
    for scope in customs_phone.get(f"/dilemmas/{dilemma.id}/results").get_json()["scopes"]:
        shown.setdefault("all" if scope["scope"] == "all" else "douane", set()).add(scope["total"])
    root = office(client, session, "analyst").get(f"/stats/dilemmas/{dilemma.id}").get_json()
    shown.setdefault("all", set()).add(root["spreads"][0]["total"])
    shown.setdefault("douane", set()).add(root["spreads"][1]["total"])
    for mode in root["by_mode"]:
        if mode["mode"] != "team":
            shown.setdefault(mode["mode"], set()).add(mode["total"])
    customs_view = office(client, session, "analyst", "douane").get(f"/stats/dilemmas/{dilemma.id}").get_json()
    shown.setdefault("douane", set()).add(customs_view["spreads"][0]["total"])
    week = office(client, session, "analyst").get("/stats/weeks?from=2026-W48&to=2026-W48").get_json()[0]
    shown.setdefault("all", set()).add(week["answers"])
    if week["by_organisation"]:
        shown.setdefault("douane", set()).add(week["by_organisation"]["douane"])
    for mode in ("alone", "colleague"):
        if week["by_mode"]:
            shown.setdefault(mode, set()).add(week["by_mode"][mode])
    visible = {name: groups[name] for name, totals in shown.items() if totals - {None}}
    for name, total in visible.items():
        assert total == 0 or total >= 5, (name, total)
        assert shown[name] - {None} == {total}, (name, shown[name])  # never a wrong figure
    nested = [("all", "douane"), ("all", "alone"), ("all", "colleague")]
    for outer, inner in nested:
        if outer in visible and inner in visible:
            remainder = visible[outer] - visible[inner]
            assert remainder == 0 or remainder >= 5, (outer, inner, remainder)
