"""User files cannot script the platform (issue 12, security item 3): an uploaded HTML page that loads an uploaded
script, an SVG, a file whose only type is the one its uploader declared, and a draft opened by a reviewer are all
answered as attachments under a sandbox policy; only a safe list of types is shown inline."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from zhijiao.resources.models import Resource, ResourceType
from zhijiao.resources.previews import preview_build
from zhijiao.resources.services import ResourceData, UploadedFile, resource_create, resource_submit
from zhijiao.resources.serving import PDF_POLICY, SANDBOX_POLICY, file_delivery, inline_type
from zhijiao.resources.tests.conftest import ORIGIN
from zhijiao.resources.tests.test_previews import pdf_bytes, png
from zhijiao.testing import login_as


def upload(author, name: str, data: bytes, *, content_type: str = "", title: str = "勾股定理 课件") -> Resource:
    meta = ResourceData(title=title, type=ResourceType.COURSEWARE, stage="3", subject="14")
    return resource_create(
        actor=author, data=meta, upload=UploadedFile.from_bytes(name, data, content_type), origin=ORIGIN
    ).resource


def as_teacher() -> Client:
    client = Client()
    login_as(client, "teacher")
    return client


def assert_attachment(response) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "script-src" not in policy and "'self'" not in policy.split("img-src")[0]
    assert response["Content-Type"] == "application/octet-stream"


def test_html_page_loading_an_uploaded_script_is_never_shown_inline(region):
    teacher = region.accounts["teacher"]
    script = upload(teacher, "app.js", b"document.title = 'pwned'; fetch('/api/v1/students');", title="脚本")
    page = upload(
        teacher,
        "课件.html",
        f'<html><script src="/resources/{script.pk}/download/?inline=1"></script></html>'.encode(),
    )
    client = as_teacher()
    assert_attachment(client.get(f"/resources/{page.pk}/download/?inline=1"))
    assert_attachment(client.get(f"/resources/{script.pk}/download/?inline=1"))
    # a ranged request (what a browser's player sends) gets the same treatment
    ranged = client.get(f"/resources/{page.pk}/download/?inline=1", headers={"Range": "bytes=0-10"})
    assert ranged.status_code == 206 and ranged["Content-Disposition"].startswith("attachment;")
    assert ranged["Content-Security-Policy"] == SANDBOX_POLICY


def test_svg_is_not_inline(region):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    resource = upload(region.accounts["teacher"], "示意图.svg", svg)
    assert_attachment(as_teacher().get(f"/resources/{resource.pk}/download/?inline=1"))


def test_the_uploaders_declared_type_is_not_trusted(region):
    # no extension: the stored type comes from the browser's word only; it must not make the bytes inline
    resource = upload(region.accounts["teacher"], "课件", b"<script>alert(1)</script>", content_type="image/png")
    assert_attachment(as_teacher().get(f"/resources/{resource.pk}/download/?inline=1"))


def test_html_draft_opened_by_its_reviewer_is_an_attachment(region):
    draft = upload(region.accounts["teacher"], "课件.htm", b"<script>alert(1)</script>")
    resource_submit(actor=region.accounts["teacher"], resource=draft, origin=ORIGIN)
    reviewer = Client()
    login_as(reviewer, "principal")  # 一审: the school's administrator may open the submitted draft
    assert_attachment(reviewer.get(f"/resources/{draft.pk}/download/?inline=1"))
    assert_attachment(reviewer.get(f"/resources/{draft.pk}/download/"))


def test_api_download_is_an_attachment_under_the_sandbox(region):
    resource = upload(region.accounts["teacher"], "课件.html", b"<script>alert(1)</script>")
    assert_attachment(as_teacher().get(f"/api/v1/resources/{resource.pk}/download"))


@pytest.mark.parametrize(
    ("name", "data", "shown", "policy"),
    [
        ("勾股树.png", png(40, 30), "image/png", SANDBOX_POLICY),
        ("试卷.pdf", pdf_bytes(), "application/pdf", PDF_POLICY),
        ("朗读.mp3", b"ID3" + b"\x00" * 64, "audio/mpeg", SANDBOX_POLICY),
        ("微课.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4", SANDBOX_POLICY),
        ("教案.md", "# 勾股定理\n<script>alert(1)</script>".encode(), "text/plain; charset=utf-8", SANDBOX_POLICY),
        ("教案.txt", "第1行 勾股定理".encode("gb18030"), "text/plain; charset=gb18030", SANDBOX_POLICY),
    ],
)
def test_safe_types_are_inline_with_a_fixed_type_and_policy(region, name, data, shown, policy):
    resource = upload(region.accounts["teacher"], name, data)
    response = as_teacher().get(f"/resources/{resource.pk}/download/?inline=1")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == shown
    assert response["Content-Security-Policy"] == policy and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_pdf_policy_forbids_script_too():
    assert "default-src 'none'" in PDF_POLICY and "script-src" not in PDF_POLICY
    assert "sandbox" not in PDF_POLICY  # Chromium and Safari refuse to show a PDF in a sandboxed document


def test_inline_list():
    assert inline_type("a.svg") == "" and inline_type("a.svgz") == ""
    assert inline_type("a.html") == inline_type("a.xhtml") == inline_type("a.xml") == ""
    assert inline_type("a.js") == "" and inline_type("a.swf") == "" and inline_type("a") == ""
    assert inline_type("A.JPG") == "image/jpeg" and inline_type("录像.mkv") == "" and inline_type("a.tif") == ""
    assert file_delivery(name="a.png", want_inline=False).inline is False


def test_preview_images_carry_the_user_file_headers(region):
    resource = upload(region.accounts["teacher"], "勾股树.png", png(300, 200))
    preview_build(resource.current_version.file)
    response = as_teacher().get(f"/resources/{resource.pk}/preview/large.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX_POLICY


# ------------------------------------------------------------------------------------------ separate files origin
@pytest.fixture
def files_origin(settings):
    settings.ZHIJIAO_FILES_ORIGIN = "https://files.example.cn"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "files.example.cn"]
    return "files.example.cn"


def _follow(client: Client, location: str, **headers):
    parts = urlsplit(location)
    return client.get(parts.path, headers=headers, HTTP_HOST=parts.netloc, secure=parts.scheme == "https")


def test_files_origin_redirects_to_a_signed_address_that_serves_only_files(region, files_origin):
    pdf = pdf_bytes()  # once: the PDF's creation time would differ between two calls
    resource = upload(region.accounts["teacher"], "试卷.pdf", pdf)
    client = as_teacher()
    redirect = client.get(f"/resources/{resource.pk}/download/?inline=1")
    assert redirect.status_code == 302 and redirect["Cache-Control"] == "no-store"
    location = redirect["Location"]
    assert location.startswith("https://files.example.cn/files/")
    stranger = Client()  # the signed address is the permission: no session on the files origin
    served = _follow(stranger, location)
    assert served.status_code == 200 and served["Content-Disposition"].startswith("inline;")
    assert served["Content-Type"] == "application/pdf" and served["Content-Security-Policy"] == PDF_POLICY
    assert b"".join(served.streaming_content) == pdf
    ranged = _follow(stranger, location, Range="bytes=0-3")
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == b"%PDF"
    # the same address on the platform's own origin is not served; the platform is not served on the files origin
    assert client.get(urlsplit(location).path).status_code == 404
    assert stranger.get("/resources/", HTTP_HOST=files_origin, secure=True).status_code == 404
    assert stranger.get("/accounts/login/", HTTP_HOST=files_origin, secure=True).status_code == 404


def test_files_origin_refuses_tampered_and_expired_addresses(region, files_origin, settings, monkeypatch):
    resource = upload(region.accounts["teacher"], "课件.html", b"<script>alert(1)</script>")
    location = as_teacher().get(f"/resources/{resource.pk}/download/?inline=1")["Location"]
    served = _follow(Client(), location)
    assert_attachment(served)  # still an attachment under the sandbox on the files origin
    tampered = location.replace("/files/", "/files/x")
    assert _follow(Client(), tampered).status_code == 410
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + settings.ZHIJIAO_FILES_URL_SECONDS + 5)
    expired = _follow(Client(), location)
    assert expired.status_code == 410 and "重新打开" in expired.content.decode()


def test_files_origin_still_checks_access_first(region, files_origin):
    draft = upload(region.accounts["teacher"], "草稿.pdf", pdf_bytes())
    colleague = Client()
    login_as(colleague, "head")  # another teacher at the school: someone else's draft is not theirs
    assert colleague.get(f"/resources/{draft.pk}/download/").status_code == 404


def test_pages_may_play_media_from_the_files_origin(region, files_origin):
    policy = as_teacher().get("/resources/")["Content-Security-Policy"]
    assert "media-src 'self' https://files.example.cn;" in policy
    assert "script-src 'self' 'nonce-" in policy and "files.example.cn" not in policy.split("media-src")[0]


def test_check_advises_a_files_origin_behind_tls(db, settings):
    from zhijiao.web.integrity import integrity_report

    def files_check():
        return next(r for r in integrity_report() if r.title == "用户文件来源")

    settings.SESSION_COOKIE_SECURE = True
    settings.ZHIJIAO_FILES_ORIGIN = ""
    assert files_check().ok and files_check().warning and "ZHIJIAO_FILES_ORIGIN" in files_check().detail
    settings.ZHIJIAO_FILES_ORIGIN = "https://files.example.cn"
    assert files_check().ok and not files_check().warning
