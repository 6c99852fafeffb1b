"""What the presenter screen's poll compares before it reads and renders a
meeting: one query for the meeting's change number (``meeting_changes``,
moved by triggers with every change the screen shows, migration 0017), the
content generation (the dilemma's texts) and the two moments after which
the screen changes without a write: the meeting's end, and a step's time
running out (steps last whole minutes from the moment they started, so
the minutes since then say when one may have moved on).

The number moves on a join and on a vote cast, which the screen shows as
counts, but not on a vote changed within a round, which it does not show:
a screen that polls learns nothing from it that the page would not say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dilemmas.model.deliberation import Deliberation
from dilemmas.model.meetings import Meeting, MeetingChange
from dilemmas.reads.memo import GENERATION

_MEETINGS, _CHANGES, _STEPS = Meeting.__table__, MeetingChange.__table__, Deliberation.__table__

# Plain Core, built once: the screens poll this every two seconds.
_CHANGE = (
    select(_CHANGES.c.version, GENERATION, _MEETINGS.c.expires_at, _STEPS.c.step_started_at)
    .select_from(
        _MEETINGS.join(_CHANGES, _CHANGES.c.session_id == _MEETINGS.c.id).outerjoin(
            _STEPS, _STEPS.c.session_id == _MEETINGS.c.id
        )
    )
    .where(_MEETINGS.c.id == bindparam("meeting_id"))
)


@dataclass(frozen=True)
class ScreenChange:
    """Equal for two polls exactly when the screen showed the same thing."""

    version: int
    generation: int
    ended: bool
    step_minute: int | None

    def tag(self) -> str:
        return f"{self.version}.{self.generation}.{int(self.ended)}.{self.step_minute}"


def screen_change(session: Session, meeting_id: int, now: datetime) -> ScreenChange | None:
    """None when the meeting has no change number (a database made without
    the migration's triggers): the caller renders and compares the bytes."""
    row = session.connection().execute(_CHANGE, {"meeting_id": meeting_id}).first()
    if row is None:
        return None
    version, generation, expires_at, step_started_at = row
    ended = now >= expires_at
    minute = None
    if step_started_at is not None and not ended:
        minute = int((now - step_started_at).total_seconds() // 60)
    return ScreenChange(version, generation, ended, minute)

