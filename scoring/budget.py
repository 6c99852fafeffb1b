"""The privacy budget of an edition (docs/anonymity.md, "The split of the
budget"): what each release may spend, and the ledger that refuses a
release beyond it.

Neighbouring datasets differ by everything one installation gave to one
edition of a dilemma. Every release below is a discrete Laplace mechanism
on integer counts to which one installation adds at most 1 per scope level
(L1 sensitivity), so a release with scale b over k levels costs k / b."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.model.releases import PrivacyLedger
from dilemmas.storage.conflicts import insert_for

EDITION_EPSILON = 1.0

# The live counter: a binary tree over the week's seven days; the figure at
# the end of day t (1-6) sums the nodes of [0, t). Nodes have 1, 2 or 4
# days: three levels, one node per level holds a given first answer.
LIVE_DAYS = 7
LIVE_POINTS = 6
LIVE_LEVELS = 3
LIVE_EPSILON = 0.6
LIVE_SCALE = LIVE_LEVELS / LIVE_EPSILON

# After the close: ε per measure (the organisations' and the ratings' are
# split over the levels each installation counts in).
CLOSE_EPSILON = {"options": 0.25, "modes": 0.02, "organisations": 0.04, "ratings": 0.03}

# After the close, released on their own: the predictions' misperception
# figure (weekly-loop issue) and the office's meeting statistics.
PREDICTIONS_EPSILON = 0.03
MEETINGS_EPSILON = 0.03

# The meetings' share over its measures (scoring.meetings): one team's
# counted meeting moves each by at most its cap, in everyone's cell and in
# one cell per organisation level.
MEETINGS_SPLIT = {"sessions": 0.008, "joint": 0.01, "shifted": 0.004, "shift": 0.004, "agreements": 0.004}
assert abs(sum(MEETINGS_SPLIT.values()) - MEETINGS_EPSILON) < 1e-9

assert abs(LIVE_EPSILON + sum(CLOSE_EPSILON.values()) + PREDICTIONS_EPSILON + MEETINGS_EPSILON - EDITION_EPSILON) < 1e-9


class BudgetExhausted(RuntimeError):
    """A release would take an edition beyond its ε."""


def spent(session: Session, dilemma_id: int) -> float:
    """The ε an edition has spent: per part its largest release, summed."""
    per_part = (
        select(func.max(PrivacyLedger.epsilon).label("eps"))
        .where(PrivacyLedger.dilemma_id == dilemma_id)
        .group_by(PrivacyLedger.part)
        .subquery()
    )
    return float(session.scalar(select(func.coalesce(func.sum(per_part.c.eps), 0.0))) or 0.0)


def charge(session: Session, dilemma_id: int, release: str, part: str, epsilon: float) -> str | None:
    """Record a release in the caller's transaction and return its id, or
    None when another transaction recorded it first (then read theirs).
    BudgetExhausted when it would take the edition beyond EDITION_EPSILON."""
    before = session.scalar(
        select(func.max(PrivacyLedger.epsilon)).where(
            PrivacyLedger.dilemma_id == dilemma_id, PrivacyLedger.part == part
        )
    )
    total = spent(session, dilemma_id) - float(before or 0.0) + max(epsilon, float(before or 0.0))
    if total > EDITION_EPSILON + 1e-9:
        raise BudgetExhausted(f"dilemma {dilemma_id}: {release} would spend {total:.3f} > {EDITION_EPSILON}")
    release_id = secrets.token_hex(16)
    inserted = session.execute(
        insert_for(session, PrivacyLedger.__table__)
        .values(dilemma_id=dilemma_id, release=release, part=part, epsilon=epsilon, release_id=release_id)
        .on_conflict_do_nothing()
        .returning(PrivacyLedger.__table__.c.release_id)
    ).scalar()
    return inserted
