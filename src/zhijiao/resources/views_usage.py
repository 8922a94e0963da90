"""Pages and form posts for using resources: rate, comment, favourite (``usage``), 我的收藏.

The detail page's use panel (``_use.html``) works as plain forms; ``use.js`` upgrades the stars and the
favourite button to in-place API calls and sends play-progress beacons.
"""

from __future__ import annotations

import hashlib
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_name
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.models import Account
from zhijiao.resources import selectors, usage, value
from zhijiao.resources.models import Resource, ResourceLevel, ResourceStatus, UsageKind


def _me(request: HttpRequest) -> Account:
    return cast(Account, request.user)


def _visitor(request: HttpRequest) -> str:
    """An anonymous visitor's key for view de-duplication: their session, else a hash of address and agent."""
    if request.session.session_key:
        return request.session.session_key
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def view_record(request: HttpRequest, resource: Resource) -> None:
    """A view of a published resource's page (de-duplicated per 30 minutes)."""
    if resource.status == ResourceStatus.PUBLISHED:
        usage.usage_record(actor=request.user, resource=resource, kind=UsageKind.VIEW, visitor=_visitor(request))


def use_context(request: HttpRequest, resource: Resource) -> dict:
    """What ``_use.html`` needs on the detail page."""
    published = resource.status == ResourceStatus.PUBLISHED
    signed_in = request.user.is_authenticated
    g = value.grade(level=resource.level, type=resource.type)
    return {
        "use": {
            "published": published,
            "signed_in": signed_in,
            "is_author": signed_in and resource.author_id == request.user.pk,
            "my_rating": usage.rating_of(actor=request.user, resource=resource) if published else None,
            "favourite": usage.favourite_state(actor=request.user, resource=resource) if published else False,
            "comments": list(usage.comment_list(actor=request.user, resource=resource)[:50]) if published else [],
            "may_moderate": usage.comment_may_moderate(actor=request.user, resource=resource),
            "level": resource.get_level_display() if resource.level else "",
            "grade": round(g * 100),
            "level_grade": value.LEVEL_GRADE.get(resource.level, 0.5),
            "type_weight": value.TYPE_WEIGHT.get(resource.type, 0.7),
            "weights": {
                "grade": round(value.WEIGHT_GRADE * 100),
                "rating": round(value.WEIGHT_RATING * 100),
                "use": round(value.WEIGHT_USE * 100),
            },
            "media": resource.type in value.MEDIA_TYPES,
            "comment_max": usage.COMMENT_MAX,
            "stars": range(1, 6),
        }
    }


def _back(resource_id: int) -> HttpResponse:
    return redirect(f"/resources/{resource_id}/#use")


@login_required
@require_POST
def rating_post(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        usage.rating_set(actor=_me(request), resource=resource, score=score)
        messages.success(request, f"已评 {score} 分，谢谢你的评价。")
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
    return _back(resource.pk)


@login_required
@require_POST
def comment_post(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    try:
        usage.comment_add(actor=_me(request), resource=resource, body=request.POST.get("body", ""))
        messages.success(request, "评论已发表。")
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
    return _back(resource.pk)


@login_required
@require_POST
def comment_hide_post(request: HttpRequest, resource_id: int, comment_id: int) -> HttpResponse:
    hidden = request.POST.get("hidden", "1") == "1"
    usage.comment_hide(
        actor=_me(request),
        comment_id=comment_id,
        hidden=hidden,
        origin=Origin.from_request(request),
        resource_id=resource_id,
    )
    messages.success(request, "评论已隐藏。" if hidden else "评论已恢复显示。")
    return _back(resource_id)


@login_required
@require_POST
def favourite_post(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    on = usage.favourite_toggle(actor=_me(request), resource=resource)
    messages.success(request, "已加入我的收藏。" if on else f"已取消收藏《{resource.title}》。")
    if request.POST.get("next") == "/resources/favourites/":
        return redirect("/resources/favourites/")
    return _back(resource.pk)


@login_required
def favourites_page(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, usage.favourite_list(actor=_me(request)))
    items = list(page.object_list)
    for r in items:
        r.stage_name = code_name("stage", r.stage)  # type: ignore[attr-defined]
        r.subject_name = code_name("subject", r.subject)  # type: ignore[attr-defined]
        r.grade_name = code_name("grade", r.grade) if r.grade else ""  # type: ignore[attr-defined]
    page.object_list = items
    return render(
        request,
        "resources/favourites.html",
        {
            "page_obj": page,
            "query": query,
            "levels": dict(ResourceLevel.choices),
            "breadcrumbs": [("资源中心", "/resources/"), ("我的收藏", None)],
        },
    )
