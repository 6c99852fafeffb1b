"""Pseudonymous keys: the only place that derives the key of an
installation's answer to a dilemma or of its vote in a meeting.

The keys come from the installation's bearer token, which the server never
stores (it keeps an HMAC of it under another message): only a request that
carries the token can find its own rows. A dump, and the operator who has
the dump and the server secret, hold no way to recompute a key, so they can
link no answer or vote to an installation, nor two answers to each other.
Erasing the installation leaves its rows unlinkable for good, as does the
phone forgetting its token.

There is no other kind of key: rows of installations from before this
scheme were folded into the counters and deleted (migration 0012). Only
the modules that must store or find such a row may
import this (an import-linter contract keeps it so)."""

from __future__ import annotations

import hashlib
import hmac


def key_base(secret_key: bytes, token: str) -> bytes:
    """What a request derives from its bearer token to key its rows. Not
    the stored token hash (that is an HMAC of the token alone), so nothing
    in the database is a key base."""
    return hmac.new(secret_key, b"kompas pseudonyms\x00" + token.encode(), hashlib.sha256).digest()


def respondent_key(base: bytes, dilemma_id: int) -> str:
    """The key of the installation's answer to one dilemma; another for
    every dilemma."""
    return hmac.new(base, f"answer:{dilemma_id}".encode(), hashlib.sha256).hexdigest()


def voter_key(base: bytes, session_id: int) -> str:
    """The installation's pseudonym in one meeting; another in every meeting."""
    return hmac.new(base, f"vote:{session_id}".encode(), hashlib.sha256).hexdigest()


def ballot_key(base: bytes, session_id: int) -> str:
    """The installation's pseudonym among one meeting's sealed ballots: not
    its ``voter_key``, so that whoever opens the ballots cannot pair a vote
    with a participant row (and the order of joining it was written in)."""
    return hmac.new(base, f"ballot:{session_id}".encode(), hashlib.sha256).hexdigest()
