"""The item bank's pages: a teacher enters, edits, submits; a principal reviews; pupils and parents are refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from zhijiao.learning.models import Item, ItemStatus
from zhijiao.learning.tests.conftest import make_item, math_point
from zhijiao.learning.tests.test_transfer import sample_zip, xlsx
from zhijiao.testing import login_as

FORM = {
    "type": "single",
    "stem": "方程 $x^2=4$ 的正根是（  ）",
    "option_A": "$2$",
    "option_B": "$-2$",
    "option_C": "$4$",
    "answer_single": "A",
    "points": "3",
    "difficulty": "2",
    "stage": "3",
    "subject": "14",
    "grade": "23",
    "sharing": "school",
    "explanation": "开平方得 $x=\\pm2$。",
}


@pytest.fixture
def accounts(region):
    return region.accounts


def test_teacher_enters_an_item_and_sees_it_rendered(client, accounts):
    login_as(client, accounts["teacher"])
    page = client.get("/learning/items/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "实时预览" in html and "vendor/katex/katex.min.js" in html and "cdn" not in html.lower()
    point = math_point()
    response = client.post("/learning/items/new/", {**FORM, "knowledge_points": [point.pk]})
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/learning/items/{item.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "方程 $x^2=4$ 的正根是" in detail and point.name in detail and "提交审核" in detail
    listing = client.get("/learning/items/?type=single&difficulty=2").content.decode()
    assert f"/learning/items/{item.pk}/" in listing
    assert f"/learning/items/{item.pk}/" not in client.get("/learning/items/?type=blank").content.decode()


def test_bad_form_keeps_the_input_and_names_the_fields(client, accounts):
    login_as(client, accounts["teacher"])
    response = client.post("/learning/items/new/", {**FORM, "answer_single": "", "stem": "求 $x 的值"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "答案：请选出正确选项" in html and "题干：公式的 $ 符号没有成对" in html
    assert "求 $x 的值" in html  # nothing typed is lost
    assert not Item.objects.exists()


def test_duplicate_warning_on_save(client, accounts):
    make_item(accounts["teacher"], stem=FORM["stem"])
    login_as(client, accounts["teacher"])
    response = client.post("/learning/items/new/", FORM, follow=True)
    assert "几乎相同" in response.content.decode()


def test_review_through_the_pages(client, accounts):
    item = make_item(accounts["teacher"])
    login_as(client, accounts["teacher"])
    client.post(f"/learning/items/{item.pk}/submit/")
    assert client.get(f"/learning/items/{item.pk}/edit/").status_code == 403
    login_as(client, accounts["principal"])
    queue = client.get("/learning/items/review/").content.decode()
    assert f"/learning/items/{item.pk}/" in queue
    client.post(f"/learning/items/{item.pk}/review/", {"decision": "reject", "comment": ""})
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED  # a return needs a comment
    client.post(f"/learning/items/{item.pk}/review/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED


@pytest.mark.parametrize("who", ["student", "parent", "inspector"])
def test_no_item_bank_for_pupils_parents_and_inspectors(client, accounts, who):
    item = make_item(accounts["teacher"])
    login_as(client, accounts[who])
    for url in ("/learning/items/", "/learning/items/new/", f"/learning/items/{item.pk}/", "/learning/items/import/"):
        assert client.get(url).status_code in (403, 404), url


def test_import_pages_and_template(client, accounts):
    login_as(client, accounts["teacher"])
    template = client.get("/learning/items/import/template.xlsx")
    assert template.status_code == 200 and template["Content-Disposition"].startswith("attachment")
    rows = [["单选题", "$1+1=$", "1", "2", "", "", "", "", "B", "", "2", "1", "初中", "数学"], ["单选题", "", "1"]]
    upload = io.BytesIO(xlsx(rows))
    upload.name = "试题.xlsx"
    html = client.post("/learning/items/import/", {"file": upload}).content.decode()
    assert "已导入" in html and "题干：不能为空" in html
    package = io.BytesIO(sample_zip())
    package.name = "sample.zip"
    html = client.post("/learning/items/import/", {"file": package, "stage": "3", "subject": "14"}).content.decode()
    assert "清单中列出的文件不在压缩包里" in html
    export = client.get("/learning/items/export/?mine=1")
    assert export["Content-Type"] == "application/zip" and export["Content-Disposition"].startswith("attachment")
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert "imsmanifest.xml" in names and len(names) == 1 + Item.objects.count()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def test_pictures_upload_render_and_stay_private(client, accounts, settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"
    item = make_item(accounts["teacher"])
    login_as(client, accounts["teacher"])
    svg = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    svg.name = "x.svg"
    page = client.post(f"/learning/items/{item.pk}/images/", {"image": svg}, follow=True).content.decode()
    assert "只支持 PNG、JPEG、GIF、WebP" in page
    fake = io.BytesIO(b"<html>not a png</html>")
    fake.name = "fake.png"
    assert "只支持" in client.post(f"/learning/items/{item.pk}/images/", {"image": fake}, follow=True).content.decode()
    png = io.BytesIO(PNG)
    png.name = "图形.png"
    client.post(f"/learning/items/{item.pk}/images/", {"image": png})
    image = item.images.get()
    form = {**FORM, "stem": f"如图 ![三角形](image:{image.pk}) <b>求</b> $x$ ![别人的](image:99999)"}
    client.post(f"/learning/items/{item.pk}/edit/", form)
    detail = client.get(f"/learning/items/{item.pk}/").content.decode()
    assert f'<img class="it-img" src="/learning/items/images/{image.pk}/" alt="三角形"' in detail
    assert (
        "&lt;b&gt;求&lt;/b&gt;" in detail and "![别人的](image:99999)" in detail
    )  # escaped; a foreign mark stays text
    answer = client.get(f"/learning/items/images/{image.pk}/")
    assert answer.status_code == 200 and answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    login_as(client, accounts["student"])
    assert client.get(f"/learning/items/images/{image.pk}/").status_code in (403, 404)
    login_as(client, accounts["nobody"])  # a teacher of another school: the draft is not theirs to see
    assert client.get(f"/learning/items/images/{image.pk}/").status_code == 404
