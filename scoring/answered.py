"""Whether a dilemma "has answers", as the office's listing shows it beside
the dilemma (admin API and console).

An exact bit would tell who answered first while a week is open, and after
the close whether anyone at all answered: in a small organisation, that one
colleague did. So it is nothing while the week is open, and after the close
post-processing of the edition's released noisy total of everyone
(``scoring.releases``): True when that total is shown (positive, its 95 %
error at most half of it). It costs no budget beyond the release every
figure of the edition reads, and a handful of real answers reads as False.
A dilemma that was never scheduled cannot have answers: False."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dilemmas.model.answers import SCOPE_ALL
from dilemmas.office.listing import placements_of
from scoring.releases import Figures, close_releases, shown_count
from scoring.spreads import Thresholds


@dataclass(frozen=True)
class Facts:
    """What an admin listing shows beside a dilemma's content."""

    week: str | None
    answered: bool


def facts_of(session: Session, thresholds: Thresholds, dilemma_ids: list[int], now: datetime) -> dict[int, Facts]:
    """Week and "answered" for many dilemmas, in a fixed number of queries
    (the first read after a close makes that edition's release, once)."""
    placements = placements_of(session, dilemma_ids)
    releases = close_releases(session, thresholds.counter_key, list(placements.values()), now)
    facts = {}
    for dilemma_id in dilemma_ids:
        placement, release = placements.get(dilemma_id), releases.get(dilemma_id)
        answered = release is not None and shown_count(*Figures(release, SCOPE_ALL, 0).total()) is not None
        facts[dilemma_id] = Facts(str(placement.week) if placement else None, answered)
    return facts
