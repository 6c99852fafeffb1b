"""Push: device tokens, campaigns, transports and the scheduler tick."""

from __future__ import annotations

from sqlalchemy import MetaData


def load_models() -> MetaData:
    """The domain's metadata completed with push's tables (the domain may
    not import push, so migrations ask here)."""
    from dilemmas.model import metadata
    from push import campaigns, log, topics  # noqa: F401

    return metadata
