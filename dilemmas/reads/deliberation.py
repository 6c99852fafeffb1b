"""The step a meeting's deliberation is at, as phones and the presenter
screen show it. With ``auto`` the timer moves on: the step is computed from
the moment the lead last moved, so nothing has to tick on the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dilemmas.model.deliberation import Deliberation, Method


@dataclass(frozen=True)
class StepView:
    """One step of a method, with its timer."""

    method: str
    method_name: str
    number: int
    count: int
    title: str
    prompt: str
    minutes: int
    started_at: datetime
    ends_at: datetime
    remaining_seconds: int
    auto: bool


def walk(minutes: Sequence[int], step: int, started_at: datetime, auto: bool, now: datetime) -> tuple[int, datetime]:
    """The step at ``now`` and when it started: with ``auto`` each step
    whose time is up gives way to the next; the last step stays."""
    step = max(0, min(step, len(minutes) - 1))
    while auto and step < len(minutes) - 1 and now >= started_at + timedelta(minutes=minutes[step]):
        started_at += timedelta(minutes=minutes[step])
        step += 1
    return step, started_at


def step_of(session: Session, meeting_id: int, now: datetime) -> StepView | None:
    """The meeting's current step, or None when it follows no method."""
    row = session.get(Deliberation, meeting_id, populate_existing=True)
    if row is None:
        return None
    method = session.get(Method, row.method_slug)
    minutes = [s["minutes"] for s in method.steps]
    index, started = walk(minutes, row.step, row.step_started_at, row.auto, now)
    ends = started + timedelta(minutes=minutes[index])
    step = method.steps[index]
    return StepView(
        method=method.slug,
        method_name=method.name,
        number=index + 1,
        count=len(minutes),
        title=step["title"],
        prompt=step["prompt"],
        minutes=step["minutes"],
        started_at=started,
        ends_at=ends,
        remaining_seconds=max(0, int((ends - now).total_seconds())),
        auto=row.auto,
    )
