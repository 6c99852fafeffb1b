"""The week schedule's table: which dilemma an organisation shows in which ISO week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base


class ScheduledWeek(Base):
    __tablename__ = "schedule"
    __table_args__ = (
        UniqueConstraint("organisation_id", "week"),
        UniqueConstraint("dilemma_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    week: Mapped[str] = mapped_column(String(8), index=True)
    dilemma_id: Mapped[int] = mapped_column(ForeignKey("dilemmas.id", ondelete="CASCADE"))
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
