#!/usr/bin/env bash
# Run ADL's LRS conformance suite (github.com/adlnet/lrs-conformance-test-suite) against Zhijiao's LRS, for xAPI
# 1.0.3 and 2.0.0, and print the runner's summary of each.
#
#   scripts/xapi_conformance.sh [SUITE_DIR]
#
# SUITE_DIR (or $XAPI_SUITE_DIR; default /tmp/xapi-suite) is reused when it holds the suite with node_modules;
# otherwise the suite is cloned there and `npm install`ed (needs git, Node 20 and the npm registry). The suite is
# never part of this repository. A server runs on a fresh temporary ZHIJIAO_HOME at 127.0.0.1:$XAPI_PORT
# (default 8751) and is stopped at the end; each version gets its own app and credentials. With DATABASE_URL set
# the server uses that (empty) database instead of SQLite, e.g. DATABASE_URL=postgres://postgres@127.0.0.1/zh_xapi.
# Exit status: 0 when every test of both versions passed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUITE="${1:-${XAPI_SUITE_DIR:-/tmp/xapi-suite}}"
PORT="${XAPI_PORT:-8751}"
ZHIJIAO="$ROOT/.venv/bin/zhijiao"
[ -x "$ZHIJIAO" ] || ZHIJIAO="uv run --project $ROOT zhijiao"

if [ ! -f "$SUITE/bin/console_runner.js" ]; then
    git clone --depth 1 https://github.com/adlnet/lrs-conformance-test-suite.git "$SUITE"
fi
if [ ! -d "$SUITE/node_modules" ]; then
    (cd "$SUITE" && npm install --no-audit --no-fund >/dev/null)
fi

HOME_DIR="$(mktemp -d /tmp/zh-xapi-conformance.XXXXXX)"
export ZHIJIAO_HOME="$HOME_DIR"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$HOME_DIR"
}
trap cleanup EXIT

echo "migrating a fresh database in $HOME_DIR …" >&2
$ZHIJIAO migrate >/dev/null
$ZHIJIAO serve --port "$PORT" >"$HOME_DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/xapi/about" >/dev/null && break
    sleep 0.5
done

status=0
for version in 1.0.3 2.0.0; do
    creds="$($ZHIJIAO xapi credentials --app "conformance-$version" --xapi-version "$version" \
        --base-url "http://127.0.0.1:$PORT" --json)"
    key="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$creds")"
    secret="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret"])' "$creds")"
    log="$HOME_DIR/runner-$version.log"
    started=$(date +%s)
    (cd "$SUITE" && node bin/console_runner.js -e "http://127.0.0.1:$PORT/xapi" -a -u "$key" -p "$secret" \
        -x "$version" -z >"$log" 2>&1) || true
    summary="$(grep '"total"' "$log" | tail -1)"
    echo "xAPI $version: $summary ($(( $(date +%s) - started )) s)"
    python3 - "$summary" <<'PY' || status=1
import json, sys
s = json.loads(sys.argv[1] or "{}")
sys.exit(0 if s.get("total") and s.get("passed") == s["total"] and not s.get("failed") else 1)
PY
    if ! grep -q '"failed":0' <<<"$summary"; then
        # the runner's JSON log (kept in the suite's logs/): the failing tests and their errors
        report="$(sed -n 's/^Full run log written to //p' "$log" | tail -1)"
        [ -n "$report" ] && python3 - "$report" <<'PY' || true
import json, sys
def walk(node, path):
    for child in node.get("tests") or []:
        walk(child, path + [node.get("title", "")])
    if node.get("status") == "failed" and not node.get("tests"):
        print("  FAIL:", " > ".join(p for p in path[-2:] + [node.get("title", "")] if p)[-300:])
        print("       ", str(node.get("error"))[:300])
walk(json.load(open(sys.argv[1])).get("log") or {}, [])
PY
    fi
done
exit $status
