"""The integrity office's inbox of suggested dilemmas: triage, and turning one
into a draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound
from dilemmas.model.content import Category, Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.model.suggestions import Suggestion
from dilemmas.office import audit, authoring
from dilemmas.office.scope import Actor
from dilemmas.storage.base import page_window

PLACEHOLDER_OPTIONS = [{"text": f"Optie {key} (nog uitwerken)"} for key in "ABCD"]


def inbox(
    session: Session, actor: Actor, page: int, page_size: int, status: str | None = None, category: str | None = None
) -> tuple[list[Suggestion], int]:
    actor.require("author", "reviewer", "publisher")
    query = select(Suggestion).where(Suggestion.organisation_id.in_(actor.scope))
    if status:
        query = query.where(Suggestion.status == status)
    if category:
        query = query.join(Category, Category.id == Suggestion.category_id).where(Category.slug == category)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    offset, limit = page_window(page, page_size)
    rows = session.scalars(query.order_by(Suggestion.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def get(session: Session, actor: Actor, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or not actor.sees(suggestion.organisation_id):
        raise NotFound("Deze suggestie bestaat niet.")
    return suggestion


def set_status(session: Session, actor: Actor, now: datetime, suggestion_id: int, status: str) -> Suggestion:
    actor.require("author", "reviewer", "publisher")
    suggestion = get(session, actor, suggestion_id)
    before, suggestion.status = suggestion.status, status
    audit.record(
        session,
        now,
        actor.label,
        "suggestion.status",
        "suggestion",
        suggestion.id,
        suggestion.organisation_id,
        before=before,
        after=status,
    )
    session.commit()
    return suggestion


def draft_from(session: Session, actor: Actor, now: datetime, suggestion_id: int) -> Dilemma:
    """A draft dilemma that starts from the suggestion's text; the author
    writes the options before submitting it for review."""
    # The role first: a reader who may not draft learns nothing about
    # which suggestions exist (403 for every id, never 403 or 404).
    actor.require("author")
    suggestion = get(session, actor, suggestion_id)
    category = session.get(Category, suggestion.category_id) if suggestion.category_id else None
    text = suggestion.text
    words = text.split()
    title = " ".join(words[:10])[:77] + ("..." if len(words) > 10 else "")
    organisation = session.get(Organisation, suggestion.organisation_id)
    dilemma = authoring.create(
        session,
        actor,
        now,
        {
            "organisation": organisation.slug,
            "category": category.slug if category else "actualiteit",
            "title": title,
            "situation": text[:900],
            "explanation": "",
            "options": PLACEHOLDER_OPTIONS,
            "code_refs": [],
        },
    )
    suggestion.dilemma_id = dilemma.id
    suggestion.status = "in_progress"
    audit.record(
        session,
        now,
        actor.label,
        "suggestion.draft",
        "suggestion",
        suggestion.id,
        suggestion.organisation_id,
        dilemma_id=dilemma.id,
    )
    session.commit()
    return dilemma
