"""The editions of a dilemma: the chain of runs linked by
``previous_edition_id`` (``dilemmas.office.editions``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.content import Dilemma

# Far more editions than a dilemma gets in a working life; a guard against a cycle.
MAX_EDITIONS = 100


def previous_edition(session: Session, dilemma_id: int) -> int | None:
    """The edition this one repeats, if any."""
    return session.scalar(select(Dilemma.previous_edition_id).where(Dilemma.id == dilemma_id))


def next_edition(session: Session, dilemma_id: int) -> int | None:
    """The edition that repeats this one, if any."""
    return session.scalar(select(Dilemma.id).where(Dilemma.previous_edition_id == dilemma_id).limit(1))


def editions_of(session: Session, dilemma_id: int) -> list[int]:
    """The editions up to and including this one, the first first."""
    chain = [dilemma_id]
    while len(chain) < MAX_EDITIONS:
        before = previous_edition(session, chain[-1])
        if before is None or before in chain:
            break
        chain.append(before)
    return list(reversed(chain))
