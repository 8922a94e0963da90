"""Resource centre pages: list with facets, the public portal, detail and ranged download, upload, my
resources, the review queue. Adapters only: parse, call one service or selector, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_choices, code_name
from zhijiao.core.errors import NotFound
from zhijiao.identity.models import Account
from zhijiao.resources import selectors
from zhijiao.resources.forms import ResourceForm
from zhijiao.resources.models import Resource, ResourceStatus, ResourceType
from zhijiao.resources.ranged import ranged_file_response
from zhijiao.resources.services import (
    UploadedFile,
    resource_create,
    resource_download_record,
    resource_review,
    resource_submit,
)
from zhijiao.resources.storage import blob_path
from zhijiao.web.paging import paginate


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _me(request: HttpRequest) -> Account:
    """The signed-in account (views behind ``login_required``)."""
    return cast(Account, request.user)


def _filters(request: HttpRequest) -> selectors.ResourceFilters:
    g = request.GET
    return selectors.ResourceFilters(
        stage=g.get("stage", ""),
        subject=g.get("subject", ""),
        grade=g.get("grade", ""),
        type=g.get("type", ""),
        edition=_int(g.get("edition")),
        volume=_int(g.get("volume")),
        chapter=_int(g.get("chapter")),
        point=_int(g.get("point")),
    )


def _facets(f: selectors.ResourceFilters) -> dict:
    return {
        "stages": code_choices("stage"),
        "subjects": code_choices("subject"),
        "grades": code_choices("grade"),
        "types": ResourceType.choices,
        "editions": selectors.edition_list(),
        "volumes": selectors.volume_list(edition=f.edition) if f.edition else [],
        "chapters": [c for c in selectors.chapter_tree(volume=f.volume) if c.parent_id is None] if f.volume else [],
        "f": f,
    }


def _decorate(resources) -> list[Resource]:
    items = list(resources)
    for r in items:
        r.stage_name = code_name("stage", r.stage)  # type: ignore[attr-defined]
        r.subject_name = code_name("subject", r.subject)  # type: ignore[attr-defined]
        r.grade_name = code_name("grade", r.grade)  # type: ignore[attr-defined]
    return items


@login_required
def resource_list_page(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    page, query = paginate(request, selectors.resource_list(actor=request.user, filters=f))
    page.object_list = _decorate(page.object_list)
    return render(
        request,
        "resources/list.html",
        {"page_obj": page, "query": query, "base": "/resources/", **_facets(f), "breadcrumbs": [("资源中心", None)]},
    )


def resource_public_page(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    page, query = paginate(request, selectors.resource_public_list(filters=f))
    page.object_list = _decorate(page.object_list)
    return render(
        request, "resources/public.html", {"page_obj": page, "query": query, "base": "/resources/public/", **_facets(f)}
    )


def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    _decorate([resource])
    may_review = request.user.is_authenticated and selectors.resource_may_review(actor=request.user, resource=resource)
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
            "may_submit": resource.author_id == request.user.pk
            and resource.status in (ResourceStatus.DRAFT, ResourceStatus.RETURNED),
            "duplicates": selectors.resource_duplicates(actor=request.user, resource=resource),
            "breadcrumbs": [("资源中心", "/resources/"), (resource.title, None)],
        },
    )


def resource_download(request: HttpRequest, resource_id: int) -> HttpResponse | StreamingHttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    version = resource.current_version
    if version is None:
        raise NotFound()
    path = blob_path(version.file.sha256)
    if not path.exists():
        raise NotFound("文件缺失")
    if "Range" not in request.headers:
        resource_download_record(actor=request.user, resource=resource, origin=Origin.from_request(request))
    return ranged_file_response(
        request,
        path,
        content_type=version.file.mime,
        filename=version.original_name,
        inline=request.GET.get("inline") == "1",
    )


@login_required
def resource_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES)
        if form.is_valid():
            result = resource_create(
                actor=_me(request),
                data=form.data_object(),
                upload=UploadedFile.from_django(form.cleaned_data["file"]),
                origin=Origin.from_request(request),
            )
            if result.duplicates:
                titles = "、".join(f"《{r.title}》" for r in result.duplicates)
                messages.warning(request, f"该文件与已有资源{titles}内容相同，文件只保存了一份。")
            elif result.duplicate:
                messages.warning(request, "平台上已有内容相同的文件，文件只保存了一份。")
            messages.success(request, "资源已保存为草稿，确认无误后请提交审核。")
            return redirect(f"/resources/{result.resource.pk}/")
    else:
        form = ResourceForm()
    return render(
        request,
        "resources/upload.html",
        {"form": form, "breadcrumbs": [("资源中心", "/resources/"), ("上传资源", None)]},
    )


@login_required
def resource_mine_page(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, selectors.resource_mine(actor=_me(request)))
    page.object_list = _decorate(page.object_list)
    return render(
        request,
        "resources/mine.html",
        {"page_obj": page, "query": query, "breadcrumbs": [("资源中心", "/resources/"), ("我的资源", None)]},
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
    stage = request.GET.get("stage", "")
    stage = stage if stage in ("first", "second") else ""
    page, query = paginate(request, selectors.resource_review_queue(actor=_me(request), stage=stage))
    page.object_list = _decorate(page.object_list)
    return render(
        request,
        "resources/review.html",
        {
            "page_obj": page,
            "query": query,
            "stage": stage,
            "counts": {
                "first": selectors.resource_review_queue(actor=_me(request), stage="first").count(),
                "second": selectors.resource_review_queue(actor=_me(request), stage="second").count(),
            },
            "breadcrumbs": [("资源中心", "/resources/"), ("资源审核", None)],
        },
    )


@login_required
@require_POST
def resource_review_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    approve = request.POST.get("decision") == "approve"
    done = resource_review(
        actor=_me(request),
        resource=resource,
        approve=approve,
        comment=request.POST.get("comment", ""),
        origin=Origin.from_request(request),
    )
    label = {"first_approved": "一审通过", "published": "二审通过，资源已发布", "returned": "已退回作者"}
    messages.success(request, f"《{done.title}》{label.get(done.status, '已处理')}。")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/resources/") and "//" not in back else "/resources/review/")
