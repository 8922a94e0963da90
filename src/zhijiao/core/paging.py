"""Pagination for list pages: the page asked for, and the query string that keeps the filters across pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> tuple[Page, str]:
    page = Paginator(items, per_page or settings.ZHIJIAO_PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return page, urlencode(params)
