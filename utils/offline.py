"""A guard that makes any attempt to reach the internet fail loudly.

The course must run with no network. The test command sets ``COURSE_OFFLINE_GUARD=1`` and
:func:`utils.setup` then installs this guard in every notebook kernel, so a hidden download
(a hub, a dataset URL) fails the test instead of passing on a machine that happens to be online.
Loopback and Unix sockets stay allowed: Jupyter itself talks to the kernel over them.
"""

from __future__ import annotations

import ipaddress
import socket

INTRODUCED_IN = "00"

GUARD_ENV_VAR = "COURSE_OFFLINE_GUARD"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo


class NetworkAccessBlocked(RuntimeError):
    """Raised when code tries to reach a non-local address while the guard is on."""


def _is_local_host(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check_address(address: object) -> None:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_local_host(host):
        raise NetworkAccessBlocked(
            f"Blocked a network connection to {host!r}: the course runs offline. "
            "Data and weights must come from installed packages or files in the repository."
        )


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _original_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not _is_local_host(host):
        _check_address((host,))
    return _original_getaddrinfo(host, *args, **kwargs)


def install_guard() -> None:
    """Block every connection except loopback for the rest of this Python process."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


def remove_guard() -> None:
    """Undo :func:`install_guard` (used by the tests of the guard itself)."""
    socket.socket.connect = _original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _original_getaddrinfo


def guard_installed() -> bool:
    return socket.socket.connect is _guarded_connect
