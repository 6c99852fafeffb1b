"""Retiring device tokens: dead ones (FCM said so) and stale ones (the app
did not refresh them for PUSH_TOKEN_MAX_AGE_DAYS)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.orm import Session

from dilemmas.model.installations import PushToken

_TOKENS = PushToken.__table__


def retire(session: Session, dead: Iterable[tuple[str, str]]) -> int:
    """Delete these (installation id, token) pairs. A token the app replaced
    in the meantime is a different pair and stays. The caller commits."""
    pairs = [{"installation": installation_id, "dead": token} for installation_id, token in dead]
    if not pairs:
        return 0
    statement = delete(_TOKENS).where(
        _TOKENS.c.installation_id == bindparam("installation"), _TOKENS.c.token == bindparam("dead")
    )
    session.connection().execute(statement, pairs)
    return len(pairs)


def retire_stale(session: Session, now: datetime, max_age_days: int) -> int:
    """Delete tokens not refreshed for ``max_age_days``; commits; returns how many."""
    result = session.execute(
        delete(PushToken)
        .where(PushToken.refreshed_at < now - timedelta(days=max_age_days))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount or 0
