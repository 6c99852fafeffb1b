"""Rate limits kept in a real Redis server, as with several servers."""

import shutil
import socket
import subprocess
import time

import pytest
import redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (Debian's redis-server package; .ci/run installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_two_servers_share_one_registration_budget(make_app, redis_url):
    first = make_app(RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url).test_client()
    second = make_app(RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url).test_client()
    statuses = []
    for index in range(31):
        client = first if index % 2 else second
        statuses.append(client.post("/api/v1/installations", json={"platform": "web"}).status_code)
    assert statuses[:30] == [201] * 30 and statuses[30] == 429
    assert second.post("/api/v1/installations", json={"platform": "web"}).status_code == 429
    # The counts live in Redis, where every server sees them.
    stored = redis.Redis.from_url(redis_url)
    assert stored.keys("LIMITS*")
    stored.flushall()
    assert first.post("/api/v1/installations", json={"platform": "web"}).status_code == 201
    stored.close()
