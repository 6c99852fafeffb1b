"""The fcm transport: the real firebase-admin library against the fake FCM
server (OAuth token endpoint, messages:send, topic subscriptions)."""

import json

import pytest

from api.platform.settings import parse_now
from push.delivery import RetryPolicy, deliver, send_test
from push.fcm import FcmTransport
from push.messages import compose, texts_for
from tests.fakefcm import new_service_account

NOW = parse_now("2026-12-07T09:01:00+01:00")
WEEK_END = parse_now("2026-12-14T00:00:00+01:00")


def weekly(token, target_kind="registration", locale="nl"):
    return compose(
        target=token,
        target_kind=target_kind,
        kind="weekly",
        locale=locale,
        texts=texts_for("weekly", "Een cadeau van een leverancier"),
        data={"type": "weekly", "dilemma_id": "12", "week": "2026-W50"},
        expires_at=WEEK_END,
        now=NOW,
    )


@pytest.fixture
def transport(fcm):
    transport = FcmTransport(str(fcm.credentials), endpoint=fcm.url, connections=4)
    yield transport
    transport.close()


def test_a_message_reaches_fcm_as_the_v1_api_expects(fcm, transport):
    results = transport.send([weekly("token-a"), weekly("fid-b", target_kind="fid", locale="en")])
    assert [r.ok for r in results] == [True, True]
    assert results[0].message_id.startswith("projects/kompas-fake/messages/")
    sent = {m.get("token") or m.get("fid"): m for m in fcm.messages()}
    android, apns, webpush = sent["token-a"]["android"], sent["token-a"]["apns"], sent["token-a"]["webpush"]
    assert sent["token-a"]["notification"] == {
        "title": "Het dilemma van deze week",
        "body": "Een cadeau van een leverancier",
    }
    assert sent["token-a"]["data"] == {"type": "weekly", "dilemma_id": "12", "week": "2026-W50"}
    assert android == {
        "collapse_key": "kompas-weekly",
        "ttl": f"{int((WEEK_END - NOW).total_seconds())}s",
        "notification": {"channel_id": "kompas-weekly"},  # docs/push.md
    }
    assert apns["headers"] == {
        "apns-collapse-id": "kompas-weekly",
        "apns-expiration": str(int(WEEK_END.timestamp())),
        "apns-push-type": "alert",
        "apns-priority": "10",
    }
    assert apns["payload"] == {"aps": {"sound": "default"}}
    assert webpush["headers"]["Topic"] == "kompas-weekly"
    assert "fid" in sent["fid-b"] and "token" not in sent["fid-b"]
    assert sent["fid-b"]["notification"]["title"] == "This week's dilemma"
    # One OAuth token for both, signed with the service-account key.
    assert fcm.stats.token_requests == 1 and fcm.stats.unauthorised == 0


def test_fcm_errors_are_mapped_by_firebase_admin(fcm, transport):
    fcm.script("gone", "UNREGISTERED")
    fcm.script("not-a-token", "INVALID_ARGUMENT")
    fcm.script("bad-payload", "INVALID_PAYLOAD")
    fcm.script("busy", "QUOTA_EXCEEDED")
    fcm.script("down", "UNAVAILABLE")
    fcm.script("broken", "INTERNAL")
    fcm.script("other-project", "SENDER_ID_MISMATCH")
    tokens = ["gone", "not-a-token", "bad-payload", "busy", "down", "broken", "other-project"]
    results = dict(zip(tokens, transport.send([weekly(t) for t in tokens]), strict=True))
    assert {t: (r.code, r.retire) for t, r in results.items()} == {
        "gone": ("UNREGISTERED", True),
        "not-a-token": ("INVALID_ARGUMENT", True),
        "bad-payload": ("INVALID_ARGUMENT", False),
        "busy": ("QUOTA_EXCEEDED", False),
        "down": ("UNAVAILABLE", False),
        "broken": ("INTERNAL", False),
        "other-project": ("SENDER_ID_MISMATCH", False),
    }
    assert results["busy"].retry_after == 1.0
    # No library below us retried on its own: one request per message.
    assert all(fcm.attempts()[t] == 1 for t in tokens)


def test_retries_through_the_real_transport_end_in_success(fcm, transport):
    fcm.script("busy", "QUOTA_EXCEEDED", "QUOTA_EXCEEDED")
    fcm.script("down", "UNAVAILABLE")
    slept = []
    outcome = deliver(transport, [weekly(t) for t in ("busy", "down", "fine")], RetryPolicy(), sleep=slept.append)
    assert outcome.sent == 3 and not outcome.failed
    assert fcm.attempts() == {"busy": 3, "down": 2, "fine": 1}
    assert fcm.delivered() == {"busy": 1, "down": 1, "fine": 1}
    assert slept[0] >= 1.0 and slept[1] >= 1.0  # Retry-After: 1


def test_an_unreachable_fcm_is_unavailable_not_a_crash(fcm, tmp_path):
    fcm.stop()
    transport = FcmTransport(str(fcm.credentials), endpoint=fcm.url, connections=2, timeout=2)
    try:
        results = transport.send([weekly("a"), weekly("b")])
    finally:
        transport.close()
    assert {r.code for r in results} == {"UNAVAILABLE"}


def test_a_refused_service_account_fails_every_message_without_retries(fcm, tmp_path):
    forged = json.loads(fcm.credentials.read_text())
    stranger, _ = new_service_account(fcm.token_uri, fcm.project_id)  # a key the fake was never given
    forged["private_key"] = stranger["private_key"]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    transport = FcmTransport(str(tmp_path / "forged.json"), endpoint=fcm.url)
    try:
        results = transport.send([weekly("a")])
    finally:
        transport.close()
    assert results[0].code == "UNAUTHENTICATED" and not fcm.messages()


def test_topic_subscriptions_go_through_firebase_admin_without_hidden_retries(fcm, transport):
    fcm.script("dead", "UNREGISTERED")
    fcm.script("flaky", "UNAVAILABLE")
    results = transport.subscribe("kompas-douane-nl", ["one", "two", "dead", "flaky"])
    assert [(r.ok, r.code, r.retire) for r in results] == [
        (True, None, False),
        (True, None, False),
        (False, "UNREGISTERED", True),
        (False, "UNAVAILABLE", False),
    ]
    assert fcm.subscribers("kompas-douane-nl") == {"one", "two"}
    assert fcm.stats.subscription_attempts["flaky"] == 1  # urllib3 did not retry the 503
    assert all(r.ok for r in transport.unsubscribe("kompas-douane-nl", ["one"]))
    assert fcm.subscribers("kompas-douane-nl") == {"two"}
    topic_message = compose(
        target="kompas-douane-nl",
        target_kind="topic",
        kind="weekly",
        locale="nl",
        texts=texts_for("weekly", "Titel"),
        data={"type": "weekly"},
        expires_at=WEEK_END,
        now=NOW,
    )
    assert transport.send([topic_message])[0].ok
    assert fcm.topic_messages()[0]["topic"] == "kompas-douane-nl" and fcm.delivered() == {"two": 1}


def test_send_test_says_what_fcm_answered(fcm, transport):
    assert send_test(transport, "my-phone", NOW, sleep=lambda _: None).ok
    assert fcm.messages()[-1]["data"]["type"] == "test"
    fcm.script("old-phone", "UNREGISTERED")
    result = send_test(transport, "old-phone", NOW, sleep=lambda _: None)
    assert (result.ok, result.code, result.retire) == (False, "UNREGISTERED", True)


def test_many_messages_use_a_few_kept_alive_connections(fcm, transport):
    results = transport.send([weekly(f"token-{i}") for i in range(600)])
    assert all(r.ok for r in results) and len(fcm.delivered()) == 600
    assert fcm.stats.connections <= 4 + 1  # the fan-out's connections (+ the token request's)
