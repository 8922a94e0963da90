"""The author's pages for one resource's metadata and file: upload a new one, edit or delete a draft or a returned
one, and the taxonomy block of their form (学段 → 学科 → 版本 → 册 → 章节 → 知识点) that htmx refreshes as choices
change. Adapters only: parse, call one service or selector, render.

Who may edit: the upload feature first (:func:`selectors.resource_may_upload`; pupils, parents and 督导 get 403 on
every page here, decision 0001), then :func:`selectors.resource_get_for` answers 404 for a resource the actor may
not see; the services answer 403 to anyone but the author and 409 once it is under review or published.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.forms import TAXONOMY_FIELDS, ResourceForm
from zhijiao.resources.models import Resource, ResourceStatus
from zhijiao.resources.services import (
    StoredUpload,
    StoreResult,
    UploadedFile,
    resource_create,
    resource_delete,
    resource_update,
)
from zhijiao.resources.uploads import upload_finished_get

EDITABLE = (ResourceStatus.DRAFT, ResourceStatus.RETURNED)


def _me(request: HttpRequest) -> Account:
    """The signed-in account (views behind ``login_required``)."""
    return cast(Account, request.user)


def _uploader_required(request: HttpRequest) -> None:
    """The upload feature: 403 for roles without it, before any record is looked up."""
    if not selectors.resource_may_upload(request.user):
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_NOT_ALLOWED, status=403)


def _form_upload(request: HttpRequest, form: ResourceForm) -> UploadedFile | StoredUpload | None:
    """The form's file: a finished resumable upload (JavaScript on) or the multipart file; None when there is
    none or after putting the reason on the form."""
    if form.cleaned_data.get("upload_id"):
        try:
            session = upload_finished_get(actor=_me(request), upload_id=form.cleaned_data["upload_id"])
        except ZhijiaoError as exc:
            form.add_error("file", exc.message)
            return None
        return StoredUpload.from_session(session)
    if form.cleaned_data.get("file"):
        return UploadedFile.from_django(form.cleaned_data["file"])
    return None


def _duplicate_message(request: HttpRequest, result: StoreResult | None) -> None:
    if result is None:
        return
    if result.duplicates:
        titles = "、".join(f"《{r.title}》" for r in result.duplicates)
        messages.warning(request, f"该文件与已有资源{titles}内容相同，文件只保存了一份。")
    elif result.duplicate:
        messages.warning(request, "平台上已有内容相同的文件，文件只保存了一份。")


def _refreshed(request: HttpRequest, resource: Resource | None) -> ResourceForm:
    """Without JavaScript, 更新选项 posts the form back: show it again with the cascade narrowed to what was
    chosen, nothing saved and no errors yet."""
    initial: dict[str, object] = {
        k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "refresh", "file")
    }
    initial["knowledge_points"] = request.POST.getlist("knowledge_points")
    return ResourceForm(initial=initial, resource=resource)


def _page(request: HttpRequest, form: ResourceForm, resource: Resource | None) -> HttpResponse:
    crumbs: list[tuple[str, str | None]] = [("资源中心", "/resources/"), ("我的资源", "/resources/mine/")]
    if resource is not None:
        crumbs += [(resource.title, f"/resources/{resource.pk}/"), ("修改资源", None)]
    else:
        crumbs += [("上传资源", None)]
    return render(request, "resources/upload.html", {"form": form, "resource": resource, "breadcrumbs": crumbs})


@login_required
def resource_upload(request: HttpRequest) -> HttpResponse:
    _uploader_required(request)
    if request.method == "POST" and "refresh" in request.POST:
        return _page(request, _refreshed(request, None), None)
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES)
        upload = _form_upload(request, form) if form.is_valid() else None
        if upload is not None:
            try:
                result = resource_create(
                    actor=_me(request), data=form.data_object(), upload=upload, origin=Origin.from_request(request)
                )
            except ZhijiaoError as exc:
                form.add_error(None, exc.message)
            else:
                _duplicate_message(request, result)
                messages.success(request, "资源已保存为草稿，确认无误后请提交审核。")
                return redirect(f"/resources/{result.resource.pk}/")
    else:
        form = ResourceForm()
    return _page(request, form, None)


@login_required
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The author's form for a draft or returned resource: metadata, and optionally a new file (a new version)."""
    _uploader_required(request)
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    if resource.author_id != request.user.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_AUTHOR, status=403)
    if resource.status not in EDITABLE:
        messages.error(request, ResourceError.RESOURCE_NOT_EDITABLE.message)
        return redirect(f"/resources/{resource.pk}/")
    if request.method == "POST" and "refresh" in request.POST:
        return _page(request, _refreshed(request, resource), resource)
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, resource=resource)
        if form.is_valid():
            upload = _form_upload(request, form) if form.has_new_file else None
            if upload is not None or not form.has_new_file:
                try:
                    result = resource_update(
                        actor=_me(request),
                        resource=resource,
                        data=form.data_object(),
                        upload=upload,
                        note=form.cleaned_data.get("note", ""),
                        origin=Origin.from_request(request),
                    )
                except ZhijiaoError as exc:
                    form.add_error(None, exc.message)
                else:
                    _duplicate_message(request, result)
                    saved = f"已保存，文件更新为第 {result.version.number} 版" if result else "已保存修改"
                    messages.success(request, f"{saved}。确认无误后请提交审核。")
                    return redirect(f"/resources/{resource.pk}/")
    else:
        form = ResourceForm(resource=resource)
    return _page(request, form, resource)


@login_required
@require_POST
def resource_delete_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    resource_delete(actor=_me(request), resource=resource, origin=Origin.from_request(request))
    messages.success(request, f"已删除《{resource.title}》。")
    return redirect("/resources/mine/")


@login_required
@require_GET
def resource_form_taxonomy(request: HttpRequest) -> HttpResponse:
    """The form's taxonomy block for the choices made so far (htmx swaps it in when one changes)."""
    _uploader_required(request)
    initial: dict[str, object] = {k: request.GET.get(k, "")[:32] for k in TAXONOMY_FIELDS}
    initial["knowledge_points"] = request.GET.getlist("knowledge_points")[:200]
    form = ResourceForm(initial=initial)
    return render(request, "resources/_taxonomy.html", {"form": form})
