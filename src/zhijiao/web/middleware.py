from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.params import QUERY_VALUE_MAX_CHARS, int_in_range


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


# Free text: a search for a long number is still a search, not an id.
_TEXT_PARAMETERS = frozenset({"q"})
# The OpenID Connect endpoints take clients' opaque values (state, nonce, id_token_hint) of any shape; django-oauth-
# toolkit validates them, and nothing there reaches a LIKE pattern or an integer column.
_OPAQUE_PREFIXES = ("/o/", "/.well-known/")


class QueryLimitsMiddleware:
    """Refuse, before any view, query strings the database cannot take (see ``zhijiao.core.params``): a value over
    ``QUERY_VALUE_MAX_CHARS`` characters, or an integer outside 64 bits (400, in Chinese); and a path whose numeric
    part is outside 64 bits, which can name no record (404). Pages answer with the error page, the API with the
    API's error shape. The API's own parameter types bound each parameter more tightly (422)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_OPAQUE_PREFIXES):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not all(int_in_range(part) for part in request.path.split("/") if part):
            return self._answer(request, ZhijiaoError(CoreError.CORE_NOT_FOUND, status=404))
        for name, values in request.GET.lists():
            for value in values:
                if len(value) > QUERY_VALUE_MAX_CHARS:
                    return self._answer(request, ZhijiaoError(CoreError.CORE_QUERY_TOO_LONG, field=name, status=400))
                if name not in _TEXT_PARAMETERS and not int_in_range(value):
                    error = ZhijiaoError(CoreError.CORE_NUMBER_OUT_OF_RANGE, field=name, status=400)
                    return self._answer(request, error)
        return None

    @staticmethod
    def _answer(request: HttpRequest, error: ZhijiaoError) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
        template = "404.html" if error.status == 404 else "web/error.html"
        # a page names no parameter: users typed words, not "q"
        return render(request, template, {"error": ZhijiaoError(error.error, status=error.status)}, status=error.status)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for old proxies) on every response to a signed-in
    request and on every API response: pages and answers carry personal data, which must not stay in a shared
    computer's browser cache or a proxy. A view that chose its own ``Cache-Control`` keeps it (a resource's preview
    image, an app's icon: ``private`` caching of files with no personal data). Static files never get here:
    WhiteNoise answers them further up, cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (signed_in or request.path.startswith("/api/")) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
            response["Pragma"] = "no-cache"
        return response
