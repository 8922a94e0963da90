"""The pupil's pages: the portrait (records by dimension, levels, status, fitness) and its forms (a record with
evidence, the selection, the 自我陈述), the graduation archive and its downloads, evidence files."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.growth import selectors, services
from zhijiao.growth.archive import archive_get
from zhijiao.growth.models import (
    HOME_DIMENSIONS,
    Objection,
    StatementKind,
    TermReview,
)
from zhijiao.growth.records import dimensions_for
from zhijiao.growth.views import HOME, _fail, _origin, _record_input, _steps
from zhijiao.growth.who import Relation
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student
from zhijiao.resources.ranged import blob_response
from zhijiao.resources.serving import blob_delivery, files_origin, files_url, harden


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
