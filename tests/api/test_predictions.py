"""Predict, then reveal (issue 24): the answer body's optional
``prediction``, stored only inside the sealed answer, fixed with the first
answer, and shown to its owner beside the released spread."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, text

from dilemmas import counters
from dilemmas.counters import counts_of
from dilemmas.employee.answers import Sealed
from dilemmas.model.answers import SCOPE_ALL
from dilemmas.model.releases import PrivacyLedger
from dilemmas.reads.content import content_of
from scoring import budget, misperception
from tests import counts
from tests.conftest import set_now
from tests.factories import bank, office, register, schedule

GUESS = {"A": 30, "B": 40, "C": 20, "D": 10}
NEXT_MONDAY = "2026-12-14T10:00:00+01:00"


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


@pytest.mark.parametrize(
    ("prediction", "field"),
    [
        ({"A": 30, "B": 40, "C": 20, "D": 9}, "prediction"),  # adds up to 99
        ({"A": 30, "B": 40, "C": 20, "D": 10, "E": 0}, "prediction.E"),  # no option E
        ({"A": 30, "B": 40, "C": 20}, "prediction.D"),  # an option missing
        ({"A": 110, "B": 10, "C": -20, "D": 0}, "prediction.A"),  # negative, and above 100
        ({"A": 30.5, "B": 39.5, "C": 20, "D": 10}, "prediction.A"),  # not whole
        ({"A": "30", "B": 40, "C": 20, "D": 10}, "prediction.A"),  # not a number
        ({"A": True, "B": 40, "C": 50, "D": 10}, "prediction.A"),  # not a number either
        ([30, 40, 20, 10], "prediction._body"),  # not an object
    ],
)
def test_a_prediction_that_is_not_whole_percentages_of_the_options_adding_up_to_100_is_a_422(
    client, session, this_week, prediction, field
):
    phone = register(client)
    refused = phone.answer(this_week.id, "B", prediction=prediction)
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert field in body["errors"] and all(body["errors"][field]), body
    # Nothing was stored: the refused answer can be given properly.
    assert counts.option_counts(session, this_week.id) == {}
    assert phone.answer(this_week.id, "B", prediction=GUESS).status_code == 200


def test_the_sum_message_is_in_the_installation_language(client, session, this_week):
    phone = register(client)
    nl = phone.answer(this_week.id, "B", prediction={"A": 30, "B": 40, "C": 20, "D": 9}).get_json()
    assert nl["errors"]["prediction"] == ["De percentages tellen op tot 99; samen moeten ze precies 100 zijn."]
    assert phone.patch("/installations/me", json={"locale": "en"}).status_code == 200
    en = phone.answer(this_week.id, "B", prediction={"A": 30, "B": 40, "C": 20, "D": 11}).get_json()
    assert en["errors"]["prediction"] == ["The percentages add up to 101; together they must make exactly 100."]


def test_a_prediction_whole_in_a_float_is_accepted(client, session, this_week):
    response = register(client).answer(this_week.id, "C", prediction={"A": 30.0, "B": 40, "C": 20, "D": 10})
    assert response.status_code == 200 and response.get_json()["prediction"] == GUESS


def test_the_prediction_round_trips_sealed_and_is_nowhere_in_clear(client, session, this_week, database_url):
    phone = register(client)
    answered = phone.answer(this_week.id, "B", difficulty=3, prediction=GUESS)
    assert answered.status_code == 200 and answered.get_json()["prediction"] == GUESS
    assert phone.get(f"/dilemmas/{this_week.id}/results").get_json()["prediction"] == GUESS
    # Only the owner's token opens it.
    [opened] = counts.opened(session, this_week.id, [phone.token])
    assert opened.prediction == (30, 40, 20, 10) and opened.option == "B"
    # The thief's view: every column of every row of every table, as stored.
    # The sealed record keeps its length (a prediction adds no byte), and no
    # cell holds the four percentages in a row, as bytes or as text.
    row = session.execute(text("SELECT * FROM answers")).one()
    columns = dict(row._mapping)
    assert set(columns) == {"dilemma_id", "respondent_key", "sealed"}
    other = register(client)
    other.answer(this_week.id, "B", difficulty=3)
    lengths = {len(r.sealed) for r in session.execute(text("SELECT sealed FROM answers"))}
    assert len(lengths) == 1
    needles = [bytes([30, 40, 20, 10]), b"30,40,20,10", b'"A": 30', b'"A":30']
    tables = [t for (t,) in session.execute(text(_TABLES[session.get_bind().dialect.name]))]
    for table in tables:
        for stored in session.execute(text(f'SELECT * FROM "{table}"')):
            for value in stored:
                raw = value if isinstance(value, bytes) else str(value).encode()
                assert not any(needle in raw for needle in needles), (table, value)


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


def test_the_prediction_is_fixed_with_the_first_answer(client, session, this_week):
    phone = register(client)
    assert phone.answer(this_week.id, "B", prediction=GUESS).status_code == 200
    # Changing the option without a prediction, or with the same one, keeps it.
    changed = phone.answer(this_week.id, "C")
    assert changed.status_code == 200 and changed.get_json()["prediction"] == GUESS
    assert phone.answer(this_week.id, "A", prediction=GUESS).get_json()["prediction"] == GUESS
    # Another one, after the answer's response showed the live figure, is refused.
    refused = phone.answer(this_week.id, "A", prediction={"A": 25, "B": 25, "C": 25, "D": 25})
    assert refused.status_code == 409 and refused.get_json()["type"] == "/problems/prediction-fixed"
    assert phone.get(f"/dilemmas/{this_week.id}/results").get_json()["prediction"] == GUESS
    # One who answered without a prediction cannot add one after seeing the figure.
    late_guess = register(client)
    late_guess.answer(this_week.id, "D")
    assert late_guess.answer(this_week.id, "D", prediction=GUESS).status_code == 409
    assert late_guess.get(f"/dilemmas/{this_week.id}/results").get_json()["prediction"] is None


def test_predictions_are_counted_as_sums_per_option_in_the_sealed_counters(client, session, this_week):
    guesses = [GUESS, {"A": 0, "B": 0, "C": 0, "D": 100}, None]
    for option, guess in zip("ABC", guesses, strict=True):
        extra = {"prediction": guess} if guess else {}
        assert register(client).answer(this_week.id, option, **extra).status_code == 200
    found = counts_of(session, counts.KEY, [this_week.id])[this_week.id].predicted()
    # Each prediction adds exactly 100: the number of predictions is the total / 100.
    assert found == {"A": 30, "B": 40, "C": 20, "D": 110}
    assert sum(found.values()) == 200


def test_after_the_close_the_results_show_the_prediction_beside_the_released_spread(app, client, session, this_week):
    phone = register(client)
    phone.answer(this_week.id, "B", prediction=GUESS)
    for i in range(200):
        register(client).answer(this_week.id, "AABC"[i % 4], prediction={"A": 50, "B": 20, "C": 20, "D": 10})
    set_now(app, NEXT_MONDAY)
    results = phone.get(f"/dilemmas/{this_week.id}/results").get_json()
    assert results["closed"] and results["my_answer"] == "B" and results["prediction"] == GUESS
    everyone = results["scopes"][0]
    assert everyone["frozen"] and not everyone["suppressed"]
    # The released spread is there to compare the prediction with: 50/25/25/0 % within its margin.
    truth = {"A": 50, "B": 25.5, "C": 24.5, "D": 0}
    assert all(abs(o["percent"] - truth[o["key"]]) <= 3 * everyone["margin"] for o in everyone["options"])
    # A colleague who gave no prediction sees none; one who has not answered neither.
    assert register(client).get(f"/dilemmas/{this_week.id}/results").get_json()["prediction"] is None


def test_a_late_prediction_is_kept_for_its_owner_but_never_counted(app, client, session, this_week):
    set_now(app, NEXT_MONDAY)
    late = register(client)
    answered = late.answer(this_week.id, "A", prediction=GUESS)
    assert answered.status_code == 200 and answered.get_json()["prediction"] == GUESS
    assert counts_of(session, counts.KEY, [this_week.id])[this_week.id].predicted() == {}


def test_an_old_record_without_a_prediction_still_opens():
    # Records sealed before predictions had zeros where the prediction goes.
    old = bytes([1, 1, 0, 3, 0]) + (7).to_bytes(4, "big") + bytes(7)
    assert Sealed.unpack(old) == Sealed("B", "alone", 3, 7, False, None)
    assert len(Sealed("B", "alone", 3, 7, False, (30, 40, 20, 10)).pack()) == len(old)


# ------------------------------------------------------------ misperception

TRUE_SPREAD = {"A": 1500, "B": 750, "C": 450, "D": 300}  # 3000 answers: 50/25/15/10 %
PREDICTED = {"A": 30, "B": 30, "C": 20, "D": 20}  # what each of the 3000 expected


def known_population(session, dilemma_id: int) -> None:
    """3000 on-time answers with their predictions, put into the sealed
    counters as ``answers.submit`` counts them (one delta per answer would
    take minutes; the figures are under test, not answering)."""
    deltas = {}
    for option, n in TRUE_SPREAD.items():
        deltas[(counters.OPTION, SCOPE_ALL, 0, "alone", 0, option)] = n
    for option, share in PREDICTED.items():
        deltas[(counters.PREDICTED, option)] = share * sum(TRUE_SPREAD.values())
    counters.change(session, counts.KEY, dilemma_id, deltas.items())
    session.commit()


def truth(session, dilemma_id: int, group: str) -> tuple[float, float]:
    members = {o.key for o in content_of(session, dilemma_id).current.options if o.alignment == group}
    total = sum(TRUE_SPREAD.values())
    predicted = sum(PREDICTED[k] for k in members)
    real = 100 * sum(TRUE_SPREAD[k] for k in members) / total
    return predicted, real


def test_misperception_of_a_known_population_lies_within_its_margin(app, client, session, this_week):
    analyst = office(client, session, "analyst")
    known_population(session, this_week.id)
    # Two more through the app, one with a prediction: the real path feeds the same counters.
    register(client).answer(this_week.id, "A", prediction=PREDICTED)
    register(client).answer(this_week.id, "B")
    open_week = analyst.get("/stats/misperception?from=2026-W50&to=2026-W50").get_json()
    [row] = open_week["dilemmas"]
    assert row["closed"] is False and row["predictions"] is None
    assert row["aligned"]["reason"] == "week_open" and row["aligned"]["misperception"] is None
    assert open_week["chapters"] == []

    set_now(app, NEXT_MONDAY)
    result = analyst.get("/stats/misperception?from=2026-W50&to=2026-W50").get_json()
    [row] = result["dilemmas"]
    assert row["closed"] and row["chapter"] == content_of(session, this_week.id).current.sections[0].ref.split(".")[0]
    # 3001 predictions: the total of the sums / 100, noise of scale 3333 per sum.
    assert abs(row["predictions"] - 3001) <= 3 * 200
    for group in ("aligned", "conflicts"):
        figure = row[group]
        predicted, real = truth(session, this_week.id, group)
        assert not figure["suppressed"] and 0 < figure["margin"] <= 10, figure
        # 95 % within one margin; three make a false alarm negligible and still catch a wrong sign or scale.
        assert abs(figure["misperception"] - (predicted - real)) <= 3 * figure["margin"], (group, figure)
        assert abs(figure["predicted"] - predicted) <= 3 * figure["margin"]
        assert abs(figure["real"] - real) <= 3 * figure["margin"]
        assert figure["misperception"] == pytest.approx(figure["predicted"] - figure["real"], abs=0.11)
    # One dilemma in its chapter: the chapter's pooled figure is the dilemma's.
    [chapter] = result["chapters"]
    assert chapter["chapter"] == row["chapter"] and chapter["dilemmas"] == 1
    assert {g: chapter[g] for g in ("aligned", "conflicts")} == {g: row[g] for g in ("aligned", "conflicts")}
    # Read again: the same stored figures, and one predictions release in the ledger.
    assert analyst.get("/stats/misperception?from=2026-W50&to=2026-W50").get_json() == result
    ledger = session.execute(select(PrivacyLedger.release, PrivacyLedger.epsilon)).all()
    assert (misperception.PREDICTIONS, budget.PREDICTIONS_EPSILON) in ledger
    table = analyst.get(
        "/stats/misperception?from=2026-W50&to=2026-W50", headers={"Accept": "text/csv"}
    ).get_data().decode("utf-8-sig")
    figures = {(r["subject"], r["figure"]): r for r in csv.DictReader(io.StringIO(table))}
    title = row["title"]
    assert figures[(title, "aligned:misperception")]["value"] == str(row["aligned"]["misperception"])
    assert figures[(f"chapter {row['chapter']}", "conflicts:margin")]["value"] == str(chapter["conflicts"]["margin"])


def test_a_small_population_misperception_is_suppressed(app, client, session, this_week):
    analyst = office(client, session, "analyst")
    for i in range(20):
        register(client).answer(this_week.id, "ABCD"[i % 4], prediction=PREDICTED)
    set_now(app, NEXT_MONDAY)
    [row] = analyst.get("/stats/misperception?from=2026-W50&to=2026-W50").get_json()["dilemmas"]
    assert row["predictions"] is None
    assert all(row[g]["suppressed"] and row[g]["reason"] == "too_few_answers" for g in ("aligned", "conflicts"))


def test_the_misperception_needs_an_analyst(client, session):
    author = office(client, session, "author")
    assert author.get("/stats/misperception").status_code == 403


def test_the_console_page_shows_the_chart_and_its_table(app, client, session, this_week):
    from tests.api.test_console import sign_in

    known_population(session, this_week.id)
    set_now(app, NEXT_MONDAY)
    expected = office(client, session, "analyst").get("/stats/misperception?from=2026-W50&to=2026-W50").get_json()
    sign_in(client, office(client, session, "analyst", name="Analist console").token)
    page = client.get("/office/statistics/misperception?from=2026-W50&to=2026-W50")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Inschatting en werkelijkheid" in html
    assert 'id="chart-misperception-aligned"' in html and 'id="chart-misperception-conflicts"' in html
    [chapter] = expected["chapters"]
    for group in ("aligned", "conflicts"):
        assert f"{chapter[group]['misperception']:+.1f}" in html and f"± {chapter[group]['margin']}" in html
    download = client.get("/office/statistics/misperception.csv?from=2026-W50&to=2026-W50")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert rows == [
        {k: v or "" for k, v in r.items()}
        for r in csv.DictReader(
            io.StringIO(
                office(client, session, "analyst")
                .get("/stats/misperception?from=2026-W50&to=2026-W50", headers={"Accept": "text/csv"})
                .get_data()
                .decode("utf-8-sig")
            )
        )
    ]


def test_a_chapter_pools_its_dilemmas_and_the_rows_come_newest_first(app, client, session):
    def chapter_of(dilemma):
        return content_of(session, dilemma.id).current.sections[0].ref.split(".")[0]

    dilemmas = bank(session)
    first = dilemmas[0]
    second = next(d for d in dilemmas[1:] if chapter_of(d) == chapter_of(first))
    other = next(d for d in dilemmas[1:] if chapter_of(d) != chapter_of(first))
    for dilemma, week in ((first, "2026-W48"), (second, "2026-W49"), (other, "2026-W50")):
        schedule(session, dilemma, week)
        known_population(session, dilemma.id)
    set_now(app, NEXT_MONDAY)
    result = office(client, session, "analyst").get("/stats/misperception?from=2026-W48&to=2026-W50").get_json()
    assert [row["dilemma_id"] for row in result["dilemmas"]] == [other.id, second.id, first.id]
    pooled = next(c for c in result["chapters"] if c["chapter"] == chapter_of(first))
    assert pooled["dilemmas"] == 2 and abs(pooled["predictions"] - 6000) <= 3 * 300
    for group in ("aligned", "conflicts"):
        parts = [truth(session, d.id, group) for d in (first, second)]
        # Every dilemma has 3000 answers and 3000 predictions: the pooled shares are the means.
        exact = sum(p - r for p, r in parts) / 2
        figure = pooled[group]
        assert not figure["suppressed"] and abs(figure["misperception"] - exact) <= 3 * figure["margin"], figure
        single = [row[group]["margin"] for row in result["dilemmas"] if row["dilemma_id"] in (first.id, second.id)]
        assert figure["margin"] <= min(single), "pooling two dilemmas narrows the margin"
