"""Predict, then reveal (issue 24): the answer body's optional
``prediction``, stored only inside the sealed answer, fixed with the first
answer, and shown to its owner beside the released spread."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dilemmas.counters import counts_of
from dilemmas.employee.answers import Sealed
from tests import counts
from tests.conftest import set_now
from tests.factories import bank, register, schedule

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
