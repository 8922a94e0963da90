"""The 课程体系 pages: editions and their books, one book's chapter tree with its knowledge points; for a bureau,
importing a taxonomy file and exporting an edition. Adapters: parse, ask one selector or service, render.

Who may do what is asked through Django's ``has_perm`` (``permissions``): this app sits below the access layer
and must not import it; the access layer's permission backend answers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.curriculum import selectors, services
from zhijiao.curriculum.errors import CurriculumError
from zhijiao.curriculum.permissions import MANAGE, VIEW
from zhijiao.curriculum.tabular import write_csv, write_xlsx

IMPORT_MAX_BYTES = 10 * 1024 * 1024  # a whole edition is some 100 KB; ten megabytes is plenty


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Forbidden()


def _page(request: HttpRequest, *, volume_id: int | None, result: services.ImportResult | None = None) -> HttpResponse:
    editions = list(selectors.edition_overview())
    volume = selectors.volume_get(volume_id=volume_id) if volume_id else None
    if volume_id and volume is None:
        raise NotFound()
    if volume is None and editions and editions[0].volumes.all():
        volume = editions[0].volumes.all()[0]
    for e in editions:
        e.label = selectors.edition_label(e)  # type: ignore[attr-defined]
    tree = selectors.volume_tree(volume=volume) if volume else []
    context = {
        "editions": editions,
        "volume": volume,
        "edition_label": selectors.edition_label(volume.edition) if volume else "",
        "grade_name": code_name("grade", volume.grade) if volume else "",
        "tree": tree,
        "counts": {
            "chapters": len(tree),
            "sections": sum(len(n.sections) for n in tree),
            "points": sum(len(n.points) + sum(len(s.points) for s in n.sections) for n in tree),
        },
        "may_manage": request.user.has_perm(MANAGE),
        "result": result,
        "breadcrumbs": [("教学资源", "/resources/"), ("课程体系", None)],
    }
    return render(request, "curriculum/tree.html", context, status=400 if result and not result.ok else 200)


@login_required
def curriculum_tree(request: HttpRequest) -> HttpResponse:
    """课程体系: editions → books → one book's chapters and sections with their knowledge points."""
    _require(request, VIEW)
    return _page(request, volume_id=_int(request.GET.get("volume")))


@login_required
@require_POST
def curriculum_import(request: HttpRequest) -> HttpResponse:
    """A bureau uploads a taxonomy file; the page shows what was imported or every row to correct."""
    _require(request, MANAGE)
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > IMPORT_MAX_BYTES:
        raise ZhijiaoError(CurriculumError.CURRICULUM_FILE_UNREADABLE, detail="请选择不超过 10 MB 的文件")
    result = services.taxonomy_import(
        data=upload.read(), name=upload.name or "", actor=request.user, channel="web", request=request
    )
    return _page(request, volume_id=_int(request.POST.get("volume")), result=result)


@login_required
def curriculum_export(request: HttpRequest) -> HttpResponse:
    """One edition in the import layout, as .xlsx (default) or .csv."""
    _require(request, MANAGE)
    edition = selectors.edition_get(edition_id=_int(request.GET.get("edition")))
    kind = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = services.taxonomy_export_rows([edition])
    if kind == "csv":
        response = HttpResponse(write_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            write_xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="curriculum-{edition.code}-{edition.subject}.{kind}"'
    return response
