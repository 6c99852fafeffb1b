"""Stored responses of POST requests with an ``Idempotency-Key``.

A row names neither its caller nor its key: ``slot`` and ``fingerprint``
are keyed with the caller's own token, and ``sealed`` (status, headers and
body) is encrypted under a key derived from that token, which the server
keeps only as a peppered hash. Rows are deleted when their 24 hours are
over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[str] = mapped_column(String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="in_flight")
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(index=True)
