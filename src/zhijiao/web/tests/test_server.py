"""``zhijiao serve --with-worker`` stops its worker when it stops: no background-job process is left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,  # starts real server and worker processes and waits for them to stop
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie already reaped by nobody counts as gone only once reaped: it shows as state Z)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serve_with_worker_stops_and_reaps_the_worker(tmp_path, stop):
    env = {**os.environ, "ZHIJIAO_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "zhijiao.cli", "serve", "--with-worker", "--port", str(_free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = None
    try:
        assert _wait_for(lambda: bool(_children(server.pid)), 30), "no worker started"
        (worker,) = _children(server.pid)
        time.sleep(3)  # let the worker get going (Django set up, consumer running)
        assert _alive(worker)
        server.send_signal(stop)
        server.wait(timeout=30)
        assert _wait_for(lambda: not _alive(worker), 5), "the worker outlived the server"
        output = server.stdout.read() if server.stdout else ""
        assert "正在停止后台任务进程" in output
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if worker is not None and _alive(worker):  # the old behaviour: an orphan, no longer the server's child
            os.kill(worker, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="several web processes need fork (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serve_with_web_workers_serves_from_each_and_stops_them_all(tmp_path, stop):
    """``zhijiao serve --workers 2``: two web processes on one port; one that dies is replaced; stopping the server
    stops and reaps them all."""
    import requests

    env = {**os.environ, "ZHIJIAO_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "zhijiao.cli", "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "zhijiao.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    web: list[int] = []

    def up() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert _wait_for(lambda: len(_children(server.pid)) == 2, 60), "no two web processes"
        assert _wait_for(up, 60), "not serving"
        web = _children(server.pid)
        os.kill(web[0], signal.SIGKILL)  # a crashed web process is started again
        assert _wait_for(lambda: len(_children(server.pid)) == 2 and web[0] not in _children(server.pid), 10)
        assert up()
        web = _children(server.pid)
        server.send_signal(stop)
        server.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(pid) for pid in web), 5), "a web process outlived the server"
        assert "2 个进程" in (server.stdout.read() if server.stdout else "")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in web:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
