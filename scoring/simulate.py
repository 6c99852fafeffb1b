"""The error of the released spreads, measured with the real mechanism
(OpenDP's sampler, the budget's scales, the margin and suppression rule of
``scoring.releases``): ``python -m scoring.simulate [trials]`` prints the
table of docs/anonymity.md.

Per figure and size: a spread of 40/30/20/10 %, noise drawn ``trials``
times; the median and 95th percentile of the largest error over the four
options (percentage points, of the shown figures), how often the figure is
suppressed, and how often its published margin held the error."""

from __future__ import annotations

import sys

from scoring import budget
from scoring.releases import add_noise, noise_variance, shown_spread

SHARES = (0.4, 0.3, 0.2, 0.1)
SIZES = (30, 300, 600, 3000)


def _figures() -> list[tuple[str, list[float]]]:
    """(name, scales of the noise summed into one option's count)."""
    organisations = budget.CLOSE_EPSILON["organisations"]
    return [
        ("live, end of day 6 (two tree nodes)", [budget.LIVE_SCALE] * 2),
        ("after the close, everyone", [1 / budget.CLOSE_EPSILON["options"]]),
        ("after the close, an organisation one level below the root", [1 / organisations] * 3),
    ]


def measure(scales: list[float], size: int, trials: int) -> dict:
    true = [round(size * s) for s in SHARES]
    size = sum(true)
    exact = [100 * c / size for c in true]
    noisy = [list(true) for _ in range(trials)]
    for scale in scales:  # each term of a sum of released cells has its own noise
        for i in range(len(true)):
            for t, value in enumerate(add_noise([0] * trials, scale)):
                noisy[t][i] += value
    variance = sum(noise_variance(b) for b in scales)
    errors, covered = [], 0
    for counts in noisy:
        seen = shown_spread(counts, variance)
        if seen.suppressed:
            continue
        total = sum(seen.counts)
        error = max(abs(100 * c / total - e) for c, e in zip(seen.counts, exact, strict=True))
        errors.append(error)
        covered += error <= seen.margin
    return summary(errors, covered, trials)


def summary(errors: list[float], covered: int, trials: int, figures: int = 1) -> dict:
    """Of ``trials`` draws, the errors of those shown: their median and 95th
    percentile, how often a draw was suppressed, and how often the margins
    of its ``figures`` figures held (``covered`` of them)."""
    errors = sorted(errors)
    shown = len(errors)

    def quantile(q: float) -> float | None:
        return errors[min(shown - 1, int(q * shown))] if shown else None

    return {
        "median": quantile(0.5),
        "p95": quantile(0.95),
        "suppressed": 1 - shown / trials,
        "coverage": covered / (figures * shown) if shown else None,
    }


def shown_or_dash(value: float | None, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def table(trials: int = 4000) -> str:
    lines = [
        "| figure | answers | median error (pp) | 95th percentile (pp) | suppressed | margin held |",
        "|---|---|---|---|---|---|",
    ]
    for name, scales in _figures():
        for size in SIZES:
            m = measure(scales, size, trials)
            lines.append(
                f"| {name} | {size} | {shown_or_dash(m['median'])} | {shown_or_dash(m['p95'])} | "
                f"{m['suppressed']:.0%} | {shown_or_dash(m['coverage'], '{:.1%}')} |"
            )
    return "\n".join(lines)


# The misperception (scoring.misperception): option A aligned, D conflicts;
# every predictor expects 30/30/20/20 %, the answers are SHARES.
PREDICTION = (30, 30, 20, 20)
ALIGNED, CONFLICTS = {"A"}, {"D"}


def measure_misperception(size: int, dilemmas: int, trials: int) -> dict:
    """The largest error of the two misperception figures (aligned,
    conflicts) of ``dilemmas`` editions of ``size`` answers and predictions
    each, pooled as a chapter is; how often they were suppressed, and how
    often each figure's margin held its error."""
    from scoring.misperception import SCALE, Cell, group_figure

    answers = [round(size * s) for s in SHARES]
    sums = [size * p for p in PREDICTION]
    real_variance = noise_variance(1 / budget.CLOSE_EPSILON["options"])
    guessed_variance = noise_variance(SCALE)
    keys = "ABCD"
    truth = {}
    for name, members in (("aligned", ALIGNED), ("conflicts", CONFLICTS)):
        predicted = sum(p for k, p in zip(keys, PREDICTION, strict=True) if k in members)
        real = 100 * sum(c for k, c in zip(keys, answers, strict=True) if k in members) / sum(answers)
        truth[name] = (members, predicted - real)
    noisy_real = [
        [add_noise([c] * trials, 1 / budget.CLOSE_EPSILON["options"]) for c in answers] for _ in range(dilemmas)
    ]
    noisy_sums = [[add_noise([s] * trials, SCALE) for s in sums] for _ in range(dilemmas)]
    errors, covered = [], 0
    for t in range(trials):
        worst, held, hidden = 0.0, 0, False
        for members, exact in truth.values():
            guessed = [
                Cell(max(0, noisy_sums[d][i][t]), guessed_variance, k in members)
                for d in range(dilemmas)
                for i, k in enumerate(keys)
            ]
            real = [
                Cell(max(0, noisy_real[d][i][t]), real_variance, k in members)
                for d in range(dilemmas)
                for i, k in enumerate(keys)
            ]
            seen = group_figure(guessed, real)
            if seen["suppressed"]:
                hidden = True
                break
            error = abs(seen["misperception"] - exact)
            worst = max(worst, error)
            held += error <= seen["margin"]
        if hidden:
            continue
        errors.append(worst)
        covered += held
    return summary(errors, covered, trials, figures=len(truth))


def misperception_table(trials: int = 4000) -> str:
    lines = [
        "| misperception figure | predictions | median error (pp) | 95th percentile (pp) | suppressed | margin held |",
        "|---|---|---|---|---|---|",
    ]
    for name, size, dilemmas in (
        ("one dilemma", 300, 1),
        ("one dilemma", 600, 1),
        ("one dilemma", 3000, 1),
        ("a chapter of 10 dilemmas", 600, 10),
    ):
        m = measure_misperception(size, dilemmas, trials)
        lines.append(
            f"| {name} | {size} each | {shown_or_dash(m['median'])} | {shown_or_dash(m['p95'])} | "
            f"{m['suppressed']:.0%} | {shown_or_dash(m['coverage'], '{:.1%}')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    print(table(trials))
    print()
    print(misperception_table(trials))
