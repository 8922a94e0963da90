"""Background jobs (Huey): account provisioning after an import, and nightly for everyone."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.audit.services import Origin
from zhijiao.core.events import RegistryChange
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.org.models import School

# Import kinds whose rows create, end or move the ties accounts and derived grants come from.
ACCOUNT_KINDS = frozenset({"students", "staff", "guardians", "classes", "assignments"})


@db_task()
def accounts_sync_task(school_id: int | None = None) -> dict:
    """Provision accounts for one school's people (``school_id``) or for everyone (None); returns the counts."""
    school = School.objects.filter(pk=school_id).first() if school_id is not None else None
    if school_id is not None and school is None:
        return {}
    return accounts_sync(actor=None, school=school, origin=Origin(channel="job")).as_dict()


def accounts_on_registry_change(change: RegistryChange) -> None:
    """Subscriber of ``registry_changed``: accounts for the people a change brought, closed for those who left.

    An import batch at one school provisions that school's people; any other (several schools, or not known
    which) provisions everyone's. Single edits wait for the nightly run, as before the events."""
    if not change.is_import or not change.touches(ACCOUNT_KINDS):
        return
    school = next(iter(change.schools)) if change.schools is not None and len(change.schools) == 1 else None
    accounts_sync_task(school)


@db_periodic_task(crontab(hour="19", minute="30"))  # Huey schedules in UTC: 03:30 in Asia/Shanghai
def nightly_accounts_sync() -> None:
    """Every night, after the quality scoring: catch registry changes made outside imports (pages, API edits)."""
    accounts_sync(actor=None, origin=Origin(channel="job"))
