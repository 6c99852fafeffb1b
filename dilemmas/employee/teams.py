"""Teams: a few colleagues who answer together in their team meeting.

A team belongs to one organisation; its members are installations of that
organisation. The creator is the lead; others join with the team's invite
code, which the lead can replace at any time. Nobody, the lead included, can
list who is in a team: a member is known to the lead only by an opaque
handle ("member 3") that the member can read in their own app and say out
loud when the lead role is to be handed over. Handles are numbered in joining
order and never reused; they appear nowhere else (not with answers, not with
votes), so knowing whose handle is whose reveals nothing.

When the lead leaves (or erases the installation) the member who has been in
the team longest becomes lead; when the last member leaves the team is
deleted with its sessions. Memberships of installations that move to another
organisation are ended, so a team's answers are always a part of its
organisation's answers."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound, UnknownReference
from dilemmas.model.teams import INVITE_CODE_LENGTH, LEAD, MEMBER, NAME_MAX, Membership, Team
from dilemmas.storage.conflicts import retry_on_conflict
from dilemmas.typed_codes import ENROLMENT_ALPHABET, format_code, normalise_code

if TYPE_CHECKING:
    from dilemmas.model.installations import Installation


MAX_TEAMS_PER_INSTALLATION = 10


@dataclass(frozen=True)
class TeamView:
    """A team as one member sees it: never who the other members are."""

    id: int
    name: str
    member_count: int
    role: str
    handle: int
    invite_code: str | None  # only for the lead


@dataclass(frozen=True)
class MemberHandle:
    handle: int
    role: str
    you: bool


def new_invite_code() -> str:
    """A random invite code (stored without dashes)."""
    return "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def plain_text(text: str, field: str, maximum: int) -> str:
    """``text`` on one line with single spaces; Invalid when it holds control
    characters or lone surrogates (which PostgreSQL refuses, and no phone
    types) or is too long."""
    cleaned = " ".join(text.split())
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in cleaned):
        raise Invalid("De tekst bevat tekens die niet kunnen.", {field: ["Geen stuurtekens."]})
    if len(cleaned) > maximum:
        raise Invalid("De tekst is te lang.", {field: [f"Hoogstens {maximum} tekens."]})
    return cleaned


def _clean_name(name: str) -> str:
    cleaned = plain_text(name, "name", NAME_MAX)
    if not cleaned:
        raise Invalid("Geef het team een naam.", {"name": ["Mag niet leeg zijn."]})
    return cleaned


def _view(session: Session, team: Team, membership: Membership) -> TeamView:
    count = session.scalar(select(func.count()).select_from(Membership).where(Membership.team_id == team.id))
    lead = membership.role == LEAD
    return TeamView(
        id=team.id,
        name=team.name,
        member_count=int(count or 0),
        role=membership.role,
        handle=membership.handle,
        invite_code=format_code(team.invite_code) if lead else None,
    )


def _lock(session: Session, team_id: int) -> Team | None:
    """The team row, locked until the transaction ends: every change of
    membership or role of one team happens one at a time (PostgreSQL; SQLite
    writers are serialised anyway)."""
    return session.scalars(
        select(Team).where(Team.id == team_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()


def membership(session: Session, installation: Installation, team_id: int, *, lock: bool = False) -> Membership:
    """The installation's membership of a team of its organisation;
    NotFound for a team it is not in or that it may not know exists."""
    team = _lock(session, team_id) if lock else session.get(Team, team_id)
    found = None
    if team is not None and team.organisation_id == installation.organisation_id:
        found = session.get(Membership, (team_id, installation.id), populate_existing=lock)
    if found is None:
        raise NotFound("Dit team bestaat niet of je bent er geen lid van.")
    return found


def lead_membership(session: Session, installation: Installation, team_id: int, *, lock: bool = False) -> Membership:
    """As ``membership``, and Forbidden unless the installation is the lead."""
    found = membership(session, installation, team_id, lock=lock)
    if found.role != LEAD:
        raise Forbidden("Alleen de teamleider kan dit doen.", cause="lead-only")
    return found


def is_lead(session: Session, installation: Installation, team_id: int) -> bool:
    """Whether the installation is the team's lead now."""
    found = session.get(Membership, (team_id, installation.id))
    return found is not None and found.role == LEAD


def _check_room(session: Session, installation: Installation) -> None:
    count = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.installation_id == installation.id)
    )
    if (count or 0) >= MAX_TEAMS_PER_INSTALLATION:
        raise Conflict(
            f"Je bent al lid van {MAX_TEAMS_PER_INSTALLATION} teams; verlaat er eerst een.",
            cause="team-limit",
            limit=MAX_TEAMS_PER_INSTALLATION,
        )


def create(session: Session, installation: Installation, name: str, now: datetime) -> TeamView:
    """Create a team in the installation's organisation, with the
    installation as its lead."""
    name = _clean_name(name)
    _check_room(session, installation)

    def insert(code: str) -> Team:
        team = Team(
            organisation_id=installation.organisation_id, name=name, invite_code=code, next_handle=2, created_at=now
        )
        session.add(team)
        session.flush()
        return team

    team = retry_on_conflict(session, lambda: insert(new_invite_code()))
    lead = Membership(team_id=team.id, installation_id=installation.id, role=LEAD, handle=1)
    session.add(lead)
    session.commit()
    return _view(session, team, lead)


def join(session: Session, installation: Installation, invite_code: str) -> TeamView:
    """Join the team of an invite code. Joining again changes nothing. An
    unknown code and a team of another organisation look the same."""
    code = normalise_code(invite_code)
    team_id = session.scalar(
        select(Team.id).where(Team.invite_code == code, Team.organisation_id == installation.organisation_id)
    )
    team = _lock(session, team_id) if team_id is not None else None
    if team is None or team.invite_code != code:
        raise NotFound("Er is geen team met deze uitnodigingscode.")
    mine = session.get(Membership, (team.id, installation.id))
    if mine is None:
        _check_room(session, installation)
        mine = Membership(team_id=team.id, installation_id=installation.id, role=MEMBER, handle=team.next_handle)
        team.next_handle += 1
        session.add(mine)
        session.commit()
    return _view(session, team, mine)


def mine(session: Session, installation: Installation) -> list[TeamView]:
    """The installation's teams, by name."""
    rows = session.execute(
        select(Team, Membership)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.installation_id == installation.id, Team.organisation_id == installation.organisation_id)
        .order_by(Team.name, Team.id)
    ).all()
    if not rows:
        return []
    counts = dict(
        session.execute(
            select(Membership.team_id, func.count())
            .where(Membership.team_id.in_([team.id for team, _ in rows]))
            .group_by(Membership.team_id)
        ).all()
    )
    return [
        TeamView(
            id=team.id,
            name=team.name,
            member_count=int(counts.get(team.id, 0)),
            role=member.role,
            handle=member.handle,
            invite_code=format_code(team.invite_code) if member.role == LEAD else None,
        )
        for team, member in rows
    ]


def detail(session: Session, installation: Installation, team_id: int) -> TeamView:
    """One of the installation's teams: name, size and the caller's role."""
    found = membership(session, installation, team_id)
    return _view(session, session.get(Team, team_id), found)


def rotate_invite_code(session: Session, installation: Installation, team_id: int) -> TeamView:
    """Replace the invite code (lead only): the old one stops working."""
    lead = lead_membership(session, installation, team_id, lock=True)
    team = session.get(Team, team_id)

    def replace() -> None:
        team.invite_code = new_invite_code()
        session.flush()

    retry_on_conflict(session, replace)
    session.commit()
    return _view(session, team, lead)


def members(session: Session, installation: Installation, team_id: int) -> list[MemberHandle]:
    """The members' handles, for the lead to pick the next lead from."""
    lead_membership(session, installation, team_id)
    rows = session.scalars(select(Membership).where(Membership.team_id == team_id).order_by(Membership.handle))
    return [MemberHandle(m.handle, m.role, m.installation_id == installation.id) for m in rows]


def hand_over(session: Session, installation: Installation, team_id: int, handle: int) -> TeamView:
    """Make the member with ``handle`` the lead; the caller becomes a member."""
    lead = lead_membership(session, installation, team_id, lock=True)
    if handle == lead.handle:
        return _view(session, session.get(Team, team_id), lead)
    successor = session.scalar(select(Membership).where(Membership.team_id == team_id, Membership.handle == handle))
    if successor is None:
        raise UnknownReference("Er is geen lid met dit nummer in het team.", {"handle": ["Onbekend lid."]})
    lead.role, successor.role = MEMBER, LEAD
    session.commit()
    return _view(session, session.get(Team, team_id), lead)


def _remove(session: Session, team_id: int, installation_id: str) -> None:
    """End one membership with the team locked; pass the lead role on, or
    delete the team when nobody is left. The caller commits."""
    team = _lock(session, team_id)
    if team is None:
        return
    gone = session.get(Membership, (team_id, installation_id), populate_existing=True)
    if gone is None:
        return
    was_lead = gone.role == LEAD
    session.delete(gone)
    session.flush()
    successor = session.scalar(
        select(Membership).where(Membership.team_id == team_id).order_by(Membership.handle).limit(1)
    )
    if successor is None:
        # The database deletes its sessions, votes and recorded answers with
        # it; the tallies stay, as they do when an installation is erased.
        session.delete(team)
        session.flush()
    elif was_lead:
        successor.role = LEAD


def leave(session: Session, installation: Installation, team_id: int) -> None:
    """Leave a team. Answers already given keep counting for it."""
    membership(session, installation, team_id)
    _remove(session, team_id, installation.id)
    session.commit()


def leave_all(session: Session, installation: Installation) -> None:
    """End every membership of the installation (erasure, or a move to
    another organisation). The caller commits."""
    team_ids = session.scalars(
        select(Membership.team_id).where(Membership.installation_id == installation.id).order_by(Membership.team_id)
    ).all()
    for team_id in team_ids:
        _remove(session, team_id, installation.id)
