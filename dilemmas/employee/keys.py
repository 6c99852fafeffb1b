"""Pseudonymous keys: the only place that derives, from an installation's
seed, the key of its answer to a dilemma or of its vote in a meeting.
Only the modules that must store or find such a row may import this
(an import-linter contract keeps it so)."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def respondent_key(secret_key: bytes, respondent_seed: str, dilemma_id: int) -> str:
    message = f"{respondent_seed}:{dilemma_id}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()


def voter_key(secret_key: bytes, respondent_seed: str, session_id: int) -> str:
    """The installation's pseudonym in one session; another in every session."""
    message = f"{respondent_seed}:session:{session_id}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()
