"""Writes of 网络教研: groups and members, activities, plan versions, comments, rubric scores, summaries, the lesson
video, publishing a final plan to the resource centre (through its own services and review). Each contribution
records the contributor's :class:`Participation`, which 继续教育学时 count (``hours.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.resources.models import Resource, ResourceFile, ResourceType, SharingScope
from zhijiao.resources.services import ResourceData, UploadedFile, resource_create, resource_submit
from zhijiao.resources.storage import blob_store, guess_mime
from zhijiao.spaces.research import selectors
from zhijiao.spaces.research.errors import ResearchError
from zhijiao.spaces.research.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Comment,
    GroupKind,
    GroupMember,
    Participation,
    PlanVersion,
    ResearchGroup,
    RubricScore,
)

VIDEO_EXTENSIONS = ("mp4", "m4v", "webm", "ogv", "mov")
DEFAULT_RUBRIC = [
    {"name": "教学目标", "points": 20},
    {"name": "教学过程", "points": 30},
    {"name": "学生参与", "points": 25},
    {"name": "教学效果", "points": 25},
]


def _target(obj: ResearchGroup | Activity) -> Target:
    if isinstance(obj, ResearchGroup):
        return Target("research_group", str(obj.pk), obj.name)
    return Target("research_activity", str(obj.pk), obj.title)


def _leader_required(actor: Actor, group: ResearchGroup) -> None:
    if not selectors.group_manages(actor=actor, group=group):
        raise Forbidden(ResearchError.RESEARCH_NOT_LEADER.message)


def _member_required(actor: Actor, group: ResearchGroup) -> None:
    if not selectors.group_is_member(actor=actor, group=group):
        raise Forbidden(ResearchError.RESEARCH_NOT_MEMBER.message)


def _open_required(activity: Activity) -> None:
    if activity.status == ActivityStatus.FINISHED:
        raise ZhijiaoError(ResearchError.RESEARCH_FINISHED, status=409)


def _text(value: str, *, limit: int, field: str, code: ResearchError = ResearchError.RESEARCH_BODY_REQUIRED) -> str:
    value = (value or "").strip()
    if not value:
        raise ZhijiaoError(code, field=field)
    if len(value) > limit:
        raise ZhijiaoError(ResearchError.RESEARCH_TOO_LONG, field=field, detail=f"最多 {limit} 字")
    return value


def participation_record(*, activity: Activity, account_id: int) -> None:
    """The account took part (idempotent: once per activity)."""
    Participation.objects.get_or_create(
        activity=activity, account_id=account_id, defaults={"year": timezone.localtime(activity.starts_at).year}
    )


# ------------------------------------------------------------------------------------------------ groups
@transaction.atomic
def group_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    origin: Origin,
    school: School | None = None,
    division: Division | None = None,
    leader: Account | None = None,
    subject: str = "",
    description: str = "",
    is_private: bool = True,
) -> ResearchGroup:
    """A 教研组 of a school (its 学校管理员), or a 研修共同体 / 名师工作室 of a division (区域管理员 or 教研员
    there, the platform); ``leader`` defaults to the actor and joins as a member."""
    selectors.research_require(actor)
    name = _text(name, limit=60, field="名称", code=ResearchError.RESEARCH_NAME_REQUIRED)
    if kind not in GroupKind.values:
        raise ZhijiaoError(ResearchError.RESEARCH_KIND_UNKNOWN, field="类型")
    nodes = selectors.group_create_nodes(actor=actor)
    scope = scope_for(actor)
    if kind == GroupKind.SCHOOL:
        ok = school is not None and (
            scope.is_platform_admin or school in nodes["schools"] or scope.governs(school.division_id)
        )
        division = school.division if school is not None else None
    else:
        school = None
        ok = division is not None and (
            scope.is_platform_admin or any(division.code.startswith(d.code) for d in nodes["divisions"])
        )
    if not ok or division is None:
        raise Forbidden(ResearchError.RESEARCH_NODE_NOT_ALLOWED.message)
    leader = leader or Account.objects.get(pk=actor.pk)
    group = ResearchGroup.objects.create(
        name=name,
        kind=kind,
        subject=subject,
        school=school,
        division=division,
        leader=leader,
        description=(description or "").strip()[:2000],
        is_private=is_private,
        created_by_id=actor.pk,
    )
    GroupMember.objects.create(group=group, account=leader)
    audit_record(actor=actor, action="research.group_create", origin=origin, target=_target(group))
    return group


@transaction.atomic
def member_add(*, actor: Actor, group: ResearchGroup, account_id: int, origin: Origin) -> GroupMember:
    """The leader (or an administrator over the group) adds a teacher of the group's area."""
    _leader_required(actor, group)
    account = Account.objects.filter(pk=account_id, is_active=True).first()
    in_area = account is not None and any(
        a.pk == account.pk for a, _ in selectors.member_candidates(group=group, query=account.username, limit=5)
    )
    if account is None or not in_area:
        raise ZhijiaoError(ResearchError.RESEARCH_MEMBER_UNKNOWN, field="成员")
    member, created = GroupMember.objects.get_or_create(group=group, account=account)
    if created:
        audit_record(
            actor=actor,
            action="research.member_add",
            origin=origin,
            target=Target("account", str(account.pk), str(account)),
        )
    return member


@transaction.atomic
def member_remove(*, actor: Actor, group: ResearchGroup, account_id: int, origin: Origin) -> None:
    _leader_required(actor, group)
    if account_id == group.leader_id:
        raise ZhijiaoError(ResearchError.RESEARCH_LEADER_STAYS, status=409)
    if GroupMember.objects.filter(group=group, account_id=account_id).delete()[0]:
        audit_record(
            actor=actor, action="research.member_remove", origin=origin, target=Target("account", str(account_id))
        )


# ------------------------------------------------------------------------------------------------ activities
def rubric_parse(text: str) -> list[dict]:
    """ "评价项目 分值" per line → [{"name", "points"}]; a clear error names the line."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _, points = line.replace("\t", " ").rpartition(" ")
        if not name.strip() or not points.isdigit() or not 1 <= int(points) <= 100:
            raise ZhijiaoError(ResearchError.RESEARCH_RUBRIC_INVALID, field=f"评分量表第 {number} 行")
        rows.append({"name": name.strip()[:30], "points": int(points)})
    if not rows:
        raise ZhijiaoError(ResearchError.RESEARCH_RUBRIC_INVALID, field="评分量表")
    return rows


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    group: ResearchGroup,
    kind: str,
    title: str,
    starts_at: datetime | None,
    origin: Origin,
    description: str = "",
    place: str = "",
    rubric: list[dict] | None = None,
    live: bool = False,
) -> Activity:
    """The leader schedules a 集体备课 or 听评课; any member opens a 主题研讨 thread."""
    if kind not in ActivityKind.values:
        raise ZhijiaoError(ResearchError.RESEARCH_KIND_UNKNOWN, field="类型")
    if kind == ActivityKind.SEMINAR:
        _member_required(actor, group)
    else:
        _leader_required(actor, group)
    title = _text(title, limit=80, field="主题", code=ResearchError.RESEARCH_TITLE_REQUIRED)
    if kind == ActivityKind.SEMINAR:
        starts_at = starts_at or timezone.now()
        description = _text(description, limit=5000, field="内容")
    if starts_at is None:
        raise ZhijiaoError(ResearchError.RESEARCH_TIME_REQUIRED, field="时间")
    activity = Activity.objects.create(
        group=group,
        kind=kind,
        title=title,
        description=(description or "").strip()[:5000],
        starts_at=starts_at,
        place=(place or "").strip()[:60],
        created_by_id=actor.pk,
        rubric=(rubric or DEFAULT_RUBRIC) if kind == ActivityKind.OBSERVATION else [],
        live=live and kind == ActivityKind.OBSERVATION,
    )
    if kind == ActivityKind.SEMINAR:
        participation_record(activity=activity, account_id=actor.pk)
    audit_record(actor=actor, action="research.activity_create", origin=origin, target=_target(activity))
    return activity


def _kind_required(activity: Activity, kind: str) -> None:
    if activity.kind != kind:
        raise ZhijiaoError(ResearchError.RESEARCH_WRONG_KIND, status=409)


@transaction.atomic
def activity_join(*, actor: Actor, activity: Activity) -> None:
    """签到: a member records that they took part (a live observation, a meeting)."""
    _member_required(actor, activity.group)
    participation_record(activity=activity, account_id=actor.pk)


@transaction.atomic
def activity_finish(*, actor: Actor, activity: Activity, origin: Origin) -> Activity:
    _leader_required(actor, activity.group)
    activity.status = ActivityStatus.FINISHED
    activity.save(update_fields=["status"])
    audit_record(actor=actor, action="research.activity_finish", origin=origin, target=_target(activity))
    return activity


# ------------------------------------------------------------------------------------------------ 集体备课
@transaction.atomic
def plan_save(*, actor: Actor, activity: Activity, body: str, note: str = "") -> PlanVersion:
    """A member saves the co-written plan: every save is a new version."""
    _kind_required(activity, ActivityKind.LESSON_PLAN)
    _member_required(actor, activity.group)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    _open_required(locked)
    body = _text(body, limit=50000, field="教案")
    number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        activity=locked, number=number, body=body, note=(note or "").strip()[:100], author_id=actor.pk
    )
    participation_record(activity=locked, account_id=actor.pk)
    return version


@transaction.atomic
def plan_final(*, actor: Actor, activity: Activity, version_id: int, origin: Origin) -> PlanVersion:
    """The leader marks one version as the final plan."""
    _kind_required(activity, ActivityKind.LESSON_PLAN)
    _leader_required(actor, activity.group)
    version = PlanVersion.objects.filter(activity=activity, pk=version_id).first()
    if version is None:
        raise ZhijiaoError(ResearchError.RESEARCH_NO_VERSION, field="版本")
    activity.final_version = version
    activity.save(update_fields=["final_version"])
    audit_record(actor=actor, action="research.plan_final", origin=origin, target=_target(activity))
    return version


@transaction.atomic
def plan_publish(*, actor: Actor, activity: Activity, stage: str, origin: Origin) -> Resource:
    """The leader submits the final plan to the resource centre as a 教案, through its normal review (一审 by the
    school, 二审 by the bureau). The resource is the leader's (their school's, or a bureau's)."""
    _kind_required(activity, ActivityKind.LESSON_PLAN)
    _leader_required(actor, activity.group)
    locked = (
        Activity.objects.select_for_update(of=("self",)).select_related("final_version", "group").get(pk=activity.pk)
    )
    if locked.resource_id is not None:
        raise ZhijiaoError(ResearchError.RESEARCH_ALREADY_PUBLISHED, status=409)
    final = locked.final_version
    if final is None:
        raise ZhijiaoError(ResearchError.RESEARCH_NO_FINAL, status=409)
    author = Account.objects.get(pk=actor.pk)
    text = f"# {locked.title}\n\n{final.body}\n\n——{locked.group.name} 集体备课定稿（第 {final.number} 版）\n"
    data = ResourceData(
        title=locked.title,
        type=ResourceType.LESSON_PLAN,
        stage=stage if stage in ("1", "2", "3", "4") else "2",
        subject=locked.group.subject or "13",
        description=f"{locked.group.name}集体备课成果。",
        keywords="集体备课",
        sharing=SharingScope.DISTRICT,
    )
    result = resource_create(
        actor=author, data=data, upload=UploadedFile.from_bytes(f"{locked.title}.md", text.encode()), origin=origin
    )
    resource = resource_submit(actor=author, resource=result.resource, origin=origin)
    locked.resource = resource
    locked.save(update_fields=["resource"])
    audit_record(actor=actor, action="research.plan_publish", origin=origin, target=_target(locked))
    return resource


# ------------------------------------------------------------------------------------------------ comments
@transaction.atomic
def comment_add(
    *,
    actor: Actor,
    activity: Activity,
    body: str,
    at_second: int | None = None,
    version_id: int | None = None,
) -> Comment:
    """A member comments: on a plan version, at a moment of the lesson video, or as a reply in a thread."""
    _member_required(actor, activity.group)
    _open_required(activity)
    body = _text(body, limit=2000, field="评论")
    version = None
    if activity.kind == ActivityKind.LESSON_PLAN:
        version = (
            PlanVersion.objects.filter(activity=activity, pk=version_id).first()
            if version_id
            else activity.versions.order_by("-number").first()
        )
    if at_second is not None and (activity.kind != ActivityKind.OBSERVATION or not 0 <= at_second <= 24 * 3600):
        raise ZhijiaoError(ResearchError.RESEARCH_TIME_INVALID, field="时间点")
    comment = Comment.objects.create(
        activity=activity, author_id=actor.pk, body=body, version=version, at_second=at_second
    )
    participation_record(activity=activity, account_id=actor.pk)
    return comment


# ------------------------------------------------------------------------------------------------ 听评课
@transaction.atomic
def rubric_set(*, actor: Actor, activity: Activity, rubric: list[dict]) -> Activity:
    """The group's rubric for this lesson (the leader chooses; fixed once the first score is in)."""
    _kind_required(activity, ActivityKind.OBSERVATION)
    _leader_required(actor, activity.group)
    if activity.scores.exists():
        raise ZhijiaoError(ResearchError.RESEARCH_FINISHED, detail="已有评分，量表不能再改", status=409)
    activity.rubric = rubric
    activity.save(update_fields=["rubric"])
    return activity


@transaction.atomic
def score_submit(
    *, actor: Actor, activity: Activity, points: Iterable[str | int | float], remark: str = ""
) -> RubricScore:
    """An observer's scores, one per rubric criterion (0 … its points); a second submission replaces the first."""
    _kind_required(activity, ActivityKind.OBSERVATION)
    _member_required(actor, activity.group)
    _open_required(activity)
    values = []
    given = list(points)
    if len(given) != len(activity.rubric):
        raise ZhijiaoError(ResearchError.RESEARCH_SCORE_INVALID, field="评分")
    for criterion, raw in zip(activity.rubric, given, strict=True):
        try:
            value = Decimal(str(raw).strip())
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or not 0 <= value <= criterion["points"]:
            raise ZhijiaoError(
                ResearchError.RESEARCH_SCORE_INVALID, field=criterion["name"], detail=f"0–{criterion['points']} 分"
            )
        values.append(float(value.quantize(Decimal("0.1"))))
    score, _ = RubricScore.objects.update_or_create(
        activity=activity,
        observer_id=actor.pk,
        defaults={"points": values, "total": Decimal(str(sum(values))), "remark": (remark or "").strip()[:300]},
    )
    participation_record(activity=activity, account_id=actor.pk)
    return score


@transaction.atomic
def summary_write(*, actor: Actor, activity: Activity, summary: str, origin: Origin) -> Activity:
    """The leader's summary of a 听评课 (or any activity); it closes the activity."""
    _leader_required(actor, activity.group)
    activity.summary = _text(summary, limit=5000, field="总结")
    activity.summary_at = timezone.now()
    activity.status = ActivityStatus.FINISHED
    activity.save(update_fields=["summary", "summary_at", "status"])
    participation_record(activity=activity, account_id=actor.pk)
    audit_record(actor=actor, action="research.summary", origin=origin, target=_target(activity))
    return activity


@transaction.atomic
def video_attach(*, actor: Actor, activity: Activity, name: str, chunks: Iterable[bytes], origin: Origin) -> Activity:
    """The leader uploads the lesson video into the resource centre's file store (same bytes stored once); it is
    served by the ranged file answer with the user-file headers, inline only as a safe-listed video type."""
    _kind_required(activity, ActivityKind.OBSERVATION)
    _leader_required(actor, activity.group)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in VIDEO_EXTENSIONS:
        raise ZhijiaoError(ResearchError.RESEARCH_VIDEO_TYPE, field="课堂视频")
    max_bytes = settings.ZHIJIAO_RESOURCE_MAX_MB * 1024 * 1024
    try:
        stored = blob_store(chunks, max_bytes=max_bytes)
    except OverflowError as exc:
        raise ZhijiaoError(
            ResearchError.RESEARCH_TOO_LONG, field="课堂视频", detail=f"上限 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB"
        ) from exc
    if stored.size == 0:
        raise ZhijiaoError(ResearchError.RESEARCH_BODY_REQUIRED, field="课堂视频")
    file, _ = ResourceFile.objects.get_or_create(
        sha256=stored.sha256, defaults={"size": stored.size, "mime": guess_mime(name)}
    )
    activity.video_file = file
    activity.video_name = name[:255]
    activity.live = False
    activity.save(update_fields=["video_file", "video_name", "live"])
    audit_record(actor=actor, action="research.video_attach", origin=origin, target=_target(activity))
    return activity
