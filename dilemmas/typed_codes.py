"""Codes people read aloud and type from posters: enrolment and invite codes."""

from __future__ import annotations

import secrets

# No 0/O or 1/I/L: codes are read aloud and typed from posters.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def normalise_code(code: str) -> str:
    """Codes are compared without case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code() -> str:
    return "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(10))


def format_code(code: str) -> str:
    """``K7QM3XPA9T`` -> ``K7QM-3XPA-9T`` for people to read."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
