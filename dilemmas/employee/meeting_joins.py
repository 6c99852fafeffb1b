"""Joining a team's meeting with its six-digit code, and the throttle that
makes guessing codes useless: a delay that doubles with each failure."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dilemmas.employee import teams
from dilemmas.employee.installations import register
from dilemmas.employee.meetings import CLOSED, MeetingView, assign_new_code, caller_access, view_of
from dilemmas.errors import Invalid, NotFound, TooManyAttempts
from dilemmas.model.meetings import JoinThrottle, Meeting, Participant
from dilemmas.model.organisations import Organisation
from dilemmas.storage.conflicts import insert_for

if TYPE_CHECKING:
    from dilemmas.model.installations import Respondent


JOIN_CODE = re.compile(r"^\d{6}$")
# Hex digits of a QR link's proof: 64 bits, beyond any guessing.
PROOF_LENGTH = 16


# Guessing: every open session of the organisation gets a new code after
# this many failed join attempts.
MAX_FAILED_JOINS = 100


# Per installation: a few free failures, then a delay that doubles with every
# failure up to an hour; a day without failures forgets them.
FREE_FAILURES = 3


MAX_DELAY = timedelta(hours=1)


FORGET_FAILURES_AFTER = timedelta(hours=24)


def delay_after(failures: int) -> timedelta:
    """How long an installation waits after ``failures`` failed attempts in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    exponent = min(failures - FREE_FAILURES, 20)
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


def _throttle(session: Session, installation: Respondent, now: datetime) -> JoinThrottle:
    """The installation's failure record, locked; TooManyAttempts while it
    has to wait."""
    session.execute(
        insert_for(session, JoinThrottle.__table__)
        .values(installation_id=installation.id, failures=0, retry_at=now)
        .on_conflict_do_nothing()
    )
    throttle = session.scalars(
        select(JoinThrottle)
        .where(JoinThrottle.installation_id == installation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if throttle.retry_at > now:
        wait = math.ceil((throttle.retry_at - now).total_seconds())
        raise TooManyAttempts(f"Te veel verkeerde codes. Probeer het over {wait} seconden opnieuw.", wait)
    return throttle


def _count_failure(session: Session, throttle: JoinThrottle, installation: Respondent, now: datetime) -> None:
    if now - throttle.retry_at >= FORGET_FAILURES_AFTER:
        throttle.failures = 0
    throttle.failures += 1
    throttle.retry_at = now + delay_after(throttle.failures)
    # Every open session of the organisation could have been the target.
    _count_against_open_meetings(session, now, Meeting.organisation_id == installation.organisation_id)


def _count_against_open_meetings(session: Session, now: datetime, *where) -> None:
    """Lock the open meetings in reach in id order (two failures at once
    must not deadlock), count a failed join against each, and give a new
    code to those that have faced too many guesses."""
    in_reach = session.scalars(
        select(Meeting.id)
        .where(*where, Meeting.join_code.is_not(None), Meeting.expires_at > now)
        .order_by(Meeting.id)
        .with_for_update()
    ).all()
    if not in_reach:
        return
    session.execute(
        update(Meeting)
        .where(Meeting.id.in_(in_reach))
        .values(failed_joins=Meeting.failed_joins + 1)
        .execution_options(synchronize_session=False)
    )
    exhausted = session.scalars(
        select(Meeting)
        .where(Meeting.id.in_(in_reach), Meeting.failed_joins >= MAX_FAILED_JOINS)
        .order_by(Meeting.id)
        .execution_options(populate_existing=True)
    ).all()
    for row in exhausted:
        assign_new_code(session, row)
        row.failed_joins = 0


def join(session: Session, installation: Respondent, join_code: str, now: datetime) -> MeetingView:
    """Join the open session with this code (same organisation only).
    Joining again changes nothing. A wrong code counts as a failed attempt
    of the installation and against every open session of its organisation."""
    if not JOIN_CODE.match(join_code):
        raise Invalid("Een sessiecode is zes cijfers.", {"join_code": ["Zes cijfers."]})
    throttle = _throttle(session, installation, now)
    row = session.scalars(
        select(Meeting)
        .where(*_open_with(join_code, now), Meeting.organisation_id == installation.organisation_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        _count_failure(session, throttle, installation, now)
        session.commit()
        raise NotFound("Er is geen open sessie met deze code.")
    access = caller_access(installation, row, teams.is_lead(session, installation, row.team_id))
    session.execute(
        insert_for(session, Participant.__table__)
        .values(session_id=row.id, voter_key=access.key)
        .on_conflict_do_nothing()
    )
    if throttle.failures == 0:
        # Nothing to remember. Failures are not forgiven by a success: a
        # guesser who knows one good code could otherwise reset the delay.
        session.delete(throttle)
    session.commit()
    return view_of(session, access, now)


@dataclass(frozen=True)
class WebJoin:
    """A browser joined a meeting: the meeting, and the token of the web
    installation made for it on the spot (None when it already had one)."""

    meeting: MeetingView
    token: str | None


def _open_with(join_code: str, now: datetime) -> tuple:
    """What makes a meeting the open one with this code."""
    return (Meeting.join_code == join_code, Meeting.state != CLOSED, Meeting.expires_at > now)


def _open_meeting(session: Session, join_code: str, now: datetime) -> Meeting | None:
    return session.scalars(select(Meeting).where(*_open_with(join_code, now))).one_or_none()


def link_proof(secret_key: bytes, meeting_id: int, join_code: str) -> str:
    """What the presenter screen's QR link carries beside the code
    (``/join/123456-<proof>``): proof that the link came from the screen of
    this meeting. A guesser cannot make one without the server secret, so
    a browser that scanned the QR is spared the cap on typed codes over all
    addresses, which anyone can spend (docs/meetings.md)."""
    message = b"kompas join link\x00" + f"{meeting_id}:{join_code}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()[:PROOF_LENGTH]


def join_on_the_web(
    session: Session,
    secret_key: bytes,
    join_code: str,
    now: datetime,
    installation: Respondent | None,
    proof: str | None = None,
) -> WebJoin:
    """Join from a phone's browser, without the app. A browser without an
    installation gets one of platform ``web`` in the meeting's organisation,
    made only once the code is right; then it joins as any phone does
    (``join``), with the same keys, counts and throttles. A wrong code
    counts as a failure of the installation; from a browser without one it
    belongs to no organisation and counts against no meeting (so no
    meeting gets a new code for another organisation's typos): the web
    layer caps such codes per address and over all addresses
    (``api.platform.limits.web_code_limits``). With the ``proof`` of the
    screen's QR link the code must belong to that link's meeting."""
    if not JOIN_CODE.match(join_code or ""):
        raise Invalid("Een sessiecode is zes cijfers.", {"join_code": ["Zes cijfers."]})
    # A link's code is looked up only with its proof: a wrong proof and a
    # wrong code read the same, so links cannot walk the codes.
    row = _open_meeting(session, join_code, now) if proof is not None or installation is None else None
    if proof is not None and (
        row is None or not hmac.compare_digest(proof.encode(), link_proof(secret_key, row.id, join_code).encode())
    ):
        raise NotFound("Er is geen open sessie met deze code.")
    if installation is not None:
        return WebJoin(join(session, installation, join_code, now), None)
    if row is None:
        raise NotFound("Er is geen open sessie met deze code.")
    registration = register(
        session, secret_key, now, "web", organisation=session.get(Organisation, row.organisation_id)
    )
    return WebJoin(join(session, registration.installation, join_code, now), registration.token)
