"""Bulk import (xlsx, QTI 3.0) with a row-by-row result, the xlsx template, and the QTI 3.0 export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_choices
from zhijiao.core.errors import ZhijiaoError
from zhijiao.learning import selectors, transfer
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import ItemSharing, ItemStatus, ItemType
from zhijiao.learning.views import BREADCRUMBS, _bank, _int, _me

MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _writer(request: HttpRequest) -> None:
    _bank(request)
    if selectors.item_owner(request.user) is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)


@login_required
def item_import(request: HttpRequest) -> HttpResponse:
    _writer(request)
    result, error = None, ""
    form = {"stage": "3", "subject": "14", "sharing": "school"}
    if request.method == "POST":
        form = request.POST.dict()
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail="请选择文件")
            if (upload.size or 0) > MAX_UPLOAD:
                raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail="文件超过 20 MB")
            data = upload.read()
            origin = Origin.from_request(request)
            name = (upload.name or "").lower()
            if name.endswith(".zip"):
                result = transfer.items_import_qti(
                    actor=_me(request),
                    data=data,
                    origin=origin,
                    stage=form.get("stage", ""),
                    subject=form.get("subject", ""),
                    grade=form.get("grade", ""),
                    sharing=form.get("sharing", "school"),
                )
            elif name.endswith(".xlsx"):
                result = transfer.items_import_xlsx(actor=_me(request), data=data, origin=origin)
            else:
                raise ZhijiaoError(
                    LearningError.LEARNING_IMPORT_UNUSABLE, detail="请上传 .xlsx 表格或 QTI 3.0 的 .zip 题目包"
                )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            error = exc.message
    context = {
        "result": result,
        "error": error,
        "form": form,
        "stages": code_choices("stage"),
        "subjects": code_choices("subject"),
        "grades": code_choices("grade"),
        "sharings": ItemSharing.choices,
        "breadcrumbs": BREADCRUMBS,
    }
    return render(request, "learning/import.html", context, status=400 if error else 200)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _writer(request)
    response = HttpResponse(transfer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E8%AF%95%E9%A2%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    """The listed items (same filters as the list, at most 500) as a QTI 3.0 package."""
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
    items = list(selectors.item_list(actor=request.user, filters=f)[:500])
    data = transfer.items_export_qti(actor=request.user, items=items, origin=Origin.from_request(request))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="items-qti3.zip"'
    return response
