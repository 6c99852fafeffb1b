"""The scheduler tick: what is due at an instant, run once, from any number
of processes at the same time. Never runs inside web workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from dilemmas.schedule import begin_week


def run_due(session: Session, now: datetime) -> Iterator[str]:
    """Begin the current week (publish what is scheduled, fill an empty
    week from the bank) and say what was done."""
    filled = begin_week(session, now)
    if filled is not None:
        yield f"scheduled dilemma {filled.dilemma_id} automatically for week {filled.week}"
