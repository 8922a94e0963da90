"""Single sign-on under load: token-endpoint refresh grants per second and password-login p95, 50 clients.

    uv run python benchmarks/oidc_tokens.py [--clients 50] [--seconds 20] [--logins 200] [--threads 8]

A fresh ``$ZHIJIAO_HOME`` with the small demo region, a trusted confidential client registered through
``zhijiao oidc-client create``, and the real server (``zhijiao serve``: waitress, SQLite, the production argon2
hasher) on a free loopback port. Then:

1. each client signs in (login form with CSRF), runs the authorization-code flow with PKCE and keeps its own
   refresh token;
2. for ``--seconds``, the clients refresh at once, each rotating its own token (every refresh token works once);
3. ``--logins`` browser logins (GET the form for the CSRF token, POST the password) by the same number of
   concurrent clients; the POST's latency is what the p95 reports.

The load generator runs on the same machine as the server, so both share its cores; the per-core figures divide
by all of them. Keycloak's published sizing (its "Concepts for sizing CPU and memory resources" guide) is about
120 refresh-token requests and 15 password logins per second per vCPU.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from live_server import CSRF_INPUT, serve_start, wait_until_up, zhijiao

KEYCLOAK_REFRESH_PER_VCPU = 120
KEYCLOAK_LOGINS_PER_VCPU = 15
REDIRECT_URI = "http://127.0.0.1/benchmark-callback"
# Demo accounts without the administrators' second step (TOTP); the demo pupil is under 14 and would need a
# guardian's consent before an app may sign them in.
LOGIN_ROLES = {"teacher", "head_teacher", "parent"}


def login(http: requests.Session, base: str, username: str, password: str) -> float:
    """The browser login: GET the form (CSRF cookie and token), POST the password. Returns the POST's seconds."""
    page = http.get(f"{base}/accounts/login/", timeout=60)
    match = CSRF_INPUT.search(page.text)
    if page.status_code != 200 or not match:
        raise RuntimeError(f"login page: HTTP {page.status_code}")
    form = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": "/"}
    started = time.perf_counter()
    response = http.post(
        f"{base}/accounts/login/",
        data=form,
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"login refused: HTTP {response.status_code}")
    return seconds


def code_flow_refresh_token(http: requests.Session, base: str, client: tuple[str, str]) -> str:
    """In a signed-in session: authorize (code + PKCE S256), redeem the code, return the first refresh token.
    A confidential client authenticates with its secret; a public one (secret "") with the PKCE verifier alone."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = {
        "response_type": "code",
        "client_id": client[0],
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = http.get(f"{base}/o/authorize/?{urlencode(query)}", allow_redirects=False, timeout=60)
    location = response.headers.get("Location", "")
    code = parse_qs(urlsplit(location).query).get("code", [""])[0]
    if not code:
        raise RuntimeError(f"authorize: HTTP {response.status_code} {location[:200]}")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
    token = requests.post(f"{base}/o/token/", data=form | client_form(client), auth=client_auth(client), timeout=60)
    token.raise_for_status()
    return str(token.json()["refresh_token"])


def client_auth(client: tuple[str, str]) -> tuple[str, str] | None:
    return client if client[1] else None  # client_secret_basic


def client_form(client: tuple[str, str]) -> dict[str, str]:
    return {} if client[1] else {"client_id": client[0]}  # a public client names itself


def refresh_loop(base: str, client: tuple[str, str], token: str, deadline: float, out: list[float], errors: list[str]):
    http = requests.Session()
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        form = {"grant_type": "refresh_token", "refresh_token": token} | client_form(client)
        response = http.post(f"{base}/o/token/", data=form, auth=client_auth(client), timeout=60)
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text[:120]}")
            return
        out.append(time.perf_counter() - started)
        token = response.json()["refresh_token"]  # rotation: the old one is now spent


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def register(name: str, *flags: str, env: dict[str, str]) -> tuple[str, str]:
    out = zhijiao(
        "oidc-client", "create", "--name", name, "--redirect-uri", REDIRECT_URI, "--trusted", *flags, "--json", env=env
    )
    created = json.loads(out)
    return str(created["client_id"]), str(created.get("client_secret") or "")


def refresh_phase(label: str, base: str, client: tuple[str, str], tokens: list[str], seconds: float, pid: int) -> float:
    """Every client refreshes in a loop for ``seconds``; prints the figures, returns grants per second."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    started, cpu_before = time.perf_counter(), cpu_seconds(pid)
    threads = [
        threading.Thread(target=refresh_loop, args=(base, client, token, deadline, latencies, errors))
        for token in tokens
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    rate = len(latencies) / elapsed
    print(
        f"refresh, {label}: {len(latencies)} grants in {elapsed:.1f} s = {rate:.1f} /s; "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms; "
        f"server CPU {cpu:.1f} s = {len(latencies) / cpu if cpu else 0:.0f} grants per CPU-second; "
        f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else "")
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each refresh phase")
    parser.add_argument("--logins", type=int, default=200, help="browser logins in the login phase")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (zhijiao serve --threads)")
    parser.add_argument("--scale", default="small", choices=["small", "district"])
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="zhijiao-oidc-bench-")
    env = {**os.environ, "ZHIJIAO_HOME": home, "ZHIJIAO_LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    env.pop("ZHIJIAO_DEMO_PASSWORD", None)
    started = time.perf_counter()
    zhijiao("demo", "--setup-only", "--scale", args.scale, env=env)
    print(f"demo region ({args.scale}) ready in {time.perf_counter() - started:.1f} s")
    accounts = [
        a for a in json.loads(Path(home, "demo-accounts.json").read_text(encoding="utf-8")) if a["role"] in LOGIN_ROLES
    ]
    confidential = register("基准测试（机密客户端）", env=env)
    public = register("基准测试（公开客户端）", "--public", env=env)

    server, base = serve_start(env, threads=args.threads)
    try:
        wait_until_up(base)
        cores = os.cpu_count() or 1
        print(f"cpus={cores} clients={args.clients} waitress_threads={args.threads} database=sqlite scale={args.scale}")

        # 1. each benchmark client signs in once and gets a refresh token for both apps
        def setup(i: int) -> tuple[str, str]:
            account = accounts[i % len(accounts)]
            http = requests.Session()
            login(http, base, account["username"], account["password"])
            return code_flow_refresh_token(http, base, confidential), code_flow_refresh_token(http, base, public)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            pairs = list(pool.map(setup, range(args.clients)))
        print(f"setup: {len(pairs)} clients signed in, two refresh tokens each ({time.perf_counter() - started:.1f} s)")

        # 2. refresh grants, each client rotating its own token
        pid = server.pid
        secret_rate = refresh_phase("confidential client", base, confidential, [p[0] for p in pairs], args.seconds, pid)
        public_rate = refresh_phase("public client (PKCE)", base, public, [p[1] for p in pairs], args.seconds, pid)

        # 3. browser logins (argon2 is the cost), as many at once as there are clients
        def one_login(i: int) -> float:
            account = accounts[i % len(accounts)]
            return login(requests.Session(), base, account["username"], account["password"])

        started, cpu_before = time.perf_counter(), cpu_seconds(pid)
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            login_times = list(pool.map(one_login, range(args.logins)))
        elapsed, login_cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
        login_rate = len(login_times) / elapsed
        print(
            f"login: {len(login_times)} logins in {elapsed:.1f} s = {login_rate:.1f} /s; "
            f"p50 {statistics.median(login_times) * 1000:.0f} ms, p95 {percentile(login_times, 95) * 1000:.0f} ms; "
            f"server CPU {login_cpu:.1f} s = {len(login_times) / login_cpu if login_cpu else 0:.1f} logins per CPU-s"
        )
        for label, rate, keycloak in (
            ("refresh (confidential)", secret_rate, KEYCLOAK_REFRESH_PER_VCPU),
            ("refresh (public)", public_rate, KEYCLOAK_REFRESH_PER_VCPU),
            ("password login", login_rate, KEYCLOAK_LOGINS_PER_VCPU),
        ):
            print(
                f"per core: {label} {rate / cores:.1f} /s vs Keycloak ≈ {keycloak}/vCPU ({rate / cores / keycloak:.0%})"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
