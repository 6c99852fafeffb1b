"""What the content loader must leave alone: a dilemma or code section the
integrity office has revised belongs to the office from then on.

The bundled bank is where a text starts, not where it lives: ``kompas init``
runs on every ``make run``, and a newer bundled text must never replace an
edit made in the console or through the admin API. Such a text is skipped
and reported instead, so the office can compare and adopt it by hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from dilemmas.model.audit import AuditEntry
from dilemmas.model.code import CodeSection
from dilemmas.model.content import Dilemma
from dilemmas.office.authoring import same_content

# Changes the office makes to a dilemma that do not make a revision
# (category, audience) are only in the audit log.
OFFICE_DILEMMA_ACTIONS = ("dilemma.update",)


def dilemma_is_the_offices(session: Session, dilemma: Dilemma, loader: str) -> bool:
    """True once anyone but the loader wrote a revision of the dilemma or
    changed its category or audience."""
    if any(revision.author != loader for revision in dilemma.revisions):
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    AuditEntry.object_type == "dilemma",
                    AuditEntry.object_id == dilemma.id,
                    AuditEntry.action.in_(OFFICE_DILEMMA_ACTIONS),
                )
            )
        )
    )


def bundle_moved_on(dilemma: Dilemma, loader: str, content: dict[str, Any]) -> bool:
    """Whether the bundled text differs from the last one the loader wrote:
    only then is there something to report."""
    ours = [revision for revision in dilemma.revisions if revision.author == loader]
    return not ours or not same_content(ours[-1], content)


def section_is_the_offices(section: CodeSection, loader: str) -> bool:
    """True once anyone but the loader wrote a version of the section."""
    return any(version.author != loader for version in section.versions)


def section_bundle_moved_on(section: CodeSection, loader: str, title: str, text: str) -> bool:
    """Whether the bundled section differs from the last version the loader wrote."""
    ours = [version for version in section.versions if version.author == loader]
    return not ours or (ours[-1].title, ours[-1].text) != (title.strip(), text.strip())
