"""Suggestions: employees propose a dilemma, anonymously; the integrity
office reads them and turns the good ones into drafts.

A suggestion keeps no installation id and only the day it came in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dilemmas import audit, authoring
from dilemmas.admins import Actor
from dilemmas.base import Base, page_window
from dilemmas.dilemmas import Category, Dilemma
from dilemmas.errors import NotFound, UnknownReference
from dilemmas.installations import Installation
from dilemmas.organisations import Organisation
from dilemmas.weeks import local_day

STATUSES = ("new", "in_progress", "used", "declined")
PLACEHOLDER_OPTIONS = [{"text": f"Optie {key} (nog uitwerken)"} for key in "ABCD"]


class Suggestion(Base):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    received_on: Mapped[date] = mapped_column(Date)
    dilemma_id: Mapped[int | None] = mapped_column(ForeignKey("dilemmas.id", ondelete="SET NULL"))

    category: Mapped[Category | None] = relationship(lazy="joined")


def submit(
    session: Session, installation: Installation, now: datetime, text: str, category: str | None = None
) -> Suggestion:
    category_id = None
    if category:
        category_id = session.scalar(select(Category.id).where(Category.slug == category))
        if category_id is None:
            raise UnknownReference("Onbekende categorie.", {"category": [f"Categorie '{category}' bestaat niet."]})
    suggestion = Suggestion(
        organisation_id=installation.organisation_id,
        text=text.strip(),
        category_id=category_id,
        status="new",
        received_on=local_day(now, installation.organisation.timezone),
    )
    session.add(suggestion)
    session.commit()
    return suggestion


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
