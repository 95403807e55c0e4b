"""`make lab`'s start-up path: tools/lab.py, started exactly as the Makefile starts it.

The server starts in the background with no display and JupyterLab's default port held busy; the
test reads what a newcomer would see, waits for the URL line, fetches /lab with its token on
loopback, and stops the whole process group. Once as the current user (root on CI), and once as
the unprivileged user `nobody` where the test runs as root and that user can read the repository.
"""

from __future__ import annotations

import errno
import os
import pwd
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lab  # noqa: E402  (tools/lab.py: for how long it may print the URL again)

COMMAND = [sys.executable, "tools/lab.py"]  # the Makefile: $(PY) tools/lab.py $(LAB_ARGS)
DEFAULT_PORT = 8888  # JupyterLab's; held busy below so it must take another
URL_LINE = re.compile(r"^http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+)$")
START_TIMEOUT_S = 180  # JupyterLab starts in seconds; a loaded 2-core machine can take a minute
OTHER_USER = "nobody"

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX only (the Makefile is)")


def hold_default_port() -> socket.socket | None:
    """Listen on 127.0.0.1:8888 so JupyterLab finds it busy; None if something already holds it."""
    sock = socket.socket()
    # As JupyterLab does: a port whose last connections are closing (TIME_WAIT) counts as free.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", DEFAULT_PORT))
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            return None
        raise
    sock.listen()
    return sock


def fetch(url: str) -> tuple[int, str]:
    """GET on loopback, never through a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, ""


def run_lab(env: dict, user: str | None = None) -> tuple[list[str], str, int]:
    """Start tools/lab.py, wait for its URL line, fetch it, stop it. Returns (lines, body, status)."""
    server = subprocess.Popen(COMMAND, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", start_new_session=True, user=user,
                              group=None if user is None else pwd.getpwnam(user).pw_gid,
                              extra_groups=None if user is None else [])
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in server.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (seen and URL_LINE.match(seen[-1])):
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no URL within {START_TIMEOUT_S} s; it printed:\n" + "\n".join(seen))
            if line is None:
                pytest.fail(f"tools/lab.py stopped (exit {server.wait()}):\n" + "\n".join(seen))
            seen.append(line)
        status, body = fetch(seen[-1])
        # Start-up lines that come late make it print the URL again: read until it has settled.
        settled = time.monotonic() + lab.SETTLE_S + lab.QUIET_S + 0.5
        while (left := settled - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is not None:
                seen.append(line)
        return seen, body, status
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def lab_env(home: Path) -> dict:
    """The caller's environment without a display or a port choice, with Jupyter's config and
    runtime files in a fresh folder (so no personal config changes what is tested)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY") and not k.startswith("JUPYTER_")}
    for name in ("config", "runtime", "data"):
        (home / name).mkdir(parents=True, exist_ok=True)
    # A browser "command" that leaves a mark: there must be no attempt to open one.
    marker = home / "browser-was-opened"
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"),
               BROWSER=f"touch {marker} %s")
    return env


def check_start(home: Path, as_root: bool, user: str | None = None) -> None:
    held = hold_default_port()
    try:
        lines, body, status = run_lab(lab_env(home), user)
    finally:
        if held is not None:
            held.close()
    text = "\n".join(lines)
    assert URL_LINE.match(lines[-1]), f"the URL is not the last line:\n{text}"
    port = int(URL_LINE.match(lines[-1]).group(1))
    assert status == 200 and "JupyterLab" in body, f"GET /lab with the token gave {status}:\n{text}"
    assert port != DEFAULT_PORT, text
    assert f"Port {DEFAULT_PORT} was busy, so JupyterLab took port {port}." in lines, text
    assert lines[-2].startswith("JupyterLab is running. Open this URL"), text
    assert ("--allow-root" in lines[0]) == as_root, text
    assert "Running as root is not recommended" not in text
    assert "web browser" not in text.lower() and not (home / "browser-was-opened").exists(), text


def test_make_lab_starts_as_current_user(tmp_path):
    check_start(tmp_path, as_root=os.geteuid() == 0)


def test_make_lab_starts_as_unprivileged_user():
    if os.geteuid() != 0:
        pytest.skip("runs only as root (as on CI): the test above already ran as a normal user")
    try:
        account = pwd.getpwnam(OTHER_USER)
    except KeyError:
        pytest.skip(f"no user '{OTHER_USER}' on this machine to run JupyterLab as")
    try:  # the repository, its .venv and the python it was made from must be open to that user
        probe = subprocess.run([sys.executable, "-c", "import jupyterlab, jupyter_core"], cwd=ROOT,
                               user=OTHER_USER, group=account.pw_gid, extra_groups=[],
                               capture_output=True, text=True)
        problem = probe.stderr.strip()[-200:] if probe.returncode else ""
    except OSError as err:
        problem = str(err)
    if problem:
        pytest.skip(f"user '{OTHER_USER}' cannot run {os.path.realpath(sys.executable)} in {ROOT} "
                    f"here (a python or repository under /root is private): {problem}")
    home = Path(tempfile.mkdtemp(prefix="nn-course-lab-"))
    try:
        os.chown(home, account.pw_uid, account.pw_gid)
        for name in ("config", "runtime", "data"):
            (home / name).mkdir()
            os.chown(home / name, account.pw_uid, account.pw_gid)
        check_start(home, as_root=False, user=OTHER_USER)
    finally:
        shutil.rmtree(home, ignore_errors=True)


class _Running:
    """Stands in for the server process: still running."""

    def poll(self):
        return None


class _Log:
    """Stands in for lab.Relay: how many log lines, and when the last one came."""

    def __init__(self):
        self.lines, self.last = 0, time.monotonic()


@pytest.mark.parametrize("late_line", [True, False])
def test_url_is_printed_again_only_after_a_late_startup_line(late_line, monkeypatch, capsys):
    monkeypatch.setattr(lab, "QUIET_S", 0.05)
    monkeypatch.setattr(lab, "SETTLE_S", 0.5)
    log = _Log()
    if late_line:
        timer = threading.Timer(0.1, lambda: setattr(log, "lines", 1) or setattr(log, "last", time.monotonic()))
        timer.start()
    lab.settle(_Running(), log, "http://127.0.0.1:8888/lab?token=abc")
    assert capsys.readouterr().out == ("http://127.0.0.1:8888/lab?token=abc\n" if late_line else "")


@pytest.mark.parametrize("uid, env, platform, added", [
    (0, {"DISPLAY": ":0"}, "linux", ["--allow-root", "--no-browser"]),  # browsers refuse root
    (1000, {}, "linux", ["--no-browser"]),                                # a server, a container
    (1000, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", []),
    (1000, {"DISPLAY": ":0"}, "linux", []),
    (501, {}, "darwin", []),
])
def test_lab_args(uid, env, platform, added):
    args = lab.lab_args(uid, env, ["--port=9000"], platform)
    assert args == [f"--ServerApp.root_dir={lab.NOTEBOOKS}", *added, "--port=9000"]
