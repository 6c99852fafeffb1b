"""Which full-screen state the presenter screen shows, and what it needs.

A room reads a screen from six metres, so the screen shows one state at a
time, chosen from the meeting alone (every screen of a meeting shows the
same): ``join`` until the first vote, ``voting`` while a round is open,
``reveal`` after a round is revealed (the whole result, with a method too),
``step`` once a guided deliberation moved on from the step the reveal
happened in (its prompt large, the result beside it) and ``outcome`` once
the team answered, recorded its outcome or closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from dilemmas.employee import deliberation, meetings
from dilemmas.model.content import OPTION_KEYS
from dilemmas.model.meetings import CLOSED, OPEN, REVOTING


def screen_state(view: deliberation.ScreenView) -> str:
    """The one state the screen shows now."""
    meeting = view.meeting
    if meeting.state == CLOSED or meeting.consensus is not None or view.outcome is not None:
        return "outcome"
    if meeting.state in (OPEN, REVOTING):
        return "join" if meeting.round == 1 and meeting.votes == 0 else "voting"
    return "step" if meeting.step is not None and view.moved_on else "reveal"


def round_name(meeting: meetings.MeetingView) -> str:
    """The round whose result is shown: the second once it was revealed
    (only then is there a shift), else the first."""
    return "tweede" if meeting.shift is not None else "eerste"


def steering_actions(view: deliberation.ScreenView, min_votes: int) -> tuple[str, ...]:
    """What the laptop may do now, as the lead's phone would be offered it."""
    meeting = view.meeting
    allowed = meetings.revealable(
        meetings.meeting_actions(meeting.state, meeting.round, meeting.consensus is not None),
        meeting.votes,
        min_votes,
    )
    actions = [a for a in ("reveal", "revote") if a in allowed and view.outcome is None]
    if meeting.step is not None and meeting.state != CLOSED:
        if meeting.step.number > 1:
            actions.insert(0, "back")
        if meeting.step.number < meeting.step.count:
            actions.append("next")
    return tuple(actions)


def join_url(base: str, code: str | None, proof: str | None = None) -> str | None:
    """``https://host/join/123456``: what the screen writes out for people
    to type; with the link's ``proof`` (``/join/123456-<proof>``) what the
    QR code holds."""
    if code is None:
        return None
    return f"{base.rstrip('/')}/join/{code}" + (f"-{proof}" if proof else "")


def written_out(url: str | None) -> str:
    """The join link as people type it: no scheme."""
    if url is None:
        return ""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


@dataclass(frozen=True)
class Bar:
    key: str
    text: str
    count: int
    percent: int
    width: int  # of the longest bar, in per cent


def bars(spread: Sequence[int], options) -> list[Bar]:
    """The revealed round as bars. Each percentage is its own count's share
    rounded to a whole number (half up), so equal counts always read the
    same; the page says they may add up to 99 or 101."""
    total = sum(spread) or 1
    most = max(spread) or 1
    texts = {o.key: o.text for o in options}
    return [
        Bar(key, texts.get(key, ""), count, int(100 * count / total + 0.5), round(100 * count / most))
        for key, count in zip(OPTION_KEYS, spread, strict=True)
    ]
