"""What a server process may remember of the content tables, and for how long.

The organisation tree, the schedule and the dilemmas' content change a few
times a week; the app reads them on every request. Triggers on those tables
(migration 0007) add one to ``content_generation.value`` in the same
transaction as any change, and a request reads that number together with
the caller's installation (one query). A process's ``Memo`` keeps what it
computed from those tables under the generation it was computed at and
forgets everything once the number moves, so a change made by any process
is seen by the very next request, and unchanged content never costs a query.

A value computed after the generation was read is at least as new as that
generation (the number and the change commit together), so keeping it
under the older number is safe: the next request sees the newer number and
computes again.

Without a memo bound to the session (the command line, the integrity
office's endpoints, the tests of the domain) values are remembered for the
current transaction only."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dilemmas.model.generation import ContentGeneration

T = TypeVar("T")


_BOUND = "kompas.memo"


_TRANSACTION = "kompas.remembered"


_GENERATION = ContentGeneration.__table__.c


GENERATION = select(_GENERATION.value).where(_GENERATION.id == 1).scalar_subquery()


class Memo:
    """One process's memory of the content tables at the newest generation
    its requests have read. Safe for threads: a request stores only into
    the values of the generation it read, and a request that read an older
    generation than the memo holds computes without storing."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._current: tuple[int, dict[Hashable, object]] = (-1, {})

    def bind(self, session: Session, generation: int) -> None:
        """Serve ``remembered`` in this session from memory valid at
        ``generation`` (read in this session's request)."""
        session.info[_BOUND] = (self, generation)

    def get(self, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        current, values = self._current
        if generation != current:
            if generation < current:
                return compute()
            values = {}
            self._current = (generation, values)  # one assignment: never half a switch
        try:
            return values[key]  # type: ignore[return-value]
        except KeyError:
            pass
        value = compute()
        if len(values) >= self.size:
            values.clear()
        values[key] = value
        return value


def remembered(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned before while the content tables
    have not changed. Values must be immutable: they are shared by the
    requests of a process."""
    bound = session.info.get(_BOUND)
    if bound is None:
        if _TRANSACTION not in session.info:
            session.info[_TRANSACTION] = Memo()
        return session.info[_TRANSACTION].get(0, key, compute)
    memo, generation = bound
    return memo.get(generation, key, compute)


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_transaction(session: Session, *_args) -> None:
    # A flush may have changed the content; the next transaction may see
    # what others committed.
    session.info.pop(_TRANSACTION, None)
