"""No test may reach the internet: every connection must stay on this machine.

The test session installs the guard itself (tests/conftest.py); the
processes the tests start (``kompas push tick`` and the like) load this file
as ``sitecustomize`` because the tests put this folder on their PYTHONPATH,
and report what they tried in the file named by KOMPAS_NETGUARD_LOG, which
the test then reads. A blocked attempt raises ``NetworkBlocked`` (not an
OSError, so no library mistakes it for a flaky network and retries).
"""

from __future__ import annotations

import ipaddress
import os
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlocked(RuntimeError):
    """A test tried to connect to something that is not this machine."""


def is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]").split("%", 1)[0]
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _address_is_local(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if isinstance(address, tuple) and address:
        return is_local(address[0])
    return False


def install(report) -> None:
    """Guard socket connections and name lookups; ``report(text)`` is called
    with every blocked attempt before NetworkBlocked is raised."""

    def refuse(what: str):
        report(what)
        raise NetworkBlocked(f"the tests may not reach the network: {what}")

    def connect(self, address):
        if not _address_is_local(self.family, address):
            refuse(f"connect to {address!r}")
        return _real_connect(self, address)

    def connect_ex(self, address):
        if not _address_is_local(self.family, address):
            refuse(f"connect to {address!r}")
        return _real_connect_ex(self, address)

    def sendto(self, data, *args):
        address = args[-1]
        if not _address_is_local(self.family, address):
            refuse(f"send to {address!r}")
        return _real_sendto(self, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            refuse(f"look up {host!r}")
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo


def _report_to_file(text: str) -> None:
    with open(os.environ["KOMPAS_NETGUARD_LOG"], "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}: {text}\n")


if os.environ.get("KOMPAS_NETGUARD_LOG"):
    install(_report_to_file)
