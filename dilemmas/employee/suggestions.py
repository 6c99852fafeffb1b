"""An employee suggests a dilemma, anonymously."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import UnknownReference
from dilemmas.model.content import Category
from dilemmas.model.installations import Installation
from dilemmas.model.suggestions import Suggestion
from dilemmas.weeks import local_day


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
