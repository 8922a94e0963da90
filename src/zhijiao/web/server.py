"""Serving: waitress for the web app, plus a Huey worker process for background jobs."""

from __future__ import annotations

import atexit
import subprocess
import sys

from waitress import serve

from zhijiao.config.wsgi import application


def run_server(*, host: str, port: int, worker: bool = True, threads: int = 8, stdout=sys.stdout) -> None:
    """Serve until interrupted. With ``worker`` a ``zhijiao worker`` child process runs alongside."""
    child = None
    if worker:
        child = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "worker", "--workers", "2"])
        atexit.register(child.terminate)
    stdout.write(f"智教已启动：http://{host}:{port}/  （Ctrl+C 停止）\n")
    try:
        serve(application, host=host, port=port, threads=threads, ident="zhijiao")
    finally:
        if child is not None:
            child.terminate()
