"""Writes of 义务教育招生: plans, catchments (form and xlsx import), eligibility rules, the family's application and
evidence, review (school → bureau, supplements, appeals), placement (category order, the lottery for a category
that does not fit, waitlists and the later round), publication, and enrolment into the registry.

Each call is one transaction, asks ``admission_selectors`` who may act, appends an ``ApplicationEvent`` and an
audit event (``admission.*``). Enrolment writes the registry only through ``people.services`` (person, student and
学籍, guardianship) and brings accounts in line (``identity.provisioning``), all or nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import uuid4

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import load_workbook

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.core.validators import id_number_facts, validate_id_number, validate_mobile
from zhijiao.identity.provisioning import accounts_sync_persons
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Person, Student
from zhijiao.people.services import guardianship_add, person_create, student_enroll
from zhijiao.resources.storage import blob_store
from zhijiao.services import admission_rules, lottery
from zhijiao.services import admission_selectors as rules
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import DrawStatus, LotteryDraw
from zhijiao.services.models_admission import (
    FILE_KINDS,
    STAGE_ORG_CODE,
    AdmissionPlan,
    Application,
    ApplicationEvent,
    ApplicationFile,
    AppStatus,
    Catchment,
    EligibilityRule,
    Housing,
    Stage,
)
from zhijiao.services.services import draw_create
from zhijiao.services.sms import sms_send

NOTE_MAX = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 12
RELATIONS = ("父亲", "母亲", "祖父母", "外祖父母", "其他监护人")
SOURCE = "services:admission"
PRIVATE_MISSED = "民办未录取"


def _err(error: ServicesError = ServicesError.SERVICES_ADM_FIELD, **kwargs: Any) -> ZhijiaoError:
    return ZhijiaoError(error, **kwargs)


def _target(app: Application) -> Target:
    return Target("admission", app.number, f"入学申请：{mask_name(app.child_name)}")


def _event(app: Application, *, actor: Actor | None, step: str, note: str = "", label: str = "") -> None:
    ApplicationEvent.objects.create(
        application=app, action=step, note=note[:NOTE_MAX], label=label[:64], actor_id=actor_account_id(actor)
    )


def _audit(actor: Actor, action: str, target: Target, origin: Origin | None) -> None:
    audit_record(actor=actor, action=action, origin=origin or Origin(), target=target)


def _note(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if (required and not text) or len(text) > NOTE_MAX:
        raise _err(ServicesError.SERVICES_ADM_NOTE, field="说明")
    return text


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise _err(ServicesError.SERVICES_ADM_PLAN, field="招生年份", detail="年份不正确")
    return value


# ---------------------------------------------------------------------------------------------------- plans
@transaction.atomic
def plan_save(
    *,
    actor: Actor,
    school: School,
    year: int,
    stage: str,
    seats: int,
    is_private: bool = False,
    note: str = "",
    origin: Origin | None = None,
) -> AdmissionPlan:
    """Set the seats of one school, year and entry grade (the bureau for its schools, a school for itself)."""
    if not rules.may_plan(actor=actor, school=school):
        raise Forbidden()
    if stage not in Stage.values:
        raise _err(ServicesError.SERVICES_ADM_PLAN, field="招生年级")
    if STAGE_ORG_CODE[Stage(stage)] not in school.stage_codes:
        raise _err(ServicesError.SERVICES_ADM_PLAN, field="招生年级", detail=f"{school.name}不开设这个学段")
    if not 0 < seats <= 5000:
        raise _err(ServicesError.SERVICES_ADM_PLAN, field="招生计划数", detail="应为 1–5000 的整数")
    plan, _ = AdmissionPlan.objects.update_or_create(
        school=school,
        year=_year(year),
        stage=stage,
        defaults={"seats": seats, "is_private": is_private, "note": note.strip()[:255]},
    )
    _audit(actor, "admission.plan_save", Target("admission_plan", str(plan.pk), str(plan)), origin)
    return plan


# ------------------------------------------------------------------------------------------------ catchments
def _catchment_schools(division: Division, stage: str, codes: Sequence[str]) -> tuple[list[School], list[str]]:
    wanted = [c.strip() for c in codes if c.strip()]
    found = {s.code: s for s in School.objects.filter(code__in=wanted, is_active=True)}
    problems = []
    schools = []
    for code in wanted:
        school = found.get(code)
        if school is None:
            problems.append(f"学校标识码 {code} 不存在")
        elif not school.division_id.startswith(division.code):
            problems.append(f"{school.name}不在{division.name}")
        elif STAGE_ORG_CODE[Stage(stage)] not in school.stage_codes:
            problems.append(f"{school.name}不开设这个学段")
        else:
            schools.append(school)
    if not wanted:
        problems.append("请填写对口学校")
    return schools, problems


@transaction.atomic
def catchment_save(
    *,
    actor: Actor,
    division: Division,
    year: int,
    stage: str,
    compound: str,
    address_range: str,
    school_codes: Sequence[str],
    origin: Origin | None = None,
) -> Catchment:
    """Add or change one compound's catchment (one school, or several for 多校划片)."""
    if not rules.is_bureau(actor=actor, division=division):
        raise Forbidden()
    compound = compound.strip()[:128]
    if not compound:
        raise _err(field="小区名称", detail="请填写小区名称")
    if stage not in Stage.values:
        raise _err(field="学段")
    schools, problems = _catchment_schools(division, stage, school_codes)
    if problems:
        raise _err(field="对口学校", detail="；".join(problems))
    catchment, _ = Catchment.objects.update_or_create(
        division=division,
        year=_year(year),
        stage=stage,
        compound=compound,
        defaults={"address_range": address_range.strip()[:255]},
    )
    catchment.schools.set(schools)
    _audit(actor, "admission.catchment_save", Target("catchment", str(catchment.pk), compound), origin)
    return catchment


CATCHMENT_COLUMNS = ("小区名称", "地址范围", "学段", "对口学校标识码")
STAGE_WORDS = {"小学": Stage.PRIMARY, "小学一年级": Stage.PRIMARY, "初中": Stage.JUNIOR, "初中七年级": Stage.JUNIOR}


@dataclass
class CatchmentImport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def catchments_import(
    *, actor: Actor, division: Division, year: int, data: bytes, origin: Origin | None = None
) -> CatchmentImport:
    """Import catchments from xlsx (columns 小区名称, 地址范围, 学段 小学/初中, 对口学校标识码 — several joined by
    “、”). Every row is accounted for: created, updated, or a problem named by its row; any problem imports nothing."""
    if not rules.is_bureau(actor=actor, division=division):
        raise Forbidden()
    report = CatchmentImport()
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise _err(ServicesError.SERVICES_ADM_IMPORT, detail="请上传 Excel（.xlsx）文件") from exc
    if not table:
        raise _err(ServicesError.SERVICES_ADM_IMPORT, detail="文件是空的")
    header = [str(h or "").strip() for h in table[0]]
    missing = [c for c in CATCHMENT_COLUMNS if c not in header]
    if missing:
        raise _err(ServicesError.SERVICES_ADM_IMPORT, detail=f"缺少列：{'、'.join(missing)}")
    col = {c: header.index(c) for c in CATCHMENT_COLUMNS}
    parsed: list[tuple[int, str, str, str, list[School]]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(table[1:], start=2):
        cells = {c: str(row[i] if i < len(row) and row[i] is not None else "").strip() for c, i in col.items()}
        if not any(cells.values()):
            continue
        report.rows += 1
        stage = STAGE_WORDS.get(cells["学段"])
        if not cells["小区名称"]:
            report.problems.append(f"第{line}行：小区名称为空")
            continue
        if stage is None:
            report.problems.append(f"第{line}行：学段应为“小学”或“初中”")
            continue
        key = (cells["小区名称"], stage)
        if key in seen:
            report.problems.append(f"第{line}行：与第{seen[key]}行重复")
            continue
        seen[key] = line
        codes = cells["对口学校标识码"].replace(",", "、").replace("，", "、").split("、")
        schools, problems = _catchment_schools(division, stage, codes)
        if problems:
            report.problems.append(f"第{line}行：{'；'.join(problems)}")
            continue
        parsed.append((line, cells["小区名称"][:128], cells["地址范围"][:255], stage, schools))
    if report.problems or not report.rows:
        if not report.rows:
            report.problems.append("文件里没有数据行")
        return report
    with transaction.atomic():
        for _, compound, address_range, stage_code, schools in parsed:
            catchment, created = Catchment.objects.update_or_create(
                division=division,
                year=_year(year),
                stage=stage_code,
                compound=compound,
                defaults={"address_range": address_range},
            )
            catchment.schools.set(schools)
            report.created += created
            report.updated += not created
        _audit(actor, "admission.catchments_import", Target("division", division.code, division.name), origin)
    return report


# ------------------------------------------------------------------------------------------- eligibility rules
@transaction.atomic
def rule_save(
    *,
    actor: Actor,
    division: Division,
    year: int,
    rank: int,
    name: str,
    need_hukou_in_catchment: bool = False,
    housing: Sequence[str] = (),
    need_residence_permit: bool = False,
    min_social_months: int = 0,
    note: str = "",
    origin: Origin | None = None,
) -> EligibilityRule:
    """Add or change the category of ``rank`` (1 is placed first)."""
    if not rules.is_bureau(actor=actor, division=division):
        raise Forbidden()
    name = name.strip()[:32]
    if not name:
        raise _err(ServicesError.SERVICES_ADM_RULE, field="类别名称")
    if not 1 <= rank <= 9:
        raise _err(ServicesError.SERVICES_ADM_RULE, field="顺位", detail="应为 1–9")
    if not 0 <= min_social_months <= 240:
        raise _err(ServicesError.SERVICES_ADM_RULE, field="社保缴纳月数", detail="应为 0–240")
    if any(h not in (Housing.PROPERTY, Housing.LEASE) for h in housing):
        raise _err(ServicesError.SERVICES_ADM_RULE, field="住房要求")
    rule, _ = EligibilityRule.objects.update_or_create(
        division=division,
        year=_year(year),
        rank=rank,
        defaults={
            "name": name,
            "need_hukou_in_catchment": need_hukou_in_catchment,
            "housing": ",".join(sorted(set(housing), key=["property", "lease"].index)),
            "need_residence_permit": need_residence_permit,
            "min_social_months": min_social_months,
            "note": note.strip()[:255],
        },
    )
    _audit(actor, "admission.rule_save", Target("admission_rule", str(rule.pk), name), origin)
    return rule


def _evaluate(app: Application) -> None:
    """(Re)compute the application's category and reasons from the district's current rules and the registry."""
    facts = admission_rules.Facts(
        in_catchment=app.catchment_id is not None,
        hukou_in_catchment=app.hukou_in_catchment,
        housing=app.housing,
        residence_permit=app.residence_permit,
        social_months=app.social_months,
        already_enrolled=admission_rules.registry_enrolled(app.child_id_number),
    )
    outcome = admission_rules.evaluate(rules.rules(division_code=app.division_id, year=app.year), facts)
    app.category_rank, app.category_name, app.reasons = outcome.rank, outcome.name, outcome.reasons


# ------------------------------------------------------------------------------------------------ application
@dataclass
class Evidence:
    kind: str
    name: str
    chunks: Iterable[bytes]


@dataclass
class ApplicationInput:
    year: int
    stage: str
    guardian_name: str
    guardian_phone: str
    relation: str
    child_name: str
    child_id_number: str
    hukou_address: str
    catchment_id: int | None
    home_address: str
    hukou_in_catchment: bool
    housing: str
    residence_permit: bool
    social_months: str | int
    school_id: int | None = None
    private_school_id: int | None = None


def _clean(data: ApplicationInput) -> dict[str, Any]:
    """Check every field; all problems at once, each naming its field."""
    problems: list[str] = []
    out: dict[str, Any] = {}

    def need(label: str, value: str, limit: int) -> str:
        value = (value or "").strip()
        if not value:
            problems.append(f"{label}：请填写")
        elif len(value) > limit:
            problems.append(f"{label}：不超过{limit}字")
        return value[:limit]

    if data.stage not in Stage.values:
        problems.append("报名年级：请选择")
    out["guardian_name"] = need("监护人姓名", data.guardian_name, 64)
    try:
        out["guardian_phone"] = validate_mobile(data.guardian_phone, field="联系手机")
    except ZhijiaoError:
        problems.append("联系手机：应为 11 位手机号")
    out["relation"] = data.relation if data.relation in RELATIONS else ""
    if not out["relation"]:
        problems.append("与儿童关系：请选择")
    out["child_name"] = need("儿童姓名", data.child_name, 64)
    try:
        number = validate_id_number(data.child_id_number, field="儿童身份证号")
        facts = id_number_facts(number)
        out.update(child_id_number=number, child_birth_date=facts.birth_date, child_sex=facts.sex)
    except ZhijiaoError:
        problems.append("儿童身份证号：号码不正确（18 位，最后一位可为 X），请核对")
    out["hukou_address"] = need("户籍地址", data.hukou_address, 255)
    out["home_address"] = need("居住地址", data.home_address, 255)
    catchment = (
        Catchment.objects.filter(pk=data.catchment_id, year=data.year, stage=data.stage)
        .prefetch_related("schools")
        .first()
        if data.catchment_id
        else None
    )
    if catchment is None:
        problems.append("居住小区：请从施教区名单中选择（名单中没有的，请联系区教育局）")
    out["catchment"] = catchment
    out["hukou_in_catchment"] = bool(data.hukou_in_catchment)
    out["housing"] = data.housing if data.housing in Housing.values else ""
    if not out["housing"]:
        problems.append("住房情况：请选择")
    out["residence_permit"] = bool(data.residence_permit)
    months = str(data.social_months).strip() or "0"
    if not (months.isascii() and months.isdigit() and int(months) <= 240):
        problems.append("社保缴纳月数：应为 0–240 的整数")
        months = "0"
    out["social_months"] = int(months)
    school = None
    if catchment is not None:
        options = {s.pk: s for s in catchment.schools.all()}
        if len(options) == 1:
            school = next(iter(options.values()))
        elif data.school_id in options:
            school = options[data.school_id]
        else:
            problems.append("公办志愿学校：您的小区为多校划片，请选择一所学校")
    out["school"] = school
    private = None
    if data.private_school_id:
        private = next(
            (s for s in rules.private_schools(year=data.year, stage=data.stage) if s.pk == data.private_school_id), None
        )
        if private is None:
            problems.append("民办志愿学校：这所学校今年不招收这个年级")
    out["private_school"] = private
    if problems:
        raise _err(field="报名信息", detail="；".join(problems))
    return out


def _store_files(app: Application, actor: Actor, files: Sequence[Evidence]) -> None:
    if app.files.count() + len(files) > MAX_FILES:
        raise _err(ServicesError.SERVICES_ADM_FILE, field="材料", detail=f"每份申请最多 {MAX_FILES} 个文件")
    for f in files:
        if f.kind not in FILE_KINDS:
            raise _err(ServicesError.SERVICES_ADM_FILE, field="材料类别")
        name = (f.name or "材料").replace("/", "_").replace("\\", "_").strip()[:200] or "材料"
        stored = blob_store(f.chunks, max_bytes=MAX_FILE_BYTES)
        if stored.size > MAX_FILE_BYTES:
            raise _err(ServicesError.SERVICES_ADM_FILE, field=FILE_KINDS[f.kind], detail="单个文件不超过 10 MB")
        if stored.size == 0:
            raise _err(ServicesError.SERVICES_ADM_FILE, field=FILE_KINDS[f.kind], detail="文件是空的")
        ApplicationFile.objects.create(
            application=app, kind=f.kind, name=name, sha256=stored.sha256, size=stored.size, uploaded_by_id=actor.pk
        )


@transaction.atomic
def application_submit(
    *, actor: Actor, data: ApplicationInput, files: Sequence[Evidence] = (), origin: Origin | None = None
) -> Application:
    """A family files an application (signed in: a guardian account, or an account made from a mobile number)."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    clean = _clean(data)
    catchment: Catchment = clean["catchment"]
    number = clean["child_id_number"]
    if (
        Application.objects.filter(year=data.year, child_id_number=number)
        .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED])
        .exists()
    ):
        raise _err(ServicesError.SERVICES_ADM_DUPLICATE, field="儿童身份证号")
    school = clean["school"]
    if not AdmissionPlan.objects.filter(school=school, year=data.year, stage=data.stage).exists():
        raise _err(ServicesError.SERVICES_ADM_NO_PLAN, field="公办志愿学校", detail=school.name)
    app = Application(
        number=f"tmp{uuid4().hex[:16]}",
        year=data.year,
        stage=data.stage,
        division_id=catchment.division_id,
        applicant_id=actor.pk,
        **clean,
    )
    _evaluate(app)
    app.save()
    app.number = f"RX{data.year}{app.pk:06d}"
    app.save(update_fields=["number"])
    _store_files(app, actor, files)
    _event(app, actor=actor, step="提交申请", label="家长")
    _audit(actor, "admission.submit", _target(app), origin)
    return app


def _locked(actor: Actor, application_id: int) -> Application:
    rules.application_get(actor=actor, application_id=application_id)  # 404 first
    return Application.objects.select_for_update(of=("self",)).select_related("division").get(pk=application_id)


@transaction.atomic
def files_add(
    *, actor: Actor, application_id: int, files: Sequence[Evidence], origin: Origin | None = None
) -> Application:
    """The family adds evidence (while the application is still under review or waiting for material)."""
    app = _locked(actor, application_id)
    if not rules.is_family(actor=actor, app=app):
        raise NotFound()
    if app.status not in (AppStatus.SCHOOL, AppStatus.BUREAU, AppStatus.SUPPLEMENT, AppStatus.REJECTED):
        raise _err(ServicesError.SERVICES_ADM_STATE)
    _store_files(app, actor, files)
    _event(app, actor=actor, step="上传材料", note="、".join(FILE_KINDS[f.kind] for f in files), label="家长")
    _audit(actor, "admission.files_add", _target(app), origin)
    return app


def _reviewer_label(app: Application) -> str:
    if app.status == AppStatus.SCHOOL:
        school = app.school or app.private_school
        return f"{school.name if school else ''} 学校管理员"
    return f"{app.division.name}教育局"


@transaction.atomic
def review(
    *, actor: Actor, application_id: int, action: str, note: str = "", origin: Origin | None = None
) -> Application:
    """The reviewer at the current step decides: ``approve`` (school → bureau → 审核通过), ``reject`` (with reason),
    ``supplement`` (ask for material, with what is missing). At 申诉中 the bureau's approve upholds the appeal."""
    app = _locked(actor, application_id)
    if not rules.may_review(actor=actor, app=app):
        raise ZhijiaoError(ServicesError.SERVICES_ADM_NOT_ALLOWED, status=403)
    label = _reviewer_label(app)
    if action == "approve":
        note = _note(note, required=False)
        _evaluate(app)  # the rules as they stand now, against the registry as it stands now
        if app.status == AppStatus.SCHOOL:
            app.status = AppStatus.BUREAU
            text = "学校审核通过"
        else:
            text = "申诉成立，审核通过" if app.status == AppStatus.APPEAL else "教育局审核通过"
            app.status = AppStatus.APPROVED
        if app.category_rank is None and app.status == AppStatus.APPROVED:
            text += "（不属于任何资格类别，参加统筹安排）"
    elif action == "reject":
        note = _note(note, required=True)
        text = "申诉不成立，维持不予通过" if app.status == AppStatus.APPEAL else "审核不予通过"
        app.status = AppStatus.REJECTED
    elif action == "supplement" and app.status in (AppStatus.SCHOOL, AppStatus.BUREAU):
        note = _note(note, required=True)
        text = "要求补充材料"
        app.supplement_from, app.status = app.status, AppStatus.SUPPLEMENT
    else:
        raise _err(ServicesError.SERVICES_ADM_STATE)
    app.save()
    _event(app, actor=actor, step=text, note=note, label=label)
    codes = {"approve": "admission.approve", "reject": "admission.refuse", "supplement": "admission.supplement_request"}
    _audit(actor, codes[action], _target(app), origin)
    if action != "approve" or app.status == AppStatus.APPROVED:
        _notify(app, f"您为{mask_name(app.child_name)}提交的入学申请（{app.number}）有新进展：{text}。请登录查看。")
    return app


@transaction.atomic
def supplement(
    *, actor: Actor, application_id: int, note: str, files: Sequence[Evidence] = (), origin: Origin | None = None
) -> Application:
    """The family gives what was asked for; the application goes back to the step that asked."""
    app = _locked(actor, application_id)
    if not rules.is_family(actor=actor, app=app):
        raise NotFound()
    if app.status != AppStatus.SUPPLEMENT:
        raise _err(ServicesError.SERVICES_ADM_STATE)
    note = _note(note, required=not files)
    _store_files(app, actor, files)
    app.status, app.supplement_from = app.supplement_from or AppStatus.SCHOOL, ""
    app.save(update_fields=["status", "supplement_from", "updated_at"])
    _event(app, actor=actor, step="补充材料", note=note, label="家长")
    _audit(actor, "admission.supplement", _target(app), origin)
    return app


@transaction.atomic
def appeal(*, actor: Actor, application_id: int, note: str, origin: Origin | None = None) -> Application:
    """The family appeals a refusal, once; the bureau decides."""
    app = _locked(actor, application_id)
    if not rules.is_family(actor=actor, app=app):
        raise NotFound()
    if app.status != AppStatus.REJECTED or app.appealed:
        raise _err(ServicesError.SERVICES_ADM_STATE, detail="只有未通过的申请可以申诉，且只能申诉一次")
    note = _note(note, required=True)
    if (
        Application.objects.filter(year=app.year, child_id_number=app.child_id_number)
        .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED])
        .exists()
    ):
        raise _err(ServicesError.SERVICES_ADM_DUPLICATE)
    app.status, app.appealed = AppStatus.APPEAL, True
    app.save(update_fields=["status", "appealed", "updated_at"])
    _event(app, actor=actor, step="提出申诉", note=note, label="家长")
    _audit(actor, "admission.appeal", _target(app), origin)
    return app


def _notify(app: Application, text: str) -> None:
    sms_send(app.guardian_phone, f"【智教】{text}", "入学申请")


# --------------------------------------------------------------------------------------------------- placement
@dataclass
class Placement:
    placed: int = 0
    waitlisted: int = 0
    draw: LotteryDraw | None = None


def _plan(school: School, year: int, stage: str) -> AdmissionPlan:
    plan = AdmissionPlan.objects.select_for_update().filter(school=school, year=year, stage=stage).first()
    if plan is None:
        raise _err(ServicesError.SERVICES_ADM_NO_PLAN, detail=school.name)
    return plan


def _taken(school: School, year: int, stage: str) -> int:
    return Application.objects.filter(
        year=year, stage=stage, placed_school=school, status__in=[AppStatus.PLACED, AppStatus.ENROLLED]
    ).count()


def _candidates(plan: AdmissionPlan) -> list[Application]:
    qs = Application.objects.select_for_update(of=("self",)).filter(
        year=plan.year, stage=plan.stage, status=AppStatus.APPROVED
    )
    if plan.is_private:
        qs = qs.filter(private_school=plan.school).exclude(placed_by=PRIVATE_MISSED)
    else:  # a family with a private choice is placed here once the private school's placement is done
        qs = qs.filter(school=plan.school).filter(Q(private_school__isnull=True) | Q(placed_by=PRIVATE_MISSED))
    return list(qs.order_by("created_at", "id"))


def _place(app: Application, school: School, how: str, actor: Actor) -> None:
    app.status, app.placed_school, app.placed_by, app.waitlist_rank = AppStatus.PLACED, school, how, None
    app.save()
    _event(app, actor=actor, step=f"录取（{how}）", note=school.name, label="教育局")


def _waitlist(apps: Sequence[Application], plan: AdmissionPlan, actor: Actor, start: int) -> int:
    rank = start
    for app in apps:
        if plan.is_private:  # not drawn at the private school: goes on to the public placement
            app.placed_by = PRIVATE_MISSED
            app.save(update_fields=["placed_by", "updated_at"])
            _event(app, actor=actor, step="民办学校派位未录取，参加公办学校安排", label="教育局")
            continue
        rank += 1
        app.status, app.waitlist_rank = AppStatus.WAITLIST, rank
        app.save(update_fields=["status", "waitlist_rank", "updated_at"])
        _event(app, actor=actor, step=f"列入候补（第{rank}位）", note=plan.school.name, label="教育局")
    return rank - start


def _groups(apps: Sequence[Application], private: bool) -> list[list[Application]]:
    """By category (一类 first; no category last). A private school admits all applicants equally (公民同招)."""
    if private:
        return [list(apps)] if apps else []
    ranks = sorted({a.category_rank or 99 for a in apps})
    return [[a for a in apps if (a.category_rank or 99) == r] for r in ranks]


@transaction.atomic
def placement_run(
    *, actor: Actor, school: School, year: int, stage: str, input_plan: str = "", origin: Origin | None = None
) -> Placement:
    """Place a school's approved applicants: whole categories in order while they fit; the first that does not fit
    is drawn by lottery (its list and commitment published now, drawn later on the draw page); the rest wait."""
    if not rules.is_bureau(actor=actor, division=school.division_id):
        raise Forbidden()
    plan = _plan(school, year, stage)
    if LotteryDraw.objects.filter(school=school, year=year, status=DrawStatus.COMMITTED).exists():
        raise _err(ServicesError.SERVICES_ADM_DRAW_PENDING)
    free = plan.seats - _taken(school, year, stage)
    result = Placement()
    groups = _groups(_candidates(plan), plan.is_private)
    rest: list[Application] = []
    for i, group in enumerate(groups):
        if len(group) <= free:
            for app in group:
                _place(app, school, "按资格类别顺位" if not plan.is_private else "报名人数未超计划", actor)
            free -= len(group)
            result.placed += len(group)
            continue
        if free > 0:
            listing = "application_no,name\n" + "".join(f"{a.number},{a.child_name}\n" for a in group)
            result.draw = draw_create(
                actor=actor,
                school=school,
                year=year,
                seats=free,
                applicants=listing.encode("utf-8"),
                input_plan=input_plan or "抽签当日公布的中国福利彩票“3D”开奖号码（由公证人员录入）",
                title=f"{year}年 {school.name} {Stage(stage).label}电脑派位",
                origin=origin,
            )
            for app in group:
                app.draw_id_ref = result.draw.pk
                app.save(update_fields=["draw_id_ref", "updated_at"])
                _event(app, actor=actor, step="参加电脑派位（名单已公示）", note=school.name, label="教育局")
            break
        rest = [a for g in groups[i:] for a in g]
        break
    if result.draw is None:
        result.waitlisted = _waitlist(rest, plan, actor, _last_rank(school, year, stage))
    _audit(actor, "admission.place", Target("school", str(school.pk), school.name), origin)
    return result


def _last_rank(school: School, year: int, stage: str) -> int:
    ranks = Application.objects.filter(year=year, stage=stage, school=school, status=AppStatus.WAITLIST).values_list(
        "waitlist_rank", flat=True
    )
    return max([r or 0 for r in ranks], default=0)


@transaction.atomic
def placement_apply_draw(*, actor: Actor, draw_id: int, origin: Origin | None = None) -> Placement:
    """After the draw: its admitted are placed, the others wait in the drawn order, then the lower categories."""
    draw = LotteryDraw.objects.select_related("school").filter(pk=draw_id).first()
    if draw is None or not rules.is_bureau(actor=actor, division=draw.school.division_id):
        raise NotFound()
    if draw.status == DrawStatus.COMMITTED:
        raise _err(ServicesError.SERVICES_ADM_DRAW_PENDING)
    drawn = {
        a.number: a
        for a in Application.objects.select_for_update(of=("self",)).filter(
            draw_id_ref=draw.pk, status=AppStatus.APPROVED
        )
    }
    if not drawn:
        raise _err(ServicesError.SERVICES_ADM_STATE, detail="这次派位的结果已经用于录取")
    stage = next(iter(drawn.values())).stage
    plan = _plan(draw.school, draw.year, stage)
    result = Placement()
    losers = []
    for line in draw.result_csv.splitlines()[1:]:
        _, number, outcome = line.split(",")
        app = drawn.get(number)
        if app is None:
            continue
        if outcome == lottery.ADMITTED:
            _place(app, draw.school, "电脑派位", actor)
            result.placed += 1
        else:
            losers.append(app)
    lower = [a for a in _candidates(plan) if a.pk not in {x.pk for x in drawn.values()}]
    lower.sort(key=lambda a: (a.category_rank or 99, a.created_at, a.pk))
    result.waitlisted = _waitlist([*losers, *lower], plan, actor, _last_rank(draw.school, draw.year, stage))
    _audit(actor, "admission.place", Target("school", str(draw.school_id), draw.school.name), origin)
    return result


@transaction.atomic
def waitlist_fill(*, actor: Actor, school: School, year: int, stage: str, origin: Origin | None = None) -> int:
    """The later round (补录): free seats (a larger plan, a family that declined) go to the waitlist in order — this
    school's own first, then those waiting at another school of the same 多校划片 catchment."""
    if not rules.is_bureau(actor=actor, division=school.division_id):
        raise Forbidden()
    plan = _plan(school, year, stage)
    free = plan.seats - _taken(school, year, stage)
    if free <= 0 or plan.is_private:
        return 0
    own = list(
        Application.objects.select_for_update(of=("self",))
        .filter(year=year, stage=stage, status=AppStatus.WAITLIST, school=school)
        .order_by("waitlist_rank", "id")
    )
    group = list(
        Application.objects.select_for_update(of=("self",))
        .filter(year=year, stage=stage, status=AppStatus.WAITLIST, catchment__schools=school)
        .exclude(school=school)
        .order_by("category_rank", "waitlist_rank", "id")
    )
    placed = 0
    for app in [*own, *group][:free]:
        _place(app, school, "候补递补", actor)
        placed += 1
        if app.published_at is not None:
            _notify(app, f"{mask_name(app.child_name)}已由候补递补录取到{school.name}，请登录查看。")
    _audit(actor, "admission.waitlist_fill", Target("school", str(school.pk), school.name), origin)
    return placed


@transaction.atomic
def results_publish(*, actor: Actor, school: School, year: int, stage: str, origin: Origin | None = None) -> int:
    """Publish a school's results to its families (their page and a text message)."""
    if not rules.is_bureau(actor=actor, division=school.division_id):
        raise Forbidden()
    apps = list(
        Application.objects.select_for_update(of=("self",))
        .filter(year=year, stage=stage, published_at__isnull=True)
        .filter(Q(status=AppStatus.PLACED, placed_school=school) | Q(status=AppStatus.WAITLIST, school=school))
        .select_related("placed_school", "school")
    )
    now = timezone.now()
    for app in apps:
        app.published_at = now
        app.save(update_fields=["published_at", "updated_at"])
        if app.status == AppStatus.PLACED:
            text = f"{mask_name(app.child_name)}已被{school.name}录取，请按学校通知报到。"
        else:
            text = f"{mask_name(app.child_name)}在{school.name}候补第{app.waitlist_rank}位，有空余学位时将依次递补。"
        _event(app, actor=actor, step="公布结果", note=text, label="教育局")
        _notify(app, text)
    _audit(actor, "admission.publish", Target("school", str(school.pk), school.name), origin)
    return len(apps)


# --------------------------------------------------------------------------------------------------- enrolment
@transaction.atomic
def enrol(
    *,
    actor: Actor,
    school_class: SchoolClass,
    application_ids: Sequence[int],
    on: date | None = None,
    origin: Origin | None = None,
) -> list[Student]:
    """报到注册: give each placed child a registry record and 学籍 in ``school_class`` through the registry's write
    path (person, student + enrolment, guardianship), then their and their guardians' accounts. All or nothing:
    any failure leaves no child registered, and names the application."""
    school = school_class.school
    if not rules.may_enrol(actor=actor, school=school):
        raise Forbidden()
    apps = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=application_ids)
        .select_related("applicant")
        .order_by("number")
    )
    if len(apps) != len(set(application_ids)) or not apps:
        raise NotFound()
    students = []
    person_ids: list[int] = []
    for app in apps:
        if app.status != AppStatus.PLACED or app.placed_school_id != school.pk or app.published_at is None:
            raise _err(ServicesError.SERVICES_ADM_ENROL, detail=f"{app.number}：不是本校已公布的录取")
        if school_class.grade.entry_year != app.year or school_class.grade.stage != STAGE_ORG_CODE[Stage(app.stage)]:
            raise _err(
                ServicesError.SERVICES_ADM_ENROL, field="班级", detail=f"{school_class.name}不是{app.year}级新生班"
            )
        try:
            person = Person.objects.filter(id_type="1", id_number=app.child_id_number).first()
            if person is None:
                person = person_create(
                    actor=actor,
                    source=SOURCE,
                    name=app.child_name,
                    id_number=app.child_id_number,
                    address=app.hukou_address,
                )
            student = student_enroll(
                actor=actor,
                person=person,
                student_no=f"G{app.child_id_number}",
                school_class=school_class,
                on=on or date(app.year, 9, 1),
                source=SOURCE,
            )
            guardian = getattr(app.applicant, "person", None)
            if guardian is not None:
                guardianship_add(actor=actor, guardian=guardian, student=student, relation=_relation(app.relation))
                person_ids.append(guardian.pk)
        except ZhijiaoError as exc:
            raise _err(ServicesError.SERVICES_ADM_ENROL, detail=f"{app.number}：{exc.message}") from exc
        app.status, app.student = AppStatus.ENROLLED, student
        app.save(update_fields=["status", "student", "updated_at"])
        _event(app, actor=actor, step="注册学籍", note=f"{school.name} {school_class.name}", label=school.name)
        _audit(actor, "admission.enrol", _target(app), origin)
        students.append(student)
        person_ids.append(person.pk)
    accounts_sync_persons(person_ids=person_ids)
    return students


def _relation(text: str) -> str:
    return {"祖父母": "60", "外祖父母": "60", "其他监护人": "80"}.get(text, text)
