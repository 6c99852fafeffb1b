"""The code of conduct: chapters and sections of the root organisation, with
supplements of child organisations after it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from dilemmas.base import Base
from dilemmas.errors import NotFound
from dilemmas.organisations import Organisation, chain


class CodeChapter(Base):
    __tablename__ = "code_chapters"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    number: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    sections: Mapped[list[CodeSection]] = relationship(back_populates="chapter", order_by="CodeSection.position")


class CodeSection(Base):
    __tablename__ = "code_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("code_chapters.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]

    chapter: Mapped[CodeChapter] = relationship(back_populates="sections")
    versions: Mapped[list[CodeSectionVersion]] = relationship(
        order_by="CodeSectionVersion.version", cascade="all, delete-orphan"
    )


class CodeSectionVersion(Base):
    """Every text a section has had; the newest equals the section."""

    __tablename__ = "code_section_versions"
    __table_args__ = (UniqueConstraint("section_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("code_sections.id", ondelete="CASCADE"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


def record_version(section: CodeSection, author: str, now: datetime) -> None:
    """Keep the section's current text in its history."""
    section.versions.append(
        CodeSectionVersion(
            version=section.version, title=section.title, text=section.text, author=author, created_at=now
        )
    )


def chapters_for(session: Session, organisation: Organisation) -> list[CodeChapter]:
    """The chapters an organisation's people read: the root code first, then
    each supplement down to the organisation itself."""
    order = [o.id for o in reversed(chain(session, organisation.id))]
    chapters = session.scalars(select(CodeChapter).where(CodeChapter.organisation_id.in_(order))).all()
    return sorted(chapters, key=lambda c: (order.index(c.organisation_id), c.position))


def section_for(session: Session, organisation: Organisation, ref: str) -> CodeSection:
    """A section visible to the organisation; NotFound otherwise."""
    visible = [o.id for o in chain(session, organisation.id)]
    section = session.scalar(
        select(CodeSection).where(CodeSection.ref == ref, CodeSection.organisation_id.in_(visible))
    )
    if section is None:
        raise NotFound(f"Artikel '{ref}' bestaat niet in jouw gedragscode.")
    return section


# Words that carry no meaning in a search of the code.
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "van",
        "in",
        "op",
        "te",
        "aan",
        "met",
        "voor",
        "bij",
        "als",
        "dat",
        "die",
        "dit",
        "is",
        "zijn",
        "je",
        "jij",
        "jouw",
        "ik",
        "we",
        "wij",
        "ze",
        "zij",
        "er",
        "om",
        "over",
        "naar",
        "niet",
        "wel",
        "ook",
        "wat",
        "hoe",
        "wie",
        "mag",
        "moet",
        "kan",
    ]
)


def fold(text: str) -> str:
    """Lower case without accents, so that 'privé', 'Prive' and 'PRIVE' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


@dataclass(frozen=True)
class SearchHit:
    section: CodeSection
    score: float


def search(session: Session, organisation: Organisation, query: str, limit: int = 20) -> list[SearchHit]:
    """Rank the visible sections for a keyword query.

    Terms match whole words and word beginnings (``geschenk`` finds
    ``geschenken``), title hits weigh three times a text hit, and a section
    that matches more distinct terms always ranks above one that matches
    fewer. The code is small (tens of sections), so ranking in Python is
    cheaper than keeping a full-text index in two databases.
    """
    terms = [t for t in words(query) if t not in STOPWORDS] or words(query)
    if not terms:
        return []
    hits = []
    for chapter in chapters_for(session, organisation):
        for section in chapter.sections:
            title_words, text_words = words(section.title), words(section.text)
            matched, score = 0, 0.0
            for term in terms:
                in_title = sum(1 for w in title_words if w.startswith(term))
                in_text = sum(1 for w in text_words if w.startswith(term))
                if in_title or in_text:
                    matched += 1
                    score += 3 * in_title + in_text
            if matched:
                hits.append(SearchHit(section, matched * 1000 + score))
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]
