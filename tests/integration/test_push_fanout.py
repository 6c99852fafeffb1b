"""The fan-out HTTP client under what real servers and networks do: TLS, an
HTTPS proxy, chunked answers, kept-alive connections the server closed,
slow answers and refused connections."""

import json
import ssl

import google.auth.transport.requests
import pytest
from google.oauth2 import service_account

from push.fanout import FanoutClient, Reply
from tests.fakefcm import ConnectProxy, FakeFcm


def body(token: str) -> bytes:
    return json.dumps({"message": {"token": token, "data": {"type": "test"}}}).encode()


def authorised(fake: FakeFcm, key_file) -> list[tuple[str, str]]:
    """Headers with a bearer token the fake issued, got as google-auth gets one."""
    credential = service_account.Credentials.from_service_account_file(
        fake.service_account(key_file), scopes=["https://www.googleapis.com/auth/firebase.messaging"]
    )
    credential._is_regional_access_boundary_lookup_required = lambda: False
    request = google.auth.transport.requests.Request()
    if fake.ca_file is not None:
        request.session.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify
        request.session.verify = str(fake.ca_file)
    credential.refresh(request)
    return [("Authorization", f"Bearer {credential.token}"), ("Content-Type", "application/json")]


@pytest.fixture
def tls_fake(tmp_path):
    with FakeFcm(tls_folder=tmp_path) as fake:
        yield fake


def send_url(fake: FakeFcm) -> str:
    return f"{fake.url}/v1/projects/{fake.project_id}/messages:send"


def test_https_with_a_certificate_the_client_trusts(tls_fake, monkeypatch, tmp_path):
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    trusted = ssl.create_default_context(cafile=str(tls_fake.ca_file))
    client = FanoutClient(send_url(tls_fake), connections=3, tls=trusted)
    try:
        replies = client.post_all([body(f"t{i}") for i in range(10)], authorised(tls_fake, tmp_path / "key.json"))
    finally:
        client.close()
    assert [r.status for r in replies] == [200] * 10
    assert tls_fake.delivered() == {f"t{i}": 1 for i in range(10)}
    # An untrusted certificate is a connection error, not a crash.
    client = FanoutClient(send_url(tls_fake), connections=1, tls=ssl.create_default_context())
    try:
        [refused] = client.post_all([body("x")], [])
    finally:
        client.close()
    assert isinstance(refused, ssl.SSLError)


def test_https_through_the_proxy_of_the_environment(tls_fake, monkeypatch, tmp_path):
    trusted = ssl.create_default_context(cafile=str(tls_fake.ca_file))
    headers = authorised(tls_fake, tmp_path / "key.json")
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client = FanoutClient(send_url(tls_fake), connections=2, tls=trusted)
        try:
            replies = client.post_all([body(f"p{i}") for i in range(6)], headers)
        finally:
            client.close()
    assert [r.status for r in replies] == [200] * 6
    assert proxy.tunnels and set(proxy.tunnels) == {f"127.0.0.1:{tls_fake.port}"}
    assert len(proxy.tunnels) <= 2


@pytest.fixture
def plain_fake():
    with FakeFcm() as fake:
        yield fake


def test_chunked_answers_and_connections_the_server_closed(plain_fake, tmp_path):
    headers = authorised(plain_fake, tmp_path / "key.json")
    client = FanoutClient(send_url(plain_fake), connections=4)
    try:
        plain_fake.chunked = True
        first = client.post_all([body(f"a{i}") for i in range(8)], headers)
        assert all(isinstance(r, Reply) and r.status == 200 for r in first)
        assert json.loads(first[0].body)["name"].startswith("projects/")
        plain_fake.drop_connections()  # idle kept-alive connections, closed by the server
        second = client.post_all([body(f"b{i}") for i in range(8)], headers)
        assert all(isinstance(r, Reply) and r.status == 200 for r in second), second
    finally:
        client.close()
    assert sum(plain_fake.delivered().values()) == 16 and set(plain_fake.delivered().values()) == {1}


def test_a_slow_answer_times_out_and_a_closed_port_is_refused(plain_fake, tmp_path):
    headers = authorised(plain_fake, tmp_path / "key.json")
    plain_fake.delay = 1.0
    client = FanoutClient(send_url(plain_fake), connections=2, timeout=0.2)
    try:
        replies = client.post_all([body("slow-1"), body("slow-2")], headers)
    finally:
        client.close()
    assert all(isinstance(r, TimeoutError) for r in replies)
    url = send_url(plain_fake)
    plain_fake.stop()
    client = FanoutClient(url, connections=2)
    try:
        replies = client.post_all([body("x"), body("y")], headers)
    finally:
        client.close()
    assert all(isinstance(r, ConnectionError) for r in replies)


def test_an_error_in_the_caller_stops_the_batch(plain_fake, tmp_path):
    headers = authorised(plain_fake, tmp_path / "key.json")

    def broken() -> bytes:
        raise ValueError("not a message")

    client = FanoutClient(send_url(plain_fake), connections=1)
    try:
        with pytest.raises(ValueError):
            client.post_all([body("first"), broken, body("never")], headers)
    finally:
        client.close()
    assert "never" not in plain_fake.attempts()
