"""Differentially private releases (``scoring.releases``): the budget each
edition has spent, and every released cell's noisy value, drawn once."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base


class PrivacyLedger(Base):
    """One release of an edition and the ε it spent. Releases of the same
    ``part`` count disjoint answers (the nodes of one level of the live
    counter), so a part spends its largest ε; the parts add up."""

    __tablename__ = "privacy_ledger"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    release: Mapped[str] = mapped_column(String(32), primary_key=True)
    part: Mapped[str] = mapped_column(String(32))
    epsilon: Mapped[float] = mapped_column(Float)
    # Random, so that a server's memory of a release cannot outlive the row
    # (a test database reused at the same path gets new ids).
    release_id: Mapped[str] = mapped_column(String(32), unique=True)


class ReleasedCell(Base):
    """A released cell: its true count plus noise, as published; the noise
    is never drawn again."""

    __tablename__ = "released_cells"

    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"), primary_key=True)
    release: Mapped[str] = mapped_column(String(32), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[int] = mapped_column(primary_key=True)
    cell: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int]
    # The discrete Laplace scale of the noise: what the margin is computed from.
    scale: Mapped[float] = mapped_column(Float)
