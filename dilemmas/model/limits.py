"""Rate-limit counters (fixed windows), shared by every process that
serves: the web layer's limiter keeps them here unless it is given Redis."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from dilemmas.storage.base import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    # Seconds since the epoch, as the limits library counts them.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
