"""Serving: waitress for the web app, plus a Huey worker process for background jobs.

The worker is the server's child and never outlives it. It runs in a process group of its own (so a Ctrl-C
in the terminal reaches only the server, which then stops the worker once, in order), and the server stops
it — gracefully first, then by force — and reaps it whenever the server stops: Ctrl-C, SIGTERM, SIGHUP or a
normal exit. On Linux the kernel also sends the worker SIGTERM should the server die without a chance to
clean up (SIGKILL, a crash).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from django.core.servers.basehttp import get_internal_wsgi_application
from waitress import serve

# Signals that stop the server (SIGINT already raises KeyboardInterrupt); each ends it like Ctrl-C does.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
# How long the worker gets at each step: SIGINT (finish the task at hand), then SIGTERM, then SIGKILL.
WORKER_GRACE_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


def _worker_preexec(parent: int) -> Callable[[], None] | None:
    """On Linux, ask the kernel to SIGTERM the worker when the server process dies (and exit at once when the
    server is already gone); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # the server died before prctl took effect
            os._exit(0)

    return preexec


def worker_start() -> subprocess.Popen:
    """A ``zhijiao worker`` child in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "zhijiao.cli", "worker", "--workers", "2"],
        start_new_session=True,
        preexec_fn=_worker_preexec(os.getpid()),  # before any server thread starts: safe to fork-exec so
    )


def worker_stop(child: subprocess.Popen, *, grace: float = WORKER_GRACE_SECONDS) -> None:
    """Stop the worker's whole process group and reap it: SIGINT lets Huey finish the task at hand, SIGTERM
    stops it at once, SIGKILL if even that is ignored. Safe to call twice."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if child.poll() is not None:
            return
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            child.poll()
            return
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _stop_server(signum: int, _frame) -> None:
    # waitress ends its loop on SystemExit (as on KeyboardInterrupt) and returns: the finally below runs
    raise SystemExit(128 + signum)


def run_server(*, host: str, port: int, worker: bool = True, threads: int = 8, stdout=sys.stdout) -> None:
    """Serve until interrupted. With ``worker`` a ``zhijiao worker`` child process runs alongside and is stopped
    with the server."""
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, _stop_server) for sig in STOP_SIGNALS}
    child = None
    try:
        if worker:
            child = worker_start()
            atexit.register(worker_stop, child)
        stdout.write(f"智教已启动：http://{host}:{port}/  （Ctrl+C 停止）\n")
        serve(get_internal_wsgi_application(), host=host, port=port, threads=threads, ident="zhijiao")
    finally:
        for sig in handlers:  # a second SIGTERM while stopping must not leave the worker half-stopped
            signal.signal(sig, signal.SIG_IGN)
        if child is not None:
            stdout.write("正在停止后台任务进程……\n")
            stdout.flush()
            worker_stop(child)
        for sig, previous in handlers.items():
            signal.signal(sig, previous)
