"""`lca-engine dashboard`: start the Streamlit app of the source tree."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import typer

from .common import DataDirOpt, app, err, out, styled


def dashboard_app() -> Path:
    """``dashboard/app.py`` of the source tree (the dashboard is not in the wheel)."""
    return Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@app.command("dashboard")
def dashboard(
    port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port to serve the dashboard on."),
    address: str = typer.Option("localhost", "--address", help="Address to listen on (localhost = this machine)."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Start the Streamlit dashboard (portfolio map, factory pages, circularity, claims, scenarios, uploads)."""
    app_py = dashboard_app()
    if not app_py.is_file():
        err.print(styled("error", "bold red", f": the dashboard is not installed here (looked for {app_py})."))
        err.print(
            "    fix: the dashboard ships in the source tree, not in the wheel: clone the repository and install it "
            "with `pip install -e .` from the clone, then run `lca-engine dashboard` there."
        )
        raise typer.Exit(1)
    try:
        import streamlit  # noqa: F401
    except ImportError:
        err.print(styled("error", "bold red", ": Streamlit is not installed.\n    fix: pip install streamlit"))
        raise typer.Exit(1) from None
    env = dict(os.environ)
    if data_dir:
        env["LCA_ENGINE_DATA_DIR"] = str(data_dir.expanduser().resolve())
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_py),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.maxUploadSize",
        "2",
        "--browser.gatherUsageStats",
        "false",
    ]
    out.print(f"dashboard: http://{address}:{port}  (Ctrl+C to stop)")
    # run in the dashboard folder so that Streamlit reads dashboard/.streamlit/config.toml
    raise typer.Exit(run_supervised(cmd, cwd=app_py.parent, env=env))


#: Seconds a stopped child gets to exit before its process group is killed.
GRACE = 10.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # the group has exited already


def run_supervised(cmd: list[str], *, cwd: Path, env: dict[str, str], grace: float = GRACE) -> int:
    """Run ``cmd`` in a process group of its own; SIGTERM or SIGINT (Ctrl+C) to this process is passed on to the
    whole group, which gets ``grace`` seconds before it is killed, so that stopping ``lca-engine dashboard`` never
    leaves Streamlit serving the port. Returns the child's exit code, or 128 + the signal that stopped it."""
    import subprocess
    import time

    child = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True)
    stopped: list[tuple[int, float]] = []

    def forward(signum, _frame) -> None:
        stopped.append((signum, time.monotonic()))
        _signal_group(child.pid, signum)

    previous = {s: signal.signal(s, forward) for s in _STOP_SIGNALS}
    try:
        while True:
            try:
                code = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stopped and time.monotonic() - stopped[0][1] > grace:
                    _signal_group(child.pid, signal.SIGKILL)
    finally:
        _signal_group(child.pid, signal.SIGKILL)  # whatever the child started and left behind
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + stopped[0][0] if stopped else code
