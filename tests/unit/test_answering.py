"""The answer use case (``dilemmas.employee.answers``) without HTTP: what
``submit`` returns and what it leaves in the sealed answers and counters."""

import pytest
from sqlalchemy import select

from dilemmas.employee import answers, installations, teams
from dilemmas.errors import Conflict, Invalid, NotFound
from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION, Answer
from dilemmas.model.organisations import Organisation
from tests import counts
from tests.conftest import SECRET
from tests.factories import bank, installation, schedule
from tests.unit.conftest import NEXT_WEEK, NOW

KEY = SECRET.encode()


@pytest.fixture
def this_week(db):
    """Rijk's dilemma of 2026-W50, the week of NOW."""
    return schedule(db, bank(db)[0], "2026-W50")


def organisation_id(db, slug):
    return db.scalar(select(Organisation.id).where(Organisation.slug == slug))


def tallies(db, dilemma_id):
    """Every non-zero count of the dilemma: {(scope, scope_id, mode, late, option): count}."""
    return counts.option_counts(db, dilemma_id)


def difficulties(db, dilemma_id, late=False):
    """{(scope, scope_id, value): count} of ratings given while the week was
    open (``late``: after), non-zero only."""
    return counts.ratings(db, dilemma_id, late)


def answer_rows(db, dilemma_id):
    return db.scalars(select(Answer).where(Answer.dilemma_id == dilemma_id)).all()


def test_a_first_answer_counts_once_in_every_scope_it_belongs_to(db, this_week):
    customs = organisation_id(db, "douane")
    phone = installation(db, "douane")
    team = teams.create(db, phone, "Team Noord", NOW)

    submitted = answers.submit(db, phone, this_week.id, "B", NOW, difficulty=4)

    assert submitted.answer.option == "B" and submitted.answer.mode == "alone" and not submitted.answer.late
    assert submitted.placement.dilemma_id == this_week.id and str(submitted.placement.week) == "2026-W50"
    assert submitted.dilemma.current.id == this_week.current.id
    assert team.name == "Team Noord"
    # Everyone and Douane (Rijk, the root, is everyone); never the team.
    assert tallies(db, this_week.id) == {
        (SCOPE_ALL, 0, "alone", False, "B"): 1,
        (SCOPE_ORGANISATION, customs, "alone", False, "B"): 1,
    }
    [row] = answer_rows(db, this_week.id)
    # Nothing in the clear: no option, organisation, revision or day.
    assert {c.name for c in Answer.__table__.columns} == {"dilemma_id", "respondent_key", "sealed"}
    assert len(row.sealed) == 12 + 16 + 16  # nonce, fixed-length record, tag
    assert (submitted.answer.option, submitted.answer.organisation_id) == ("B", customs)
    assert answers.answers_of(db, phone, [this_week.id])[this_week.id] == submitted.answer


def test_repeating_the_same_answer_is_harmless(db, this_week):
    phone = installation(db)
    for _ in range(3):
        assert answers.submit(db, phone, this_week.id, "A", NOW, difficulty=3).answer.option == "A"
    assert tallies(db, this_week.id) == {(SCOPE_ALL, 0, "alone", False, "A"): 1}
    assert difficulties(db, this_week.id) == {(SCOPE_ALL, 0, 3): 1}
    assert len(answer_rows(db, this_week.id)) == 1


def test_another_option_while_the_week_is_open_moves_the_count(db, this_week):
    phone, other = installation(db, "douane"), installation(db, "douane")
    customs = organisation_id(db, "douane")
    answers.submit(db, other, this_week.id, "A", NOW)
    answers.submit(db, phone, this_week.id, "A", NOW)

    changed = answers.submit(db, phone, this_week.id, "C", NOW, mode="colleague")

    assert (changed.answer.option, changed.answer.mode) == ("C", "colleague")
    assert tallies(db, this_week.id) == {
        (SCOPE_ALL, 0, "alone", False, "A"): 1,
        (SCOPE_ORGANISATION, customs, "alone", False, "A"): 1,
        (SCOPE_ALL, 0, "colleague", False, "C"): 1,
        (SCOPE_ORGANISATION, customs, "colleague", False, "C"): 1,
    }
    assert answers.answers_of(db, phone, [this_week.id])[this_week.id].option == "C"
    assert answers.answers_of(db, other, [this_week.id])[this_week.id].option == "A"


def test_another_option_after_the_week_closed_is_a_conflict_and_changes_nothing(db, this_week):
    phone = installation(db)
    answers.submit(db, phone, this_week.id, "A", NOW)

    with pytest.raises(Conflict) as refused:
        answers.submit(db, phone, this_week.id, "B", NEXT_WEEK)
    db.rollback()

    assert refused.value.extra == {"answer": "A"}
    assert tallies(db, this_week.id) == {(SCOPE_ALL, 0, "alone", False, "A"): 1}
    assert answers.answers_of(db, phone, [this_week.id])[this_week.id].option == "A"
    # The same answer again stays harmless after the week, too.
    assert answers.submit(db, phone, this_week.id, "A", NEXT_WEEK).answer.option == "A"
    assert tallies(db, this_week.id) == {(SCOPE_ALL, 0, "alone", False, "A"): 1}


def test_a_first_answer_after_the_week_is_accepted_and_counted_as_late(db, this_week):
    early, late = installation(db), installation(db)
    answers.submit(db, early, this_week.id, "A", NOW)

    submitted = answers.submit(db, late, this_week.id, "D", NEXT_WEEK)

    assert submitted.answer.late is True and submitted.placement.closed(NEXT_WEEK)
    assert tallies(db, this_week.id) == {
        (SCOPE_ALL, 0, "alone", False, "A"): 1,
        (SCOPE_ALL, 0, "alone", True, "D"): 1,
    }
    assert answers.answers_of(db, early, [this_week.id])[this_week.id].late is False
    assert answers.answers_of(db, late, [this_week.id])[this_week.id].late is True


def test_difficulty_is_counted_and_re_rated_while_the_week_is_open(db, this_week):
    customs = organisation_id(db, "douane")
    phone = installation(db, "douane")
    answers.submit(db, phone, this_week.id, "A", NOW, difficulty=4)
    assert difficulties(db, this_week.id) == {(SCOPE_ALL, 0, 4): 1, (SCOPE_ORGANISATION, customs, 4): 1}

    rerated = answers.submit(db, phone, this_week.id, "A", NOW, difficulty=2)

    assert rerated.answer.difficulty == 2
    assert difficulties(db, this_week.id) == {(SCOPE_ALL, 0, 2): 1, (SCOPE_ORGANISATION, customs, 2): 1}
    assert tallies(db, this_week.id)[(SCOPE_ALL, 0, "alone", False, "A")] == 1  # the option's count stays
    # Once the week closed a new rating is ignored, not refused.
    assert answers.submit(db, phone, this_week.id, "A", NEXT_WEEK, difficulty=5).answer.difficulty == 2
    assert difficulties(db, this_week.id) == {(SCOPE_ALL, 0, 2): 1, (SCOPE_ORGANISATION, customs, 2): 1}


def test_a_late_rating_is_kept_apart(db, this_week):
    phone = installation(db)
    answers.submit(db, phone, this_week.id, "A", NEXT_WEEK, difficulty=5)
    assert difficulties(db, this_week.id) == {}
    assert difficulties(db, this_week.id, late=True) == {(SCOPE_ALL, 0, 5): 1}


def test_an_answer_never_counts_for_the_teams_of_the_one_who_gave_it(db, this_week):
    lead, member = installation(db), installation(db)
    north = teams.create(db, lead, "Noord", NOW)
    teams.join(db, member, north.invite_code)
    answers.submit(db, member, this_week.id, "A", NOW)
    answers.submit(db, member, this_week.id, "C", NOW)
    assert tallies(db, this_week.id) == {(SCOPE_ALL, 0, "alone", False, "C"): 1}


def test_erasing_the_installation_keeps_its_answers_counted(db, this_week):
    phone = installation(db)
    teams.create(db, phone, "Alleen ik", NOW)  # its only member: the team goes with the erasure
    answers.submit(db, phone, this_week.id, "B", NOW, difficulty=1)
    before = tallies(db, this_week.id)
    assert before == {(SCOPE_ALL, 0, "alone", False, "B"): 1}

    installations.erase(db, phone)

    assert tallies(db, this_week.id) == before
    assert difficulties(db, this_week.id) == {(SCOPE_ALL, 0, 1): 1}
    assert len(answer_rows(db, this_week.id)) == 1  # kept, and no one can open it any more


def test_answers_of_returns_only_the_installations_own_answers(db, this_week):
    older = schedule(db, bank(db)[1], "2026-W49")
    phone, other = installation(db), installation(db)
    answers.submit(db, phone, this_week.id, "B", NOW, mode="colleague", difficulty=5)
    answers.submit(db, phone, older.id, "D", NOW)
    answers.submit(db, other, this_week.id, "A", NOW)

    mine = answers.answers_of(db, phone, [this_week.id, older.id, bank(db)[2].id])

    assert {d: (r.option, r.mode, r.difficulty) for d, r in mine.items()} == {
        this_week.id: ("B", "colleague", 5),
        older.id: ("D", "alone", None),
    }
    assert {d: r.option for d, r in answers.answers_of(db, other, [this_week.id, older.id]).items()} == {
        this_week.id: "A"
    }
    assert answers.answers_of(db, phone, []) == {}
    # Another token finds nothing: the keys are derived from it.
    stranger = installations.authenticate(db, KEY, installations.register(db, KEY, NOW, "ios").token)
    assert answers.answers_of(db, stranger, [this_week.id, older.id]) == {}


def test_an_unknown_option_or_an_invisible_dilemma_writes_nothing(db, this_week):
    next_week = schedule(db, bank(db)[1], "2026-W51")
    phone = installation(db)
    with pytest.raises(Invalid) as invalid:
        answers.submit(db, phone, this_week.id, "E", NOW)
    assert list(invalid.value.errors) == ["option"]
    with pytest.raises(NotFound):
        answers.submit(db, phone, next_week.id, "A", NOW)
    db.rollback()
    assert answer_rows(db, this_week.id) == [] and answer_rows(db, next_week.id) == []
    assert tallies(db, this_week.id) == {} and tallies(db, next_week.id) == {}


def test_the_live_counter_counts_each_first_answer_on_its_day_once(db, this_week):
    """Wednesday is day 2 of the week; a change moves the spread's counts
    but not the live counter's (it counts first answers only); a late first
    answer is not in it."""
    from dilemmas.counters import counts_of

    phone, other = installation(db), installation(db)
    answers.submit(db, phone, this_week.id, "A", NOW)
    answers.submit(db, phone, this_week.id, "B", NOW)
    answers.submit(db, other, this_week.id, "C", NEXT_WEEK)
    assert counts_of(db, counts.KEY, [this_week.id])[this_week.id].first_answers() == {(2, "A"): 1}
