"""The import pipeline end to end, on files as schools really send them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from zhijiao.intake import pipeline
from zhijiao.intake.models import BatchStatus, CaseKind, ImportBatch, MatchCase, QuarantineRow, Verdict
from zhijiao.intake.report import report_path
from zhijiao.intake.services import case_resolve, import_batch_create, import_batch_run
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import ChangeRecord, Enrolment, Guardianship, Person, Student
from zhijiao.testing import make_id

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)
HEADERS = SPECS["students"].headers


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def row(name: str, born: date, sex: str, seq: int, *, school="3420112001", grade="三年级", klass="1", **extra) -> dict:
    number = make_id("420112", born, seq, sex)
    values = {
        "姓名": name,
        "性别": "男" if sex == "1" else "女",
        "出生日期": born.isoformat(),
        "民族": "汉族",
        "身份证件类型": "居民身份证",
        "身份证件号": number,
        "学籍号": f"G{number}",
        "学校标识码": school,
        "年级": grade,
        "班级": klass,
        "入学年月": "2024-09",
        "就读方式": "走读",
        "户口所在地": "湖北省武汉市东西湖区",
        "监护人姓名": f"{name[:1] or '某'}爸爸",
        "监护人关系": "父亲",
        "监护人电话": "13900001234",
    }
    values.update(extra)
    return values


def write_csv(path: Path, rows: list[dict], *, encoding="utf-8-sig", headers=HEADERS, title: str | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        if title:
            writer.writerow([title])
        writer.writerow(headers)
        for r in rows:
            writer.writerow([r.get(h, "") for h in headers])
    return path


def run(path: Path, kind="students", actor=None, school=None) -> ImportBatch:
    batch = import_batch_create(
        actor=actor, kind=kind, file_name=path.name, source=path, school_code=school, channel="cli"
    )
    return import_batch_run(batch=batch, today=TODAY)


def codes(batch: ImportBatch) -> dict[int, set[str]]:
    return {q.row_no: {i["code"] for i in q.issues} for q in QuarantineRow.objects.filter(batch=batch)}


def assert_sums(batch: ImportBatch) -> None:
    assert batch.status == BatchStatus.DONE, batch.error
    assert batch.created + batch.updated + batch.unchanged + batch.rejected == batch.rows_in


# ------------------------------------------------------------------------------------------ normalisation
def id_ending_in_x() -> tuple[str, date, int]:
    born = date(2018, 5, 5)
    for seq in range(100):
        number = make_id("420112", born, seq, "1")
        if number.endswith("X"):
            return number, born, seq
    raise AssertionError("no X check digit in range")


def test_real_world_spellings_are_normalised(region, tmp_path):
    number, born, seq = id_ending_in_x()
    full_width = make_id("420112", date(2018, 6, 6), 7, "2").translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    rows = [
        row(
            "张小明",
            born,
            "1",
            seq,
            身份证件号=number.lower(),
            学籍号=f"g{number.lower()}",
            民族="01",
            出生日期="2018年5月5日",
        ),
        row(
            "李 小红", date(2018, 6, 6), "2", 7, 身份证件号=full_width, 学籍号="", 民族="汉", 性别="F", 出生日期="43257"
        ),
        row(
            "王小刚",
            date(2018, 7, 7),
            "1",
            8,
            民族="1",
            性别="男性",
            出生日期="20180707",
            班级="三年级（1）班",
            就读方式="住读",
        ),
        row("赵小丽", date(2018, 8, 8), "2", 9, 出生日期="2018/8/8", 监护人电话="+86 139-0000-5678", 年级="３年级"),
    ]
    rows[1]["学籍号"] = f"G{make_id('420112', date(2018, 6, 6), 7, '2')}"
    batch = run(write_csv(tmp_path / "s.csv", rows))
    assert_sums(batch)
    assert batch.created == 4, codes(batch)
    x = Student.objects.get(person__name="张小明")
    assert x.person.id_number == number and x.student_no == f"G{number}" and x.person.ethnicity == "01"
    assert x.person.birth_date == date(2018, 5, 5)
    li = Student.objects.get(person__name="李小红")  # the stray space is gone
    assert (
        li.person.id_number.isascii() and li.person.sex == "2" and li.person.birth_date == date(2018, 6, 6)
    )  # Excel serial
    wang = Student.objects.get(person__name="王小刚")
    assert wang.person.sex == "1" and wang.study_mode == "2" and wang.school_class == region.classes["A1"]
    zhao = Student.objects.get(person__name="赵小丽")
    assert zhao.guardianships.get().guardian.phone == "13900005678"


def test_gb18030_csv_with_a_title_row_and_synonym_headers(region, tmp_path):
    headers = ["姓名", "性别", "出生年月日", "身份证号码", "全国学籍号", "学校代码", "年级", "班号"]
    keys = ["姓名", "性别", "出生日期", "身份证件号", "学籍号", "学校标识码", "年级", "班级"]
    r = row("钱多多", date(2018, 9, 9), "1", 11)
    path = tmp_path / "gbk.csv"
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["东西湖区第一小学2026年秋季学生名册"])
        writer.writerow([])
        writer.writerow(headers)
        writer.writerow([r[k] for k in keys])
    batch = run(path)
    assert_sums(batch)
    assert batch.created == 1 and Student.objects.filter(person__name="钱多多").exists()
    assert QuarantineRow.objects.filter(batch=batch).count() == 0


def test_xlsx_with_merged_cells_and_a_two_row_header(region, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["学生信息登记表"])
    sheet.merge_cells("A1:H1")
    sheet.append(["学生", None, None, None, None, None, None, "监护人", None])
    sheet.merge_cells("A2:G2")
    sheet.merge_cells("H2:I2")
    sheet.append(["学校标识码", "姓名", "性别", "身份证件号", "学籍号", "年级", "班级", "姓名", "电话"])
    a, b = row("孙一", date(2018, 1, 3), "1", 21), row("孙二", date(2018, 2, 4), "2", 22)
    for r in (a, b):
        sheet.append(
            [
                "3420112001",
                r["姓名"],
                r["性别"],
                r["身份证件号"],
                r["学籍号"],
                "三年级",
                1,
                r["监护人姓名"],
                "13900001111",
            ]
        )
    sheet.merge_cells("A4:A5")  # the school code typed once for both rows
    sheet.merge_cells("F4:F5")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    batch = run(path)
    assert_sums(batch)
    assert batch.created == 2, codes(batch)
    second = Student.objects.get(person__name="孙二")
    assert second.school.code == "3420112001"  # filled from the merged cell
    assert second.guardianships.get().guardian.name == "孙爸爸"  # 监护人 + 姓名, not the student's 姓名


# ---------------------------------------------------------------------------------------------- rules
def test_each_rule_rejects_with_its_code_and_counts_sum(region, tmp_path):
    good = row("周好", date(2018, 3, 3), "1", 30)
    bad_check = row("吴错", date(2018, 3, 4), "1", 31)
    bad_check["身份证件号"] = bad_check["身份证件号"][:17] + ("0" if bad_check["身份证件号"][17] != "0" else "1")
    bad_check["学籍号"] = "L" + "0" * 17 + "1"
    rows = [
        good,
        bad_check,
        row("郑生", date(2018, 3, 5), "1", 32, 出生日期="2018-03-06"),
        row("王性", date(2018, 3, 6), "1", 33, 性别="女"),
        row("冯校", date(2018, 3, 7), "1", 34, 学校标识码="9999999999"),
        row("陈外", date(2018, 3, 8), "1", 35, 学校标识码="3420102001", 年级="二年级"),  # 江岸区: not the bureau's
        row("褚班", date(2018, 3, 9), "1", 36, 班级="9"),
        dict(good),
        row("", date(2018, 3, 10), "1", 37),
        row("卫族", date(2018, 3, 11), "1", 38, 民族="火星族"),
        row("蒋龄", date(2012, 3, 11), "1", 39),
        row("沈日", date(2018, 3, 12), "1", 40, 入学年月="2024-13"),
    ]
    bureau = region.accounts["bureau"]
    batch = run(write_csv(tmp_path / "bad.csv", rows), actor=bureau)
    assert_sums(batch)
    found = codes(batch)
    assert batch.created == 2 and batch.rejected == 10  # 周好 and the over-age 蒋龄 (a warning only)
    assert found[3] == {"CORE_ID_CHECKSUM"}
    assert found[4] == {"INTAKE_BIRTH_MISMATCH"}
    assert found[5] == {"INTAKE_SEX_MISMATCH"}
    assert found[6] == {"INTAKE_SCHOOL_UNKNOWN"}
    assert "INTAKE_SCHOOL_OUT_OF_SCOPE" in found[7]
    assert found[8] == {"INTAKE_CLASS_UNKNOWN"}
    assert found[9] == {"INTAKE_DUPLICATE_IN_FILE"}
    assert found[10] == {"INTAKE_REQUIRED"}
    assert found[11] == {"INTAKE_CODE_UNKNOWN"}
    assert found[12] == {"INTAKE_AGE_GRADE"} and not QuarantineRow.objects.get(batch=batch, row_no=12).rejected
    assert found[13] == {"INTAKE_DATE_INVALID"}
    message = QuarantineRow.objects.get(batch=batch, row_no=3).issues[0]["message"]
    assert message.startswith("身份证件号：") and "校验码" in message


def test_a_file_without_the_required_columns_fails_clearly(region, tmp_path):
    batch = run(write_csv(tmp_path / "x.csv", [{"姓名": "甲"}], headers=["姓名", "性别", "备注"]))
    assert batch.status == BatchStatus.FAILED
    assert "缺少必填列" in batch.error and "学籍号" in batch.error


# ----------------------------------------------------------------------------------- idempotence, lineage
def test_reimport_changes_nothing_and_a_changed_row_keeps_history(region, tmp_path):
    rows = [row("杨一", date(2018, 4, 1), "1", 41), row("杨二", date(2018, 4, 2), "2", 42)]
    first = run(write_csv(tmp_path / "a.csv", rows))
    assert_sums(first) or None
    assert first.created == 2
    student = Student.objects.get(person__name="杨一")
    assert student.origin == f"import:{first.pk}#2" and student.feed_seq > 0
    persons, changes = Person.objects.count(), ChangeRecord.objects.count()
    seq = Student.objects.order_by("-feed_seq").values_list("feed_seq", flat=True).first()

    again = run(write_csv(tmp_path / "b.csv", rows))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert Person.objects.count() == persons and ChangeRecord.objects.count() == changes
    assert Student.objects.order_by("-feed_seq").values_list("feed_seq", flat=True).first() == seq

    rows[0]["就读方式"] = "住校"
    rows[0]["班级"] = "2"
    third = run(write_csv(tmp_path / "c.csv", rows))
    assert (third.updated, third.unchanged) == (1, 1)
    student.refresh_from_db()
    assert student.study_mode == "2" and student.school_class == region.classes["A2"]
    change = ChangeRecord.objects.get(entity="student", entity_id=student.pk, field="study_mode")
    assert (change.old_value, change.new_value, change.batch_id, change.source) == (
        "1",
        "2",
        third.pk,
        f"import:{third.pk}#2",
    )
    history = Enrolment.objects.filter(student=student).order_by("started_on", "pk")
    assert [e.school_class_id for e in history] == [region.classes["A1"].pk, region.classes["A2"].pk]
    assert history[0].ended_on is not None and history[0].end_reason == "调班"


def test_blank_cells_do_not_erase_registry_values(region, tmp_path):
    rows = [row("秦一", date(2018, 4, 3), "1", 43)]
    run(write_csv(tmp_path / "a.csv", rows))
    rows[0]["户口所在地"] = ""
    rows[0]["民族"] = ""
    again = run(write_csv(tmp_path / "b.csv", rows))
    assert again.unchanged == 1
    assert Student.objects.get(person__name="秦一").hukou_place == "湖北省武汉市东西湖区"


# ------------------------------------------------------------------------------------------ error report
def test_error_report_opens_shows_reasons_and_fixes_exactly_those_rows(region, tmp_path):
    rows = [
        row("许对", date(2018, 5, 1), "1", 51),
        row("何错", date(2018, 5, 2), "1", 52, 出生日期="2018-02-30"),
        row("吕错", date(2018, 5, 3), "2", 53, 班级="7"),
    ]
    batch = run(write_csv(tmp_path / "a.csv", rows))
    assert (batch.created, batch.rejected) == (1, 2)
    path = report_path(batch)
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["行号", "问题说明"]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [line[header.index("姓名")] for line in lines] == ["何错", "吕错"]
    assert "出生日期" in lines[0][-1] and "班级不存在" in lines[1][-1]
    birth_cell = sheet.cell(row=2, column=header.index("出生日期") + 1)
    assert birth_cell.fill.fgColor.rgb.endswith("FFC7CE")  # the bad cell is red
    assert sheet.cell(row=2, column=header.index("姓名") + 1).fill.fgColor.rgb in (None, "00000000")

    sheet.cell(row=2, column=header.index("出生日期") + 1).value = "2018-05-02"
    sheet.cell(row=3, column=header.index("班级") + 1).value = "1"
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    again = run(fixed)
    assert_sums(again)
    assert (again.rows_in, again.created, again.rejected) == (2, 2, 0)
    assert Student.objects.filter(person__name__in=["许对", "何错", "吕错"]).count() == 3


# ---------------------------------------------------------------------------------------------- matching
def test_a_student_imported_by_two_schools_goes_to_the_conflict_queue(region, tmp_path):
    pupil = row("施同", date(2019, 5, 5), "1", 61, 年级="二年级")
    first = run(write_csv(tmp_path / "b.csv", [{**pupil, "学校标识码": "3420112002"}]))
    assert first.created == 1
    second = run(write_csv(tmp_path / "a.csv", [{**pupil, "学校标识码": "3420112001", "年级": "三年级"}]))
    assert_sums(second)
    assert (second.rejected, second.conflicts) == (1, 1)
    assert codes(second)[2] == {"INTAKE_DUPLICATE_ENROLMENT"}
    assert Student.objects.filter(person__name="施同").count() == 1
    case = MatchCase.objects.get(kind=CaseKind.DUPLICATE_ENROLMENT)
    assert case.school == region.schools["A"] and case.other_school == region.schools["B"]

    result = case_resolve(actor=region.accounts["bureau"], case=case, verdict=Verdict.ACCEPT_INCOMING)
    assert result is not None and result.updated == 1 and result.actor == region.accounts["bureau"]
    student = Student.objects.get(person__name="施同")
    assert student.school == region.schools["A"] and student.enrolments.count() == 2

    # school B still lists the pupil: the recorded decision answers, no new case
    third = run(write_csv(tmp_path / "b2.csv", [{**pupil, "学校标识码": "3420112002"}]))
    assert codes(third)[2] == {"INTAKE_DECIDED_ELSEWHERE"} and third.conflicts == 0
    assert MatchCase.objects.count() == 1


def test_students_without_an_id_number_are_matched_probabilistically(region, tmp_path):
    base = {"身份证件类型": "护照", "民族": "", "监护人电话": "13911112222"}
    known = row("欧阳娜", date(2018, 7, 1), "2", 71, **base, 身份证件号="E12345678", 学籍号="J" + "1" * 17 + "2")
    run(write_csv(tmp_path / "a.csv", [known]))
    same = {**known, "学籍号": "L" + "3" * 17 + "4", "身份证件号": ""}  # the same girl under a temporary number
    homophone = {**known, "姓名": "欧阳纳", "学籍号": "L" + "5" * 17 + "6", "身份证件号": "", "监护人电话": ""}
    stranger = row("欧阳丽", date(2017, 1, 1), "2", 72, **base, 身份证件号="", 学籍号="L" + "7" * 17 + "8")
    batch = run(write_csv(tmp_path / "b.csv", [same, homophone, stranger]))
    assert_sums(batch)
    assert (batch.updated, batch.created, batch.rejected) == (1, 1, 1), codes(batch)
    assert Student.objects.get(person__name="欧阳娜").student_no.startswith("L3")
    case = MatchCase.objects.get(kind=CaseKind.UNCERTAIN_MATCH)
    assert case.data["name"] == "欧阳纳" and 0.5 <= case.score < 0.99
    case_resolve(actor=region.accounts["admin"], case=case, verdict=Verdict.DIFFERENT_PERSON)
    assert Student.objects.filter(person__name="欧阳纳").exists()
    again = run(write_csv(tmp_path / "c.csv", [homophone]))
    assert again.unchanged == 1 and MatchCase.objects.count() == 1  # the decision holds


# ------------------------------------------------------------------------------------------- atomicity
def test_a_failure_mid_write_leaves_no_partial_batch(region, tmp_path, monkeypatch):
    from zhijiao.people.services_bulk import students  # the write service intake's students kind calls

    persons, enrolments = Person.objects.count(), Enrolment.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(students, "_enrolments_open", boom)  # after persons and students are written
    batch = run(write_csv(tmp_path / "a.csv", [row("韩一", date(2018, 8, 1), "1", 81)]))
    assert batch.status == BatchStatus.FAILED and "未写入任何数据" in batch.error
    assert (Person.objects.count(), Enrolment.objects.count()) == (persons, enrolments)
    assert not QuarantineRow.objects.filter(batch=batch).exists()
    monkeypatch.undo()
    again = run(write_csv(tmp_path / "b.csv", [row("韩一", date(2018, 8, 1), "1", 81)]))
    assert again.created == 1


def test_a_batch_whose_process_died_is_marked_interrupted(region):
    batch = ImportBatch.objects.create(kind="students", status=BatchStatus.RUNNING, pid=2**22 + 12345)
    assert pipeline.batches_reap() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.INTERRUPTED and "未写入任何数据" in batch.error


def test_guardian_shared_by_siblings_is_one_person(region, tmp_path):
    a = row("魏大", date(2018, 9, 1), "1", 91, 监护人姓名="魏父", 监护人电话="13955556666")
    b = row(
        "魏小",
        date(2019, 9, 1),
        "2",
        92,
        年级="二年级",
        学校标识码="3420112002",
        监护人姓名="魏父",
        监护人电话="13955556666",
    )
    batch = run(write_csv(tmp_path / "a.csv", [a, b]))
    assert batch.created == 2, codes(batch)
    assert Guardianship.objects.filter(guardian__name="魏父").values("guardian_id").distinct().count() == 1


def test_a_guardian_only_change_updates_the_student_and_moves_the_link_in_the_feed(region, tmp_path):
    rows = [row("柏一", date(2018, 9, 2), "1", 93)]
    run(write_csv(tmp_path / "a.csv", rows))
    link = Guardianship.objects.get(student__person__name="柏一")
    rows[0]["监护人电话"] = "13600001111"
    phone = run(write_csv(tmp_path / "b.csv", rows))
    assert phone.updated == 1, codes(phone)
    moved = Guardianship.objects.get(pk=link.pk)
    assert moved.guardian.phone == "13600001111" and moved.feed_seq > link.feed_seq
    assert Guardianship.objects.filter(student=link.student).count() == 1, "a new phone is not a new guardian"
    rows[0]["监护人关系"] = "祖父"
    relation = run(write_csv(tmp_path / "c.csv", rows))
    assert relation.updated == 1 and Guardianship.objects.get(pk=link.pk).relation == "61"
    assert ChangeRecord.objects.filter(batch_id=phone.pk, field="phone", new_value="13600001111").exists()
