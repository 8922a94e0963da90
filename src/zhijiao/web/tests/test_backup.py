"""The restore drill: build data, back it up while the platform could serve, wipe, restore, and get back the same
row counts and file hashes, a working sign-in and a passing ``zhijiao check`` (audit chain and anchors included).

Runs on SQLite and, with DATABASE_URL pointing at PostgreSQL, on PostgreSQL (skipped there without pg_dump).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.org.services import division_sync
from zhijiao.testing import PASSWORD, build_test_region
from zhijiao.web.backup import BackupError, _table_counts, platform_backup, platform_restore
from zhijiao.web.integrity import integrity_report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # backup and restore drills


@pytest.fixture(autouse=True)
def _needs_pg_dump():
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump 未安装")


@pytest.fixture
def region():
    division_sync()  # a transactional test starts from a flushed database: the divisions' seed rows are gone
    return build_test_region()


@pytest.fixture
def home(settings, tmp_path):
    """An installation's home in a temporary folder, with the files a bureau would lose."""
    home = tmp_path / "home"
    settings.HOME = home
    settings.ZHIJIAO_MEDIA_DIR = home / "media"
    settings.ZHIJIAO_WAREHOUSE_DIR = home / "warehouse"
    settings.ZHIJIAO_SEARCH_DIR = home / "search" / "resources"
    settings.ZHIJIAO_AUDIT_ANCHOR_FILE = home / "audit-anchors.log"
    settings.ZHIJIAO_STORAGE = "local"
    for rel, content in {
        "secret.key": b"secret-of-this-install",
        "audit.key": settings.ZHIJIAO_AUDIT_KEY,
        "oidc/signing-1.pem": b"-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n",
        "media/resources/ab/abcdef": "课件内容".encode() * 1000,
        "media/previews/ab/abcdef.png": bytes(range(256)) * 10,
        "warehouse/2026-12-06/students.parquet": b"PAR1" + bytes(100) + b"PAR1",
        "search/resources/meta.json": b"{}",
        "intake/reports/batch-1.xlsx": b"PK\x03\x04report",
    }.items():
        path = home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return home


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _wipe(home: Path, settings) -> None:
    """What a lost server leaves: an empty database (its tables, no rows) and a new home with fresh keys."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(home)
    home.mkdir()
    settings.ZHIJIAO_AUDIT_KEY = b"the new machine's own key"
    (home / "audit.key").write_bytes(settings.ZHIJIAO_AUDIT_KEY)


def test_backup_wipe_restore_drill(region, home, tmp_path, settings):
    for i in range(3):
        audit_record(actor=None, action="person.view_pii", origin=Origin(), target=Target("student", str(i), "s"))
    assert all(c.ok for c in integrity_report()), [c for c in integrity_report() if not c.ok]  # anchors the head

    out = StringIO()
    call_command("backup", str(tmp_path / "bk"), "--json", stdout=out)
    result = json.loads(out.getvalue())
    tables, files = _table_counts(), _file_hashes(home)
    assert result["tables"] == tables and result["rows"] == sum(tables.values())
    assert tables["people_student"] == 5 and tables["audit_auditevent"] >= 4
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert {"media", "warehouse", "search", "oidc", "audit.key", "secret.key", "audit-anchors.log", "intake"} <= set(
        manifest["parts"]
    )
    assert manifest["files"]["files/media/resources/ab/abcdef"]["sha256"] == files["media/resources/ab/abcdef"]

    _wipe(home, settings)
    assert _table_counts()["people_student"] == 0
    with pytest.raises(BackupError, match="--force"):
        platform_restore(source=tmp_path / "bk")

    out = StringIO()
    call_command("restore", str(tmp_path / "bk"), "--force", "--json", stdout=out)
    restored = json.loads(out.getvalue())
    assert restored["tables"] == tables and restored["pending_migrations"] == 0
    after = _table_counts()
    assert after == {**tables, "audit_auditevent": tables["audit_auditevent"] + 1}  # plus the restore's own record
    assert AuditEvent.objects.order_by("-id").first().action == "system.restore"
    assert _file_hashes(home) == files

    client = Client()
    assert client.post("/accounts/login/", {"username": "head", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    report = integrity_report()
    assert all(c.ok for c in report), [c for c in report if not c.ok]


def test_restore_refuses_a_damaged_backup(region, home, tmp_path):
    platform_backup(target=tmp_path / "bk")
    (tmp_path / "bk" / "files" / "media" / "resources" / "ab" / "abcdef").write_bytes(b"tampered")
    with pytest.raises(BackupError, match="内容与清单不符"):
        platform_restore(source=tmp_path / "bk", force=True)
    with pytest.raises(CommandError, match="不是智教备份"):
        call_command("restore", str(tmp_path))


def test_backup_refuses_a_folder_in_use(home, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "x").write_text("x")
    with pytest.raises(CommandError, match="备份目录不为空"):
        call_command("backup", str(tmp_path / "bk"))
