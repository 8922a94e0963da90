"""Backup and restore (``zhijiao backup DIR`` / ``zhijiao restore DIR``): everything a bureau would lose.

A backup folder holds::

    manifest.json                 versions, time, database kind and every table's row count, SHA-256 of every file
    database/zhijiao.sqlite3      SQLite, copied with the online backup API (consistent while the platform serves)
    database/zhijiao.dump         or PostgreSQL, pg_dump custom format, taken in the snapshot the row counts came from
    files/<part>/…                secret and audit keys, audit anchors, OIDC keys, resource files, search index,
                                  analytics warehouse, import uploads and reports, demo account list

Order matters for consistency while the platform serves: the audit anchor file is copied *before* the database (every
anchor then names an event the copy holds), resource files and the rest *after* it (every file the copy refers to
exists by then; a newer extra file is harmless). Resource files in S3 are not copied: the bucket keeps its own versions.

Restore verifies every file against the manifest before touching anything, refuses a home that is in use unless
forced, brings the database back (SQLite backup API or ``pg_restore --clean``), then the files, and checks that
every table holds the row count the manifest recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field, fields
from importlib.metadata import version
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.resources.indexing import index_dir

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_COPY = "database/zhijiao.sqlite3"
PG_DUMP = "database/zhijiao.dump"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass(frozen=True)
class Part:
    name: str  # its folder or file name under files/
    path: Path  # where it lives on this installation
    before_database: bool = False


def backup_parts() -> list[Part]:
    """What besides the database a bureau would lose, where this installation keeps it."""
    home = Path(settings.HOME)
    parts = [
        Part("audit-anchors.log", Path(settings.ZHIJIAO_AUDIT_ANCHOR_FILE), before_database=True),
        Part("secret.key", home / "secret.key"),
        Part("audit.key", home / "audit.key"),
        Part("oidc", home / "oidc"),
        Part("intake", home / "intake"),
        Part("demo-accounts.json", home / "demo-accounts.json"),
        Part("demo-rp.json", home / "demo-rp.json"),
        Part("warehouse", Path(settings.ZHIJIAO_WAREHOUSE_DIR)),
        Part("search", index_dir()),
    ]
    if settings.ZHIJIAO_STORAGE == "local":
        parts.append(Part("media", Path(settings.ZHIJIAO_MEDIA_DIR)))
    return parts


@dataclass
class _Outcome:
    """What a backup or a restore reports (the fields both share; each adds its own)."""

    dir: str
    database: str
    tables: dict[str, int]
    files: int

    def as_dict(self) -> dict[str, Any]:
        """The fields in order, the total ``rows`` right after ``tables``, seconds rounded to 0.01."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = round(value, 2) if isinstance(value, float) else value
            if f.name == "tables":
                data["rows"] = sum(self.tables.values())
        return data


@dataclass
class BackupResult(_Outcome):
    bytes: int
    seconds: float
    skipped: list[str] = field(default_factory=list)


def platform_backup(*, target: Path) -> BackupResult:
    """Write a consistent backup of this installation into ``target`` (a new or empty folder)."""
    started = time.monotonic()
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录不为空：{target}。请指定一个新的或空的目录。")
    (target / "database").mkdir(parents=True, exist_ok=True)
    audit_record(
        actor=None,
        action="system.backup",
        origin=Origin(channel="cli"),
        target=Target("backup", "", str(target)[-128:]),
    )
    files: dict[str, dict[str, Any]] = {}
    parts = backup_parts()
    skipped: list[str] = []
    for part in (p for p in parts if p.before_database):
        _copy_part(part, target, files, skipped)
    if connection.vendor == "sqlite":
        tables = _sqlite_backup(target / SQLITE_COPY)
        database = {"vendor": "sqlite", "file": SQLITE_COPY}
    elif connection.vendor == "postgresql":
        tables = _pg_backup(target / PG_DUMP)
        database = {"vendor": "postgresql", "file": PG_DUMP}
    else:
        raise BackupError(f"不支持备份此类数据库：{connection.vendor}")
    files[database["file"]] = _file_entry(target / database["file"])
    for part in (p for p in parts if not p.before_database):
        _copy_part(part, target, files, skipped)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "versions": {
            "zhijiao": _version("zhijiao"),
            "django": django.get_version(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "migrations": _applied_migrations(),
        "database": {**database, "tables": tables},
        "storage": settings.ZHIJIAO_STORAGE,
        "keys": {
            "secret": "env" if os.environ.get("ZHIJIAO_SECRET_KEY") else "file",
            "audit": "env" if os.environ.get("ZHIJIAO_AUDIT_KEY", "").strip() else "file",
        },
        "parts": sorted({name.split("/", 2)[1] for name in files if name.startswith("files/")}),
        "files": dict(sorted(files.items())),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupResult(
        dir=str(target),
        database=database["vendor"],
        tables=tables,
        files=len(files),
        bytes=sum(f["size"] for f in files.values()),
        seconds=time.monotonic() - started,
        skipped=skipped,
    )


@dataclass
class RestoreResult(_Outcome):
    pending_migrations: int
    notes: list[str] = field(default_factory=list)


def backup_verify(*, source: Path) -> dict[str, Any]:
    """The manifest of the backup in ``source``, once every file it lists matches its size and SHA-256."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} 不是智教备份：缺少清单文件 {MANIFEST}") from None
    except ValueError:
        raise BackupError(f"备份清单 {MANIFEST} 已损坏，无法读取") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    bad = []
    for name, entry in manifest["files"].items():
        path = source / name
        if not path.is_file():
            bad.append(f"{name}（缺失）")
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            bad.append(f"{name}（内容与清单不符）")
    if bad:
        raise BackupError(f"备份校验未通过，{len(bad)} 个文件有问题：" + "；".join(bad[:5]))
    return manifest


def platform_restore(*, source: Path, force: bool = False) -> RestoreResult:
    """Bring the backup in ``source`` back into this installation (the platform must be stopped)."""
    source = source.resolve()
    manifest = backup_verify(source=source)
    in_use = _home_in_use()
    if in_use and not force:
        raise BackupError(
            "目标环境已有数据（" + "、".join(in_use) + "），为防止误覆盖已停止。确认要用备份覆盖时请加 --force。"
        )
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(f"备份的数据库类型（{database['vendor']}）与当前配置（{connection.vendor}）不同，无法恢复")
    if database["vendor"] == "sqlite":
        _sqlite_restore(source / database["file"])
    else:
        _pg_restore(source / database["file"])
    parts = {p.name: p for p in backup_parts()}
    notes = []
    for name in manifest["parts"]:
        part = parts.get(name)
        if part is None:  # e.g. media in a backup from local storage, restored where storage is S3
            notes.append(f"备份中的 {name} 在当前配置下没有位置，未恢复")
            continue
        _restore_part(part, source / "files" / name)
    if "audit.key" in manifest["parts"] and not os.environ.get("ZHIJIAO_AUDIT_KEY", "").strip():
        # this process loaded the key of the (new, empty) home at start: from now on it must seal with the restored one
        settings.ZHIJIAO_AUDIT_KEY = parts["audit.key"].path.read_text().strip().encode()
    for kind, label in (("secret", "ZHIJIAO_SECRET_KEY"), ("audit", "ZHIJIAO_AUDIT_KEY")):
        if manifest["keys"].get(kind) == "env":
            notes.append(f"备份时密钥来自环境变量 {label}：请为恢复后的平台设置同一密钥")
    if manifest["storage"] != "local":
        notes.append("资源文件保存在对象存储中，未随备份恢复：请用存储桶的版本功能恢复到备份时间")
    tables = _table_counts()
    expected = database["tables"]
    wrong = [f"{t}（应 {n}，实 {tables.get(t)}）" for t, n in expected.items() if tables.get(t) != n]
    if wrong:
        raise BackupError("恢复后的数据与备份记录的行数不符：" + "；".join(wrong[:5]))
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if pending:
        notes.append(f"备份来自较早的版本，有 {pending} 个数据库迁移待应用：请运行 zhijiao migrate")
    else:
        audit_record(
            actor=None,
            action="system.restore",
            origin=Origin(channel="cli"),
            target=Target("backup", "", f"{manifest['created_at'][:19]} {source}"[:128]),
        )
    return RestoreResult(
        dir=str(source),
        database=database["vendor"],
        tables=tables,
        files=len(manifest["files"]),
        pending_migrations=pending,
        notes=notes,
    )


# --- database ----------------------------------------------------------------------------------------------------


def _sqlite_backup(dest: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(dest)
    try:
        # one step: the source is read under one lock, so the copy is one consistent moment even while others write
        connection.connection.backup(copy)
        # the check evaluates CHECK constraints, some of which use the REGEXP function Django adds to its connections
        copy.create_function("REGEXP", 2, _regexp, deterministic=True)
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("数据库副本自检未通过，请重试备份")
        return _sqlite_counts(copy)
    finally:
        copy.close()


def _regexp(pattern: str, value: Any) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def _sqlite_restore(copy_path: Path) -> None:
    copy = sqlite3.connect(copy_path)
    try:
        connection.close()
        connection.ensure_connection()
        copy.backup(connection.connection)
    finally:
        copy.close()


def _pg_args() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if s.get(key):
            args += [flag, str(s[key])]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return [*args, "-d", str(s["NAME"])], env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt install postgresql-client）")
    return path


def _pg_backup(dest: Path) -> dict[str, int]:
    pg_dump = _pg_tool("pg_dump")
    args, env = _pg_args()
    command = [pg_dump, "--format=custom", "--file", str(dest), *args]
    if connection.in_atomic_block:  # a caller's transaction: dump and count separately (not while serving)
        _run(command, env)
        return _table_counts()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # the counts and the dump see the same snapshot: exported here, shared with pg_dump
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        tables = _table_counts()
        _run([*command, f"--snapshot={snapshot}"], env)
    return tables


def _pg_restore(dump: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_args()
    connection.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env,
    )


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} 执行失败：{(done.stderr or done.stdout).strip()[:500]}")


def _table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def _applied_migrations() -> dict[str, str]:
    """Each app's newest applied migration (a restore into an older version of the code can be refused by hand)."""
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return dict(cursor.fetchall())


# --- files -------------------------------------------------------------------------------------------------------


def _copy_part(part: Part, target: Path, files: dict[str, dict[str, Any]], skipped: list[str]) -> None:
    if not part.path.exists():
        return
    dest = target / "files" / part.name
    for _attempt in range(3):
        try:
            copied = _copy_tree(part.path, dest)
        except FileNotFoundError:
            # a file vanished mid-copy (the search index merges segments): copy the part again
            shutil.rmtree(dest, ignore_errors=True)
            continue
        for rel, entry in copied.items():
            files[f"files/{part.name}{rel}"] = entry
        return
    skipped.append(part.name)


def _copy_tree(source: Path, dest: Path) -> dict[str, dict[str, Any]]:
    """Copy a file or a folder (symbolic links left out), hashing while copying; ``{"/rel/path": entry}``."""
    if source.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        return {"": _copy_file(source, dest)}
    copied = {}
    for root, dirs, names in os.walk(source):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(source)
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            copied[f"/{rel.as_posix()}"] = _copy_file(path, out)
    return copied


def _copy_file(source: Path, dest: Path) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    shutil.copystat(source, dest)  # keeps 0600 on keys
    return {"sha256": digest.hexdigest(), "size": size}


def _file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": _sha256(path), "size": path.stat().st_size}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _restore_part(part: Part, source: Path) -> None:
    if part.path.is_dir() and not part.path.is_symlink():
        shutil.rmtree(part.path)
    elif part.path.exists():
        part.path.unlink()
    part.path.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, part.path)
    else:
        shutil.copy2(source, part.path)


def _home_in_use() -> list[str]:
    """Why this installation is not an empty one: its database has tables, or its data folders hold files."""
    reasons = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        reasons.append(f"数据库中已有 {len(tables)} 张表")
    for part in backup_parts():
        if part.name in {"secret.key", "audit.key", "oidc"}:
            continue  # made on the first start of any installation, a fresh one included
        if part.path.is_file() or (part.path.is_dir() and any(part.path.iterdir())):
            reasons.append(f"{part.name} 中已有文件")
    return reasons


def _version(name: str) -> str:
    try:
        return version(name)
    except Exception:
        return "unknown"
