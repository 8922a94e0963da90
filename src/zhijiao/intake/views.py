"""Pages of 数据导入: upload, batch progress and results, batch history, and the bureau's match queues.

Adapters only: parse the request, call intake's services and selectors, render. The import itself runs in
the worker (:func:`zhijiao.intake.tasks.import_batch_task`); the batch page polls its progress with htmx.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_id_number, mask_phone, mask_student_no
from zhijiao.core.paging import paginate
from zhijiao.intake import selectors, services
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.models import BatchStatus, CaseKind, CaseStatus, ImportBatch, MatchCase, Verdict
from zhijiao.intake.pipeline import STAGES
from zhijiao.intake.reading import EXCEL_SUFFIXES
from zhijiao.intake.report import report_path, template_write
from zhijiao.intake.services import case_resolve, import_batch_create
from zhijiao.intake.spec import KIND_LABELS, SPECS
from zhijiao.intake.tasks import import_batch_task
from zhijiao.people.models import Student
from zhijiao.registry.selectors import org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_SUFFIXES = {*EXCEL_SUFFIXES, ".csv"}
ACCEPT = ",".join(sorted(UPLOAD_SUFFIXES))
VERDICTS = {
    CaseKind.DUPLICATE_ENROLMENT: [Verdict.ACCEPT_INCOMING, Verdict.KEEP_EXISTING],
    CaseKind.UNCERTAIN_MATCH: [Verdict.SAME_PERSON, Verdict.DIFFERENT_PERSON],
}
HOME_CRUMB = ("数据导入", "/intake/")
KIND_HINTS = {
    "schools": "学校基本信息，按学校标识码新增或更新",
    "classes": "年级、班号与班主任、额定人数",
    "staff": "教职工基本信息、类别与岗位",
    "students": "学籍信息，可附一位监护人；自动比对重复学籍",
    "guardians": "按学籍号为学生添加监护人",
    "assignments": "各班任课教师与学科",
}
KINDS = [
    {
        "kind": kind,
        "label": spec.label,
        "columns": len(spec.fields),
        "required": [f.header for f in spec.fields if f.required],
        "hint": KIND_HINTS.get(kind, ""),
    }
    for kind, spec in SPECS.items()
]


def _attachment(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # RFC 6266: browsers take the UTF-8 name; the ASCII fallback is for old clients.
    response["Content-Disposition"] = f"attachment; filename=\"import.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


def _require_importer(request: HttpRequest) -> None:
    if not scope_for(request.user).manages_data:
        raise Forbidden(IntakeError.INTAKE_NOT_ALLOWED.message)


def _fixed_school(request: HttpRequest):
    """A school administrator (and nothing more) imports for their own school only."""
    scope = scope_for(request.user)
    if scope.is_bureau:
        return None
    ids = scope.school_ids(Role.SCHOOL_ADMIN)
    return org.school_get(actor=request.user, school_id=ids[0]) if len(ids) == 1 else None


# ------------------------------------------------------------------------------------------------ upload
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    fixed = _fixed_school(request)
    kind = request.POST.get("kind") or request.GET.get("kind") or "students"
    school_code = fixed.code if fixed else request.POST.get("school", "")
    if request.method == "POST":
        file = request.FILES.get("file")
        try:
            name = (file.name or "") if file is not None else ""
            if file is None or Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
                raise ZhijiaoError(IntakeError.INTAKE_FILE_UNREADABLE, detail=name or "未选择文件")
            batch = import_batch_create(
                actor=request.user,
                kind=kind,
                file_name=name,
                source=file,
                school_code=school_code or None,
                channel="web",
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            messages.error(request, exc.message)
        else:
            # Enqueue after commit so the worker never looks for a batch row it cannot see yet.
            transaction.on_commit(lambda: import_batch_task(batch.pk))
            return redirect("intake:import_batch", batch_id=batch.pk)
    return render(
        request,
        "intake/upload.html",
        {
            "kinds": KINDS,
            "kind": kind if kind in SPECS else "students",
            "fixed_school": fixed,
            "schools": None if fixed else org.school_list(actor=request.user),
            "school_code": school_code,
            "accept": ACCEPT,
            "recent": selectors.batch_list(actor=request.user)[:8],
            "breadcrumbs": [("数据导入", None)],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SPECS:
        raise Http404
    _require_importer(request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        template_write(kind, path)
        content = path.read_bytes()
    return _attachment(content, f"{SPECS[kind].label}导入模板.xlsx")


# ----------------------------------------------------------------------------------------------- batches
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    batches = selectors.batch_list(actor=request.user, kind=kind if kind in SPECS else None)
    if status in BatchStatus.values:
        batches = batches.filter(status=status)
    page, querystring = paginate(request, batches)
    return render(
        request,
        "intake/batch_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "kinds": KIND_LABELS.items(),
            "statuses": BatchStatus.choices,
            "kind": kind,
            "status": status,
            "breadcrumbs": [HOME_CRUMB, ("导入记录", None)],
        },
    )


def _progress(batch: ImportBatch) -> dict:
    """``batch.stage`` is "label|percent" while the pipeline runs; empty before it starts and after it ends."""
    label, _, raw = (batch.stage or "").partition("|")
    if batch.is_finished:
        label, percent = batch.get_status_display(), 100
    elif batch.status == BatchStatus.PENDING:
        label, percent = "排队等待后台处理", 2
    else:
        label, percent = label or "准备中", int(raw) if raw.isdigit() else 5
    steps, reached = [], True
    for step_label, step_percent in STAGES.values():
        current = step_label == label
        state = "current" if current else ("done" if percent > step_percent and reached else "")
        reached = reached and not current
        steps.append({"label": step_label, "state": state})
    steps.append({"label": "完成", "state": "done" if batch.is_finished else ""})
    return {"label": label, "percent": percent, "steps": steps}


# The cells that let a clerk find a quarantined row in their spreadsheet, most telling first.
SUMMARY_HEADERS = (
    *("姓名", "学生姓名", "教师姓名", "学校名称", "工号"),
    *("学籍号", "学生学籍号", "监护人姓名", "学校标识码"),
)
SUMMARY_MASKED = {"学籍号": mask_student_no, "学生学籍号": mask_student_no}


def _row_summary(raw: dict) -> list[tuple[str, str]]:
    cells = [(h, str(raw[h]).strip()) for h in SUMMARY_HEADERS if raw.get(h) not in (None, "")]
    return [(h, SUMMARY_MASKED.get(h, str)(v)) for h, v in cells[:3]]


def _elapsed(batch: ImportBatch) -> str:
    assert batch.finished_at and batch.started_at
    seconds = max(0, round((batch.finished_at - batch.started_at).total_seconds()))
    if seconds >= 60:
        return f"{seconds // 60} 分 {seconds % 60} 秒"
    return f"{seconds} 秒" if seconds else "不到 1 秒"


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, pk=batch_id)
    show = request.GET.get("show", "")
    rejected = {"rejected": True, "warning": False}.get(show)
    rows = selectors.quarantine_list(actor=request.user, batch=batch, rejected=rejected)
    page, querystring = paginate(request, rows, per_page=25)
    for row in page:
        row.summary = _row_summary(row.raw or {})
    counted = batch.created + batch.updated + batch.unchanged + batch.rejected
    return render(
        request,
        "intake/batch_detail.html",
        {
            "batch": batch,
            "progress": _progress(batch),
            "page_obj": page,
            "querystring": querystring,
            "show": show,
            "has_report": batch.is_finished and report_path(batch).exists(),
            "counted": counted,
            "balanced": counted == batch.rows_in,
            "issues_total": batch.rejected + batch.warnings,
            "elapsed": _elapsed(batch) if batch.started_at and batch.finished_at else "",
            "is_bureau": scope_for(request.user).is_bureau,
            "operator": _operator(request),
            "breadcrumbs": [HOME_CRUMB, ("导入记录", "/intake/batches/"), (f"批次 #{batch.pk}", None)],
        },
    )


def _operator(request: HttpRequest) -> bool:
    """Whoever runs the platform (platform or system administrator) is told about the worker process; others
    see a neutral message."""
    return scope_for(request.user).may_administer_apps


@login_required
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress bar alone, polled every second; once the batch ends, htmx reloads the page for results."""
    batch = selectors.batch_get(actor=request.user, pk=batch_id)
    context = {"batch": batch, "progress": _progress(batch), "poll": True, "operator": _operator(request)}
    response = render(request, "intake/_progress.html", context)
    if batch.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
def report_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, pk=batch_id)
    try:
        path = services.report_download(actor=request.user, batch=batch, origin=Origin.from_request(request))
    except NotFound as exc:
        raise Http404 from exc
    return _attachment(path.read_bytes(), f"问题数据-批次{batch.pk}-{Path(batch.file_name).stem}.xlsx")


# ------------------------------------------------------------------------------------------- match cases
def _require_bureau(request: HttpRequest) -> None:
    if not scope_for(request.user).is_bureau:
        raise Forbidden("只有教育局管理员可以处理比对待办")


@dataclass
class CaseCard:
    """A match case as the reviewer sees it: personal data masked, the registry's record beside it."""

    case: MatchCase
    masked_id: str
    masked_no: str
    masked_phone: str
    current: Student | None
    person_masked_id: str
    current_masked_no: str
    percent: int | None
    verdicts: tuple[Verdict, ...]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.case, name)


def _case_view(case: MatchCase) -> CaseCard:
    """Masked personal data for display: the queue is worked by people who need to compare, not to copy."""
    data = case.data or {}
    current = getattr(case.person, "student", None)
    return CaseCard(
        case=case,
        masked_id=mask_id_number(data.get("id_number")),
        masked_no=mask_student_no(data.get("student_no")),
        masked_phone=mask_phone(data.get("guardian_phone")),
        current=current,
        person_masked_id=mask_id_number(case.person.id_number),
        current_masked_no=mask_student_no(current.student_no) if current else "",
        percent=round(case.score * 100) if case.score is not None else None,
        verdicts=tuple(VERDICTS[CaseKind(case.kind)]),
    )


def _tabs(request: HttpRequest, status: str) -> list[tuple[str, str, int]]:
    """Each queue with how many cases it holds in the status shown."""
    return [
        (kind, label, selectors.case_list(actor=request.user, kind=kind, status=status).count())
        for kind, label in CaseKind.choices
    ]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CaseKind.values else CaseKind.DUPLICATE_ENROLMENT
    status = CaseStatus.RESOLVED if request.GET.get("status") == CaseStatus.RESOLVED else CaseStatus.OPEN
    cases = selectors.case_list(actor=request.user, kind=kind, status=status).select_related(
        "person__student__school", "person__student__school_class__grade"
    )
    page, querystring = paginate(request, cases, per_page=20)
    cards = [_case_view(case) for case in page]
    return render(
        request,
        "intake/case_list.html",
        {
            "page_obj": page,
            "cards": cards,
            "querystring": querystring,
            "kind": kind,
            "status": status,
            "tabs": _tabs(request, status),
            "breadcrumbs": [HOME_CRUMB, ("比对待办", None)],
        },
    )


def _outcome(verdict: str, result: ImportBatch | None) -> tuple[int, str]:
    label = Verdict(verdict).label
    if result is None:
        return messages.SUCCESS, f"已裁定：{label}。该生学籍保留在原学校，以后导入学校再报送此学生将按裁定拒收。"
    if result.status == BatchStatus.DONE and result.rejected == 0:
        done = "已新建学生档案" if result.created else "已更新学生档案"
        return messages.SUCCESS, f"已裁定：{label}。已按裁定导入该行，{done}。"
    reason = result.error or "该行未通过校验"
    return messages.WARNING, f"已裁定：{label}，裁定已记录；但按裁定导入未成功（{reason}），请通知学校改正后重新导入。"


@login_required
@require_POST
def case_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_bureau(request)
    case = selectors.case_get(actor=request.user, pk=case_id)
    verdict = request.POST.get("verdict", "")
    try:
        result = case_resolve(actor=request.user, case=case, verdict=verdict, note=request.POST.get("note", ""))
    except ZhijiaoError as exc:
        level, text = messages.ERROR, exc.message
    else:
        level, text = _outcome(verdict, result)
    if request.headers.get("HX-Request"):
        # Swap the decided card in place: the reviewer sees the verdict and its result, the queue stays put.
        card = _case_view(selectors.case_get(actor=request.user, pk=case_id))
        tone = {messages.SUCCESS: "success", messages.WARNING: "warning"}.get(level, "error")
        context = {"c": card, "outcome": text, "tone": tone, "tabs": _tabs(request, CaseStatus.OPEN)}
        return render(request, "intake/_case_decided.html", context)
    messages.add_message(request, level, text)
    return redirect(f"/intake/cases/?{urlencode({'kind': case.kind})}")
