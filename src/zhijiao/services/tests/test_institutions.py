"""校外培训机构: the bureau registers and imports (all rows or none, row/column errors), changes status, records
staff, inspections and complaints; the public query (no sign-in) shows public facts only, is throttled, and the
open-data export downloads as an attachment."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.services import services_institutions as svc
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import Complaint, Institution
from zhijiao.testing import login_as

HEADER = ["办学许可证号", "机构名称", "所在区县", "办学地址", "培训科目", "类别", "联系电话", "状态", "状态说明"]
ROWS = [
    [
        "教民14201120000001",
        "金银湖书法美术培训学校",
        "东西湖区",
        "金银湖路18号2楼",
        "书法、美术",
        "非学科类",
        "027-83891234",
        "白名单",
        "",
    ],
    ["教民14201120000002", "星河编程科技培训中心", "420112", "吴家山街临空港大道66号", "编程,科技", "", "", "", ""],
    [
        "教民14201120000003",
        "启航学科辅导中心",
        "东西湖区",
        "东吴大道9号",
        "数学、英语",
        "学科类",
        "",
        "黑名单",
        "未经审批开展学科类培训",
    ],
]


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    caches["default"].clear()


def test_an_import_is_all_or_nothing_with_row_and_column_errors(region):
    bureau = region.accounts["bureau"]
    bad = [*ROWS, ["", "无证机构", "江岸区", "", "舞蹈", "兴趣类", "abc", "灰名单", ""]]
    with pytest.raises(ZhijiaoError) as caught:
        svc.institutions_import(actor=bureau, data=_xlsx([HEADER, *bad]), filename="机构.xlsx")
    detail = caught.value.detail
    assert caught.value.error is ServicesError.SERVICES_INSTITUTION_FILE
    for expected in (
        "第5行 办学许可证号：不能为空",
        "第5行 办学地址：不能为空",
        "第5行 所在区县：“江岸区”不是您管辖的区县",
        "第5行 类别",
        "第5行 联系电话",
        "第5行 状态",
    ):
        assert expected in detail
    assert not Institution.objects.exists()  # nothing written
    counts = svc.institutions_import(actor=bureau, data=_xlsx([HEADER, *ROWS]), filename="机构.xlsx")
    assert counts == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    again = svc.institutions_import(actor=bureau, data=_xlsx([HEADER, *ROWS]), filename="机构.xlsx")
    assert again == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    coding = Institution.objects.get(licence_no="教民14201120000002")
    assert coding.subjects == "编程、科技" and coding.status == "white" and coding.division_id == "420112"
    assert Institution.objects.get(licence_no="教民14201120000003").status == "black"
    csv_text = "\n".join(",".join(r) for r in [HEADER, [*ROWS[0][:1], "金银湖书法美术学校", *ROWS[0][2:]]])
    assert svc.institutions_import(actor=bureau, data=csv_text.encode(), filename="a.csv")["updated"] == 1
    assert AuditEvent.objects.filter(action="institution.import").count() == 3
    with pytest.raises(ZhijiaoError) as caught:
        svc.institutions_import(actor=bureau, data=_xlsx([HEADER, ROWS[0], ROWS[0]]), filename="x.xlsx")
    assert "第3行 办学许可证号：与第2行重复" in caught.value.detail
    with pytest.raises(ZhijiaoError):
        svc.institutions_import(actor=region.accounts["principal"], data=_xlsx([HEADER, *ROWS]), filename="x.xlsx")
    with pytest.raises(ZhijiaoError) as caught:
        svc.institutions_import(actor=bureau, data=b"PK\x03\x04 not a workbook", filename="x.xlsx")
    assert "无法读取" in caught.value.detail


def test_status_staff_inspections_and_complaints(region):
    bureau = region.accounts["bureau"]
    svc.institutions_import(actor=bureau, data=_xlsx([HEADER, *ROWS]), filename="机构.xlsx")
    inst = Institution.objects.get(licence_no="教民14201120000001")
    with pytest.raises(ZhijiaoError) as caught:
        svc.institution_status_set(actor=bureau, institution_id=inst.pk, status="black", note="")
    assert caught.value.field == "状态说明"
    svc.institution_status_set(actor=bureau, institution_id=inst.pk, status="black", note="超范围招生")
    svc.staff_add(actor=bureau, institution_id=inst.pk, name="林书法", subject="书法", certificate_no="20194201123456")
    svc.inspection_add(actor=bureau, institution_id=inst.pk, on=inst.status_on, result="rectify", note="消防通道堵塞")
    svc.complaint_add(
        actor=bureau, institution_id=inst.pk, on=inst.status_on, summary="家长投诉退费难（联系人王女士 13912345678）"
    )
    assert Complaint.objects.count() == 1
    with pytest.raises(NotFound):  # another district's bureau
        svc.staff_add(actor=region.accounts["nobody"], institution_id=inst.pk, name="x")


def test_the_public_query_shows_public_facts_only(client, region):
    bureau = region.accounts["bureau"]
    svc.institutions_import(actor=bureau, data=_xlsx([HEADER, *ROWS]), filename="机构.xlsx")
    inst = Institution.objects.get(licence_no="教民14201120000001")
    svc.staff_add(actor=bureau, institution_id=inst.pk, name="林书法", subject="书法", certificate_no="20194201123456")
    svc.complaint_add(actor=bureau, institution_id=inst.pk, on=inst.status_on, summary="退费难 13912345678")
    page = client.get("/services/institutions/public/", {"q": "书法"})
    html = page.content.decode()
    assert page.status_code == 200 and "金银湖书法美术培训学校" in html and "星河编程" not in html and "白名单" in html
    black = client.get("/services/institutions/public/", {"status": "black"}).content.decode()
    assert "启航学科辅导中心" in black and "未经审批开展学科类培训" in black
    detail = client.get(f"/services/institutions/public/{inst.pk}/").content.decode()
    assert "林**" in detail and "2019********56" in detail and "20194201123456" not in detail and "林书法" not in detail
    assert "退费难" not in detail and "13912345678" not in detail  # complaints are not public
    # injection: text goes through as text; odd filters are ignored
    odd = client.get("/services/institutions/public/", {"q": "' OR 1=1 --", "division": "42011x", "page": "99999"})
    assert odd.status_code == 200 and "没有找到" in odd.content.decode()
    script = client.get("/services/institutions/public/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in script
    for fmt in ("csv", "json"):
        download = client.get(f"/services/institutions/public/export.{fmt}")
        assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
        body = download.content.decode("utf-8-sig")
        assert "教民14201120000003" in body and "林" not in body and "201942" not in body and "退费" not in body
    items = json.loads(client.get("/services/institutions/public/export.json").content)["items"]
    assert len(items) == 3 and items[0]["status_label"] in ("白名单", "黑名单")
    assert client.get("/services/institutions/public/export.xml").status_code == 404


def test_the_public_pages_are_throttled(client, region, settings):
    for i in range(60):  # a client-supplied first X-Forwarded-For entry does not buy a fresh allowance
        response = client.get("/services/institutions/public/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.9")
        assert response.status_code == 200
    refused = client.get("/services/institutions/public/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    assert refused.status_code == 429 and "请稍后再试" in refused.content.decode() and refused["Retry-After"]
    assert client.get("/services/institutions/public/export.csv", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/services/institutions/public/", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


def test_bureau_pages(client, region):
    login_as(client, "bureau")
    upload = SimpleUploadedFile("机构.xlsx", _xlsx([HEADER, *ROWS]))
    page = client.post("/services/institutions/import/", {"file": upload})
    assert page.status_code == 200 and "新增 3" in page.content.decode()
    inst = Institution.objects.get(licence_no="教民14201120000002")
    assert (
        client.post(
            f"/services/institutions/{inst.pk}/act/",
            {"action": "status", "status": "cancelled", "status_note": "自行停办"},
        ).status_code
        == 302
    )
    assert Institution.objects.get(pk=inst.pk).status == "cancelled"
    created = client.post(
        "/services/institutions/new/",
        {
            "licence_no": "教民14201120000009",
            "name": "新机构",
            "division": "420112",
            "address": "某路1号",
            "subjects": "舞蹈",
        },
    )
    assert created.status_code == 302
    for username in ("principal", "teacher", "parent", "student"):
        login_as(client, username)
        assert client.get("/services/institutions/").status_code == 403
        assert client.get(f"/services/institutions/{inst.pk}/").status_code == 403
    login_as(client, "city")
    assert client.get(f"/services/institutions/{inst.pk}/").status_code == 200
