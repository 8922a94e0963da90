"""The item bank's pages (题库): list with filters, editor with a live formula preview, detail, review queue.
Adapters: parse, call one selector or service, render. Pupils and parents get 403 on every page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.models import Account
from zhijiao.learning import forms, images, selectors, services
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import (
    DIFFICULTY_LABELS,
    Item,
    ItemImage,
    ItemSharing,
    ItemStatus,
    ItemType,
    ItemVersion,
    MultiplePartial,
)
from zhijiao.learning.scoring import true_false_value
from zhijiao.resources.views_files import file_answer

BREADCRUMBS = [("题库", "/learning/items/")]
DEFAULTS = {"stage": "3", "subject": "14", "type": "single", "points": "3", "difficulty": "3", "sharing": "school"}


def _me(request: HttpRequest) -> Account:
    """The signed-in account (views behind ``login_required``)."""
    return cast(Account, request.user)


def _bank(request: HttpRequest) -> None:
    if not selectors.item_bank_allowed(request.user):
        raise Forbidden("题库供教师和审核人员使用")


def answer_text(version: ItemVersion) -> str:
    """The answer as a teacher reads it."""
    if version.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        return "、".join(version.answer)
    if version.type == ItemType.TRUE_FALSE:
        return "对" if version.answer and true_false_value(version.answer[0]) == "T" else "错"
    if version.type == ItemType.BLANK:
        return "；".join(f"第{i}空：{' 或 '.join(a)}" for i, a in enumerate(version.answer, start=1))
    return ""


def _int(value: str | None) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if 0 < n < 2**31 else None


def _label(item: Item, actor) -> None:
    own = item.author_id == actor.pk
    version = item.current_version if own else item.approved_version
    item.shown = version  # type: ignore[attr-defined]
    # others read the approved version: to them it is 已通过, whatever its newer draft is doing
    status = item.status if own or version is None or version.pk != item.approved_version_id else ItemStatus.APPROVED
    item.viewer_status = status  # type: ignore[attr-defined]
    item.viewer_status_label = ItemStatus(status).label  # type: ignore[attr-defined]
    if version is not None:
        item.summary = images.IMAGE_MARK.sub("［图］", version.stem)  # type: ignore[attr-defined]
    item.stage_name = code_name("stage", item.stage)  # type: ignore[attr-defined]
    item.subject_name = code_name("subject", item.subject)  # type: ignore[attr-defined]


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    _bank(request)
    g = request.GET
    f = selectors.ItemFilters(
        stage=g.get("stage", ""),
        subject=g.get("subject", ""),
        grade=g.get("grade", ""),
        type=g.get("type", "") if g.get("type", "") in ItemType.values else "",
        difficulty=_int(g.get("difficulty")) if g.get("difficulty") in {"1", "2", "3", "4", "5"} else None,
        point=_int(g.get("point")),
        status=g.get("status", "") if g.get("status", "") in ItemStatus.values else "",
        mine=g.get("mine") == "1",
        q=g.get("q", "")[:50],
    )
    page, querystring = paginate(request, selectors.item_list(actor=request.user, filters=f), per_page=20)
    for item in page:
        _label(item, request.user)
    tax = forms.taxonomy_choices(f.stage or "3", f.subject or "14")
    context = {
        "page_obj": page,
        "querystring": querystring,
        "f": f,
        "types": ItemType.choices,
        "statuses": ItemStatus.choices,
        "difficulties": DIFFICULTY_LABELS.items(),
        "may_write": selectors.item_owner(request.user) is not None,
        "is_reviewer": selectors.item_is_reviewer(request.user),
        "waiting": selectors.item_review_queue(actor=request.user).count(),
        **tax,
    }
    return render(request, "learning/item_list.html", context)


def _editor(request: HttpRequest, *, item: Item | None, form: dict, problems, duplicates=()) -> HttpResponse:
    context = {
        "item": item,
        "images": list(item.images.all()) if item is not None else [],
        "form": form,
        "problems": problems,
        "duplicates": duplicates,
        "types": ItemType.choices,
        "partials": MultiplePartial.choices,
        "sharings": ItemSharing.choices,
        "difficulties": DIFFICULTY_LABELS.items(),
        "option_rows": [(k, form.get(f"option_{k}", "")) for k in "ABCDEF"],
        "breadcrumbs": BREADCRUMBS,
        **forms.taxonomy_choices(form.get("stage") or "3", form.get("subject") or "14"),
    }
    return render(request, "learning/item_edit.html", context, status=400 if problems else 200)


def _save(request: HttpRequest, item: Item | None) -> HttpResponse:
    data = forms.data_from_post(request.POST)
    origin = Origin.from_request(request)
    try:
        if item is None:
            saved = services.item_create(actor=_me(request), data=data, origin=origin)
        else:
            saved = services.item_update(actor=_me(request), item=item, data=data, origin=origin)
    except services.ItemInvalid as exc:
        return _editor(request, item=item, form=forms.form_from_post(request.POST), problems=exc.problems)
    if saved.duplicates:
        ids = "、".join(f"#{m.key}（相似度 {m.similarity:.0%}）" for m in saved.duplicates[:5])
        messages.warning(request, f"已保存。题库中有题干几乎相同的试题：{ids}，请确认不是重复录入。")
    else:
        messages.success(request, "已保存。")
    return redirect(f"/learning/items/{saved.item.pk}/")


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    _bank(request)
    if selectors.item_owner(request.user) is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)
    if request.method == "POST":
        return _save(request, None)
    return _editor(request, item=None, form=dict(DEFAULTS), problems=[])


@login_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    if item.author_id != request.user.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_AUTHOR, status=403)
    if item.status == ItemStatus.SUBMITTED:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_EDITABLE, status=403)
    if request.method == "POST":
        return _save(request, item)
    assert item.current_version is not None
    return _editor(request, item=item, form=forms.initial_from_item(item, item.current_version), problems=[])


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    version = selectors.item_shown_version(actor=request.user, item=item)
    _label(item, request.user)
    own = item.author_id == request.user.pk
    may_review = selectors.item_may_review(actor=request.user, item=item)
    ids = set(item.images.values_list("pk", flat=True))
    rich = {}
    if version is not None:
        rich = {
            "stem": images.rich_text(version.stem, ids),
            "explanation": images.rich_text(version.explanation, ids),
            "reference": images.rich_text(version.reference_answer, ids),
            "options": [(o["key"], images.rich_text(o["text"], ids)) for o in version.options],
        }
    context = {
        "item": item,
        "v": version,
        "rich": rich,
        "answer": answer_text(version) if version else "",
        "criteria": list(version.criteria.all()) if version else [],
        "own": own,
        "may_review": may_review,
        "versions": list(item.versions.all()) if own else [],
        "reviews": list(item.reviews.select_related("version", "reviewer"))
        if own or item.status == "submitted"
        else [],
        "chapter": item.chapter,
        "points": list(item.knowledge_points.all()),
        "breadcrumbs": BREADCRUMBS,
    }
    return render(request, "learning/item_detail.html", context)


@login_required
@require_POST
def item_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    services.item_submit(actor=_me(request), item=item, origin=Origin.from_request(request))
    messages.success(request, "已提交审核。")
    return redirect(f"/learning/items/{item.pk}/")


@login_required
@require_POST
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    services.item_delete(actor=_me(request), item=item, origin=Origin.from_request(request))
    messages.success(request, "试题已删除。")
    return redirect("/learning/items/?mine=1")


@login_required
@require_POST
def item_review(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.item_review(
            actor=_me(request),
            item=item,
            approve=approve,
            comment=request.POST.get("comment", "")[:1000],
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect(f"/learning/items/{item.pk}/")
    messages.success(request, "审核通过。" if approve else "已退回出题人。")
    return redirect("/learning/items/review/")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.item_is_reviewer(request.user):
        raise ZhijiaoError(LearningError.LEARNING_ITEM_REVIEW_NOT_ALLOWED, status=403)
    page, querystring = paginate(request, selectors.item_review_queue(actor=request.user), per_page=20)
    for item in page:
        item.shown = item.current_version  # type: ignore[attr-defined]
        item.summary = images.IMAGE_MARK.sub("［图］", item.shown.stem if item.shown else "")  # type: ignore[attr-defined]
    context = {"page_obj": page, "querystring": querystring, "breadcrumbs": BREADCRUMBS}
    return render(request, "learning/review.html", context)


@login_required
@require_POST
def item_image_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    """The editor's 上传图片: the picture is stored and its mark shown, to be written into the stem."""
    item = selectors.item_get_for(actor=request.user, item_id=item_id)
    upload = request.FILES.get("image")
    try:
        if upload is None:
            raise ZhijiaoError(LearningError.LEARNING_IMAGE_INVALID, field="图片", detail="请选择图片")
        if (upload.size or 0) > images.MAX_BYTES:
            raise ZhijiaoError(LearningError.LEARNING_IMAGE_INVALID, field="图片", detail="不能超过 2 MB")
        image = images.item_image_add(
            actor=_me(request),
            item=item,
            name=upload.name or "",
            data=upload.read(),
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"图片已上传。在题干、选项或解析中写 ![图{image.pk}](image:{image.pk}) 即可插入。")
    return redirect(f"/learning/items/{item.pk}/edit/")


@login_required
def item_image(request: HttpRequest, image_id: int) -> HttpResponseBase:
    """A picture of an item the actor may see (or review), by the resource centre's file rules."""
    image = ItemImage.objects.filter(pk=image_id).first()
    if image is None:
        raise NotFound()
    selectors.item_get_for(actor=request.user, item_id=image.item_id)
    return file_answer(request, sha256=image.sha256, name=image.name, inline=True)
