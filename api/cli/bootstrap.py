"""What a command needs besides its arguments: the settings and the
database, wired without the web app (cosmicpython's bootstrap). Only
``kompas serve`` builds the Flask app, in the server's workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.platform.logs import configure_logging
from api.platform.settings import ConfigError, Settings
from dilemmas.storage.database import make_engine, make_sessionmaker


@dataclass(frozen=True)
class Runtime:
    """The settings, the engine and its sessions, for one command."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session


def load_settings() -> Settings:
    """The settings, or the command's error naming the one refused."""
    try:
        return Settings.load()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None


@contextmanager
def runtime() -> Iterator[Runtime]:
    """The configured database; its connections close with the block."""
    settings = load_settings()
    configure_logging(json_logs=settings.production)
    engine = make_engine(settings.database_url)
    try:
        yield Runtime(settings, engine, make_sessionmaker(engine))
    finally:
        engine.dispose()
