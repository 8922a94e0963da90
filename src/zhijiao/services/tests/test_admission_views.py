"""The 义务教育招生 pages end to end: a family signs in by text code, applies with evidence on the form, the school
and the bureau decide on the page, placement and publication from the bureau's page, the family sees the result,
the school registers the child; the others get 404, files are downloads, bad input names its fields."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhijiao.core.outbox import queue_many, queue_message
from zhijiao.identity.models import Account
from zhijiao.org.models import Division
from zhijiao.org.services import class_create
from zhijiao.people.models import Student
from zhijiao.services import admission, sms
from zhijiao.services.models_admission import Application, AppStatus, Catchment
from zhijiao.services.sms import sms_outbox
from zhijiao.testing import build_matrix_region, login_as, make_id

YEAR = 2026


@pytest.fixture
def adm(db):
    r = build_matrix_region()
    bureau = r.accounts["bureau"]
    admission.plan_save(actor=bureau, school=r.schools["A"], year=YEAR, stage="primary", seats=5)
    r.catchment = admission.catchment_save(
        actor=bureau,
        division=Division.objects.get(pk="420112"),
        year=YEAR,
        stage="primary",
        compound="金银湖花园",
        address_range="",
        school_codes=[r.schools["A"].code],
    )
    admission.rule_save(
        actor=bureau,
        division=Division.objects.get(pk="420112"),
        year=YEAR,
        rank=1,
        name="一类",
        need_hukou_in_catchment=True,
        housing=["property"],
    )
    r.class_a = class_create(school=r.schools["A"], stage="2", entry_year=YEAR, number=1)
    return r


def _form(r, **over):
    data = {
        "year": YEAR,
        "stage": "primary",
        "guardian_name": "刘爸爸",
        "guardian_phone": "13911112222",
        "relation": "父亲",
        "child_name": "刘小明",
        "child_id_number": make_id("420112", date(2020, 5, 6), 3, "1"),
        "hukou_address": "湖北省武汉市东西湖区金银湖路8号",
        "catchment": r.catchment.pk,
        "home_address": "3栋501",
        "hukou_in_catchment": "1",
        "housing": "property",
        "social_months": "0",
        "file_hukou": SimpleUploadedFile("户口簿.html", b"<script>alert(1)</script>", content_type="text/html"),
    }
    data.update(over)
    return data


def test_a_family_signs_in_by_code_applies_and_follows_it_to_enrolment(client, adm, settings):
    r = adm
    assert client.get("/services/admission/apply/")["Location"] == "/services/admission/phone/"
    sent = client.post("/services/admission/phone/", {"phone": "13911112222", "action": "send"})
    assert sent.status_code == 200 and "短信验证码" in sent.content.decode()
    text = sms_outbox().get(address="13911112222").text
    code = text.split("验证码是 ")[1][:6]
    wrong = client.post("/services/admission/phone/", {"phone": "13911112222", "action": "verify", "code": "000000"})
    assert wrong.status_code == 400 or code == "000000"
    ok = client.post("/services/admission/phone/", {"phone": "13911112222", "action": "verify", "code": code})
    assert ok.status_code == 302 and Account.objects.filter(username="rx13911112222").exists()
    form = client.get("/services/admission/apply/").content.decode()
    assert "金银湖花园" in form and "13911112222" in form
    bad = client.post("/services/admission/apply/", _form(r, child_id_number="123", guardian_phone="1"))
    body = bad.content.decode()
    assert bad.status_code == 400 and "儿童身份证号" in body and "联系手机" in body and not Application.objects.exists()
    done = client.post("/services/admission/apply/", _form(r))
    app = Application.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/services/admission/{app.pk}/"
    page = client.get(done["Location"]).content.decode()
    assert "一类" in page and "刘小明" in page and app.child_id_number not in page  # masked for the family
    f = app.files.get()
    download = client.get(f"/services/admission/files/{f.pk}/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert "text/html" not in download.get("Content-Type", "")
    # the school and the bureau decide on the page
    login_as(client, "principal")
    assert app.number in client.get("/services/admission/").content.decode()
    review = client.get(f"/services/admission/{app.pk}/").content.decode()
    assert app.child_id_number in review and "学校审核" in review
    client.post(f"/services/admission/{app.pk}/act/", {"action": "approve"})
    login_as(client, "bureau")
    client.post(f"/services/admission/{app.pk}/act/", {"action": "approve"})
    assert Application.objects.get().status == AppStatus.APPROVED
    manage = f"/services/admission/manage/?year={YEAR}"
    client.post(manage, {"year": YEAR, "school": r.schools["A"].pk, "stage": "primary", "op": "place"})
    assert Application.objects.get().status == AppStatus.PLACED
    # before publication the family sees no result
    family = Account.objects.get(username="rx13911112222")
    login_as(client, family)
    assert "已录取：" not in client.get(f"/services/admission/{app.pk}/").content.decode()
    login_as(client, "bureau")
    client.post(manage, {"year": YEAR, "school": r.schools["A"].pk, "stage": "primary", "op": "publish"})
    login_as(client, family)
    assert "已录取：东西湖区第一小学" in client.get(f"/services/admission/{app.pk}/").content.decode()
    assert sms_outbox().filter(address="13911112222", text__contains="已被东西湖区第一小学录取").exists()
    # the school registers the child
    login_as(client, "principal")
    enrol = f"/services/admission/enrol/{r.schools['A'].pk}/?year={YEAR}"
    assert "刘小明" in client.get(enrol).content.decode()
    client.post(enrol, {"year": YEAR, "app": app.pk, "school_class": r.class_a.pk})
    assert Student.objects.filter(student_no=f"G{app.child_id_number}", school_class=r.class_a).exists()


def test_others_get_404_and_families_see_only_their_own(client, adm):
    r = adm
    app = admission.application_submit(
        actor=r.accounts["parent"],
        data=admission.ApplicationInput(
            year=YEAR,
            stage="primary",
            guardian_name="陈妈妈",
            guardian_phone="13800001111",
            relation="母亲",
            child_name="新生",
            child_id_number=make_id("420112", date(2020, 3, 1), 1, "1"),
            hukou_address="东西湖区金银湖路8号",
            catchment_id=r.catchment.pk,
            home_address="1栋",
            hukou_in_catchment=True,
            housing="property",
            residence_permit=False,
            social_months=0,
        ),
        files=[admission.Evidence("hukou", "a.pdf", [b"%PDF"])],
    )
    f = app.files.get()
    for who in ("teacher", "principal_c", "student", "teacher_c"):
        login_as(client, who)
        assert client.get(f"/services/admission/{app.pk}/").status_code == 404, who
        assert client.get(f"/services/admission/files/{f.pk}/").status_code == 404, who
        assert client.post(f"/services/admission/{app.pk}/act/", {"action": "approve"}).status_code == 404, who
    for who in ("parent", "principal", "bureau", "city"):
        login_as(client, who)
        assert client.get(f"/services/admission/{app.pk}/").status_code == 200, who
    for page in ("manage/", "catchments/", "rules/", "outbox/"):
        login_as(client, "parent")
        assert client.get(f"/services/admission/{page}").status_code == 404, page
        login_as(client, "bureau")
        assert client.get(f"/services/admission/{page}").status_code == 200, page
    login_as(client, "principal")
    assert client.get("/services/admission/manage/").status_code == 200
    assert client.get("/services/admission/rules/").status_code == 404
    assert client.get(f"/services/admission/enrol/{r.schools['C'].pk}/").status_code == 404


def test_catchments_import_accounts_for_every_row(client, adm):
    r = adm
    login_as(client, "bureau")

    def book(rows):
        wb = Workbook()
        ws = wb.active
        ws.append(["小区名称", "地址范围", "学段", "对口学校标识码"])
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return SimpleUploadedFile("c.xlsx", out.getvalue())

    before = Catchment.objects.count()
    bad = client.post(
        "/services/admission/catchments/",
        {
            "op": "import",
            "year": YEAR,
            "division": "420112",
            "file": book(
                [
                    ["甲小区", "", "小学", r.schools["A"].code],
                    ["乙小区", "", "高中", r.schools["A"].code],
                    ["丙小区", "", "小学", "9999999999"],
                    ["丁小区", "", "小学", r.schools["C"].code],
                ]
            ),
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and "第3行" in body and "第4行" in body and "第5行" in body and "第2行" not in body
    assert Catchment.objects.count() == before
    good = client.post(
        "/services/admission/catchments/",
        {
            "op": "import",
            "year": YEAR,
            "division": "420112",
            "file": book(
                [
                    ["甲小区", "1-9号", "小学", f"{r.schools['A'].code}、{r.schools['B'].code}"],
                    ["金银湖花园", "", "小学", r.schools["B"].code],
                ]
            ),
        },
    )
    assert good.status_code == 302 and Catchment.objects.count() == before + 1
    assert Catchment.objects.get(compound="甲小区").schools.count() == 2
    assert list(Catchment.objects.get(compound="金银湖花园").schools.all()) == [r.schools["B"]]


def test_sms_outbox_page_lists_admission_texts_from_the_one_outbox(client, adm, settings):
    """短信发件箱 reads 招生's rows of core's outbox: codes hidden, phones masked, other apps' texts not shown."""
    settings.ZHIJIAO_SMS_SHOW_CODES = True
    shown = client.post("/services/admission/phone/", {"phone": "13911112222", "action": "send"}).content.decode()
    code = sms_outbox().get(address="13911112222").text.split("验证码是 ")[1][:6]
    assert code in shown  # the demo's shown code comes from the outbox too
    sms.sms_send("13911113333", "【智教】您的入学申请已受理", "入学申请")
    queue_many([queue_message(channel="sms", address="13911114444", text="未读通知", source="spaces.notice:1")])
    login_as(client, "bureau")
    page = client.get("/services/admission/outbox/").content.decode()
    assert "短信发件箱" in page and "（验证码已隐去）" in page and code not in page
    assert "您的入学申请已受理" in page and "13911113333" not in page and "未读通知" not in page
