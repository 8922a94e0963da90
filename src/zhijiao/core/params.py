"""Bounds on what a caller may send: one definition for the API's parameter types and the pages' query strings.

A database id is a 64-bit integer (BigAutoField) and a free-text filter becomes a ``LIKE`` pattern; unbounded, an
integer like 99999999999999999999999 overflowed SQLite ("Python int too large to convert to SQLite INTEGER") and a
50,000-character ``q`` broke its pattern matcher ("LIKE or GLOB pattern too complex") — both as server errors.
The API declares its parameters with these types (ninja answers 422 with the reason in Chinese, see
``zhijiao.config.api``); pages go through :func:`zhijiao.web.middleware.QueryLimitsMiddleware`, which applies
the same numbers to every query string.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator

from zhijiao.core.listing import Listing

# The largest value of a 64-bit signed integer: every primary key, every PostgreSQL bigint.
DB_ID_MAX = 2**63 - 1
# A count, an offset or a page number: 32 bits is more than any list holds, and fits an IntegerField anywhere.
COUNT_MAX = 2**31 - 1
# Free text typed into a search box (a name, an ID number, a few key words).
SEARCH_MAX_CHARS = 200
# A code or a short value picked from a list (division code, stage, subject, status …).
CODE_MAX_CHARS = 64
# A list of codes or ids in one parameter ("12,15,19").
LIST_MAX_CHARS = 2_000
# Any one query-string value a page accepts; longer values are refused before a view sees them. Generous: a login
# page's ``next`` carries a whole OpenID Connect authorization request.
QUERY_VALUE_MAX_CHARS = 4_000
# Years a school year, a plan or a snapshot may have.
YEAR_MIN, YEAR_MAX = 1900, 2100


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"); nothing legitimate carries one.
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    return value


DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
SearchText = Annotated[str, Field(max_length=SEARCH_MAX_CHARS), AfterValidator(_no_nul)]
Code = Annotated[str, Field(max_length=CODE_MAX_CHARS), AfterValidator(_no_nul)]
CodeList = Annotated[str, Field(max_length=LIST_MAX_CHARS), AfterValidator(_no_nul)]


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with a bounded page number (page × size must stay a 64-bit offset). A view
    may return a :class:`zhijiao.core.listing.Listing` instead of a queryset: its rows (plain values, compiled
    query) and its cached count make the page."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=COUNT_MAX)
        page_size: int | None = Field(None, ge=1, le=COUNT_MAX)  # the paginator caps it at its own maximum

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        if isinstance(queryset, Listing):
            page_size = self._get_page_size(pagination.page_size)
            rows = queryset.rows(offset=(pagination.page - 1) * page_size, limit=page_size)
            return {self.items_attribute: rows, "count": queryset.count()}
        return super().paginate_queryset(queryset, pagination, request, **params)


def int_in_range(value: str) -> bool:
    """Whether a query-string value that looks like an integer fits a 64-bit database column."""
    text = value.strip()
    digits = text.removeprefix("-").removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        return True  # not an integer: whatever parses it decides
    return abs(int(text)) <= DB_ID_MAX
