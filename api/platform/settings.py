"""Every setting of Kompas, declared once: its environment variable, type,
default, validation and description.

A frozen dataclass rather than a settings library: the settings are plain
strings in the environment, several are checked against each other
(production needs PostgreSQL and a secret; OpenID Connect needs a client
and roles) and the command line must read them without the web stack, so
the standard library's dataclass with one parser per field does all of it
without another dependency. ``docs/operations.md``'s table of settings is
``markdown_table()`` (a test keeps them the same).

The web app keeps the ``Settings`` in ``app.extensions`` (read them with
``api.platform.context.settings()``) and gives Flask and its extensions
their own keys from ``flask_config``; nothing else reads configuration by
string."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dilemmas.counters import counter_key
from dilemmas.model.admins import ROLES
from dilemmas.model.installations import PLATFORMS
from push.settings import MOMENT, PushSettings
from scoring.spreads import Thresholds


class ConfigError(ValueError):
    """A setting that Kompas refuses to start with."""


# Parsers: text from the environment -> a typed value, or ConfigError naming the setting.


def _text(_name: str, text: str) -> str:
    return text


def _optional(_name: str, text: str) -> str | None:
    return text or None


def _whole_number(low: int) -> Callable[[str, str], int]:
    def parse(name: str, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {text!r}") from None
        if number < low:
            raise ConfigError(f"{name} must be at least {low}, not {number}")
        return number

    return parse


def _boolean(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {text!r}")


def _one_of(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, text: str) -> str:
        if text not in choices:
            raise ConfigError(f"{name} must be {' or '.join(choices)}, not {text!r}")
        return text

    return parse


def _time_zone(name: str, text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} is not a known time zone: {text!r}") from None
    return text


def _moment(name: str, text: str) -> str:
    if not MOMENT.match(text):
        raise ConfigError(f"{name} must look like 'MON 09:00', not {text!r}")
    return text


def _base_url(name: str, text: str) -> str | None:
    url = text.rstrip("/")
    if url and not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ConfigError(f"{name} must be an http(s) base URL, not {text!r}")
    return url or None


def _names(_name: str, text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def _app_versions(name: str, text: str) -> str:
    """``platform=version`` pairs, comma-separated: ``ios=1.4.0,android=1.4.0``."""
    for part in (p.strip() for p in text.split(",")):
        platform, _, version = part.partition("=")
        if part and (platform not in PLATFORMS or not re.fullmatch(r"\d+(\.\d+){0,2}", version)):
            raise ConfigError(f"{name}: {part!r} is not platform=version with a platform of {', '.join(PLATFORMS)}")
    return ", ".join(p.strip() for p in text.split(",") if p.strip())


def _networks(name: str, text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise ConfigError(f"{name} must list addresses or networks: {error}") from None


def _limit_storage(name: str, text: str) -> str:
    if not re.match(r"^(database://|memory://|rediss?://\S+|redis\+\w+://\S+)$", text):
        raise ConfigError(f"{name} must be database://, memory:// or redis://..., not {text!r}")
    return text


def parse_now(text: str, name: str = "KOMPAS_NOW") -> datetime:
    """An ISO 8601 instant with an offset (``2026-12-07T09:01:00+01:00``), in UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{name} must be an ISO 8601 instant, not {text!r}") from None
    if moment.tzinfo is None:
        raise ConfigError(f"{name} needs an offset, e.g. 2026-12-07T09:01:00+01:00")
    return moment.astimezone(UTC)


def _path(_name: str, text: str) -> Path | None:
    return Path(text) if text else None


def _instant(name: str, text: str) -> datetime | None:
    return parse_now(text, name) if text else None


def oidc_roles(text: str, name: str = "KOMPAS_OIDC_ROLES") -> tuple[tuple[str, str, str], ...]:
    """``group=role@organisation`` pairs, comma-separated."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, _, target = item.partition("=")
        role, _, organisation = target.partition("@")
        if not (group.strip() and role.strip() in ROLES and organisation.strip()):
            raise ConfigError(f"{name}: write group=role@organisation (roles: {', '.join(ROLES)}), not {item!r}")
        pairs.append((group.strip(), role.strip(), organisation.strip()))
    return tuple(pairs)


def _oidc_roles(name: str, text: str) -> tuple[tuple[str, str, str], ...]:
    return oidc_roles(text, name)


def setting(
    env: str, default: str, description: str, parse: Callable[[str, str], object] = _text, shown: str | None = None
):
    """A field read from the environment variable ``env`` (``default`` when
    it is not set), parsed by ``parse``; ``shown`` is the default as the
    docs write it, where the text itself says little."""
    return field(metadata={"env": env, "default": default, "description": description, "parse": parse, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """The settings, typed and checked (``Settings.load``)."""

    database_url: str = setting(
        "DATABASE_URL",
        "sqlite:///instance/kompas.db",
        "any SQLAlchemy URL; `postgresql+psycopg://...` in production; add `?prepare_threshold=none` behind "
        "pgbouncer in transaction mode",
    )
    environment: str = setting(
        "KOMPAS_ENV",
        "development",
        "`development`, `test` or `production`; `production` refuses `KOMPAS_NOW` and SQLite and requires "
        "`KOMPAS_SECRET_KEY`",
        _one_of("development", "test", "production"),
    )
    secret_text: str = setting(
        "KOMPAS_SECRET_KEY",
        "",
        "keys the token hashes and, with each phone's token, the keys of its answers and votes; at least 32 "
        "characters; required in production",
        shown="generated into `instance/secret_key` on first run",
    )
    host: str = setting("KOMPAS_HOST", "127.0.0.1", "where `make run` / `kompas serve` listen")
    port: int = setting("KOMPAS_PORT", "8000", "the port `make run` / `kompas serve` listen on", _whole_number(1))
    public_url: str | None = setting(
        "KOMPAS_PUBLIC_URL",
        "",
        "the address phones reach Kompas at, e.g. `https://kompas.example.nl`: the presenter screen's QR code "
        "links to `<this>/join/<code>`",
        _base_url,
        shown="the address the presenter screen was opened at",
    )
    ios_app_ids: frozenset[str] = setting(
        "KOMPAS_IOS_APP_IDS",
        "",
        "the app's `TEAMID.bundle.id`, comma-separated: join links open the installed app "
        "(`/.well-known/apple-app-site-association`)",
        _names,
    )
    android_apps: frozenset[str] = setting(
        "KOMPAS_ANDROID_APPS",
        "",
        "the app's `package=SHA256:FINGERPRINT`, comma-separated: join links open the installed app "
        "(`/.well-known/assetlinks.json`)",
        _names,
    )
    frozen_now: datetime | None = setting(
        "KOMPAS_NOW", "", "freeze the clock at an ISO 8601 instant (demos, tests); refused in production", _instant
    )
    now_file: Path | None = setting(
        "KOMPAS_NOW_FILE",
        "",
        "a file holding such an instant, read at every clock reading: tests move a running server's clock by "
        "rewriting it; refused in production and beside `KOMPAS_NOW`",
        _path,
    )
    timezone: str = setting("KOMPAS_TIMEZONE", "Europe/Amsterdam", "the default organisation time zone", _time_zone)
    weekly_push: str = setting("KOMPAS_WEEKLY_PUSH", "MON 09:00", "the weekly push, organisation's local time", _moment)
    reminder_push: str = setting(
        "KOMPAS_REMINDER_PUSH", "THU 12:00", "the reminder, organisation's local time", _moment
    )
    min_group: int = setting(
        "ANONYMITY_MIN_GROUP",
        "5",
        "smallest group whose figures may be shown, after the week (never below 3)",
        _whole_number(3),
    )
    meeting_min_reveal: int = setting(
        "SESSION_MIN_REVEAL", "3", "votes a meeting needs before a round can be revealed", _whole_number(2)
    )
    edition_min_weeks: int = setting(
        "KOMPAS_EDITION_MIN_WEEKS",
        "26",
        "weeks a dilemma's new edition must lie after the week of its last edition (the office runs it again)",
        _whole_number(1),
    )
    push_transport: str = setting("PUSH_TRANSPORT", "log", "`log` or `fcm`", _one_of("log", "fcm"))
    push_credentials: str | None = setting(
        "GOOGLE_APPLICATION_CREDENTIALS", "", "the service-account key file for `fcm`", _optional
    )
    fcm_endpoint: str | None = setting(
        "FCM_ENDPOINT",
        "",
        "a base URL in place of `https://fcm.googleapis.com` (a proxy, a test server)",
        _base_url,
    )
    push_topic_organisations: frozenset[str] = setting(
        "PUSH_TOPIC_ORGANISATIONS",
        "",
        "organisation slugs, comma-separated, that get their weekly push through topics",
        _names,
    )
    push_fanout_connections: int = setting(
        "PUSH_FANOUT_CONNECTIONS", "256", "kept-alive connections to FCM", _whole_number(1)
    )
    push_token_max_age_days: int = setting(
        "PUSH_TOKEN_MAX_AGE_DAYS", "60", "retire push tokens the app did not refresh for this long", _whole_number(1)
    )
    limit_storage: str = setting(
        "RATELIMIT_STORAGE_URI",
        "database://",
        "where limit counters live: `database://` (the app's PostgreSQL, or a SQLite file beside the SQLite "
        "database; shared by all workers and servers, kept across restarts), `redis://...`, or `memory://` "
        "(one worker only)",
        _limit_storage,
    )
    trusted_proxies: int = setting(
        "KOMPAS_TRUSTED_PROXIES",
        "0",
        "load balancers in front that set `X-Forwarded-For` (werkzeug's ProxyFix); the client address is taken "
        "from them",
        _whole_number(0),
    )
    limits_enabled: bool = setting(
        "RATELIMIT_ENABLED", "true", "`false` switches rate limits off (load tests, demos)", _boolean
    )
    max_content_length: int = setting(
        "MAX_CONTENT_LENGTH", "65536", "request bodies above this many bytes get 413", _whole_number(1024)
    )
    min_app_versions: str = setting(
        "KOMPAS_MIN_APP_VERSIONS",
        "",
        "the oldest app version still supported per platform, e.g. `ios=1.4.0,android=1.4.0`: sent to every app "
        "in `Kompas-Min-App-Version`, which asks the user to update below it",
        _app_versions,
    )
    cors_origins: frozenset[str] = setting(
        "CORS_ORIGINS",
        "",
        "origins, comma-separated, that may call the API from a browser (unset: CORS off)",
        _names,
    )
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = setting(
        "KOMPAS_METRICS_ALLOW",
        "127.0.0.0/8,::1",
        "addresses or networks, comma-separated, that may read `/metrics` without a token; empty: none",
        _networks,
    )
    metrics_token: str = setting("KOMPAS_METRICS_TOKEN", "", "a bearer token that opens `/metrics` from any address")
    metrics_folder: str | None = setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "",
        "where `kompas serve`'s workers keep their counts; emptied when it starts",
        _optional,
        shown="`instance/metrics-PORT`",
    )
    office_idle_minutes: int = setting(
        "KOMPAS_OFFICE_IDLE_MINUTES", "30", "the office console's idle time-out", _whole_number(1)
    )
    oidc_issuer: str | None = setting(
        "KOMPAS_OIDC_ISSUER",
        "",
        "OpenID Connect sign-in to the console ([the office console](office.md#the-office-console-in-a-browser)): "
        "the issuer's URL",
        _base_url,
    )
    oidc_client_id: str = setting("KOMPAS_OIDC_CLIENT_ID", "", "OpenID Connect: the console's client id")
    oidc_client_secret: str = setting("KOMPAS_OIDC_CLIENT_SECRET", "", "OpenID Connect: the client's secret")
    oidc_claim: str = setting("KOMPAS_OIDC_CLAIM", "groups", "OpenID Connect: the claim that lists groups")
    oidc_roles: tuple[tuple[str, str, str], ...] = setting(
        "KOMPAS_OIDC_ROLES",
        "",
        "OpenID Connect: the `group=role@organisation` mapping, comma-separated",
        _oidc_roles,
    )
    # Not from the environment: where the generated secret and the SQLite
    # limit counters live, and the secret itself.
    instance_path: Path = Path("instance")
    secret_key: bytes = b""

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None) -> Settings:
        """The settings from ``environ`` (default: the process's), with
        ``overrides`` (tests) in place of environment values; refused with
        a ConfigError that names the setting."""
        environ = os.environ if environ is None else environ
        overrides = overrides or {}
        values = {}
        for declared in declarations():
            name = declared.metadata["env"]
            text = str(overrides.get(name, environ.get(name, declared.metadata["default"])))
            values[declared.name] = declared.metadata["parse"](name, text)
        instance = Path(str(overrides.get("INSTANCE_PATH", "instance"))).resolve()
        settings = cls(**values, instance_path=instance)
        settings.check()
        return dataclasses.replace(settings, secret_key=settings._secret_key())

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def thresholds(self) -> Thresholds:
        # The releases read the sealed counters with a key of the server secret.
        return Thresholds(self.min_group, counter_key=counter_key(self.secret_key))

    def check(self) -> None:
        """The rules between settings."""
        if self.production and self.frozen_now is not None:
            raise ConfigError("KOMPAS_NOW is refused when KOMPAS_ENV=production")
        if self.now_file is not None:
            if self.production or self.frozen_now is not None:
                raise ConfigError("KOMPAS_NOW_FILE is refused when KOMPAS_ENV=production, and beside KOMPAS_NOW")
            self.now()  # a server that cannot read its clock does not start
        if self.production and self.database_url.startswith("sqlite"):
            raise ConfigError("KOMPAS_ENV=production needs PostgreSQL (DATABASE_URL=postgresql+psycopg://...)")
        if self.push_transport == "fcm" and not (self.push_credentials and Path(self.push_credentials).is_file()):
            raise ConfigError("PUSH_TRANSPORT=fcm needs GOOGLE_APPLICATION_CREDENTIALS, a service-account key file")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_roles):
            raise ConfigError("KOMPAS_OIDC_ISSUER needs KOMPAS_OIDC_CLIENT_ID and KOMPAS_OIDC_ROLES")

    def _secret_key(self) -> bytes:
        """The configured pepper, or one generated into instance/ on first run."""
        if self.secret_text:
            if len(self.secret_text) < 32:
                raise ConfigError("KOMPAS_SECRET_KEY must be at least 32 characters")
            return self.secret_text.encode()
        if self.production:
            raise ConfigError("KOMPAS_SECRET_KEY is required when KOMPAS_ENV=production")
        path = self.instance_path / "secret_key"
        if not path.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()

    def now(self) -> datetime:
        """Now, or the frozen instant of KOMPAS_NOW_FILE or KOMPAS_NOW. The
        file is read at every call (a cache keyed on its modification time
        could miss two writes within one tick)."""
        if self.now_file is not None:
            try:
                return parse_now(self.now_file.read_text().strip(), "KOMPAS_NOW_FILE")
            except OSError as error:
                raise ConfigError(f"KOMPAS_NOW_FILE {str(self.now_file)!r}: {error}") from None
        return self.frozen_now or datetime.now(UTC)

    def push(self) -> PushSettings:
        """The push part, as push/ takes it."""
        return PushSettings(
            secret_key=self.secret_key,
            transport=self.push_transport,
            credentials=self.push_credentials,
            endpoint=self.fcm_endpoint,
            weekly_moment=self.weekly_push,
            reminder_moment=self.reminder_push,
            token_max_age_days=self.push_token_max_age_days,
            topic_organisations=self.push_topic_organisations,
            fanout_connections=self.push_fanout_connections,
        )

    def flask_config(self) -> dict[str, object]:
        """What Flask and its extensions read from ``app.config``."""
        return {
            "SECRET_KEY": self.secret_key,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "RATELIMIT_ENABLED": self.limits_enabled,
            "RATELIMIT_STORAGE_URI": self.limit_storage,
            # Flask's own session holds only the OpenID sign-in's state and nonce.
            "SESSION_COOKIE_NAME": "kompas_oidc",
            "SESSION_COOKIE_PATH": "/office/",
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": self.production,
        }


def declarations() -> tuple[dataclasses.Field, ...]:
    """The fields of ``Settings`` that come from the environment."""
    return tuple(f for f in dataclasses.fields(Settings) if "env" in f.metadata)


def markdown_table() -> str:
    """The settings as the docs' table: name, default, meaning."""
    rows = ["| name | default | meaning |", "|---|---|---|"]
    for declared in declarations():
        meta = declared.metadata
        default = meta["shown"] or (f"`{meta['default']}`" if meta["default"] else "unset")
        rows.append(f"| `{meta['env']}` | {default} | {meta['description']} |")
    return "\n".join(rows) + "\n"
