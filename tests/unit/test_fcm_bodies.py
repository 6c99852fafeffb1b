"""The fcm transport encodes a campaign's message once and puts each
device's token into it: the bodies must be byte for byte what
firebase-admin encodes for each message on its own."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from push.fcm import FcmTransport, _Bodies
from push.messages import compose, texts_for

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def outgoing(target: str, kind: str = "registration", subject: str = "Een cadeau van een leverancier", **data):
    return compose(
        target=target,
        target_kind=kind,
        kind="weekly",
        locale="nl",
        texts=texts_for("weekly", subject),
        data={"dilemma_id": "12", "week": "2026-W50", **data},
        expires_at=NOW + timedelta(days=6),
        now=NOW,
    )


TOKENS = [
    "dA1b:APA91bH-xyz_0123456789",
    'with "quotes" and \\ backslash',
    "unicode ü é ✓ and a /slash",
    "kompas-target-lookalike",
]


class Encoder:
    """firebase-admin's encoding, counting how often it is asked for."""

    def __init__(self):
        self.calls = 0

    def __call__(self, message):
        self.calls += 1
        return FcmTransport._encode(message)


@pytest.mark.parametrize("kind", ["registration", "fid"])
def test_bodies_are_what_firebase_admin_encodes_for_each_message(kind):
    encoder = Encoder()
    bodies = _Bodies(encoder)
    for token in TOKENS:
        message = outgoing(token, kind)
        assert bodies.encode(message) == FcmTransport._encode(message)
    assert encoder.calls == 1  # one encoding for all of them


def test_every_difference_but_the_target_gets_its_own_encoding():
    encoder = Encoder()
    bodies = _Bodies(encoder)
    first = outgoing("token-1")
    variants = [
        first,
        outgoing("token-2", subject="Een ander dilemma"),
        outgoing("token-3", session="9"),
        replace(first, target="token-4", locale="en", title="Dilemma of the week"),
        replace(first, target="token-5", expires_at=first.expires_at + timedelta(hours=1)),
        replace(first, target="token-6", ttl_seconds=60),
        replace(first, target="token-7", collapse_key="kompas-reminder"),
    ]
    for message in variants:
        assert bodies.encode(message) == FcmTransport._encode(message)
    assert encoder.calls == len(variants)
    for message in variants:  # each encoding is kept: sending them again encodes nothing
        bodies.encode(replace(message, target=f"again-{message.target}"))
    assert encoder.calls == len(variants)


def test_topics_and_empty_targets_are_encoded_one_by_one():
    encoder = Encoder()
    bodies = _Bodies(encoder)
    topic = outgoing("/topics/kompas-rijk", "topic")
    assert bodies.encode(topic) == FcmTransport._encode(topic)  # firebase-admin drops the /topics/ prefix
    assert b'"topic":"kompas-rijk"' in bodies.encode(topic)
    assert encoder.calls == 2  # encoded again, not kept
    for _ in range(2):
        with pytest.raises(ValueError):
            bodies.encode(outgoing(""))
    assert encoder.calls == 4
    # Nothing of them was kept as an encoding for a device's message.
    assert bodies.encode(outgoing("token-1")) == FcmTransport._encode(outgoing("token-1"))
    assert encoder.calls == 5
