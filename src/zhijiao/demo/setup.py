"""Prepare a demo install: schema, code data, the demo region and its accounts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.services import snapshot_take
from zhijiao.catalogue.services import quality_refresh
from zhijiao.curriculum.loading import taxonomy_ensure
from zhijiao.demo.accounts import DEFAULT_DEMO_PASSWORD, DemoAccount, create_demo_accounts
from zhijiao.demo.admission import demo_admission
from zhijiao.demo.apps import register_demo_apps
from zhijiao.demo.builder import BuildStats, RegionBuilder
from zhijiao.demo.fitness_term import demo_fitness_term
from zhijiao.demo.growth_term import demo_growth_term
from zhijiao.demo.health_term import demo_health_term
from zhijiao.demo.homework_term import demo_homework_term
from zhijiao.demo.indicators import demo_indicators
from zhijiao.demo.learning_items import demo_items
from zhijiao.demo.online_services import demo_online_services
from zhijiao.demo.plan import region_plan
from zhijiao.demo.resources import demo_library
from zhijiao.demo.spaces_homes import demo_space_indicators, demo_spaces
from zhijiao.demo.spaces_leave import demo_leave
from zhijiao.demo.spaces_research import demo_research
from zhijiao.demo.xapi_records import demo_learning_records
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.org.models import Division, School, Term
from zhijiao.org.selectors import school_year_start_for
from zhijiao.org.services import division_sync, school_year_open
from zhijiao.privacy.services import consent_policy_set
from zhijiao.resources.indexing import reindex_all, search_backend
from zhijiao.spaces.homes.models import SchoolPage

DEMO_LIBRARY_SIZE = 5000


@dataclass
class DemoResult:
    built: bool
    seconds: float
    stats: BuildStats | None
    accounts: list[dict]
    accounts_file: Path


def demo_password() -> str:
    return settings.ZHIJIAO_DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD


def demo_accounts_file() -> Path:
    return Path(settings.HOME) / "demo-accounts.json"


def _demo_snapshot(progress: Callable[[str], None], *, only_if_none: bool = False) -> None:
    """The statistics pages read the warehouse: give the demo its first snapshot (later ones come after imports
    and nightly from the worker)."""
    if only_if_none and Snapshot.objects.exists():
        return
    snapshot = snapshot_take(actor=None, trigger=SnapshotTrigger.DEMO)
    progress(f"数据仓库快照 {snapshot.taken_on:%Y-%m-%d}：用时 {snapshot.duration_ms / 1000:.1f} 秒")


def _demo_library(progress: Callable[[str], None], *, seed: int) -> None:
    """The resource centre's demo library (``demo.resources``): 5,000 published resources and their use."""
    started = time.monotonic()
    stats = demo_library(published=DEMO_LIBRARY_SIZE, seed=seed, progress=progress)
    demo_learning_records(seed=seed, progress=progress)  # the class's use of the library, as learning records
    if not stats.skipped:
        progress(f"演示资源库：{stats.summary()}，用时 {time.monotonic() - started:.1f} 秒")
    elif search_backend().num_docs() == 0:  # an index of an older format (or none): build this one
        progress(f"资源搜索索引：{reindex_all()} 条")
    demo_items(progress=progress)  # the item bank's demo items (demo.learning_items), once


def _statistics_refresh() -> None:
    """PostgreSQL plans from table statistics, which autovacuum gathers only some time after a bulk load (and never
    where it is switched off): gather them now, so the first requests on a fresh demo do not read whole tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_prepare(
    *, scale: str = "small", seed: int = 42, reset: bool = False, progress: Callable[[str], None] = print
) -> DemoResult:
    """Migrate, and build the demo region if the registry is empty (or ``reset``). Idempotent."""
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if reset:
        progress("清空现有数据……")
        call_command("flush", interactive=False, verbosity=0)
        division_sync()
    taxonomy_ensure()  # the textbook taxonomy comes with a data migration; a flush empties it
    accounts_file = demo_accounts_file()
    if School.objects.exists():
        accounts = json.loads(accounts_file.read_text(encoding="utf-8")) if accounts_file.exists() else []
        _demo_snapshot(progress, only_if_none=True)
        _demo_library(progress, seed=seed)  # an install from before the library gets it once
        demo_research(root=region_plan(scale).root, seed=seed, progress=progress)  # and 网络教研
        demo_indicators(root=region_plan(scale).root, seed=seed, progress=progress)
        demo_homework_term(seed=seed, progress=progress)  # 作业与考试, once
        if not SchoolPage.objects.exists():  # an install from before the space homes gets them once
            demo_spaces(root=region_plan(scale).root, seed=seed, progress=progress)
            _demo_snapshot(progress)
            demo_space_indicators(progress=progress)
        return DemoResult(False, time.monotonic() - started, None, accounts, accounts_file)

    plan = region_plan(scale)
    progress(f"生成演示区域（规模 {scale}，随机种子 {seed}）……")
    start_year = school_year_start_for(timezone.localdate())
    school_year_open(start_year=start_year, current_term=1 if timezone.localdate().month >= 9 else 2)
    term = Term.objects.get(is_current=True)
    stats = RegionBuilder(plan=plan, seed=seed, start_year=start_year, term=term, progress=progress).build()
    with transaction.atomic():
        made: list[DemoAccount] = create_demo_accounts(root=plan.root, password=demo_password())
        register_demo_apps(root=plan.root)
        # the demo bureau asks guardians' consent before third-party apps receive data of pupils under 14
        consent_policy_set(actor=None, division=Division.objects.get(pk=plan.root), require_app_consent=True)
    # Everyone else in the registry gets an account awaiting activation, as after a real import; the cast above
    # already has theirs (demo names, demo password), which provisioning leaves as they are.
    progress("为登记的学生、家长和教职工开通账号……")
    provisioned = accounts_sync(actor=None)
    progress(f"账号：{provisioned.summary()}")
    demo_online_services(root=plan.root, seed=seed, progress=progress)
    demo_admission(seed=seed, progress=progress)
    _demo_library(progress, seed=seed)
    demo_research(root=plan.root, seed=seed, progress=progress)
    demo_spaces(root=plan.root, seed=seed, progress=progress)  # before the snapshot: it carries the space use
    # quality scores first, so the first snapshot (and the warnings) carry them
    progress(f"数据质量评分：{quality_refresh()} 条")
    _demo_snapshot(progress)
    demo_indicators(root=plan.root, seed=seed, progress=progress)
    demo_space_indicators(progress=progress)  # after the bureau's indicators (demo_indicators runs on none only)
    demo_growth_term(seed=seed, progress=progress)
    demo_leave(seed=seed, progress=progress)
    demo_fitness_term(seed=seed, progress=progress)
    demo_homework_term(seed=seed, progress=progress)
    demo_health_term(root=plan.root, seed=seed, progress=progress)  # then a fresh snapshot with growth figures
    accounts = [a.as_dict() for a in made]
    _statistics_refresh()
    accounts_file.write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return DemoResult(True, time.monotonic() - started, stats, accounts, accounts_file)
