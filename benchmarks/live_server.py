"""Helpers for benchmarks that drive a real ``zhijiao serve`` over HTTP (oidc_tokens, resources_upload)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zhijiao(*args: str, env: dict[str, str]) -> str:
    """Run a ``zhijiao`` command in a child process; its stdout, or exit with its output on failure."""
    result = subprocess.run([sys.executable, "-m", "zhijiao.cli", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"zhijiao {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(base: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def serve_start(
    env: dict[str, str], *, threads: int, quiet_errors: bool = False, workers: int = 1
) -> tuple[subprocess.Popen, str]:
    """``zhijiao serve`` on a free port in a child process; the process and its base URL (not yet waited for).
    ``workers`` > 1: that many web processes (``zhijiao serve --workers``), children of the returned one."""
    port = free_port()
    command = [sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port), "--threads", str(threads)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet_errors else None,
    )
    return server, f"http://127.0.0.1:{port}"


def psql(url: str, sql: str, *, database: str | None = None) -> str:
    """Run ``sql`` with ``psql`` against the PostgreSQL database of ``url`` (or ``database`` on its server); the
    unaligned output."""
    parts = urlsplit(url)
    name = database if database is not None else parts.path.lstrip("/")
    host, user, port = parts.hostname or "127.0.0.1", parts.username or "postgres", str(parts.port or 5432)
    out = subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", user, "-d", name, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def database_reset(url: str) -> None:
    """Drop and create the (benchmark's own) PostgreSQL database of ``url``."""
    name = urlsplit(url).path.lstrip("/")
    psql(url, f'DROP DATABASE IF EXISTS "{name}"', database="postgres")
    psql(url, f'CREATE DATABASE "{name}"', database="postgres")
