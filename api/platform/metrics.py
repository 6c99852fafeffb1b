"""GET /metrics: what operators scrape, in Prometheus's text format.

Under ``kompas serve`` each gunicorn worker is a process of its own, so each
keeps its counts in files of its own in PROMETHEUS_MULTIPROC_DIR
(prometheus_client's multiprocess mode; `kompas serve` makes and empties the
folder, and marks a worker's files dead when it exits), and a scrape,
answered by whichever worker gets it, adds up the files of all of them.

What is measured: requests and their latency per route (the URL rule, such
as ``/api/v1/dilemmas/current``: never the path, which holds ids), method
and status, except the answer route: a scrape before and after a
colleague's "I just answered" would date that answer, so answers are not
counted at all (docs/anonymity.md); the content memo's hits and
misses; database connections open and in use. Push messages and campaign
progress are read from the campaign tables at scrape time: the push worker
and ``kompas push tick`` are other processes, often on other machines, and
the tables already count what every one of them sent, retired and failed.

No label names an installation, a token, a team or an option: the metrics
are as anonymous as the logs, and no series counts answers.

Who may read it: KOMPAS_METRICS_ALLOW (addresses or networks; default the
loopback addresses) without a token, anyone with the bearer token in
KOMPAS_METRICS_TOKEN."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections import Counter as Tally

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy import event, func, select

from api.platform.context import settings
from api.platform.errors import problem
from dilemmas.model.push import Batch, Campaign
from dilemmas.reads.memo import Memo

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ANSWER_RULE = "/api/v1/dilemmas/<int:dilemma_id>/answer"
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# Most requests take a few milliseconds; an answer waits for a durable commit.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

blp = Blueprint("metrics", __name__)


class Instruments:
    """This process's counters. prometheus_client is imported here, not at
    the top: it chooses between memory and files when it is first imported,
    and `kompas serve` sets PROMETHEUS_MULTIPROC_DIR before that."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

        # Multiprocess mode has no _created series; one process should not either.
        disable_created_metrics()

        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        # In multiprocess mode the values live in files and a scrape reads
        # the files; the registry serves a single process (tests, one-off
        # commands).
        self.registry = CollectorRegistry(auto_describe=True)
        own = None if self.multiprocess else self.registry
        self.requests = Counter(
            "kompas_http_requests",
            "HTTP requests by route (the URL rule), method and status",
            ("route", "method", "status"),
            registry=own,
        )
        self.latency = Histogram(
            "kompas_http_request_duration_seconds",
            "Time from the request's arrival in Flask to its response, by route, method and status",
            ("route", "method", "status"),
            buckets=BUCKETS,
            registry=own,
        )
        self.memo = Counter(
            "kompas_content_memo_lookups",
            "Reads of dilemma content and the schedule: served from the process's memo (hit) or the database (miss)",
            ("result",),
            registry=own,
        )
        self.connections_in_use = Gauge(
            "kompas_db_connections_in_use",
            "Database connections checked out by a request (all workers)",
            registry=own,
            multiprocess_mode="livesum",
        )
        self.connections_open = Gauge(
            "kompas_db_connections_open",
            "Database connections the pools hold open (all workers)",
            registry=own,
            multiprocess_mode="livesum",
        )


_instruments: Instruments | None = None


def instruments() -> Instruments:
    global _instruments
    if _instruments is None:
        _instruments = Instruments()
    return _instruments


def init_app(app: Flask) -> None:
    measured = instruments()
    _watch_pool(app.extensions["kompas.engine"], measured)
    app.extensions["kompas.memo"] = CountingMemo(measured, app.extensions["kompas.memo"].size)

    @app.before_request
    def arrived() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def measure(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        method = request.method if request.method in METHODS else "other"
        status = str(response.status_code)
        if rule == ANSWER_RULE:
            return response
        measured.requests.labels(rule, method, status).inc()
        if started is not None:
            measured.latency.labels(rule, method, status).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(blp)


def _watch_pool(engine, measured: Instruments) -> None:
    """Connections open and in use, from the pool's own events (a
    connection opened in one process is counted in that process's files)."""

    @event.listens_for(engine, "connect")
    def opened(*_args) -> None:
        measured.connections_open.inc()

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "close_detached")
    def closed(*_args) -> None:
        measured.connections_open.dec()

    @event.listens_for(engine, "checkout")
    def checked_out(*_args) -> None:
        measured.connections_in_use.inc()

    @event.listens_for(engine, "checkin")
    def checked_in(*_args) -> None:
        measured.connections_in_use.dec()


class CountingMemo(Memo):
    """The content memo, counting its hits and misses for /metrics, so that
    the domain need not know about metrics: a lookup that calls ``compute``
    missed."""

    def __init__(self, measured: Instruments, size: int) -> None:
        super().__init__(size)
        self._hit = measured.memo.labels("hit")
        self._miss = measured.memo.labels("miss")

    def get(self, generation, key, compute):
        missed = False

        def counted():
            nonlocal missed
            missed = True
            return compute()

        value = super().get(generation, key, counted)
        (self._miss if missed else self._hit).inc()
        return value


class PushCollector:
    """Push messages and campaign progress, from the campaign tables."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        with self.sessions() as session:
            sent, retired = session.execute(
                select(func.coalesce(func.sum(Batch.sent), 0), func.coalesce(func.sum(Batch.retired), 0))
            ).one()
            failed: Tally = Tally()
            # Only batches with failures carry reasons; the others are skipped in SQL.
            for (reasons,) in session.execute(select(Batch.failed).where(Batch.targeted > Batch.sent)):
                failed.update({str(reason): int(count) for reason, count in (reasons or {}).items()})
            progress = dict(
                session.execute(
                    select(Batch.state, func.count())
                    .join(Campaign, Campaign.id == Batch.campaign_id)
                    .where(Campaign.finished_at.is_(None))
                    .group_by(Batch.state)
                ).all()
            )
            running = session.scalar(select(func.count()).select_from(Campaign).where(Campaign.finished_at.is_(None)))
        messages = CounterMetricFamily(
            "kompas_push_messages", "Push messages by outcome, over all campaigns and servers", labels=("outcome",)
        )
        messages.add_metric(("sent",), int(sent))
        messages.add_metric(("failed",), sum(failed.values()))
        yield messages
        failures = CounterMetricFamily(
            "kompas_push_failures", "Push messages that failed, by FCM's reason", labels=("reason",)
        )
        for reason, count in sorted(failed.items()):
            failures.add_metric((reason,), count)
        yield failures
        yield CounterMetricFamily(
            "kompas_push_tokens_retired",
            "Device tokens retired because FCM refused them (UNREGISTERED, or INVALID_ARGUMENT naming the token)",
            value=int(retired),
        )
        batches = GaugeMetricFamily(
            "kompas_push_campaign_batches", "Batches of unfinished campaigns by state", labels=("state",)
        )
        for state, count in sorted(progress.items()):
            batches.add_metric((state,), int(count))
        yield batches
        yield GaugeMetricFamily("kompas_push_campaigns_unfinished", "Campaigns not finished yet", value=int(running))


def allowed() -> Response | None:
    """None when the caller may read the metrics, else the refusal."""
    token = settings().metrics_token
    presented = request.headers.get("Authorization", "")
    if token and presented:
        if hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            return None
        return problem(401, "Dit token geeft geen toegang tot /metrics.", headers={"WWW-Authenticate": "Bearer"})
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    if address is not None and any(address in network for network in settings().metrics_allow):
        return None
    return problem(403, "/metrics is alleen te lezen vanaf KOMPAS_METRICS_ALLOW of met KOMPAS_METRICS_TOKEN.")


@blp.get("/metrics")
def metrics():
    """Prometheus text format; see the module docstring for who may read it."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    refused = allowed()
    if refused is not None:
        return refused
    measured = instruments()
    registry = CollectorRegistry()
    if measured.multiprocess:
        MultiProcessCollector(registry)
    else:
        registry.register(_Of(measured.registry))
    registry.register(PushCollector(current_app.extensions["kompas.sessions"]))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


class _Of:
    """Another registry's metrics, as one collector."""

    def __init__(self, registry) -> None:
        self.registry = registry

    def collect(self):
        return self.registry.collect()
