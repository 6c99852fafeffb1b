"""The error of the meeting statistics' counts, measured with the real
mechanism (OpenDP's sampler, the scales of ``scoring.meetings`` with an
organisation tree of one level below the root, its margin and suppression
rule): ``python -m scoring.simulate_meetings [trials]`` prints the table of
docs/anonymity.md, mechanism 7.

Per figure and true count: noise drawn ``trials`` times; how often the
figure is suppressed, the median and 95th percentile of the error of the
shown figures, and how often their published margin held it."""

from __future__ import annotations

import sys

from scoring import budget
from scoring.meetings import CAPS, Noisy, count_out
from scoring.releases import add_noise, noise_variance
from scoring.simulate import shown_or_dash, summary

LEVELS = 1
SIZES = (0, 100, 500, 1400, 3000, 10000)


def _scale(measure: str) -> float:
    return CAPS[measure] * (1 + LEVELS) / budget.MEETINGS_SPLIT[measure]


def _figures() -> list[tuple[str, list[float]]]:
    """(name, scales of the noise summed into the figure)."""
    return [
        ("sessions of one dilemma", [_scale("sessions")]),
        ("sessions of a chapter over 4 dilemmas (their total)", [_scale("sessions")] * 4),
        ("joint answers of one week", [_scale("joint")]),
    ]


def measure(scales: list[float], size: int, trials: int) -> dict:
    noisy = [size] * trials
    for scale in scales:
        noisy = [n + e for n, e in zip(noisy, add_noise([0] * trials, scale), strict=True)]
    variance = sum(noise_variance(b) for b in scales)
    errors, covered = [], 0
    for value in noisy:
        shown = count_out(Noisy(value, variance))
        if shown["count"] is not None:
            errors.append(abs(value - size))
            covered += abs(value - size) <= shown["margin"]
    return summary(errors, covered, trials)


def table(trials: int = 4000) -> str:
    lines = [
        "| figure | true count | suppressed | median error | 95th percentile | margin held |",
        "|---|---|---|---|---|---|",
    ]
    for name, scales in _figures():
        for size in SIZES:
            m = measure(scales, size, trials)
            lines.append(
                f"| {name} | {size:,} | {m['suppressed']:.1%} | {shown_or_dash(m['median'], '{}')} | "
                f"{shown_or_dash(m['p95'], '{}')} | {shown_or_dash(m['coverage'], '{:.1%}')} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(int(sys.argv[1]) if len(sys.argv) > 1 else 4000))
