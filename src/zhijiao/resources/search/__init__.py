"""Resource search: an engine interface (:class:`SearchBackend`) and its default tantivy implementation.

The resource centre calls it on publish (``backend.index([doc]); backend.commit()``), on unpublish or
delete (``backend.delete([id]); backend.commit()``) and for every search, passing the caller's
:class:`Visibility`. See :mod:`.backend` for the visibility rule.
"""

from .backend import (
    FACET_FIELDS,
    SHARING_CITY,
    SHARING_DISTRICT,
    SHARING_PUBLIC,
    SHARING_SCHOOL,
    SORTS,
    STATUS_PUBLISHED,
    Hit,
    ParsedQuery,
    QueryTerm,
    SearchBackend,
    SearchDoc,
    SearchResult,
    Visibility,
    city_code_of,
)

__all__ = [
    "FACET_FIELDS",
    "SHARING_CITY",
    "SHARING_DISTRICT",
    "SHARING_PUBLIC",
    "SHARING_SCHOOL",
    "SORTS",
    "STATUS_PUBLISHED",
    "Hit",
    "ParsedQuery",
    "QueryTerm",
    "SearchBackend",
    "SearchDoc",
    "SearchResult",
    "Visibility",
    "city_code_of",
]
