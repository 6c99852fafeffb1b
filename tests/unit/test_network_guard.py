"""The guard that keeps every test, and every process a test starts, off
the network."""

import socket
import subprocess
import sys

import pytest

from tests.conftest import BLOCKED
from tests.sitecustom.sitecustomize import NetworkBlocked, is_local


def test_loopback_is_allowed_and_nothing_else():
    assert is_local("127.0.0.1") and is_local("::1") and is_local("localhost") and is_local("127.8.9.10")
    assert not is_local("192.0.2.1") and not is_local("fcm.googleapis.com") and not is_local("10.0.0.1")


def test_a_connection_to_the_internet_fails_in_the_test_process():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("fcm.googleapis.com", 443), timeout=1)
    with pytest.raises(NetworkBlocked), socket.socket() as raw:
        raw.connect(("192.0.2.1", 443))
    assert len(BLOCKED) == 2
    BLOCKED.clear()  # expected here; any other test that does this fails


def test_a_connection_to_the_internet_fails_in_a_process_the_test_starts(tmp_path, monkeypatch):
    report = tmp_path / "child-guard.log"
    monkeypatch.setenv("KOMPAS_NETGUARD_LOG", str(report))
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "NetworkBlocked" in result.stderr
    assert "192.0.2.1" in report.read_text()
