"""Writes of the 校外培训机构 registry: register and correct an institution, change its status (白名单 / 黑名单 /
注销) with the reason, record staff, inspections and complaints, and import a bureau's list from xlsx or CSV.

Only a bureau governing the institution's district writes (``selectors_institutions.may_manage`` and the district
check). An import checks every row first and writes all rows or none: a bad row is reported as ``第N行 列：说明``
and nothing is written; rows are matched by 办学许可证号, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import Division
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import (
    Complaint,
    Inspection,
    InspectionResult,
    Institution,
    InstitutionStaff,
    InstitutionStatus,
)

LICENCE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff（）()\-]{6,40}$")
PHONE = re.compile(r"^[0-9\-+ ]{7,20}$")
CATEGORIES = ("学科类", "非学科类")
STATUS_WORDS = {"白名单": "white", "黑名单": "black", "注销": "cancelled", "已注销": "cancelled"}
COLUMNS = {  # header → field; the first four are required
    "办学许可证号": "licence_no",
    "机构名称": "name",
    "所在区县": "division",
    "办学地址": "address",
    "培训科目": "subjects",
    "类别": "category",
    "联系电话": "phone",
    "状态": "status",
    "状态说明": "status_note",
}
REQUIRED = ("licence_no", "name", "division", "address", "subjects")
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


def _require_bureau(actor: Actor, division_code: str | None = None) -> None:
    scope = scope_for(actor)
    if not scope.is_bureau or (division_code is not None and not scope.governs(division_code)):
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_NOT_ALLOWED, status=403)


def _target(row: Institution) -> Target:
    return Target("institution", row.licence_no, row.name)


def _districts(actor: Actor) -> dict[str, Division]:
    """Districts the actor governs, by code and by name."""
    scope = scope_for(actor)
    found: dict[str, Division] = {}
    for d in Division.objects.filter(level=3):
        if scope.governs(d.code):
            found[d.code] = d
            found.setdefault(d.name, d)
    return found


def _clean(values: dict[str, Any], districts: dict[str, Division]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate one institution's fields; returns (clean values, [(column, problem)])."""
    errors: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    labels = {v: k for k, v in COLUMNS.items()}
    for field in COLUMNS.values():
        raw = values.get(field)
        clean[field] = "" if raw is None else str(raw).strip()
    for field in REQUIRED:
        if not clean[field]:
            errors.append((labels[field], "不能为空"))
    if clean["licence_no"] and not LICENCE.match(clean["licence_no"]):
        errors.append(("办学许可证号", "应为6～40位字母、数字或汉字"))
    if len(clean["name"]) > 128:
        errors.append(("机构名称", "不能超过128字"))
    if len(clean["address"]) > 255:
        errors.append(("办学地址", "不能超过255字"))
    if clean["division"]:
        district = districts.get(clean["division"])
        if district is None:
            errors.append(("所在区县", f"“{clean['division']}”不是您管辖的区县（填写区县名称或6位代码）"))
        clean["division"] = district
    subjects = [s for s in re.split(r"[、,，;；/ ]+", clean["subjects"]) if s]
    clean["subjects"] = "、".join(dict.fromkeys(subjects))
    if len(clean["subjects"]) > 255:
        errors.append(("培训科目", "不能超过255字"))
    clean["category"] = clean["category"] or "非学科类"
    if clean["category"] not in CATEGORIES:
        errors.append(("类别", "应为“学科类”或“非学科类”"))
    if clean["phone"] and not PHONE.match(clean["phone"]):
        errors.append(("联系电话", "只能包含数字、空格和“-”"))
    status = clean["status"] or "白名单"
    clean["status"] = STATUS_WORDS.get(status, status if status in InstitutionStatus.values else "")
    if not clean["status"]:
        errors.append(("状态", "应为白名单、黑名单或注销"))
    clean["status_note"] = clean["status_note"][:255]
    return clean, errors


def _apply(row: Institution, clean: dict[str, Any]) -> bool:
    changed = False
    for field, value in clean.items():
        if field == "division":  # compare codes: a new row has no division to read yet
            if row.division_id != value.code:
                row.division, changed = value, True
            continue
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed = True
    return changed


@transaction.atomic
def institution_save(
    *, actor: Actor, values: dict[str, Any], institution_id: int | None = None, origin: Origin | None = None
) -> Institution:
    """Register an institution (``institution_id`` None) or correct one. A bad field raises with its name."""
    _require_bureau(actor)
    clean, errors = _clean(values, _districts(actor))
    if errors:
        column, problem = errors[0]
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field=column, detail=problem)
    taken = Institution.objects.filter(licence_no=clean["licence_no"])
    if institution_id is None:
        if taken.exists():
            raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_EXISTS, field="办学许可证号")
        row = Institution(status_on=timezone.localdate())
        _apply(row, clean)
        row.save()
        action = "institution.create"
    else:
        row = _locked(actor, institution_id)
        if taken.exclude(pk=row.pk).exists():
            raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_EXISTS, field="办学许可证号")
        if clean["status"] != row.status:
            row.status_on = timezone.localdate()
        if not _apply(row, clean):
            return row
        row.save()
        action = "institution.update"
    audit_record(actor=actor, action=action, origin=origin or Origin(), target=_target(row))
    return row


def _locked(actor: Actor, institution_id: int) -> Institution:
    row = Institution.objects.select_for_update().filter(pk=institution_id).first()
    if row is None or not scope_for(actor).governs(row.division_id):
        raise NotFound()
    return row


@transaction.atomic
def institution_status_set(
    *, actor: Actor, institution_id: int, status: str, note: str, origin: Origin | None = None
) -> Institution:
    """Move an institution onto the 白名单 / 黑名单 or 注销 it, with the public reason (required off the 白名单)."""
    row = _locked(actor, institution_id)
    note = (note or "").strip()
    if status not in InstitutionStatus.values:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="状态", detail="应为白名单、黑名单或注销")
    if status != InstitutionStatus.WHITE and not note:
        raise ZhijiaoError(
            ServicesError.SERVICES_INSTITUTION_FIELD, field="状态说明", detail="列入黑名单或注销时须写明原因"
        )
    row.status, row.status_note, row.status_on = status, note[:255], timezone.localdate()
    row.save(update_fields=["status", "status_note", "status_on", "updated_at"])
    audit_record(actor=actor, action="institution.status", origin=origin or Origin(), target=_target(row))
    return row


@transaction.atomic
def staff_add(
    *,
    actor: Actor,
    institution_id: int,
    name: str,
    subject: str = "",
    qualification: str = "",
    certificate_no: str = "",
    origin: Origin | None = None,
) -> InstitutionStaff:
    row = _locked(actor, institution_id)
    name, certificate_no = name.strip(), certificate_no.strip()
    if not name or len(name) > 64:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="姓名", detail="不能为空，不超过64字")
    if certificate_no and not re.match(r"^[0-9A-Za-z]{6,40}$", certificate_no):
        raise ZhijiaoError(
            ServicesError.SERVICES_INSTITUTION_FIELD, field="资格证书编号", detail="应为6～40位字母或数字"
        )
    member = InstitutionStaff.objects.create(
        institution=row,
        name=name,
        subject=subject.strip()[:32],
        qualification=qualification.strip()[:64],
        certificate_no=certificate_no,
    )
    audit_record(actor=actor, action="institution.staff", origin=origin or Origin(), target=_target(row))
    return member


@transaction.atomic
def inspection_add(
    *, actor: Actor, institution_id: int, on: date | None, result: str, note: str = "", origin: Origin | None = None
) -> Inspection:
    row = _locked(actor, institution_id)
    if on is None or on > timezone.localdate():
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="检查日期", detail="请填写不晚于今天的日期")
    if result not in InspectionResult.values:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="检查结果")
    item = Inspection.objects.create(
        institution=row, inspected_on=on, result=result, note=note.strip()[:500], recorded_by_id=actor_account_id(actor)
    )
    audit_record(actor=actor, action="institution.inspection", origin=origin or Origin(), target=_target(row))
    return item


@transaction.atomic
def complaint_add(
    *, actor: Actor, institution_id: int, on: date | None, summary: str, outcome: str = "", origin: Origin | None = None
) -> Complaint:
    row = _locked(actor, institution_id)
    summary = summary.strip()
    if not summary or len(summary) > 500:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="投诉内容", detail="不能为空，不超过500字")
    if on is None or on > timezone.localdate():
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FIELD, field="受理日期", detail="请填写不晚于今天的日期")
    outcome = outcome.strip()[:500]
    item = Complaint.objects.create(
        institution=row,
        received_on=on,
        summary=summary,
        outcome=outcome,
        status="closed" if outcome else "open",
        recorded_by_id=actor_account_id(actor),
    )
    audit_record(actor=actor, action="institution.complaint", origin=origin or Origin(), target=_target(row))
    return item


# ------------------------------------------------------------------------------------------------ import
def _cell(value: Any) -> str:
    """A spreadsheet cell as text; whole numbers without ".0" (a phone or a code typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:  # calamine (as intake reads schools' files): an order of magnitude faster than openpyxl
            rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # a damaged or non-xlsx file: the user sees one clear message
            raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail="无法读取这个 Excel 文件") from exc
        return [[_cell(v) for v in row] for row in rows]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail="文件编码无法识别") from exc
    return list(csv.reader(io.StringIO(text)))


@transaction.atomic
def institutions_import(*, actor: Actor, data: bytes, filename: str, origin: Origin | None = None) -> dict[str, int]:
    """Import a list of institutions (xlsx or CSV, the columns of ``COLUMNS``); all rows or none.

    Returns ``{"rows", "created", "updated", "unchanged"}``; a bad file raises with every row's problems in
    ``detail`` (``第3行 办学许可证号：不能为空；…``)."""
    _require_bureau(actor)
    if len(data) > MAX_BYTES:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail="文件不能超过 10 MB")
    rows = [r for r in _rows(data, filename) if any(c.strip() for c in r)]
    if not rows:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail="文件是空的")
    header = [h.strip() for h in rows[0]]
    missing = [h for h, f in COLUMNS.items() if f in REQUIRED and h not in header]
    if missing:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail=f"第1行 缺少列：{'、'.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail=f"一次最多导入 {MAX_ROWS} 行")
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    districts = _districts(actor)
    problems: list[str] = []
    cleaned: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, raw in enumerate(rows[1:], start=2):
        values = {f: raw[i] if i < len(raw) else "" for f, i in index.items()}
        clean, errors = _clean(values, districts)
        if clean["licence_no"] in cleaned:
            errors.append(("办学许可证号", f"与第{cleaned[clean['licence_no']][0]}行重复"))
        problems += [f"第{number}行 {column}：{problem}" for column, problem in errors]
        if not errors:
            cleaned[clean["licence_no"]] = (number, clean)
    existing = {i.licence_no: i for i in Institution.objects.filter(licence_no__in=list(cleaned))}
    for licence, (number, _) in cleaned.items():
        row = existing.get(licence)
        if row is not None and not scope_for(actor).governs(row.division_id):
            problems.append(f"第{number}行 办学许可证号：已登记在您管辖以外的区县")
    if problems:
        shown = "；".join(problems[:50]) + (f"；另有 {len(problems) - 50} 处问题" if len(problems) > 50 else "")
        raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail=shown)
    counts = {"rows": len(cleaned), "created": 0, "updated": 0, "unchanged": 0}
    today = timezone.localdate()
    new: list[Institution] = []
    for licence, (_, clean) in cleaned.items():
        row = existing.get(licence)
        if row is None:
            row = Institution(status_on=today)
            _apply(row, clean)
            new.append(row)
            continue
        status = row.status
        if _apply(row, clean):
            if row.status != status:
                row.status_on = today
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Institution.objects.bulk_create(new, batch_size=2000)
    counts["created"] = len(new)
    audit_record(
        actor=actor,
        action="institution.import",
        origin=origin or Origin(),
        target=Target("institution", "import", f"{filename[:80]}：新增{counts['created']}，更新{counts['updated']}"),
    )
    return counts
