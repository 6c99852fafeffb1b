"""Adversary E of docs/anonymity.md: someone who reads the server's logs."""

from __future__ import annotations

import re

from tests.anonymity.conftest import WEDNESDAY


def test_the_access_log_holds_no_address_and_no_size(world):
    """Attack 2, the log half: the address and second of every answer, and
    a size that told its mode, matched an answer to an address."""
    world.at(WEDNESDAY)
    token = world.register()
    dilemma = world.current(token)["id"]
    world.answer(token, dilemma, "B", mode="colleague")
    world.call("GET", "/api/v1/code/search?q=klokkenluider", token=token)
    world.server.stop()
    lines = [line for line in world.server.log().splitlines() if '"PUT ' in line or '"GET ' in line]
    answers = [line for line in lines if "/answer" in line]
    assert answers and all(re.fullmatch(r'"PUT /api/v1/dilemmas/\d+/answer" 200 \d+ms', line) for line in answers)
    assert not any("127.0.0.1" in line or "klokkenluider" in line or "Bearer" in line for line in lines)
