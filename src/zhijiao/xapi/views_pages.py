"""The learning record store's pages (session sign-in, Chinese): 我的学习记录 for learners, guardians and teachers,
and 学习记录库 for administrators (apps and credentials, statement browser, volumes, deletion, retention).

Adapters: parse, ask one selector (``records``) or service (``operate``), render.
"""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhijiao.access.permissions import Perm, allows, require
from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.models import Account
from zhijiao.xapi import operate, records
from zhijiao.xapi.services import PLATFORM_APP

LRS_CRUMB = ("学习记录库", "/lrs/")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# ------------------------------------------------------------------ learners, guardians, teachers


def _records_page(request: HttpRequest, learner: records.Learner, *, title: str, crumbs: list) -> HttpResponse:
    page, querystring = paginate(request, records.learner_statements(learner), per_page=20)
    rows = records.records(list(page.object_list))
    context = {
        "learner": learner,
        "title": title,
        "rows": rows,
        "page_obj": page,
        "querystring": querystring,
        "summary": records.learner_summary(learner),
        "children": records.children_of(actor=request.user),
        "classes": records.teacher_classes(actor=request.user) if learner.relation == "self" else [],
        "breadcrumbs": crumbs,
        "export_url": "export/" if learner.relation != "pupil" else "",
    }
    return render(request, "xapi/records.html", context)


@login_required
def my_records(request: HttpRequest) -> HttpResponse:
    """我的学习记录: what I viewed, played and did, when, how far; a guardian lands on their first child's."""
    children = records.children_of(actor=request.user)
    if children and not records.learner_statements(records.learner_for(actor=request.user)).exists():
        return redirect(f"/records/student/{records.child_to_show(children).pk}/")
    learner = records.learner_for(actor=request.user)
    return _records_page(request, learner, title="我的学习记录", crumbs=[("我的学习记录", None)])


@login_required
def student_records(request: HttpRequest, student_id: int) -> HttpResponse:
    """A child's records (guardian) or a pupil's (their teacher); anyone else 404."""
    learner = records.learner_for(actor=request.user, student_id=student_id)
    title = f"{learner.name}的学习记录"
    crumbs = [("学习记录", "/records/"), (learner.name, None)]
    if learner.relation == "pupil" and learner.student and learner.student.school_class_id:
        crumbs = [
            ("学习记录", "/records/"),
            ("班级", f"/records/class/{learner.student.school_class_id}/"),
            (learner.name, None),
        ]
    return _records_page(request, learner, title=title, crumbs=crumbs)


@login_required
def class_records(request: HttpRequest, class_id: int) -> HttpResponse:
    """A teacher's class: each pupil's records in the last 30 days, linking to their records."""
    pupils = records.class_pupils(actor=request.user, class_id=class_id)
    school_class = next(c for c in records.teacher_classes(actor=request.user) if c.pk == class_id)
    return render(
        request,
        "xapi/class_records.html",
        {
            "pupils": pupils,
            "school_class": school_class,
            "breadcrumbs": [("学习记录", "/records/"), (f"{school_class.name}学生的学习记录", None)],
        },
    )


def _export(learner: records.Learner, name: str) -> HttpResponse:
    body = json.dumps(records.learner_export(learner), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_export(request: HttpRequest) -> HttpResponse:
    """My statements as xAPI JSON (a download, never shown inline)."""
    return _export(records.learner_for(actor=request.user), "learning-records")


@login_required
def student_export(request: HttpRequest, student_id: int) -> HttpResponse:
    """A guardian downloads their child's statements (teachers read them on the page, they do not export them)."""
    learner = records.learner_for(actor=request.user, student_id=student_id)
    if learner.relation != "child":
        raise NotFound()
    return _export(learner, "learning-records")


# ------------------------------------------------------------------ administrators


@login_required
def lrs_home(request: HttpRequest) -> HttpResponse:
    """学习记录库: the apps that write to it with their credentials and retention, volumes per app and per day."""
    return _lrs_home(request, issued=None)


def _lrs_home(request: HttpRequest, *, issued: dict[str, str] | None) -> HttpResponse:
    apps = records.app_rows(actor=request.user)
    # 三员分立: a 系统管理员 manages the apps and credentials; statements and erasures are the platform's to read
    reads_records = allows(scope_for(request.user), Perm.READ_LEARNING_RECORDS)
    context = {
        "apps": apps,
        "all_apps": records.all_apps(actor=request.user),
        "chart": records.volumes(actor=request.user),
        "total": sum(a.statements for a in apps),
        "reads_records": reads_records,
        "erasures": records.erasures(actor=request.user) if reads_records else [],
        "issued": issued,
        "platform_app": PLATFORM_APP,
        "breadcrumbs": [(LRS_CRUMB[0], None)],
    }
    response = render(request, "xapi/lrs_home.html", context)
    if issued:
        add_never_cache_headers(response)  # a secret shown once must not sit in any cache (nor in the session)
    return response


@login_required
def lrs_statements(request: HttpRequest) -> HttpResponse:
    """The statement browser: filter by app, verb, learner (masked), activity and date."""
    g = request.GET
    filters = records.Filters(
        app=_int(g.get("app")),
        verb=g.get("verb", "")[:600],
        learner=_int(g.get("learner")),
        activity=g.get("activity", "").strip()[:2000],
        since=_day(g.get("since")),
        until=_day(g.get("until")),
        flagged=g.get("flagged") == "1",
    )
    page, querystring = paginate(request, records.browse(actor=request.user, filters=filters), per_page=25)
    statements = list(page.object_list)
    masked = records.masked_learners(statements)
    learner_label = ""
    if filters.learner:
        account = Account.objects.select_related("person").filter(pk=filters.learner).first()
        learner_label = operate.learner_label(account) if account else ""
    context = {
        "rows": records.records(statements, masked=masked),
        "page_obj": page,
        "querystring": querystring,
        "filters": filters,
        "apps": records.all_apps(actor=request.user),
        "verbs": records.verbs_seen(actor=request.user),
        "learner_label": learner_label,
        "breadcrumbs": [LRS_CRUMB, ("学习记录浏览", None)],
    }
    return render(request, "xapi/lrs_statements.html", context)


@login_required
@require_POST
def lrs_credential_issue(request: HttpRequest, app_id: int) -> HttpResponse:
    app, issued = operate.credential_issue_for(actor=request.user, app_id=app_id, origin=Origin.from_request(request))
    return _lrs_home(request, issued={"app": str(app.application.name), "key": issued.key, "secret": issued.secret})


@login_required
@require_POST
def lrs_credential_revoke(request: HttpRequest, credential_id: int) -> HttpResponse:
    try:
        credential = operate.credential_revoke(
            actor=request.user, credential_id=credential_id, origin=Origin.from_request(request)
        )
    except ZhijiaoError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"凭据 {credential.key[:6]}… 已停用，使用它的请求将被拒绝。")
    return redirect("/lrs/")


@login_required
@require_POST
def lrs_retention(request: HttpRequest, app_id: int) -> HttpResponse:
    try:
        rule = operate.retention_set(
            actor=request.user,
            app_id=app_id,
            months=request.POST.get("months", ""),
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status == 403 or exc.status == 404:
            raise
        messages.error(request, f"{exc.field}：{exc.message}" if exc.field else exc.message)
    else:
        messages.success(request, f"保留期限已设为{rule.months}个月。" if rule.months else "已设为长期保留。")
    return redirect("/lrs/")


@login_required
@require_POST
def lrs_learner_erase(request: HttpRequest, account_id: int) -> HttpResponse:
    try:
        erasure = operate.learner_erase(
            actor=request.user,
            account_id=account_id,
            reason=request.POST.get("reason", ""),
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, f"{exc.field}：{exc.message}" if exc.field else exc.message)
        return redirect(f"/lrs/statements/?learner={account_id}")
    messages.success(request, f"已删除{erasure.learner_label}的 {erasure.count} 条学习记录，删除记录已留存。")
    return redirect("/lrs/")


@login_required
@never_cache
def lrs_learner_export(request: HttpRequest, account_id: int) -> HttpResponse:
    """The platform administrator exports a learner's statements (a lawful request for a copy); audited."""
    require(request.user, Perm.READ_LEARNING_RECORDS)
    account = Account.objects.select_related("person").filter(pk=account_id).first()
    if account is None:
        raise NotFound()
    learner = records.Learner(account=account, name=operate.learner_label(account), relation="admin")
    audit_record(
        actor=request.user,
        action="xapi.learner_export",
        origin=Origin.from_request(request),
        target=Target("xapi_learner", str(account.pk), learner.name),
    )
    return _export(learner, f"learning-records-{account.pk}")
