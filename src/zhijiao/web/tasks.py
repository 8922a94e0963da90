"""Background jobs (Huey). The worker runs them: `zhijiao worker`, or beside `zhijiao demo`."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.web.integrity import CheckResult, integrity_report

logger = logging.getLogger("zhijiao.integrity")


@db_task()
def integrity_check() -> list[dict]:
    """Run the data-integrity self-check (the same as `zhijiao check`) and log what fails."""
    report: list[CheckResult] = integrity_report()
    for result in report:
        log = logger.error if not result.ok else logger.warning if result.warning else logger.info
        log("%s：%s", result.title, result.detail)
    return [r.as_dict() for r in report]


@db_periodic_task(crontab(hour="18", minute="30"))  # Huey schedules in UTC: 02:30 in Asia/Shanghai
def nightly_integrity_check() -> None:
    """Every night at 02:30 Beijing time: catch drift before the morning's users do."""
    integrity_check.call_local()
