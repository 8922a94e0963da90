# ruff: noqa: E501  (manifest rows read best one per line)
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.resources import package
from zhijiao.resources.models import Resource, ResourceFile, ResourceStatus, ReviewStep
from zhijiao.resources.package import package_import
from zhijiao.resources.package_manifest import manifest_read, manifest_template
from zhijiao.resources.storage import blob_path
from zhijiao.resources.tests.conftest import ORIGIN

HEADER = "编号,标题,简介,关键词,类型,学段,学科,年级,版本,册,章节,知识点,共享范围,授权方式,文件,作者账号"
GOOD = [
    "R-001,勾股定理 教学设计,赵爽弦图导入,勾股定理,教案,初中,数学,八年级,人教版,八年级下册,17.1,勾股定理、勾股数,本区,CC BY,教案/勾股定理.md,",
    "R-002,垂径定理 课件,,垂径定理,课件,3,14,初二,,,,,本校,,课件/垂径定理.pdf,",
    "R-003,秋天的雨 朗读,,,音频素材,小学,语文,三年级,,,,,公开,区域内共享使用,audio/秋天的雨.mp3,",
]
FILES = {
    "教案/勾股定理.md": "# 勾股定理\n直角三角形两直角边的平方和等于斜边的平方。".encode(),
    "课件/垂径定理.pdf": b"%PDF-1.4 chord " * 20,
    "audio/秋天的雨.mp3": b"ID3 autumn rain " * 20,
}


def make_zip(lines: list[str], files: dict[str, bytes] | None = None, *, encoding: str = "utf-8-sig") -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.csv", ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding))
        for name, data in (FILES if files is None else files).items():
            zf.writestr(name, data)
    buf.seek(0)
    return buf


def run(actor, lines, files=None, **kw):
    return package_import(actor=actor, source=make_zip(lines, files), origin=ORIGIN, **kw)


def test_happy_path_creates_drafts_with_taxonomy_codes_and_files(region):
    teacher = region.accounts["teacher"]
    result = run(teacher, GOOD)
    assert result.ok, result.errors
    assert result.counts == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    first = Resource.objects.get(external_id="R-001")
    assert (first.type, first.stage, first.subject, first.grade) == ("lesson_plan", "3", "14", "22")
    assert (first.volume.name, first.chapter.number, first.sharing, first.licence) == (
        "八年级下册",
        "17.1",
        "district",
        "cc-by",
    )
    assert [p.name for p in first.knowledge_points.all()] == ["勾股定理"]  # 勾股数 is its alias: one point
    assert first.status == ResourceStatus.DRAFT and first.author == teacher
    assert blob_path(first.current_version.file.sha256).read_bytes() == FILES["教案/勾股定理.md"]
    assert first.current_version.original_name == "勾股定理.md"
    third = Resource.objects.get(external_id="R-003")
    assert third.author == teacher
    assert (third.type, third.stage, third.subject, third.grade, third.sharing) == ("audio", "2", "13", "13", "public")
    assert AuditEvent.objects.filter(action="resource.import_package").count() == 1
    assert AuditEvent.objects.filter(action="resource.create").count() == 3


def test_every_bad_row_is_reported_with_row_and_field_and_nothing_is_written(region):
    lines = [
        GOOD[0],
        "R-002,,,,课件,初中,数学,,,,,,,,课件/垂径定理.pdf,",  # no title
        "R-003,函数,,,幻灯,高校,数学,,,,,,全网,,missing.pdf,",  # type, stage, sharing, file
        "R-004,圆,,,课件,初中,数学,八年级,人教版,八年级上册,99.9,不存在的点,,,课件/垂径定理.pdf,ghost",
        "R-001,重复,,,课件,初中,数学,,,,,,,,empty.pdf,",
    ]
    files = {**FILES, "empty.pdf": b""}
    result = run(region.accounts["teacher"], lines, files)
    assert not result.ok and result.exit_code == 1
    found = {(e["row"], e["field"]) for e in result.errors}
    assert found >= {
        (3, "标题"),
        (4, "类型"),
        (4, "学段"),
        (4, "共享范围"),
        (5, "章节"),
        (5, "知识点"),
        (5, "作者账号"),
        (6, "编号"),
        (6, "文件"),
    }
    assert 2 not in {e["row"] for e in result.errors}
    assert all(e["message"].startswith(f"第 {e['row']} 行") for e in result.errors)
    assert result.counts == {"total": 5, "created": 0, "updated": 0, "unchanged": 0, "rejected": 5}
    assert not Resource.objects.exists() and not ResourceFile.objects.exists()


def test_missing_file_in_zip_names_the_row(region):
    result = run(region.accounts["teacher"], [GOOD[0]], files={})
    assert result.errors == [{"row": 2, "field": "文件", "message": "第 2 行 文件：资源包中没有文件“教案/勾股定理.md”"}]


def test_a_failure_while_writing_rolls_back_rows_and_blobs(region, monkeypatch):
    """All or nothing also after validation: the third row fails in the write, the first two and their bytes go."""
    from zhijiao.resources import package

    real = package._after_write
    calls = []

    def failing(actor, resource, origin, submit, publish):
        calls.append(resource.external_id)
        if resource.external_id == "R-003":
            raise ZhijiaoError(package.ResourceError.RESOURCE_NOT_EDITABLE, field="编号")
        return real(actor, resource, origin, submit, publish)

    monkeypatch.setattr(package, "_after_write", failing)
    result = run(region.accounts["teacher"], GOOD)
    assert calls == ["R-001", "R-002", "R-003"]
    assert not result.ok and result.errors[-1]["row"] == 4
    assert result.counts["rejected"] == 3 and result.counts["created"] == 0
    assert not Resource.objects.exists() and not ResourceFile.objects.exists()
    media = blob_path("0" * 64).parent.parent
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_reimport_is_idempotent_and_a_changed_file_is_a_new_version(region):
    teacher = region.accounts["teacher"]
    assert run(teacher, GOOD).ok
    again = run(teacher, GOOD)
    assert again.counts == {"total": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert Resource.objects.count() == 3
    changed_files = {**FILES, "课件/垂径定理.pdf": b"%PDF-1.4 chord v2 " * 20}
    lines = [GOOD[0].replace("赵爽弦图导入", "赵爽弦图导入，分层练习"), GOOD[1], GOOD[2]]
    third = run(teacher, lines, changed_files)
    assert third.counts == {"total": 3, "created": 0, "updated": 2, "unchanged": 1, "rejected": 0}
    chord = Resource.objects.get(external_id="R-002")
    assert list(chord.versions.values_list("number", flat=True)) == [2, 1]
    assert Resource.objects.get(external_id="R-001").versions.count() == 1
    assert Resource.objects.get(external_id="R-001").description == "赵爽弦图导入，分层练习"


def test_skip_bad_writes_good_rows_and_reports_bad_ones(region):
    lines = [GOOD[0], "R-009,坏行,,,课件,初中,数学,,,,,,,,nowhere.pdf,", GOOD[1]]
    result = run(region.accounts["teacher"], lines, skip_bad=True)
    assert result.counts == {"total": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [e["row"] for e in result.errors] == [3]
    assert [r["outcome"] for r in result.rows] == ["created", "rejected", "created"]
    assert set(Resource.objects.values_list("external_id", flat=True)) == {"R-001", "R-002"}


def test_gb18030_manifest_with_synonym_headers(region):
    buf = io.BytesIO()
    manifest = "资源编号,资源名称,资源类型,学段,科目,文件名\r\nG-1,秋天的雨 教案,教学设计,小学,语文,秋天.txt\r\n"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.csv", manifest.encode("gb18030"))
        zf.writestr("秋天.txt", "秋天的雨，有一把钥匙。".encode())
    buf.seek(0)
    result = package_import(actor=region.accounts["head"], source=buf, origin=ORIGIN)
    assert result.ok, result.errors
    r = Resource.objects.get(external_id="G-1")
    assert (r.title, r.type, r.stage, r.subject) == ("秋天的雨 教案", "lesson_plan", "2", "13")


def test_manifest_problems_are_fatal_with_exit_code_2(region):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.csv", "标题,文件\r\n圆,a.pdf\r\n".encode())
    buf.seek(0)
    result = package_import(actor=region.accounts["teacher"], source=buf, origin=ORIGIN)
    assert result.exit_code == 2 and "编号、类型、学段、学科" in result.errors[0]["message"]
    bad = package_import(actor=region.accounts["teacher"], source=io.BytesIO(b"not a zip"), origin=ORIGIN)
    assert bad.exit_code == 2 and "zip" in bad.errors[0]["message"]


def test_importing_in_someone_elses_name_needs_an_administrator_of_their_school(region):
    line = GOOD[1] + "teacher"
    stranger = run(region.accounts["nobody"], [line[: -len("teacher")] + "teacher"])
    assert [(e["row"], e["field"]) for e in stranger.errors] == [(2, "作者账号")]
    assert run(region.accounts["principal"], [line]).ok
    assert Resource.objects.get(external_id="R-002").author == region.accounts["teacher"]


def test_submit_and_publish(region):
    teacher, bureau = region.accounts["teacher"], region.accounts["bureau"]
    assert run(teacher, GOOD[:1], submit=True).ok
    assert Resource.objects.get(external_id="R-001").status == ResourceStatus.SUBMITTED
    with pytest.raises(ZhijiaoError):
        run(teacher, GOOD[1:2], publish=True)
    result = run(bureau, [GOOD[1] + "teacher"], publish=True)
    assert result.ok, result.errors
    r = Resource.objects.get(external_id="R-002")
    assert r.status == ResourceStatus.PUBLISHED and r.published_at is not None
    assert list(ReviewStep.objects.filter(resource=r).values_list("stage", flat=True)) == ["submit", "first", "second"]
    assert AuditEvent.objects.filter(action="resource.publish", target_id=str(r.pk), actor=bureau).exists()


def test_cli_json_contract(region, tmp_path, capsys):
    path = tmp_path / "pkg.zip"
    path.write_bytes(make_zip([GOOD[1] + "teacher"]).getvalue())
    call_command("resources", "import-package", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["counts"]["created"] == 1 and out["errors"] == []
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make_zip(["X-1,,,,课件,初中,数学,,,,,,,,a.pdf,teacher"], {}).getvalue())
    with pytest.raises(SystemExit) as exit_info:
        call_command("resources", "import-package", str(bad), "--json")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and {(e["row"], e["field"]) for e in out["errors"]} == {(2, "标题"), (2, "文件")}


def test_template_reads_back_as_a_manifest():
    rows = manifest_read(manifest_template())
    assert rows[0]["编号"] == "PEP-8B-17-01" and rows[1]["章节"] == "24.1"


def test_published_rows_are_indexed_in_batches_after_the_import(
    region, monkeypatch, django_capture_on_commit_callbacks
):
    """One index call (and index commit) per batch, not per resource: 454 rows took 134 s one by one."""
    calls: list[list[int]] = []
    monkeypatch.setattr(package, "index_task", lambda ids: calls.append(list(ids)))
    monkeypatch.setattr(package, "INDEX_BATCH", 2, raising=False)
    lines = [f"R-1{i:02d},勾股定理 练习 {i},,,试题,初中,数学,,,,,,本区,,课件/垂径定理.pdf,teacher" for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(region.accounts["bureau"], lines, publish=True)
    assert result.ok, result.errors
    ids = sorted(r.pk for r in Resource.objects.filter(status=ResourceStatus.PUBLISHED))
    assert len(ids) == 5 and [len(c) for c in calls] == [2, 2, 1] and sorted(i for c in calls for i in c) == ids
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the same package again: nothing changed, nothing indexed
        assert run(region.accounts["bureau"], lines, publish=True).counts["unchanged"] == 5
    assert calls == []
