"""What the screenshot scripts in this folder share: the demo accounts, a demo server on a port, signing in
(password, then a TOTP code for administrators), headless Chromium (Debian's /usr/bin/chromium) and taking a shot.

The scripts put this folder on ``sys.path`` and import from here (``from shots_common import ...``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, seconds: float | None = None) -> None:
    """Wait for the server's /healthz: 100 quick tries, or for ``seconds`` (room for a slow start on a busy machine)."""
    quick = seconds is None
    deadline = time.monotonic() + (seconds or 0)
    tries = 0
    while (tries < 100) if quick else (time.monotonic() < deadline):
        tries += 1
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1 if quick else 5) as r:  # noqa: S310  (loopback)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2 if quick else 0.5)
    raise SystemExit("server did not start")


def totp_now(secret: str, at: float | None = None) -> str:
    """The 6-digit TOTP code (RFC 6238: SHA-1, 30 s) for a base32 secret, as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


_last_step: dict[str, int] = {}


def fresh_totp(secret: str) -> str:
    """A code not used before in this run: the server refuses a code twice, so wait for the next 30 s if needed."""
    while _last_step.get(secret) == int(time.time() // 30):
        time.sleep(0.5)
    _last_step[secret] = int(time.time() // 30)
    return totp_now(secret)


def demo_totp_secret(username: str) -> str | None:
    """The demo administrator's ``totp_secret`` from ``$ZHIJIAO_HOME/demo-accounts.json`` (None for others)."""
    path = Path(os.environ.get("ZHIJIAO_HOME", "./var")) / "demo-accounts.json"
    if not path.exists():
        return None
    accounts = json.loads(path.read_text(encoding="utf-8"))
    return next((a.get("totp_secret") for a in accounts if a["username"] == username), None)


def submit_password(page: Page, base: str, username: str, password: str) -> None:
    """The first step of signing in, from a fresh session: an administrator is then asked for a TOTP code."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def login(page: Page, base: str, username: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in through the form; administrators also pass the second step with a code from their TOTP secret
    (given, or read from demo-accounts.json)."""
    submit_password(page, base, username, password)
    if page.locator("input[name=otp_token]").count():
        secret = totp_secret or demo_totp_secret(username)
        if not secret:
            raise SystemExit(f"{username} needs a TOTP code and no totp_secret is known")
        page.fill("input[name=otp_token]", fresh_totp(secret))
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")


def demo_home() -> Path:
    return Path(os.environ.get("ZHIJIAO_HOME", "./var"))


def demo_accounts() -> dict[str, dict]:
    """``$ZHIJIAO_HOME/demo-accounts.json`` by username (password, role, totp_secret for administrators)."""
    accounts = json.loads((demo_home() / "demo-accounts.json").read_text(encoding="utf-8"))
    return {a["username"]: a for a in accounts}


def out_dir(path: str | Path) -> Path:
    """The folder the shots go to, created if missing."""
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@contextmanager
def demo_server(
    port: int = 0,
    *serve_args: str,
    tries: int = 1,
    seconds: float | None = None,
    base: str = "",
    **popen: Any,
) -> Iterator[str]:
    """Serve the demo in ``$ZHIJIAO_HOME`` on ``port`` (a free one if 0; ``serve_args`` such as ``--with-worker``
    added) and yield its base URL; stop it after. ``tries``: how many waits for it to come up (a busy machine can
    be slow); ``base``: use a server already running there instead of starting one."""
    if base:
        wait_until_up(base.rstrip("/"), seconds)
        yield base.rstrip("/")
        return
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port), *serve_args], **popen)  # noqa: S603
    try:
        for attempt in range(tries):
            try:
                wait_until_up(url, seconds)
                break
            except SystemExit:
                if attempt == tries - 1:
                    raise
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def chromium(*extra_args: str, **launch: Any) -> Iterator[Browser]:
    """Headless Chromium (Debian's, no browser download; ``extra_args`` after CHROMIUM_ARGS, ``launch``: more
    launch options such as ``env``), closed after."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], **launch)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, width: int = 1440, height: int = 900, **options: Any) -> Page:
    """A Chinese-locale page (desktop size unless told)."""
    return browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN", **options)


def phone_page(browser: Browser, **options: Any) -> Page:
    """A phone-sized page (390 x 844, scale 2)."""
    return new_page(browser, 390, 844, device_scale_factor=2, **options)


def shot(page: Page, path: str | Path, *, url: str = "", full: bool = True) -> None:
    """Go to ``url`` (if given), let htmx settle, and save the page (all of it unless ``full`` is False)."""
    if url:
        page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=full)
