"""Fan-out benchmark: how fast the ``fcm`` transport pushes to many devices,
beside firebase-admin's own ways of sending.

``make bench`` (``python -m bench.fanout``) runs the matrix: against the
fake FCM server of the tests behind hypercorn over TLS (tests/fakefcm_tls.py,
certificates from trustme), once offering HTTP/1.1 only and once HTTP/2 (by
ALPN), each answering at once and after 30 ms (a network's round trip), it
measures, each in a fresh process:

- ``fcm``: Kompas's fcm transport (``FcmTransport.send`` in batches of 500:
  firebase-admin's message encoding, credentials and error mapping, our
  bounded fan-out over kept-alive HTTP/1.1 connections); the baseline of
  every ratio;
- ``send_each_async``: firebase-admin's asynchronous path
  (``messaging.send_each_async``, httpx, HTTP/2 where offered), batches of 500;
- ``send_each``: firebase-admin's thread-per-message ``messaging.send_each``
  (HTTP/1.1 only, so on the HTTP/1.1 fake).

It reads from the fake which protocol each client spoke, and ends with the
decision rule of issue 17: were ``send_each_async`` within 25 % of ``fcm``
on HTTP/2 with latency, Kompas would switch to it.

``--fake plain`` runs the earlier comparison on the fake's own plain
HTTP/1.1 server with its ceiling (a minimal client); ``--end-to-end`` also
times ``kompas push tick`` on SQLite. Traffic goes only to 127.0.0.1.

Run: ``make bench`` or ``.venv/bin/python bench/fanout.py [--fake matrix|plain|h1|h2]
[--tokens N] [--latency S]``. A benchmark, not a test: the figures depend
on the machine, and every ratio is against a baseline of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 500
FANOUT_CONNECTIONS = 256  # push.settings.FANOUT_CONNECTIONS, Kompas's default
DATA = {"type": "weekly", "dilemma_id": "12", "week": "2026-W50"}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tokens(count: int) -> list[str]:
    return [f"bench-{n}-{secrets.token_hex(8)}" for n in range(count)]


# -- the measured runs, each in its own process ---------------------------


def run_fcm(url: str, credentials: str, count: int, connections: int) -> dict:
    from datetime import UTC, datetime, timedelta

    from push.fcm import FcmTransport
    from push.messages import compose, texts_for

    transport = FcmTransport(credentials, endpoint=url, connections=connections)
    now = datetime.now(UTC)
    texts = texts_for("weekly", "Een cadeau van een leverancier")
    all_tokens = tokens(count)
    baseline = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    sent = 0
    for start in range(0, count, BATCH):
        batch = [
            compose(
                target=token,
                target_kind="registration",
                kind="weekly",
                locale="nl",
                texts=texts,
                data=DATA,
                expires_at=now + timedelta(days=6),
                now=now,
            )
            for token in all_tokens[start : start + BATCH]
        ]
        sent += sum(result.ok for result in transport.send(batch))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    transport.close()
    return dict(sent=sent, seconds=elapsed, cpu=cpu, baseline_mib=baseline, peak_mib=peak_rss_mib())


def run_send_each(url: str, credentials: str, count: int, connections: int) -> dict:
    import firebase_admin
    from firebase_admin import credentials as firebase_credentials
    from firebase_admin import messaging

    app = firebase_admin.initialize_app(firebase_credentials.Certificate(credentials), name="bench")
    service = messaging._get_messaging_service(app)
    service._fcm_url = f"{url}/v1/projects/{app.project_id}/messages:send"
    # As in push/fcm.py: keep google-auth's regional access boundary lookup
    # off the internet; the fake is the only server here.
    service._credential._is_regional_access_boundary_lookup_required = lambda: False
    all_tokens = tokens(count)
    baseline = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    sent = 0
    for start in range(0, count, BATCH):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Message\.token is deprecated", category=DeprecationWarning)
            batch = [
                messaging.Message(
                    token=token,
                    data=DATA,
                    notification=messaging.Notification("Het dilemma van deze week", "Een cadeau van een leverancier"),
                    android=messaging.AndroidConfig(collapse_key="kompas-weekly", ttl=518400),
                    apns=messaging.APNSConfig(headers={"apns-collapse-id": "kompas-weekly"}),
                )
                for token in all_tokens[start : start + BATCH]
            ]
        sent += messaging.send_each(batch, app=app).success_count
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    firebase_admin.delete_app(app)
    return dict(sent=sent, seconds=elapsed, cpu=cpu, baseline_mib=baseline, peak_mib=peak_rss_mib())


def run_ceiling(url: str, credentials: str, count: int, connections: int) -> dict:
    """A minimal client: prepared requests over as many connections as the
    fcm transport, no parsing beyond the status line and Content-Length."""
    import google.auth.transport.requests
    from google.oauth2 import service_account

    credential = service_account.Credentials.from_service_account_file(
        credentials, scopes=["https://www.googleapis.com/auth/firebase.messaging"]
    )
    credential._is_regional_access_boundary_lookup_required = lambda: False
    credential.refresh(google.auth.transport.requests.Request())
    host, port = url.removeprefix("http://").split(":")
    project = json.loads(Path(credentials).read_text())["project_id"]
    body = json.dumps({"message": {"token": "ceiling", "data": DATA}}).encode()
    request = (
        f"POST /v1/projects/{project}/messages:send HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {credential.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    ok = 0

    async def one_connection(share: int) -> None:
        nonlocal ok
        reader, writer = await asyncio.open_connection(host, int(port))
        for _ in range(share):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            ok += head.startswith(b"HTTP/1.1 200")
        writer.close()

    async def main() -> None:
        shares = [count // connections + (i < count % connections) for i in range(connections)]
        await asyncio.gather(*(one_connection(share) for share in shares if share))

    baseline = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(main())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return dict(sent=ok, seconds=elapsed, cpu=cpu, baseline_mib=baseline, peak_mib=peak_rss_mib())


def run_send_each_async(url: str, credentials: str, count: int, connections: int) -> dict:
    """firebase-admin's own asynchronous path: ``messaging.send_each_async``
    (httpx, HTTP/2 where the server offers it), batches of 500."""
    import firebase_admin
    from firebase_admin import credentials as firebase_credentials
    from firebase_admin import messaging

    app = firebase_admin.initialize_app(firebase_credentials.Certificate(credentials), name="bench-async")
    service = messaging._get_messaging_service(app)
    service._fcm_url = f"{url}/v1/projects/{app.project_id}/messages:send"
    service._credential._is_regional_access_boundary_lookup_required = lambda: False
    all_tokens = tokens(count)
    failures: Counter = Counter()

    async def send_all() -> int:
        sent = 0
        for start in range(0, count, BATCH):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"Message\.token is deprecated", category=DeprecationWarning)
                batch = [
                    messaging.Message(
                        token=token,
                        data=DATA,
                        notification=messaging.Notification(
                            "Het dilemma van deze week", "Een cadeau van een leverancier"
                        ),
                        android=messaging.AndroidConfig(collapse_key="kompas-weekly", ttl=518400),
                        apns=messaging.APNSConfig(headers={"apns-collapse-id": "kompas-weekly"}),
                    )
                    for token in all_tokens[start : start + BATCH]
                ]
            replies = await messaging.send_each_async(batch, app=app)
            sent += replies.success_count
            for reply in replies.responses:
                if not reply.success:
                    cause = reply.exception.cause if reply.exception is not None else None
                    why = f"{type(reply.exception).__name__}: {type(cause).__name__} ({str(cause)[:60]})"
                    failures[f"{why} in batch {start // BATCH + 1}"] += 1
        await service._async_client.aclose()
        return sent

    baseline = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    sent = asyncio.run(send_all())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    firebase_admin.delete_app(app)
    return dict(
        sent=sent, seconds=elapsed, cpu=cpu, baseline_mib=baseline, peak_mib=peak_rss_mib(), failures=dict(failures)
    )


RUNS = {
    "fcm": run_fcm,
    "send_each": run_send_each,
    "send_each_async": run_send_each_async,
    "ceiling": run_ceiling,
}


# -- orchestration ----------------------------------------------------------


FAKES = {
    "plain": ("tests.fakefcm", []),  # HTTP/1.1 without TLS: the fake's own server
    "h1": ("tests.fakefcm_tls", ["--http1"]),  # hypercorn, TLS, HTTP/1.1 only
    "h2": ("tests.fakefcm_tls", []),  # hypercorn, TLS, HTTP/2 by ALPN (HTTP/1.1 for clients without it)
}
PROTOCOL_NAMES = {"plain": "HTTP/1.1 (plain)", "h1": "HTTP/1.1+TLS", "h2": "HTTP/2+TLS"}


@dataclass
class Fake:
    process: subprocess.Popen
    url: str
    credentials: Path
    env: dict

    def versions(self) -> Counter:
        """Requests per HTTP version so far (the TLS fakes count them)."""
        import ssl
        import urllib.request

        context = ssl.create_default_context(cafile=self.env["SSL_CERT_FILE"])
        with urllib.request.urlopen(f"{self.url}/__versions", timeout=10, context=context) as response:
            return Counter(json.loads(response.read()))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def start_fake(folder: Path, latency: float, protocol: str = "plain") -> Fake:
    module, options = FAKES[protocol]
    ready, credentials, ca = folder / f"port-{protocol}", folder / f"sa-{protocol}.json", folder / f"ca-{protocol}.pem"
    ready.unlink(missing_ok=True)
    command = [sys.executable, "-m", module, "--ready", str(ready), "--credentials", str(credentials),
               "--delay", str(latency), *options]  # fmt: skip
    if protocol != "plain":
        command += ["--ca", str(ca)]
    fake = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not (ready.exists() and ready.read_text()):
        if time.monotonic() > deadline or fake.poll() is not None:
            fake.kill()
            raise SystemExit(f"the fake FCM server ({protocol}) did not start")
        time.sleep(0.05)
    port = ready.read_text()
    if protocol == "plain":
        return Fake(fake, f"http://127.0.0.1:{port}", credentials, {})
    # requests (google-auth, Kompas's transport) and httpx (send_each_async) trust the fake's CA.
    return Fake(
        fake, f"https://127.0.0.1:{port}", credentials, {"REQUESTS_CA_BUNDLE": str(ca), "SSL_CERT_FILE": str(ca)}
    )


def measure(name: str, url: str, credentials: Path, count: int, connections: int, env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", name, "--url", url, "--credentials", str(credentials),
         "--tokens", str(count), "--connections", str(connections)],
        capture_output=True, text=True, cwd=ROOT, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_tick(url: str, credentials: Path, count: int, folder: Path) -> dict:
    """``kompas push tick`` on a SQLite database with ``count`` installations."""
    from sqlalchemy import insert

    from dilemmas.model.installations import Installation, PushToken
    from dilemmas.storage.database import make_engine

    kompas = str(Path(sys.executable).parent / "kompas")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "KOMPAS_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "KOMPAS_NOW": "2026-12-07T09:01:00+01:00",
        "PUSH_TRANSPORT": "fcm",
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "FCM_ENDPOINT": url,
    }
    subprocess.run([kompas, "init"], env=env, cwd=folder, check=True, capture_output=True)
    engine = make_engine(env["DATABASE_URL"])
    with engine.begin() as connection:
        ids = [secrets.token_hex(16) for _ in range(count)]
        connection.execute(
            insert(Installation),
            [
                dict(id=i, token_hash=secrets.token_hex(32), organisation_id=1,
                     platform="android", locale="nl", notify_weekly=True, notify_reminders=False,
                     created_at=time_now())
                for i in ids
            ],
        )  # fmt: skip
        connection.execute(
            insert(PushToken),
            [dict(installation_id=i, token=f"tick-{i}", kind="registration", platform="android",
                  refreshed_at=time_now()) for i in ids],
        )  # fmt: skip
    engine.dispose()
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", kompas, "push", "tick"], env=env, cwd=folder, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"tick failed:\n{result.stderr[-3000:]}")
    sent = sum(int(line.split(":")[1].split()[0]) for line in result.stdout.splitlines() if " batch " in line)
    peak = int(result.stderr.strip().splitlines()[-1]) / 1024
    return dict(sent=sent, seconds=elapsed, cpu=float("nan"), baseline_mib=float("nan"), peak_mib=peak)


def time_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


LATENCIES = (0.0, 0.03)
SWITCH_AT = 0.75  # the library's path within 25 % of ours on HTTP/2 with latency: switch to it


def matrix(count: int, connections: int) -> list[dict]:
    """Kompas's fcm transport and firebase-admin's ``send_each_async`` (and,
    on HTTP/1.1, the thread-per-message ``send_each``) against the TLS fake
    speaking HTTP/1.1 only and HTTP/2, each answering at once and after
    30 ms. Which protocol each client really spoke is read from the fake."""
    results = []
    with tempfile.TemporaryDirectory(prefix="kompas-bench-") as folder:
        for latency in LATENCIES:
            for protocol in ("h1", "h2"):
                fake = start_fake(Path(folder), latency, protocol)
                try:
                    names = ("fcm", "send_each_async", "send_each") if protocol == "h1" else ("fcm", "send_each_async")
                    for name in names:
                        print(f"measuring {name}, {PROTOCOL_NAMES[protocol]}, {1000 * latency:g} ms, "
                              f"{count:,} messages ...", flush=True)  # fmt: skip
                        before = fake.versions()
                        result = measure(name, fake.url, fake.credentials, count, connections, fake.env)
                        spoken = fake.versions() - before
                        result.update(name=name, protocol=protocol, latency=latency, spoken=dict(spoken))
                        results.append(result)
                finally:
                    fake.stop()
    return results


def print_matrix(results: list[dict], count: int, connections: int) -> None:
    from bench.table import Row, report

    print()
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {count:,} messages per run, "
          f"fcm transport: {connections} connections; fake: hypercorn over TLS (trustme CA), "
          f"{MAX_STREAMS_NOTE}")  # fmt: skip
    header = f"{'fake':<14}{'latency':>8}  {'client':<16}{'spoke':<9}{'msg/s':>9}{'CPU ms/msg':>12}{'peak MiB':>10}"
    print(header + f"{'vs fcm':>9}")
    base = {(r["protocol"], r["latency"]): r["sent"] / r["seconds"] for r in results if r["name"] == "fcm"}
    rows = []
    for r in results:
        rate = r["sent"] / r["seconds"]
        ratio = rate / base[(r["protocol"], r["latency"])]
        spoke = max(r["spoken"], key=r["spoken"].get, default="?")
        spoke = {"2": "HTTP/2", "1.1": "HTTP/1.1"}.get(spoke, spoke)
        print(
            f"{PROTOCOL_NAMES[r['protocol']]:<14}{1000 * r['latency']:>6g}ms  {r['name']:<16}{spoke:<9}{rate:>9,.0f}"
            f"{1000 * r['cpu'] / max(r['sent'], 1):>12.3f}{r['peak_mib']:>10.0f}{ratio:>8.2f}x"
        )
        if r["sent"] != count:
            failures = ", ".join(f"{n:,} {why}" for why, n in r.get("failures", {}).items())
            print(f"  (only {r['sent']:,} of {count:,} were accepted{': ' + failures if failures else ''})")
        if r["name"] != "fcm":
            figure = f"{r['name']} on {PROTOCOL_NAMES[r['protocol']]}, {1000 * r['latency']:g} ms"
            fcm_rate = base[(r["protocol"], r["latency"])]
            rows.append(Row("fanout", figure, rate, "/s", f"fcm transport {fcm_rate:,.0f}/s", ratio, "-", None))
    # CPU per message of our transport, for the capacity model (docs/capacity.md).
    for r in results:
        if r["name"] == "fcm" and r["protocol"] == "h2" and r["latency"] > 0:
            figure = f"fcm transport CPU per message, HTTP/2+TLS fake, {1000 * r['latency']:g} ms"
            per_message = 1000 * r["cpu"] / max(r["sent"], 1)
            rows.append(Row("fanout", figure, per_message, "ms", f"{r['sent']:,} messages", None, "-", None))
    # The library's paths may lose messages (see bench/README.md); ours must not.
    lost = sum(count - r["sent"] for r in results if r["name"] == "fcm")
    rows.append(Row("fanout", "fcm transport: messages not accepted", lost, "errors", "-", None, "0", lost == 0))
    decisive = [r for r in results if r["name"] == "send_each_async" and r["protocol"] == "h2" and r["latency"] > 0]
    print()
    for r in decisive:
        ratio = (r["sent"] / r["seconds"]) / base[("h2", r["latency"])]
        verdict = "switch to send_each_async" if ratio >= SWITCH_AT else "keep Kompas's fan-out client"
        print(
            f"send_each_async / fcm transport on HTTP/2 at {1000 * r['latency']:g} ms: {ratio:.2f} "
            f"(switch at >= {SWITCH_AT:.2f}): {verdict}"
        )
        rows.append(
            Row("fanout", f"send_each_async / fcm, HTTP/2, {1000 * r['latency']:g} ms", ratio, "x",
                "fcm transport, same run", ratio, f">= {SWITCH_AT} switches", ratio >= SWITCH_AT)
        )  # fmt: skip
    report(rows)


MAX_STREAMS_NOTE = "HTTP/2: 100 concurrent streams per connection"


def main() -> None:
    parser = argparse.ArgumentParser(description="FCM fan-out benchmark (see the module docstring)")
    parser.add_argument(
        "--fake",
        choices=["matrix", *FAKES],
        default="matrix",
        help="matrix (default, what make bench runs): HTTP/1.1 and HTTP/2 over TLS at 0 and 30 ms; "
        "or one fake: plain (HTTP/1.1 without TLS, with the ceiling run), h1, h2",
    )
    parser.add_argument("--tokens", type=int, default=None, help="messages per run (matrix 4,000; one fake 100,000)")
    parser.add_argument(
        "--connections", type=int, default=FANOUT_CONNECTIONS, help="connections of the fcm transport (and the ceiling)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the fake waits before it answers (a network's round trip)"
    )
    parser.add_argument("--only", nargs="+", choices=sorted(RUNS), help="measure only these")
    parser.add_argument("--end-to-end", action="store_true", help="also time `kompas push tick` on SQLite")
    parser.add_argument("--child", choices=sorted(RUNS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--credentials", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        result = RUNS[arguments.child](arguments.url, arguments.credentials, arguments.tokens, arguments.connections)
        print(json.dumps(result))
        return
    if arguments.fake == "matrix":
        count = arguments.tokens or 4_000
        print_matrix(matrix(count, arguments.connections), count, arguments.connections)
        return

    arguments.tokens = arguments.tokens or 100_000
    with tempfile.TemporaryDirectory(prefix="kompas-bench-") as folder:
        fake = start_fake(Path(folder), arguments.latency, arguments.fake)
        try:
            results = {}
            default = ("ceiling", "fcm", "send_each") if arguments.fake == "plain" else ("fcm", "send_each_async")
            for name in arguments.only or default:
                print(f"measuring {name} with {arguments.tokens:,} messages ...", flush=True)
                results[name] = measure(
                    name, fake.url, fake.credentials, arguments.tokens, arguments.connections, fake.env
                )
            if arguments.end_to_end:
                print(f"measuring kompas push tick with {arguments.tokens:,} installations ...", flush=True)
                results["tick"] = measure_tick(fake.url, fake.credentials, arguments.tokens, Path(folder))
        finally:
            fake.stop()
    rate = {name: r["sent"] / r["seconds"] for name, r in results.items()}
    print()
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {arguments.tokens:,} tokens, "
          f"connections: {arguments.connections}, fake: {PROTOCOL_NAMES[arguments.fake]}, "
          f"latency of the fake: {1000 * arguments.latency:g} ms")  # fmt: skip
    print(f"{'run':<16}{'sent':>10}{'seconds':>10}{'msg/s':>10}{'CPU ms/msg':>12}{'peak MiB':>10}{'growth MiB':>12}")
    for name, r in results.items():
        cpu_per_message = 1000 * r["cpu"] / max(r["sent"], 1)
        print(
            f"{name:<16}{r['sent']:>10,}{r['seconds']:>10.1f}{rate[name]:>10,.0f}{cpu_per_message:>12.3f}"
            f"{r['peak_mib']:>10.0f}{r['peak_mib'] - r['baseline_mib']:>12.0f}"
        )
        for why, n in r.get("failures", {}).items():
            print(f"  failed: {n:,} {why}")
    print()
    for other in ("send_each", "send_each_async"):
        if "fcm" in rate and other in rate:
            print(f"{'fcm transport vs ' + other + ':':<33}{rate['fcm'] / rate[other]:.1f}x")
    for name in ("fcm", "send_each"):
        if name in rate and "ceiling" in rate:
            print(f"{name + ' vs the fake' + chr(39) + 's ceiling:':<33}{100 * rate[name] / rate['ceiling']:.0f}%")
    if "tick" in rate:
        print(f"kompas push tick (end to end):   {rate['tick']:,.0f} msg/s, {results['tick']['peak_mib']:.0f} MiB peak")


if __name__ == "__main__":
    main()
