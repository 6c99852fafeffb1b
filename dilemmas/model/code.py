"""The code of conduct's tables: chapters, sections and every text a section has had."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmas.storage.base import Base


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
