"""The `kompas` command. Only `serve` builds the web app; every other command
works from the settings and the database alone."""

from api.cli.main import main

__all__ = ["main"]
