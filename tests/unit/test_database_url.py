"""DATABASE_URL's ``prepare_threshold``: given to psycopg as a value (a
pooler in transaction mode needs ``none``), never to libpq as text."""

import pytest
from sqlalchemy import event

from dilemmas.storage.database import make_engine

BASE = "postgresql+psycopg://kompas@127.0.0.1:6432/kompas"


class Connecting(Exception):
    pass


def connect_arguments(url: str) -> dict:
    """What the engine would hand psycopg.connect (caught before it does)."""
    engine = make_engine(url)
    seen = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect, _record, _cargs, cparams):
        seen.update(cparams)
        raise Connecting

    try:
        with pytest.raises(Connecting):
            engine.connect()
    finally:
        engine.dispose()
    return seen


@pytest.mark.parametrize(("written", "threshold"), [("none", None), ("off", None), ("0", 0), ("10", 10)])
def test_prepare_threshold_goes_to_psycopg_as_a_value(written, threshold):
    arguments = connect_arguments(f"{BASE}?prepare_threshold={written}&application_name=kompas")
    assert arguments["prepare_threshold"] == threshold
    assert arguments["application_name"] == "kompas"  # the rest of the query stays


def test_a_url_without_it_keeps_psycopgs_default():
    assert "prepare_threshold" not in connect_arguments(BASE)


@pytest.mark.parametrize("written", ["sometimes", "-1"])
def test_a_wrong_prepare_threshold_is_refused_by_name(written):
    with pytest.raises(ValueError, match="prepare_threshold"):
        make_engine(f"{BASE}?prepare_threshold={written}")
