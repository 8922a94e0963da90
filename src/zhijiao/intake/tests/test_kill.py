"""Killing ``zhijiao import`` in the middle of its write leaves nothing behind, and re-running is safe.

This runs the real command in a child process against a file database in a temporary ``$ZHIJIAO_HOME``
and sends SIGKILL once the batch reports that it is writing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # child processes import a file and are killed mid-write

SETUP = """
import django; django.setup()
from pathlib import Path
from zhijiao.testing import build_test_region
from zhijiao.demo.files import generate_rows, write_file
build_test_region()
rows = generate_rows("students", {rows}, dirty=0.02, seed=5)
write_file(Path({path!r}), "students", rows.rows)
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return env | {"ZHIJIAO_HOME": str(home), "DJANGO_SETTINGS_MODULE": "zhijiao.config.settings"}


def _zhijiao(*args: str) -> list[str]:
    return [sys.executable, "-m", "zhijiao.cli", *args]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killing_an_import_mid_write_leaves_no_partial_batch(tmp_path):
    home, data = tmp_path / "home", tmp_path / "students.csv"
    env = _env(home)
    subprocess.run(_zhijiao("migrate", "-v", "0"), env=env, check=True, timeout=300)
    subprocess.run([sys.executable, "-c", SETUP.format(rows=40000, path=str(data))], env=env, check=True, timeout=300)
    db = sqlite3.connect(home / "zhijiao.sqlite3", timeout=30)

    def count(table: str) -> int:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    before = {t: count(t) for t in ("people_person", "people_student", "people_enrolment", "people_changerecord")}
    child = subprocess.Popen(_zhijiao("import", "students", str(data), "--json"), env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        row = db.execute("SELECT stage FROM intake_importbatch ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[0].startswith("写入数据库"):
            break
        if child.poll() is not None:
            pytest.fail("the import finished before it could be killed")
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the write transaction
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)

    assert {t: count(t) for t in before} == before  # not one row of the batch
    status = db.execute("SELECT status, rows_in FROM intake_importbatch ORDER BY id DESC LIMIT 1").fetchone()
    assert status[0] == "running"
    check = subprocess.run(_zhijiao("check"), env=env, capture_output=True, text=True, timeout=120)
    assert "已中断" in check.stdout
    assert db.execute("SELECT status FROM intake_importbatch ORDER BY id DESC LIMIT 1").fetchone()[0] == "interrupted"

    again = subprocess.run(
        _zhijiao("import", "students", str(data), "--json"), env=env, capture_output=True, text=True, timeout=300
    )
    result = json.loads(again.stdout)
    assert result["status"] == "done"
    assert (
        result["created"] + result["updated"] + result["unchanged"] + result["rejected"] == result["rows_in"] == 40000
    )
    assert count("people_student") == before["people_student"] + result["created"]
