"""Dilemmas, their revisions and their four options.

Every edit makes a new revision; an answer refers to the revision it
answered. The options of a revision that has answers never change, so a
dilemma's tallies always mean the same four options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from dilemmas.base import Base
from dilemmas.code import CodeSection
from dilemmas.memo import remembered

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


def with_content(session: Session, dilemma_ids: list[int]) -> dict[int, Dilemma]:
    """Load dilemmas with revisions, options and code sections in a fixed
    number of queries, whatever the number of dilemmas."""
    if not dilemma_ids:
        return {}
    rows = session.scalars(
        select(Dilemma)
        .where(Dilemma.id.in_(dilemma_ids))
        .options(
            selectinload(Dilemma.revisions).selectinload(Revision.options),
            selectinload(Dilemma.revisions).selectinload(Revision.sections),
        )
    ).all()
    return {d.id: d for d in rows}


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.position, Category.slug)))


# ------------------------------------------------ read-only copies for the app


@dataclass(frozen=True)
class OptionContent:
    key: str
    text: str
    alignment: str | None
    feedback: str | None


@dataclass(frozen=True)
class SectionContent:
    ref: str
    title: str
    text: str


@dataclass(frozen=True)
class CategoryContent:
    slug: str
    name: str


@dataclass(frozen=True)
class RevisionContent:
    id: int
    number: int
    title: str
    situation: str
    explanation: str
    options: tuple[OptionContent, ...]
    sections: tuple[SectionContent, ...]


@dataclass(frozen=True)
class DilemmaContent:
    """What the app shows of a dilemma, copied out of the session: it reads
    like a loaded ``Dilemma`` (``.current.options``, ``.category.slug``) and
    can be shared by the requests of one process."""

    id: int
    audience: str
    category: CategoryContent
    current: RevisionContent

    @classmethod
    def of(cls, dilemma: Dilemma) -> DilemmaContent:
        revision = dilemma.current
        return cls(
            id=dilemma.id,
            audience=dilemma.audience,
            category=CategoryContent(dilemma.category.slug, dilemma.category.name),
            current=RevisionContent(
                id=revision.id,
                number=revision.number,
                title=revision.title,
                situation=revision.situation,
                explanation=revision.explanation,
                options=tuple(OptionContent(o.key, o.text, o.alignment, o.feedback) for o in revision.options),
                sections=tuple(SectionContent(s.ref, s.title, s.text) for s in revision.sections),
            ),
        )


def content_of(session: Session, dilemma_id: int) -> DilemmaContent:
    """What the app shows of a dilemma; remembered by the process while the
    content does not change (``dilemmas.memo``)."""
    return remembered(
        session, ("content", dilemma_id), lambda: DilemmaContent.of(with_content(session, [dilemma_id])[dilemma_id])
    )
