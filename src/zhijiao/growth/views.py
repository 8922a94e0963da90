"""The 综合素质评价 pages: the growth home (my classes, my pupils), a class's term process (记录、遴选、公示、
异议、审核、归档), the record-for-the-class form and xlsx import, levels and comments, a pupil's portrait, the
graduation archive and its exports, evidence files. Adapters: parse, call one selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.growth import selectors, services
from zhijiao.growth.archive import archive_get
from zhijiao.growth.models import (
    HOME_DIMENSIONS,
    GrowthRecord,
    Level,
    Objection,
    ReviewState,
    StatementKind,
    TermReview,
)
from zhijiao.growth.process import publicity_open, review_missing
from zhijiao.growth.records import class_pupils, dimensions_for, framework_of, import_template
from zhijiao.growth.who import CLASS_LEADERS, Relation, guarded_ids
from zhijiao.org.models import SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student
from zhijiao.resources.ranged import blob_response
from zhijiao.resources.serving import blob_delivery, files_origin, files_url, harden

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
        saved = 0
        try:
            for p in pupils:
                for code, _ in dims:
                    value = request.POST.get(f"l-{p.pk}-{code}", "")
                    if value:
                        services.level_set(
                            actor=request.user, review=review, student=p, dimension=code, level=value,
                            origin=_origin(request),
                        )  # fmt: skip
                        saved += 1
                text = request.POST.get(f"c-{p.pk}", "").strip()
                if text:
                    services.statement_set(
                        actor=request.user, review=review, student=p, kind=StatementKind.TEACHER_COMMENT, text=text,
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


@login_required
def growth_pupil(request: HttpRequest, student_id: int) -> HttpResponse:
    """The pupil's portrait: records by dimension, levels, process status, fitness; the forms the viewer may use."""
    portrait = selectors.portrait_get(actor=request.user, student_id=student_id)
    student = portrait.student
    name = student.person.name if portrait.relations - {Relation.CLASSMATE_GUARDIAN} else mask_name_safe(student)
    dims = dimensions_for(portrait.framework)
    may_dims = [d for d in dims if d[0] in HOME_DIMENSIONS] if portrait.relations & {Relation.GUARDIAN} and not (
        portrait.relations & {Relation.SELF, Relation.HEAD, Relation.TEACHER, Relation.SCHOOL}) else dims  # fmt: skip
    review = portrait.review
    objections = []
    if review is not None and portrait.full:
        objections = list(
            Objection.objects.filter(review=review, record__student=student).select_related("record").order_by("-pk")
        )
    context = {
        "p": portrait,
        "name": name,
        "label": class_display_name(student.school_class) if student.school_class else "",
        "dims": dims,
        "record_dims": may_dims,
        "steps": _steps(review),
        "objections": objections,
        "self_text": portrait.statements.get(StatementKind.SELF, ""),
        "teacher_text": portrait.statements.get(StatementKind.TEACHER_COMMENT, ""),
        "may_write_self": portrait.is_self and review is not None and review.state in ("selecting", "published"),
        "limit": review.select_limit if review else 0,
        "record_count": sum(len(b.records) for b in portrait.dimensions),
        "hours": sum(float(r.hours or 0) for b in portrait.dimensions for r in b.records),
        "today": timezone.localdate().isoformat(),
        "breadcrumbs": [HOME, (name, None)],
    }
    return render(request, "growth/pupil.html", context)


def mask_name_safe(student: Student) -> str:
    return mask_name(student.person.name)


def _pupil_or_404(student_id: int) -> Student:
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        raise NotFound()
    return student


@login_required
@require_POST
def growth_pupil_record(request: HttpRequest, student_id: int) -> HttpResponseBase:
    student = _pupil_or_404(student_id)
    try:
        record = services.record_create(
            actor=request.user, student=student, data=_record_input(request.POST), origin=_origin(request)
        )
        upload = request.FILES.get("evidence")
        if upload is not None:
            services.evidence_add(
                actor=request.user,
                record=record,
                name=upload.name or "",
                chunks=upload.chunks(),
                origin=_origin(request),
            )
        messages.success(request, f"已添加记录“{record.title}”。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/pupils/{student_id}/")


@login_required
@require_POST
def growth_pupil_select(request: HttpRequest, student_id: int) -> HttpResponseBase:
    student = _pupil_or_404(student_id)
    review = TermReview.objects.filter(school_class_id=student.school_class_id, term__is_current=True).first()
    if review is None:
        raise NotFound()
    ids = [int(i) for i in request.POST.getlist("records") if i.isdigit()]
    try:
        chosen = services.selection_set(
            actor=request.user, review=review, student=student, record_ids=ids, origin=_origin(request)
        )
        messages.success(request, f"已保存遴选：{len(chosen)} 条记录。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/pupils/{student_id}/")


@login_required
@require_POST
def growth_pupil_statement(request: HttpRequest, student_id: int) -> HttpResponseBase:
    student = _pupil_or_404(student_id)
    review = TermReview.objects.filter(school_class_id=student.school_class_id, term__is_current=True).first()
    if review is None:
        raise NotFound()
    try:
        services.statement_set(
            actor=request.user, review=review, student=student, kind=StatementKind.SELF,
            text=request.POST.get("text", ""), origin=_origin(request),
        )  # fmt: skip
        messages.success(request, "已保存自我陈述。")
    except ZhijiaoError as exc:
        _fail(request, exc)
    return redirect(f"/growth/pupils/{student_id}/")


@login_required
def growth_archive(request: HttpRequest, student_id: int) -> HttpResponse:
    """毕业档案: the school freezes it; the pupil, guardians, 班主任 and school download it."""
    portrait = selectors.portrait_get(actor=request.user, student_id=student_id)
    if not portrait.full:
        raise NotFound()
    if request.method == "POST":
        try:
            services.graduation_freeze(actor=request.user, student=portrait.student, origin=_origin(request))
            messages.success(request, "毕业档案已封存，可下载 PDF、JSON 或 Excel。")
        except ZhijiaoError as exc:
            _fail(request, exc)
        return redirect(f"/growth/pupils/{student_id}/archive/")
    archive = portrait.archive
    context = {
        "p": portrait,
        "archive": archive,
        "data": archive.data if archive else None,
        "may_freeze": Relation.SCHOOL in portrait.relations and archive is None,
        "breadcrumbs": [HOME, (portrait.student.person.name, f"/growth/pupils/{student_id}/"), ("毕业档案", None)],
    }
    return render(request, "growth/archive.html", context)


@login_required
def growth_archive_download(request: HttpRequest, student_id: int, kind: str) -> HttpResponse:
    archive = archive_get(actor=request.user, student_id=student_id)
    body, name, content_type = services.archive_export(
        actor=request.user, archive=archive, kind=kind, origin=_origin(request)
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return harden(response)


@login_required
def growth_evidence(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    """An evidence file: only for those who see its record; shown inline only when on the safe list."""
    evidence = selectors.evidence_get(actor=request.user, evidence_id=evidence_id)
    inline = request.GET.get("inline") == "1"
    audit_record(
        actor=request.user,
        action="growth.evidence_download",
        origin=_origin(request),
        target=Target(type="growth_record", id=str(evidence.record_id), label=evidence.name[:60]),
    )
    if files_origin():
        response = HttpResponseRedirect(files_url(sha256=evidence.sha256, name=evidence.name, inline=inline))
        response["Cache-Control"] = "no-store"
        return harden(response)
    delivery = blob_delivery(evidence.sha256, name=evidence.name, want_inline=inline)
    return blob_response(request, sha256=evidence.sha256, delivery=delivery, filename=evidence.name)
