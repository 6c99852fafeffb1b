"""Who may do what where: an actor of the integrity office has one role
over its organisation and that organisation's children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import Forbidden, NotFound
from dilemmas.model.organisations import Organisation


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person with one role over a set of organisations."""

    token_id: int
    name: str
    role: str
    organisation: Organisation
    scope: frozenset[int]
    expires_at: datetime

    def can(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    def require(self, *roles: str) -> None:
        if not self.can(*roles):
            raise Forbidden(f"Hiervoor is de rol {' of '.join(roles)} nodig; je token heeft de rol {self.role}.")

    def sees(self, organisation_id: int) -> bool:
        return organisation_id in self.scope

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def organisations_in_scope(session: Session, actor: Actor) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(actor.scope)).order_by(Organisation.id)))


def organisation_in_scope(session: Session, actor: Actor, slug: str | None) -> Organisation:
    """The organisation an actor names (default: their own); NotFound when
    it is outside their scope, as if it did not exist."""
    if slug is None:
        return actor.organisation
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None or not actor.sees(organisation.id):
        raise NotFound(f"Organisatie '{slug}' bestaat niet of valt buiten je bereik.")
    return organisation
