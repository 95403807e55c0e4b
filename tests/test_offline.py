"""The offline guard: the test command must fail on any attempt to reach the internet."""

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
    offline.install_guard()
    try:
        assert offline.guard_installed()
        with pytest.raises(offline.NetworkAccessBlocked, match="runs offline"):
            socket.getaddrinfo("pypi.org", 443)
    finally:
        offline.remove_guard()
    assert not offline.guard_installed()


def test_setup_installs_guard_when_asked(monkeypatch, capsys):
    import utils

    monkeypatch.setenv("COURSE_OFFLINE_GUARD", "1")
    try:
        assert utils.setup(seed=3) is None
        info = utils.notebook_setup.last_setup
        assert info["offline_guard"] and info["mode"] == "fast" and info["seed"] == 3
        line = capsys.readouterr().out.strip()
        assert line.count("\n") == 0 and "fast mode" in line and "offline guard on" in line
    finally:
        offline.remove_guard()


def test_notebook_kernel_is_guarded(tmp_path):
    """What nbval runs: a kernel whose setup cell saw COURSE_OFFLINE_GUARD=1 cannot go online."""
    import os

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
