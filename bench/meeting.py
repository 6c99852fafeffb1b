"""bench.meeting: 200 rooms of 10 phones (and one presenter screen each)
following live meetings on one server: the cost of the live updates per
room with conditional polls (If-None-Match, 304 without a body while the
meeting did not change), beside plain polls of the same resources in the
same run.

    .venv/bin/python -m bench.meeting [--rooms 200] [--phones 10] [--seconds 20] [--every 10] [--screen-every 2]

Each room: a lead opens a session, nine colleagues join it; while the run
lasts each phone of a room votes once in the run's first quarter (the
meeting changes as votes come in), every phone asks for the session every ``--every``
seconds and the room's screen for its live part every ``--screen-every``
seconds, each request due at a fixed moment (latency counts from then). The
server's and PostgreSQL's CPU seconds and the bytes of the responses are
measured per mode; the figures are per room per minute, and the ratio is
conditional / plain. Traffic goes to 127.0.0.1 only.

Why polling and not server-sent events: `kompas serve` runs gunicorn's
sync workers (1 per core + 1); an open event stream holds a worker for as
long as the screen is on, so 200 screens would need 200 workers. A
conditional poll holds a worker for one short request, and a 304 carries
no body (measured here).
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field

from bench.stack import Stack, call, cpu_seconds, say
from bench.table import Row, report


@dataclass
class Room:
    lead: str
    phones: list[str]
    session_id: int
    cookie: str = ""
    etags: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    requests: int = 0
    not_modified: int = 0
    errors: int = 0
    body_bytes: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, size: int, latency: float) -> None:
        with self.lock:
            self.requests += 1
            self.not_modified += status == 304
            self.errors += status not in (200, 304)
            self.body_bytes += size
            self.latencies.append(latency)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def open_rooms(stack: Stack, tokens: list[str], rooms: int, phones: int) -> list[Room]:
    made = []
    status, _, current = call(stack.base, "GET", "/api/v1/dilemmas/current", token=tokens[0])
    assert status == 200, current
    for number in range(rooms):
        group = tokens[number * phones : (number + 1) * phones]
        lead = group[0]
        status, _, team = call(stack.base, "POST", "/api/v1/teams", {"name": f"Kamer {number}"}, lead)
        assert status == 201, team
        status, _, opened = call(
            stack.base, "POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": current["id"]}, lead
        )
        assert status == 201, opened
        for phone in group[1:]:
            status, _, joined = call(
                stack.base, "POST", "/api/v1/sessions/join", {"join_code": opened["join_code"]}, phone
            )
            assert status == 200, joined
        status, _, grant = call(stack.base, "POST", f"/api/v1/sessions/{opened['id']}/screen", token=lead)
        assert status == 201, grant
        connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        connection.request(
            "POST",
            "/meeting/open",
            body=f"code={grant['code']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        answer.read()
        cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
        connection.close()
        made.append(Room(lead, group, opened["id"], cookie))
    return made


def run(stack: Stack, rooms: list[Room], seconds: float, every: float, screen_every: float, conditional: bool):
    """One run; returns (tally, server CPU seconds, database CPU seconds)."""
    start = time.monotonic() + 1.0
    due: list[tuple[float, int, tuple]] = []
    sequence = 0
    rng = random.Random(7)
    for index, room in enumerate(rooms):
        for phone in room.phones:
            offset = rng.random() * every
            t = offset
            while t < seconds:
                due.append((start + t, sequence, ("phone", index, phone)))
                sequence += 1
                t += every
        t = rng.random() * screen_every
        while t < seconds:
            due.append((start + t, sequence, ("screen", index, None)))
            sequence += 1
            t += screen_every
        # The votes come in during the first quarter of the run (the meeting
        # changes with each); the rest is the room's conversation.
        for k, phone in enumerate(room.phones):
            moment = (k + rng.random()) * seconds / 4 / len(room.phones)
            due.append((start + moment, sequence, ("vote", index, phone)))
            sequence += 1
    heapq.heapify(due)
    lock = threading.Lock()
    tally = Tally()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        while True:
            with lock:
                if not due:
                    break
                moment, _, (kind, index, phone) = heapq.heappop(due)
            wait = moment - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            room = rooms[index]
            headers = {}
            if kind == "vote":
                method, path = "PUT", f"/api/v1/sessions/{room.session_id}/vote"
                body = json.dumps({"option": rng.choice("ABCD")})
                headers = {"Authorization": f"Bearer {phone}", "Content-Type": "application/json"}
            else:
                method, body = "GET", None
                if kind == "phone":
                    path = f"/api/v1/sessions/{room.session_id}"
                    headers = {"Authorization": f"Bearer {phone}"}
                    key = phone
                else:
                    path, headers, key = "/meeting/screen/live", {"Cookie": room.cookie}, room.cookie
                if conditional and key in room.etags:
                    headers["If-None-Match"] = room.etags[key]
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
                tally.add(0, 0, time.monotonic() - moment)
                continue
            if kind != "vote":
                tally.add(response.status, len(data), time.monotonic() - moment)
                etag = response.getheader("ETag")
                if etag:
                    room.etags[key] = etag
        connection.close()

    server, database = stack.server_pids(), stack.database_pids()
    before = cpu_seconds(server), cpu_seconds(database)
    threads = [threading.Thread(target=worker) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = cpu_seconds(server), cpu_seconds(database)
    return tally, after[0] - before[0], after[1] - before[1]


def screen_polls(stack: Stack, rooms: list[Room], polls: int, conditional: bool) -> tuple[int, int, float, float, int]:
    """Every room's screen polled ``polls`` times, closed loop, on a
    meeting that no longer changes: with its ETag (each a 304) or without
    (each a 200, the page read and rendered). Returns (requests, 304s,
    server CPU seconds, database CPU seconds, errors)."""
    work = [room for room in rooms for _ in range(polls)]
    lock = threading.Lock()
    counts = {"requests": 0, "not_modified": 0, "errors": 0}

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        while True:
            with lock:
                if not work:
                    break
                room = work.pop()
            headers = {"Cookie": room.cookie}
            if conditional:
                headers["If-None-Match"] = room.etags[room.cookie]
            connection.request("GET", "/meeting/screen/live", headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                counts["requests"] += 1
                counts["not_modified"] += response.status == 304
                counts["errors"] += response.status != (304 if conditional else 200)
        connection.close()

    for room in rooms:  # each screen's current ETag
        _, response, _ = _get_live(stack, room)
        room.etags[room.cookie] = response.getheader("ETag")
    server, database = stack.server_pids(), stack.database_pids()
    before = cpu_seconds(server), cpu_seconds(database)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = cpu_seconds(server), cpu_seconds(database)
    return counts["requests"], counts["not_modified"], after[0] - before[0], after[1] - before[1], counts["errors"]


def _get_live(stack: Stack, room: Room):
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:
        connection.request("GET", "/meeting/screen/live", headers={"Cookie": room.cookie})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--every", type=float, default=10, help="seconds between a phone's polls")
    parser.add_argument("--screen-every", type=float, default=2, help="seconds between a screen's polls")
    parser.add_argument("--screen-polls", type=int, default=10, help="polls per screen, each turn")
    options = parser.parse_args()
    with Stack() as stack:
        say(f"registering {options.rooms * options.phones} installations, opening {options.rooms} rooms")
        tokens = stack.preregister(options.rooms * options.phones, child_share=0)
        rooms = open_rooms(stack, tokens, options.rooms, options.phones)
        results = {}
        for conditional in (False, True):
            for room in rooms:
                room.etags.clear()
            name = "conditional" if conditional else "plain"
            say(f"{name} polls for {options.seconds:.0f} s")
            results[name] = run(stack, rooms, options.seconds, options.every, options.screen_every, conditional)
            tally, server, database = results[name]
            say(
                f"  {tally.requests} polls, {tally.not_modified} x 304, {tally.errors} errors, "
                f"{tally.body_bytes / 1e6:.1f} MB, p50 {tally.p(0.5):.0f} ms, p95 {tally.p(0.95):.0f} ms, "
                f"server {server:.1f} s CPU, database {database:.1f} s CPU"
            )
        # The screen's poll alone, once the meetings are still: a 200 (read
        # and rendered) against a 304 (the change number only), in turns so
        # that other work on the machine weighs on both alike.
        screens = {True: [0, 0, 0.0, 0.0, 0], False: [0, 0, 0.0, 0.0, 0]}
        for conditional in (False, True, False, True):
            for i, figure in enumerate(screen_polls(stack, rooms, options.screen_polls, conditional)):
                screens[conditional][i] += figure
        for conditional, (requests, not_modified, server, database, _) in screens.items():
            say(
                f"screen polls {'with' if conditional else 'without'} ETag: {requests} polls, {not_modified} x 304, "
                f"server {1000 * server / max(requests, 1):.2f} ms CPU per poll, "
                f"database {1000 * database / max(requests, 1):.2f} ms"
            )
    per_room_minute = 60 / options.seconds / options.rooms
    plain, conditional = results["plain"], results["conditional"]
    rows = []
    for figure, unit, value, base, target, bound in (
        ("bytes per room per minute", "kB", conditional[0].body_bytes / 1e3, plain[0].body_bytes / 1e3, "<= 0.5", 0.5),
        ("server CPU per room per minute", "ms", conditional[1] * 1e3, plain[1] * 1e3, "<= 1.1", 1.1),
        ("database CPU per room per minute", "ms", conditional[2] * 1e3, plain[2] * 1e3, "<= 1.1", 1.1),
        ("p95 poll latency", "ms", conditional[0].p(0.95), plain[0].p(0.95), "<= 1.5", 1.5),
    ):
        scale = 1 if figure.startswith("p95") else per_room_minute
        ratio = value / base if base else None
        rows.append(
            Row(
                "meeting",
                figure + " (conditional)",
                value * scale,
                unit,
                f"plain polls {base * scale:,.1f} {unit}",
                ratio,
                target,
                None if ratio is None else ratio <= bound,
            )
        )
    # Per poll, for the capacity model (docs/capacity.md).
    for name, (tally, server, database) in results.items():
        polls = max(tally.requests, 1)
        rows.append(Row("meeting", f"server CPU per poll ({name})", 1000 * server / polls, "ms",
                        f"{tally.requests:,} polls, {tally.not_modified:,} x 304", None, "-", None))  # fmt: skip
        rows.append(Row("meeting", f"PostgreSQL CPU per poll ({name})", 1000 * database / polls, "ms",
                        f"{tally.requests:,} polls", None, "-", None))  # fmt: skip
    per_poll = {c: (1000 * v[2] / max(v[0], 1), 1000 * v[3] / max(v[0], 1)) for c, v in screens.items()}
    ratio = per_poll[True][0] / per_poll[False][0] if per_poll[False][0] else None
    rows.append(Row("meeting", "screen poll: server CPU per 304", per_poll[True][0], "ms",
                    f"200 {per_poll[False][0]:.2f} ms ({screens[False][0]:,} polls)", ratio, "<= 0.33",
                    None if ratio is None else ratio <= 1 / 3))  # fmt: skip
    rows.append(Row("meeting", "screen poll: PostgreSQL CPU per 304", per_poll[True][1], "ms",
                    f"200 {per_poll[False][1]:.2f} ms", per_poll[True][1] / per_poll[False][1]
                    if per_poll[False][1] else None, "-", None))  # fmt: skip
    errors = plain[0].errors + conditional[0].errors + screens[True][4] + screens[False][4]
    rows.append(Row("meeting", "errors, both runs", errors, "errors", "-", None, "0", errors == 0))
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
