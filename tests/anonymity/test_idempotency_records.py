"""Issue 14, item 7: stored idempotency records, attacked as a thief with a
copy of the database and as the operator with the copy and the server
secret. The attacker reads the database with SQL only; what they must not
get: a record older than its 24 hours, two records they can tie to one
installation, a key they can turn back into a client address, and any
stored response they can open (a live token, an invite code, a vote)."""

import hashlib
import hmac
import itertools

from click.testing import CliRunner
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import create_engine, text

from api.cli import main
from tests.conftest import SECRET, set_now
from tests.factories import register

# What the columns of a dump may share between two records without telling
# anything: the row's own number, its state, and when it was made.
HARMLESS = {"id", "state", "created_at"}


def dump(database_url: str) -> list[dict]:
    """Every idempotency record, as a thief with the database file sees it."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(text("SELECT * FROM idempotency_keys"))]
    engine.dispose()
    return rows


def blobs(row: dict) -> list[bytes]:
    return [bytes(value) for value in row.values() if isinstance(value, bytes | memoryview)]


def server_secret_keys() -> list[bytes]:
    """Keys an operator derives from the server secret to try on a blob:
    the secret itself, its hash, and HMACs of it with the labels a
    developer would pick."""
    secret = SECRET.encode()
    labels = [b"kompas idempotency", b"idempotency", b"kompas", b"seal", b""]
    return [hashlib.sha256(secret).digest()] + [hmac.new(secret, label, hashlib.sha256).digest() for label in labels]


def opened_with_server_secret(blob: bytes, rows: list[dict]) -> bytes | None:
    associated = [None] + [str(value).encode() for row in rows for value in row.values() if isinstance(value, str)]
    for key, data in itertools.product(server_secret_keys(), associated):
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], data)
        except (InvalidTag, ValueError):
            continue
    return None


def keyed_post(phone, path, body, key):
    return phone.client.post(f"/api/v1{path}", json=body, headers={**phone.headers, "Idempotency-Key": key})


def test_records_are_deleted_when_their_24_hours_are_over(app, client, database_url):
    phone = register(client)
    keyed_post(phone, "/teams", {"name": "Team Noord"}, "first")
    assert len(dump(database_url)) == 1
    set_now(app, "2026-12-10T12:00:01+01:00")
    keyed_post(phone, "/teams", {"name": "Team Zuid"}, "second")  # any keyed request, another key
    rows = dump(database_url)
    assert len(rows) == 1, "a record older than 24 hours is still in the database"


def test_the_push_tick_deletes_expired_records_on_a_quiet_server(client, database_url, monkeypatch, tmp_path):
    phone = register(client)
    keyed_post(phone, "/teams", {"name": "Team Noord"}, "first")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KOMPAS_SECRET_KEY", SECRET)
    monkeypatch.setenv("KOMPAS_NOW", "2026-12-10T12:00:01+01:00")
    result = CliRunner().invoke(main, ["push", "tick"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "deleted 1 idempotency record" in result.output
    assert dump(database_url) == []


def test_a_dump_does_not_tie_records_to_one_installation(client, database_url):
    phone = register(client)
    keyed_post(phone, "/teams", {"name": "Team Noord"}, "monday")
    keyed_post(phone, "/teams", {"name": "Team Zuid"}, "tuesday")
    first, second = dump(database_url)
    shared = {name for name in first if name not in HARMLESS and first[name] == second[name]}
    assert not shared, f"two records of one installation share {shared}"


def test_a_request_without_a_token_leaves_no_address_derived_record(client, database_url):
    client.post("/api/v1/installations", json={"platform": "ios"}, headers={"Idempotency-Key": "k"})
    rows = dump(database_url)
    # The operator hashes every IPv4 address with the secret, as the old owner key was made.
    candidate = hmac.new(SECRET.encode(), digestmod=hashlib.sha256)
    candidate.update(b"owner\0address:127.0.0.1\0")
    assert all(candidate.hexdigest() not in row.values() for row in rows)
    assert rows == [], "a request without a token left a record"


def test_the_operator_with_the_secret_opens_no_stored_response(client, database_url):
    registered = client.post("/api/v1/installations", json={"platform": "ios"}, headers={"Idempotency-Key": "r"})
    token = registered.get_json()["token"]
    phone = register(client)
    team = keyed_post(phone, "/teams", {"name": "Team Noord"}, "team").get_json()
    secrets = [token.encode(), team["invite_code"].encode()]
    rows = dump(database_url)
    assert rows, "nothing was stored: the test would prove nothing"
    for row in rows:
        for blob in blobs(row):
            assert not any(secret in blob for secret in secrets)
            opened = opened_with_server_secret(blob, rows)
            assert opened is None, "the server secret opens a stored response"


def test_the_caller_still_gets_the_replay(client, database_url):
    phone = register(client)
    first = keyed_post(phone, "/teams", {"name": "Team Noord"}, "team")
    again = keyed_post(phone, "/teams", {"name": "Team Noord"}, "team")
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
