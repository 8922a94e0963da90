"""Writes of role grants. Who may grant what is checked by the caller (identity's account services); these
only write, keeping the table's invariants (one node at most, no duplicate grant)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection

from zhijiao.access.models import RoleGrant
from zhijiao.access.selectors import Grant, GrantKey, _value
from zhijiao.org.models import Division, School, SchoolClass


def grant_ensure(
    *,
    account_id: int,
    role: str,
    division: Division | None = None,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    subject: str = "",
) -> Grant:
    """The grant of ``role`` on the node, created if the account does not hold it yet (``subject``: a 教研员's)."""
    grant, _ = RoleGrant.objects.get_or_create(
        account_id=account_id,
        role=role,
        division=division,
        school=school,
        school_class=school_class,
        defaults={"subject": subject},
    )
    return _value(grant)


def grant_delete(*, grant: Grant) -> None:
    RoleGrant.objects.filter(pk=grant.pk).delete()


def derived_grants_apply(
    *, stale_ids: Sequence[int], new: Iterable[tuple[int, GrantKey]], now: datetime
) -> tuple[int, int]:
    """Account provisioning's bulk step: delete the derived grants no longer backed by the registry and add the
    new ones (``(account id, (role, school id, class id))``), skipping any a concurrent run added. Plain SQL, as
    provisioning runs over whole regions. Returns (added, removed)."""
    table = connection.ops.quote_name(RoleGrant._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = [(account_id, role, school_id, class_id, stamp, True, "") for account_id, (role, school_id, class_id) in new]
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("account_id", "role", "school_id", "school_class_id", "granted_at", "derived", "subject")
    )
    values = ", ".join(["%s"] * 7)
    if connection.vendor == "sqlite":
        insert = f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({values})"  # noqa: S608
    else:
        insert = f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        if stale_ids:
            cursor.executemany(f"DELETE FROM {table} WHERE id = %s", [(i,) for i in stale_ids])  # noqa: S608
        if rows:
            cursor.executemany(insert, rows)
    return len(rows), len(stale_ids)
