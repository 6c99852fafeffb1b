"""Configuration from environment variables (DESIGN.md "Configuration")."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dilemmas.model.admins import ROLES
from push.settings import MOMENT, PushSettings
from scoring.spreads import Thresholds


class ConfigError(ValueError):
    """A setting that Kompas refuses to start with."""


DEFAULTS = {
    "DATABASE_URL": "sqlite:///instance/kompas.db",
    "KOMPAS_TIMEZONE": "Europe/Amsterdam",
    "KOMPAS_WEEKLY_PUSH": "MON 09:00",
    "KOMPAS_REMINDER_PUSH": "THU 12:00",
    "ANONYMITY_MIN_GROUP": "5",
    "SESSION_MIN_REVEAL": "3",
    "PUSH_TRANSPORT": "log",
    "GOOGLE_APPLICATION_CREDENTIALS": "",
    "FCM_ENDPOINT": "",
    "PUSH_TOPIC_ORGANISATIONS": "",
    "PUSH_FANOUT_CONNECTIONS": "256",
    "RATELIMIT_STORAGE_URI": "database://",
    "KOMPAS_TRUSTED_PROXIES": "0",
    "PUSH_TOKEN_MAX_AGE_DAYS": "60",
    "MAX_CONTENT_LENGTH": "65536",
    "RATELIMIT_ENABLED": "true",
    "KOMPAS_HOST": "127.0.0.1",
    "KOMPAS_PORT": "8000",
    "KOMPAS_NOW": "",
    "KOMPAS_NOW_FILE": "",
    "KOMPAS_ENV": "development",
    "KOMPAS_SECRET_KEY": "",
    "CORS_ORIGINS": "",
    "KOMPAS_METRICS_TOKEN": "",
    "KOMPAS_METRICS_ALLOW": "127.0.0.0/8,::1",
    "KOMPAS_OFFICE_IDLE_MINUTES": "30",
    "KOMPAS_OIDC_ISSUER": "",
    "KOMPAS_OIDC_CLIENT_ID": "",
    "KOMPAS_OIDC_CLIENT_SECRET": "",
    "KOMPAS_OIDC_CLAIM": "groups",
    "KOMPAS_OIDC_ROLES": "",
}


def _int(values: Mapping[str, str], name: str, low: int) -> int:
    try:
        number = int(values[name])
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {values[name]!r}") from None
    if number < low:
        raise ConfigError(f"{name} must be at least {low}, not {number}")
    return number


def _bool(values: Mapping[str, str], name: str) -> bool:
    text = values[name].strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {values[name]!r}")


def parse_now(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``2026-12-07T09:01:00+01:00``)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"KOMPAS_NOW must be an ISO 8601 instant, not {text!r}") from None
    if moment.tzinfo is None:
        raise ConfigError("KOMPAS_NOW needs an offset, e.g. 2026-12-07T09:01:00+01:00")
    return moment.astimezone(UTC)


def secret_key_from(values: Mapping[str, str], instance: Path) -> bytes:
    """The configured pepper, or one generated into instance/ on first run."""
    if values["KOMPAS_SECRET_KEY"]:
        if len(values["KOMPAS_SECRET_KEY"]) < 32:
            raise ConfigError("KOMPAS_SECRET_KEY must be at least 32 characters")
        return values["KOMPAS_SECRET_KEY"].encode()
    if values["KOMPAS_ENV"] == "production":
        raise ConfigError("KOMPAS_SECRET_KEY is required when KOMPAS_ENV=production")
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def oidc_roles(text: str) -> tuple[tuple[str, str, str], ...]:
    """KOMPAS_OIDC_ROLES: ``group=role@organisation`` pairs, comma-separated."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, _, target = item.partition("=")
        role, _, organisation = target.partition("@")
        if not (group.strip() and role.strip() in ROLES and organisation.strip()):
            raise ConfigError(
                f"KOMPAS_OIDC_ROLES: write group=role@organisation (roles: {', '.join(ROLES)}), not {item!r}"
            )
        pairs.append((group.strip(), role.strip(), organisation.strip()))
    return tuple(pairs)


def load(environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None) -> dict:
    """Flask config from the environment, validated; ``overrides`` (tests)
    take the place of environment values and may add Flask settings."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values = {name: str(overrides.pop(name, environ.get(name, default))) for name, default in DEFAULTS.items()}
    if values["KOMPAS_ENV"] not in ("development", "production", "test"):
        raise ConfigError("KOMPAS_ENV must be development, test or production")
    production = values["KOMPAS_ENV"] == "production"
    try:
        ZoneInfo(values["KOMPAS_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"KOMPAS_TIMEZONE is not a known time zone: {values['KOMPAS_TIMEZONE']!r}") from None
    for name in ("KOMPAS_WEEKLY_PUSH", "KOMPAS_REMINDER_PUSH"):
        if not MOMENT.match(values[name]):
            raise ConfigError(f"{name} must look like 'MON 09:00', not {values[name]!r}")
    if values["PUSH_TRANSPORT"] not in ("log", "fcm"):
        raise ConfigError("PUSH_TRANSPORT must be log or fcm")
    credentials = values["GOOGLE_APPLICATION_CREDENTIALS"]
    if values["PUSH_TRANSPORT"] == "fcm" and not (credentials and Path(credentials).is_file()):
        raise ConfigError("PUSH_TRANSPORT=fcm needs GOOGLE_APPLICATION_CREDENTIALS, a service-account key file")
    endpoint = values["FCM_ENDPOINT"].rstrip("/")
    if endpoint and not re.match(r"^https?://[^/\s]+(/\S*)?$", endpoint):
        raise ConfigError(f"FCM_ENDPOINT must be an http(s) base URL, not {values['FCM_ENDPOINT']!r}")
    topic_organisations = frozenset(
        slug.strip() for slug in values["PUSH_TOPIC_ORGANISATIONS"].split(",") if slug.strip()
    )
    min_group = _int(values, "ANONYMITY_MIN_GROUP", 3)
    frozen_now = None
    if values["KOMPAS_NOW"]:
        if production:
            raise ConfigError("KOMPAS_NOW is refused when KOMPAS_ENV=production")
        frozen_now = parse_now(values["KOMPAS_NOW"])
    now_file = Path(values["KOMPAS_NOW_FILE"]) if values["KOMPAS_NOW_FILE"] else None
    if now_file is not None:
        if production or frozen_now:
            raise ConfigError("KOMPAS_NOW_FILE is refused when KOMPAS_ENV=production, and beside KOMPAS_NOW")
        now_from_file(now_file)  # a server that cannot read its clock does not start
    storage = values["RATELIMIT_STORAGE_URI"]
    if not re.match(r"^(database://|memory://|rediss?://\S+|redis\+\w+://\S+)$", storage):
        raise ConfigError(f"RATELIMIT_STORAGE_URI must be database://, memory:// or redis://..., not {storage!r}")
    database_url = values["DATABASE_URL"]
    if production and database_url.startswith("sqlite"):
        raise ConfigError("KOMPAS_ENV=production needs PostgreSQL (DATABASE_URL=postgresql+psycopg://...)")
    instance = Path(overrides.pop("INSTANCE_PATH", "instance")).resolve()
    config = {
        "KOMPAS_ENV": values["KOMPAS_ENV"],
        "DATABASE_URL": database_url,
        "KOMPAS_TIMEZONE": values["KOMPAS_TIMEZONE"],
        "KOMPAS_WEEKLY_PUSH": values["KOMPAS_WEEKLY_PUSH"],
        "KOMPAS_REMINDER_PUSH": values["KOMPAS_REMINDER_PUSH"],
        "THRESHOLDS": Thresholds(min_group),
        "SESSION_MIN_REVEAL": _int(values, "SESSION_MIN_REVEAL", 2),
        "PUSH_TRANSPORT": values["PUSH_TRANSPORT"],
        "GOOGLE_APPLICATION_CREDENTIALS": credentials or None,
        "FCM_ENDPOINT": endpoint or None,
        "PUSH_TOPIC_ORGANISATIONS": topic_organisations,
        "PUSH_FANOUT_CONNECTIONS": _int(values, "PUSH_FANOUT_CONNECTIONS", 1),
        "RATELIMIT_STORAGE_URI": values["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_ENABLED": _bool(values, "RATELIMIT_ENABLED"),
        "KOMPAS_TRUSTED_PROXIES": _int(values, "KOMPAS_TRUSTED_PROXIES", 0),
        "PUSH_TOKEN_MAX_AGE_DAYS": _int(values, "PUSH_TOKEN_MAX_AGE_DAYS", 1),
        "MAX_CONTENT_LENGTH": _int(values, "MAX_CONTENT_LENGTH", 1024),
        "KOMPAS_HOST": values["KOMPAS_HOST"],
        "KOMPAS_PORT": _int(values, "KOMPAS_PORT", 1),
        "KOMPAS_NOW": frozen_now,
        "KOMPAS_NOW_FILE": now_file,
        "INSTANCE_PATH": instance,
        "CORS_ORIGINS": values["CORS_ORIGINS"],
        "KOMPAS_METRICS_TOKEN": values["KOMPAS_METRICS_TOKEN"],
        "KOMPAS_METRICS_ALLOW": values["KOMPAS_METRICS_ALLOW"],
    }
    issuer = values["KOMPAS_OIDC_ISSUER"].rstrip("/")
    if issuer and not re.match(r"^https?://[^/\s]+(/\S*)?$", issuer):
        raise ConfigError(f"KOMPAS_OIDC_ISSUER must be an http(s) URL, not {values['KOMPAS_OIDC_ISSUER']!r}")
    if issuer and not (values["KOMPAS_OIDC_CLIENT_ID"] and values["KOMPAS_OIDC_ROLES"]):
        raise ConfigError("KOMPAS_OIDC_ISSUER needs KOMPAS_OIDC_CLIENT_ID and KOMPAS_OIDC_ROLES")
    config.update(
        KOMPAS_OFFICE_IDLE_MINUTES=_int(values, "KOMPAS_OFFICE_IDLE_MINUTES", 1),
        KOMPAS_OIDC_ISSUER=issuer,
        KOMPAS_OIDC_CLIENT_ID=values["KOMPAS_OIDC_CLIENT_ID"],
        KOMPAS_OIDC_CLIENT_SECRET=values["KOMPAS_OIDC_CLIENT_SECRET"],
        KOMPAS_OIDC_CLAIM=values["KOMPAS_OIDC_CLAIM"],
        KOMPAS_OIDC_ROLES=oidc_roles(values["KOMPAS_OIDC_ROLES"]),
        # Flask's own session holds only the OpenID sign-in's state and nonce.
        SESSION_COOKIE_NAME="kompas_oidc",
        SESSION_COOKIE_PATH="/office/",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=production,
    )
    config["SECRET_KEY"] = secret_key_from(values, instance)
    config.update(overrides)
    return config


def now_from_file(path: Path) -> datetime:
    """The instant written in KOMPAS_NOW_FILE, read on every call: tests
    move a running server's clock by rewriting the file (a cache keyed on
    its modification time could miss two writes within one tick)."""
    try:
        return parse_now(path.read_text().strip())
    except (OSError, ConfigError) as error:
        raise ConfigError(f"KOMPAS_NOW_FILE {str(path)!r}: {error}") from None


def clock(config: Mapping[str, object]) -> datetime:
    """Now, or the frozen instant of KOMPAS_NOW_FILE or KOMPAS_NOW."""
    if config.get("KOMPAS_NOW_FILE"):
        return now_from_file(config["KOMPAS_NOW_FILE"])
    frozen = config.get("KOMPAS_NOW")
    return frozen if isinstance(frozen, datetime) else datetime.now(UTC)


def push_settings(config: Mapping[str, object]) -> PushSettings:
    """The push part of the configuration, as plain values."""
    return PushSettings(
        secret_key=config["SECRET_KEY"],
        transport=config["PUSH_TRANSPORT"],
        credentials=config["GOOGLE_APPLICATION_CREDENTIALS"],
        endpoint=config["FCM_ENDPOINT"],
        weekly_moment=config["KOMPAS_WEEKLY_PUSH"],
        reminder_moment=config["KOMPAS_REMINDER_PUSH"],
        token_max_age_days=config["PUSH_TOKEN_MAX_AGE_DAYS"],
        topic_organisations=config["PUSH_TOPIC_ORGANISATIONS"],
        fanout_connections=config["PUSH_FANOUT_CONNECTIONS"],
    )
