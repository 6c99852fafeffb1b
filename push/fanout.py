"""Many small POSTs to one HTTP/1.1 endpoint at once, cheaply.

FCM's HTTP v1 API takes one message per request and answers each after tens
of milliseconds, so the rate of a sender is the number of requests it keeps
in flight divided by that latency, until its CPU runs out. A thread per
request (firebase-admin's ``send_each``) spends its CPU on threads and on
requests; a few threads with blocking connections spend little but keep few
requests in flight. This client keeps up to ``connections`` kept-alive
connections busy from one event loop in one thread, with h11 (the HTTP/1.1
state machine of httpx and httpcore) for the protocol, so its rate grows
with the connections while its CPU per request stays flat.

It knows nothing of FCM: it sends bodies, gives back each response (status,
headers, body) or the error of its connection, and never retries, except a
request on a kept-alive connection that the server had closed (before any
answer), once, on a new connection.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import h11

READ_SIZE = 65536


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


class StaleConnection(ConnectionError):
    """The server had closed a kept-alive connection before answering."""


class _Connection:
    """One HTTP/1.1 connection, used by one request at a time."""

    def __init__(self, client: FanoutClient) -> None:
        self._client = client
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._protocol: h11.Connection | None = None

    @property
    def open(self) -> bool:
        return self._writer is not None

    async def connect(self) -> None:
        client = self._client
        if client.proxy is not None:
            proxy_host, proxy_port, proxy_headers = client.proxy
            reader, writer = await asyncio.open_connection(proxy_host, proxy_port)
            lines = [f"CONNECT {client.host}:{client.port} HTTP/1.1", f"Host: {client.host}:{client.port}"]
            lines += [f"{name}: {value}" for name, value in proxy_headers.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1] if head.startswith(b"HTTP/") else b""
            if status != b"200":
                writer.close()
                raise ConnectionRefusedError(f"the proxy refused the tunnel: {head.splitlines()[0]!r}")
            await writer.start_tls(client.tls, server_hostname=client.host)
        else:
            reader, writer = await asyncio.open_connection(
                client.host, client.port, ssl=client.tls, server_hostname=client.host if client.tls else None
            )
        self._reader, self._writer = reader, writer
        self._protocol = h11.Connection(h11.CLIENT)

    async def close(self) -> None:
        writer, self._reader, self._writer, self._protocol = self._writer, None, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    async def post(self, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        """One request and its response; a stale kept-alive connection is
        replaced once."""
        for attempt in range(2):
            reused = self.open
            if not reused:
                await self.connect()
            try:
                return await self._exchange(path, headers, body)
            except StaleConnection:
                await self.close()
                if not reused or attempt:
                    raise
            except BaseException:
                await self.close()
                raise
        raise AssertionError("unreachable")

    async def _exchange(self, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        protocol, reader, writer = self._protocol, self._reader, self._writer
        request = self._client.request(path, headers, len(body))
        try:
            writer.write(
                protocol.send(request) + protocol.send(h11.Data(data=body)) + protocol.send(h11.EndOfMessage())
            )
            await writer.drain()
        except (ConnectionResetError, BrokenPipeError) as error:
            raise StaleConnection(str(error)) from error
        response: h11.Response | None = None
        chunks: list[bytes] = []
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(READ_SIZE)
                if not data and response is None:
                    raise StaleConnection("the server closed the connection without answering")
                protocol.receive_data(data)
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("the server closed the connection mid-answer")
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
        else:
            await self.close()  # "Connection: close", or an answer before the whole request
        return Reply(
            response.status_code,
            response.reason.decode("latin-1"),
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers],
            b"".join(chunks),
        )


class FanoutClient:
    """POSTs to ``url`` over up to ``connections`` kept-alive connections,
    from an event loop of its own (a daemon thread). Thread-safe: callers
    block in :meth:`post_all`."""

    def __init__(self, url: str, connections: int = 256, timeout: float = 30.0, tls: ssl.SSLContext | None = None):
        target = urllib.parse.urlsplit(url)
        if target.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.path = target.path or "/"
        self.host = target.hostname
        self.port = target.port or (443 if target.scheme == "https" else 80)
        self.netloc = target.netloc
        self.tls = (tls or ssl.create_default_context()) if target.scheme == "https" else None
        self.proxy = _proxy_for(self.host, self.port) if self.tls else None
        self.connections = max(1, connections)
        self.timeout = timeout
        self._idle: list[_Connection] = []
        self._requests: dict[tuple, h11.Request] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kompas-fanout", daemon=True)
        self._thread.start()

    def request(self, path: str, headers: list[tuple[str, str]], length: int) -> h11.Request:
        """The request line and headers of a POST; made once for each length
        and set of headers (h11 checks every header when it makes one, which
        cost a tenth of a message's time)."""
        key = (path, tuple(headers), length)
        request = self._requests.get(key)
        if request is None:
            if len(self._requests) >= 256:
                self._requests.clear()
            request = self._requests[key] = h11.Request(
                method="POST", target=path, headers=[("Host", self.netloc), ("Content-Length", str(length)), *headers]
            )
        return request

    def post_all(
        self, bodies: Sequence[bytes | Callable[[], bytes]], headers: Sequence[tuple[str, str]]
    ) -> list[Reply | Exception]:
        """POST every body (or what a callable returns, made just before it
        is sent); one reply or exception per body, in order."""
        future = asyncio.run_coroutine_threadsafe(self._post_all(bodies, list(headers)), self._loop)
        return future.result()

    async def _post_all(self, bodies, headers) -> list[Reply | Exception]:
        results: list[Reply | Exception | None] = [None] * len(bodies)
        pending = iter(range(len(bodies)))
        broken: list[BaseException] = []

        async def work() -> None:
            connection = self._idle.pop() if self._idle else _Connection(self)
            try:
                for index in pending:
                    if broken:
                        return
                    body = bodies[index]
                    try:
                        payload = body() if callable(body) else body
                        async with asyncio.timeout(self.timeout):
                            results[index] = await connection.post(self.path, headers, payload)
                    except (OSError, EOFError, ssl.SSLError, h11.ProtocolError, asyncio.IncompleteReadError) as error:
                        await connection.close()
                        results[index] = error
            except BaseException as error:
                broken.append(error)  # a bug, not the network: the others stop too
                raise
            finally:
                if connection.open:
                    self._idle.append(connection)

        await asyncio.gather(*(work() for _ in range(min(self.connections, len(bodies)))), return_exceptions=True)
        if broken:
            raise broken[0]
        return results  # type: ignore[return-value]

    def close(self) -> None:
        async def close_all() -> None:
            idle, self._idle = self._idle, []
            await asyncio.gather(*(connection.close() for connection in idle))

        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def _proxy_for(host: str, port: int) -> tuple[str, int, dict[str, str]] | None:
    """The HTTPS proxy of the environment (HTTPS_PROXY, NO_PROXY) for a host."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    headers = {}
    if parsed.username:
        secret = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return parsed.hostname, parsed.port or 8080, headers
