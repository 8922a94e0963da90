"""Serving: waitress for the web app, plus a Huey worker process for background jobs.

With ``workers`` > 1 (Linux) the server is a pre-fork of waitress: the parent loads the app once, binds the port and
forks that many web processes, each running waitress on the shared listening socket (the kernel hands each
connection to one of them), so the app uses every core instead of one interpreter's lock. The parent only
supervises: it restarts a web process that dies, and on Ctrl-C / SIGTERM / SIGHUP stops them all (and the worker).

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
import socket
import subprocess
import sys
import threading
import time
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


def prefork_supported() -> bool:
    """Several web processes need fork (Linux; elsewhere ``zhijiao serve`` runs one process)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run_server(
    *, host: str, port: int, worker: bool = True, threads: int = 8, workers: int = 1, stdout=sys.stdout
) -> None:
    """Serve until interrupted. With ``worker`` a ``zhijiao worker`` child process runs alongside and is stopped
    with the server. ``workers``: web processes (more than one: pre-fork, Linux only; one elsewhere)."""
    if workers > 1 and not prefork_supported():
        stdout.write("此系统不支持多进程模式，以单进程运行。\n")
        workers = 1
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, _stop_server) for sig in STOP_SIGNALS}
    child = None
    try:
        if worker:
            child = worker_start()
            atexit.register(worker_stop, child)
        if workers > 1:
            stdout.write(f"智教已启动：http://{host}:{port}/  （{workers} 个进程，Ctrl+C 停止）\n")
            stdout.flush()
            _serve_prefork(host=host, port=port, threads=threads, workers=workers)
        else:
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


# ---------------------------------------------------------------------------------------------- pre-fork
# A web process that dies is started again, at most this often (a crash loop must not spin).
RESPAWN_MIN_SECONDS = 1.0
# How long web processes get to finish their requests after SIGTERM before SIGKILL.
WEB_GRACE_SECONDS = 10.0


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _web_process(app: Callable, sock: socket.socket, threads: int, parent: int) -> None:
    """In a forked child: serve on the shared socket until SIGTERM (or the parent's death), then exit."""
    code = 0
    try:
        for sig in (signal.SIGINT, signal.SIGHUP):  # Ctrl-C reaches the whole group: the parent decides
            signal.signal(sig, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _stop_server)
        preexec = _worker_preexec(parent)
        if preexec is not None:
            preexec()  # SIGTERM when the parent dies
        serve(app, sockets=[sock], threads=threads, ident="zhijiao")
    except SystemExit:
        pass
    except BaseException:  # a child must never return into the parent's code
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve_prefork(*, host: str, port: int, threads: int, workers: int) -> None:
    """The parent of ``workers`` web processes on one listening socket; returns when stopped (SystemExit from the
    stop signals, KeyboardInterrupt), having stopped and reaped them."""
    from django.db import connections

    app = get_internal_wsgi_application()  # loaded once, shared with the children copy-on-write
    sock = _listen(host, port)
    connections.close_all()  # no database connection may cross a fork
    children: dict[int, float] = {}  # pid → started at

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            _web_process(app, sock, threads, parent)
        children[pid] = time.monotonic()

    parent = os.getpid()
    try:
        for _ in range(workers):
            spawn()
        while True:
            # poll our own children only: the job worker is subprocess's to reap (worker_stop)
            time.sleep(0.2)
            for pid, started in list(children.items()):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if not done:
                    continue
                children.pop(pid)
                wait = RESPAWN_MIN_SECONDS - (time.monotonic() - started)
                if wait > 0:
                    time.sleep(wait)
                spawn()
    finally:
        _stop_web_processes(children)
        sock.close()


def _stop_web_processes(children: dict[int, float]) -> None:
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            children.pop(pid, None)
    deadline = time.monotonic() + WEB_GRACE_SECONDS
    while children and time.monotonic() < deadline:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                children.pop(pid, None)
        time.sleep(0.05)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        children.pop(pid, None)
