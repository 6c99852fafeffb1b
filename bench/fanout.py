"""Fan-out benchmark: how fast the ``fcm`` transport pushes to many devices.

Starts the fake FCM server of the tests (tests/fakefcm.py) in a process of
its own on 127.0.0.1 and measures, each in a fresh process so that peak
memory is its own:

- ``ceiling``: the fake's own limit, with a minimal asyncio HTTP client that
  sends prepared requests over kept-alive connections;
- ``fcm``: Kompas's fcm transport (``FcmTransport.send`` in batches of 500:
  firebase-admin's message encoding, credentials and error mapping, our
  bounded fan-out);
- ``send_each``: firebase-admin's own ``messaging.send_each`` in batches of
  500, pointed at the same fake;
- ``tick`` (``--end-to-end``): ``kompas push tick`` with the fcm transport on
  a SQLite database of that many installations, start-up included.

Run: ``make bench`` or ``.venv/bin/python bench/fanout.py [--tokens N]``.
A benchmark, not a test: the figures depend on the machine.
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


RUNS = {"fcm": run_fcm, "send_each": run_send_each, "ceiling": run_ceiling}


# -- orchestration ----------------------------------------------------------


def start_fake(folder: Path, latency: float) -> tuple[subprocess.Popen, str, Path]:
    ready, credentials = folder / "port", folder / "service-account.json"
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakefcm", "--ready", str(ready), "--credentials", str(credentials),
         "--delay", str(latency)],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not (ready.exists() and ready.read_text()):
        if time.monotonic() > deadline or fake.poll() is not None:
            raise SystemExit("the fake FCM server did not start")
        time.sleep(0.05)
    return fake, f"http://127.0.0.1:{ready.read_text()}", credentials


def measure(name: str, url: str, credentials: Path, count: int, connections: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", name, "--url", url, "--credentials", str(credentials),
         "--tokens", str(count), "--connections", str(connections)],
        capture_output=True, text=True, cwd=ROOT, check=False,
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


def main() -> None:
    parser = argparse.ArgumentParser(description="FCM fan-out benchmark (see the module docstring)")
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument(
        "--connections", type=int, default=FANOUT_CONNECTIONS, help="connections of the fcm transport (and the ceiling)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the fake waits before it answers (a network's round trip)"
    )
    parser.add_argument("--only", nargs="+", choices=["ceiling", "fcm", "send_each"], help="measure only these")
    parser.add_argument("--end-to-end", action="store_true", help="also time `kompas push tick` on SQLite")
    parser.add_argument("--child", choices=sorted(RUNS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--credentials", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        result = RUNS[arguments.child](arguments.url, arguments.credentials, arguments.tokens, arguments.connections)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="kompas-bench-") as folder:
        fake, url, credentials = start_fake(Path(folder), arguments.latency)
        try:
            results = {}
            for name in arguments.only or ("ceiling", "fcm", "send_each"):
                print(f"measuring {name} with {arguments.tokens:,} messages ...", flush=True)
                results[name] = measure(name, url, credentials, arguments.tokens, arguments.connections)
            if arguments.end_to_end:
                print(f"measuring kompas push tick with {arguments.tokens:,} installations ...", flush=True)
                results["tick"] = measure_tick(url, credentials, arguments.tokens, Path(folder))
        finally:
            fake.terminate()
            fake.wait(10)
    rate = {name: r["sent"] / r["seconds"] for name, r in results.items()}
    print()
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {arguments.tokens:,} tokens, "
          f"connections: {arguments.connections}, latency of the fake: {1000 * arguments.latency:g} ms")  # fmt: skip
    print(f"{'run':<12}{'sent':>10}{'seconds':>10}{'msg/s':>10}{'CPU ms/msg':>12}{'peak MiB':>10}{'growth MiB':>12}")
    for name, r in results.items():
        cpu_per_message = 1000 * r["cpu"] / max(r["sent"], 1)
        print(
            f"{name:<12}{r['sent']:>10,}{r['seconds']:>10.1f}{rate[name]:>10,.0f}{cpu_per_message:>12.3f}"
            f"{r['peak_mib']:>10.0f}{r['peak_mib'] - r['baseline_mib']:>12.0f}"
        )
    print()
    if "fcm" in rate and "send_each" in rate:
        print(f"fcm transport vs send_each:      {rate['fcm'] / rate['send_each']:.1f}x")
    for name in ("fcm", "send_each"):
        if name in rate and "ceiling" in rate:
            print(f"{name + ' vs the fake' + chr(39) + 's ceiling:':<33}{100 * rate[name] / rate['ceiling']:.0f}%")
    if "tick" in rate:
        print(f"kompas push tick (end to end):   {rate['tick']:,.0f} msg/s, {results['tick']['peak_mib']:.0f} MiB peak")


if __name__ == "__main__":
    main()
