from __future__ import annotations

from django.test import Client

from zhijiao.curriculum.models import Chapter
from zhijiao.resources.models import SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as


def test_api_lists_only_visible_published_resources_and_serves_ranges(region):
    a = region.accounts
    chapter = Chapter.objects.get(volume__code="9a", number="24.1")
    shared = publish(
        make_resource(a["teacher"], title="垂径定理", sharing=SharingScope.CITY, chapter=chapter, data=b"abcdefghij"),
        first=a["principal"],
        second=a["bureau"],
    )
    school_only = publish(make_resource(a["teacher"], title="本校 学案"), first=a["principal"], second=a["bureau"])
    draft = make_resource(a["teacher"], title="草稿")
    client = Client()
    assert client.get("/api/v1/resources").status_code == 401
    login_as(client, "nobody")  # 江岸区: same city, other district
    body = client.get("/api/v1/resources?stage=3&subject=14").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["title"] == "垂径定理" and item["volume"] == "九年级上册" and item["chapter"] == "24.1 圆的有关性质"
    assert item["owner_division"] == "420112" and item["sharing"] == "city" and item["file_size"] == 10
    assert client.get("/api/v1/resources?volume=999").json()["count"] == 0
    assert client.get(f"/api/v1/resources/{school_only.pk}").status_code == 404
    assert client.get(f"/api/v1/resources/{draft.pk}").status_code == 404
    ranged = client.get(f"/api/v1/resources/{shared.pk}/download", headers={"Range": "bytes=-3"})
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == b"hij"
    assert ranged["Content-Range"] == "bytes 7-9/10"
    login_as(client, "teacher")
    assert client.get(f"/api/v1/resources/{draft.pk}").json()["status"] == "draft"
    assert client.get("/api/v1/resources").json()["count"] == 2
