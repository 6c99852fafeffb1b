"""A meeting's rules, without the database: the states and what may happen
next in each, and what one participant sees of it (``MeetingView``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from dilemmas.errors import Conflict
from dilemmas.model.meetings import CLOSED, OPEN, REVEALED, REVOTING, Meeting
from dilemmas.reads.deliberation import StepView

ROUNDS = 2


def new_join_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class Consensus:
    option: str
    note: str | None


@dataclass(frozen=True)
class MeetingView:
    """A session as one participant sees it: counts, never who voted what."""

    id: int
    team_id: int
    team_name: str
    dilemma_id: int
    state: str
    round: int
    participants: int
    votes: int
    spread: tuple[int, ...] | None
    shift: int | None
    consensus: Consensus | None
    join_code: str | None
    expires_at: datetime
    role: str
    my_vote: str | None
    allowed: tuple[str, ...]
    step: StepView | None = None


def effective_state(row: Meeting, now: datetime) -> str:
    """The state, with a session past its four hours counted as closed."""
    return CLOSED if row.state == CLOSED or now >= row.expires_at else row.state


def meeting_actions(state: str, round_: int, answered: bool) -> tuple[str, ...]:
    """What may happen next in this state (``answered``: the team's joint
    answer to the dilemma is recorded)."""
    if state in (OPEN, REVOTING):
        return ("vote", "reveal", "close")
    if state == REVEALED:
        if answered:
            return ("close",)
        return (("revote",) if round_ < ROUNDS else ()) + ("consensus", "close")
    return ()


def revealable(allowed: tuple[str, ...], votes: int, min_votes: int) -> tuple[str, ...]:
    """``allowed`` less ``reveal`` while fewer than ``min_votes`` votes are in:
    what ``reveal`` checks, so that a phone never offers a refused step."""
    return allowed if votes >= min_votes else tuple(a for a in allowed if a != "reveal")


def refuse(action: str, state: str, allowed: tuple[str, ...]) -> Conflict:
    if allowed:
        detail = f"'{action}' kan niet in de toestand '{state}'. Wel mogelijk: {', '.join(allowed)}."
    elif state != CLOSED:
        detail = f"'{action}' kan niet in de toestand '{state}'; de volgende stap is aan de teamleider."
    else:
        detail = f"'{action}' kan niet: de sessie is gesloten."
    return Conflict(detail, cause="step-refused", state=state, allowed=list(allowed))
