"""Helpers for the push tests: many devices at once, the push settings, and
``kompas`` processes run as cron would run them."""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select

from api.platform.settings import Settings
from dilemmas.model.installations import Installation, PushToken
from dilemmas.model.organisations import Organisation
from dilemmas.model.push import Batch, Campaign
from dilemmas.tokens import hash_token
from push.settings import PushSettings
from tests.conftest import SECRET, parse_now

KOMPAS = str(Path(sys.executable).parent / "kompas")
MONDAY_0901 = "2026-12-07T09:01:00+01:00"  # 2026-W50, just after the weekly moment
REGISTERED = parse_now("2026-12-01T10:00:00+01:00")


@dataclass(frozen=True)
class Device:
    installation_id: str
    token: str  # the push token
    organisation: str
    locale: str
    # The installation's bearer token: what a request of the app carries, and
    # the only way to the keys of its answers (``installations.authenticate``).
    bearer: str


def add_devices(
    session,
    count: int,
    organisation: str = "rijk",
    prefix: str = "tok",
    weekly: bool = True,
    reminders: bool = False,
    locale: str = "nl",
    kind: str = "registration",
    refreshed_at: datetime = REGISTERED,
    with_token: bool = True,
) -> list[Device]:
    """Register ``count`` installations at once, each with a push token
    ``{prefix}-{n}-{random}`` unless ``with_token`` is false."""
    org_id = session.scalar(select(Organisation.id).where(Organisation.slug == organisation))
    devices = [
        Device(
            secrets.token_hex(16),
            f"{prefix}-{n}-{secrets.token_hex(6)}",
            organisation,
            locale,
            secrets.token_urlsafe(32),
        )
        for n in range(count)
    ]
    session.execute(
        insert(Installation),
        [
            dict(
                id=device.installation_id,
                token_hash=hash_token(device.bearer, SECRET.encode()),
                organisation_id=org_id,
                platform="android",
                locale=locale,
                notify_weekly=weekly,
                notify_reminders=reminders,
                created_at=REGISTERED,
            )
            for device in devices
        ],
    )
    if with_token:
        session.execute(
            insert(PushToken),
            [
                dict(
                    installation_id=device.installation_id,
                    token=device.token,
                    kind=kind,
                    platform="android",
                    refreshed_at=refreshed_at,
                )
                for device in devices
            ],
        )
    session.commit()
    return devices


def settings(**overrides) -> PushSettings:
    """The push settings as a server with default settings has them."""
    defaults = Settings.load({}, {"KOMPAS_SECRET_KEY": SECRET}).push()
    return dataclasses.replace(defaults, **overrides)


def batches_of(session, campaign_id: int) -> list[Batch]:
    return list(session.scalars(select(Batch).where(Batch.campaign_id == campaign_id).order_by(Batch.number)))


def campaigns(session, kind: str | None = None) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.id)
    if kind:
        query = query.where(Campaign.kind == kind)
    return list(session.scalars(query))


def in_batch(batch: Batch, installation_id: str) -> bool:
    """Whether the installation falls in the batch's id range (ids are hex,
    which sorts the same in Python and in the database)."""
    return (batch.after_key is None or installation_id > batch.after_key) and (
        batch.upto_key is None or installation_id <= batch.upto_key
    )


def kompas_env(database_url: str, fcm=None, now: str = MONDAY_0901, **extra: str) -> dict[str, str]:
    """The environment of a ``kompas`` process on the test database; with a
    fake FCM server, the fcm transport pointed at it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": now,
        "PUSH_TRANSPORT": "log",
    }
    if fcm is not None:
        env.update(PUSH_TRANSPORT="fcm", GOOGLE_APPLICATION_CREDENTIALS=str(fcm.credentials), FCM_ENDPOINT=fcm.url)
    env.update(extra)
    return env


def start(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [KOMPAS, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def run(env: dict[str, str], cwd: Path, *args: str, ok: bool = True, timeout: float = 120) -> str:
    result = subprocess.run([KOMPAS, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) is ok, output
    return output
