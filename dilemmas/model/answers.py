"""Answers and the counts kept beside them (written by ``dilemmas.employee.answers``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base

MODES = ("alone", "colleague", "team")


SCOPE_ALL = "all"


SCOPE_ORGANISATION = "organisation"


class Answer(Base):
    """One installation's answer to one dilemma, sealed under its token's
    key base (``employee.answers``): no option, mode, rating, organisation,
    revision or time in the clear."""

    __tablename__ = "answers"
    __table_args__ = {"sqlite_with_rowid": False}

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class AnswerCounts(Base):
    """Every count of one edition (per scope, mode, option, rating,
    lateness, the live counter's days, and the sums of predictions) as one vector, sealed under a key
    derived from the server secret with a fresh nonce on every write
    (``dilemmas.counters``): the versions a WAL or dead tuples keep are
    unrelated ciphertexts of one length, so no one without the secret can
    tell which count moved. A few shards per edition, so that answers to
    one dilemma do not all wait for one row lock; the counts are their sum."""

    __tablename__ = "answer_counts"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
