"""Attacks on a dilemma run again (docs/anonymity.md, "Editions"): the
operator with a dump and the server secret tries to link one phone's
answers to two editions of the same dilemma; the office tries to get more
than each edition's budget out of the shift between them."""

from __future__ import annotations

import hashlib
import hmac

from tests.anonymity.conftest import MONDAY, NEXT_TUESDAY, phone_key
from tests.conftest import SECRET

SECOND_WEEK = "2027-W23"
SECOND_MONDAY = "2027-06-07T10:00:00+02:00"
AFTER_SECOND = "2027-06-15T10:00:00+02:00"


def test_dump_and_secret_cannot_link_one_phones_answers_to_two_editions(world):
    world.at(MONDAY)
    phones = [world.register() for _ in range(6)]
    first = world.current(phones[0])["id"]
    for i, token in enumerate(phones):
        world.answer(token, first, "ABCD"[i % 4])
    world.at(NEXT_TUESDAY)
    status, _, second = world.call(
        "POST", f"/api/v1/admin/dilemmas/{first}/editions", {"week": SECOND_WEEK}, world.admin("publisher")
    )
    assert status == 201, second
    world.at(SECOND_MONDAY)
    for i, token in enumerate(phones):
        world.answer(token, second["id"], "ABCD"[(i + 1) % 4])

    rows = {(d, key): sealed for d, key, sealed in world.sql("SELECT dilemma_id, respondent_key, sealed FROM answers")}
    keys = {d: {key for dd, key in rows if dd == d} for d in (first, second["id"])}
    # Ground truth: each phone's two rows are there, under two unrelated keys.
    for token in phones:
        assert phone_key(token, f"answer:{first}") in keys[first]
        assert phone_key(token, f"answer:{second['id']}") in keys[second["id"]]
    assert not keys[first] & keys[second["id"]]
    ciphertexts = [bytes(sealed) for sealed in rows.values()]
    assert len(set(ciphertexts)) == len(ciphertexts)
    # The operator: every value stored per installation, and the edition
    # link itself, HMAC-ed with the secret the way a key could be made.
    secret = SECRET.encode()
    material = [value for row in world.sql("SELECT id, token_hash FROM installations") for value in row if value]
    found = 0
    for value in material:
        for dilemma_id in (first, second["id"]):
            for message in (f"{value}:{dilemma_id}", f"answer:{dilemma_id}:{value}"):
                guess = hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
                found += any(guess in found_keys for found_keys in keys.values())
    assert found == 0


def test_the_shift_spends_nothing_beyond_each_editions_budget(world):
    world.at(MONDAY)
    phones = [world.register() for _ in range(4)]
    first = world.current(phones[0])["id"]
    for token in phones:
        world.answer(token, first, "A")
    world.at(NEXT_TUESDAY)
    status, _, second = world.call(
        "POST", f"/api/v1/admin/dilemmas/{first}/editions", {"week": SECOND_WEEK}, world.admin("publisher")
    )
    assert status == 201, second
    world.at(SECOND_MONDAY)
    for token in phones:
        world.answer(token, second["id"], "B")
    world.at(AFTER_SECOND)
    analyst = world.admin("analyst")
    for _ in range(3):  # reading again and again releases nothing new
        for token in phones:
            assert world.call("GET", f"/api/v1/dilemmas/{second['id']}/results", token=token)[0] == 200
        assert world.call("GET", f"/api/v1/admin/stats/dilemmas/{second['id']}", token=analyst)[0] == 200
    ledger = world.sql("SELECT dilemma_id, release, part, epsilon FROM privacy_ledger")
    assert {row[0] for row in ledger} == {first, second["id"]}, "no release of its own for the shift"
    for dilemma_id in (first, second["id"]):
        names = {name for d, name, _, _ in ledger if d == dilemma_id}
        assert "close" in names and all(name == "close" or name.startswith("live:") for name in names), names
        # As the ledger counts it: per part its largest release, summed.
        per_part: dict[str, float] = {}
        for d, _, part, epsilon in ledger:
            if d == dilemma_id:
                per_part[part] = max(per_part.get(part, 0.0), epsilon)
        assert sum(per_part.values()) <= 1 + 1e-9
