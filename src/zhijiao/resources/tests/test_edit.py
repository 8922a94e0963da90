"""The author edits or deletes a draft or a returned resource through the pages; the upload form's cascade."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhijiao.audit.models import AuditEvent
from zhijiao.core.codes import code_choices, code_choices_for_stage
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.models import Resource, ResourceFile, ResourceStatus, ReviewStep
from zhijiao.resources.services import resource_delete, resource_review, resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_published, make_resource
from zhijiao.testing import login_as


def _returned(region) -> Resource:
    a = region.accounts
    r = make_resource(a["teacher"], title="圆周角 课件")
    resource_submit(actor=a["teacher"], resource=r, origin=ORIGIN)
    return resource_review(actor=a["principal"], resource=r, approve=False, comment="请补充练习答案", origin=ORIGIN)


def _post(section: Chapter, **extra) -> dict:
    return {
        "title": "圆周角 课件（修订）",
        "type": "courseware",
        "stage": "3",
        "subject": "14",
        "edition": section.volume.edition_id,
        "volume": section.volume_id,
        "chapter": section.pk,
        "licence": "region",
        "sharing": "district",
        **extra,
    }


def test_author_edits_a_returned_resource_and_replaces_its_file_as_a_new_version(region):
    r = _returned(region)
    client = Client()
    login_as(client, "teacher")
    detail = client.get(f"/resources/{r.pk}/").content.decode()
    assert f'href="/resources/{r.pk}/edit/"' in detail and "重新提交审核" in detail
    form = client.get(f"/resources/{r.pk}/edit/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="圆周角 课件"' in html and "请补充练习答案" in html and "保存修改" in html
    section = Chapter.objects.get(volume__code="9a", number="24.1")
    point = KnowledgePoint.objects.get(name="圆的有关性质")
    response = client.post(
        f"/resources/{r.pk}/edit/",
        _post(section, knowledge_points=[point.pk], note="补充了答案", file=SimpleUploadedFile("v2.pdf", b"%PDF" * 40)),
    )
    assert response.status_code == 302 and response["Location"] == f"/resources/{r.pk}/"
    r.refresh_from_db()
    assert r.title == "圆周角 课件（修订）" and r.status == ResourceStatus.RETURNED
    assert r.chapter == section and r.volume.code == "9a" and r.grade == "23" and r.sharing == "district"
    assert list(r.knowledge_points.all()) == [point]
    assert r.current_version.number == 2 and r.current_version.note == "补充了答案"
    assert r.versions.count() == 2  # the first file stays in the history
    assert AuditEvent.objects.filter(action="resource.update", target_id=str(r.pk)).count() == 1
    assert client.post(f"/resources/{r.pk}/submit/").status_code == 302
    r.refresh_from_db()
    assert r.status == ResourceStatus.SUBMITTED


def test_editing_metadata_without_a_file_keeps_the_version(region):
    r = make_resource(region.accounts["teacher"], title="草稿 教案")
    client = Client()
    login_as(client, "teacher")
    assert f'href="/resources/{r.pk}/edit/"' in client.get("/resources/mine/").content.decode()
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    assert client.post(f"/resources/{r.pk}/edit/", _post(section, title="勾股定理 教案")).status_code == 302
    r.refresh_from_db()
    assert r.title == "勾股定理 教案" and r.current_version.number == 1 and r.versions.count() == 1


def test_edit_refuses_a_chapter_from_another_book(region):
    r = make_resource(region.accounts["teacher"], title="草稿 教案")
    client = Client()
    login_as(client, "teacher")
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    other_book = Chapter.objects.get(volume__code="9a", number="24.1").volume_id
    response = client.post(f"/resources/{r.pk}/edit/", _post(section, volume=other_book, title="改了"))
    assert response.status_code == 200 and "field-error" in response.content.decode()
    r.refresh_from_db()
    assert r.title == "草稿 教案" and r.chapter is None


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_author_deletes_a_draft_or_returned_resource_audited(region, status):
    r = _returned(region) if status == "returned" else make_resource(region.accounts["teacher"])
    file_id = r.current_version.file_id
    client = Client()
    login_as(client, "teacher")
    response = client.post(f"/resources/{r.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/resources/mine/"
    assert not Resource.objects.filter(pk=r.pk).exists()
    assert not ReviewStep.objects.filter(resource_id=r.pk).exists()
    assert ResourceFile.objects.filter(pk=file_id).exists()  # bytes may be shared: they stay
    event = AuditEvent.objects.get(action="resource.delete", target_id=str(r.pk))
    assert event.actor == region.accounts["teacher"] and r.title in event.target_label


def test_submitted_and_published_resources_cannot_be_edited_or_deleted(region):
    a = region.accounts
    submitted = make_resource(a["teacher"], title="待审 课件")
    resource_submit(actor=a["teacher"], resource=submitted, origin=ORIGIN)
    published = make_published(a, title="已发布 微课")
    client = Client()
    login_as(client, "teacher")
    for r in (submitted, published):
        assert f'href="/resources/{r.pk}/edit/"' not in client.get(f"/resources/{r.pk}/").content.decode()
        assert client.get(f"/resources/{r.pk}/edit/").status_code == 302  # back to the page, with the reason
        assert client.post(f"/resources/{r.pk}/edit/", {"title": "改了"}).status_code == 302
        assert client.post(f"/resources/{r.pk}/delete/").status_code == 409
        r.refresh_from_db()
        assert r.title in ("待审 课件", "已发布 微课")
    with pytest.raises(ZhijiaoError) as exc:
        resource_delete(actor=a["teacher"], resource=published, origin=ORIGIN)
    assert exc.value.status == 409


def test_others_cannot_edit_or_delete(region):
    """Out of scope (or a draft nobody else sees): 404. In scope but not the author: 403."""
    a = region.accounts
    draft = make_resource(a["teacher"], title="草稿 课件")
    returned = _returned(region)
    submitted = make_resource(a["teacher"], title="待审 课件")
    resource_submit(actor=a["teacher"], resource=submitted, origin=ORIGIN)
    published = make_published(a, title="已发布 微课")
    client = Client()
    for who, r, status in (
        ("nobody", draft, 404),  # another district
        ("nobody", returned, 404),
        ("nobody", published, 404),  # school-only, another district
        ("head", draft, 404),  # a colleague: drafts are the author's own
        ("head", returned, 404),
        ("head", published, 403),  # sees it, is not its author
        ("principal", submitted, 403),  # reviews it, is not its author
        ("principal", draft, 404),
    ):
        login_as(client, who)
        assert client.get(f"/resources/{r.pk}/edit/").status_code == status, (who, r.title)
        assert client.post(f"/resources/{r.pk}/edit/", {"title": "改了"}).status_code == status, (who, r.title)
        assert client.post(f"/resources/{r.pk}/delete/").status_code == status, (who, r.title)
    for r in (draft, returned, submitted, published):
        assert Resource.objects.get(pk=r.pk).title == r.title
    assert not AuditEvent.objects.filter(action__in=["resource.update", "resource.delete"]).exists()


def test_review_button_only_for_reviewers(region):
    client = Client()
    for who, shown in (("teacher", False), ("head", False), ("principal", True), ("bureau", True), ("admin", True)):
        login_as(client, who)
        html = client.get("/resources/").content.decode()
        assert ('href="/resources/review/"' in html) is shown, who


def test_cascade_offers_only_what_fits_the_choice_before(region):
    client = Client()
    login_as(client, "teacher")
    empty = client.get("/resources/upload/").content.decode()
    assert "正数和负数" not in empty and "第1章" not in empty  # no points or chapters before a book is chosen
    primary = client.get("/resources/form/taxonomy/?stage=2&subject=13").content.decode()
    assert "统编版" not in primary and "该学科暂无教材目录" in primary  # 语文 ships only the 初中 books
    edition = Chapter.objects.get(volume__code="9a", number="24.1").volume.edition_id
    book = Chapter.objects.get(volume__code="9a", number="24.1").volume_id
    books = client.get(f"/resources/form/taxonomy/?stage=3&subject=14&edition={edition}").content.decode()
    assert "七年级上册" in books and "九年级下册" in books and "正数和负数" not in books
    chapters = client.get(f"/resources/form/taxonomy/?stage=3&subject=14&edition={edition}&volume={book}")
    html = chapters.content.decode()
    assert '<optgroup label="第24章 圆">' in html and "24.1 圆的有关性质" in html
    assert "第1章" not in html and "<span>圆的有关性质</span>" in html and "正数和负数" not in html  # the book's
    chapter = Chapter.objects.get(volume_id=book, number="21")
    one = client.get(
        f"/resources/form/taxonomy/?stage=3&subject=14&edition={edition}&volume={book}&chapter={chapter.pk}"
    ).content.decode()
    assert "<span>一元二次方程的解法</span>" in one and "<span>圆的有关性质</span>" not in one  # this chapter's only
    # a stale choice (a book of no chosen edition) is dropped, not kept
    stale = client.get(f"/resources/form/taxonomy/?stage=2&subject=14&edition={edition}&volume={book}").content.decode()
    assert "九年级上册" not in stale


def test_form_works_without_javascript_through_a_refresh_post(region):
    client = Client()
    login_as(client, "teacher")
    response = client.post("/resources/upload/", {"title": "试题", "stage": "3", "subject": "14", "refresh": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "人教版" in html and 'value="试题"' in html
    assert "field-error" not in html and not Resource.objects.exists()


def test_subject_table_names_each_subject_once_per_stage():
    names = [name for _, name in code_choices("subject")]
    assert len(names) == len(set(names))  # 信息技术 was listed twice (26 and 61)
    high = dict(code_choices_for_stage("subject", "4"))
    middle = dict(code_choices_for_stage("subject", "3"))
    assert high["26"] == "信息技术" and "61" not in high and "11" not in high
    assert "26" not in middle and "61" in middle and "19" in middle
    assert dict(code_choices_for_stage("grade", "3")) == {"21": "初一", "22": "初二", "23": "初三"}


def test_search_page_folds_facets_behind_a_filter_button(region):
    """On a phone the facets are a drawer (CSS :target): the button links to them, the drawer links back to results."""
    client = Client()
    login_as(client, "teacher")
    html = client.get("/resources/?stage=3").content.decode()
    assert 'href="#res-facets"' in html and 'id="res-facets"' in html and 'href="#res-results"' in html
    assert 'class="res-filter-n">1<' in html  # one active filter, counted on the button
