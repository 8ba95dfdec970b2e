"""`lca-engine dashboard` stopped by SIGTERM (a service manager, `kill`, a container stop) or SIGINT leaves no
Streamlit process and a free port (issue 17: SIGTERM left Streamlit serving). Real processes, real signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_dashboard_frees_the_port_and_leaves_no_process(tmp_path, signum):
    port = _free_port()
    cli = subprocess.Popen(
        [sys.executable, "-m", "lca_engine.cli", "dashboard", "--port", str(port), "--address", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, "LCA_ENGINE_DATA_DIR": str(tmp_path / "data")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not _serving(port):
            assert cli.poll() is None, cli.stdout.read().decode()
            assert time.monotonic() < deadline, "the dashboard did not start serving within 120 s"
            time.sleep(0.3)
        children = _children(cli.pid)
        assert children, "Streamlit runs as a child process"
        cli.send_signal(signum)
        code = cli.wait(timeout=60)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert code == 128 + signum
    assert not _serving(port)
    with socket.socket() as s:  # the port can be bound again
        s.bind(("127.0.0.1", port))
    assert [pid for pid in children if _alive(pid)] == []
