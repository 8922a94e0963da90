"""Keeping the search index in step with the database: published resources in, everything else out.

One process writes the index (the Huey worker, :mod:`.tasks`); web processes only read it. The index lives
under ``$ZHIJIAO_HOME/search/resources`` unless ``settings.ZHIJIAO_SEARCH_DIR`` names another folder (tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from zhijiao.core.codes import code_name
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.models import Resource, ResourceStatus, SearchTerm, SearchTermKind
from zhijiao.resources.search.backend import SearchDoc
from zhijiao.resources.search.tantivy_backend import TantivyBackend, default_backend, default_index_dir
from zhijiao.resources.search.understand import Lexicon, split_forms

_backends: dict[Path, TantivyBackend] = {}
_lock = threading.Lock()


def index_dir() -> Path:
    configured = getattr(settings, "ZHIJIAO_SEARCH_DIR", None)
    return Path(configured) if configured else Path(settings.HOME) / "search" / "resources"


def dictionary_terms() -> list[str]:
    """Words the segmenter must keep whole: every knowledge-point name and alias, every chapter name."""
    terms: list[str] = []
    for name, aliases in KnowledgePoint.objects.values_list("name", "aliases"):
        terms.append(name)
        terms.extend(a for a in aliases or () if isinstance(a, str))
    terms.extend(Chapter.objects.values_list("name", flat=True))
    for forms in (
        SearchTerm.objects.filter(enabled=True).exclude(kind=SearchTermKind.POPULAR).values_list("forms", flat=True)
    ):
        terms.extend(f for f in split_forms(forms) if " " not in f)
    return [t for t in dict.fromkeys(terms) if t]


# The search dictionary changes rarely (a bureau edits it); each process reloads it at most this often, and at once
# after an edit in this process (lexicon_changed).
LEXICON_SECONDS = 60.0
_lexicon: tuple[float, Lexicon] | None = None


def search_lexicon() -> Lexicon:
    """The search dictionary (enabled ``SearchTerm`` rows) with knowledge-point and chapter names, for
    :mod:`.search.understand`; its words join the backend's segmentation dictionary."""
    global _lexicon
    now = time.monotonic()
    if _lexicon is not None and now - _lexicon[0] < LEXICON_SECONDS:
        return _lexicon[1]
    groups: list[tuple[str, tuple[str, ...]]] = []
    popular: list[str] = []
    for kind, forms in SearchTerm.objects.filter(enabled=True).values_list("kind", "forms"):
        words = tuple(split_forms(forms))
        if kind == SearchTermKind.POPULAR:
            popular.extend(words)
        elif len(words) >= 2:
            groups.append((kind, words))
    vocabulary: dict[str, str] = {}
    for name, aliases in KnowledgePoint.objects.values_list("name", "aliases"):
        vocabulary[name] = "知识点"
        for alias in aliases or ():
            if isinstance(alias, str):
                vocabulary.setdefault(alias, "知识点")
    for name in Chapter.objects.values_list("name", flat=True):
        vocabulary.setdefault(name, "章节")
    lexicon = Lexicon(groups=groups, vocabulary=vocabulary, popular=[p for p in popular if p] or [])
    search_backend().add_terms(lexicon.terms())
    _lexicon = (now, lexicon)
    return lexicon


def lexicon_changed() -> None:
    """Forget the loaded dictionary (after an edit): the next search reloads it."""
    global _lexicon
    _lexicon = None


def search_backend() -> TantivyBackend:
    """The process's engine for :func:`index_dir`, its dictionary loaded from the taxonomy on first use."""
    path = index_dir().resolve()
    with _lock:
        backend = _backends.get(path)
        if backend is None:
            terms = dictionary_terms()
            if path == default_index_dir().resolve():
                backend = default_backend(terms=terms)
            else:
                backend = TantivyBackend(path, terms=terms)
            _backends[path] = backend
        return backend


def _chapter_path(chapter: Chapter | None) -> list[str]:
    labels: list[str] = []
    while chapter is not None:
        labels.insert(0, chapter.label)
        chapter = chapter.parent
    return labels


def resource_doc(resource: Resource) -> SearchDoc:
    """The resource as the engine sees it: Chinese labels, knowledge points with their aliases, the owner."""
    points = list(resource.knowledge_points.all())
    kp_names: list[str] = []
    for p in points:
        kp_names.append(p.name)
        kp_names.extend(a for a in p.aliases or () if isinstance(a, str))
    return SearchDoc(
        id=str(resource.pk),
        title=resource.title,
        description=resource.description,
        keywords=resource.keyword_list,
        kp_ids=[str(p.pk) for p in points],
        kp_names=list(dict.fromkeys(kp_names)),
        chapter_id=str(resource.chapter_id or ""),
        chapter_names=_chapter_path(resource.chapter),
        type=resource.get_type_display(),
        stage=code_name("stage", resource.stage) if resource.stage else "",
        subject=code_name("subject", resource.subject) if resource.subject else "",
        grade=code_name("grade", resource.grade) if resource.grade else "",
        edition=resource.edition.name if resource.edition else "",
        volume=resource.volume.name if resource.volume else "",
        status=resource.status,
        sharing=resource.sharing,
        owner_school_code=resource.owner_school.code if resource.owner_school else "",
        owner_division_code=resource.owner_division_id,
        published_at=resource.published_at,
        rating=resource.rating_avg,
        value_score=resource.value_score,
    )


def index_resources(ids: Iterable[int | str]) -> tuple[int, int]:
    """Bring these resources up to date in the index: published ones (re)indexed, the rest (or gone) removed.

    Returns (indexed, removed)."""
    wanted = {str(i) for i in ids}
    if not wanted:
        return 0, 0
    published = list(
        Resource.objects.filter(pk__in=wanted, status=ResourceStatus.PUBLISHED)
        .select_related("edition", "volume", "chapter__parent__parent", "owner_school")
        .prefetch_related("knowledge_points")
    )
    backend = search_backend()
    docs = [resource_doc(r) for r in published]
    backend.add_terms(name for d in docs for name in (*d.kp_names, *d.chapter_names))
    gone = wanted - {d.id for d in docs}
    if gone:
        backend.delete(sorted(gone))
    n = backend.index(docs)
    backend.commit()
    return n, len(gone)


def reindex_all(*, batch: int = 1000) -> int:
    """Rebuild the index from every published resource; returns how many were indexed."""
    backend = search_backend()
    backend.add_terms(dictionary_terms())
    qs = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        .select_related("edition", "volume", "chapter__parent__parent", "owner_school")
        .prefetch_related("knowledge_points")
        .order_by("pk")
    )
    backend.clear()
    n = backend.index((resource_doc(r) for r in qs.iterator(chunk_size=batch)), replace=False)
    backend.commit()
    return n
