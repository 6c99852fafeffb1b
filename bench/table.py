"""The one table every benchmark reports in: figure, baseline, ratio,
target, met. A benchmark prints its rows and, when ``KOMPAS_BENCH_ROWS``
names a file, appends them there as JSON lines, so that ``python -m bench``
can print the rows of all benchmarks as one table."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    bench: str
    figure: str
    value: float
    unit: str
    baseline: str  # what the figure is compared with, e.g. "/healthz 2,563/s"
    ratio: float | None  # value / baseline value
    target: str
    met: bool | None  # None: no target


def fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit in ("/s", "requests", "errors"):
        return f"{value:,.0f}{unit if unit == '/s' else ''}"
    if abs(value) < 10 and unit == "ms":
        return f"{value:,.2f} {unit}"
    return f"{value:,.1f} {unit}"


def render(rows: list[Row]) -> str:
    header = ("bench", "figure", "value", "baseline", "ratio", "target", "met?")
    lines = [
        (
            r.bench,
            r.figure,
            fmt(r.value, r.unit),
            r.baseline,
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            "-" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = []
    for i, line in enumerate([header, *lines]):
        out.append("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def report(rows: list[Row]) -> None:
    """Print the rows as a table and hand them to ``python -m bench``."""
    print(render(rows), flush=True)
    target = os.environ.get("KOMPAS_BENCH_ROWS")
    if target:
        with open(target, "a") as handle:
            for row in rows:
                handle.write(json.dumps(asdict(row)) + "\n")


def read(path: str) -> list[Row]:
    with open(path) as handle:
        return [Row(**json.loads(line)) for line in handle if line.strip()]
