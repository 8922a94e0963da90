"""The 数据导入 pages as a browser meets them: upload, progress, results, history, templates and the match queue."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY
from openpyxl import load_workbook

from zhijiao.intake.models import BatchStatus, CaseStatus, ImportBatch, MatchCase
from zhijiao.intake.services import import_batch_create
from zhijiao.intake.spec import SPECS
from zhijiao.intake.tasks import import_batch_task
from zhijiao.people.models import Student
from zhijiao.testing import login_as, make_id

pytestmark = pytest.mark.django_db
HEADERS = SPECS["students"].headers


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


@pytest.fixture
def immediate_jobs(monkeypatch):
    """Run Huey tasks in-process, as the worker would, the moment they are enqueued."""
    monkeypatch.setattr(HUEY, "immediate", True)


def login(client, username: str):
    client.logout()
    login_as(client, username)
    return client


def student_row(name: str, born: date, seq: int, *, school="3420112001", klass="1", **extra) -> dict:
    number = make_id("420112", born, seq, "1")
    values = {
        "姓名": name,
        "性别": "男",
        "出生日期": born.isoformat(),
        "民族": "汉族",
        "身份证件类型": "居民身份证",
        "身份证件号": number,
        "学籍号": f"G{number}",
        "学校标识码": school,
        "年级": "三年级",
        "班级": klass,
        "入学年月": "2024-09",
        "监护人姓名": f"{name[0]}爸爸",
        "监护人关系": "父亲",
        "监护人电话": "13900001234",
    }
    values.update(extra)
    return values


def csv_upload(rows: list[dict], name: str = "学生.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def bad_checksum(row: dict) -> dict:
    number = row["身份证件号"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    return {**row, "身份证件号": wrong, "学籍号": f"G{wrong}"}


def upload(client, rows, *, kind="students", school="", capture=None):
    data = {"kind": kind, "school": school, "file": csv_upload(rows)}
    with capture(execute=True):
        return client.post("/intake/", data)


# ----------------------------------------------------------------------------------------------- upload
def test_region_admin_uploads_a_csv_and_sees_the_counts(
    client, region, immediate_jobs, django_capture_on_commit_callbacks
):
    login(client, "bureau")
    page = client.get("/intake/").content.decode()
    assert "数据导入" in page and "学生导入模板.xlsx" in page and "东西湖区第二小学" in page
    rows = [
        student_row("王小明", date(2018, 3, 5), 61),
        student_row("赵小刚", date(2018, 7, 7), 63, klass="2"),
        bad_checksum(student_row("李小红", date(2018, 5, 6), 62)),
    ]
    response = upload(client, rows, capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/batches/{batch.pk}/"
    assert batch.status == BatchStatus.DONE and (batch.rows_in, batch.created, batch.rejected) == (3, 2, 1)
    assert Student.objects.filter(person__name__in=["王小明", "赵小刚"]).count() == 2

    html = client.get(response["Location"]).content.decode()
    assert "四项合计 = 读入行数 ✓" in html
    assert "新增 2 + 更新 0 + 未变 0 + 拒收 1 = 3" in html
    assert "身份证件号" in html and "校验码" in html  # the rejected row's reason, in Chinese
    assert "hx-trigger" not in html  # finished: nothing polls
    assert f"/intake/batches/{batch.pk}/report.xlsx" in html
    rejected_only = client.get(f"{response['Location']}?show=rejected").content.decode()
    assert "李小红" in rejected_only
    assert "李小红" not in client.get(f"{response['Location']}?show=warning").content.decode()

    report = client.get(f"/intake/batches/{batch.pk}/report.xlsx")
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content if report.streaming else [report.content])))
    assert any("李小红" in str(c.value) for row in sheet.active.iter_rows() for c in row)

    history = client.get("/intake/batches/?kind=students&status=done").content.decode()
    assert f"/intake/batches/{batch.pk}/" in history and "已完成" in history
    assert f"/intake/batches/{batch.pk}/" not in client.get("/intake/batches/?status=failed").content.decode()


def test_a_clean_import_has_no_report_to_download(client, region, immediate_jobs, django_capture_on_commit_callbacks):
    login(client, "bureau")
    upload(client, [student_row("周小龙", date(2018, 4, 4), 65)], capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.rejected == 0
    html = client.get(f"/intake/batches/{batch.pk}/").content.decode()
    assert "report.xlsx" not in html and "所有行都已顺利导入" in html
    assert client.get(f"/intake/batches/{batch.pk}/report.xlsx").status_code == 404


def test_a_queued_batch_polls_its_progress_until_done(client, region):
    login(client, "bureau")
    batch = import_batch_create(
        actor=region.accounts["bureau"],
        kind="students",
        file_name="学生.csv",
        source=csv_upload([student_row("孙小美", date(2018, 9, 9), 64)]),
    )
    html = client.get(f"/intake/batches/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "排队等待后台处理" in html
    polled = client.get(f"/intake/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "every 1s" in polled.content.decode() and "HX-Refresh" not in polled

    import_batch_task.call_local(batch.pk)  # the worker's turn
    done = client.get(f"/intake/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "every 1s" not in done.content.decode()
    import_batch_task.call_local(batch.pk)  # a re-delivered job does nothing
    assert ImportBatch.objects.get(pk=batch.pk).created == 1


def test_a_waiting_batch_names_the_worker_to_operators_only(client, region):
    batch = import_batch_create(
        actor=region.accounts["bureau"],
        kind="students",
        file_name="学生.csv",
        source=csv_upload([student_row("孙小美", date(2018, 9, 9), 64)]),
    )
    login(client, "bureau")
    for url in (f"/intake/batches/{batch.pk}/", f"/intake/batches/{batch.pk}/progress/"):
        html = client.get(url).content.decode()
        assert "正在排队等待处理" in html
        assert "zhijiao worker" not in html and "后台任务进程" not in html
    login(client, "admin")
    html = client.get(f"/intake/batches/{batch.pk}/progress/").content.decode()
    assert "请确认后台任务进程（zhijiao worker）已启动" in html


def test_a_file_of_the_wrong_type_is_refused_with_a_chinese_message(client, region):
    login(client, "bureau")
    response = client.post(
        "/intake/", {"kind": "students", "file": SimpleUploadedFile("学生.pdf", b"%PDF-1.4", "application/pdf")}
    )
    assert response.status_code == 400 and "文件无法读取" in response.content.decode()
    assert not ImportBatch.objects.exists()


# -------------------------------------------------------------------------------------------- templates
def test_template_download_is_an_xlsx_named_in_chinese(client, region):
    login(client, "principal")
    response = client.get("/intake/templates/students.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "filename*=UTF-8''%E5%AD%A6%E7%94%9F%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
        in response["Content-Disposition"]
    )
    headers = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows(max_row=1))]
    assert set(SPECS["students"].headers) <= {str(h).strip() for h in headers if h}
    assert client.get("/intake/templates/nothing.xlsx").status_code == 404


# ------------------------------------------------------------------------------------------------ scope
@pytest.mark.parametrize("username", ["teacher", "parent", "inspector"])
def test_accounts_that_do_not_manage_data_cannot_import(client, region, username):
    login(client, username)
    assert client.get("/intake/").status_code == 403
    assert client.get("/intake/templates/students.xlsx").status_code == 403
    assert client.get("/intake/cases/").status_code == 403
    assert "数据导入" not in client.get("/").content.decode()


def test_a_school_admin_imports_for_their_own_school_only(
    client, region, immediate_jobs, django_capture_on_commit_callbacks
):
    login(client, "bureau")
    upload(
        client,
        [student_row("钱小二", date(2019, 1, 1), 66, school="3420112002", klass="1")],
        school="3420112002",
        capture=django_capture_on_commit_callbacks,
    )
    theirs = ImportBatch.objects.get()

    login(client, "principal")
    page = client.get("/intake/").content.decode()
    assert "东西湖区第一小学" in page and 'name="school"' not in page  # fixed, not a choice
    assert client.get(f"/intake/batches/{theirs.pk}/").status_code == 404
    assert client.get(f"/intake/batches/{theirs.pk}/progress/").status_code == 404
    assert f"/intake/batches/{theirs.pk}/" not in client.get("/intake/batches/").content.decode()
    assert client.get("/intake/cases/").status_code == 403

    upload(
        client,
        [student_row("孙小三", date(2018, 2, 2), 67), student_row("李小四", date(2019, 2, 2), 68, school="3420112002")],
        school="3420112002",  # ignored: a school administrator's imports are fixed to their school
        capture=django_capture_on_commit_callbacks,
    )
    own = ImportBatch.objects.exclude(pk=theirs.pk).get()
    assert own.school == region.schools["A"] and (own.created, own.rejected) == (1, 1)
    assert client.get(f"/intake/batches/{own.pk}/").status_code == 200


# ------------------------------------------------------------------------------------------ match cases
def test_the_bureau_decides_a_duplicate_enrolment(client, region, immediate_jobs, django_capture_on_commit_callbacks):
    s1 = region.students["s1"]
    person = s1.person
    person.name = "学生甲"  # the fixture's "学生s1" has a digit, which an import now rejects (姓名含数字)
    person.save(update_fields=["name"])
    twin = student_row(person.name, person.birth_date, 0, school="3420112002", 身份证件号=person.id_number)
    twin.update(学籍号=s1.student_no, 年级="二年级")  # school B lists s1 of school A in its class B1
    login(client, "bureau")
    upload(client, [twin], capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert (batch.rejected, batch.conflicts) == (1, 1), batch.error
    assert "其中待比对" in client.get(f"/intake/batches/{batch.pk}/").content.decode()

    html = client.get("/intake/cases/").content.decode()
    case = MatchCase.objects.get()
    assert "重复学籍" in html and person.name in html and "东西湖区第一小学" in html and "东西湖区第二小学" in html
    assert person.id_number not in html and person.id_number[:4] + "*" * 10 + person.id_number[-4:] in html

    response = client.post(
        f"/intake/cases/{case.pk}/decide/", {"verdict": "keep_existing", "note": "已电话核实"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert (
        "<html" not in fragment and "保留原学校学籍" in fragment and "已电话核实" in fragment and "已裁定" in fragment
    )
    assert 'id="count-duplicate_enrolment" hx-swap-oob="true">0<' in fragment  # the tab's count follows
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.decided_by == region.accounts["bureau"]
    assert Student.objects.get(pk=s1.pk).school_id == region.schools["A"].pk

    assert person.name not in client.get("/intake/cases/").content.decode()
    resolved = client.get("/intake/cases/?kind=duplicate_enrolment&status=resolved").content.decode()
    assert person.name in resolved and "已电话核实" in resolved

    again = client.post(f"/intake/cases/{case.pk}/decide/", {"verdict": "accept_incoming"})
    assert again.status_code == 302  # without htmx: back to the queue with a message
    assert "该待办已处理" in client.get(again["Location"]).content.decode()
