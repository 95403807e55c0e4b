"""A guard that makes any attempt to reach the internet fail loudly.

The course must run with no network. The test command sets ``COURSE_OFFLINE_GUARD=1`` and
:func:`utils.setup` then installs this guard in every notebook kernel, so a hidden download
(a hub, a dataset URL) fails the test instead of passing on a machine that happens to be online.

It is an *audit hook* (``sys.addaudithook``, PEP 578): CPython calls it before every socket
``connect``/``sendto``, every name lookup and every new process, including those made from C code
(``_socket``), ``asyncio`` and libraries, and Python offers no way to remove one. So once
installed it holds for the life of the process. Loopback and Unix sockets stay allowed: Jupyter
itself talks to the kernel over them. Child processes inherit ``COURSE_OFFLINE_GUARD=1``, and
starting a network tool (curl, wget, git, pip...) is refused. Where the machine allows it,
``make test`` also runs the notebooks in a network namespace with only loopback up, so the
operating system enforces what this guard checks (``tools/offline_run.sh``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

INTRODUCED_IN = "00"
GUARD_ENV_VAR = "COURSE_OFFLINE_GUARD"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
# Programs whose job is to reach other machines; starting one under the guard is refused.
NETWORK_TOOLS = {"curl", "wget", "ssh", "scp", "sftp", "rsync", "nc", "ncat", "netcat", "telnet", "ftp",
                 "aria2c", "huggingface-cli"}
# Programs that reach the network only with some subcommands (``git ls-files`` is fine, ``git clone`` not).
NETWORK_SUBCOMMANDS = {"git": {"clone", "fetch", "pull", "push", "ls-remote", "submodule"},
                       "pip": {"install", "download"}, "pip3": {"install", "download"},
                       "conda": {"install", "create", "update"}, "mamba": {"install", "create", "update"},
                       "uv": {"pip", "add", "sync"}, "apt": {"install", "update"}, "apt-get": {"install", "update"}}
_installed = False


class NetworkAccessBlocked(RuntimeError):
    """Raised when code tries to reach a non-local address while the guard is on."""


def _is_local_host(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None:
        return True  # getaddrinfo(None, port): the local machine
    if not isinstance(host, str):
        return False
    host = host.strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _blocked(what: object) -> NetworkAccessBlocked:
    return NetworkAccessBlocked(
        f"Blocked a network connection to {what!r}: the course runs offline. "
        "Data and weights must come from installed packages or files in the repository."
    )


def _check_address(address: object) -> None:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_local_host(host):
        raise _blocked(host)


def _reaches_network(argv: object) -> str | None:
    """The program's name when running ``argv`` would reach the network, else None."""
    if isinstance(argv, (str, bytes)):
        argv = os.fsdecode(argv).split()
    try:
        parts = [os.fsdecode(a) for a in argv]  # type: ignore[union-attr]
    except TypeError:
        return None
    if not parts:
        return None
    name = os.path.basename(parts[0])
    if name.startswith("python") and parts[1:3] == ["-m", "pip"]:  # python -m pip install ...
        name, parts = "pip", parts[2:]
    if name in NETWORK_TOOLS:
        return name
    if name in NETWORK_SUBCOMMANDS and any(p in NETWORK_SUBCOMMANDS[name] for p in parts[1:]):
        return name
    return None


def _audit(event: str, args: tuple) -> None:
    # Called for every audited event in the process: return fast for everything we do not check.
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1] if len(args) > 1 else None
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6) and address is not None:
            _check_address(address)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        if not _is_local_host(args[0]):
            raise _blocked(args[0])
    elif event in ("subprocess.Popen", "os.posix_spawn", "os.exec"):
        name = _reaches_network(args[1] if len(args) > 1 and args[1] else [args[0]])
        if name:
            raise NetworkAccessBlocked(f"Blocked starting {name!r}: the course runs offline, so no program "
                                       "may download anything. Install packages before class with `make setup`.")
    elif event == "os.system":
        if _reaches_network(args[0]):
            raise NetworkAccessBlocked(f"Blocked running {args[0]!r}: the course runs offline.")


def install_guard() -> None:
    """Block every connection except loopback for the rest of this Python process (irreversibly).

    Installing twice does nothing. Child processes inherit ``COURSE_OFFLINE_GUARD=1``, so a kernel
    or script they start that calls ``utils.setup()`` is guarded too.
    """
    global _installed
    if _installed:
        return
    sys.addaudithook(_audit)
    os.environ[GUARD_ENV_VAR] = "1"
    _installed = True


def remove_guard() -> None:
    """The guard cannot be removed: that is what makes it a guarantee. Always raises."""
    raise RuntimeError("The offline guard cannot be removed once installed (it is a sys.addaudithook hook); "
                       "restart the kernel without COURSE_OFFLINE_GUARD=1 to go online.")


def guard_installed() -> bool:
    return _installed
