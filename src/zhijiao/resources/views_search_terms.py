"""检索词典: region administrators keep the search dictionary (synonyms, variants, popular queries)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhijiao.core.errors import ZhijiaoError
from zhijiao.resources.models import SearchTermKind
from zhijiao.resources.search_terms import search_term_delete, search_term_save, search_terms_list


@login_required
def search_terms_page(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "delete":
                search_term_delete(actor=request.user, term_id=int(p.get("id", "0") or 0))
            else:
                term_id = int(p["id"]) if p.get("id", "").isdigit() else None
                search_term_save(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    forms=p.get("forms", ""),
                    term_id=term_id,
                    enabled=p.get("enabled", "1") == "1",
                )
            return redirect("resource-search-terms")
        except ZhijiaoError as exc:
            if exc.status in (403, 404):
                raise
            error = exc.message
    terms = search_terms_list(actor=request.user)
    groups = [(label, [t for t in terms if t.kind == kind]) for kind, label in SearchTermKind.choices]
    return render(
        request,
        "resources/search_terms.html",
        {
            "groups": groups,
            "kinds": SearchTermKind.choices,
            "error": error,
            "breadcrumbs": [("资源中心", "/resources/"), ("检索词典", None)],
        },
    )
