"""Answers and the tallies kept beside them (written by ``dilemmas.employee.answers``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base

MODES = ("alone", "colleague", "team")


MODE_TEAM = "team"  # a team's joint answer, recorded by a live session


TALLY_SHARDS = 4


SCOPE_ALL = "all"


SCOPE_ORGANISATION = "organisation"


SCOPE_TEAM = "team"


class Answer(Base):
    __tablename__ = "answers"
    # SQLite keeps rows in key order, not in the order they were written
    # (docs/anonymity.md); PostgreSQL's are rewritten in key order when the
    # week closes (``employee.answers.reseal``).
    __table_args__ = {"sqlite_with_rowid": False}

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    option: Mapped[str] = mapped_column(String(1))
    mode: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int | None]
    answered_on: Mapped[date] = mapped_column(Date)
    # Given after the dilemma's week closed; such answers never change a
    # closed week's frozen spread of a small group.
    late: Mapped[bool] = mapped_column(default=False)


class Tally(Base):
    __tablename__ = "tallies"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    late: Mapped[bool] = mapped_column(primary_key=True)
    option: Mapped[str] = mapped_column(String(1), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True)
    # A shard may go below zero when a change takes a count from another
    # shard than the one that received it; only the sum has meaning.
    count: Mapped[int] = mapped_column(default=0)


class DifficultyTally(Base):
    """How hard people found a dilemma (1-5), counted like the options."""

    __tablename__ = "difficulty_tallies"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[int] = mapped_column(primary_key=True)
    # Ratings given after the week closed are kept apart and never shown.
    late: Mapped[bool] = mapped_column(primary_key=True, default=False)
    value: Mapped[int] = mapped_column(primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class AnswerReseal(Base):
    """A dilemma whose answers were rewritten in key order after its week
    closed (PostgreSQL keeps rows in the order they were written)."""

    __tablename__ = "answer_reseals"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
