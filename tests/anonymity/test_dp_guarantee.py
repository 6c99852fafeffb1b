"""The differential-privacy guarantee, tested statistically on the real
mechanism (docs/anonymity.md, mechanism 2), and the stored noise.

How the statistical tests are sized
-----------------------------------
Two neighbouring datasets D and D' differ by one installation's whole
contribution to an edition. For a release of discrete Laplace cells, the
privacy loss of an outcome is the sum over the cells where D and D' differ
(true count c in D, c + 1 in D') of +1/b when the noisy value is at least
c + 1 and -1/b otherwise. The event S = "every differing cell is at least
its D' count" is therefore the worst event: with r = exp(-1/b) per cell,

    p1 = P_D(S)  = prod r / (1 + r),    p2 = P_D'(S) = prod 1 / (1 + r),

and p2 / p1 = exp(sum 1/b) = e^eps exactly. A mechanism with twice the
stated eps (every scale halved) has q2 / q1 = e^(2 eps) on the same event.

OpenDP's samplers cannot be seeded, so the test is sized so that chance
alone almost never decides it. It draws n outcomes on D and n on D' and
passes when  p2^ <= e^(1.5 eps) * p1^  (the geometric middle between the
two ratios). It can only fail a correct mechanism when p2^ >= p2 e^(eps/4)
or p1^ <= p1 e^(-eps/4), and only pass the 2-eps mechanism when
p2^ <= q2 e^(-eps/4) or p1^ >= q1 e^(eps/4). Each of these four binomial
tails is at most exp(-n KL(a || p)) (Chernoff; KL the Kullback-Leibler
divergence of Bernoulli distributions, a the threshold, p the true
probability), so n is chosen such that each is below 2.5e-7: the false
alarm probability is below 5e-7 < 1e-6, and so is the probability that
a mechanism with twice the stated eps passes. ``sample_size`` does the
computation; each test asserts the bounds it relies on.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.platform.settings import parse_now
from dilemmas.counters import Counts, counter_key, counts_of
from dilemmas.employee import answers, installations
from dilemmas.model.releases import PrivacyLedger, ReleasedCell
from dilemmas.reads.placements import placement_of
from dilemmas.storage.database import make_engine, make_sessionmaker
from scoring import budget, meetings, misperception, releases
from scoring.results import results_for
from scoring.spreads import Thresholds
from tests.conftest import SECRET
from tests.factories import bank, enrolment_code, schedule

TAIL = 2.5e-7
KEY = counter_key(SECRET.encode())
RULES = Thresholds(counter_key=KEY)
WEDNESDAY = parse_now("2026-12-09T12:00:00+01:00")
NEXT_MONDAY = parse_now("2026-12-14T09:00:00+01:00")


def kl(a: float, p: float) -> float:
    """KL divergence of Bernoulli(a) from Bernoulli(p)."""
    if a <= 0:
        return -math.log(1 - p)
    if a >= 1:
        return -math.log(p)
    return a * math.log(a / p) + (1 - a) * math.log((1 - a) / (1 - p))


def event_probabilities(scales: list[float]) -> tuple[float, float]:
    """(P_D(S), P_D'(S)) for differing cells of these discrete Laplace scales."""
    p1 = p2 = 1.0
    for b in scales:
        r = math.exp(-1 / b)
        p1 *= r / (1 + r)
        p2 *= 1 / (1 + r)
    return p1, p2


def sample_size(scales: list[float]) -> tuple[int, float]:
    """The n that keeps all four tails below TAIL, and the stated eps."""
    eps = sum(1 / b for b in scales)
    p1, p2 = event_probabilities(scales)
    q1, q2 = event_probabilities([b / 2 for b in scales])
    step = math.exp(eps / 4)
    divergences = []
    for threshold, truth in ((p2 * step, p2), (p1 / step, p1), (q2 / step, q2), (q1 * step, q1)):
        divergences.append(math.inf if threshold >= 1 else kl(threshold, truth))
    return math.ceil(math.log(1 / TAIL) / min(divergences)), eps


def frequency(counts: list[int], scales: list[float], n: int, plus: int) -> float:
    """How often the real sampler puts every cell at or above its D' count
    (``plus`` = 0: cells hold the counts of D; 1: of D')."""
    hit = [True] * n
    for count, scale in zip(counts, scales, strict=True):
        noisy = releases.add_noise([count + plus] * n, scale)
        hit = [h and x >= count + 1 for h, x in zip(hit, noisy, strict=True)]
    return sum(hit) / n


def assert_within(counts: list[int], scales: list[float], stated: float) -> None:
    n, eps = sample_size(scales)
    assert eps == pytest.approx(stated)
    assert n <= 400_000, "the test would take too long"
    # The bounds the decision relies on hold for these sizes.
    p1, p2 = event_probabilities(scales)
    assert p2 / p1 == pytest.approx(math.exp(eps))
    without = frequency(counts, scales, n, 0)
    with_one = frequency(counts, scales, n, 1)
    assert with_one <= math.exp(1.5 * eps) * without, (n, without, with_one)


def test_the_decision_would_fail_a_mechanism_with_twice_the_epsilon():
    """The same decision on the 2-eps mechanism (halved scales) fails: the
    test can tell the two apart, not just pass."""
    scales = [budget.LIVE_SCALE] * budget.LIVE_LEVELS
    n, eps = sample_size(scales)
    halved = [b / 2 for b in scales]
    without = frequency([10] * len(scales), halved, n, 0)
    with_one = frequency([10] * len(scales), halved, n, 1)
    assert with_one > math.exp(1.5 * eps) * without


def test_the_live_counter_is_within_its_epsilon():
    """One first answer on any day lies in at most one released node per
    level; the whole live series of one edition costs LIVE_EPSILON."""
    released = {node for day in range(1, budget.LIVE_POINTS + 1) for node in releases.prefix_nodes(day)}
    worst: list[tuple[int, int]] = []
    for day in range(budget.LIVE_DAYS):
        holding = [node for node in released if node[0] <= day < node[1]]
        assert len({end - start for start, end in holding}) == len(holding)  # one per level
        worst = max(worst, holding, key=len)
    assert len(worst) == budget.LIVE_LEVELS
    assert_within([3, 17, 40][: len(worst)], [budget.LIVE_SCALE] * len(worst), budget.LIVE_EPSILON)


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def register(db, organisation="rijk"):
    code = enrolment_code(db, organisation) if organisation != "rijk" else None
    return installations.register(
        db, SECRET.encode(), parse_now("2026-12-01T09:00:00+01:00"), "android", enrolment_code=code
    ).installation


def test_the_release_after_the_close_is_within_its_epsilon(db):
    """D: a few colleagues answered; D': one more installation of Douane
    answered (option, mode, rating). The cells the release gives for D and
    D' (``scoring.releases``, from the real sealed counters) differ in one
    cell per level of each measure, and the noise there keeps the loss
    within the close's share of the budget (0.4)."""
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    for option, organisation in zip("ABCAB", ["rijk", "douane", "douane", "rijk", "douane"], strict=True):
        answers.submit(db, register(db, organisation), dilemma.id, option, WEDNESDAY, difficulty=2)
    before = counts_of(db, KEY, [dilemma.id])[dilemma.id]
    answers.submit(db, register(db, "douane"), dilemma.id, "D", WEDNESDAY, mode="colleague", difficulty=4)
    after = counts_of(db, KEY, [dilemma.id])[dilemma.id]

    def cells(counts: Counts) -> dict[tuple, tuple[int, float]]:
        return {
            (m.name, scope, scope_id, cell): (true, m.scale)
            for m in releases._close_measures(db, counts)
            for scope, scope_id, cell, true in m.cells
        }

    d, d_prime = cells(before), cells(after)
    assert d.keys() == d_prime.keys()
    differing = [key for key in d if d[key] != d_prime[key]]
    assert all(d_prime[key][0] == d[key][0] + 1 for key in differing)
    assert sorted(key[0] for key in differing) == ["modes", "options", "organisations", "ratings", "ratings"]
    stated = sum(budget.CLOSE_EPSILON.values())
    assert_within([d[key][0] for key in differing], [d[key][1] for key in differing], stated)


def test_the_predictions_release_is_within_its_epsilon(db):
    """D: a few colleagues answered with predictions; D': one more
    installation answered with the most lopsided prediction, changed once.
    The four released sums differ by that prediction, which adds up to 100
    (the L1 sensitivity), and the noise's scale makes that PREDICTIONS_EPSILON.
    (A frequency test like the ones above would need millions of draws at
    ε = 0.03; the worst event's ratio is exp(L1 / scale) for any shifts, as
    the module's docstring shows for shifts of one.)"""
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    for option in "ABCD":
        guess = {k: 100 if k == option else 0 for k in "ABCD"}
        answers.submit(db, register(db), dilemma.id, option, WEDNESDAY, prediction=guess)
    before = counts_of(db, KEY, [dilemma.id])[dilemma.id].predicted()
    phone = register(db, "douane")
    answers.submit(db, phone, dilemma.id, "A", WEDNESDAY, prediction={"A": 0, "B": 0, "C": 0, "D": 100})
    answers.submit(db, phone, dilemma.id, "B", WEDNESDAY)  # a change keeps the one prediction
    after = counts_of(db, KEY, [dilemma.id])[dilemma.id].predicted()
    shift = {k: after.get(k, 0) - before.get(k, 0) for k in "ABCD"}
    assert shift == {"A": 0, "B": 0, "C": 0, "D": 100}
    release = misperception.predictions_releases(db, KEY, [placement_of(db, dilemma.id)], NEXT_MONDAY)[dilemma.id]
    assert set(release.cells) == {(misperception.MEASURE, "all", 0, k) for k in "ABCD"}
    assert sum(shift.values()) / release.scales[misperception.MEASURE] == pytest.approx(budget.PREDICTIONS_EPSILON)
    assert budget.spent(db, dilemma.id) == pytest.approx(budget.PREDICTIONS_EPSILON)


def test_an_edition_spends_its_budget_and_no_more(db):
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    phone = register(db)
    answers.submit(db, phone, dilemma.id, "A", parse_now("2026-12-07T10:00:00+01:00"))
    placement = placement_of(db, dilemma.id)
    sunday = parse_now("2026-12-13T12:00:00+01:00")
    for day in range(1, 8):
        releases.live_figure(db, KEY, placement, parse_now("2026-12-07T12:00:00+01:00") + timedelta(days=day))
    assert budget.spent(db, dilemma.id) == pytest.approx(budget.LIVE_EPSILON)
    assert releases.live_figure(db, KEY, placement, sunday).day == budget.LIVE_POINTS
    releases.close_release(db, KEY, placement, NEXT_MONDAY)
    apart = budget.PREDICTIONS_EPSILON + budget.MEETINGS_EPSILON
    assert budget.spent(db, dilemma.id) == pytest.approx(budget.EDITION_EPSILON - apart)
    misperception.predictions_releases(db, KEY, [placement], NEXT_MONDAY)
    misperception.predictions_releases(db, KEY, [placement], NEXT_MONDAY + timedelta(days=3))  # stored: free
    assert budget.spent(db, dilemma.id) == pytest.approx(budget.EDITION_EPSILON - budget.MEETINGS_EPSILON)
    meetings.meetings_releases(db, [placement], NEXT_MONDAY)
    assert budget.spent(db, dilemma.id) == pytest.approx(budget.EDITION_EPSILON)
    with pytest.raises(budget.BudgetExhausted):
        budget.charge(db, dilemma.id, "anything more", "another part", 0.01)


def test_stored_noise_does_not_change_on_a_second_read(db, database_url):
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    phones = [register(db) for _ in range(40)]
    for i, phone in enumerate(phones):
        answers.submit(db, phone, dilemma.id, "ABCD"[i % 4], WEDNESDAY)
    first = results_for(db, phones[0], dilemma.id, NEXT_MONDAY, RULES)
    stored = db.execute(select(ReleasedCell.measure, ReleasedCell.cell, ReleasedCell.value)).all()
    db.rollback()
    # A second read, later, from the stored cells (not this process's memory).
    releases._REMEMBERED.clear()
    second = results_for(db, phones[1], dilemma.id, NEXT_MONDAY + timedelta(days=30), RULES)
    assert first.scopes == second.scopes
    assert db.execute(select(ReleasedCell.measure, ReleasedCell.cell, ReleasedCell.value)).all() == stored
    assert db.scalar(select(func.count()).select_from(PrivacyLedger)) == 1


def test_the_live_figure_is_drawn_once_per_point(db):
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    for i in range(30):
        answers.submit(db, register(db), dilemma.id, "ABCD"[i % 4], parse_now("2026-12-07T10:00:00+01:00"))
    placement = placement_of(db, dilemma.id)
    thursday = parse_now("2026-12-10T08:00:00+01:00")
    first = releases.live_figure(db, KEY, placement, thursday)
    db.rollback()
    releases._REMEMBERED.clear()
    again = releases.live_figure(db, KEY, placement, thursday + timedelta(hours=12))
    assert first == again and first.day == 3
