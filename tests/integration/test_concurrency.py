"""Races on a real database: several connections at once, as several
server processes would have."""

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations
from dilemmas.errors import Conflict
from dilemmas.model.answers import SCOPE_ALL, SCOPE_ORGANISATION, Answer
from dilemmas.model.audit import AuditEntry
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.calendar import begin_week
from dilemmas.office.organisations import current_enrolment_code
from dilemmas.storage.database import make_engine, make_sessionmaker
from tests import counts
from tests.conftest import SECRET
from tests.factories import bank, schedule

SECRET_KEY = SECRET.encode()
MONDAY = parse_now("2026-12-07T00:00:01+01:00")


def race(count, work):
    """Run ``work(i)`` in ``count`` threads that start at the same moment;
    return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(i):
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Exception as error:  # collected and inspected by the test
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url, pool_size=10, max_overflow=10)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_two_processes_beginning_the_week_schedule_one_dilemma_once(sessions, session):
    def begin(_):
        with sessions() as own:
            entry = begin_week(own, MONDAY)
            return entry.dilemma_id if entry else None

    outcomes = race(6, begin)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    winners = [o for o in outcomes if o is not None]
    assert len(winners) == 1
    entries = session.scalars(select(ScheduledWeek).where(ScheduledWeek.week == "2026-W50")).all()
    assert [e.dilemma_id for e in entries] == winners
    audits = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "schedule.automatic")
    )
    assert audits == 1


def new_installation(sessions, organisation="rijk"):
    """The registration's bearer token: as a request, the only way back to the
    installation's keys (an installation read from the database has none)."""
    with sessions() as own:
        code = None
        if organisation != "rijk":
            org = own.scalar(select(Organisation).where(Organisation.slug == organisation))
            code = current_enrolment_code(own, org, MONDAY)
        token = installations.register(own, SECRET_KEY, MONDAY, "ios", enrolment_code=code).token
        TOKENS.append(token)
        return token


def submit(sessions, token, dilemma_id, option, now=MONDAY, mode="alone"):
    with sessions() as own:
        caller = installations.authenticate(own, SECRET_KEY, token)
        return answers.submit(own, caller, dilemma_id, option, now, mode=mode).answer.option


def erase(sessions, token):
    with sessions() as own:
        caller = installations.authenticate(own, SECRET_KEY, token)
        installations.erase(own, installations.installation_of(own, caller))


def tallies_by_option(session, dilemma_id, scope=SCOPE_ALL, scope_id=0, late=None):
    return counts.per_option(session, dilemma_id, scope, scope_id, late)


# Every token this module made: the sealed rows open only with them.
TOKENS: list[str] = []


def answers_by_option(session, dilemma_id, organisation_id=None, late=None):
    return counts.by_option(counts.opened(session, dilemma_id, TOKENS), organisation_id, late)


def test_concurrent_identical_first_answers_count_once(sessions, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    installation = new_installation(sessions)
    outcomes = race(12, lambda _: submit(sessions, installation, dilemma.id, "B"))
    assert outcomes == ["B"] * 12
    assert tallies_by_option(session, dilemma.id) == {"B": 1}
    assert session.scalar(select(func.count()).select_from(Answer)) == 1


def test_concurrent_changes_from_one_installation_keep_exact_tallies(sessions, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    installation = new_installation(sessions)
    outcomes = race(12, lambda i: submit(sessions, installation, dilemma.id, "ABCD"[i % 4]))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    [stored] = counts.opened(session, dilemma.id, [installation])
    assert tallies_by_option(session, dilemma.id) == {stored.option: 1}


def test_concurrent_answers_of_many_installations_all_count(sessions, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    people = [new_installation(sessions) for _ in range(16)]
    race(16, lambda i: submit(sessions, people[i], dilemma.id, "ABCD"[i % 4]))
    assert tallies_by_option(session, dilemma.id) == {"A": 4, "B": 4, "C": 4, "D": 4}


@pytest.mark.parametrize("seed", [1, 2])
def test_tallies_equal_the_answers_after_many_random_operations(sessions, session, seed):
    rng = random.Random(seed)
    dilemmas = [
        schedule(session, d, w) for d, w in zip(bank(session)[:3], ("2026-W49", "2026-W50", "2026-W51"), strict=True)
    ]
    customs_id = session.scalar(select(Organisation.id).where(Organisation.slug == "douane"))
    people = [new_installation(sessions, rng.choice(["rijk", "douane"])) for _ in range(12)]
    moments = [parse_now(t) for t in ("2026-12-09T12:00:00+01:00", "2026-12-16T12:00:00+01:00")]
    expected_conflicts = 0
    for _step in range(250):
        action = rng.random()
        if action < 0.08 and people:
            erase(sessions, people.pop(rng.randrange(len(people))))
            continue
        if action < 0.14:
            people.append(new_installation(sessions, rng.choice(["rijk", "douane"])))
            continue
        if not people:
            continue
        now = rng.choice(moments)
        dilemma = rng.choice(dilemmas[:2] if now == moments[0] else dilemmas)
        try:
            submit(
                sessions, rng.choice(people), dilemma.id, rng.choice("ABCD"), now, rng.choice(["alone", "colleague"])
            )
        except Conflict:
            expected_conflicts += 1
    for dilemma in dilemmas:
        assert tallies_by_option(session, dilemma.id) == answers_by_option(session, dilemma.id)
        assert tallies_by_option(session, dilemma.id, SCOPE_ORGANISATION, customs_id) == answers_by_option(
            session, dilemma.id, customs_id
        )
        for late in (False, True):  # late answers are counted, apart
            assert tallies_by_option(session, dilemma.id, late=late) == answers_by_option(
                session, dilemma.id, late=late
            )
    # Answers never count for a team.
    assert not any(key[0] == "team" for key in counts.option_counts(session, dilemma.id))
    late = Counter(a.late for d in dilemmas for a in counts.opened(session, d.id, TOKENS))
    assert late[True] > 0 and late[False] > 0  # the run covered both
    assert expected_conflicts > 0


def test_two_publishers_running_a_dilemma_again_at_once_make_one_edition(sessions, session):
    from dilemmas.model.content import Dilemma
    from dilemmas.office.editions import run_again
    from dilemmas.weeks import Week
    from tests.factories import actor

    first = schedule(session, bank(session)[0], "2026-W50")
    publishers = [actor(session, "publisher", name=f"Planner {i}") for i in range(4)]
    later = parse_now("2026-12-15T10:00:00+01:00")

    def again(i):
        with sessions() as own:
            return run_again(own, publishers[i], later, first.id, Week(2027, 30 + i)).id

    outcomes = race(4, again)
    made = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(made) == 1 and len(refused) == 3, outcomes
    assert all(error.cause == "edition-refused" for error in refused)
    editions = session.scalars(select(Dilemma.id).where(Dilemma.previous_edition_id == first.id)).all()
    assert editions == made
