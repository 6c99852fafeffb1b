"""Editions: the office runs a dilemma again.

A new edition is a new dilemma row with the current text of the edition
before it and a link to it (``previous_edition_id``). Being its own row,
it has its own respondent keys (they derive from the dilemma id: nobody
can link one person's answers to two editions), its own sealed counters,
its own privacy budget of ε = 1 and its own week (docs/anonymity.md). It
runs at least a setting's number of weeks after the last edition, and only
once that edition's week has closed, so the two editions' figures can be
compared (``scoring.editions``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dilemmas.errors import Conflict
from dilemmas.model.content import Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.office import audit
from dilemmas.office.authoring import current_content, get, new_dilemma
from dilemmas.office.calendar import EDITION_MIN_WEEKS, earliest_edition_week, schedule
from dilemmas.office.scope import Actor
from dilemmas.reads.editions import editions_of, next_edition
from dilemmas.reads.placements import placement_of
from dilemmas.weeks import Week

SLUG_ROOM = 100


def earliest_week(session: Session, dilemma_id: int, min_weeks: int = EDITION_MIN_WEEKS) -> Week | None:
    """The first week a new edition of this edition may run; None while it
    has not run (no week, or its week has not started)."""
    placement = placement_of(session, dilemma_id)
    return earliest_edition_week(placement.week, min_weeks) if placement is not None else None


def can_run_again(session: Session, dilemma: Dilemma, now: datetime) -> bool:
    """Whether ``run_again`` would accept this edition now (a later week aside)."""
    placement = placement_of(session, dilemma.id)
    return placement is not None and placement.closed(now) and next_edition(session, dilemma.id) is None


def run_again(
    session: Session,
    actor: Actor,
    now: datetime,
    dilemma_id: int,
    week: Week,
    min_weeks: int = EDITION_MIN_WEEKS,
) -> Dilemma:
    """A new edition of the dilemma, with its current text, scheduled on
    ``week`` (publisher role). Refused (``edition-refused``) while the
    dilemma has not run and closed (``not_run``), when a newer edition
    exists (``newer_edition``), and for a week less than ``min_weeks``
    after the last edition's (``too_early``, with ``earliest_week``)."""
    actor.require("publisher")
    dilemma = get(session, actor, dilemma_id)
    newer = next_edition(session, dilemma.id)
    if newer is not None:
        raise Conflict(
            "Van dit dilemma bestaat al een nieuwere editie; zet die opnieuw in.",
            cause="edition-refused",
            reason="newer_edition",
            newer_edition_id=newer,
        )
    placement = placement_of(session, dilemma.id)
    if placement is None or not placement.closed(now):
        raise Conflict(
            "Dit dilemma heeft nog niet gelopen: een nieuwe editie kan pas als de week van deze editie voorbij is.",
            cause="edition-refused",
            reason="not_run",
        )
    editions = editions_of(session, dilemma.id)
    first = session.get(Dilemma, editions[0])
    content = current_content(dilemma.current)
    organisation = session.get(Organisation, dilemma.organisation_id)
    try:
        edition = new_dilemma(
            session,
            organisation,
            f"{first.slug[:SLUG_ROOM]}-editie-{len(editions) + 1}",
            dilemma.category.slug,
            dilemma.audience,
            "approved",
            # The text was approved before; its author stays its author (four-eyes on any later edit).
            dilemma.current.author,
            now,
            content,
            previous_edition_id=dilemma.id,
        )
    except (IntegrityError, Conflict):
        # Another publisher ran it again at the same moment: the unique
        # previous_edition_id (or the edition's slug) let theirs win.
        session.rollback()
        raise Conflict(
            "Van dit dilemma is zojuist een nieuwere editie gemaakt; zet die opnieuw in.",
            cause="edition-refused",
            reason="newer_edition",
            newer_edition_id=next_edition(session, dilemma_id),
        ) from None
    edition.needs_review = dilemma.needs_review
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.run_again",
        "dilemma",
        edition.id,
        organisation.id,
        previous_edition=dilemma.id,
        edition=len(editions) + 1,
        week=str(week),
    )
    try:
        return schedule(session, actor, now, edition.id, week, min_weeks)
    except Conflict:
        session.rollback()
        raise
