"""The content generation: one number that triggers move with every change
of the content tables (see ``dilemmas.reads.memo``)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base


class ContentGeneration(Base):
    """One row: moved by triggers on every table a ``Memo`` draws from."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
