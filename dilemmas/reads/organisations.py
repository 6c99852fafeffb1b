"""The organisation tree as requests read it: the chain of ancestors, a
subtree, look-ups by slug and enrolment code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound
from dilemmas.model.organisations import EnrolmentCode, Organisation
from dilemmas.reads.memo import remembered
from dilemmas.typed_codes import normalise_code


def by_slug(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(f"Organisatie '{slug}' bestaat niet.")
    return organisation


def root(session: Session) -> Organisation:
    """The organisation without a parent (Rijk); exactly one is expected."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id)
    )
    if organisation is None:
        raise NotFound("Er is nog geen organisatie geladen (kompas init).")
    return organisation


@dataclass(frozen=True)
class OrganisationNode:
    """An organisation's place in the tree, as a request needs it: read-only,
    so that the requests of one process can share it (``remembered``)."""

    id: int
    parent_id: int | None
    name: str
    timezone: str


def _tree(session: Session) -> dict[int, OrganisationNode]:
    rows = session.execute(select(Organisation.id, Organisation.parent_id, Organisation.name, Organisation.timezone))
    return {row.id: OrganisationNode(*row) for row in rows}


def _chain(session: Session, organisation_id: int) -> tuple[OrganisationNode, ...]:
    everyone = remembered(session, "organisations", lambda: _tree(session))
    result = [everyone[organisation_id]]
    while result[-1].parent_id is not None and len(result) <= len(everyone):
        result.append(everyone[result[-1].parent_id])
    return tuple(result)


def chain(session: Session, organisation_id: int) -> tuple[OrganisationNode, ...]:
    """The organisation and its ancestors, nearest first."""
    return remembered(session, ("chain", organisation_id), lambda: _chain(session, organisation_id))


def subtree_ids(session: Session, organisation_id: int) -> set[int]:
    """The organisation and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in session.execute(select(Organisation.id, Organisation.parent_id)):
        children.setdefault(parent_id, []).append(org_id)
    found, todo = set(), [organisation_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def by_enrolment_code(session: Session, code: str) -> Organisation | None:
    """The organisation an active enrolment code belongs to, or None."""
    return session.scalar(
        select(Organisation)
        .join(EnrolmentCode, EnrolmentCode.organisation_id == Organisation.id)
        .where(EnrolmentCode.code == normalise_code(code), EnrolmentCode.active.is_(True))
    )


def names_by_slug(session: Session) -> dict[str, str]:
    """Every organisation's name by its slug: what a page shows for a slug."""
    return {row.slug: row.name for row in session.execute(select(Organisation.slug, Organisation.name))}
