"""The fake FCM server of tests/fakefcm.py as real FCM is reached: over TLS,
speaking HTTP/2 to a client that offers it (ALPN ``h2``) and HTTP/1.1 to
the others, or HTTP/1.1 only (``--http1``).

The fake's answers (tokens, sends, errors, the delay that stands for the
network's round trip) are those of ``FakeFcm``; hypercorn, a server we did
not write, speaks the protocols. The certificate comes from a throwaway
certificate authority made by trustme; clients trust it through
SSL_CERT_FILE (httpx) and REQUESTS_CA_BUNDLE (requests, google-auth and
Kompas's fcm transport). Only 127.0.0.1.

Run: ``python -m tests.fakefcm_tls --ready PORTFILE --credentials KEYFILE
--ca CAFILE [--delay S] [--http1]`` (the benchmark does).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import socket
import ssl
import sys
import tempfile
from pathlib import Path

import trustme
from hypercorn.asyncio import serve
from hypercorn.config import Config

from tests.fakefcm import FakeFcm

# Google's front ends allow 100 concurrent streams per HTTP/2 connection;
# so does this fake (hypercorn's default), so that a client which sends
# more at once waits as it would in production.
MAX_STREAMS = 100


def application(fake: FakeFcm, versions: collections.Counter):
    """An ASGI application that answers as ``fake`` does, counting the HTTP
    versions of the requests (``GET /__versions``), so that a benchmark can
    show which protocol each client really spoke."""

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/__versions":
            data = json.dumps(dict(versions)).encode()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": data})
            return
        versions[scope["http_version"]] += 1
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        status, extra, payload = await fake._route(scope["method"], target, headers, bytes(body))
        data = json.dumps(payload).encode()
        head = [(b"content-type", b"application/json; charset=UTF-8"), (b"content-length", str(len(data)).encode())]
        head += [(name.lower().encode("latin-1"), str(value).encode("latin-1")) for name, value in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": data})

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", type=Path, required=True, help="write the port here when listening")
    parser.add_argument("--credentials", type=Path, required=True, help="write a service-account key here")
    parser.add_argument("--ca", type=Path, required=True, help="write the CA certificate (PEM) here")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each send is answered")
    parser.add_argument("--http1", action="store_true", help="offer HTTP/1.1 only (no h2 in ALPN)")
    arguments = parser.parse_args()

    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(arguments.ca))
    issued = authority.issue_cert("127.0.0.1", "localhost")
    port = free_port()
    fake = FakeFcm(delay=arguments.delay, keep_messages=False)
    versions: collections.Counter = collections.Counter()
    fake.port = port
    with tempfile.TemporaryDirectory(prefix="kompas-fakefcm-tls-") as folder:
        fake.tls_folder = Path(folder)  # the fake's URLs say https
        fake.service_account(arguments.credentials)
        chain, key = Path(folder) / "chain.pem", Path(folder) / "key.pem"
        issued.cert_chain_pems[0].write_to_path(str(chain))
        for extra in issued.cert_chain_pems[1:]:
            extra.write_to_path(str(chain), append=True)
        issued.private_key_pem.write_to_path(str(key))
        config = Config()
        config.bind = [f"127.0.0.1:{port}"]
        config.certfile, config.keyfile = str(chain), str(key)
        config.alpn_protocols = ["http/1.1"] if arguments.http1 else ["h2", "http/1.1"]
        config.h2_max_concurrent_streams = MAX_STREAMS
        config.keep_alive_timeout = 600
        # hypercorn closes a connection after 1,000 requests by default (an
        # HTTP/2 GOAWAY); FCM keeps its connections far longer, and a
        # benchmark should measure sending, not reconnecting.
        config.keep_alive_max_requests = 10_000_000
        config.backlog = 1024
        config.accesslog = None
        config.errorlog = "-"

        trusting = ssl.create_default_context(cafile=str(arguments.ca))

        def quietly(loop, context) -> None:
            # A client that goes away mid-connection is no news to a fake
            # server: one line, not asyncio's traceback.
            error = context.get("exception")
            print(f"fake FCM: {context.get('message')}: {type(error).__name__} {error}", file=sys.stderr)

        async def run() -> None:
            asyncio.get_running_loop().set_exception_handler(quietly)
            fake._released = asyncio.Event()
            server = asyncio.ensure_future(serve(application(fake, versions), config))
            # hypercorn says nothing when it listens: wait until the port answers.
            while not server.done():
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=trusting)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                break
            arguments.ready.write_text(str(port))
            await server

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run())


if __name__ == "__main__":
    main()
