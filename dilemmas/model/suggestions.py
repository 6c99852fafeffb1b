"""Dilemmas suggested by employees, anonymously, for the integrity office."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmas.model.content import Category
from dilemmas.storage.base import Base

STATUSES = ("new", "in_progress", "used", "declined")


class Suggestion(Base):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    received_on: Mapped[date] = mapped_column(Date)
    dilemma_id: Mapped[int | None] = mapped_column(ForeignKey("dilemmas.id", ondelete="SET NULL"))

    category: Mapped[Category | None] = relationship(lazy="joined")
