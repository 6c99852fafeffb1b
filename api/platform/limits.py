"""Rate limits (flask-limiter), configured here and nowhere else.

| what | limit | per |
|---|---|---|
| registering an installation | 30 per hour | client address |
| registering with a valid enrolment code | 1000 per hour | that code's organisation and client address |
| sending a suggestion | 10 per hour | installation |
| answering | 60 per minute | installation |
| any admin request | 600 per minute | admin token |
| wrong team or session codes | 10 per minute, 30 per hour, 100 per day | installation |
| wrong team or session codes | 300 per hour, 1000 per day | client address |
| wrong codes typed in a browser (``/join/``) | 100 per hour, 300 per day | client address |
| wrong codes typed in a browser without an installation | 300 per hour, 1000 per day | all addresses together |
| any office console request | 600 per minute | console sign-in |
| signing in to the console | 20 per minute | client address |

Limits count what an authenticated caller does by its token, and what an
unauthenticated one does by its client address: the address the trusted
proxies (``KOMPAS_TRUSTED_PROXIES``) report, an IPv6 address by its /64
(one subscriber's network). Either is stored only as an HMAC under a key
derived from the server secret (never the raw header, whose spelling a
client chooses): a copy of the rows names no token and no address unless
its reader also has the secret. Authentication runs first, so a request
without a valid token is a 401, never a 429.

A ``database://`` row says no more than its window (docs/anonymity.md,
mechanism 5): a count runs from its first hit to the end of the next whole
window aligned to the epoch (an hourly limit's count ends on the hour, one
to two hours after its first hit), so a row's expiry never gives the moment
of its first hit; expired rows are deleted by the next limited request
after they expire (at most a second later on a busy server).

Where the counts live (``RATELIMIT_STORAGE_URI``): ``database://`` (the
default) keeps them in a table that every worker and every server shares
and a restart keeps: the application's PostgreSQL database, or next to an
SQLite database a file of its own (so that counting never waits for the
application's write lock). ``redis://...`` keeps them in Redis, for the
busiest deployments; ``memory://`` in each process, for one worker only
(``kompas serve`` refuses it with more). ``RATELIMIT_ENABLED=false``
switches them off (load tests, demos). A limited request gets 429
problem+json with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix

from api.platform.auth import caller_key
from api.platform.context import server_secret
from api.platform.db import db_session
from api.platform.errors import problem
from dilemmas.model.limits import RateLimitCounter
from dilemmas.reads.organisations import by_enrolment_code
from dilemmas.sealing import derive
from dilemmas.storage.conflicts import insert_for
from dilemmas.storage.database import make_engine

REGISTRATION = "30 per hour"
# Launch day: an office behind one NAT installs the app with its
# organisation's enrolment code. Such registrations count per organisation
# and address instead; a code that is not valid counts as none.
REGISTRATION_WITH_CODE = "1000 per hour"
SUGGESTIONS = "10 per hour"
ANSWERS = "60 per minute"
ADMIN = "600 per minute"
# Signing in to the office console: guessing tokens, per client address.
CONSOLE_SIGN_IN = "20 per minute"
# Guessing team invite codes and session join codes: only wrong codes
# count, and the wait grows from a minute to an hour to a day as they add
# up. Per installation, so that thirty phones in one meeting room, on one
# Wi-Fi, mistyping now and then never lock the room out; per address a
# backstop far above what a room mistypes, against one guesser with many
# installations. A meeting's code cannot be walked whatever the counts:
# after MAX_FAILED_JOINS wrong codes its organisation's open meetings get
# new codes (dilemmas.employee.meeting_joins).
CODE_GUESSING_LIMITS = "10 per minute;30 per hour;100 per day"
CODE_GUESSING_PER_ADDRESS = "300 per hour;1000 per day"
# A browser joining by a meeting's code (``/join/``) without an installation
# belongs to no organisation, so its wrong codes count against no meeting.
# Per address: a room of thirty on one Wi-Fi mistyping three times each
# stays below it. Over all addresses: a guesser with any number of
# addresses tries at most WEB_CODES_EVERYWHERE's daily figure of the
# million codes a day, so with M meetings open all day they find one with
# probability at most M x 1,000 / 1,000,000 a day (docs/meetings.md). The
# price: once that cap is spent, browsers without an installation wait for
# the window's end; the app, and browsers that joined before, do not.
WEB_CODES_PER_ADDRESS = "100 per hour;300 per day"
WEB_CODES_EVERYWHERE = "300 per hour;1000 per day"
WEB_CODES_FROM_ADDRESS = "Te veel verkeerde codes vanaf dit adres. Wacht even en probeer het opnieuw."
WEB_CODES_ANYWHERE = (
    "Er zijn te veel verkeerde codes geprobeerd; meedoen in de browser kan even niet. "
    "Gebruik de app, of probeer het later opnieuw."
)

# Statuses whose Retry-After means something: the limiter's own header is
# added to every response of a limited endpoint, and would tell a client
# that got 200 or 401 to wait.
WAIT_STATUSES = frozenset((409, 429, 503))


def address_bucket(address: str | None) -> str:
    """The client address a limit counts: an IPv4 address as it is, an
    IPv6 address by its /64 (a subscriber gets a whole /64 and can use any
    address in it), an IPv4-mapped IPv6 address as its IPv4 address."""
    try:
        parsed = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def peppered(kind: str, value: str) -> str:
    """``value`` as a limit stores it: an HMAC under a key derived from the
    server secret for rate limits only, one per kind of value."""
    key = derive(server_secret(), "kompas rate limits", kind)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def per_address() -> str:
    """The client's address bucket, peppered so the counters stored hold
    no address."""
    return "address:" + peppered("address", address_bucket(request.remote_addr))


def per_caller() -> str:
    """The authenticated caller (installation or admin token), else the address."""
    key = caller_key()
    return f"caller:{key}" if key else per_address()


def per_console_sign_in() -> str:
    """The office console's session cookie, hashed with the server secret,
    else the address."""
    cookie = request.cookies.get("kompas_office", "")
    if not cookie:
        return per_address()
    return "console:" + peppered("console", cookie)


limiter = Limiter(key_func=per_address, headers_enabled=True)


def enrolment_organisation() -> int | None:
    """The organisation whose valid enrolment code the registration's body
    names, else None (no code, a malformed body, an unknown code). Read
    before the strict decoder runs: a body it would refuse names no code."""
    if "enrolment_organisation" not in g:
        body = request.get_json(silent=True)
        code = body.get("enrolment_code") if isinstance(body, dict) else None
        found = None
        if isinstance(code, str) and 4 <= len(code) <= 64 and code.isprintable():
            organisation = by_enrolment_code(db_session(), code)
            found = organisation.id if organisation is not None else None
        g.enrolment_organisation = found
    return g.enrolment_organisation


def per_enrolment() -> str:
    """The enrolment code's organisation and the client's address."""
    return f"enrolment:{enrolment_organisation()}:{per_address()}"


def registration_limits() -> list:
    """The registration view's limits: per address without a valid code,
    per organisation and address with one (read each time, so that tests
    can lower them)."""
    return [
        limiter.limit(lambda: REGISTRATION, methods=["POST"], exempt_when=lambda: enrolment_organisation() is not None),
        limiter.limit(
            lambda: REGISTRATION_WITH_CODE,
            methods=["POST"],
            key_func=per_enrolment,
            exempt_when=lambda: enrolment_organisation() is None,
        ),
    ]


def code_guessing_limits() -> list:
    """The join views' limits on wrong codes: per installation, and the
    address's backstop."""
    return [
        limiter.limit(lambda: CODE_GUESSING_LIMITS, methods=["POST"], key_func=per_caller, deduct_when=failed_code),
        limiter.limit(
            lambda: CODE_GUESSING_PER_ADDRESS, methods=["POST"], key_func=per_address, deduct_when=failed_code
        ),
    ]


def web_code_limits(spared: Callable[[], bool]) -> list:
    """The browser join's limits on wrong codes: per address, and over all
    addresses for the requests ``spared`` does not name (a browser with an
    installation is a phone like any other, with its own growing wait; one
    that came by the screen's QR link carries a proof nobody can guess)."""
    return [
        limiter.limit(
            lambda: WEB_CODES_PER_ADDRESS,
            methods=["POST"],
            key_func=per_address,
            deduct_when=failed_code,
            error_message=WEB_CODES_FROM_ADDRESS,
        ),
        limiter.limit(
            lambda: WEB_CODES_EVERYWHERE,
            methods=["POST"],
            key_func=lambda: "web-codes:everywhere",
            deduct_when=failed_code,
            exempt_when=spared,
            error_message=WEB_CODES_ANYWHERE,
        ),
    ]


def failed_code(response: Response) -> bool:
    """A join attempt with a wrong code (what the guessing limits count)."""
    return response.status_code == 404


def clock() -> float:
    """Seconds since the epoch, as the limits library counts them."""
    return time.time()


def window_end(now: float, expiry: int) -> float:
    """When a count begun at ``now`` ends: the end of the aligned window of
    ``expiry`` seconds after the one that holds ``now``. A count lasts one
    to two windows, never less than one (so no burst across a boundary gets
    twice the limit), and its end says of its start no more than the window."""
    return (math.floor(now / expiry) + 2) * expiry


class DatabaseStorage(Storage):
    """Fixed-window counters in a table (``database://``): one atomic
    INSERT ... ON CONFLICT DO UPDATE per hit, so every worker and server
    that shares the database shares the counts, exactly. A row holds its
    key (peppered), its count and the end of its aligned window: nothing
    finer than the window, and it is gone soon after."""

    STORAGE_SCHEME = ["database"]
    # Expired rows are deleted at most this often per process (seconds).
    PURGE_INTERVAL = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._purged_at = -math.inf

    @property
    def base_exceptions(self):
        return DBAPIError

    @staticmethod
    def _engine() -> Engine:
        return current_app.extensions["kompas.limits_engine"]

    def _purge(self, now: float) -> None:
        """Delete the rows whose window is over, in a transaction of its
        own (so that it never holds a row that a hit waits for)."""
        if now - self._purged_at < self.PURGE_INTERVAL:
            return
        self._purged_at = now
        table = RateLimitCounter.__table__
        with self._engine().begin() as connection:
            connection.execute(delete(table).where(table.c.expires_at <= now))

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = clock()
        self._purge(now)
        ends = window_end(now, expiry)
        engine = self._engine()
        table = RateLimitCounter.__table__
        expired = table.c.expires_at <= now
        statement = (
            insert_for(engine.dialect.name, table)
            .values(key=key, count=amount, expires_at=ends)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((expired, amount), else_=table.c.count + amount),
                    "expires_at": case((expired, ends), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count)
        )
        with engine.begin() as connection:
            return connection.execute(statement).scalar_one()

    def _row(self, key: str):
        now = clock()
        self._purge(now)
        table = RateLimitCounter.__table__
        with self._engine().connect() as connection:
            return connection.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == key, table.c.expires_at > now)
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else clock()

    def check(self) -> bool:
        with self._engine().connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(RateLimitCounter.__table__).where(RateLimitCounter.__table__.c.key == key))


def limits_engine(app: Flask) -> Engine:
    """Where ``database://`` counts: PostgreSQL's own database, or for
    SQLite a file beside the database (``kompas-limits.db`` for
    ``kompas.db``), made on first use."""
    engine = app.extensions["kompas.engine"]
    if engine.dialect.name != "sqlite":
        return engine
    url = make_url(app.extensions["kompas.settings"].database_url)
    database = url.database or ""
    if database in ("", ":memory:"):
        return engine
    stem, dot, suffix = database.rpartition(".")
    counters = make_engine(url.set(database=f"{stem}-limits.{suffix}" if dot else f"{database}-limits"))
    RateLimitCounter.__table__.create(counters, checkfirst=True)
    return counters


def trust_proxies(app: Flask) -> None:
    """Behind ``KOMPAS_TRUSTED_PROXIES`` load balancers, the client address
    is the one they put in X-Forwarded-For (werkzeug's ProxyFix)."""
    hops = app.extensions["kompas.settings"].trusted_proxies
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_app(app: Flask) -> None:
    trust_proxies(app)
    settings = app.extensions["kompas.settings"]
    if settings.limits_enabled and settings.limit_storage.startswith("database:"):
        app.extensions["kompas.limits_engine"] = limits_engine(app)

    @app.after_request
    def retry_after_only_when_waiting(response: Response) -> Response:
        # Registered before the limiter: after_request runs in reverse, so
        # this sees the limiter's headers.
        if response.status_code not in WAIT_STATUSES:
            response.headers.pop("Retry-After", None)
        return response

    @app.after_request
    def ietf_rate_limit_fields(response: Response) -> Response:
        # The IETF's RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-
        # ratelimit-headers) beside flask-limiter's X-RateLimit-*, from the
        # same numbers (already read: this costs no query).
        current = limiter.current_limit if limiter.enabled else None
        if current is not None and "X-RateLimit-Limit" in response.headers:
            item = current.limit
            reset = min(item.get_expiry(), max(0, current.reset_at - int(time.time())))
            response.headers["RateLimit-Policy"] = f'"limit";q={item.amount};w={item.get_expiry()}'
            response.headers["RateLimit"] = f'"limit";r={current.remaining};t={reset}'
        return response

    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(error):
        retry_after = None
        limit = getattr(error, "limit", None)
        if limit is not None:
            retry_after = str(limit.limit.get_expiry())
        return problem(
            429,
            "Te veel verzoeken in korte tijd. Wacht even en probeer het opnieuw.",
            headers={"Retry-After": retry_after} if retry_after else None,
        )
