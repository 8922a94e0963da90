"""Resumable chunked upload of a large video over HTTP: wall time, MB/s, server and client peak memory.

    uv run python benchmarks/resources_upload.py [--gib 2] [--threads 4] [--keep]

A fresh ``$ZHIJIAO_HOME`` with the small demo region and the real server (``zhijiao serve``: waitress, SQLite) on
a free loopback port. The demo teacher signs in through the login form (session + CSRF, as the browser does),
then uploads a generated file of ``--gib`` GiB through ``/api/v1/resources/uploads`` in the server's chunk size:

1. the file is never in memory: each chunk is made when it is sent (a random 1 MiB block, every MiB stamped
   with its position so no two chunks are alike); the benchmark hashes the same bytes once more at the end;
2. at ~50 % the connection is cut in the middle of a chunk (headers and part of the body, then the socket is
   closed), the HTTP session is thrown away and a new one signs in again, as after a crash or a reload;
3. the new client asks ``POST`` with the same fingerprint, gets the server's offset and sends the rest;
4. the last chunk makes the server hash the file into the checksum store; the benchmark checks the SHA-256 the
   server reports against its own, and re-hashes the stored blob on disk.

Server peak memory is ``VmHWM`` of the ``zhijiao serve`` process (peak resident set since it started); the
client's is its own ``ru_maxrss``. Both run on the same machine and share its cores and disk.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import requests
from live_server import CSRF_INPUT, serve_start, wait_until_up, zhijiao

MIB = 1024 * 1024


def vm_hwm_mib(pid: int) -> float:
    """Peak resident memory of a process so far (Linux ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def vm_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def signed_in(base: str, username: str, password: str) -> tuple[requests.Session, str]:
    """A browser-like session after the login form; returns it with the CSRF token for the API's header."""
    http = requests.Session()
    page = http.get(f"{base}/accounts/login/", timeout=60)
    match = CSRF_INPUT.search(page.text)
    if not match:
        raise SystemExit(f"login page: HTTP {page.status_code}")
    form = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": "/"}
    done = http.post(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}, allow_redirects=False
    )
    if done.status_code != 302:
        raise SystemExit(f"login refused: HTTP {done.status_code}")
    upload_page = http.get(f"{base}/resources/upload/", timeout=60)
    token = CSRF_INPUT.search(upload_page.text)
    if upload_page.status_code != 200 or not token:
        raise SystemExit(f"upload page: HTTP {upload_page.status_code}")
    return http, token.group(1)


class Generated:
    """A file of ``size`` bytes made on demand: a random 1 MiB block, each MiB stamped with its index."""

    def __init__(self, size: int, seed: int = 20261129) -> None:
        self.size = size
        self.block = hashlib.shake_256(str(seed).encode()).digest(MIB)

    def read(self, offset: int, length: int) -> bytes:
        out = bytearray()
        while length > 0:
            index, within = divmod(offset, MIB)
            piece = index.to_bytes(8, "big") + self.block[8:]
            take = min(length, MIB - within, self.size - offset)
            out += piece[within : within + take]
            offset += take
            length -= take
        return bytes(out)

    def chunks(self, start: int, chunk: int) -> Iterator[tuple[int, bytes]]:
        offset = start
        while offset < self.size:
            data = self.read(offset, min(chunk, self.size - offset))
            yield offset, data
            offset += len(data)


def cut_mid_chunk(base: str, http: requests.Session, csrf: str, upload_id: str, offset: int, data: bytes) -> None:
    """Send a chunk's headers and a third of its body over a raw socket, then close it: a dropped connection."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    head = (
        f"PATCH /api/v1/resources/uploads/{upload_id} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n"
        f"Upload-Offset: {offset}\r\nX-CSRFToken: {csrf}\r\nCookie: {cookies}\r\n\r\n"
    )
    with socket.create_connection((host, port)) as s:
        s.sendall(head.encode() + data[: len(data) // 3])
    time.sleep(0.5)  # waitress drops the half request when it sees the close


def send_from(
    base: str,
    http: requests.Session,
    csrf: str,
    upload_id: str,
    source: Generated,
    start: int,
    chunk: int,
    stop: int,
    times: list[float],
) -> tuple[int, dict]:
    """PATCH chunks from ``start`` until ``stop`` bytes are in; returns the server's offset and last answer, and
    appends each request's seconds to ``times``."""
    received, body = start, {}
    for offset, data in source.chunks(start, chunk):
        if offset >= stop:
            break
        began = time.perf_counter()
        r = http.patch(
            f"{base}/api/v1/resources/uploads/{upload_id}",
            data=data,
            headers={
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset),
                "X-CSRFToken": csrf,
            },
            timeout=600,
        )
        if r.status_code != 200:
            raise SystemExit(f"chunk at {offset}: HTTP {r.status_code} {r.text[:200]}")
        times.append(time.perf_counter() - began)
        body = r.json()
        received = body["received"]
    return received, body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=2.0, help="file size in GiB")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads (zhijiao serve --threads)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ZHIJIAO_HOME")
    args = parser.parse_args()
    size = int(args.gib * 1024 * MIB)

    home = tempfile.mkdtemp(prefix="zhijiao-upload-bench-")
    env = {**os.environ, "ZHIJIAO_HOME": home, "ZHIJIAO_LOG_LEVEL": "ERROR", "ZHIJIAO_RESOURCE_UPLOAD_MAX_MB": "8192"}
    env.pop("DATABASE_URL", None)
    env.pop("ZHIJIAO_DEMO_PASSWORD", None)
    env.pop("ZHIJIAO_MEDIA_DIR", None)
    started = time.perf_counter()
    zhijiao("demo", "--setup-only", "--scale", "small", env=env)
    print(f"demo region (small) ready in {time.perf_counter() - started:.1f} s")
    accounts = json.loads(Path(home, "demo-accounts.json").read_text(encoding="utf-8"))
    teacher = next(a for a in accounts if a["role"] == "teacher")

    server, base = serve_start(env, threads=args.threads)
    try:
        wait_until_up(base)
        http, csrf = signed_in(base, teacher["username"], teacher["password"])
        print(f"cpus={os.cpu_count()} waitress_threads={args.threads} database=sqlite file={size / MIB:.0f} MiB")
        print(f"server before upload: RSS {vm_rss_mib(server.pid):.0f} MiB, peak {vm_hwm_mib(server.pid):.0f} MiB")

        source = Generated(size)
        fingerprint = f"课堂实录-圆的认识.mp4|{size}|1764400000000"
        meta = {"name": "课堂实录-圆的认识.mp4", "size": size, "content_type": "video/mp4", "fingerprint": fingerprint}
        t0 = time.perf_counter()
        opened = http.post(f"{base}/api/v1/resources/uploads", json=meta, headers={"X-CSRFToken": csrf})
        if opened.status_code != 201:
            raise SystemExit(f"open: HTTP {opened.status_code} {opened.text[:200]}")
        upload_id, chunk = opened.json()["id"], opened.json()["chunk_size"]
        half = (size // 2) // chunk * chunk
        times: list[float] = []
        received, _ = send_from(base, http, csrf, upload_id, source, 0, chunk, half, times)
        first_leg = time.perf_counter() - t0

        # the connection drops in the middle of the next chunk; the client "restarts" with a fresh session
        cut_mid_chunk(base, http, csrf, upload_id, received, source.read(received, chunk))
        http.close()
        t_resume = time.perf_counter()
        http, csrf = signed_in(base, teacher["username"], teacher["password"])
        resumed = http.post(f"{base}/api/v1/resources/uploads", json=meta, headers={"X-CSRFToken": csrf})
        body = resumed.json()
        if resumed.status_code != 200 or body["id"] != upload_id or body["received"] != received:
            raise SystemExit(f"resume: HTTP {resumed.status_code} {body}")
        relogin = time.perf_counter() - t_resume
        print(f"interrupted at {received / MIB:.0f} MiB ({received / size:.0%}); resumed from the server's offset")

        t_rest = time.perf_counter()
        received, last = send_from(base, http, csrf, upload_id, source, received, chunk, size, times)
        second_leg = time.perf_counter() - t_rest
        wall = first_leg + relogin + second_leg
        if not last.get("done"):
            raise SystemExit(f"not complete: {last}")

        client_sha = hashlib.sha256()
        for _, data in source.chunks(0, chunk):
            client_sha.update(data)
        digest = client_sha.hexdigest()
        blob = Path(home, "media", "resources", digest[:2], digest)
        on_disk = hashlib.sha256()
        with open(blob, "rb") as f:
            while block := f.read(MIB):
                on_disk.update(block)
        ok = last["file_sha256"] == digest == on_disk.hexdigest() and blob.stat().st_size == size
        mb = size / 1e6
        print(
            f"upload: {size / MIB:.0f} MiB in {wall:.1f} s = {mb / wall:.0f} MB/s "
            f"({size / MIB / wall:.0f} MiB/s); first half {first_leg:.1f} s, sign-in + resume {relogin:.2f} s, "
            f"second half incl. final hash {second_leg:.1f} s; {len(times)} chunks of {chunk // MIB} MiB"
        )
        ordered = sorted(times[:-1])
        print(
            f"chunk request: p50 {ordered[len(ordered) // 2] * 1000:.0f} ms, p95 "
            f"{ordered[int(len(ordered) * 0.95)] * 1000:.0f} ms; the last one (hashes the whole file into the "
            f"store) {times[-1]:.1f} s"
        )
        print(
            f"server peak RSS (VmHWM) {vm_hwm_mib(server.pid):.0f} MiB (now {vm_rss_mib(server.pid):.0f} MiB); "
            f"client peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
        print(
            f"sha256 {digest}: server {'=' if last['file_sha256'] == digest else '≠'}, blob on disk "
            f"{'=' if on_disk.hexdigest() == digest else '≠'} → {'OK' if ok else 'MISMATCH'}"
        )
        if not ok:
            raise SystemExit(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
