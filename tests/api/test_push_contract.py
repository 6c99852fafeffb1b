"""docs/push.md is the push contract: every kind it lists is one the code
sends, and every kind the code sends is listed, with the channel and the
collapse id the code uses, and the OpenAPI document has its payload."""

from __future__ import annotations

import re
from pathlib import Path

from push import lookbacks
from push.messages import CHANNELS, COLLAPSE_KEYS, DATA_ONLY, KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "push.md"
ROW = re.compile(r"^\| `(\w+)` \|(.*)$", re.M)


def documented() -> dict[str, list[str]]:
    table = DOC.read_text().split("## The kinds", 1)[1].split("\n## ", 1)[0]
    return {kind: [cell.strip() for cell in rest.split("|")] for kind, rest in ROW.findall(table)}


def sent_by_the_code() -> set[str]:
    # Campaign kinds, the look-back's and the operator's test message: every
    # message is composed with its kind's collapse key, so no other is sent.
    return {*KINDS, lookbacks.KIND, "test"}


def test_every_kind_in_the_doc_is_sent_and_every_kind_sent_is_in_the_doc():
    assert set(documented()) == sent_by_the_code() == set(COLLAPSE_KEYS) == set(CHANNELS)


def test_the_doc_names_the_codes_channel_collapse_id_and_who_shows_it():
    for kind, cells in documented().items():
        shown, channel, collapse = cells[1], cells[3], cells[5]
        assert f"`{CHANNELS[kind]}`" == channel, kind
        assert f"`{COLLAPSE_KEYS[kind]}`" == collapse, kind
        assert ("the app" in shown) == (kind in DATA_ONLY), kind


def test_the_document_has_each_payload(client):
    document = client.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["PushData"]["properties"]["type"]["enum"] == list(COLLAPSE_KEYS)
    for kind in COLLAPSE_KEYS:
        assert f"push-{kind}" in document["webhooks"]
        assert schemas["Push" + kind.capitalize()]["properties"]["type"]["const"] == kind


def test_the_doc_names_every_member_the_payload_of_a_kind_requires(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    for kind, cells in documented().items():
        data = set(re.findall(r"`(\w+)`", cells[2]))
        required = set(schemas["Push" + kind.capitalize()]["required"])
        assert required <= data, kind
    assert "meeting_id" in schemas["PushLookback"]["required"]
