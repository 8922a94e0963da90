"""Resource centre pages: detail and ranged download, my resources, the review queue (the search pages,
``/resources/`` and the public portal, are in :mod:`.views_search`; upload, edit and delete in
:mod:`.views_edit`). Adapters only: parse, call one service or selector, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.models import Account
from zhijiao.resources import selectors, views_files, views_usage
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import Resource, ResourceStatus
from zhijiao.resources.services import resource_download_record, resource_review, resource_submit


def _me(request: HttpRequest) -> Account:
    """The signed-in account (views behind ``login_required``)."""
    return cast(Account, request.user)


def _reviewer_required(request: HttpRequest) -> None:
    """The review feature (decision 0001): 403 for roles without it, before any record is looked up."""
    if not selectors.resource_is_reviewer(request.user):
        raise ZhijiaoError(ResourceError.RESOURCE_REVIEW_NOT_ALLOWED, status=403)


def _decorate(resources) -> list[Resource]:
    items = list(resources)
    for r in items:
        r.stage_name = code_name("stage", r.stage)  # type: ignore[attr-defined]
        r.subject_name = code_name("subject", r.subject)  # type: ignore[attr-defined]
        r.grade_name = code_name("grade", r.grade)  # type: ignore[attr-defined]
    return items


def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    _decorate([resource])
    may_review = request.user.is_authenticated and selectors.resource_may_review(actor=request.user, resource=resource)
    views_usage.view_record(request, resource)
    return render(
        request,
        "resources/detail.html",
        {
            "r": resource,
            "points": resource.knowledge_points.all(),
            "versions": resource.versions.select_related("file", "created_by"),
            "steps": resource.review_steps.select_related("reviewer"),
            "is_author": resource.author_id == request.user.pk,
            "may_review": may_review,
            "may_export_description": selectors.resource_is_bureau_staff(request.user),
            "may_submit": resource.author_id == request.user.pk
            and resource.status in (ResourceStatus.DRAFT, ResourceStatus.RETURNED),
            "duplicates": selectors.resource_duplicates(actor=request.user, resource=resource),
            "breadcrumbs": [("资源中心", "/resources/"), (resource.title, None)],
            **views_usage.use_context(request, resource),
        },
    )


def resource_download(request: HttpRequest, resource_id: int) -> HttpResponseBase:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    version = resource.current_version
    if version is None:
        raise NotFound()
    inline = request.GET.get("inline") == "1"  # the page's own preview or player; served inline only if safe
    if "Range" not in request.headers:
        resource_download_record(
            actor=request.user, resource=resource, origin=Origin.from_request(request), inline=inline
        )
    return views_files.file_answer(request, sha256=version.file.sha256, name=version.original_name, inline=inline)


@login_required
def resource_mine_page(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, selectors.resource_mine(actor=_me(request)))
    page.object_list = _decorate(page.object_list)
    return render(
        request,
        "resources/mine.html",
        {
            "page_obj": page,
            "query": query,
            "may_upload": selectors.resource_may_upload(request.user),
            "breadcrumbs": [("资源中心", "/resources/"), ("我的资源", None)],
        },
    )


@login_required
@require_POST
def resource_submit_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    resource_submit(actor=_me(request), resource=resource, origin=Origin.from_request(request))
    messages.success(request, "已提交审核。")
    return redirect(f"/resources/{resource.pk}/")


@login_required
def resource_review_page(request: HttpRequest) -> HttpResponse:
    _reviewer_required(request)
    stage = request.GET.get("stage", "")
    stage = stage if stage in ("first", "second") else ""
    page, query = paginate(request, selectors.resource_review_queue(actor=_me(request), stage=stage))
    page.object_list = _decorate(page.object_list)
    now = timezone.now()
    for r in page.object_list:
        r.waiting_days = (now - r.updated_at).days  # type: ignore[attr-defined]
    first = selectors.resource_review_queue(actor=_me(request), stage="first").count()
    second = selectors.resource_review_queue(actor=_me(request), stage="second").count()
    return render(
        request,
        "resources/review.html",
        {
            "page_obj": page,
            "query": query,
            "stage": stage,
            "counts": {"all": first + second, "first": first, "second": second},
            "breadcrumbs": [("资源中心", "/resources/"), ("资源审核", None)],
        },
    )


@login_required
@require_POST
def resource_review_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    _reviewer_required(request)
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    approve = request.POST.get("decision") == "approve"
    done = resource_review(
        actor=_me(request),
        resource=resource,
        approve=approve,
        comment=request.POST.get("comment", ""),
        level=request.POST.get("level", "") if approve else "",
        origin=Origin.from_request(request),
    )
    label = {"first_approved": "一审通过", "published": "二审通过，资源已发布", "returned": "已退回作者"}
    messages.success(request, f"《{done.title}》{label.get(done.status, '已处理')}。")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/resources/") and "//" not in back else "/resources/review/")
