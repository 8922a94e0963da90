"""The 义务教育招生 pages: the family's (sign in by mobile code, apply on a phone, follow, supplement, appeal), the
reviewers' queue and application page, the bureau's plans, catchments, rules, placement and publication, the
school's enrolment, evidence downloads and the SMS outbox. Adapters: parse, ask ``admission_selectors`` /
``admission``, render; who may do what is decided there, never here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from zhijiao.core.validators import validate_mobile
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.resources.ranged import blob_response
from zhijiao.resources.serving import blob_delivery
from zhijiao.services import admission, sms
from zhijiao.services import admission_selectors as sel
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import LotteryDraw
from zhijiao.services.models_admission import (
    FILE_KINDS,
    Application,
    AppStatus,
    Housing,
    Stage,
)

CRUMBS = [("网上办事", "/services/"), ("义务教育招生", "/services/admission/")]
FAMILY_PREFIX = "rx"  # accounts made from a mobile number: rx13800001111


def _id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _year(request: HttpRequest) -> int:
    year = _id(request.GET.get("year") or request.POST.get("year"))
    return year if year and 2000 <= year <= 2100 else admission_year()


def admission_year() -> int:
    """The admission year on the pages: this calendar year (enrolment is in spring/summer for September)."""
    return timezone.localdate().year


def _origin(request: HttpRequest) -> Origin:
    return Origin.from_request(request)


def _files(request: HttpRequest) -> list[admission.Evidence]:
    out = []
    for kind in FILE_KINDS:
        for upload in request.FILES.getlist(f"file_{kind}"):
            out.append(admission.Evidence(kind, upload.name or "", upload.chunks()))
    kind = request.POST.get("upload_kind", "")
    for upload in request.FILES.getlist("file_upload"):
        out.append(admission.Evidence(kind if kind in FILE_KINDS else "other", upload.name or "", upload.chunks()))
    return out


# ------------------------------------------------------------------------------------------------ home
@login_required
def admission_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    year = _year(request)
    schools = sel.managed_schools(actor)
    divisions = sel.bureau_divisions(actor)
    context = {
        "year": year,
        "mine": sel.my_applications(actor),
        "queue": sel.review_queue(actor),
        "is_staff": bool(schools),
        "is_bureau": bool(divisions),
        "recent": list(sel.applications(actor).exclude(applicant_id=actor.pk).order_by("-created_at")[:50])
        if schools
        else [],
        "breadcrumbs": [CRUMBS[0], ("义务教育招生", None)],
    }
    return render(request, "services/admission/home.html", context)


# ------------------------------------------------------------------------------------------ phone sign-in
def admission_phone(request: HttpRequest) -> HttpResponse:
    """Sign in (or register) with a mobile number and a text code; only for family accounts made here."""
    if request.user.is_authenticated:
        return redirect("services-admission-apply")
    phone, sent, error, shown = "", False, "", ""
    if request.method == "POST":
        try:
            phone = validate_mobile(request.POST.get("phone", ""), field="手机号")
        except ZhijiaoError:
            error = "请输入正确的 11 位手机号"
        if not error and Account.objects.filter(mobile=phone).exclude(username=f"{FAMILY_PREFIX}{phone}").exists():
            error = "这个手机号已有平台账号，请用账号和密码登录后报名"
        if not error and request.POST.get("action") == "send":
            sent = True
            if not sms.code_send(phone):
                messages.info(request, "验证码已发送，请一分钟后再重新获取。")
            if getattr(settings, "ZHIJIAO_SMS_SHOW_CODES", False):
                last = sms.sms_outbox().filter(address=phone, purpose=sms.CODE_PURPOSE).first()
                shown = last.text if last else ""
        elif not error:
            sent = True
            if not sms.code_check(phone, request.POST.get("code", "")):
                error = ServicesError.SERVICES_ADM_CODE.message
            else:
                with transaction.atomic():
                    account = Account.objects.filter(username=f"{FAMILY_PREFIX}{phone}").first() or account_create(
                        username=f"{FAMILY_PREFIX}{phone}", password=None, display_name=f"{mask_phone(phone)} 家长"
                    )
                    audit_record(
                        actor=account,
                        action="admission.phone_login",
                        origin=_origin(request),
                        target=Target("account", str(account.pk), account.display_name),
                    )
                login(request, account, backend="zhijiao.identity.backends.IdentifierBackend")
                request.session["admission_phone"] = phone
                return redirect("services-admission-apply")
    context = {"phone": phone, "phone_masked": mask_phone(phone), "sent": sent, "error": error, "shown": shown}
    return render(request, "services/admission/phone.html", context, status=400 if error else 200)


# ------------------------------------------------------------------------------------------------ apply
def _apply_page(request: HttpRequest, *, error: ZhijiaoError | None = None) -> HttpResponse:
    year = _year(request)
    stage = request.POST.get("stage") or request.GET.get("stage") or Stage.PRIMARY
    stage = stage if stage in Stage.values else Stage.PRIMARY
    catchments = sel.catchments(year=year)
    source = request.POST if request.method == "POST" else {}
    person = getattr(request.user, "person", None)
    defaults = {
        "guardian_name": person.name if person else "",
        "guardian_phone": request.session.get("admission_phone", "") or (person.phone if person else ""),
    }
    form = {k: source.get(k, defaults.get(k, "")) for k in (
        "guardian_name", "guardian_phone", "relation", "child_name", "child_id_number", "hukou_address",
        "catchment", "home_address", "hukou_in_catchment", "housing", "residence_permit", "social_months",
        "school", "private_school",
    )}  # fmt: skip
    context = {
        "year": year,
        "stage": stage,
        "stages": Stage.choices,
        "catchments": [c for c in catchments if c.stage == stage],
        "private_schools": sel.private_schools(year=year, stage=stage),
        "relations": admission.RELATIONS,
        "housings": Housing.choices,
        "file_kinds": list(FILE_KINDS.items()),
        "form": form,
        "error": error,
        "breadcrumbs": [*CRUMBS, ("网上报名", None)],
    }
    return render(request, "services/admission/apply.html", context, status=error.status if error else 200)


def admission_apply(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("services-admission-phone")
    if request.method != "POST":
        return _apply_page(request)
    post = request.POST
    data = admission.ApplicationInput(
        year=_year(request),
        stage=post.get("stage", ""),
        guardian_name=post.get("guardian_name", "")[:200],
        guardian_phone=post.get("guardian_phone", "")[:32],
        relation=post.get("relation", ""),
        child_name=post.get("child_name", "")[:200],
        child_id_number=post.get("child_id_number", "")[:40],
        hukou_address=post.get("hukou_address", "")[:600],
        catchment_id=_id(post.get("catchment")),
        home_address=post.get("home_address", "")[:600],
        hukou_in_catchment=post.get("hukou_in_catchment") == "1",
        housing=post.get("housing", ""),
        residence_permit=post.get("residence_permit") == "1",
        social_months=post.get("social_months", "")[:8],
        school_id=_id(post.get("school")),
        private_school_id=_id(post.get("private_school")),
    )
    try:
        app = admission.application_submit(
            actor=request.user, data=data, files=_files(request), origin=_origin(request)
        )
    except ZhijiaoError as exc:
        return _apply_page(request, error=exc)
    messages.success(request, f"报名已提交，报名编号 {app.number}。请留意审核进度。")
    return redirect("services-admission-detail", application_id=app.pk)


# ------------------------------------------------------------------------------------------ one application
def _progress(app: Application) -> list[dict[str, str]]:
    order: list[str] = [AppStatus.SCHOOL, AppStatus.BUREAU, AppStatus.APPROVED, AppStatus.PLACED]
    status: str = app.supplement_from if app.status == AppStatus.SUPPLEMENT else app.status
    if status in (AppStatus.WAITLIST, AppStatus.ENROLLED):
        status = AppStatus.PLACED
    published = app.published_at is not None
    reached = order.index(status) if status in order else (1 if status in (AppStatus.REJECTED, AppStatus.APPEAL) else 0)
    labels = ["提交报名", "学校审核", "教育局审核", "派位录取", "公布结果"]
    out = []
    for i, label in enumerate(labels):
        if i == 4:
            state = "done" if published else "waiting"
        elif app.status in (AppStatus.REJECTED,) and i == reached + 1:
            state = "rejected"
        elif i <= reached or (i == 3 and published):
            state = "done"
        elif i == reached + 1:
            state = "current"
        else:
            state = "waiting"
        out.append({"label": label, "state": state})
    out[0]["state"] = "done"
    return out


def _detail_page(request: HttpRequest, application_id: int, *, error: ZhijiaoError | None = None) -> HttpResponse:
    actor = request.user
    app = sel.application_get(actor=actor, application_id=application_id)
    staff = sel.is_staff_viewer(actor=actor, app=app)
    family = sel.is_family(actor=actor, app=app)
    show_result = staff or app.result_visible
    draw = LotteryDraw.objects.filter(pk=app.draw_id_ref).first() if app.draw_id_ref else None
    context = {
        "app": app,
        "staff": staff,
        "family": family,
        "child_id": app.child_id_number if staff else mask_id_number(app.child_id_number),
        "child_name": app.child_name if staff or family else mask_name(app.child_name),
        "hukou_address": app.hukou_address if staff else mask_address(app.hukou_address),
        "home_address": app.home_address if staff else mask_address(app.home_address),
        "phone": app.guardian_phone if staff else mask_phone(app.guardian_phone),
        "progress": _progress(app),
        "events": list(app.events.all()),
        "files": list(app.files.all()),
        "may_review": sel.may_review(actor=actor, app=app),
        "may_supplement": family and app.status == AppStatus.SUPPLEMENT,
        "may_upload": family and app.status in (AppStatus.SCHOOL, AppStatus.BUREAU),
        "may_appeal": family and app.status == AppStatus.REJECTED and not app.appealed,
        "show_result": show_result,
        "draw": draw if draw and (staff or draw.status == "published") else None,
        "file_kinds": list(FILE_KINDS.items()),
        "reasons": app.reasons,
        "error": error,
        "breadcrumbs": [*CRUMBS, (app.number, None)],
    }
    return render(request, "services/admission/detail.html", context, status=error.status if error else 200)


@login_required
def admission_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    return _detail_page(request, application_id)


@login_required
@require_POST
def admission_act(request: HttpRequest, application_id: int) -> HttpResponse:
    actor, origin = request.user, _origin(request)
    sel.application_get(actor=actor, application_id=application_id)  # 404 first
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:2000]
    try:
        if action in ("approve", "reject", "supplement"):
            admission.review(actor=actor, application_id=application_id, action=action, note=note, origin=origin)
        elif action == "give_supplement":
            admission.supplement(
                actor=actor, application_id=application_id, note=note, files=_files(request), origin=origin
            )
        elif action == "upload":
            admission.files_add(actor=actor, application_id=application_id, files=_files(request), origin=origin)
        elif action == "appeal":
            admission.appeal(actor=actor, application_id=application_id, note=note, origin=origin)
        else:
            raise ZhijiaoError(ServicesError.SERVICES_ADM_STATE)
    except ZhijiaoError as exc:
        return _detail_page(request, application_id, error=exc)
    messages.success(request, "已办理。")
    return redirect("services-admission-detail", application_id=application_id)


@login_required
def admission_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """An evidence file: only for those who see the application, and always as a download."""
    f = sel.file_get(actor=request.user, file_id=file_id)
    audit_record(
        actor=request.user,
        action="admission.file_download",
        origin=_origin(request),
        target=Target("admission", f.application.number, f.name[:60]),
    )
    delivery = blob_delivery(f.sha256, name=f.name, want_inline=False)
    return blob_response(request, sha256=f.sha256, delivery=delivery, filename=f.name)


# ------------------------------------------------------------------------------------------ bureau & school
def _school_or_404(actor: object, school_id: int | None) -> School:
    school = School.objects.select_related("division").filter(pk=school_id or -1).first()
    if school is None or not sel.may_plan(actor=actor, school=school):  # type: ignore[arg-type]
        raise NotFound()
    return school


@login_required
def admission_manage(request: HttpRequest) -> HttpResponse:
    """Plans and placement, one row per school (the bureau: its district's schools; a school: itself)."""
    actor = request.user
    schools = sel.managed_schools(actor)
    if not schools:
        raise NotFound()
    year = _year(request)
    error = None
    if request.method == "POST":
        try:
            school = _school_or_404(actor, _id(request.POST.get("school")))
            stage = request.POST.get("stage", "")
            op = request.POST.get("op", "")
            if op == "plan":
                seats = _id(request.POST.get("seats")) or 0
                admission.plan_save(
                    actor=actor,
                    school=school,
                    year=year,
                    stage=stage,
                    seats=seats,
                    is_private=request.POST.get("is_private") == "1",
                    origin=_origin(request),
                )
                messages.success(request, f"已保存 {school.name} 的招生计划。")
            elif op == "place":
                result = admission.placement_run(
                    actor=actor, school=school, year=year, stage=stage, origin=_origin(request)
                )
                text = f"{school.name}：录取 {result.placed} 人，候补 {result.waitlisted} 人。"
                if result.draw:
                    n, seats = result.draw.applicants_count, result.draw.seats
                    text += f"有一个类别报名人数超过剩余学位，已公示派位名单（{n} 人争 {seats} 个学位）"
                    text += "，请到电脑派位页面抽签。"
                messages.success(request, text)
            elif op == "apply_draw":
                draw = LotteryDraw.objects.filter(school=school, year=year).first()
                if draw is None:
                    raise NotFound()
                result = admission.placement_apply_draw(actor=actor, draw_id=draw.pk, origin=_origin(request))
                messages.success(
                    request, f"{school.name}：按派位结果录取 {result.placed} 人，候补 {result.waitlisted} 人。"
                )
            elif op == "fill":
                n = admission.waitlist_fill(actor=actor, school=school, year=year, stage=stage, origin=_origin(request))
                messages.success(request, f"{school.name}：候补递补录取 {n} 人。")
            elif op == "publish":
                n = admission.results_publish(
                    actor=actor, school=school, year=year, stage=stage, origin=_origin(request)
                )
                messages.success(request, f"{school.name}：已向 {n} 个家庭公布结果并发送短信。")
            else:
                raise ZhijiaoError(ServicesError.SERVICES_ADM_STATE)
            return redirect(f"/services/admission/manage/?year={year}")
        except Forbidden:
            error = ZhijiaoError(ServicesError.SERVICES_ADM_NOT_ALLOWED, status=403)
        except ZhijiaoError as exc:
            error = exc
    figures = sel.plan_figures(year=year, schools=schools)
    draws = {d.school_id: d for d in LotteryDraw.objects.filter(year=year, school__in=schools)}
    for row in figures:
        row["draw"] = draws.get(row["plan"].school_id)  # type: ignore[attr-defined]
        row["bureau"] = sel.is_bureau(actor=actor, division=row["plan"].school.division_id)  # type: ignore[attr-defined]
    context = {
        "year": year,
        "figures": figures,
        "schools": schools,
        "stages": Stage.choices,
        "is_bureau": bool(sel.bureau_divisions(actor)),
        "error": error,
        "breadcrumbs": [*CRUMBS, ("招生计划与录取", None)],
    }
    return render(request, "services/admission/manage.html", context, status=error.status if error else 200)


def _division_or_404(actor: object, code: str | None) -> Division:
    division = Division.objects.filter(pk=(code or "")[:6]).first()
    if division is None or not sel.is_bureau(actor=actor, division=division):  # type: ignore[arg-type]
        raise NotFound()
    return division


@login_required
def admission_catchments(request: HttpRequest) -> HttpResponse:
    actor = request.user
    divisions = sel.bureau_divisions(actor)
    if not divisions:
        raise NotFound()
    year = _year(request)
    error, report = None, None
    if request.method == "POST":
        division = _division_or_404(actor, request.POST.get("division"))
        try:
            if request.POST.get("op") == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ZhijiaoError(ServicesError.SERVICES_ADM_IMPORT, detail="请选择文件")
                report = admission.catchments_import(
                    actor=actor, division=division, year=year, data=upload.read(), origin=_origin(request)
                )
                if report.ok:
                    messages.success(
                        request, f"已导入 {report.rows} 行：新增 {report.created} 个，更新 {report.updated} 个施教区。"
                    )
                    return redirect(f"/services/admission/catchments/?year={year}")
            else:
                admission.catchment_save(
                    actor=actor,
                    division=division,
                    year=year,
                    stage=request.POST.get("stage", ""),
                    compound=request.POST.get("compound", "")[:200],
                    address_range=request.POST.get("address_range", "")[:300],
                    school_codes=request.POST.getlist("schools"),
                    origin=_origin(request),
                )
                messages.success(request, "已保存施教区。")
                return redirect(f"/services/admission/catchments/?year={year}")
        except ZhijiaoError as exc:
            error = exc
    codes = [d.code for d in divisions]
    context = {
        "year": year,
        "divisions": divisions,
        "catchments": [c for c in sel.catchments(year=year) if any(c.division_id.startswith(x) for x in codes)],
        "schools": [s for s in sel.managed_schools(actor) if sel.is_bureau(actor=actor, division=s.division_id)],
        "stages": Stage.choices,
        "columns": admission.CATCHMENT_COLUMNS,
        "report": report,
        "error": error,
        "breadcrumbs": [*CRUMBS, ("施教区", None)],
    }
    status = 400 if (error or (report and not report.ok)) else 200
    return render(request, "services/admission/catchments.html", context, status=error.status if error else status)


@login_required
def admission_rules(request: HttpRequest) -> HttpResponse:
    actor = request.user
    divisions = sel.bureau_divisions(actor)
    if not divisions:
        raise NotFound()
    year = _year(request)
    code = request.POST.get("division") or request.GET.get("division") or divisions[0].code
    division = _division_or_404(actor, code)
    error = None
    if request.method == "POST":
        try:
            admission.rule_save(
                actor=actor,
                division=division,
                year=year,
                rank=_id(request.POST.get("rank")) or 0,
                name=request.POST.get("name", "")[:100],
                need_hukou_in_catchment=request.POST.get("need_hukou") == "1",
                housing=[h for h in request.POST.getlist("housing") if h],
                need_residence_permit=request.POST.get("need_permit") == "1",
                min_social_months=_id(request.POST.get("min_social_months")) or 0,
                note=request.POST.get("note", "")[:300],
                origin=_origin(request),
            )
            messages.success(request, "已保存资格类别。")
            return redirect(f"/services/admission/rules/?year={year}&division={division.code}")
        except ZhijiaoError as exc:
            error = exc
    context = {
        "year": year,
        "division": division,
        "divisions": divisions,
        "rules": sel.rules(division_code=division.code, year=year),
        "error": error,
        "breadcrumbs": [*CRUMBS, ("资格类别", None)],
    }
    return render(request, "services/admission/rules.html", context, status=error.status if error else 200)


@login_required
def admission_enrol(request: HttpRequest, school_id: int) -> HttpResponse:
    """报到注册: the school picks a class for its published, placed children and registers them, all at once."""
    actor = request.user
    school = _school_or_404(actor, school_id)
    year = _year(request)
    error = None
    if request.method == "POST":
        chosen = [i for i in (_id(v) for v in request.POST.getlist("app")) if i]
        school_class = SchoolClass.objects.filter(pk=_id(request.POST.get("school_class")) or -1, school=school).first()
        try:
            if school_class is None or not chosen:
                raise ZhijiaoError(ServicesError.SERVICES_ADM_ENROL, field="班级", detail="请选择班级和学生")
            done = admission.enrol(
                actor=actor, school_class=school_class, application_ids=chosen, origin=_origin(request)
            )
            messages.success(request, f"已为 {len(done)} 名新生注册学籍，编入{school_class.name}。")
            return redirect(f"/services/admission/enrol/{school.pk}/?year={year}")
        except ZhijiaoError as exc:
            error = exc
    placed = list(
        Application.objects.filter(
            year=year, placed_school=school, status__in=[AppStatus.PLACED, AppStatus.ENROLLED]
        ).order_by("status", "number")
    )
    classes = list(
        SchoolClass.objects.filter(school=school, grade__entry_year=year, is_active=True).order_by(
            "grade__stage", "number"
        )
    )
    context = {
        "school": school,
        "year": year,
        "placed": [(a, mask_id_number(a.child_id_number)) for a in placed],
        "classes": classes,
        "error": error,
        "breadcrumbs": [*CRUMBS, ("新生注册", None)],
    }
    return render(request, "services/admission/enrol.html", context, status=error.status if error else 200)


@login_required
def admission_outbox(request: HttpRequest) -> HttpResponse:
    """The local SMS outbox (operators and bureaus; sign-in codes are never shown here)."""
    if not sel.bureau_divisions(request.user):
        raise NotFound()
    rows = [
        (m, mask_phone(m.address), "（验证码已隐去）" if m.purpose == sms.CODE_PURPOSE else m.text)
        for m in sms.sms_outbox()[:200]
    ]
    context = {"rows": rows, "breadcrumbs": [*CRUMBS, ("短信发件箱", None)]}
    return render(request, "services/admission/outbox.html", context)
