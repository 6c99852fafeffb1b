"""The ``kompas`` command: thin click commands over the services."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import StatementError

from api.cli.bootstrap import Runtime, load_settings, runtime
from content import loader, policy
from dilemmas.errors import NotFound
from dilemmas.model.admins import ROLES
from dilemmas.model.installations import LOCALES, PUSH_TOKEN_KINDS
from dilemmas.office import admin_tokens
from dilemmas.office.organisations import current_enrolment_code
from dilemmas.reads import organisations
from dilemmas.storage import migrate
from dilemmas.typed_codes import format_code
from push import delivery
from push import tick as push_tick
from push.transports import open_transport

log = logging.getLogger("kompas.cli")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kompas: weekly integrity dilemmas."""


@main.command()
def init() -> None:
    """Create or migrate the database and load the bundled content. Safe to
    run again."""
    with runtime() as kompas:
        click.echo("Migrating the database to head ...")
        migrate.upgrade(kompas.settings.database_url, secret_key=kompas.settings.secret_key)
        _load(kompas, None)


def _load(kompas: Runtime, path: Path | None) -> None:
    bank = loader.read(path)
    problems = loader.structural_problems(bank)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in the content; nothing was loaded")
    with kompas.session() as session:
        report = loader.load(session, bank, kompas.settings.now())
    click.echo(
        f"Content loaded: {report.created} new, {report.revised} revised, {report.unchanged} unchanged dilemmas; "
        f"{report.sections_changed} code sections changed; {report.kept} revised by the office, left as they are."
    )
    for problem in report.skipped:
        click.echo(f"skipped: {problem}", err=True)


# Method, path (never the query: search terms), status and duration: no
# client address, no time of day, no size (an answer's size told its mode),
# no user agent (docs/anonymity.md).
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(M)sms'


@main.command()
@click.option("--host", default=None, help="Default: KOMPAS_HOST")
@click.option("--port", type=int, default=None, help="Default: KOMPAS_PORT")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per CPU core plus one: a request waits for the database only for "
    "two or three short queries, and on 2 cores 3 workers served the burst benchmark's flow about a fifth "
    "faster than 5 or 8, which spend the difference switching between processes)",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the API under gunicorn."""
    from gunicorn.app.base import BaseApplication

    workers = workers or (os.cpu_count() or 1) + 1
    settings = load_settings()
    port = port or settings.port
    # Before anything imports prometheus_client: it picks its storage then.
    metrics_folder = _metrics_folder(settings.metrics_folder, port)
    from api.app import create_app

    bind = f"{host or settings.host}:{port}"
    if workers > 1 and settings.limits_enabled and settings.limit_storage == "memory://":
        raise click.UsageError(
            "RATELIMIT_STORAGE_URI=memory:// counts per process: with several workers every limit would "
            "multiply. Use database:// (the default) or redis://..., or --workers 1."
        )

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            self.cfg.set("worker_tmp_dir", "/dev/shm" if Path("/dev/shm").is_dir() else None)
            self.cfg.set("child_exit", _worker_exited)

        def load(self):
            return create_app()

    click.echo(f"Kompas listens on http://{bind} (docs: http://{bind}/docs; metrics in {metrics_folder})")
    Server().run()


def _metrics_folder(configured: str | None, port: int) -> Path:
    """PROMETHEUS_MULTIPROC_DIR for this server's workers (default
    instance/metrics-PORT), emptied: counts of an earlier run would be
    added to this one's."""
    folder = Path(configured or Path("instance") / f"metrics-{port}").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _worker_exited(_server, worker) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges (connections
    in use) stop counting; its counters stay in the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate to REVISION (default: head)."""
    with runtime() as kompas:
        migrate.upgrade(kompas.settings.database_url, revision, secret_key=kompas.settings.secret_key)
    click.echo(f"Database at {revision}.")


@db.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Migrate back to REVISION (default: one step)."""
    with runtime() as kompas:
        migrate.downgrade(kompas.settings.database_url, revision)
    click.echo(f"Database downgraded ({revision}).")


@db.command()
def current() -> None:
    """Print the database's migration and the newest one."""
    with runtime() as kompas:
        click.echo(f"current: {migrate.current(kompas.engine) or '(empty)'}")
        click.echo(f"head:    {migrate.head()}")


@main.group()
def content() -> None:
    """Check or load the code of conduct and the dilemma bank."""


@content.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option(
    "--format-only", is_flag=True, help="Check the format alone, not the bank's coverage numbers (small test banks)."
)
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    default=None,
    help="Source documents no text may copy from (default: ../shared/sources when present, "
    "else their bundled fingerprints).",
)
@click.option("--strict", is_flag=True, help="Fail on dilemmas and sections past their review date.")
def check(path: Path | None, format_only: bool, sources: Path | None, strict: bool) -> None:
    """Check the content at PATH (default: the bundled content): the format,
    the bank's coverage numbers, the guesser and originality; print the
    coverage table. Items past their review date are listed; with --strict
    (the office's check before a release) they fail it."""
    today = load_settings().now().date()
    bank = loader.read(path)
    problems = loader.structural_problems(bank)
    seen = policy.coverage(bank, today)
    if not format_only:
        problems += policy.bank_problems(bank, seen, today, strict=strict)
    sources = sources or policy.default_sources()
    problems += policy.originality_problems(bank, sources)
    click.echo(seen.table())
    click.echo("")
    for problem in problems:
        click.echo(str(problem))
    checked = f"checked against {sources if sources.is_dir() else policy.FINGERPRINTED}"
    click.echo(f"{len(bank.dilemmas)} dilemmas, {len(bank.codes)} code files; originality {checked}.")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    click.echo("No problems found.")


@content.command()
@click.option(
    "--sources",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="The source documents (default: ../shared/sources).",
)
def fingerprint(sources: Path | None) -> None:
    """Write content/sources.fingerprints: every run of eight words of the
    source documents, hashed, so that `content check` can run without them."""
    sources = sources or policy.default_sources()
    if not sources.is_dir():
        raise click.ClickException(f"no source documents at {sources}")
    count = policy.write_fingerprints(sources)
    click.echo(f"{count:,} fingerprints of {sources} written to {policy.FINGERPRINTS}")


@content.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
def load(path: Path | None) -> None:
    """Load the content at PATH (default: the bundled content); idempotent."""
    with runtime() as kompas:
        _load(kompas, path)


@main.group()
def org() -> None:
    """Organisations."""


@org.command("enrolment-code")
@click.argument("slug")
def enrolment_code(slug: str) -> None:
    """Print the organisation's current enrolment code (create one if none)."""
    with runtime() as kompas, kompas.session() as session:
        try:
            organisation = organisations.by_slug(session, slug)
        except NotFound as error:
            raise click.ClickException(error.detail) from None
        click.echo(format_code(current_enrolment_code(session, organisation, kompas.settings.now())))


@main.group()
def admin() -> None:
    """The integrity office's access."""


@admin.command("create-token")
@click.option("--name", required=True, help="The person the token is for")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_slug", required=True, help="Organisation slug; the token reaches it and its children")
@click.option(
    "--days", type=click.IntRange(1, admin_tokens.MAX_DAYS), default=admin_tokens.DEFAULT_DAYS, show_default=True
)
def create_token(name: str, role: str, org_slug: str, days: int) -> None:
    """Mint a personal access token; it is printed once, as the last line."""
    with runtime() as kompas, kompas.session() as session:
        try:
            organisation = organisations.by_slug(session, org_slug)
        except NotFound as error:
            raise click.ClickException(error.detail) from None
        token, plain = admin_tokens.mint(
            session,
            kompas.settings.secret_key,
            kompas.settings.now(),
            name,
            role,
            organisation,
            days,
            created_by="cli",
        )
        click.echo(
            f"Token {token.id} for {name} ({role}, {organisation.slug}), valid until {token.expires_at:%Y-%m-%d}:"
        )
        click.echo(plain)


@main.group()
def push() -> None:
    """The weekly moment: begin weeks and send the pushes that are due."""


@contextmanager
def _transport(kompas: Runtime):
    """The configured transport, closed with the block."""
    settings = kompas.settings.push()
    try:
        transport = open_transport(settings, kompas.sessions)
    except (ValueError, OSError) as error:
        raise click.ClickException(f"push transport: {error}") from None
    try:
        yield settings, transport
    finally:
        transport.close()


@push.command()
def tick() -> None:
    """Do whatever is due now and exit (for cron)."""
    with runtime() as kompas, _transport(kompas) as (settings, transport), kompas.session() as session:
        for line in push_tick.run_due(session, kompas.settings.now(), settings, transport):
            click.echo(line)


@push.command()
@click.option("--interval", type=float, default=30.0, show_default=True, help="Seconds between ticks")
def worker(interval: float) -> None:
    """Tick in a loop until stopped. SIGTERM or Ctrl-C stop it cleanly: the
    batch being sent is finished first."""
    with runtime() as kompas, _transport(kompas) as (settings, transport):
        stopping = []

        def stop(*_) -> None:
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        click.echo(f"Push worker started (every {interval:g}s, transport {transport.name}).")
        while not stopping:
            try:
                with kompas.session() as session:
                    for line in push_tick.run_due(
                        session, kompas.settings.now(), settings, transport, should_stop=lambda: bool(stopping)
                    ):
                        click.echo(line)
            except StatementError as error:  # the next tick tries again; a worker must not die of one
                # Only the error's kind: its text would show the statement's parameters (tokens).
                log.error("push tick failed: database error %s", type(error.orig).__name__)
                click.echo(f"tick failed: database error {type(error.orig).__name__}", err=True)
            except Exception as error:
                log.exception("push tick failed")
                click.echo(f"tick failed: {type(error).__name__}: {error}", err=True)
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        click.echo("Push worker stopped.")
    sys.exit(0)


@push.command("send-test")
@click.argument("token")
@click.option("--kind", type=click.Choice(PUSH_TOKEN_KINDS), default="registration", show_default=True)
@click.option("--locale", type=click.Choice(LOCALES), default="nl", show_default=True)
def send_test(token: str, kind: str, locale: str) -> None:
    """Send a test message to one device TOKEN through the configured
    transport and say what FCM answered."""
    with runtime() as kompas, _transport(kompas) as (_settings, transport):
        result = delivery.send_test(transport, token, kompas.settings.now(), token_kind=kind, locale=locale)
    if not result.ok:
        retired = " (the token is dead: the app must register a new one)" if result.retire else ""
        raise click.ClickException(f"not sent: {result.code}{retired}")
    click.echo(f"Sent through {transport.name}: {result.message_id}")
