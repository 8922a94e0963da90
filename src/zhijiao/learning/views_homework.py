"""Homework and exam pages (作业、考试). Adapters: parse, call one selector or service, render.

Teachers (who teach or head a class this term): the list, assigning (plain and 分层), one piece of work with its
progress per class, 阅卷 question by question, the marking-export import and the 学情推送 drafts. Pupils: 我的作业,
the answering page (phone-first, saved as they go) and 错题本. Everybody else: 403 on the lists, 404 on a piece.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_student_no
from zhijiao.identity.models import Account
from zhijiao.learning import homework, marks_import, paper_selectors, push
from zhijiao.learning import homework_selectors as hs
from zhijiao.learning.models import (
    Assignment,
    AssignmentKind,
    AssignmentMode,
    AssignmentOrigin,
    AssignmentStatus,
    ItemType,
    SubmissionStatus,
)
from zhijiao.learning.scoring import OBJECTIVE
from zhijiao.learning.views_papers import _rich
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student
from zhijiao.resources.recommend import resources_for_knowledge_points

TEACHER_CRUMBS = [("作业与考试", "/learning/homework/")]
PUPIL_CRUMBS = [("我的作业", "/learning/my/homework/")]
TOKEN = re.compile(r"^[0-9a-f]{16}$")


def _me(request: HttpRequest) -> Account:
    return cast(Account, request.user)


def _teacher(request: HttpRequest) -> None:
    if not hs.is_teacher(request.user):
        raise Forbidden("作业与考试供任课教师和班主任使用")


def _pupil(request: HttpRequest) -> None:
    if not hs.is_pupil(request.user):
        raise Forbidden("“我的作业”供学生使用")


def _when(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 10]


def _one(value: str | None) -> int | None:
    found = _ints([value or ""])
    return found[0] if found else None


def _spec(p) -> homework.AssignSpec:
    return homework.AssignSpec(
        title=p.get("title", "")[:200],
        kind=p.get("kind", AssignmentKind.HOMEWORK),
        mode=p.get("mode", AssignmentMode.ONLINE),
        opens_at=_when(p.get("opens_at", "")),
        due_at=_when(p.get("due_at", "")) if p.get("due_at", "").strip() else None,
        note=p.get("note", "")[:2000],
    )


def _paper_label(paper) -> str:
    return f"{paper.title}（{code_name('stage', paper.stage)}{code_name('subject', paper.subject)}）"


# ── teacher ──────────────────────────────────────────────────────────────────────────────────────────────────


@login_required
def homework_list(request: HttpRequest) -> HttpResponse:
    _teacher(request)
    rows = list(hs.teacher_assignments(actor=request.user).order_by("-opens_at", "-pk")[:100])
    for a in rows:
        a.class_names = "、".join(class_display_name(c) for c in a.classes.select_related("grade"))  # type: ignore[attr-defined]
        a.n = a.submissions.count()  # type: ignore[attr-defined]
        a.done = a.submissions.filter(  # type: ignore[attr-defined]
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.MARKED]
        ).count()
    return render(
        request,
        "learning/homework/list.html",
        {"rows": rows, "breadcrumbs": [], "classes": hs.teacher_classes(actor=request.user)},
    )


@login_required
def homework_new(request: HttpRequest) -> HttpResponse:
    _teacher(request)
    me = _me(request)
    if request.method == "POST":
        p = request.POST
        try:
            a = homework.assignment_publish(
                actor=me,
                paper_id=_one(p.get("paper", "")),
                class_ids=_ints(p.getlist("classes")),
                spec=_spec(p),
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已布置“{a.title}”，共 {a.submissions.count()} 名学生。")
            return redirect(f"/learning/homework/{a.pk}/")
    now = timezone.localtime()
    context = {
        "papers": [(pp.pk, _paper_label(pp)) for pp in hs.ready_papers(actor=me)],
        "classes": hs.teacher_classes(actor=me),
        "kinds": AssignmentKind.choices,
        "modes": AssignmentMode.choices,
        "opens": now.strftime("%Y-%m-%dT%H:%M"),
        "dues": (now + timedelta(days=2)).replace(hour=21, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "form": request.POST if request.method == "POST" else {},
        "breadcrumbs": TEACHER_CRUMBS,
    }
    return render(request, "learning/homework/new.html", context)


@login_required
def homework_layered(request: HttpRequest) -> HttpResponse:
    """分层作业 for one class: three papers, each pupil put in a layer (by mastery where the diagnosis has it)."""
    _teacher(request)
    me = _me(request)
    classes = hs.teacher_classes(actor=me)
    class_id = _one(request.GET.get("class", "") or request.POST.get("class", ""))
    chosen = next((c for c in classes if c.pk == class_id), None)
    if request.method == "POST" and chosen is not None:
        p = request.POST
        layers = {int(k[6:]): str(v) for k, v in p.items() if k.startswith("layer-") and k[6:].isdigit()}
        try:
            made = homework.layered_publish(
                actor=me,
                class_id=chosen.pk,
                papers={t: _one(p.get(f"paper-{t}", "")) for t in homework.TIERS},
                layers=layers,
                spec=_spec(p),
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, f"分层作业已布置（{len(made)} 层）。")
            return redirect(f"/learning/homework/{made[0].pk}/")
    pupils = []
    if chosen is not None:
        subject = request.GET.get("subject", "14")
        defaults = homework.default_layers(class_id=chosen.pk, subject=subject)
        means = hs.mean_mastery(class_id=chosen.pk, subject=subject)
        for s in Student.objects.filter(school_class=chosen).select_related("person").order_by("student_no"):
            pupils.append((s, defaults.get(s.pk, "basic"), means.get(s.pk)))
    now = timezone.localtime()
    context = {
        "classes": classes,
        "chosen": chosen,
        "pupils": pupils,
        "tiers": [(t.value, t.label) for t in homework.TIERS],
        "papers": [(pp.pk, _paper_label(pp)) for pp in hs.ready_papers(actor=me)],
        "opens": now.strftime("%Y-%m-%dT%H:%M"),
        "dues": (now + timedelta(days=2)).replace(hour=21, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "breadcrumbs": TEACHER_CRUMBS,
    }
    return render(request, "learning/homework/layered.html", context)


def _questions(a: Assignment) -> list:
    view = paper_selectors.paper_view(a.paper)
    return [e for s in view.sections for e in s.entries]


@login_required
def homework_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _teacher(request)
    a = hs.assignment_for_teacher(actor=request.user, assignment_id=assignment_id)
    questions = _questions(a)
    for e in questions:
        e.objective = e.version.type in OBJECTIVE
        e.type_label = ItemType(e.version.type).label
    group = []
    if a.layer_group:
        group = list(Assignment.objects.filter(layer_group=a.layer_group).order_by("pk"))
        for g in group:
            n = len(g.planned) if g.status == AssignmentStatus.DRAFT else g.submissions.count()
            g.n = n  # type: ignore[attr-defined]
    context = {
        "a": a,
        "progress": hs.progress(actor=request.user, assignment=a),
        "questions": questions,
        "group": group,
        "is_draft": a.status == AssignmentStatus.DRAFT,
        "is_paper": a.mode == AssignmentMode.PAPER,
        "breadcrumbs": TEACHER_CRUMBS,
    }
    return render(request, "learning/homework/detail.html", context)


@login_required
@require_POST
def homework_close(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _teacher(request)
    try:
        homework.assignment_close(actor=_me(request), assignment_id=assignment_id, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已截止，学生保存的答案已提交并自动批改客观题。")
    return redirect(f"/learning/homework/{assignment_id}/")


@login_required
@require_POST
def homework_approve(request: HttpRequest, group: str) -> HttpResponse:
    _teacher(request)
    if not TOKEN.match(group):
        raise NotFound()
    made = homework.draft_approve(actor=_me(request), layer_group=group, origin=Origin.from_request(request))
    messages.success(request, f"学情推送练习已批准并布置（{len(made)} 层）。")
    return redirect(f"/learning/homework/{made[0].pk}/")


@login_required
def homework_mark(request: HttpRequest, assignment_id: int, entry_id: int) -> HttpResponse:
    """阅卷: one question across the class, one answer at a time; number keys give points, Enter saves and moves
    on to the next unmarked answer."""
    _teacher(request)
    me = _me(request)
    a = hs.assignment_for_teacher(actor=me, assignment_id=assignment_id)
    questions = _questions(a)
    entry = next((e for e in questions if e.pk == entry_id), None)
    if entry is None:
        raise NotFound()
    answers = hs.marking_answers(actor=me, assignment=a, entry_id=entry_id)
    if request.method == "POST":
        p = request.POST
        answer_id = _one(p.get("answer", "")) or 0
        key = homework.entry_key(entry)
        names = [n for n, _ in key.rubric] if key.rubric and key.kind not in OBJECTIVE else ["总分"]
        marks: dict[str, float] = {}
        bad = []
        for n in names:
            raw = p.get(f"c-{n}", "").strip()
            try:
                marks[n] = float(raw)
            except ValueError:
                bad.append(n)
        if bad:
            messages.error(request, f"请给“{'、'.join(bad)}”打分（填数字）")
            return redirect(f"{request.path}?answer={answer_id}")
        try:
            homework.answer_mark(actor=me, answer_id=answer_id, marks=marks, comment=p.get("comment", ""),
                                 origin=Origin.from_request(request))  # fmt: skip
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            messages.error(request, exc.message)
            return redirect(f"{request.path}?answer={answer_id}")
        ids = [x.pk for x in answers]
        after = ids[ids.index(answer_id) + 1 :] + ids[: ids.index(answer_id)] if answer_id in ids else ids
        nxt = next((x for x in answers if x.pk in after and x.score is None), None)
        if nxt is None:
            messages.success(request, "这道题已全部批改完。")
            return redirect(f"/learning/homework/{a.pk}/")
        return redirect(f"{request.path}?answer={nxt.pk}")
    wanted = _one(request.GET.get("answer", "")) or 0
    current = next((x for x in answers if x.pk == wanted), None) or next(
        (x for x in answers if x.score is None), answers[0] if answers else None
    )
    _rich(entry)
    key = homework.entry_key(entry)
    criteria = list(entry.version.criteria.all()) if key.kind not in OBJECTIVE else []
    rubric = [(n, p, c.guide) for (n, p), c in zip(key.rubric, criteria, strict=False)] or [("总分", key.points, "")]
    position = 0
    if current is not None:
        position = answers.index(current) + 1
        current.response_text = _response_text(entry, current.response)  # type: ignore[attr-defined]
        current.masked_no = mask_student_no(current.submission.student.student_no)  # type: ignore[attr-defined]
    context = {
        "a": a,
        "entry": entry,
        "answers": answers,
        "current": current,
        "position": position,
        "marked": sum(1 for x in answers if x.score is not None),
        "rubric": [(n, p, g, (current.criteria or {}).get(n, "") if current else "") for n, p, g in rubric],
        "total_given": current.score if current is not None and current.score is not None else "",
        "questions": [q for q in questions if q.version.type not in OBJECTIVE],
        "breadcrumbs": [*TEACHER_CRUMBS, (a.title, f"/learning/homework/{a.pk}/")],
    }
    return render(request, "learning/homework/mark.html", context)


def _response_text(entry, response) -> str:
    if response is None:
        return "（未作答）"
    if isinstance(response, list):
        if entry.version.type == ItemType.BLANK:
            return "；".join(f"第{i}空：{r or '（空）'}" for i, r in enumerate(response, start=1))
        return "、".join(str(r) for r in response) or "（未作答）"
    if entry.version.type == ItemType.TRUE_FALSE:
        return {"T": "对", "F": "错"}.get(str(response), str(response))
    return str(response) or "（未作答）"


def _report_dir() -> Path:
    path = Path(settings.HOME, "learning", "marks-reports")
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def homework_import(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _teacher(request)
    a = hs.assignment_for_teacher(actor=request.user, assignment_id=assignment_id)
    result = None
    report = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择阅卷系统导出的成绩文件（xlsx 或 csv）")
        elif upload.size and upload.size > 20 * 1024 * 1024:
            messages.error(request, "文件不能超过 20 MB")
        else:
            try:
                result = marks_import.marks_import(actor=_me(request), assignment_id=a.pk, name=upload.name or "",
                                                   data=upload.read(), origin=Origin.from_request(request))  # fmt: skip
            except ZhijiaoError as exc:
                if exc.status != 400:
                    raise
                messages.error(request, exc.message)
            else:
                if result.report:
                    report = secrets.token_hex(8)
                    (_report_dir() / f"{a.pk}-{report}.csv").write_text(result.report, encoding="utf-8")
    context = {
        "a": a,
        "result": result,
        "problems": result.problems[:200] if result else [],
        "report": report,
        "breadcrumbs": [*TEACHER_CRUMBS, (a.title, f"/learning/homework/{a.pk}/")],
    }
    return render(request, "learning/homework/import.html", context)


@login_required
def homework_import_report(request: HttpRequest, assignment_id: int, token: str) -> FileResponse:
    _teacher(request)
    a = hs.assignment_for_teacher(actor=request.user, assignment_id=assignment_id)
    if not TOKEN.match(token):
        raise NotFound()
    path = _report_dir() / f"{a.pk}-{token}.csv"
    if not path.exists():
        raise NotFound()
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"成绩导入问题数据-{a.pk}.csv",
                        content_type="text/csv; charset=utf-8")  # fmt: skip


@login_required
def homework_push(request: HttpRequest) -> HttpResponse:
    """学情推送: for a class, the plan (layers, weak points, practice, resources) and the button that makes the
    draft; the draft is then approved with one click on its page."""
    _teacher(request)
    me = _me(request)
    classes = hs.teacher_classes(actor=me)
    src = request.POST if request.method == "POST" else request.GET
    class_id = _one(src.get("class", ""))
    chosen = next((c for c in classes if c.pk == class_id), None)
    stage, subject = src.get("stage", "3")[:2], src.get("subject", "14")[:4]
    if request.method == "POST" and chosen is not None:
        try:
            drafts = push.push_draft(actor=me, class_id=chosen.pk, stage=stage, subject=subject,
                                     origin=Origin.from_request(request))  # fmt: skip
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, "推送练习草稿已生成，请检查后一键批准布置。")
            return redirect(f"/learning/homework/{drafts[0].pk}/")
    plan = None
    if chosen is not None:
        plan = push.plan(actor=me, class_id=chosen.pk, stage=stage, subject=subject)
        for lay in plan.layers:
            lay.resources = resources_for_knowledge_points(  # type: ignore[attr-defined]
                actor=me, points=[p.pk for p in lay.points], limit=5
            )
    context = {
        "classes": classes,
        "chosen": chosen,
        "plan": plan,
        "stage": stage,
        "subject": subject,
        "subject_name": code_name("subject", subject),
        "breadcrumbs": TEACHER_CRUMBS,
    }
    return render(request, "learning/homework/push.html", context)


# ── pupil ────────────────────────────────────────────────────────────────────────────────────────────────────


def _released(sub) -> bool:
    a = sub.assignment
    return a.status == AssignmentStatus.CLOSED or (a.due_at is not None and timezone.now() >= a.due_at)


@login_required
def my_homework(request: HttpRequest) -> HttpResponse:
    _pupil(request)
    subs = hs.pupil_submissions(actor=request.user)
    now = timezone.now()
    todo, done, marked = [], [], []
    for s in subs:
        s.overdue = s.assignment.due_at is not None and now >= s.assignment.due_at  # type: ignore[attr-defined]
        if s.status == SubmissionStatus.MARKED:
            marked.append(s)
        elif (
            s.status == SubmissionStatus.SUBMITTED
            or s.overdue  # type: ignore[attr-defined]
            or s.assignment.status != AssignmentStatus.PUBLISHED
            or s.assignment.mode == AssignmentMode.PAPER  # taken on paper: the marks come from the import
        ):
            done.append(s)
        else:
            todo.append(s)
    for s in todo:  # 学情推送 work: the resources for the pupil's weak points, as on the assignment page
        push_work = s.assignment.origin == AssignmentOrigin.PUSH and s.assignment.mode == AssignmentMode.ONLINE
        s.resources = push.pupil_resources(actor=request.user, assignment=s.assignment, limit=3) if push_work else []  # type: ignore[attr-defined]
    return render(request, "learning/homework/my_list.html",
                  {"todo": todo, "done": done, "marked": marked, "breadcrumbs": []})  # fmt: skip


@login_required
def my_submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    _pupil(request)
    sub = hs.own_submission(actor=request.user, submission_id=submission_id)
    a = sub.assignment
    now = timezone.now()
    editable = (
        a.status == AssignmentStatus.PUBLISHED
        and a.mode == AssignmentMode.ONLINE
        and a.opens_at <= now
        and (a.due_at is None or now < a.due_at)
        and sub.status in (SubmissionStatus.ASSIGNED, SubmissionStatus.STARTED)
    )
    answers = hs.answers_of(sub)
    released = _released(sub)
    questions = _questions(a)
    for e in questions:
        _rich(e)
        ans = answers.get(e.pk)
        e.response = ans.response if ans else None
        e.mark = ans.score if ans and sub.status == SubmissionStatus.MARKED else None
        e.comment = ans.comment if ans and sub.status == SubmissionStatus.MARKED else ""
        e.kind = e.version.type
        e.blanks = list(range(e.version.blank_count))
        e.response_list = (e.response if isinstance(e.response, list) else [e.response or ""]) if e.response else []
        e.response_text = _response_text(e, e.response)
    context = {
        "sub": sub,
        "a": a,
        "questions": questions,
        "editable": editable,
        "released": released,
        "show_score": sub.status == SubmissionStatus.MARKED,
        "resources": push.pupil_resources(actor=request.user, assignment=a) if a.mode == "online" else [],
        "state": json.dumps({str(k): v.response for k, v in answers.items()}, ensure_ascii=False),
        "breadcrumbs": PUPIL_CRUMBS,
    }
    return render(request, "learning/homework/answer.html", context)


def _responses(request: HttpRequest) -> dict[int, object]:
    out: dict[int, object] = {}
    for k in request.POST:
        if not k.startswith("q-"):
            continue
        head = k[2:].split("-")[0]
        if not head.isdigit():
            continue
        values = request.POST.getlist(k)
        if k.endswith("-m"):  # 多选
            out[int(head)] = [v for v in values if v]
        elif k.endswith("-b"):  # 填空: one input per blank, in order
            out[int(head)] = values
        else:
            out[int(head)] = values[-1] if values else None
    return out


@login_required
@require_POST
def my_save(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Saved as they go (the page posts here after each change) and by the 保存 button."""
    _pupil(request)
    try:
        homework.answer_save(actor=request.user, submission_id=submission_id, responses=_responses(request))
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"ok": False, "message": exc.message}, status=400)
        messages.error(request, exc.message)
        return redirect(f"/learning/my/homework/{submission_id}/")
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "saved_at": timezone.localtime().strftime("%H:%M:%S")})
    messages.success(request, "答案已保存。")
    return redirect(f"/learning/my/homework/{submission_id}/")


@login_required
@require_POST
def my_submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    _pupil(request)
    try:
        homework.answer_save(actor=request.user, submission_id=submission_id, responses=_responses(request))
        sub = homework.submission_submit(actor=request.user, submission_id=submission_id,
                                         origin=Origin.from_request(request))  # fmt: skip
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        if sub.status == SubmissionStatus.MARKED:
            messages.success(request, f"已提交，得分 {sub.score:g} / {sub.max_score:g}。")
        else:
            messages.success(request, "已提交。选择题、判断题、填空题已自动批改，解答题等老师批改。")
    return redirect(f"/learning/my/homework/{submission_id}/")


@login_required
def my_mistakes(request: HttpRequest) -> HttpResponse:
    """错题本: the pupil's answers that lost points, with the question, their answer and (when released) 解析."""
    _pupil(request)
    rows = hs.wrong_answers(actor=request.user)
    for ans in rows:
        e = ans.entry
        _rich(e)
        e.response_text = _response_text(e, ans.response)  # type: ignore[attr-defined]
        ans.released = _released(ans.submission)  # type: ignore[attr-defined]
    return render(request, "learning/homework/mistakes.html", {"rows": rows, "breadcrumbs": PUPIL_CRUMBS})
