"""The 综合素质评价 pages: the growth home (my classes, my pupils), a class's term process (记录、遴选、公示、
异议、审核、归档), the record-for-the-class form and xlsx import, levels and comments, a pupil's portrait, the
graduation archive and its exports, evidence files. Adapters: parse, call one selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth import selectors, services
from zhijiao.growth.health import health_classes
from zhijiao.growth.models import (
    GrowthRecord,
    Level,
    Objection,
    ReviewState,
    StatementKind,
    TermReview,
)
from zhijiao.growth.process import publicity_open, review_missing
from zhijiao.growth.records import class_pupils, dimensions_for, framework_of, import_template
from zhijiao.growth.selectors_fitness import district_report, fitness_schools
from zhijiao.growth.who import CLASS_LEADERS, Relation, guarded_ids
from zhijiao.org.models import SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student

HOME = ("成长档案", "/growth/")
STEPS = [("selecting", "写实与遴选"), ("published", "公示"), ("audited", "审核"), ("archived", "归档")]


def _origin(request: HttpRequest) -> Origin:
    return Origin.from_request(request)


def _fail(request: HttpRequest, exc: ZhijiaoError) -> None:
    if exc.status != 400:
        raise exc
    messages.error(request, exc.message)


def _steps(review: TermReview | None) -> list[dict[str, Any]]:
    at = [s for s, _ in STEPS].index(review.state) if review else -1
    if review is not None and review.state == ReviewState.ARCHIVED:
        at = len(STEPS)  # every step done
    return [{"label": label, "done": i < at, "current": i == at} for i, (_, label) in enumerate(STEPS)]


def fitness_entry(actor: Actor) -> bool:
    """Does the account run a school's fitness tests or read a district's figures (the 体质健康 button)?"""
    if fitness_schools(actor=actor):
        return True
    try:
        district_report(actor=actor)
    except NotFound:
        return False
    return True


@login_required
def growth_home(request: HttpRequest) -> HttpResponse:
    """成长档案: my own portrait (pupils), my children's (guardians), the classes I lead or teach."""
    actor = request.user
    scope = scope_for(actor)
    own = Student.objects.filter(person_id=scope.person_id).select_related("school_class").first() if scope.has(
        "student") else None  # fmt: skip
    children = list(
        Student.objects.filter(pk__in=guarded_ids(actor)).select_related("person", "school", "school_class")
    )
    classes = selectors.led_classes(actor=actor)
    reviews = {
        r.school_class_id: r
        for r in TermReview.objects.filter(school_class__in=classes, term__is_current=True).select_related("term")
    }
    rows = [{"cls": c, "label": class_display_name(c), "review": reviews.get(c.pk)} for c in classes]
    publicity = {
        r.school_class_id
        for r in TermReview.objects.filter(
            school_class_id__in=[c.school_class_id for c in children], term__is_current=True
        )
        if publicity_open(r)
    }
    context = {
        "fitness": fitness_entry(actor),
        "health": bool(health_classes(actor=actor)),
        "own": own,
        "children": children,
        "publicity": publicity,
        "rows": rows,
        "breadcrumbs": [(HOME[0], None)],
    }
    return render(request, "growth/home.html", context)


def _class_context(request: HttpRequest, class_id: int) -> dict[str, Any]:
    page = selectors.class_review_get(actor=request.user, class_id=class_id)
    label = class_display_name(page.school_class)
    return {
        "page": page,
        "review": page.review,
        "label": label,
        "steps": _steps(page.review),
        "breadcrumbs": [HOME, (f"{page.school_class.school.name} {label}", None)],
    }


@login_required
def growth_class(request: HttpRequest, class_id: int) -> HttpResponse:
    """A class's term process: status, settings, the pupils' selections and levels, objections, the next step."""
    context = _class_context(request, class_id)
    return render(request, "growth/class.html", context)


@login_required
@require_POST
def growth_class_open(request: HttpRequest, class_id: int) -> HttpResponseBase:
    school_class = SchoolClass.objects.filter(pk=class_id).first()
    if school_class is None:
        raise NotFound()
    try:
        services.review_open(
            actor=request.user,
            school_class=school_class,
            origin=_origin(request),
            select_limit=_int(request.POST.get("select_limit"), 3),
            publicity_days=_int(request.POST.get("publicity_days"), 5),
        )
        messages.success(request, "已保存遴选与公示设置。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/classes/{class_id}/")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return -1


def _review_of(class_id: int) -> TermReview:
    review = TermReview.objects.filter(school_class_id=class_id, term__is_current=True).first()
    if review is None:
        raise NotFound()
    return review


@login_required
@require_POST
def growth_class_step(request: HttpRequest, class_id: int, step: str) -> HttpResponseBase:
    """公示 / 审核 / 归档: one button each, the services decide whether it may happen now."""
    review = _review_of(class_id)
    actions: dict[str, tuple[Callable[..., Any], str]] = {
        "publish": (services.review_publish, "已发布公示，家长和任课教师现在可以查看并提出异议。"),
        "audit": (services.review_audit, "审核通过。"),
        "archive": (services.review_archive, "已归档，本学期评价已锁定。"),
    }
    if step not in actions:
        raise NotFound()
    service, done = actions[step]
    kwargs: dict[str, Any] = {"actor": request.user, "review": review, "origin": _origin(request)}
    if step == "audit":
        kwargs["note"] = request.POST.get("note", "")
    try:
        service(**kwargs)
        messages.success(request, done)
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/classes/{class_id}/")


def _record_input(post: Any) -> services.RecordInput:
    return services.RecordInput(
        dimension=post.get("dimension", ""),
        title=post.get("title", ""),
        occurred_on=post.get("occurred_on", ""),
        description=post.get("description", ""),
        place=post.get("place", ""),
        hours=post.get("hours") or None,
        vouched_by=post.get("vouched_by", ""),
        links=[x for x in post.get("links", "").split() if x],
    )


@login_required
def growth_class_record(request: HttpRequest, class_id: int) -> HttpResponse:
    """为全班记录: one activity → many pupils; and 导入获奖与活动 (xlsx)."""
    context = _class_context(request, class_id)
    page = context["page"]
    if not page.relations & (CLASS_LEADERS | {Relation.TEACHER}):
        raise NotFound()
    school_class = page.school_class
    pupils = class_pupils(school_class)
    form: dict[str, Any] = {"checked": {p.pk for p in pupils}, "occurred_on": timezone.localdate().isoformat()}
    outcome = None
    if request.method == "POST" and request.POST.get("form") == "import":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件。")
        else:
            try:
                outcome = services.records_import(
                    actor=request.user, school_class=school_class, data=upload.read(), name=upload.name or "",
                    origin=_origin(request),
                )  # fmt: skip
                if outcome.ok:
                    messages.success(
                        request,
                        f"已导入：新增 {outcome.created} 条，已存在 {outcome.unchanged} 条"
                        f"（共 {outcome.rows_in} 行）。",
                    )
            except ZhijiaoError as exc:
                _fail(request, exc)
    elif request.method == "POST":
        form = {**request.POST.dict()}
        ids = [int(i) for i in request.POST.getlist("pupils") if i.isdigit()]
        form["checked"] = set(ids)
        try:
            records = services.class_activity_record(
                actor=request.user, school_class=school_class, student_ids=ids, data=_record_input(request.POST),
                origin=_origin(request),
            )  # fmt: skip
            messages.success(request, f"已为 {len(records)} 名学生记录“{records[0].title}”。")
            return redirect(f"/growth/classes/{class_id}/record/")
        except ZhijiaoError as exc:
            _fail(request, exc)
    recent: list[dict[str, Any]] = [
        dict(row)
        for row in GrowthRecord.objects.filter(school_class=school_class, term__is_current=True)
        .exclude(activity="")
        .exclude(activity__startswith="import-")
        .values("activity", "title", "dimension", "occurred_on")
        .distinct()
        .order_by("-occurred_on")[:8]
    ]
    dims = dict(dimensions_for(framework_of(school_class)))
    for item in recent:
        item["dimension_name"] = dims.get(item["dimension"], "")
        item["count"] = GrowthRecord.objects.filter(activity=item["activity"]).count()
    context.update(
        {
            "pupils": pupils,
            "form": form,
            "outcome": outcome,
            "dimensions": dimensions_for(framework_of(school_class)),
            "recent": recent,
            "breadcrumbs": [HOME, (f"{context['label']}", f"/growth/classes/{class_id}/"), ("为全班记录", None)],
        }
    )
    return render(request, "growth/class_record.html", context)


@login_required
def growth_class_template(request: HttpRequest, class_id: int) -> HttpResponse:
    """The import file's template (columns and two example rows)."""
    page = selectors.class_review_get(actor=request.user, class_id=class_id)
    if not page.leads:
        raise NotFound()
    response = HttpResponse(
        import_template(page.school_class),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('获奖与活动导入模板.xlsx')}"
    return response


@login_required
def growth_class_levels(request: HttpRequest, class_id: int) -> HttpResponse:
    """等级与评语: the 班主任 sets each pupil's level per dimension and writes 教师评语."""
    context = _class_context(request, class_id)
    page = context["page"]
    review = page.review
    if not page.leads or review is None:
        raise NotFound()
    pupils = class_pupils(page.school_class)
    dims = dimensions_for(page.framework)
    if request.method == "POST":
        sheet_levels = {(p.pk, code): request.POST.get(f"l-{p.pk}-{code}", "") for p in pupils for code, _ in dims}
        sheet_comments = {p.pk: request.POST.get(f"c-{p.pk}", "") for p in pupils}
        try:
            services.class_sheet_save(
                actor=request.user, review=review, levels=sheet_levels, comments=sheet_comments,
                origin=_origin(request),
            )  # fmt: skip
            messages.success(request, "已保存等级与评语。")
            return redirect(f"/growth/classes/{class_id}/levels/")
        except ZhijiaoError as exc:
            _fail(request, exc)
    levels: dict[tuple[int, str], str] = {
        (sid, d): lv for sid, d, lv in review.levels.values_list("student_id", "dimension", "level")
    }
    comments = dict(review.statements.filter(kind=StatementKind.TEACHER_COMMENT).values_list("student_id", "text"))
    selves = dict(review.statements.filter(kind=StatementKind.SELF).values_list("student_id", "text"))
    rows = [
        {
            "p": p,
            "levels": [(code, levels.get((p.pk, code), "")) for code, _ in dims],
            "comment": comments.get(p.pk, ""),
            "self": selves.get(p.pk, ""),
        }
        for p in pupils
    ]
    context.update(
        {
            "rows": rows,
            "dims": dims,
            "level_choices": Level.choices,
            "editable": review.state in (ReviewState.SELECTING, ReviewState.PUBLISHED),
            "missing": review_missing(review),
            "breadcrumbs": [HOME, (context["label"], f"/growth/classes/{class_id}/"), ("等级与评语", None)],
        }
    )
    return render(request, "growth/class_levels.html", context)


@login_required
@require_POST
def growth_objection_raise(request: HttpRequest, class_id: int, record_id: int) -> HttpResponseBase:
    review = _review_of(class_id)
    record = GrowthRecord.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound()
    try:
        services.objection_raise(
            actor=request.user, review=review, record=record, reason=request.POST.get("reason", ""),
            origin=_origin(request),
        )  # fmt: skip
        messages.success(request, "异议已提交，学校将在公示期内答复。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/classes/{class_id}/#objections")


@login_required
@require_POST
def growth_objection_answer(request: HttpRequest, objection_id: int) -> HttpResponseBase:
    objection = Objection.objects.select_related("review").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound()
    decision = request.POST.get("decision", "")
    outcome = {"correct": "corrected", "withdraw": "withdrawn"}.get(decision, "")
    correction = _record_input(request.POST) if outcome == "corrected" else None
    if correction is not None:
        correction.dimension = objection.record.dimension
    try:
        services.objection_answer(
            actor=request.user, objection=objection, upheld=decision in ("correct", "withdraw"),
            answer=request.POST.get("answer", ""), outcome=outcome, correction=correction, origin=_origin(request),
        )  # fmt: skip
        messages.success(request, "已答复异议。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/classes/{objection.review.school_class_id}/#objections")
