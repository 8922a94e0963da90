"""网络教研 pages: the research home, a group (members, schedule, threads), an activity (集体备课 / 听评课 / 主题研讨)
and the lesson video. Adapters: parse, call one selector or service, render; a user's mistake comes back as a
message naming the field, nothing saved."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_choices, code_name
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import Division, School
from zhijiao.resources.views_files import file_answer
from zhijiao.spaces.research import hours as hours_mod
from zhijiao.spaces.research import selectors, services
from zhijiao.spaces.research.models import Activity, ActivityKind, ActivityStatus, GroupKind

CRUMBS = [("我的空间", "/space/"), ("网络教研", "/space/research/")]


def _origin(request: HttpRequest) -> Origin:
    return Origin.from_request(request)


def _when(value: str) -> datetime | None:
    try:
        day = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return timezone.make_aware(day) if timezone.is_naive(day) else day


def _attempt(request: HttpRequest, action: Callable[[], object], ok: str) -> bool:
    """Run a service; a user's mistake (400/409) becomes an error message, anything else propagates."""
    try:
        action()
    except ZhijiaoError as exc:
        if exc.status not in (400, 409):
            raise
        messages.error(request, exc.message)
        return False
    if ok:
        messages.success(request, ok)
    return True


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@login_required
def research_home(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.group_list(actor=request.user))
    mine = [g for g in groups if selectors.group_is_member(actor=request.user, group=g)]
    others = [g for g in groups if g not in mine]
    open_ones = selectors.activity_list(actor=request.user).filter(status=ActivityStatus.OPEN)
    now = timezone.now()
    upcoming = [
        *open_ones.filter(starts_at__gte=now).order_by("starts_at")[:6],  # coming first, soonest first
        *open_ones.filter(starts_at__lt=now)[:4],  # then those still open (threads, unfinished work), newest first
    ]
    year = timezone.localdate().year
    nodes = selectors.group_create_nodes(actor=request.user)
    post = hours_mod.account_post(request.user.pk)
    context = {
        "mine": mine,
        "others": others,
        "upcoming": upcoming,
        "hours": hours_mod.teacher_hours(account_id=request.user.pk, year=year) if post else None,
        "year": year,
        "nodes": nodes,
        "may_create": bool(nodes["schools"] or nodes["divisions"]),
        "kinds": GroupKind.choices,
        "subjects": code_choices("subject"),
        "breadcrumbs": [("我的空间", "/space/"), ("网络教研", None)],
    }
    return render(request, "spaces/research/home.html", context)


@login_required
@require_POST
def group_new(request: HttpRequest) -> HttpResponse:
    form = request.POST
    node = form.get("node", "")
    kind_of, _, ident = node.partition(":")
    school = School.objects.filter(pk=_int(ident) or 0).first() if kind_of == "school" else None
    division = Division.objects.filter(pk=ident).first() if kind_of == "division" and ident.isdigit() else None
    made: list = []

    def create() -> None:
        made.append(
            services.group_create(
                actor=request.user,
                name=form.get("name", ""),
                kind=form.get("kind", ""),
                school=school,
                division=division,
                subject=form.get("subject", "")[:4],
                description=form.get("description", ""),
                is_private=form.get("is_private") == "on",
                origin=_origin(request),
            )
        )

    if _attempt(request, create, "教研组织已建立。"):
        return redirect("research-group", group_id=made[0].pk)
    return redirect("research-home")


@login_required
def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get(actor=request.user, group_id=group_id)
    members = selectors.group_members(group=group)
    schools = selectors.member_schools(accounts=members)
    manages = selectors.group_manages(actor=request.user, group=group)
    query = request.GET.get("q", "")[:20]
    activities = list(selectors.activity_list(actor=request.user, group=group))
    context = {
        "group": group,
        "subject": code_name("subject", group.subject) if group.subject else "",
        "members": [(m, schools.get(m.pk, "")) for m in members],
        "manages": manages,
        "is_member": selectors.group_is_member(actor=request.user, group=group),
        "schedule": [a for a in activities if a.kind != ActivityKind.SEMINAR],
        "threads": [a for a in activities if a.kind == ActivityKind.SEMINAR],
        "query": query,
        "candidates": selectors.member_candidates(group=group, query=query) if manages and query else [],
        "breadcrumbs": [*CRUMBS, (group.name, None)],
    }
    return render(request, "spaces/research/group.html", context)


@login_required
@require_POST
def group_members(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get(actor=request.user, group_id=group_id)
    account_id = _int(request.POST.get("account")) or 0
    if request.POST.get("remove"):
        _attempt(
            request,
            lambda: services.member_remove(
                actor=request.user, group=group, account_id=account_id, origin=_origin(request)
            ),
            "已移出本组。",
        )
    else:
        _attempt(
            request,
            lambda: services.member_add(
                actor=request.user, group=group, account_id=account_id, origin=_origin(request)
            ),
            "已加入本组。",
        )
    return redirect("research-group", group_id=group.pk)


@login_required
@require_POST
def activity_new(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get(actor=request.user, group_id=group_id)
    form = request.POST
    made: list[Activity] = []

    def create() -> None:
        rubric = services.rubric_parse(form["rubric"]) if form.get("rubric", "").strip() else None
        made.append(
            services.activity_create(
                actor=request.user,
                group=group,
                kind=form.get("kind", ""),
                title=form.get("title", ""),
                starts_at=_when(form.get("starts_at", "")),
                description=form.get("description", ""),
                place=form.get("place", ""),
                rubric=rubric,
                live=form.get("live") == "on",
                origin=_origin(request),
            )
        )

    if _attempt(request, create, ""):
        return redirect("research-activity", activity_id=made[0].pk)
    return redirect("research-group", group_id=group.pk)


def _diff(old: str, new: str, *, context: int = 2) -> list[tuple[str, str]]:
    """Line diff of two plan versions: ("add" | "del" | "same", line), unchanged runs longer than the context
    around a change folded into one ("fold", "N 行未改动")."""
    rows = [
        ({"+ ": "add", "- ": "del"}.get(line[:2], "same"), line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if not line.startswith("? ")
    ]
    near = {
        j
        for i, (tag, _) in enumerate(rows)
        if tag != "same"
        for j in range(max(0, i - context), min(len(rows), i + context + 1))
    }
    folded: list[tuple[str, str]] = []
    hidden = 0
    for i, row in enumerate(rows):
        if i in near:
            if hidden:
                folded.append(("fold", f"…… {hidden} 行未改动 ……"))
                hidden = 0
            folded.append(row)
        else:
            hidden += 1
    if hidden:
        folded.append(("fold", f"…… {hidden} 行未改动 ……"))
    return folded


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return (
        f"{seconds // 60:02d}:{seconds % 60:02d}"
        if seconds < 3600
        else f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    )


@login_required
def activity_page(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    group = activity.group
    versions = list(activity.versions.select_related("author"))
    shown = versions[0] if versions else None
    wanted = _int(request.GET.get("v"))
    if wanted:
        shown = next((v for v in versions if v.number == wanted), shown)
    previous = next((v for v in versions if shown and v.number < shown.number), None)
    comments = list(activity.comments.select_related("author", "version").order_by("at_second", "created_at"))
    if activity.kind != ActivityKind.OBSERVATION:
        comments.sort(key=lambda c: c.created_at)
    for c in comments:
        c.clock = _clock(c.at_second)  # type: ignore[attr-defined]
    scores = list(activity.scores.select_related("observer").order_by("-total"))
    averages = []
    if scores and activity.rubric:
        for i, criterion in enumerate(activity.rubric):
            avg = sum(s.points[i] for s in scores) / len(scores)
            averages.append(
                {
                    "name": criterion["name"],
                    "points": criterion["points"],
                    "avg": round(avg, 1),
                    "percent": round(100 * avg / criterion["points"]),
                }
            )
    mine = next((s for s in scores if s.observer_id == request.user.pk), None)
    context = {
        "activity": activity,
        "group": group,
        "manages": selectors.group_manages(actor=request.user, group=group),
        "is_member": selectors.group_is_member(actor=request.user, group=group),
        "versions": versions,
        "shown": shown,
        "previous": previous,
        "diff": _diff(previous.body, shown.body) if shown and previous else [],
        "comments": comments,
        "scores": scores,
        "averages": averages,
        "average_total": round(sum(float(s.total) for s in scores) / len(scores), 1) if scores else None,
        "rubric_max": sum(c["points"] for c in activity.rubric),
        "mine": mine,
        "rubric_rows": [(c, (mine.points[i] if mine else "")) for i, c in enumerate(activity.rubric)],
        "rubric_text": "\n".join(f"{c['name']} {c['points']}" for c in activity.rubric),
        "participants": activity.participations.count(),
        "joined": activity.participations.filter(account_id=request.user.pk or 0).exists(),
        "stages": code_choices("stage"),
        "breadcrumbs": [*CRUMBS, (group.name, f"/space/research/groups/{group.pk}/"), (activity.title, None)],
    }
    return render(request, f"spaces/research/activity_{activity.kind}.html", context)


def _activity_post(view: Callable[[HttpRequest, Activity], object]) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST on an activity: look it up (404 outside the reader's view), run ``view``, back to the page."""

    @login_required
    @require_POST
    def wrapped(request: HttpRequest, activity_id: int) -> HttpResponse:
        activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
        view(request, activity)
        anchor = request.POST.get("next_anchor", "")
        url = f"/space/research/activities/{activity.pk}/"
        return redirect(url + (f"#{anchor}" if anchor.isidentifier() else ""))

    wrapped.__name__ = view.__name__
    return wrapped


@_activity_post
def plan_save(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.plan_save(
            actor=request.user, activity=activity, body=request.POST.get("body", ""), note=request.POST.get("note", "")
        ),
        "已保存为新版本。",
    )


@_activity_post
def plan_final(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.plan_final(
            actor=request.user,
            activity=activity,
            version_id=_int(request.POST.get("version")) or 0,
            origin=_origin(request),
        ),
        "已确定定稿。",
    )


@_activity_post
def plan_publish(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.plan_publish(
            actor=request.user, activity=activity, stage=request.POST.get("stage", "2"), origin=_origin(request)
        ),
        "定稿已提交资源中心，等待审核。",
    )


@_activity_post
def comment_add(request: HttpRequest, activity: Activity) -> None:
    second = request.POST.get("at_second", "").strip()
    at = None
    if second:
        try:
            at = int(float(second))
        except ValueError:
            at = -1
    _attempt(
        request,
        lambda: services.comment_add(
            actor=request.user,
            activity=activity,
            body=request.POST.get("body", ""),
            at_second=at,
            version_id=_int(request.POST.get("version")),
        ),
        "评论已发表。",
    )


@_activity_post
def score_submit(request: HttpRequest, activity: Activity) -> None:
    points = [request.POST.get(f"c{i}", "") for i in range(len(activity.rubric))]
    _attempt(
        request,
        lambda: services.score_submit(
            actor=request.user, activity=activity, points=points, remark=request.POST.get("remark", "")
        ),
        "评分已提交。",
    )


@_activity_post
def rubric_set(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.rubric_set(
            actor=request.user, activity=activity, rubric=services.rubric_parse(request.POST.get("rubric", ""))
        ),
        "评分量表已更新。",
    )


@_activity_post
def summary_write(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.summary_write(
            actor=request.user, activity=activity, summary=request.POST.get("summary", ""), origin=_origin(request)
        ),
        "总结已发布，活动结束。",
    )


@_activity_post
def activity_join(request: HttpRequest, activity: Activity) -> None:
    _attempt(request, lambda: services.activity_join(actor=request.user, activity=activity), "已签到。")


@_activity_post
def activity_finish(request: HttpRequest, activity: Activity) -> None:
    _attempt(
        request,
        lambda: services.activity_finish(actor=request.user, activity=activity, origin=_origin(request)),
        "活动已结束。",
    )


@_activity_post
def video_upload(request: HttpRequest, activity: Activity) -> None:
    upload = request.FILES.get("video")
    if upload is None:
        messages.error(request, "课堂视频：请选择文件")
        return
    _attempt(
        request,
        lambda: services.video_attach(
            actor=request.user,
            activity=activity,
            name=upload.name or "",
            chunks=upload.chunks(),
            origin=_origin(request),
        ),
        "课堂视频已上传。",
    )


@login_required
def video(request: HttpRequest, activity_id: int) -> HttpResponseBase:
    """The lesson video, for whoever sees the activity: the resource centre's ranged file answer (seekable; the
    user-file headers; inline only for a safe-listed video type)."""
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    if activity.video_file is None:
        raise NotFound()
    return file_answer(request, sha256=activity.video_file.sha256, name=activity.video_name, inline=True)
