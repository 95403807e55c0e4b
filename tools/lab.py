"""Start the course in JupyterLab: what `make lab` runs (extra arguments go to JupyterLab).

    .venv/bin/python tools/lab.py                  # what `make lab` does
    .venv/bin/python tools/lab.py --port=9000      # `make lab LAB_ARGS=--port=9000`

It starts `jupyter lab` on notebooks/ and adds what a plain start gets wrong on many machines:
- `--allow-root` when the user id is 0 (Docker images, cloud notebooks, class servers): JupyterLab
  refuses to run as root without it. One printed line says so.
- `--no-browser` when no browser can open: as root (browsers refuse to run as root), or on Linux
  without a display (no DISPLAY or WAYLAND_DISPLAY: a server, a container, SSH without -X).
- A busy port: JupyterLab itself tries the next ports; this script reads the port it really took.
When the server answers and its start-up messages have stopped, the last lines printed say how to
open it, the URL (with its token) alone on the last line. tests/test_lab.py starts this very script.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# JupyterLab logs a few more lines after its own banner (an extension's scan, 1-2 s on a busy
# machine): the URL is printed once the log has been quiet for QUIET_S, and printed again if a
# late start-up line still comes within SETTLE_S, so that it ends up last.
QUIET_S = 1.5
SETTLE_S = 5.0
BUSY_PORT = re.compile(r"The port (\d+) is already in use")


def user_id() -> int:
    """The effective user id, or -1 where there is none (Windows)."""
    return os.geteuid() if hasattr(os, "geteuid") else -1


def can_open_browser(uid: int, env: dict, platform: str = sys.platform) -> bool:
    """Whether JupyterLab should try to open a browser: never as root, on Linux only with a display."""
    if uid == 0:
        return False
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def lab_args(uid: int, env: dict, extra: list[str], platform: str = sys.platform) -> list[str]:
    """JupyterLab's arguments: ours first, then `extra` (LAB_ARGS), which win where they overlap."""
    args = [f"--ServerApp.root_dir={NOTEBOOKS}"]
    if uid == 0:
        args.append("--allow-root")
    if not can_open_browser(uid, env, platform):
        args.append("--no-browser")
    return args + list(extra)


def lab_command(python: str, uid: int, env: dict, extra: list[str]) -> list[str]:
    # `python -m jupyterlab`, not the `jupyter` script: a copied or moved .venv keeps a script
    # whose first line names the old python, and this interpreter is the one setup installed into.
    return [python, "-m", "jupyterlab", *lab_args(uid, env, extra)]


def runtime_dir() -> Path:
    """Where the server writes jpserver-<pid>.json (its port and token): it runs in our environment."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def server_url(info: dict, page: str = "lab") -> str:
    """The URL to open, with the token. Loopback when the server listens on every address."""
    host = info.get("hostname") or "localhost"
    if host in ("localhost", "0.0.0.0", "::", "*", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    scheme = "https" if info.get("secure") else "http"
    url = f"{scheme}://{host}:{info['port']}{info.get('base_url', '/')}{page}"
    return f"{url}?token={info['token']}" if info.get("token") else url


def answers(info: dict) -> bool:
    """Whether the server answers its status API on this URL (no proxy: it is on this machine)."""
    if info.get("secure"):  # a self-signed certificate would fail the check; trust the info file
        return True
    request = urllib.request.Request(server_url(info, "api/status").split("?")[0],
                                     headers={"Authorization": f"token {info.get('token', '')}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Relay:
    """Copies the server's log (stderr) to ours line by line, noting when it last wrote and which
    port it found busy."""

    def __init__(self, stream):
        self.stream, self.last, self.lines = stream, time.monotonic(), 0
        self.busy_port: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for line in self.stream:
            self.last, self.lines = time.monotonic(), self.lines + 1
            if self.busy_port is None and (match := BUSY_PORT.search(line)):
                self.busy_port = match.group(1)
            sys.stderr.write(line)
            sys.stderr.flush()


def wait_until_ready(server: subprocess.Popen, relay: Relay) -> dict | None:
    """The server's info once it answers and has been quiet for QUIET_S; None if it stopped."""
    info_file = runtime_dir() / f"jpserver-{server.pid}.json"
    info = None
    while server.poll() is None:
        if info is None and info_file.exists():
            try:
                info = json.loads(info_file.read_text())
            except (OSError, ValueError):  # being written
                info = None
            if info is not None and not answers(info):
                info = None
        if info is not None and time.monotonic() - relay.last >= QUIET_S:
            return info
        time.sleep(0.2)
    return None


def settle(server: subprocess.Popen, relay: Relay, text: str) -> None:
    """Print the URL again, once, if start-up lines came after it (see SETTLE_S)."""
    seen, deadline = relay.lines, time.monotonic() + SETTLE_S
    while server.poll() is None and time.monotonic() < deadline:
        if relay.lines > seen and time.monotonic() - relay.last >= QUIET_S:
            print(text, flush=True)
            return
        time.sleep(0.2)


def banner(info: dict, relay: Relay, browser: bool) -> list[str]:
    lines = [""]
    if relay.busy_port and str(info["port"]) != relay.busy_port:
        lines.append(f"Port {relay.busy_port} was busy, so JupyterLab took port {info['port']}.")
    if browser:
        lines.append("JupyterLab should have opened in your browser; if not, open this URL "
                     "(Ctrl+C here stops the server):")
    else:
        lines.append("JupyterLab is running. Open this URL in your browser (Ctrl+C here stops the server):")
    lines.append(server_url(info))
    return lines


def stop_if_running(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()


def main(extra: list[str]) -> int:
    env = dict(os.environ)
    uid = user_id()
    if uid == 0:
        print("You are root (user id 0), so JupyterLab starts with --allow-root "
              "(it refuses to run as root without it).", flush=True)
    command = lab_command(sys.executable, uid, env, extra)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
                              errors="replace", bufsize=1)
    # Ctrl+C reaches the server too (same terminal): it asks to confirm and stops; we wait for it.
    # A `kill` of this script alone is passed on after a second, so no server is left behind (when
    # the whole process group got it, the server is gone by then and hears it only once).
    signal.signal(signal.SIGTERM, lambda *_: threading.Timer(1.0, stop_if_running, [server]).start())
    relay = Relay(server.stderr)
    info, code = None, None
    while code is None:
        try:
            if info is None:
                info = wait_until_ready(server, relay)
                if info is not None:
                    text = "\n".join(banner(info, relay, "--no-browser" not in command))
                    print(text, flush=True)
                    settle(server, relay, text)
            code = server.wait()
        except KeyboardInterrupt:
            continue
    relay.thread.join(timeout=2)
    if info is None and code != 0:
        print(f"\nJupyterLab stopped (exit code {code}); its messages are above. "
              "README.md, Troubleshooting, says what to do for the common ones.", flush=True)
    return code if code >= 0 else 128 - code  # stopped by a signal: the shell's convention


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
