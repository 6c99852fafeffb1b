"""Differentially private releases of the answer counts (docs/anonymity.md,
mechanism 2): the only way any figure about answers leaves the server.

A release adds noise from OpenDP's discrete Laplace sampler to integer
counts read from the sealed counters (``dilemmas.counters``), charges the
edition's budget (``scoring.budget``) and stores every noisy cell, in one
transaction: the noise is drawn once, a second read, from any server, gets
the same figure, and two servers racing to release the same point end up
with the first one's cells (the ledger's primary key decides).

Two kinds of release, on a fixed schedule per edition:

- ``live:a-b``: a node of the binary-tree counter over the days [a, b) of
  the open week, counting each installation's first answer per option;
  released at the end of day b. ``live_figure`` sums the nodes of days
  [0, t) at the end of day t (1-6) into the live spread of everyone.
- ``close``: at the first read after the week closed, everyone per option
  and per option x mode, every organisation below the root per option x
  mode, and ratings 1-5 for everyone and every organisation.

Everything shown is post-processing of stored cells (``Figures``):
percentages, totals, breakdowns, means, margins and the decision to
suppress. Released cells of a process are remembered under the release's
random id, so a read costs one query of the ledger."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import opendp.prelude as dp
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from dilemmas.counters import Counts, counts_of
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.organisations import Organisation
from dilemmas.model.releases import PrivacyLedger, ReleasedCell
from dilemmas.reads.placements import Placement
from scoring import budget
from scoring.spreads import TOO_FEW_ANSWERS, Visibility

dp.enable_features("contrib")

CLOSE = "close"

# A spread is shown when all its options lie within this many percentage
# points of the truth with 95 % probability; a count when its 95 % error is
# at most this share of it.
MAX_MARGIN = 20
MAX_COUNT_ERROR = 0.5

# The discrete Laplace tail that holds each of the four options with
# 98.75 % (two-sided), so the four hold together with 95 % (union bound),
# in standard deviations: ln(2 * 4 / 0.05 / 2) / sqrt(2).
MARGIN_Z = math.log(80) / math.sqrt(2)


@functools.cache
def _sampler(scale: float):
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)


def add_noise(counts: list[int], scale: float) -> list[int]:
    """The counts, each plus independent discrete Laplace noise of ``scale``
    (OpenDP's sampler: exact, no floating-point leak)."""
    return list(_sampler(float(scale))(list(counts))) if counts else []


def noise_variance(scale: float) -> float:
    """The variance of discrete Laplace noise of ``scale``."""
    r = math.exp(-1.0 / scale)
    return 2 * r / (1 - r) ** 2


# ------------------------------------------------------------- releases


@dataclass(frozen=True)
class Release:
    """One stored release: (measure, scope, scope_id, cell) -> noisy value,
    and the noise scale of each measure."""

    dilemma_id: int
    name: str
    cells: dict[tuple[str, str, int, str], int]
    scales: dict[str, float]

    def values(self, measure: str, scope: str, scope_id: int, cells: Iterable[str]) -> list[int]:
        return [self.cells.get((measure, scope, scope_id, c), 0) for c in cells]

    def variance(self, measure: str) -> float:
        return noise_variance(self.scales[measure])


_REMEMBERED: dict[str, Release] = {}
_LOCK = threading.Lock()


def _remember(release_id: str, release: Release) -> None:
    with _LOCK:
        if len(_REMEMBERED) > 20000:
            _REMEMBERED.clear()
        _REMEMBERED[release_id] = release


def stored(session: Session, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Release]:
    """The stored releases among (dilemma_id, name): one query of the
    ledger, and one of the cells of those this process has not seen yet."""
    wanted = list(set(wanted))
    if not wanted:
        return {}
    ledger = PrivacyLedger.__table__.c
    rows = session.execute(
        select(ledger.dilemma_id, ledger.release, ledger.release_id).where(
            tuple_(ledger.dilemma_id, ledger.release).in_(wanted)
        )
    ).all()
    found, missing = {}, {}
    for dilemma_id, name, release_id in rows:
        known = _REMEMBERED.get(release_id)
        if known is not None:
            found[(dilemma_id, name)] = known
        else:
            missing[(dilemma_id, name)] = release_id
    if missing:
        table = ReleasedCell.__table__.c
        loaded: dict[tuple[int, str], tuple[dict, dict]] = {key: ({}, {}) for key in missing}
        query = select(
            table.dilemma_id,
            table.release,
            table.measure,
            table.scope,
            table.scope_id,
            table.cell,
            table.value,
            table.scale,
        ).where(tuple_(table.dilemma_id, table.release).in_(list(missing)))
        for dilemma_id, name, measure, scope, scope_id, cell, value, scale in session.execute(query):
            cells, scales = loaded[(dilemma_id, name)]
            cells[(measure, scope, scope_id, cell)] = value
            scales[measure] = scale
        for key, (cells, scales) in loaded.items():
            release = Release(key[0], key[1], cells, scales)
            _remember(missing[key], release)
            found[key] = release
    return found


@dataclass(frozen=True)
class _Measure:
    name: str
    scale: float
    cells: list[tuple[str, int, str, int]]  # (scope, scope_id, cell, true count)


def _release(
    session: Session, dilemma_id: int, name: str, part: str, epsilon: float, measures: list[_Measure]
) -> Release:
    """Draw, charge and store a release in one transaction (commits)."""
    release_id = budget.charge(session, dilemma_id, name, part, epsilon)
    if release_id is None:  # another server released it first: theirs stands
        session.rollback()
        return stored(session, [(dilemma_id, name)])[(dilemma_id, name)]
    cells, scales, rows = {}, {}, []
    for measure in measures:
        noisy = add_noise([true for *_, true in measure.cells], measure.scale)
        scales[measure.name] = measure.scale
        for (scope, scope_id, cell, _), value in zip(measure.cells, noisy, strict=True):
            cells[(measure.name, scope, scope_id, cell)] = value
            rows.append(
                dict(
                    dilemma_id=dilemma_id,
                    release=name,
                    measure=measure.name,
                    scope=scope,
                    scope_id=scope_id,
                    cell=cell,
                    value=value,
                    scale=measure.scale,
                )
            )
    if rows:
        session.execute(ReleasedCell.__table__.insert(), rows)
    session.commit()
    release = Release(dilemma_id, name, cells, scales)
    _remember(release_id, release)
    return release


def chains_below_root(session: Session) -> dict[int, list[int]]:
    """Per organisation, the organisations of its chain below the root
    (itself first; none for the root): the organisation cells one
    contribution of it feeds."""
    parents = dict(session.execute(select(Organisation.id, Organisation.parent_id)).all())

    def chain(org_id: int) -> list[int]:
        found = []
        while parents.get(org_id) is not None:
            found.append(org_id)
            org_id = parents[org_id]
        return found

    return {org_id: chain(org_id) for org_id in parents}


def _organisations(session: Session) -> tuple[list[int], int]:
    """The organisations below the root, and the number of levels below it
    (how many organisation counters one answer feeds, at most)."""
    chains = chains_below_root(session)
    below = sorted(o for o, chain in chains.items() if chain)
    return below, max((len(chains[o]) for o in below), default=0)


def _cells_of(pairs: dict[tuple[str, str], int]) -> list[tuple[str, int]]:
    return [(f"{mode}:{option}", pairs.get((mode, option), 0)) for mode in MODES for option in OPTION_KEYS]


def _close_measures(session: Session, counts: Counts) -> list[_Measure]:
    organisations, levels = _organisations(session)
    everyone = counts.options(SCOPE_ALL, 0)
    by_option = [(SCOPE_ALL, 0, o, sum(n for (_, opt), n in everyone.items() if opt == o)) for o in OPTION_KEYS]
    by_mode = [(SCOPE_ALL, 0, cell, n) for cell, n in _cells_of(everyone)]
    per_organisation = [
        (SCOPE_ORGANISATION, org, cell, n)
        for org in organisations
        for cell, n in _cells_of(counts.options(SCOPE_ORGANISATION, org))
    ]
    rating_scopes = [(SCOPE_ALL, 0), *[(SCOPE_ORGANISATION, org) for org in organisations]]
    ratings = [
        (scope, scope_id, str(v), counts.ratings(scope, scope_id).get(v, 0))
        for scope, scope_id in rating_scopes
        for v in range(1, 6)
    ]
    eps = budget.CLOSE_EPSILON
    return [
        _Measure("options", 1 / eps["options"], by_option),
        _Measure("modes", 1 / eps["modes"], by_mode),
        _Measure("organisations", max(levels, 1) / eps["organisations"], per_organisation),
        _Measure("ratings", (1 + levels) / eps["ratings"], ratings),
    ]


def close_release(session: Session, counter_key: bytes | None, placement: Placement, now: datetime) -> Release | None:
    """The edition's release after its week closed (made at the first read
    after the close); None while the week is open."""
    if not placement.closed(now):
        return None
    dilemma_id = placement.dilemma_id
    found = stored(session, [(dilemma_id, CLOSE)]).get((dilemma_id, CLOSE))
    if found is not None:
        return found
    counts = counts_of(session, _key(counter_key), [dilemma_id])[dilemma_id]
    return _release(
        session, dilemma_id, CLOSE, CLOSE, sum(budget.CLOSE_EPSILON.values()), _close_measures(session, counts)
    )


def close_releases(
    session: Session, counter_key: bytes | None, placements: list[Placement], now: datetime
) -> dict[int, Release]:
    """``close_release`` of many editions: the stored ones in one read."""
    closed = [p for p in placements if p.closed(now)]
    found = stored(session, [(p.dilemma_id, CLOSE) for p in closed])
    result = {d: r for (d, _), r in found.items()}
    for placement in closed:
        if placement.dilemma_id not in result:
            result[placement.dilemma_id] = close_release(session, counter_key, placement, now)
    return result


def _key(counter_key: bytes | None) -> bytes:
    if counter_key is None:
        raise RuntimeError("a release needs the counters' key (Thresholds.counter_key)")
    return counter_key


# ------------------------------------------------------------------ live


def prefix_nodes(days: int) -> list[tuple[int, int]]:
    """The binary tree's nodes that make up days [0, days): dyadic runs of
    4, 2 and 1 days."""
    nodes, start = [], 0
    for size in (4, 2, 1):
        if start + size <= days:
            nodes.append((start, start + size))
            start += size
    return nodes


def days_over(placement: Placement, now: datetime) -> int:
    """How many whole local days of the week are over (0-7)."""
    start = placement.week.starts_at(placement.timezone)
    over = 0
    while over < budget.LIVE_DAYS and now >= start + timedelta(days=over + 1):
        over += 1
    return over


@dataclass(frozen=True)
class LiveFigure:
    """The live spread of everyone at the end of day ``day`` of the open
    week: noisy first answers per option and the variance of each."""

    day: int
    counts: list[int]
    variance: float


def live_figure(session: Session, counter_key: bytes | None, placement: Placement, now: datetime) -> LiveFigure | None:
    """The newest live release point at ``now`` (None before the first
    day is over and once the week closed: the close release takes over)."""
    if placement.closed(now):
        return None
    day = min(days_over(placement, now), budget.LIVE_POINTS)
    if day < 1:
        return None
    nodes = prefix_nodes(day)
    dilemma_id = placement.dilemma_id
    names = {node: f"live:{node[0]}-{node[1]}" for node in nodes}
    found = stored(session, [(dilemma_id, name) for name in names.values()])
    counts: Counts | None = None
    total = [0] * len(OPTION_KEYS)
    variance = 0.0
    for (start, end), name in names.items():
        release = found.get((dilemma_id, name))
        if release is None:
            if counts is None:
                counts = counts_of(session, _key(counter_key), [dilemma_id])[dilemma_id]
            first = counts.first_answers()
            cells = [(SCOPE_ALL, 0, o, sum(first.get((d, o), 0) for d in range(start, end))) for o in OPTION_KEYS]
            level = (end - start).bit_length() - 1
            epsilon = 1 / budget.LIVE_SCALE
            release = _release(
                session, dilemma_id, name, f"live:{level}", epsilon, [_Measure("options", budget.LIVE_SCALE, cells)]
            )
        for i, value in enumerate(release.values("options", SCOPE_ALL, 0, OPTION_KEYS)):
            total[i] += value
        variance += release.variance("options")
    return LiveFigure(day, total, variance)


# -------------------------------------------------------- post-processing


def margin(counts: list[int], variance: float) -> int | None:
    """Percentage points within which all options of a spread lie around
    the truth with 95 % probability together (docs/anonymity.md), from the
    noise's variance per option count and the released counts; None when
    nothing can be said (no positive total)."""
    total = sum(counts)
    if total <= 0:
        return None
    shares = [c / total for c in counts]
    k = len(counts)
    spread = max(math.sqrt((1 - p) ** 2 + (k - 1) * p * p) for p in shares)
    return math.ceil(100 * MARGIN_Z * math.sqrt(variance) * spread / total)


def shown_spread(noisy: list[int], variance: float) -> Visibility:
    """Decide on the noisy figure: shown, clamped at zero, when its margin
    is at most MAX_MARGIN points; else suppressed (``too_few_answers``)."""
    clamped = [max(0, c) for c in noisy]
    m = margin(clamped, variance)
    if m is None or m > MAX_MARGIN:
        return Visibility(None, TOO_FEW_ANSWERS)
    return Visibility(tuple(clamped), None, frozen=True, margin=m)


# The 95 % two-sided tail of a Laplace variable, in standard deviations
# (ln 20 / sqrt 2); for a sum of several noisy cells it is conservative.
COUNT_Z = math.log(20) / math.sqrt(2)


def count_margin(variance: float) -> int:
    """Within how many a released count (or a sum of them) lies around the
    truth with 95 % probability."""
    return math.ceil(COUNT_Z * math.sqrt(variance))


def shown_count(noisy: int, variance: float) -> int | None:
    """A released count, or None when its 95 % error exceeds MAX_COUNT_ERROR of it."""
    if noisy <= 0 or 1.96 * math.sqrt(variance) > MAX_COUNT_ERROR * noisy:
        return None
    return noisy


@dataclass
class Figures:
    """What the close release of one edition says about one scope: the
    spread, per mode, the total and the ratings, with their variances."""

    release: Release
    scope: str
    scope_id: int

    def _pairs(self) -> tuple[str, dict[str, int]]:
        measure = "modes" if self.scope == SCOPE_ALL else "organisations"
        cells = [f"{m}:{o}" for m in MODES for o in OPTION_KEYS]
        return measure, dict(zip(cells, self.release.values(measure, self.scope, self.scope_id, cells), strict=True))

    def spread(self) -> tuple[list[int], float]:
        if self.scope == SCOPE_ALL:
            return self.release.values("options", SCOPE_ALL, 0, OPTION_KEYS), self.release.variance("options")
        measure, pairs = self._pairs()
        counts = [sum(pairs[f"{m}:{o}"] for m in MODES) for o in OPTION_KEYS]
        return counts, len(MODES) * self.release.variance(measure)

    def mode_spread(self, mode: str) -> tuple[list[int], float]:
        measure, pairs = self._pairs()
        return [pairs[f"{mode}:{o}"] for o in OPTION_KEYS], self.release.variance(measure)

    def total(self) -> tuple[int, float]:
        counts, variance = self.spread()
        return sum(counts), len(OPTION_KEYS) * variance

    def mode_total(self, mode: str) -> tuple[int, float]:
        counts, variance = self.mode_spread(mode)
        return sum(counts), len(OPTION_KEYS) * variance

    def ratings(self) -> tuple[list[int], float]:
        return (
            self.release.values("ratings", self.scope, self.scope_id, [str(v) for v in range(1, 6)]),
            self.release.variance("ratings"),
        )
