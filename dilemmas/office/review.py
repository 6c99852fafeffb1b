"""Review that talks: what reviewers said about a dilemma, revision by
revision, and what is waiting for whom.

A transition's comment is kept in its audit entry (the one record of who
did what), so the thread is read from there: nothing is stored twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import Invalid
from dilemmas.model.audit import AuditEntry
from dilemmas.model.content import Dilemma
from dilemmas.office import audit
from dilemmas.office.authoring import TRANSITIONS, get
from dilemmas.office.scope import Actor
from dilemmas.reads.content import with_content

WORKFLOW = (*(f"dilemma.{action}" for action in TRANSITIONS), "dilemma.create", "dilemma.update", "dilemma.comment")
COMMENT_MAX = 2000
# audit entries name the actor as "Name (role)" (Actor.label)
LABEL = re.compile(r"^(?P<name>.*) \((?P<role>[a-z_]+)\)$")


@dataclass(frozen=True)
class Note:
    """One step of a dilemma's review: who, in which role, did what to which
    revision, and what they said."""

    at: datetime
    name: str
    role: str | None
    action: str
    revision: int | None
    comment: str | None


def notes(session: Session, actor: Actor, dilemma_id: int) -> list[Note]:
    """The review thread of a dilemma the actor may see, oldest first."""
    get(session, actor, dilemma_id)  # NotFound outside the actor's reach
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == "dilemma",
            AuditEntry.object_id == dilemma_id,
            AuditEntry.action.in_(WORKFLOW),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    found = []
    for entry in entries:
        match = LABEL.match(entry.actor)
        details = entry.details or {}
        found.append(
            Note(
                at=entry.at,
                name=match["name"] if match else entry.actor,
                role=match["role"] if match else None,
                action=entry.action.removeprefix("dilemma."),
                revision=details.get("revision"),
                comment=(details.get("comment") or "").strip() or None,
            )
        )
    return found


def comment(session: Session, actor: Actor, now: datetime, dilemma_id: int, text: str) -> Note:
    """A remark on a dilemma's current revision, in its review thread, by
    anyone of the office who may see the dilemma (not only at a transition)."""
    dilemma = get(session, actor, dilemma_id)
    text = (text or "").strip()
    if not 1 <= len(text) <= COMMENT_MAX:
        raise Invalid("Schrijf een opmerking.", {"comment": [f"Schrijf 1 tot {COMMENT_MAX} tekens."]})
    revision = dilemma.current.number
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.comment",
        "dilemma",
        dilemma.id,
        dilemma.organisation_id,
        revision=revision,
        comment=text,
    )
    session.commit()
    return Note(now, actor.name, actor.role, "comment", revision, text)


@dataclass(frozen=True)
class ToDo:
    """What is waiting for the actor: revisions to review (written by
    someone else), own dilemmas sent back with changes requested, and
    dilemmas flagged because a code section they cite changed."""

    reviews: list[Dilemma]
    sent_back: list[Dilemma]
    flagged: list[Dilemma]


def to_do(session: Session, actor: Actor) -> ToDo:
    """The actor's to-do list over the organisations in reach."""
    rows = list(
        session.scalars(
            select(Dilemma.id).where(
                Dilemma.organisation_id.in_(actor.scope),
                (Dilemma.status.in_(("in_review", "changes_requested"))) | Dilemma.needs_review.is_(True),
            )
        )
    )
    loaded = with_content(session, rows)
    dilemmas = sorted(loaded.values(), key=lambda d: d.id)
    reviews = [
        d for d in dilemmas if d.status == "in_review" and actor.can("reviewer") and d.current.author != actor.name
    ]
    sent_back = [d for d in dilemmas if d.status == "changes_requested" and d.current.author == actor.name]
    flagged = [d for d in dilemmas if d.needs_review and d.status != "archived"]
    return ToDo(reviews, sent_back, flagged)
