"""Paper pages (组卷): list, manual assembly, assembly from a 双向细目表, print preview and the teacher's answer key.
Adapters: parse, call one selector or service, render. Whoever lacks the item bank gets 403 on every page."""

from __future__ import annotations

import re
import secrets
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.identity.models import Account
from zhijiao.learning import assembly, forms, images, paper_selectors, paper_services, selectors
from zhijiao.learning.models import DIFFICULTY_LABELS, ItemType, Paper, PaperStatus
from zhijiao.learning.views import answer_text

BREADCRUMBS = [("题库", "/learning/items/"), ("组卷", "/learning/papers/")]
BLUEPRINT_ROWS = 8
BACK_QUERY = re.compile(r"[A-Za-z0-9_=&%+.\-]+")


def _me(request: HttpRequest) -> Account:
    return cast(Account, request.user)


def _bank(request: HttpRequest) -> None:
    if not selectors.item_bank_allowed(request.user):
        raise Forbidden("组卷供教师使用")


def _int(value: str | None, low: int = 1, high: int = 2**31 - 1) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if low <= n <= high else None


def _names(paper: Paper) -> None:
    paper.stage_name = code_name("stage", paper.stage)  # type: ignore[attr-defined]
    paper.subject_name = code_name("subject", paper.subject)  # type: ignore[attr-defined]
    paper.grade_name = code_name("grade", paper.grade) if paper.grade else ""  # type: ignore[attr-defined]


@login_required
def paper_list(request: HttpRequest) -> HttpResponse:
    _bank(request)
    page, querystring = paginate(request, paper_selectors.paper_list(actor=request.user), per_page=20)
    for paper in page:
        _names(paper)
        paper.n = paper.entries.count()  # type: ignore[attr-defined]
    context = {
        "page_obj": page,
        "querystring": querystring,
        "may_write": selectors.item_owner(request.user) is not None,
        "breadcrumbs": BREADCRUMBS[:1],
        **forms.taxonomy_choices("3", "14"),
    }
    return render(request, "learning/paper_list.html", context)


@login_required
@require_POST
def paper_new(request: HttpRequest) -> HttpResponse:
    _bank(request)
    p = request.POST
    try:
        paper = paper_services.paper_create(
            actor=_me(request),
            title=p.get("title", "")[:200],
            stage=p.get("stage", ""),
            subject=p.get("subject", ""),
            grade=p.get("grade", ""),
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect("/learning/papers/")
    messages.success(request, "试卷已新建，请从右侧题库中挑选试题。")
    return redirect(f"/learning/papers/{paper.pk}/")


def _rich(entry) -> None:
    ids = {i.pk for i in entry.item.images.all()}
    v = entry.version
    entry.stem = images.rich_text(v.stem, ids)
    entry.options = [(o["key"], images.rich_text(o["text"], ids)) for o in v.options]
    entry.explanation = images.rich_text(v.explanation, ids)
    entry.reference = images.rich_text(v.reference_answer, ids)
    entry.answer = answer_text(v)


@login_required
def paper_edit(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Manual assembly: the paper's sections on the left, the item bank search on the right."""
    _bank(request)
    paper = paper_selectors.paper_get_for(actor=request.user, paper_id=paper_id)
    _names(paper)
    view = paper_selectors.paper_view(paper)
    for section in view.sections:
        for e in section.entries:
            e.summary = images.IMAGE_MARK.sub("［图］", e.version.stem)  # type: ignore[attr-defined]
    own = paper.author_id == request.user.pk
    editable = own and paper.status == PaperStatus.DRAFT
    g = request.GET
    f = selectors.ItemFilters(
        grade=g.get("grade", "") if "grade" in g else paper.grade,  # the paper's 年级 until the teacher changes it
        type=g.get("type", "") if g.get("type", "") in ItemType.values else "",
        difficulty=_int(g.get("difficulty"), 1, 5),
        point=_int(g.get("point")),
        q=g.get("q", "")[:50],
    )
    found = None
    querystring = ""
    if editable:
        on_paper = {e.item_id for s in view.sections for e in s.entries}
        found, querystring = paginate(
            request, paper_selectors.paper_search(actor=request.user, paper=paper, filters=f), per_page=10
        )
        for item in found:
            item.summary = images.IMAGE_MARK.sub("［图］", item.approved_version.stem)  # type: ignore[attr-defined]
            item.on_paper = item.pk in on_paper  # type: ignore[attr-defined]
    context = {
        "paper": paper,
        "view": view,
        "own": own,
        "editable": editable,
        "found": found,
        "page_obj": found,
        "querystring": querystring,
        "f": f,
        "types": ItemType.choices,
        "difficulties": DIFFICULTY_LABELS.items(),
        "breadcrumbs": BREADCRUMBS,
        **forms.taxonomy_choices(paper.stage, paper.subject),
    }
    return render(request, "learning/paper_edit.html", context)


@login_required
@require_POST
def paper_change(request: HttpRequest, paper_id: int) -> HttpResponse:
    """One change of the assembly page: add, remove, move up/down, save points, 定稿 / 取消定稿, delete."""
    _bank(request)
    paper = paper_selectors.paper_get_for(actor=request.user, paper_id=paper_id)
    p = request.POST
    op = p.get("op", "")
    me, origin = _me(request), Origin.from_request(request)
    query = p.get("back", "")[:300]  # the search's filters, to come back to the same results
    back = f"/learning/papers/{paper.pk}/" + (f"?{query}" if query and BACK_QUERY.fullmatch(query) else "")
    entry = _int(p.get("entry")) or 0
    try:
        if op == "add":
            paper_services.paper_add_item(actor=me, paper=paper, item_id=_int(p.get("item")) or 0, origin=origin)
            messages.success(request, "已加入试卷。")
        elif op == "remove":
            paper_services.paper_remove_entry(actor=me, paper=paper, entry_id=entry, origin=origin)
            messages.success(request, "已移出试卷。")
        elif op in ("up", "down"):
            paper_services.paper_move_entry(actor=me, paper=paper, entry_id=entry, up=op == "up", origin=origin)
        elif op == "points":
            points = {int(k[7:]): str(v) for k, v in p.items() if k.startswith("points_") and k[7:].isdigit()}
            paper_services.paper_set_points(actor=me, paper=paper, points=points, origin=origin)
            messages.success(request, "分值已保存。")
        elif op in ("ready", "reopen"):
            paper_services.paper_set_status(actor=me, paper=paper, ready=op == "ready", origin=origin)
            messages.success(request, "试卷已定稿。" if op == "ready" else "已取消定稿，可以继续修改。")
        elif op == "delete":
            paper_services.paper_delete(actor=me, paper=paper, origin=origin)
            messages.success(request, "试卷已删除。")
            return redirect("/learning/papers/")
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    return redirect(back)


def _blueprint_rows(post) -> tuple[list[dict], list[assembly.Target], list[tuple[str, str]]]:
    rows, targets, problems = [], [], []
    points_by_id = {}
    for i in range(1, BLUEPRINT_ROWS + 1):
        row = {k: post.get(f"{k}_{i}", "").strip() for k in ("point", "difficulty", "type", "count", "points")}
        rows.append(row)
        if not row["count"] and not row["type"]:
            continue
        where = f"第 {i} 行"
        if row["type"] not in ItemType.values:
            problems.append((where, "请选择题型"))
            continue
        count = _int(row["count"], 1, 50)
        if count is None:
            problems.append((where, "题数应为 1 到 50 的整数"))
            continue
        points = None
        if row["points"]:
            try:
                points = float(row["points"])
            except ValueError:
                points = -1
            if not 0 < points <= 100:
                problems.append((where, "每题分值应为 0 到 100 之间的数"))
                continue
        point_id = _int(row["point"])
        name = ""
        if point_id is not None:
            if point_id not in points_by_id:
                kp = KnowledgePoint.objects.filter(pk=point_id).first()
                points_by_id[point_id] = kp.name if kp else ""
            name = points_by_id[point_id]
            if not name:
                problems.append((where, "知识点不存在"))
                continue
        targets.append(
            assembly.Target(
                type=row["type"],
                count=count,
                point_id=point_id,
                point_name=name,
                difficulty=_int(row["difficulty"], 1, 5),
                points=points,
            )
        )
    return rows, targets, problems


@login_required
def paper_auto(request: HttpRequest) -> HttpResponse:
    """Assembly from a 双向细目表: up to eight rows; a shortfall is shown before anything is saved."""
    _bank(request)
    if selectors.item_owner(request.user) is None:
        raise Forbidden("只有教师和教育局管理员可以组卷")
    p = request.POST if request.method == "POST" else request.GET
    stage, subject = p.get("stage", "3") or "3", p.get("subject", "14") or "14"
    rows = [{"point": "", "difficulty": "", "type": "", "count": "", "points": ""} for _ in range(BLUEPRINT_ROWS)]
    problems: list[tuple[str, str]] = []
    shortfalls: list[str] = []
    status = 200
    if request.method == "POST":
        rows, targets, problems = _blueprint_rows(p)
        if not targets and not problems:
            problems.append(("双向细目表", "请至少填写一行（题型和题数）"))
        seed = _int(p.get("seed"), 0, 999_999) if p.get("seed") else secrets.randbelow(1_000_000)
        if not problems and p.get("accept") != "1":
            cands = paper_selectors.paper_candidates(
                actor=request.user, stage=stage, subject=subject, grade=p.get("grade", "")
            )
            shortfalls = assembly.assemble(targets, cands, seed=seed or 0).shortfalls
        if not problems and not shortfalls:
            try:
                paper, result = paper_services.paper_assemble(
                    actor=_me(request),
                    title=p.get("title", "")[:200],
                    stage=stage,
                    subject=subject,
                    grade=p.get("grade", ""),
                    targets=targets,
                    seed=seed or 0,
                    origin=Origin.from_request(request),
                )
            except ZhijiaoError as exc:
                if exc.status != 400:
                    raise
                problems.append(("试卷", exc.message))
            else:
                if result.shortfalls:
                    messages.warning(request, "已组卷，以下缺题请手动补充：" + "；".join(result.shortfalls))
                else:
                    messages.success(request, f"已按细目表组卷：{len(result.picks)} 道题，共 {result.total:g} 分。")
                return redirect(f"/learning/papers/{paper.pk}/")
        status = 400 if problems else 200
    shown = [{**r, "n": i} for i, r in enumerate(rows, start=1)]
    context = {
        "rows": shown,
        "form": {k: p.get(k, "") for k in ("title", "grade", "seed")} | {"stage": stage, "subject": subject},
        "problems": problems,
        "shortfalls": shortfalls,
        "types": ItemType.choices,
        "difficulties": DIFFICULTY_LABELS.items(),
        "breadcrumbs": BREADCRUMBS,
        **forms.taxonomy_choices(stage, subject),
    }
    return render(request, "learning/paper_auto.html", context, status=status)


def _print(request: HttpRequest, paper_id: int, template: str) -> HttpResponse:
    _bank(request)
    paper = paper_selectors.paper_get_for(actor=request.user, paper_id=paper_id)
    _names(paper)
    view = paper_selectors.paper_view(paper)
    for section in view.sections:
        for e in section.entries:
            _rich(e)
    context = {"paper": paper, "view": view, "breadcrumbs": BREADCRUMBS}
    return render(request, template, context)


@login_required
def paper_preview(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The paper as pupils get it (no answers), laid out for printing."""
    return _print(request, paper_id, "learning/paper_preview.html")


@login_required
def paper_key(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The teacher's answer key: answers, 解析, reference answers and rubrics per question."""
    return _print(request, paper_id, "learning/paper_key.html")


@login_required
def paper_export(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The paper as a QTI 3.0 test package (qti-assessment-test and its items), a download."""
    _bank(request)
    paper = paper_selectors.paper_get_for(actor=request.user, paper_id=paper_id)
    data = paper_services.paper_export_qti(actor=_me(request), paper=paper, origin=Origin.from_request(request))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="paper-{paper.pk}-qti3.zip"'
    return response
