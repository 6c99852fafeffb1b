"""The property behind every other rule: for random populations, teams,
answers, late answers and moments of reading, no linear combination of the
figures that one caller can get, over every endpoint and every moment,
isolates fewer than ANONYMITY_MIN_GROUP answers; and every figure shown is
exact.

Each figure shown (a spread, a count, a breakdown part, a rating histogram)
is the statistic of one group of answers. A caller who adds and subtracts
figures computes the statistic of the group whose indicator is the same sum
of the groups' indicators; it isolates a group when that sum is the 0/1
indicator of fewer than the minimum answers. The test tries every sum and
difference of up to four groups (the issue's A - B + C - D is four) and
requires that none isolates a small group. The caller here holds everything
at once: an installation in each organisation and an analyst token of each.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.platform.settings import parse_now
from dilemmas.employee import answers, installations, teams
from dilemmas.storage.database import make_engine, make_sessionmaker
from scoring import statistics
from scoring.results import results_for
from scoring.spreads import Thresholds
from tests.conftest import SECRET
from tests.factories import actor, bank, enrolment_code, schedule

MIN_GROUP = 5
RULES = Thresholds(MIN_GROUP)
KEY = SECRET.encode()
# Moments of 2026-W50 (open) and after it (closed), Amsterdam time.
OPEN_MOMENTS = [parse_now(t) for t in ("2026-12-07T10:00:00+01:00", "2026-12-09T12:00:00+01:00")]
CLOSED_MOMENTS = [parse_now(t) for t in ("2026-12-14T09:00:00+01:00", "2026-12-21T09:00:00+01:00")]
WEEK = "2026-W50"


@dataclass(frozen=True)
class Person:
    organisation: str  # rijk | douane
    option: str
    mode: str
    difficulty: int | None
    late: bool  # answers after the week
    team: int | None  # 0-2: the team they are in, if any
    changes_to: str | None  # changes the option while the week is open


people = st.lists(
    st.builds(
        Person,
        organisation=st.sampled_from(["rijk", "douane"]),
        option=st.sampled_from("ABCD"),
        mode=st.sampled_from(["alone", "colleague"]),
        difficulty=st.one_of(st.none(), st.integers(1, 5)),
        late=st.booleans(),
        team=st.one_of(st.none(), st.integers(0, 2)),
        changes_to=st.one_of(st.none(), st.sampled_from("ABCD")),
    ),
    max_size=22,
)


class Shown:
    """Every group behind a figure the caller saw, and the check that each
    figure is exact."""

    def __init__(self, everyone: list[Person]) -> None:
        self.everyone = everyone
        self.groups: set[frozenset[int]] = set()
        self.options: dict[int, str] = {}  # each person's answer as it stands

    def group(self, members) -> frozenset[int]:
        group = frozenset(members)
        self.groups.add(group)
        return group

    def spread(self, figure: dict, members: list[int]) -> None:
        if figure["suppressed"]:
            assert figure["options"] is None and figure["total"] is None
            return
        group = self.group(members)
        counts = {o["key"]: o["count"] for o in figure["options"]}
        assert figure["total"] == len(group)
        assert counts == {k: sum(1 for i in group if self.final(i) == k) for k in "ABCD"}

    def count(self, value: int | None, members: list[int]) -> None:
        if value is not None:
            assert value == len(self.group(members))

    def final(self, i: int) -> str:
        return self.options[i]

    def isolated(self, terms: int = 4) -> frozenset[int] | None:
        """The smallest nonempty group that a sum or difference of up to
        ``terms`` shown groups isolates, below the minimum; None if none."""
        groups = sorted(self.groups, key=sorted)
        found = None
        for size in range(1, terms + 1):
            for chosen in itertools.combinations(groups, size):
                for signs in itertools.product((1, -1), repeat=size - 1):
                    total: Counter = Counter()
                    for sign, group in zip((1, *signs), chosen, strict=True):
                        for i in group:
                            total[i] += sign
                    support = {i for i, n in total.items() if n}
                    values = {total[i] for i in support}
                    small = support and len(support) < MIN_GROUP and values in ({1}, {-1})
                    if small and (found is None or len(support) < len(found)):
                        found = frozenset(support)
        return found


def in_week(everyone: list[Person], organisation: str | None = None) -> list[int]:
    return [
        i for i, p in enumerate(everyone) if not p.late and (organisation is None or p.organisation == organisation)
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(everyone=people, order=st.randoms(use_true_random=False))
def test_no_linear_combination_isolates_a_small_group(templates, tmp_path_factory, everyone, order):
    url = templates.fresh("bundled", tmp_path_factory.mktemp("combinations"))
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            _check(session, everyone, order)
    finally:
        engine.dispose()
        templates.drop(url)


def _check(session, everyone: list[Person], order) -> None:
    dilemma = schedule(session, bank(session)[0], WEEK)
    codes = {"douane": enrolment_code(session, "douane")}
    register_at = parse_now("2026-12-01T09:00:00+01:00")
    phones = [
        installations.register(session, KEY, register_at, "ios", enrolment_code=codes.get(p.organisation))
        for p in everyone
    ]
    # Teams (within one organisation each, as the app allows): an answer
    # must never count for them, so no figure may follow their members.
    made = {}
    for i, person in enumerate(everyone):
        if person.team is not None:
            key = (person.organisation, person.team)
            if key not in made:
                made[key] = teams.create(session, phones[i].installation, f"Team {person.team}", OPEN_MOMENTS[0])
            else:
                teams.join(session, phones[i].installation, made[key].invite_code)

    readers = {
        "rijk": installations.register(session, KEY, register_at, "ios").token,
        "douane": installations.register(session, KEY, register_at, "ios", enrolment_code=codes["douane"]).token,
    }
    analysts = {slug: actor(session, "analyst", slug) for slug in ("rijk", "douane")}
    shown = Shown(everyone)

    def read(now) -> None:
        for token in readers.values():
            caller = installations.authenticate(session, KEY, token)
            if now >= CLOSED_MOMENTS[0]:
                results = results_for(session, caller, dilemma.id, now, RULES)
                for scope in results.scopes:
                    assert scope.scope in ("all", "organisation")  # never a team
                    members = in_week(everyone) if scope.scope == "all" else in_week(everyone, "douane")
                    shown.spread(vars(scope) | {"options": _options(scope.options)}, members)
        for slug, analyst in analysts.items():
            view = in_week(everyone) if slug == "rijk" else in_week(everyone, "douane")
            stats = statistics.dilemma(session, analyst, dilemma.id, now, RULES)
            for spread in stats["spreads"]:
                members = view if spread["name"] == analyst.organisation.name else in_week(everyone, "douane")
                shown.spread(spread, members)
            for part in stats["by_mode"]:
                shown.spread(part, [i for i in view if everyone[i].mode == part["mode"]])
            rated = [i for i in view if everyone[i].difficulty is not None]
            shown.count(stats["difficulty"]["ratings"], rated)
            for row in statistics.weeks(session, analyst, now, RULES):
                if row["dilemma_id"] != dilemma.id:
                    continue
                shown.count(row["answers"], view)
                for mode, value in (row["by_mode"] or {}).items():
                    shown.count(value, [i for i in view if everyone[i].mode == mode])
                for org, value in (row["by_organisation"] or {}).items():
                    shown.count(value, [i for i in view if everyone[i].organisation == org])
            while_open = now < CLOSED_MOMENTS[0]
            assert not while_open or all(s["suppressed"] for s in stats["spreads"])

    # Answers in a random order, read at random moments in between.
    steps = [("answer", i) for i in range(len(everyone))] + [("change", i) for i in range(len(everyone))]
    order.shuffle(steps)
    for moment in OPEN_MOMENTS:
        for kind, i in steps:
            person = everyone[i]
            if person.late:
                continue
            if kind == "answer" and i not in shown.options:
                answers.submit(
                    session, phones[i].installation, dilemma.id, person.option, moment, person.mode, person.difficulty
                )
                shown.options[i] = person.option
            elif kind == "change" and person.changes_to and i in shown.options:
                answers.submit(session, phones[i].installation, dilemma.id, person.changes_to, moment, person.mode)
                shown.options[i] = person.changes_to
        read(moment)
    # Late answers come in two waves, with a reading between them.
    for wave, moment in enumerate(CLOSED_MOMENTS):
        for i, person in enumerate(everyone):
            if person.late and i % 2 == wave:
                answers.submit(
                    session, phones[i].installation, dilemma.id, person.option, moment, person.mode, person.difficulty
                )
                shown.options[i] = person.option
        read(moment)

    isolated = shown.isolated()
    assert isolated is None, f"a combination isolates {sorted(isolated)}: {[everyone[i] for i in sorted(isolated)]}"


def _options(options) -> list[dict] | None:
    return None if options is None else [vars(o) for o in options]


def test_the_property_would_catch_a_live_spread():
    """The checker itself: two readings of one group around one answer give
    an atom of one."""
    everyone = [Person("rijk", "A", "alone", None, False, None, None)] * 10
    shown = Shown(everyone)
    shown.group(range(5))
    shown.group(range(6))
    assert shown.isolated() == {5}
    # and the four overlapping teams: A - B + C - D = x
    checker = Shown(everyone)
    x, w1, w2, y1, y2 = [0], [1, 2], [3, 4], [5, 6], [7, 8]
    for group in (x + w1 + w2, w1 + y1, y1 + y2, w2 + y2):
        checker.group(group)
    assert checker.isolated() == {0}
