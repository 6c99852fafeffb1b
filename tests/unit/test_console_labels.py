"""The console names what it shows in plain Dutch (and English): every
error code the push service can report on a campaign, and every action
the Logboek can record, has a label, so no internal code reaches a page."""

from __future__ import annotations

import re
from pathlib import Path

from api.console.i18n import ENGLISH
from api.console.labels import LABELS

ROOT = Path(__file__).resolve().parents[2]


def _codes_in(source: str) -> set[str]:
    """FCM's codes as push/fcm.py hands them on: returned, or set on a Result."""
    return set(re.findall(r'(?:return|code=)\s*"([A-Z][A-Z_]+)"', source))


def test_every_push_failure_has_a_name():
    codes = _codes_in((ROOT / "push" / "fcm.py").read_text()) | {"UNKNOWN"}  # delivery.py's fallback
    assert len(codes) >= 5, codes  # the pattern still finds them
    assert codes <= set(LABELS["push_failure"]), codes - set(LABELS["push_failure"])
    assert all(ENGLISH.get(text) for text in LABELS["push_failure"].values())


def test_every_logged_action_has_a_sentence():
    sources = "\n".join(
        path.read_text() for folder in ("dilemmas", "push", "content") for path in (ROOT / folder).rglob("*.py")
    )
    actions = set(
        re.findall(
            r'"((?:dilemma|content|code|console|enrolment_code|push|schedule|suggestion|token)\.[a-z_-]+)"', sources
        )
    )
    assert len(actions) >= 10, actions
    assert actions <= set(LABELS["audit"]), actions - set(LABELS["audit"])
