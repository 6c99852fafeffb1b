"""The shift between two editions (scoring.editions): its margin holds the
true shift, drawn with the real OpenDP noise of the close release, at
least 95 % of the time for all four options together, and as often for the
share of aligned options."""

from __future__ import annotations

from scoring import budget
from scoring.editions import change
from scoring.releases import add_noise, noise_variance, shown_spread

TRIALS = 2000
KEYS = "ABCD"


def _counts(share: dict[str, int], total: int) -> list[int]:
    return [share[k] * total // 100 for k in KEYS]


def _coverage(before: dict[str, int], after: dict[str, int], total: int, aligned: set[str]) -> tuple[float, float, int]:
    scale = 1 / budget.CLOSE_EPSILON["options"]
    variance = noise_variance(scale)
    old_true, new_true = _counts(before, total), _counts(after, total)
    truth = {k: 100 * (n / total - o / total) for k, o, n in zip(KEYS, old_true, new_true, strict=True)}
    true_aligned = sum(truth[k] for k in aligned)
    held = held_aligned = shown = 0
    widest = 0
    for _ in range(TRIALS):
        old = shown_spread(add_noise(old_true, scale), variance)
        new = shown_spread(add_noise(new_true, scale), variance)
        if old.suppressed or new.suppressed:
            continue  # no shift is computed where either spread is not shown
        shown += 1
        per_option = [change(old, variance, new, variance, {k}) for k in KEYS]
        held += all(abs(points - truth[k]) <= margin for k, (points, margin) in zip(KEYS, per_option, strict=True))
        points, margin = change(old, variance, new, variance, aligned)
        held_aligned += abs(points - true_aligned) <= margin
        widest = max(widest, *(m for _, m in per_option))
    assert shown >= TRIALS // 2
    return held / shown, held_aligned / shown, widest


def test_the_margin_of_the_shift_holds_the_truth_at_600_answers_per_edition():
    options, aligned, widest = _coverage(
        {"A": 50, "B": 25, "C": 15, "D": 10}, {"A": 25, "B": 45, "C": 20, "D": 10}, 600, {"B", "C"}
    )
    assert options >= 0.95 and aligned >= 0.95, (options, aligned)
    # And it says something: at 600 answers per edition a shift of 5 points shows.
    assert widest <= 5


def test_no_change_is_a_shift_of_about_zero_and_a_wider_margin_for_fewer_answers():
    same = {"A": 40, "B": 30, "C": 20, "D": 10}
    options, aligned, widest_small = _coverage(same, same, 150, {"A"})
    assert options >= 0.95 and aligned >= 0.95
    _, _, widest_large = _coverage(same, same, 3000, {"A"})
    assert widest_large < widest_small


def test_identical_releases_shift_by_nothing():
    seen = shown_spread([300, 150, 90, 60], noise_variance(4))
    points, margin = change(seen, noise_variance(4), seen, noise_variance(4), {"A", "B"})
    assert points == 0 and 0 < margin <= 5
