"""What the app shows of a dilemma: read-only copies of its current revision,
shared by the requests of a process while the content does not change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dilemmas.model.content import Category, Dilemma, Revision
from dilemmas.reads.memo import remembered


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
    name_en: str | None = None


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
    # The edition this one runs again (dilemmas.office.editions), if any.
    previous_edition_id: int | None = None

    @classmethod
    def of(cls, dilemma: Dilemma) -> DilemmaContent:
        revision = dilemma.current
        return cls(
            id=dilemma.id,
            audience=dilemma.audience,
            category=CategoryContent(dilemma.category.slug, dilemma.category.name, dilemma.category.name_en),
            current=RevisionContent(
                id=revision.id,
                number=revision.number,
                title=revision.title,
                situation=revision.situation,
                explanation=revision.explanation,
                options=tuple(OptionContent(o.key, o.text, o.alignment, o.feedback) for o in revision.options),
                sections=tuple(SectionContent(s.ref, s.title, s.text) for s in revision.sections),
            ),
            previous_edition_id=dilemma.previous_edition_id,
        )


def content_of(session: Session, dilemma_id: int) -> DilemmaContent:
    """What the app shows of a dilemma; remembered by the process while the
    content does not change (``dilemmas.reads.memo``)."""
    return remembered(
        session, ("content", dilemma_id), lambda: DilemmaContent.of(with_content(session, [dilemma_id])[dilemma_id])
    )
