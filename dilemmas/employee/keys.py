"""Pseudonymous keys: the only place that derives the key of an
installation's answer to a dilemma or of its vote in a meeting.

The keys come from the installation's bearer token, which the server never
stores (it keeps an HMAC of it under another message): only a request that
carries the token can find its own rows. A dump, and the operator who has
the dump and the server secret, hold no way to recompute a key, so they can
link no answer or vote to an installation, nor two answers to each other.
Erasing the installation leaves its rows unlinkable for good, as does the
phone forgetting its token.

Installations registered before this scheme have a ``respondent_seed`` on
the server; their rows are rekeyed by their first request (``rekey``) and
the seed is deleted. Only the modules that must store or find such a row may
import this (an import-linter contract keeps it so)."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from dilemmas.model.answers import Answer
from dilemmas.model.content import Dilemma
from dilemmas.model.installations import Installation
from dilemmas.model.meetings import CLOSED, Meeting, Participant, Vote


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


def legacy_respondent_key(secret_key: bytes, seed: str, dilemma_id: int) -> str:
    """The key an installation with a server-side seed had (before rekeying)."""
    return hmac.new(secret_key, f"{seed}:{dilemma_id}".encode(), hashlib.sha256).hexdigest()


def legacy_voter_key(secret_key: bytes, seed: str, session_id: int) -> str:
    return hmac.new(secret_key, f"{seed}:session:{session_id}".encode(), hashlib.sha256).hexdigest()


def rekey(session: Session, secret_key: bytes, installation_id: str, seed: str, base: bytes) -> None:
    """Move a legacy installation's answers and its votes in meetings that
    are not closed from its seed's keys to its token's keys, then delete the
    seed; commits. Safe to repeat and to race: a row already moved no
    longer matches its old key."""
    dilemma_ids = session.scalars(select(Dilemma.id)).all()
    connection = session.connection()
    answers = Answer.__table__
    if dilemma_ids:
        connection.execute(
            update(answers)
            .where(answers.c.dilemma_id == bindparam("d"), answers.c.respondent_key == bindparam("old"))
            .values(respondent_key=bindparam("new")),
            [
                {"d": d, "old": legacy_respondent_key(secret_key, seed, d), "new": respondent_key(base, d)}
                for d in dilemma_ids
            ],
        )
    meeting_ids = session.scalars(select(Meeting.id).where(Meeting.state != CLOSED)).all()
    for table in (Participant.__table__, Vote.__table__):
        if meeting_ids:
            connection.execute(
                update(table)
                .where(table.c.session_id == bindparam("m"), table.c.voter_key == bindparam("old"))
                .values(voter_key=bindparam("new")),
                [
                    {"m": m, "old": legacy_voter_key(secret_key, seed, m), "new": voter_key(base, m)}
                    for m in meeting_ids
                ],
            )
    connection.execute(
        update(Installation.__table__)
        .where(Installation.__table__.c.id == installation_id)
        .values(respondent_seed=None)
    )
    session.commit()
