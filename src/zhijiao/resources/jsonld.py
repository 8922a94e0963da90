"""Resource metadata as JSON-LD: schema.org ``LearningResource`` with the LRMI properties.

What another platform (a national or provincial resource hub, a library catalogue) needs to list a resource
without our database: the description (name, description, keywords), the learning terms as ``DefinedTerm``s
from the code tables and the taxonomy (type, 学段/年级, 学科, knowledge points with their ``DefinedTermSet``),
where it sits in the textbook (``isPartOf`` chapter → book), licence, author and publisher, dates, the file
(``encoding``: ``MediaObject`` with size, type and SHA-256) and, when rated, the rating.

Personal data stays out: the author is a display name only, never an account name or an identifier.
Callers decide visibility (``selectors``); these functions only describe what they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import reverse

from zhijiao.core.codes import code_name
from zhijiao.curriculum.models import Chapter
from zhijiao.resources.models import Licence, Resource, ResourceStatus

CONTEXT = "https://schema.org"
LANGUAGE = "zh-CN"
LICENCE_URLS: dict[str, str] = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
}
TYPE_SET = "CELTS-41 教育资源类型"
STAGE_SET = "学段代码"
GRADE_SET = "年级代码"
SUBJECT_SET = "JY/T 1001 中小学课程代码"
RELATED = ("author", "owner_school", "owner_division", "edition", "volume", "chapter__parent", "current_version__file")


def _term(name: str, code: str, term_set: str | dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"@type": "DefinedTerm", "name": name, "termCode": code, "inDefinedTermSet": term_set, **extra}


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _chapter(resource: Resource) -> dict[str, Any] | None:
    if resource.volume is None:
        return None
    edition = resource.edition
    edition_name = edition.name if edition else ""
    book: dict[str, Any] = {
        "@type": "Book",
        "name": f"{edition_name} {code_name('subject', resource.subject)} {resource.volume.name}".strip(),
        "bookEdition": edition.name if edition else "",
        "inLanguage": LANGUAGE,
    }
    if edition is not None and edition.publisher:
        book["publisher"] = {"@type": "Organization", "name": edition.publisher}
    node: dict[str, Any] = book
    chain: list[Chapter] = []
    chapter = resource.chapter
    while chapter is not None:
        chain.insert(0, chapter)
        chapter = chapter.parent
    for c in chain:
        node = {"@type": "Chapter", "name": c.label, "position": c.number, "isPartOf": node}
    return node


def _publisher(resource: Resource) -> dict[str, Any]:
    if resource.owner_school is not None:
        school = resource.owner_school
        return {"@type": "EducationalOrganization", "name": school.name, "identifier": school.code}
    division = resource.owner_division
    return {"@type": "GovernmentOrganization", "name": f"{division.name}教育行政部门", "identifier": division.code}


def resource_jsonld(resource: Resource, *, base_url: str = "", context: bool = True) -> dict[str, Any]:
    """One resource as a ``LearningResource`` node (with ``@context`` unless it goes into a graph)."""
    url = _absolute(base_url, reverse("resource-detail", args=[resource.pk]))
    points = list(resource.knowledge_points.all())
    levels = [_term(code_name("stage", resource.stage), resource.stage, STAGE_SET)]
    if resource.grade:
        levels.append(_term(code_name("grade", resource.grade), resource.grade, GRADE_SET))
    subject = _term(code_name("subject", resource.subject), resource.subject, SUBJECT_SET)
    point_set = {
        "@type": "DefinedTermSet",
        "name": f"{code_name('stage', resource.stage)}{code_name('subject', resource.subject)}知识点",
    }
    teaches = [
        _term(p.name, p.code, point_set, **({"alternateName": list(p.aliases)} if p.aliases else {})) for p in points
    ]
    node: dict[str, Any] = {
        "@type": "LearningResource",
        "@id": url,
        "url": url,
        "identifier": [{"@type": "PropertyValue", "propertyID": "zhijiao", "value": str(resource.pk)}],
        "name": resource.title,
        "description": resource.description,
        "keywords": resource.keyword_list,
        "learningResourceType": _term(resource.get_type_display(), resource.type, TYPE_SET),
        "educationalLevel": levels,
        "about": [subject, *teaches],
        "teaches": teaches,
        "inLanguage": LANGUAGE,
        "isAccessibleForFree": True,
        "conditionsOfAccess": f"共享范围：{resource.get_sharing_display()}",
        "license": LICENCE_URLS.get(resource.licence)
        or {"@type": "CreativeWork", "name": resource.get_licence_display()},
        "author": {"@type": "Person", "name": resource.author.display_name or "（未署名）"},
        "publisher": _publisher(resource),
        "dateCreated": resource.created_at.isoformat(),
        "dateModified": resource.updated_at.isoformat(),
    }
    if resource.external_id:
        node["identifier"].append({"@type": "PropertyValue", "propertyID": "external", "value": resource.external_id})
    if resource.published_at:
        node["datePublished"] = resource.published_at.isoformat()
    part_of = _chapter(resource)
    if part_of is not None:
        node["isPartOf"] = part_of
    version = resource.current_version
    if version is not None:
        node["encoding"] = {
            "@type": "MediaObject",
            "name": version.original_name,
            "contentUrl": _absolute(base_url, f"/api/v1/resources/{resource.pk}/download"),
            "encodingFormat": version.file.mime,
            "contentSize": str(version.file.size),
            "sha256": version.file.sha256,
            "version": str(version.number),
        }
    if resource.rating_count:
        node["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(resource.rating_avg, 2),
            "ratingCount": resource.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    if context:
        return {"@context": CONTEXT, **node}
    return node


def jsonld_graph(resources: Iterable[Resource], *, base_url: str = "") -> dict[str, Any]:
    return {"@context": CONTEXT, "@graph": [resource_jsonld(r, base_url=base_url, context=False) for r in resources]}


def _published(batch: int = 1000) -> Iterator[Resource]:
    qs = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        .select_related(*RELATED)
        .prefetch_related("knowledge_points")
        .order_by("pk")
    )
    return qs.iterator(chunk_size=batch)


def jsonld_graph_published(*, base_url: str = "") -> dict[str, Any]:
    """Every published resource (the operator's export): one ``@graph``."""
    return jsonld_graph(_published(), base_url=base_url)
