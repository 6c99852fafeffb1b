"""Dilemmas, their revisions and their four options.

Every edit makes a new revision; an answer refers to the revision it
answered. The options of a revision that has answers never change, so a
dilemma's tallies always mean the same four options."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmas.model.code import CodeSection
from dilemmas.storage.base import Base

OPTION_KEYS = ("A", "B", "C", "D")


ALIGNMENTS = ("aligned", "grey", "conflicts")


AUDIENCES = ("iedereen", "leidinggevenden")


STATUSES = (
    "draft",
    "in_review",
    "changes_requested",
    "approved",
    "scheduled",
    "published",
    "archived",
)


# States in which employees may see a dilemma whose week has started.
VISIBLE_STATUSES = ("scheduled", "published")


TITLE_MAX = 80


SITUATION_MAX = 900


OPTION_MAX = 160


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


revision_sections = Table(
    "revision_sections",
    Base.metadata,
    Column("revision_id", ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True),
    Column("section_id", ForeignKey("code_sections.id"), primary_key=True, index=True),
)


class Dilemma(Base):
    __tablename__ = "dilemmas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    audience: Mapped[str] = mapped_column(String(32), default="iedereen")
    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    # Position in the bundled bank; None for dilemmas written in the admin.
    bank_position: Mapped[int | None]
    needs_review: Mapped[bool] = mapped_column(default=False)
    # A run again is a new row, so its respondent keys, counters, budget and
    # week are its own; this links it to the edition it repeats. Unique:
    # editions form one line, also when two publishers race. An edition that
    # ran is never deleted (only unanswered drafts are), so no ON DELETE.
    previous_edition_id: Mapped[int | None] = mapped_column(ForeignKey("dilemmas.id"), index=True, unique=True)
    created_at: Mapped[datetime]

    category: Mapped[Category] = relationship(lazy="joined")
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="dilemma", order_by="Revision.number", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def current(self) -> Revision:
        return self.revisions[-1]


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("dilemma_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    situation: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="content")
    created_at: Mapped[datetime]

    dilemma: Mapped[Dilemma] = relationship(back_populates="revisions")
    options: Mapped[list[Option]] = relationship(
        back_populates="revision", order_by="Option.key", cascade="all, delete-orphan"
    )
    sections: Mapped[list[CodeSection]] = relationship(secondary=revision_sections, order_by=CodeSection.ref)


class Option(Base):
    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("revision_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(String(OPTION_MAX))
    alignment: Mapped[str | None] = mapped_column(String(16))
    feedback: Mapped[str | None] = mapped_column(Text)

    revision: Mapped[Revision] = relationship(back_populates="options")
