"""Time `zhijiao demo --setup-only` from an empty $ZHIJIAO_HOME and report the figures.

    uv run python benchmarks/demo_setup.py --scale district [--database-url postgres://…]

Prints wall time, peak memory of the child process and the row counts it produced.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="district", choices=["small", "district", "city"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default="", help="benchmark on PostgreSQL instead of SQLite")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="zhijiao-bench-")
    env = {**os.environ, "ZHIJIAO_HOME": home}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    command = [
        sys.executable,
        "-m",
        "zhijiao.cli",
        "demo",
        "--scale",
        args.scale,
        "--seed",
        str(args.seed),
        "--setup-only",
    ]
    if args.database_url:
        command.append("--reset")
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(result.returncode)
    summary = next((line for line in result.stdout.splitlines() if "演示区域已生成" in line), "")
    print(f"scale={args.scale} database={'postgresql' if args.database_url else 'sqlite'} cpus={os.cpu_count()}")
    print(f"wall_seconds={seconds:.1f} peak_rss_mb={peak_mb:.0f}")
    print(summary)


if __name__ == "__main__":
    main()
