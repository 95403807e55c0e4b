"""The offline guard: the test command must fail on any attempt to reach the internet."""

import os
import socket
import subprocess
import sys

import pytest

from utils import offline


def test_pytest_socket_blocks_external_hosts():
    # pytest-socket (enabled with --allow-hosts in pyproject.toml) guards every unit test.
    with pytest.raises(Exception, match="(?i)host|socket|blocked"):
        socket.create_connection(("203.0.113.1", 80), timeout=1)


def test_course_guard_blocks_external_but_allows_loopback():
    code = (
        "import socket, utils.offline as o\n"
        "o.install_guard()\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(1)\n"
        "socket.create_connection(server.getsockname(), timeout=1).close()\n"
        "try:\n"
        "    socket.create_connection(('example.com', 80), timeout=1)\n"
        "except o.NetworkAccessBlocked as e:\n"
        "    print('blocked:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "blocked: Blocked a network connection to 'example.com'" in out.stdout


def test_guard_helpers():
    assert offline._is_local_host("127.0.0.1") and offline._is_local_host("::1")
    assert offline._is_local_host("localhost") and not offline._is_local_host("8.8.8.8")
    assert offline._reaches_network(["curl", "http://x"]) == "curl"
    assert offline._reaches_network(["/usr/bin/git", "clone", "u"]) == "git"
    assert offline._reaches_network(["git", "ls-files"]) is None
    assert offline._reaches_network([sys.executable, "-m", "pip", "install", "x"]) == "pip"
    assert offline._reaches_network([sys.executable, "-c", "print(1)"]) is None


# The guard is an audit hook: once installed it cannot be removed, so each test of it runs in a
# fresh Python process (installing it here would guard the rest of the test session).
GUARDED_CHECKS = {
    "C-level connect": "import _socket; s = _socket.socket(); s.settimeout(1); s.connect(('203.0.113.1', 80))",
    "UDP sendto": "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))",
    "gethostbyname": "import socket; socket.gethostbyname('example.com')",
    "getaddrinfo": "import socket; socket.getaddrinfo('pypi.org', 443)",
    "urllib": "import urllib.request; urllib.request.urlopen('http://example.com', timeout=2)",
    "curl subprocess": "import subprocess; subprocess.run(['curl', '-s', 'http://example.com'])",
    "pip subprocess": "import subprocess, sys; subprocess.run([sys.executable, '-m', 'pip', 'install', 'x'])",
    "os.system curl": "import os; os.system('curl http://example.com')",
    "remove_guard": "o.remove_guard()",
}


@pytest.mark.parametrize("code", GUARDED_CHECKS.values(), ids=GUARDED_CHECKS.keys())
def test_audit_hook_guard_blocks(code):
    script = ("import socket, utils.offline as o\no.install_guard()\n"
              "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(1)\n"
              "socket.create_connection(server.getsockname(), timeout=1).close()  # loopback still works\n"
              "import subprocess, sys; subprocess.run([sys.executable, '-c', 'pass'], check=True)  # and local programs\n"
              f"try:\n    {code}\nexcept (o.NetworkAccessBlocked, RuntimeError) as e:\n    print('blocked:', e)\n"
              "print('guard still on:', o.guard_installed())\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "blocked: " in out.stdout and "guard still on: True" in out.stdout, out.stdout


def test_setup_installs_guard_when_asked():
    script = ("import utils\nassert utils.setup(seed=3) is None\ninfo = utils.notebook_setup.last_setup\n"
              "assert info['offline_guard'] and info['mode'] == 'fast' and info['seed'] == 3\n")
    env = {**os.environ, "COURSE_OFFLINE_GUARD": "true", "COURSE_FAST": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.count("\n") == 0 and "fast mode" in line and "offline guard on" in line


def test_notebook_kernel_is_guarded(tmp_path):
    """What nbval runs: a kernel whose setup cell saw COURSE_OFFLINE_GUARD=1 cannot go online."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import utils\nutils.setup()"),
        nbformat.v4.new_code_cell("import urllib.request\nurllib.request.urlopen('http://example.com', timeout=2)"),
    ])
    env_before = os.environ.get("COURSE_OFFLINE_GUARD")
    os.environ["COURSE_OFFLINE_GUARD"] = "1"
    try:
        with pytest.raises(CellExecutionError, match="NetworkAccessBlocked"):
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("COURSE_OFFLINE_GUARD")
        else:
            os.environ["COURSE_OFFLINE_GUARD"] = env_before
    assert "offline guard on" in nb.cells[0].outputs[0]["text"]
