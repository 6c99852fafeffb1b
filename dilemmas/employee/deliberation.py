"""Guided deliberation in a meeting, its presenter screen and its outcome.

- The lead picks a method (content/methods/*.yaml) and moves from step to
  step; with ``auto`` the timer moves on by itself (``reads.deliberation``).
- The presenter screen opens one meeting with a one-time code that the
  lead's phone asks for; the web layer turns it into a cookie. The screen
  sees what every phone sees, without a vote of its own, and may steer
  (next step, reveal, revote) with the lead's authority until the lead's
  phone revokes that.
- The outcome is the team's: values and interests per option, agreements,
  a day to look back. Nothing in it names or links a participant."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dilemmas.employee import ballots, meetings, teams
from dilemmas.employee.meeting_rules import Consensus
from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound, UnknownReference
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.deliberation import (
    AGREEMENT_MAX,
    VALUE_MAX,
    Deliberation,
    Method,
    Outcome,
    OutcomeValue,
    ScreenCode,
)
from dilemmas.model.meetings import Meeting, TeamAnswer
from dilemmas.model.organisations import Organisation
from dilemmas.model.teams import Team
from dilemmas.reads.content import DilemmaContent, content_of
from dilemmas.reads.deliberation import walk

if TYPE_CHECKING:
    from dilemmas.model.installations import Respondent

SCREEN_CODE_LIFETIME = timedelta(minutes=5)
MAX_VALUES = 8
MAX_AGREEMENTS = 5
LOOK_BACK_WITHIN = timedelta(days=366)


@dataclass(frozen=True)
class MethodSummary:
    slug: str
    name: str
    steps: tuple[dict, ...]


def methods(session: Session) -> list[MethodSummary]:
    """Every method a meeting can follow."""
    return [
        MethodSummary(m.slug, m.name, tuple(m.steps)) for m in session.scalars(select(Method).order_by(Method.slug))
    ]


def follow(
    session: Session, installation: Respondent, meeting_id: int, method_slug: str, auto: bool, now: datetime
) -> meetings.MeetingView:
    """Let the meeting follow a method from its first step (lead). Choosing
    again starts over."""
    access = meetings.lead_access(session, installation, meeting_id, now)
    if session.get(Method, method_slug) is None:
        raise UnknownReference("Onbekende methode.", {"method": ["Kies een methode uit de lijst."]})
    row = session.get(Deliberation, meeting_id)
    if row is None:
        row = Deliberation(session_id=meeting_id)
        session.add(row)
    row.method_slug, row.step, row.step_started_at, row.auto = method_slug, 0, now, auto
    row.revealed_step = None
    session.commit()
    return meetings.view_of(session, access, now)


def move(
    session: Session, installation: Respondent, meeting_id: int, by: int, now: datetime, auto: bool | None = None
) -> meetings.MeetingView:
    """Go ``by`` steps forward (or back), starting that step's timer (lead).
    ``auto`` switches the timer's moving on or off."""
    access = meetings.lead_access(session, installation, meeting_id, now)
    return _move(session, access, by, now, auto)


def _move(
    session: Session, access: meetings.Access, by: int, now: datetime, auto: bool | None = None
) -> meetings.MeetingView:
    meeting_id = access.row.id
    row = session.get(Deliberation, meeting_id)
    if row is None:
        raise Conflict("Deze sessie volgt geen methode; kies eerst een methode.", cause="no-method")
    minutes = [s["minutes"] for s in session.get(Method, row.method_slug).steps]
    current, _ = walk(minutes, row.step, row.step_started_at, row.auto, now)
    row.step = max(0, min(current + by, len(minutes) - 1))
    row.step_started_at = now
    if auto is not None:
        row.auto = auto
    session.commit()
    return meetings.view_of(session, access, now)


def _hash(code: str) -> str:
    return hashlib.sha256(b"kompas screen\x00" + code.encode()).hexdigest()


@dataclass(frozen=True)
class ScreenGrant:
    code: str
    expires_at: datetime


def grant_screen(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> ScreenGrant:
    """A one-time code that opens the presenter screen of this meeting, valid
    five minutes (lead)."""
    meetings.lead_access(session, installation, meeting_id, now)
    code = secrets.token_urlsafe(12)
    session.add(ScreenCode(code_hash=_hash(code), session_id=meeting_id, expires_at=now + SCREEN_CODE_LIFETIME))
    session.commit()
    return ScreenGrant(code, now + SCREEN_CODE_LIFETIME)


@dataclass(frozen=True)
class ScreenPass:
    """An opened screen: its meeting, until when, and the hash of the code
    that opened it (the key of its steering right)."""

    meeting_id: int
    expires_at: datetime
    steering_key: str


def redeem_screen(session: Session, code: str, now: datetime) -> ScreenPass:
    """Use a screen code once: the meeting it opens and until when (the end
    of the meeting). NotFound for an unknown, used or expired code."""
    row = session.get(ScreenCode, _hash(code or ""), with_for_update=True)
    meeting = session.get(Meeting, row.session_id) if row is not None else None
    if row is None or row.used or now >= row.expires_at or meetings.effective_state(meeting, now) == "closed":
        raise NotFound("Deze code werkt niet (meer). Vraag op de telefoon een nieuwe code.")
    used = session.execute(
        update(ScreenCode).where(ScreenCode.code_hash == row.code_hash, ScreenCode.used.is_(False)).values(used=True)
    ).rowcount
    session.commit()
    if used != 1:
        raise NotFound("Deze code werkt niet (meer). Vraag op de telefoon een nieuwe code.")
    return ScreenPass(meeting.id, meeting.expires_at, row.code_hash)


STEERING = ("next", "back", "reveal", "revote")


def may_steer(session: Session, meeting_id: int, steering_key: str | None) -> bool:
    """Whether the screen opened with this code may still steer: the lead's
    phone revokes that by removing the meeting's screen codes."""
    if not steering_key:
        return False
    row = session.get(ScreenCode, steering_key, populate_existing=True)
    return row is not None and row.session_id == meeting_id and row.used


def steer(
    session: Session,
    meeting_id: int,
    steering_key: str | None,
    action: str,
    min_votes: int,
    now: datetime,
    counter_key: bytes,
) -> meetings.MeetingView:
    """What the lead could do from the phone, done from the presenter screen
    (the laptop): the next or previous step, reveal, revote. The screen's
    right comes from the lead's one-time code and ends when the lead revokes
    it or the meeting ends; Forbidden after that."""
    if action not in STEERING:
        raise UnknownReference("Onbekende stap.", {"action": [f"Kies uit {', '.join(STEERING)}."]})
    if not may_steer(session, meeting_id, steering_key):
        raise Forbidden("Dit scherm mag de sessie niet (meer) sturen; de teamleider kan een nieuwe code geven.")
    access = meetings.steering_access(session, meeting_id, counter_key, now)
    if action == "reveal":
        return meetings.reveal_as(session, access, min_votes, now)
    if action == "revote":
        return meetings.revote_as(session, access, now)
    return _move(session, access, 1 if action == "next" else -1, now)


def revoke_screens(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> int:
    """The lead takes every screen's steering right back (the screens keep
    showing the meeting); how many screens had one."""
    meetings.lead_access(session, installation, meeting_id, now)
    removed = session.execute(delete(ScreenCode).where(ScreenCode.session_id == meeting_id)).rowcount
    session.commit()
    return int(removed or 0)


@dataclass(frozen=True)
class ScreenView:
    """What the room sees: the meeting as any phone sees it, the dilemma and
    the outcome so far. ``moved_on``: the method's step is another than the
    one the last reveal happened in (or there was no reveal in this method);
    ``next_step``: the title of the step after the current one."""

    meeting: meetings.MeetingView
    dilemma: DilemmaContent
    outcome: OutcomeView | None
    moved_on: bool = False
    next_step: str | None = None


def screen(session: Session, meeting_id: int, now: datetime, counter_key: bytes) -> ScreenView:
    """The presenter screen of a meeting (for the holder of its screen pass)."""
    row = session.get(Meeting, meeting_id, populate_existing=True)
    if row is None:
        raise NotFound("Deze sessie bestaat niet.")
    # The screen votes never: a key no phone can have.
    view = meetings.view_of(session, meetings.Access(row, "", False, ballots.vault_key(counter_key)), now)
    moved_on, next_step = False, None
    if view.step is not None:
        followed = session.get(Deliberation, meeting_id)
        index = view.step.number - 1
        moved_on = followed.revealed_step is None or followed.revealed_step != index
        steps = session.get(Method, followed.method_slug).steps
        next_step = steps[index + 1]["title"] if index + 1 < len(steps) else None
    return ScreenView(
        view, content_of(session, row.dilemma_id), outcome_of(session, meeting_id), moved_on, next_step
    )


@dataclass(frozen=True)
class OutcomeView:
    values: dict[str, tuple[str, ...]]
    agreements: tuple[str, ...]
    look_back_on: date | None


def outcome_of(session: Session, meeting_id: int) -> OutcomeView | None:
    row = session.get(Outcome, meeting_id, populate_existing=True)
    if row is None:
        return None
    values: dict[str, list[str]] = {}
    for value in session.scalars(
        select(OutcomeValue)
        .where(OutcomeValue.session_id == meeting_id)
        .order_by(OutcomeValue.option, OutcomeValue.position)
    ):
        values.setdefault(value.option, []).append(value.text)
    return OutcomeView({k: tuple(v) for k, v in values.items()}, tuple(row.agreements), row.look_back_on)


@dataclass(frozen=True)
class MeetingOutcome:
    """A meeting's outcome as a phone reads it back (after a look-back
    push): the team's answer recorded in it, and what the lead wrote."""

    meeting_id: int
    team_id: int
    dilemma_id: int
    consensus: Consensus | None
    outcome: OutcomeView


def read_outcome(session: Session, installation: Respondent, meeting_id: int, now: datetime) -> MeetingOutcome:
    """The outcome of a meeting, for the members of its team (the look-back
    reaches them all, whether they were in the room or not) and for whoever
    took part; NotFound for anyone else, as for the meeting itself. Before
    the lead wrote anything: no values, no agreements, no day."""
    row = session.get(Meeting, meeting_id, populate_existing=True)
    if row is None or row.organisation_id != installation.organisation_id:
        raise NotFound("Deze sessie bestaat niet of je doet er niet aan mee.")
    try:
        teams.membership(session, installation, row.team_id)
    except NotFound:
        # Not (or no longer) in the team: a participant of the meeting still
        # reads what the room saw on the screen; anyone else gets NotFound.
        meetings.view(session, installation, meeting_id, now)
    answer = session.get(TeamAnswer, (row.team_id, row.dilemma_id), populate_existing=True)
    consensus = Consensus(answer.option, answer.note) if answer is not None and answer.session_id == row.id else None
    outcome = outcome_of(session, meeting_id) or OutcomeView({}, (), None)
    return MeetingOutcome(row.id, row.team_id, row.dilemma_id, consensus, outcome)


def _texts(items: list[str], field: str, maximum: int, count: int) -> list[str]:
    if len(items) > count:
        raise Invalid("Te veel regels.", {field: [f"Hoogstens {count}."]})
    return [t for t in (teams.plain_text(i, field, maximum) for i in items) if t]


def record_outcome(
    session: Session,
    installation: Respondent,
    meeting_id: int,
    values: dict[str, list[str]],
    agreements: list[str],
    look_back_on: date | None,
    now: datetime,
) -> OutcomeView:
    """Write what the team takes from the meeting (lead; replaces what was
    written before): values and interests per option, agreements, and a day
    to look back on them, on which the team's phones get the agreements."""
    access = meetings.lead_access(session, installation, meeting_id, now)
    unknown = set(values) - set(OPTION_KEYS)
    if unknown:
        raise Invalid("Onbekende optie.", {"values": [f"Kies opties uit {', '.join(OPTION_KEYS)}."]})
    cleaned = {option: _texts(texts, "values", VALUE_MAX, MAX_VALUES) for option, texts in values.items()}
    agreements = _texts(agreements, "agreements", AGREEMENT_MAX, MAX_AGREEMENTS)
    if look_back_on is not None and not now.date() < look_back_on <= (now + LOOK_BACK_WITHIN).date():
        # A well-formed date that the calendar of now refuses: a conflict
        # with the present, like a week that has begun.
        raise Conflict("Kies een datum in de toekomst, binnen een jaar.", cause="out-of-range", field="look_back_on")
    row = session.get(Outcome, meeting_id) or Outcome(session_id=meeting_id, team_id=access.row.team_id)
    row.agreements, row.look_back_on, row.reminded = agreements, look_back_on, False
    session.add(row)
    session.execute(OutcomeValue.__table__.delete().where(OutcomeValue.session_id == meeting_id))
    for option, texts in sorted(cleaned.items()):
        for position, text in enumerate(texts):
            session.add(OutcomeValue(session_id=meeting_id, option=option, position=position, text=text))
    session.commit()
    return outcome_of(session, meeting_id)


@dataclass(frozen=True)
class LookBack:
    meeting_id: int
    team_id: int
    team_name: str
    organisation_id: int
    timezone: str
    agreements: tuple[str, ...]


def due_look_backs(session: Session, now: datetime) -> list[LookBack]:
    """Outcomes whose day to look back has come in their organisation's
    time zone, and whose team has not been reminded yet."""
    rows = session.execute(
        select(Outcome, Team.name, Team.organisation_id, Organisation.timezone)
        .join(Team, Team.id == Outcome.team_id)
        .join(Organisation, Organisation.id == Team.organisation_id)
        # A day ahead of UTC at most: the exact day is checked per time zone.
        .where(Outcome.look_back_on <= (now + timedelta(days=1)).date(), Outcome.reminded.is_(False))
        .order_by(Outcome.session_id)
    ).all()
    return [
        LookBack(o.session_id, o.team_id, name, org, zone, tuple(o.agreements))
        for o, name, org, zone in rows
        if o.look_back_on <= now.astimezone(ZoneInfo(zone)).date()
    ]


def mark_reminded(session: Session, meeting_id: int) -> bool:
    """Mark a look-back as sent; False when another process was first.
    Does not commit: the caller commits with the push it plans."""
    return (
        session.execute(
            update(Outcome).where(Outcome.session_id == meeting_id, Outcome.reminded.is_(False)).values(reminded=True)
        ).rowcount
        == 1
    )
