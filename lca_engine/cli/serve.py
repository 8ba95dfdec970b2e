"""`lca-engine dashboard`: start the Streamlit app of the source tree."""

from __future__ import annotations

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
    import os
    import subprocess

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
    raise typer.Exit(subprocess.call(cmd, cwd=app_py.parent, env=env))
