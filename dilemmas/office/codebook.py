"""Editing the code of conduct: every text a section had is kept, and the
dilemmas that refer to a changed section are flagged for review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound
from dilemmas.model.code import CodeSection, CodeSectionVersion
from dilemmas.model.content import Dilemma, Revision, revision_sections
from dilemmas.office import audit
from dilemmas.office.scope import Actor


def record_version(section: CodeSection, author: str, now: datetime) -> None:
    """Keep the section's current text in its history."""
    section.versions.append(
        CodeSectionVersion(
            version=section.version, title=section.title, text=section.text, author=author, created_at=now
        )
    )


def _referring(session: Session, section: CodeSection) -> list[int]:
    """Dilemmas whose current revision refers to the section."""
    latest = (
        select(Revision.dilemma_id, func.max(Revision.number).label("number")).group_by(Revision.dilemma_id).subquery()
    )
    return list(
        session.scalars(
            select(Revision.dilemma_id)
            .join(latest, and_(latest.c.dilemma_id == Revision.dilemma_id, latest.c.number == Revision.number))
            .join(revision_sections, revision_sections.c.revision_id == Revision.id)
            .where(revision_sections.c.section_id == section.id)
        )
    )


def flag_for_review(session: Session, section: CodeSection) -> int:
    """Dilemmas whose current revision refers to a changed section need a look."""
    affected = _referring(session, section)
    for dilemma in session.scalars(select(Dilemma).where(Dilemma.id.in_(affected))):
        dilemma.needs_review = True
    return len(affected)


def revise_section(
    session: Session, section: CodeSection, author: str, now: datetime, title: str, text: str
) -> int | None:
    """Give a section a new version (its old text stays in its history) and
    flag the dilemmas that refer to it for review; how many were flagged, or
    None when nothing changed. The one way a section's text is written, by
    the admin API and by the content loader alike; the caller commits."""
    title, text = title.strip(), text.strip()
    if (section.title, section.text) == (title, text):
        return None
    section.title, section.text = title, text
    section.version += 1
    section.updated_at = now
    record_version(section, author, now)
    return flag_for_review(session, section)


def edit_section(
    session: Session, actor: Actor, now: datetime, ref: str, text: str, title: str | None = None
) -> CodeSection:
    """A new version of a code section of one of the actor's organisations;
    dilemmas that refer to it are flagged for review."""
    actor.require("author")
    section = session.scalar(select(CodeSection).where(CodeSection.ref == ref))
    if section is None or not actor.sees(section.organisation_id):
        raise NotFound(f"Artikel '{ref}' bestaat niet of valt buiten je bereik.")
    flagged = revise_section(session, section, actor.name, now, title or section.title, text)
    if flagged is None:
        return section
    audit.record(
        session,
        now,
        actor.label,
        "code.update",
        "code_section",
        section.id,
        section.organisation_id,
        ref=ref,
        version=section.version,
        flagged_dilemmas=flagged,
    )
    session.commit()
    return section


def editable_section(session: Session, actor: Actor, ref: str) -> tuple[CodeSection, list[Dilemma]]:
    """A section of one of the actor's organisations, and the dilemmas a new
    version of it would flag for review (those in reach, newest first)."""
    section = session.scalar(select(CodeSection).where(CodeSection.ref == ref))
    if section is None or not actor.sees(section.organisation_id):
        raise NotFound(f"Artikel '{ref}' bestaat niet of valt buiten je bereik.")
    ids = _referring(session, section)
    found = session.scalars(
        select(Dilemma).where(Dilemma.id.in_(ids), Dilemma.organisation_id.in_(actor.scope)).order_by(Dilemma.id.desc())
    )
    return section, list(found)
