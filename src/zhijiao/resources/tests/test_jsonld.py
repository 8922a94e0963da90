from __future__ import annotations

import json

from django.core.management import call_command
from django.test import Client

from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.jsonld import resource_jsonld
from zhijiao.resources.models import Licence, Resource, SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as

REQUIRED = {
    "@context", "@type", "@id", "name", "description", "keywords", "learningResourceType", "educationalLevel",
    "about", "teaches", "inLanguage", "license", "author", "publisher", "dateCreated", "datePublished", "encoding",
    "url", "isPartOf",
}  # fmt: skip


def _published(region, **extra) -> Resource:
    a = region.accounts
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    point = KnowledgePoint.objects.get(name="勾股定理")
    r = make_resource(
        a["teacher"],
        title="勾股定理 教学设计",
        description="赵爽弦图导入",
        keywords="勾股定理、直角三角形",
        chapter=section,
        knowledge_points=[point],
        licence=Licence.CC_BY_NC,
        data=b"%PDF-1.4 pythagoras",
        **extra,
    )
    return publish(r, first=a["principal"], second=a["bureau"])


def test_learning_resource_shape(region):
    r = _published(region, sharing=SharingScope.CITY)
    Resource.objects.filter(pk=r.pk).update(rating_avg=4.25, rating_count=8)
    r = Resource.objects.get(pk=r.pk)
    doc = json.loads(json.dumps(resource_jsonld(r, base_url="https://edu.example.cn")))
    assert set(doc) >= REQUIRED
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "LearningResource"
    assert doc["inLanguage"] == "zh-CN" and doc["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert doc["url"] == f"https://edu.example.cn/resources/{r.pk}/" or doc["url"].startswith("https://edu.example.cn/")
    assert doc["keywords"] == ["勾股定理", "直角三角形"]
    assert doc["learningResourceType"]["name"] == "微课"
    assert [t["name"] for t in doc["educationalLevel"]] == ["初中", "初二"]
    (point,) = doc["teaches"]
    assert point["@type"] == "DefinedTerm" and point["name"] == "勾股定理"
    assert point["inDefinedTermSet"]["@type"] == "DefinedTermSet" and point["termCode"]
    assert doc["about"][0]["name"] == "数学"
    section = doc["isPartOf"]
    assert section["@type"] == "Chapter" and section["name"] == "17.1 勾股定理"
    assert section["isPartOf"]["name"] == "第17章 勾股定理" and section["isPartOf"]["isPartOf"]["@type"] == "Book"
    assert doc["encoding"]["@type"] == "MediaObject" and doc["encoding"]["encodingFormat"] == "application/pdf"
    assert doc["encoding"]["contentSize"] == "19" and len(doc["encoding"]["sha256"]) == 64
    assert doc["encoding"]["contentUrl"] == f"https://edu.example.cn/api/v1/resources/{r.pk}/download"
    assert doc["aggregateRating"]["ratingValue"] == 4.25 and doc["aggregateRating"]["ratingCount"] == 8
    assert doc["publisher"] == {
        "@type": "EducationalOrganization",
        "name": "东西湖区第一小学",
        "identifier": "3420112001",
    }
    assert doc["author"] == {"@type": "Person", "name": "王老师"}
    assert "teacher" not in json.dumps(doc)  # no account names


def test_unrated_regional_licence(region):
    r = make_resource(region.accounts["teacher"], title="草稿")
    doc = resource_jsonld(r)
    assert "aggregateRating" not in doc and "datePublished" not in doc and "isPartOf" not in doc
    assert doc["license"] == {"@type": "CreativeWork", "name": "区域内共享使用"}


def test_api_only_for_visible_resources(region):
    school_only = _published(region)
    client = Client()
    login_as(client, "nobody")  # another district: 本校 resource is invisible
    assert client.get(f"/api/v1/resources/{school_only.pk}/jsonld").status_code == 404
    listing = client.get("/api/v1/resources/jsonld")
    assert listing.status_code == 200 and listing["Content-Type"].startswith("application/ld+json")
    assert listing.json()["@graph"] == [] and listing["X-Total-Count"] == "0"
    login_as(client, "head")  # same school
    one = client.get(f"/api/v1/resources/{school_only.pk}/jsonld").json()
    assert one["@context"] == "https://schema.org" and one["name"] == "勾股定理 教学设计"
    graph = client.get("/api/v1/resources/jsonld?stage=3").json()
    assert [n["name"] for n in graph["@graph"]] == ["勾股定理 教学设计"] and "@context" not in graph["@graph"][0]


def test_cli_exports_every_published_resource(region, tmp_path):
    _published(region)
    make_resource(region.accounts["teacher"], title="草稿")
    out = tmp_path / "resources.jsonld"
    call_command("resources", "export-jsonld", "--out", str(out), "--base-url", "https://edu.example.cn")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"] == "https://schema.org"
    assert [n["name"] for n in data["@graph"]] == ["勾股定理 教学设计"]
