"""The search dictionary (decision 0036): synonyms, variants and popular queries, kept by region administrators.

Every function takes the acting account and requires 区域管理员 rights (``Perm.GOVERN``): the dictionary changes what
every teacher of the region finds. An edit takes effect in this process at once and in the others within a minute
(``indexing.LEXICON_SECONDS``); index-side segmentation learns new words on the next reindex.
"""

from __future__ import annotations

from django.db import transaction

from zhijiao.access.permissions import Perm, allows, require
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.indexing import lexicon_changed
from zhijiao.resources.models import SearchTerm, SearchTermKind
from zhijiao.resources.search.understand import split_forms

MAX_FORMS = 20


def search_terms_may_edit(*, actor: Actor) -> bool:
    """May ``actor`` keep the search dictionary (the resource centre links the page for them)?"""
    return bool(getattr(actor, "is_authenticated", False)) and allows(scope_for(actor), Perm.GOVERN)


def search_terms_list(*, actor: Actor) -> list[SearchTerm]:
    require(actor, Perm.GOVERN, detail="只有区域管理员可以维护检索词典")
    return list(SearchTerm.objects.order_by("kind", "pk"))


def _clean(kind: str, forms: str) -> str:
    if kind not in SearchTermKind.values:
        raise ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field="类别", detail="可选 同义词、异体字、热门检索词")
    parts = split_forms(forms)
    if not parts or len(parts) > MAX_FORMS:
        raise ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field="写法", detail=f"应为 1 到 {MAX_FORMS} 个写法")
    if kind != SearchTermKind.POPULAR and len(parts) < 2:
        raise ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field="写法", detail="同义词、异体字至少两个写法")
    sep = "|" if any(" " in p or "|" in forms for p in parts) else " "
    return sep.join(parts)


@transaction.atomic
def search_term_save(
    *, actor: Actor, kind: str, forms: str, term_id: int | None = None, enabled: bool = True
) -> SearchTerm:
    """Add an entry, or change one (``term_id``)."""
    require(actor, Perm.GOVERN, detail="只有区域管理员可以维护检索词典")
    cleaned = _clean(kind, forms)
    if term_id is None:
        term = SearchTerm(kind=kind)
    else:
        term = SearchTerm.objects.filter(pk=term_id).first() or _missing()
        term.kind = kind
    term.forms = cleaned
    term.enabled = enabled
    term.updated_by_id = getattr(actor, "pk", None)
    term.save()
    transaction.on_commit(lexicon_changed)
    return term


def search_term_delete(*, actor: Actor, term_id: int) -> None:
    require(actor, Perm.GOVERN, detail="只有区域管理员可以维护检索词典")
    deleted, _ = SearchTerm.objects.filter(pk=term_id).delete()
    if not deleted:
        _missing()
    lexicon_changed()


def _missing() -> SearchTerm:
    raise NotFound("没有这个检索词条")
