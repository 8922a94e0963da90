"""The spaces' use as the warehouse table ``space_usage``: one row per person's account and role in a school.

Registered in ``SpacesConfig.ready()`` through the core hook ``core.warehouse_sources`` (analytics sits below this
app and never imports it; decision 0052 for the shape, this app's decision record for the table). Analytics'
``space_indicators`` turns it into four indicators per school: 活跃空间 (used the space in the last 30 days),
教师网络教研参与 (took part in a research activity this year), 继续教育学时完成 (this year's hours reach the
requirement) and 家校通知阅读 (notices delivered in the last 30 days that were read).

Who counts: 专任教师 (staff category 11 with an active post at a school), pupils on the roll, and guardians of pupils
on the roll (placed at their first such child's school), each with an active account. "Used the space": a day in
``SpaceVisit`` or a notice read in the last 30 days. Ids and codes only, no names (like every warehouse table).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import polars as pl
from django.db.models import Count, Q
from django.utils import timezone

from zhijiao.core.student_status import studying_q
from zhijiao.identity.models import Account
from zhijiao.people.models import Guardianship, Staff, Student
from zhijiao.spaces.homes.models import SpaceVisit
from zhijiao.spaces.models import NoticeReceipt
from zhijiao.spaces.research.hours import Rules, hours_from_counts, rules_for
from zhijiao.spaces.research.models import Participation

TABLE = "space_usage"
ACTIVE_DAYS = 30
TEACHER = "11"  # JY/T 1001 教职工类别: 专任教师
COLUMNS = {
    "account_id": pl.Int64,
    "role": pl.String,  # teacher, student, guardian
    "school_id": pl.Int64,
    "school_code": pl.String,
    "division_code": pl.String,
    "active_30d": pl.Boolean,
    "research": pl.Boolean,  # teachers: took part in a research activity this calendar year
    "hours": pl.Float64,  # teachers: this year's 继续教育学时
    "hours_required": pl.Float64,
    "notices": pl.Int64,  # notices delivered to the account in the last 30 days
    "notices_read": pl.Int64,
}


def _people() -> list[tuple[int, str, int, str, str]]:
    """(person_id, role, school_id, school_code, division_code), teachers first, each person and role once."""
    rows: list[tuple[int, str, int, str, str]] = []
    for pid, sid, code, division in Staff.objects.filter(
        is_active=True, school__isnull=False, category=TEACHER
    ).values_list("person_id", "school_id", "school__code", "school__division_id"):
        rows.append((pid, "teacher", sid, code, division))
    for pid, sid, code, division in Student.objects.filter(studying_q()).values_list(
        "person_id", "school_id", "school__code", "school__division_id"
    ):
        rows.append((pid, "student", sid, code, division))
    for pid, sid, code, division in (
        Guardianship.objects.filter(studying_q("student__"))
        .order_by("guardian_id", "student_id")
        .values_list("guardian_id", "student__school_id", "student__school__code", "student__school__division_id")
    ):
        rows.append((pid, "guardian", sid, code, division))
    seen: set[tuple[int, str]] = set()
    out = []
    for row in rows:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            out.append(row)
    return out


def space_usage(school_year: int) -> pl.DataFrame:
    """The ``space_usage`` table of a snapshot, as of now (``school_year`` is not needed: places are today's)."""
    now = timezone.now()
    today = timezone.localdate()
    since = now - timedelta(days=ACTIVE_DAYS)
    year = today.year
    account_of = dict(Account.objects.filter(is_active=True, person_id__isnull=False).values_list("person_id", "pk"))
    active = set(
        SpaceVisit.objects.filter(day__gt=today - timedelta(days=ACTIVE_DAYS)).values_list("account_id", flat=True)
    )
    active |= set(NoticeReceipt.objects.filter(read_at__gte=since).values_list("account_id", flat=True).distinct())
    notices = {
        a: (n, r)
        for a, n, r in NoticeReceipt.objects.filter(delivered_at__gte=since, notice__status="published")
        .values("account_id")
        .annotate(n=Count("pk"), r=Count("pk", filter=Q(read_at__isnull=False)))
        .values_list("account_id", "n", "r")
    }
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for participant, kind, n in (
        Participation.objects.filter(year=year)
        .values("account_id", "activity__kind")
        .annotate(n=Count("pk"))
        .values_list("account_id", "activity__kind", "n")
    ):
        counts[participant][kind] = n
    rules: dict[str, Rules] = {}
    data: dict[str, list] = {name: [] for name in COLUMNS}
    for pid, role, sid, code, division in _people():
        account_id = account_of.get(pid)
        if account_id is None:
            continue
        hours = required = None
        if role == "teacher":
            if division not in rules:
                rules[division] = rules_for(division)
            th = hours_from_counts(counts.get(account_id, {}), rules[division], year)
            hours, required = float(th.total), float(th.rules.required)
        n, r = notices.get(account_id, (0, 0))
        for name, value in (
            ("account_id", account_id),
            ("role", role),
            ("school_id", sid),
            ("school_code", code),
            ("division_code", division),
            ("active_30d", account_id in active),
            ("research", role == "teacher" and account_id in counts),
            ("hours", hours),
            ("hours_required", required),
            ("notices", n),
            ("notices_read", r),
        ):
            data[name].append(value)
    return pl.DataFrame(data, schema=COLUMNS)
