from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.core.errors import ZhijiaoError


class ZhijiaoErrorMiddleware:
    """Turn a service's ZhijiaoError into a page: 404 for anything missing or out of scope."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ZhijiaoError) or request.path.startswith("/api/"):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/error.html")
        return render(request, template, {"error": exception}, status=exception.status)
