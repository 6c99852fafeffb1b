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
    errors, covered, suppressed = [], 0, 0
    for counts in noisy:
        seen = shown_spread(counts, variance)
        if seen.suppressed:
            suppressed += 1
            continue
        total = sum(seen.counts)
        error = max(abs(100 * c / total - e) for c, e in zip(seen.counts, exact, strict=True))
        errors.append(error)
        covered += error <= seen.margin
    errors.sort()
    shown = len(errors)

    def quantile(q: float) -> float | None:
        return errors[min(shown - 1, int(q * shown))] if shown else None

    return {
        "median": quantile(0.5),
        "p95": quantile(0.95),
        "suppressed": suppressed / trials,
        "coverage": covered / shown if shown else None,
    }


def table(trials: int = 4000) -> str:
    lines = [
        "| figure | answers | median error (pp) | 95th percentile (pp) | suppressed | margin held |",
        "|---|---|---|---|---|---|",
    ]
    for name, scales in _figures():
        for size in SIZES:
            m = measure(scales, size, trials)

            def fmt(value, pattern="{:.1f}"):
                return "–" if value is None else pattern.format(value)

            lines.append(
                f"| {name} | {size} | {fmt(m['median'])} | {fmt(m['p95'])} | "
                f"{m['suppressed']:.0%} | {fmt(m['coverage'], '{:.1%}')} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(int(sys.argv[1]) if len(sys.argv) > 1 else 4000))
