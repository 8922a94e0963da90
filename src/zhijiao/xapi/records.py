"""Reads of the learning record store *through the platform* (pages, not the raw LRS): who may read whose records.

* a learner reads their own statements (我的学习记录);
* a guardian reads their children's (``privacy.selectors.guardian_children``: registered guardianships only);
* a teacher reads the pupils of the classes they teach this term or head (``Scope.leads_class``);
* administrators with 应用管理 (``Perm.ADMINISTER_APPS``) browse every statement, learners masked.

Anyone else gets 404 (nothing says whether the pupil exists). Voided statements, voiding statements and deleted
ones never appear.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhijiao.access.permissions import Perm, require
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.identity.models import Account
from zhijiao.oidc.models import RegisteredApp
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Student
from zhijiao.privacy.selectors import guardian_children
from zhijiao.xapi.learners import about_learner, about_learners, learner_ids_of
from zhijiao.xapi.models import Credential, Erasure, Retention, Statement
from zhijiao.xapi.operate import learner_label
from zhijiao.xapi.platform import EXT_PROGRESS, VERB_WORDS
from zhijiao.xapi.services import PLATFORM_APP


@dataclass
class Record:
    """One statement in plain words: when, what was done (verb), to what, how far / how long / what score."""

    when: datetime
    verb: str
    what: str
    detail: str
    app: str
    learner: str = ""
    learner_id: int | None = None
    flagged: bool = False
    activity: str = ""
    statement_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _lang(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    for key in ("zh-CN", "zh", "zh-Hans", "en-US", "en"):
        if value.get(key):
            return str(value[key])
    return str(next(iter(value.values())))


def _duration_words(value: Any) -> str:
    """``PT1H2M3S`` → ``1小时2分钟``; seconds only below a minute."""
    if not isinstance(value, str) or not value.startswith("P"):
        return ""
    m = re.match(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", value)
    if not m:
        return ""
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    hours, minutes = int(d * 24 + h), int(mi)
    parts = [f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    text = "".join(parts)
    return text or (f"{int(s)}秒" if s else "")


def record_of(st: Statement, *, app_names: dict[int, str], masked: dict[int, str] | None = None) -> Record:
    data = st.data
    verb = data.get("verb") or {}
    obj = data.get("object") or {}
    what = _lang((obj.get("definition") or {}).get("name")) or (
        obj.get("name") if obj.get("objectType") in ("Agent", "Group") else ""
    )
    result = data.get("result") or {}
    own = (data.get("context") or {}).get("platform") == PLATFORM_APP  # the platform's words for its own verbs
    details = []
    progress = (result.get("extensions") or {}).get(EXT_PROGRESS)
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        details.append(f"看到 {int(progress)}%")
    score = result.get("score") or {}
    if isinstance(score.get("scaled"), int | float):
        details.append(f"得分 {round(score['scaled'] * 100)}%")
    elif isinstance(score.get("raw"), int | float):
        details.append(f"得分 {score['raw']}" + (f"/{score['max']}" if score.get("max") is not None else ""))
    if result.get("success") is True:
        details.append("通过")
    elif result.get("success") is False:
        details.append("未通过")
    spent = _duration_words(result.get("duration"))
    if spent:
        details.append(f"用时 {spent}")
    when = st.stored
    with suppress(ValueError):
        when = datetime.fromisoformat(str(data.get("timestamp", "")).replace("Z", "+00:00"))
    return Record(
        when=when,
        verb=(VERB_WORDS.get(verb.get("id", ""), "") if own else "") or _lang(verb.get("display")) or "完成了学习活动",
        what=what or "学习活动",
        detail="，".join(details),
        app=app_names.get(st.app_id, ""),
        learner=(masked or {}).get(st.learner_id or 0, "") if st.learner_id else "未对应账号",
        learner_id=st.learner_id,
        flagged=st.learner_id is None,
        activity=str(obj.get("id", "")) if obj.get("objectType", "Activity") == "Activity" else "",
        statement_id=str(st.statement_id),
    )


def _app_names(app_ids: set[int]) -> dict[int, str]:
    return {
        a.pk: str(a.application.name)
        for a in RegisteredApp.objects.filter(pk__in=app_ids).select_related("application")
    }


def records(statements: list[Statement], *, masked: dict[int, str] | None = None) -> list[Record]:
    names = _app_names({s.app_id for s in statements})
    return [record_of(s, app_names=names, masked=masked) for s in statements]


def visible_statements() -> QuerySet[Statement]:
    """What the platform's pages show: not voided, not voiding statements."""
    return Statement.objects.filter(voided=False, is_voiding=False)


# ------------------------------------------------------------------ whose records


@dataclass(frozen=True)
class Learner:
    account: Account | None
    name: str
    relation: str  # self, child, pupil
    student: Student | None = None


def _account_of(student: Student) -> Account | None:
    return Account.objects.filter(person_id=student.person_id).first()


def learner_for(*, actor: Actor, student_id: int | None = None) -> Learner:
    """The learner whose records ``actor`` reads: themselves (no ``student_id``), or a pupil who is their child or
    in a class they teach or head. Anyone else: NotFound."""
    if student_id is None:
        if not getattr(actor, "is_authenticated", False):
            raise NotFound()
        return Learner(account=actor, name="我", relation="self")  # type: ignore[arg-type]
    student = Student.objects.select_related("person", "school_class").filter(pk=student_id).first()
    if student is None:
        raise NotFound()
    scope = scope_for(actor)
    if scope.has("parent") and any(c.pk == student.pk for c in guardian_children(actor=actor)):
        return Learner(account=_account_of(student), name=student.person.name, relation="child", student=student)
    if student.school_class_id and scope.leads_class(student.school_class_id):
        return Learner(account=_account_of(student), name=student.person.name, relation="pupil", student=student)
    raise NotFound()


def learner_statements(learner: Learner) -> QuerySet[Statement]:
    if learner.account is None:
        return Statement.objects.none()
    return visible_statements().filter(about_learner(learner.account.pk)).order_by("-stored", "-pk")


@dataclass(frozen=True)
class Summary:
    total: int
    days: int
    activities: int
    by_verb: list[tuple[str, int]]


def learner_summary(learner: Learner, *, days: int = 30) -> Summary:
    """The last ``days`` days: how many records, on how many days, how many different activities, and per verb."""
    since = timezone.now() - timedelta(days=days)
    found = learner_statements(learner).filter(stored__gte=since)
    rows = list(found.values_list("verb_id", "activity_id", "stored"))
    words = {  # the platform's words for its own verbs; other apps' statements in their own display words
        (st.verb_id, st.app_id): record_of(st, app_names={}).verb for st in _one_per_verb_and_app(found)
    }
    verbs = Counter(words.get(key, "其他学习活动") for key in found.values_list("verb_id", "app_id"))
    return Summary(
        total=len(rows),
        days=len({timezone.localtime(s).date() for _v, _a, s in rows}),
        activities=len({a for _v, a, _s in rows if a}),
        by_verb=verbs.most_common(),
    )


def _one_per_verb_and_app(qs: QuerySet[Statement]) -> list[Statement]:
    firsts = qs.order_by().values("verb_id", "app_id").annotate(first=Min("pk")).values_list("first", flat=True)
    return list(Statement.objects.filter(pk__in=list(firsts)))


def children_of(*, actor: Actor) -> list[Student]:
    """A guardian's children (for the switcher on 孩子的学习记录); empty for anyone else."""
    if not scope_for(actor).has("parent"):
        return []
    return guardian_children(actor=actor)


def child_to_show(children: list[Student]) -> Student:
    """The child a guardian's 学习记录 opens on: the first with any record, else the first."""
    accounts = dict(
        Account.objects.filter(person_id__in=[c.person_id for c in children]).values_list("person_id", "pk")
    )
    return next(
        (
            c
            for c in children
            if c.person_id in accounts and visible_statements().filter(about_learner(accounts[c.person_id])).exists()
        ),
        children[0],
    )


@dataclass(frozen=True)
class _Row:
    pk: int
    learner_id: int | None


def teacher_classes(*, actor: Actor) -> list[SchoolClass]:
    """The classes a teacher teaches this term or heads (links on their 学习记录 page)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    ids = scope_for(actor).led_class_ids()
    return list(SchoolClass.objects.filter(pk__in=ids).select_related("school").order_by("school__name", "name"))


def class_pupils(*, actor: Actor, class_id: int) -> list[tuple[Student, int, datetime | None]]:
    """A class the teacher teaches or heads: each pupil, their records in 30 days and their latest record."""
    if not scope_for(actor).leads_class(class_id):
        raise NotFound()
    pupils = list(Student.objects.filter(school_class_id=class_id).select_related("person").order_by("person__name"))
    accounts = dict(Account.objects.filter(person_id__in=[p.person_id for p in pupils]).values_list("person_id", "pk"))
    since = timezone.now() - timedelta(days=30)
    counts: Counter[int] = Counter()
    latest: dict[int, datetime] = {}
    visible = visible_statements()
    # each pupil's own statements and those of groups they are members of (a statement counts once per pupil)
    about = visible.filter(about_learners(accounts.values())).values_list("pk", "learner_id", "stored")
    found = list(about)
    members = learner_ids_of(_Row(pk, learner_id) for pk, learner_id, _ in found)
    for pk, _learner, stored in found:
        for learner_id in members[pk] & set(accounts.values()):
            if stored >= since:
                counts[learner_id] += 1
            if learner_id not in latest or stored > latest[learner_id]:
                latest[learner_id] = stored
    out = []
    for p in pupils:
        acc = accounts.get(p.person_id)
        out.append((p, counts.get(acc, 0) if acc else 0, latest.get(acc) if acc else None))
    return out


# ------------------------------------------------------------------ administrators


@dataclass(frozen=True)
class Filters:
    app: int | None = None
    verb: str = ""
    learner: int | None = None
    activity: str = ""
    since: date | None = None
    until: date | None = None
    flagged: bool = False


def browse(*, actor: Actor, filters: Filters) -> QuerySet[Statement]:
    """Every app's statements for the platform administrator, newest first, filtered."""
    require(actor, Perm.READ_LEARNING_RECORDS)
    qs = visible_statements()
    if filters.app:
        qs = qs.filter(app_id=filters.app)
    if filters.verb:
        qs = qs.filter(verb_id=filters.verb)
    if filters.learner:
        qs = qs.filter(learner_id=filters.learner)
    if filters.flagged:
        qs = qs.filter(learner__isnull=True)
    if filters.activity:
        qs = qs.filter(activity_id=filters.activity)
    if filters.since:
        qs = qs.filter(stored__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(stored__date__lte=filters.until)
    return qs.order_by("-stored", "-pk")


def masked_learners(statements: list[Statement]) -> dict[int, str]:
    ids = {s.learner_id for s in statements if s.learner_id}
    return {a.pk: learner_label(a) for a in Account.objects.filter(pk__in=ids).select_related("person")}


@dataclass(frozen=True)
class AppRow:
    app: RegisteredApp
    name: str
    statements: int
    credentials: list[Credential]
    retention_months: int


def app_rows(*, actor: Actor) -> list[AppRow]:
    """The apps that write to the store or hold a credential, with their volumes, credentials and retention."""
    require(actor, Perm.ADMINISTER_APPS)
    counts = dict(Statement.objects.values("app_id").annotate(n=Count("id")).values_list("app_id", "n"))
    creds: dict[int, list[Credential]] = {}
    for c in Credential.objects.order_by("-created_at"):
        creds.setdefault(c.app_id, []).append(c)
    keep = dict(Retention.objects.values_list("app_id", "months"))
    ids = set(counts) | set(creds)
    apps = RegisteredApp.objects.filter(pk__in=ids).select_related("application").order_by("application__name")
    return [
        AppRow(
            app=a,
            name=str(a.application.name),
            statements=counts.get(a.pk, 0),
            credentials=creds.get(a.pk, []),
            retention_months=keep.get(a.pk, 0),
        )
        for a in apps
    ]


def all_apps(*, actor: Actor) -> list[RegisteredApp]:
    require(actor, Perm.ADMINISTER_APPS)
    return list(RegisteredApp.objects.select_related("application").order_by("application__name"))


def volumes(*, actor: Actor, days: int = 30) -> dict[str, Any]:
    """Statements stored per app and per day over the last ``days`` days (the chart on the LRS page)."""
    require(actor, Perm.ADMINISTER_APPS)
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Statement.objects.filter(stored__date__gte=first)
        .annotate(day=TruncDate("stored"))
        .values("app_id", "day")
        .annotate(n=Count("id"))
    )
    names = _app_names({r["app_id"] for r in rows})
    labels = [(first + timedelta(days=i)) for i in range(days)]
    series: dict[str, list[int]] = {}
    for r in rows:
        values = series.setdefault(names.get(r["app_id"], "其他"), [0] * days)
        index = (r["day"] - first).days
        if 0 <= index < days:
            values[index] += r["n"]
    return {
        "days": [f"{d.month}月{d.day}日" for d in labels],
        "series": [{"name": k, "data": v} for k, v in sorted(series.items())],
    }


def verbs_seen(*, actor: Actor) -> list[tuple[str, str]]:
    require(actor, Perm.READ_LEARNING_RECORDS)
    ids = list(Statement.objects.values_list("verb_id", flat=True).distinct().order_by("verb_id")[:200])
    return [(v, VERB_WORDS.get(v) or v.rstrip("/").rsplit("/", 1)[-1]) for v in ids]


def erasures(*, actor: Actor) -> QuerySet[Erasure]:
    require(actor, Perm.READ_LEARNING_RECORDS)
    return Erasure.objects.select_related("by").order_by("-at")[:20]


def learner_export(learner: Learner) -> list[dict[str, Any]]:
    """The learner's statements as stored (xAPI JSON), oldest first: the export a learner or guardian downloads."""
    return [s.data for s in learner_statements(learner).order_by("stored", "pk")]
