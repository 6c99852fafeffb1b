"""The tables, and only the tables: typed SQLAlchemy models without
behaviour beyond what a row is. Importing this package registers every
table on ``metadata``, complete for migrations and ``create_all``."""

from __future__ import annotations

# Each module registers its tables on import.
from dilemmas.model import (  # noqa: F401
    admins,
    answers,
    audit,
    code,
    content,
    deliberation,
    generation,
    idempotency,
    installations,
    limits,
    meetings,
    organisations,
    push,
    releases,
    schedule,
    suggestions,
    teams,
)
from dilemmas.storage.base import Base

metadata = Base.metadata
