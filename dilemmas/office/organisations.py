"""The integrity office's side of organisations: enrolment codes to hand out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.model.organisations import EnrolmentCode, Organisation
from dilemmas.office import audit
from dilemmas.office.scope import Actor, organisation_in_scope, organisations_in_scope
from dilemmas.typed_codes import new_code


def current_enrolment_code(session: Session, organisation: Organisation, now: datetime) -> str:
    """The organisation's active enrolment code, created when it has none."""
    code = session.scalar(
        select(EnrolmentCode.code)
        .where(EnrolmentCode.organisation_id == organisation.id, EnrolmentCode.active.is_(True))
        .order_by(EnrolmentCode.id.desc())
    )
    if code is None:
        code = new_code()
        session.add(EnrolmentCode(organisation_id=organisation.id, code=code, created_at=now))
        session.commit()
    return code


def enrolment_codes(session: Session, actor: Actor) -> list[tuple[Organisation, str | None]]:
    """The active enrolment code of each organisation in scope."""
    actor.require("admin")
    codes = {
        row.organisation_id: row.code
        for row in session.scalars(
            select(EnrolmentCode).where(EnrolmentCode.active.is_(True)).order_by(EnrolmentCode.id)
        )
    }
    return [(o, codes.get(o.id)) for o in organisations_in_scope(session, actor)]


def rotate_enrolment_code(session: Session, actor: Actor, now: datetime, slug: str | None) -> tuple[Organisation, str]:
    """A new code for the organisation. The old one stops working for new
    installations; installations already enrolled stay where they are."""
    actor.require("admin")
    organisation = organisation_in_scope(session, actor, slug)
    for old in session.scalars(
        select(EnrolmentCode).where(EnrolmentCode.organisation_id == organisation.id, EnrolmentCode.active.is_(True))
    ):
        old.active = False
    code = new_code()
    session.add(EnrolmentCode(organisation_id=organisation.id, code=code, created_at=now))
    audit.record(session, now, actor.label, "enrolment_code.rotate", "organisation", organisation.id, organisation.id)
    session.commit()
    return organisation, code
