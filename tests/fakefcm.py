"""A fake Firebase Cloud Messaging server for the tests and the benchmark.

It speaks what the real firebase-admin library talks to, over plain HTTP on
127.0.0.1: the OAuth 2.0 token endpoint of a service account (JWT bearer
grant; the assertion's RS256 signature is checked against the throwaway key
the fake generated), the FCM v1 ``messages:send`` API (a bearer token the
fake issued is required) and the v1 topic subscription API.

What it answers is decided per token, in this order:
- replies queued with :meth:`FakeFcm.script` (``"UNREGISTERED"``,
  ``"INVALID_ARGUMENT"``, ``"QUOTA_EXCEEDED"`` (429 with ``Retry-After``),
  ``"UNAVAILABLE"`` (503), ``"INTERNAL"`` (500), ``"OK"``), one per attempt;
- the token's prefix, so that separate processes can be steered by the
  tokens the test registers: ``unregistered-`` and ``invalid-`` always fail
  that way, ``busy-`` gets one 429 and ``down-`` one 503 before succeeding;
- otherwise success.

The server runs an asyncio loop in a thread (tests) or in a process of its
own (``python -m tests.fakefcm``, the benchmark). It keeps keep-alive
connections and handles many at once, so it is not what limits a client.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ipaddress
import json
import re
import secrets
import ssl
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PROJECT_ID = "kompas-fake"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
SEND_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
SUBSCRIBE_PATH = re.compile(r"^/v1/projects/([^/]+)/registrations/([^/]+)/topicSubscriptions(?:/([^/?]+))?$")
PREFIX_REPLIES = {
    "unregistered-": ("UNREGISTERED", None),
    "invalid-": ("INVALID_ARGUMENT", None),
    "busy-": ("QUOTA_EXCEEDED", "OK"),
    "down-": ("UNAVAILABLE", "OK"),
}
STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _error(status: int, grpc_status: str, message: str, fcm_code: str | None, *extra: dict) -> tuple[int, dict]:
    details = [{"@type": FCM_ERROR, "errorCode": fcm_code}] if fcm_code else []
    details.extend(extra)
    return status, {"error": {"code": status, "message": message, "status": grpc_status, "details": details}}


def error_reply(code: str, target_field: str = "message.token") -> tuple[int, dict]:
    """The HTTP status and JSON body real FCM answers with for ``code``."""
    if code == "UNREGISTERED":
        return _error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
    if code == "INVALID_ARGUMENT":
        violation = {
            "@type": BAD_REQUEST,
            "fieldViolations": [{"field": target_field, "description": "Invalid registration token"}],
        }
        return _error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
            violation,
        )
    if code == "INVALID_PAYLOAD":
        violation = {
            "@type": BAD_REQUEST,
            "fieldViolations": [{"field": "message.data", "description": "Invalid value"}],
        }
        return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "INVALID_ARGUMENT", violation)
    if code == "QUOTA_EXCEEDED":
        return _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests'.", "QUOTA_EXCEEDED")
    if code == "UNAVAILABLE":
        return _error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE")
    if code == "INTERNAL":
        return _error(500, "INTERNAL", "Internal error encountered.", "INTERNAL")
    if code == "SENDER_ID_MISMATCH":
        return _error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH")
    raise ValueError(f"unknown reply {code!r}")


def new_service_account(token_uri: str, project_id: str = PROJECT_ID) -> tuple[dict, rsa.RSAPublicKey]:
    """A throwaway service-account key (2048-bit RSA) whose token endpoint is
    ``token_uri``; returns the key file's content and the public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": f"kompas-push@{project_id}.iam.gserviceaccount.com",
        "client_id": str(secrets.randbelow(10**20)),
        "token_uri": token_uri,
    }
    return info, key.public_key()


@dataclass
class Stats:
    """What the fake saw; read it under :attr:`FakeFcm.lock`."""

    attempts: collections.Counter = field(default_factory=collections.Counter)
    subscription_attempts: collections.Counter = field(default_factory=collections.Counter)
    delivered: collections.Counter = field(default_factory=collections.Counter)
    delivered_total: int = 0  # sum(delivered.values()), kept up to date: summing costs O(tokens)
    sends: int = 0
    replies: collections.Counter = field(default_factory=collections.Counter)
    messages: list = field(default_factory=list)
    topic_messages: list = field(default_factory=list)
    subscriptions: dict = field(default_factory=lambda: collections.defaultdict(set))
    token_requests: int = 0
    unauthorised: int = 0
    requests: int = 0
    connections: int = 0


class FakeFcm:
    """The fake server; ``with FakeFcm() as fcm:`` runs it in a thread."""

    def __init__(
        self,
        delay: float = 0.0,
        keep_messages: bool = True,
        project_id: str = PROJECT_ID,
        tls_folder: Path | None = None,
    ) -> None:
        self.project_id = project_id
        self.delay = delay
        self.keep_messages = keep_messages
        # Answer with Transfer-Encoding: chunked instead of Content-Length.
        self.chunked = False
        # With a folder: HTTPS with a self-signed certificate for 127.0.0.1,
        # written there as ``ca.pem`` for clients to trust.
        self.tls_folder = tls_folder
        self.ca_file: Path | None = None
        self.lock = threading.Lock()
        self.stats = Stats()
        self._scripts: dict[str, collections.deque] = {}
        self._public_keys: list = []
        self._access_tokens: set[str] = set()
        self._hold_after: int | None = None
        self._released: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._handlers: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    # -- configuration -------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give Kompas as FCM_ENDPOINT."""
        return f"{'https' if self.tls_folder else 'http'}://127.0.0.1:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def service_account(self, path: Path) -> Path:
        """Write a service-account key file that authenticates against this
        fake and return its path (GOOGLE_APPLICATION_CREDENTIALS)."""
        info, public_key = new_service_account(self.token_uri, self.project_id)
        with self.lock:
            self._public_keys.append(public_key)
        path.write_text(json.dumps(info), encoding="utf-8")
        return path

    def script(self, token: str, *replies: str) -> None:
        """Answer the next attempts for ``token`` with ``replies`` in turn."""
        with self.lock:
            self._scripts.setdefault(token, collections.deque()).extend(replies)

    def hold_after(self, count: int | None) -> None:
        """Stall every send after ``count`` successful deliveries (until
        :meth:`release`): a campaign stopped halfway, on demand."""
        with self.lock:
            self._hold_after = count

    def release(self) -> None:
        self.hold_after(None)
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def delivered(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(self.stats.delivered)

    def attempts(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(self.stats.attempts)

    def messages(self) -> list[dict]:
        with self.lock:
            return list(self.stats.messages)

    def topic_messages(self) -> list[dict]:
        with self.lock:
            return list(self.stats.topic_messages)

    def subscribers(self, topic: str) -> set[str]:
        with self.lock:
            return set(self.stats.subscriptions.get(topic, set()))

    # -- running -------------------------------------------------------

    def __enter__(self) -> FakeFcm:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self, port: int = 0) -> FakeFcm:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start(port))
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-fcm", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    async def _start(self, port: int) -> None:
        self._released = asyncio.Event()
        tls = self._tls_context() if self.tls_folder else None
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port, backlog=1024, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]

    def _tls_context(self) -> ssl.SSLContext:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-fcm.test")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.ca_file = self.tls_folder / "ca.pem"
        self.ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file = self.tls_folder / "key.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, key_file)
        return context

    def drop_connections(self) -> None:
        """Close every open connection from the server's side, as a server
        does with idle kept-alive connections."""

        async def drop() -> None:
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            self._server.close()
            self._released.set()
            for handler in list(self._handlers):
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    # -- HTTP ----------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self.lock:
            self.stats.connections += 1
        handler = asyncio.current_task()
        self._handlers.add(handler)
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                if "chunked" in headers.get("transfer-encoding", ""):
                    status, extra, body = 411, {}, {"error": "chunked bodies are not supported"}
                else:
                    payload = await reader.readexactly(int(headers.get("content-length", "0")))
                    status, extra, body = await self._route(method, target, headers, payload)
                data = json.dumps(body).encode()
                response = [f"HTTP/1.1 {status} {STATUS_TEXT.get(status, 'Status')}"]
                response.append("Content-Type: application/json; charset=UTF-8")
                if self.chunked:
                    response.append("Transfer-Encoding: chunked")
                    half = len(data) // 2
                    data = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (data[:half], data[half:]))
                    data += b"0\r\n\r\n"
                else:
                    response.append(f"Content-Length: {len(data)}")
                response.extend(f"{name}: {value}" for name, value in extra.items())
                writer.write(("\r\n".join(response) + "\r\n\r\n").encode("latin-1") + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._handlers.discard(handler)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _route(self, method: str, target: str, headers: dict, payload: bytes) -> tuple[int, dict, dict]:
        path, _, query = target.partition("?")
        with self.lock:
            self.stats.requests += 1
        if path == "/token" and method == "POST":
            return self._token(payload)
        if path == "/__stats" and method == "GET":
            with self.lock:
                return (
                    200,
                    {},
                    {
                        "requests": self.stats.requests,
                        "delivered": self.stats.delivered_total,
                        "attempts": sum(self.stats.attempts.values()),
                        "replies": dict(self.stats.replies),
                        "token_requests": self.stats.token_requests,
                    },
                )
        authorised = headers.get("authorization", "").removeprefix("Bearer ") in self._access_tokens
        send = SEND_PATH.match(path)
        subscription = SUBSCRIBE_PATH.match(path)
        if not (send or subscription):
            return 404, {}, {"error": {"code": 404, "message": f"no such path {path}", "status": "NOT_FOUND"}}
        if not authorised:
            with self.lock:
                self.stats.unauthorised += 1
            return (
                401,
                {},
                {"error": {"code": 401, "message": "Request is missing a valid token.", "status": "UNAUTHENTICATED"}},
            )
        if send and method == "POST":
            return await self._send(json.loads(payload))
        if subscription:
            token = urllib.parse.unquote(subscription[2])
            if method == "POST":
                topic = urllib.parse.parse_qs(query).get("topic_name", [""])[0]
                return self._subscription(token, topic, subscribe=True)
            if method == "DELETE":
                return self._subscription(token, urllib.parse.unquote(subscription[3] or ""), subscribe=False)
        return 405, {}, {"error": {"code": 405, "message": "method not allowed", "status": "INVALID_ARGUMENT"}}

    def _token(self, payload: bytes) -> tuple[int, dict, dict]:
        form = urllib.parse.parse_qs(payload.decode())
        assertion = form.get("assertion", [""])[0]
        for key in self._public_keys:
            try:
                # google-auth signs for Google's token endpoint whatever the key file's token_uri says.
                jwt.decode(assertion, key, algorithms=["RS256"], audience=[self.token_uri, GOOGLE_TOKEN_URI])
            except jwt.PyJWTError:
                continue
            token = "fake-access-" + secrets.token_urlsafe(24)
            with self.lock:
                self._access_tokens.add(token)
                self.stats.token_requests += 1
            return 200, {}, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        return 400, {}, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}

    def _reply_for(self, target: str) -> str:
        with self.lock:
            queued = self._scripts.get(target)
            if queued:
                return queued.popleft()
            for prefix, (first, then) in PREFIX_REPLIES.items():
                if target.startswith(prefix):
                    seen = self.stats.attempts[target]
                    return first if (then is None or seen <= 1) else then
        return "OK"

    async def _send(self, body: dict) -> tuple[int, dict, dict]:
        message = body.get("message") or {}
        targets = [name for name in ("token", "fid", "topic", "condition") if name in message]
        if len(targets) != 1:
            status, error = error_reply("INVALID_PAYLOAD")
            return status, {}, error
        target = message[targets[0]]
        with self.lock:
            self.stats.attempts[target] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        while True:
            with self.lock:
                hold = self._hold_after is not None and self.stats.delivered_total >= self._hold_after
            if not hold:
                break
            self._released.clear()
            await self._released.wait()
        reply = self._reply_for(target)
        with self.lock:
            self.stats.replies[reply] += 1
        if reply != "OK":
            status, error = error_reply(reply, f"message.{targets[0]}")
            headers = {"Retry-After": "1"} if status == 429 else {}
            return status, headers, error
        with self.lock:
            self.stats.sends += 1
            number = self.stats.sends
            if targets[0] == "topic":
                self.stats.topic_messages.append(message)
                for token in self.stats.subscriptions.get(target, ()):
                    self.stats.delivered[token] += 1
                    self.stats.delivered_total += 1
            else:
                self.stats.delivered[target] += 1
                self.stats.delivered_total += 1
            if self.keep_messages:
                self.stats.messages.append(message)
        return 200, {}, {"name": f"projects/{self.project_id}/messages/{number}"}

    def _subscription(self, token: str, topic: str, subscribe: bool) -> tuple[int, dict, dict]:
        with self.lock:
            self.stats.subscription_attempts[token] += 1
        reply = self._reply_for(token)
        if reply != "OK":
            status, error = error_reply(reply)
            return status, {}, error
        with self.lock:
            if subscribe:
                self.stats.subscriptions[topic].add(token)
            else:
                self.stats.subscriptions[topic].discard(token)
        return 200, {}, {}


def fetch_stats(url: str) -> dict:
    """The counters of a fake running in another process."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/__stats", timeout=10) as response:
        return json.loads(response.read())


def main() -> None:
    """Run a fake in this process: ``python -m tests.fakefcm --ready FILE``
    writes the port and a service-account key file next to FILE."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", type=Path, required=True, help="write the port here when listening")
    parser.add_argument("--credentials", type=Path, required=True, help="write a service-account key here")
    parser.add_argument("--delay", type=float, default=0.0)
    arguments = parser.parse_args()
    fake = FakeFcm(delay=arguments.delay, keep_messages=False)

    async def main_async() -> None:
        await fake._start(0)
        fake.service_account(arguments.credentials)
        arguments.ready.write_text(str(fake.port))
        async with fake._server:
            await fake._server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main_async())


if __name__ == "__main__":
    sys.exit(main())


class ConnectProxy:
    """An HTTP proxy that only tunnels (CONNECT), on 127.0.0.1, in a thread:
    what a government network puts between a server and the internet."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="connect-proxy", daemon=True)

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._tunnel, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_exc) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        self.tunnels.append(target)
        host, _, port = target.rpartition(":")
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
