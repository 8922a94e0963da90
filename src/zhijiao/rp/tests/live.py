"""Zhijiao on pytest-django's live server plus the sample app on its own loopback port, for end-to-end tests.

Shared by ``test_sso_flow.py`` (requests) and ``tests/browser/test_sso_browser.py`` (Chromium).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from huey.contrib.djhuey import HUEY

from zhijiao.org.services import division_sync
from zhijiao.rp.app import SampleApp
from zhijiao.rp.registration import RpClient, demo_rp_register
from zhijiao.rp.server import sample_app_build
from zhijiao.testing import PASSWORD, Region, build_test_region


@dataclass
class Live:
    zhijiao: str  # Zhijiao's base URL (live server, host "localhost")
    rp: str  # the sample app's base URL (127.0.0.1: another host, so the two keep separate cookies)
    app: SampleApp
    client: RpClient
    region: Region
    password: str = PASSWORD


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_sso(*, live_server_url: str, tmp_path: Path, trusted: bool = False) -> Iterator[Live]:
    """Build the test region, register the sample app (consent screen unless ``trusted``) and serve it.

    Back-channel logout tokens are delivered inline (Huey immediate), as a worker would a moment later.
    """
    division_sync()  # a transactional test database starts flushed
    region = build_test_region()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client = demo_rp_register(base_url=base, trusted=trusted, path=tmp_path / "demo-rp.json")
    app = sample_app_build(client=client, issuer=live_server_url)
    # wsgiref's threading server (not waitress, which `zhijiao demo-rp` uses) stops cleanly from another thread.
    server = make_server("127.0.0.1", port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    immediate = HUEY.immediate
    HUEY.immediate = True
    try:
        yield Live(zhijiao=live_server_url, rp=base, app=app, client=client, region=region)
    finally:
        HUEY.immediate = immediate
        # Close the app's keep-alive connections to the live server while the test database still exists.
        app.provider.http.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Forms(HTMLParser):
    """The page's forms: action, and the named fields with their values (buttons listed apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "buttons": {}})
        elif self.forms and tag in ("input", "button") and a.get("name"):
            is_button = tag == "button" or a.get("type") == "submit"
            self.forms[-1]["buttons" if is_button else "fields"][a["name"]] = a.get("value", "")


def page_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
