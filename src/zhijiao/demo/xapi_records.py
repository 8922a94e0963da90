"""The demo's learning records (学习记录库): four weeks of a class's resource use and homework, as statements.

* The demo pupil's class uses the resource centre: views, plays and downloads become usage rows *and* the
  platform's own statements from the same events (``xapi.platform``), as they do live.
* The app 作业与练习 (registered by ``demo.apps``) writes homework statements (score, time spent) for the demo pupil,
  whose guardian (the demo parent) consented to it — the demo bureau asks consent for pupils under 14.
* 智慧课堂 writes a few statements about people the platform does not know (flagged 未对应账号).

Idempotent: nothing is written when the store already holds statements.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.core.learning_events import LearningEvent
from zhijiao.identity.models import Account
from zhijiao.oidc.models import RegisteredApp
from zhijiao.people.models import Student
from zhijiao.privacy.models import GuardianConsent
from zhijiao.privacy.services import consent_grant
from zhijiao.resources.models import Resource, ResourceStatus, UsageEvent, UsageKind
from zhijiao.xapi.learners import actor_for
from zhijiao.xapi.models import Credential, Statement
from zhijiao.xapi.platform import platform_statements_write
from zhijiao.xapi.services import authority_for, credential_issue, statements_insert_new
from zhijiao.xapi.validation import format_timestamp

HOMEWORK_APP = "作业与练习"
CLASSROOM_APP = "智慧课堂"
HOMEWORK = [
    "分数的初步认识 课后练习",
    "两位数乘两位数 口算训练",
    "古诗三首 背诵打卡",
    "长方形和正方形的周长 单元测验",
    "英语 Unit 3 听读练习",
    "观察物体 拓展练习",
]


def demo_learning_records(*, seed: int = 42, progress: Callable[[str], None] = print) -> int:
    if Statement.objects.exists():
        return 0
    student = Account.objects.filter(username="student", person__isnull=False).first()
    pupil = Student.objects.filter(person_id=student.person_id or -1).first() if student else None
    if student is None or pupil is None or pupil.school_class_id is None:
        return 0
    rng = random.Random(seed)
    with transaction.atomic():
        made = _resource_use(rng, pupil, student) + _homework(rng, pupil, student) + _unknown(rng)
    progress(f"学习记录库：{made} 条学习记录")
    return made


def _resource_use(rng: random.Random, pupil: Student, student: Account) -> int:
    resources = list(Resource.objects.filter(status=ResourceStatus.PUBLISHED).order_by("-view_count", "pk")[:60])
    if not resources:
        return 0
    classmates = list(
        Account.objects.filter(person__student__school_class_id=pupil.school_class_id).exclude(pk=student.pk)
    )
    now = timezone.now()
    rows: list[UsageEvent] = []
    for account in [student, *classmates]:
        for _ in range(28 if account.pk == student.pk else rng.randint(2, 14)):
            r = rng.choice(resources)
            kind = rng.choices([UsageKind.VIEW, UsageKind.PLAY, UsageKind.DOWNLOAD], weights=[5, 3, 1])[0]
            at = _local_at(now, days=rng.uniform(0.5, 27), hour=rng.choice([12, 13, 17, 18, 19, 20]), rng=rng)
            progress = round(rng.uniform(0.3, 1.0), 2) if kind == UsageKind.PLAY else None
            play_id = f"demo-lr-{len(rows)}" if kind == UsageKind.PLAY else ""
            rows.append(UsageEvent(resource=r, account=account, kind=kind, play_id=play_id, progress=progress, at=at))
    times = [row.at for row in rows]  # auto_now_add sets them to now on insert: put them back after
    rows = UsageEvent.objects.bulk_create(rows)
    for row, at in zip(rows, times, strict=True):
        row.at = at
    UsageEvent.objects.bulk_update(rows, ["at"])
    titles = {r.pk: r.title for r in resources}
    events: list[LearningEvent] = []
    for row in rows:

        def event(kind: str, row: UsageEvent = row, **extra: Any) -> LearningEvent:
            return LearningEvent(
                kind=kind,
                usage_id=row.pk,
                resource_id=row.resource_id,
                resource_title=titles[row.resource_id],
                account_id=row.account_id,
                **{"at": row.at, **extra},
            )

        if row.kind != UsageKind.PLAY:
            events.append(event(str(row.kind)))
            continue
        events.append(event("play", progress=0.05))
        minutes = timedelta(minutes=round(12 * (row.progress or 0)))
        events.append(event("play", at=row.at + minutes, progress=row.progress, first=False))
    return platform_statements_write(events, backdate=True)


def _homework(rng: random.Random, pupil: Student, student: Account) -> int:
    app = RegisteredApp.objects.filter(application__name=HOMEWORK_APP).first()
    parent = Account.objects.filter(username="parent").first()
    if app is None or parent is None:
        return 0
    if not GuardianConsent.objects.filter(student=pupil, app=app, withdrawn_at__isnull=True).exists():
        consent_grant(actor=parent, student=pupil, app=app, origin=Origin(channel="cli"))
    credential_issue(app=app)
    client = Credential.objects.filter(app=app).latest("pk")
    now = timezone.now()
    items = []
    for i in range(12):
        name = HOMEWORK[i % len(HOMEWORK)]
        at = _local_at(now, days=2 * i + rng.uniform(0.5, 1.5), hour=rng.choice([18, 19, 20]), rng=rng)
        score = rng.randint(72, 100)
        items.append(
            {
                "id": _uuid(9000 + i),
                "actor": actor_for(student),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"zh-CN": "完成了"}},
                "object": {
                    "objectType": "Activity",
                    "id": f"https://zuoye.example.com/homework/{i % len(HOMEWORK) + 1}",
                    "definition": {
                        "type": "http://adlnet.gov/expapi/activities/assessment",
                        "name": {"zh-CN": name},
                    },
                },
                "result": {
                    "score": {"scaled": score / 100, "raw": score, "min": 0, "max": 100},
                    "success": score >= 60,
                    "completion": True,
                    "duration": f"PT{rng.randint(8, 35)}M{rng.randint(0, 59)}S",
                },
                "timestamp": format_timestamp(at),
            }
        )
    return statements_insert_new(client=client, items=items, authority=authority_for(client), backdate=True)


def _local_at(now: datetime, *, days: float, hour: int, rng: random.Random) -> datetime:
    """``days`` ago at ``hour`` (Beijing time, when pupils learn at home or at noon), never in the future."""
    at = timezone.localtime(now - timedelta(days=days)).replace(hour=hour, minute=rng.randrange(60))
    return min(at, now - timedelta(minutes=5))


def _uuid(seed: int) -> str:
    """A fixed statement id per demo item (a rebuilt demo writes the same statements)."""
    return str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))


def _unknown(rng: random.Random) -> int:
    app = RegisteredApp.objects.filter(application__name=CLASSROOM_APP).first()
    if app is None:
        return 0
    credential_issue(app=app)
    client = Credential.objects.filter(app=app).latest("pk")
    now = timezone.now()
    items = []
    for i in range(3):
        at = now - timedelta(days=rng.uniform(0, 10))
        items.append(
            {
                "id": _uuid(7000 + i),
                "actor": {"objectType": "Agent", "mbox": f"mailto:guest{i + 1}@ketang.example.com"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"zh-CN": "参加了"}},
                "object": {
                    "objectType": "Activity",
                    "id": f"https://ketang.example.com/lessons/{i + 1}",
                    "definition": {"name": {"zh-CN": f"公开课 第{i + 1}讲"}},
                },
                "timestamp": format_timestamp(at),
            }
        )
    return statements_insert_new(client=client, items=items, authority=authority_for(client), backdate=True)
