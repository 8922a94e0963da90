"""The 网络学习空间 pages: a teacher's, a pupil's and a guardian's home (``/space/`` dispatches here), a class's
space, a pupil's space as classmates and teachers see it, a school's space and public face, the region's space and
the reminder settings. Adapters: parse, ask the selectors, render."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.core.space_panels import SpaceContext, space_panels
from zhijiao.spaces.homes import selectors, services
from zhijiao.spaces.selectors import may_send

BREADCRUMBS = [("我的空间", "/space/")]
SPACE_CSS = "spaces/spaces.css"


def _seen(request: HttpRequest) -> None:
    """Count today's use of the space once per session and day (the 活跃空间 indicator)."""
    today = timezone.localdate().isoformat()
    if request.session.get("space_seen") != today:
        services.space_visit_record(actor=request.user)
        request.session["space_seen"] = today


def personal_home(request: HttpRequest, kind: str) -> HttpResponse:
    """``/space/`` for a teacher, a pupil or a guardian."""
    _seen(request)
    inbox, unread = selectors.inbox_preview(actor=request.user)
    context: dict = {
        "kind": kind,
        "inbox": inbox,
        "unread": unread,
        "region": selectors.actor_region_code(actor=request.user),
    }
    if kind == "teacher":
        context["home"] = selectors.teacher_home(actor=request.user)
        context["may_send"] = may_send(actor=request.user)
        context["sent"] = selectors.sent_preview(actor=request.user) if context["may_send"] else []
        context["panels"] = space_panels(request.user, SpaceContext(kind="teacher"))
    elif kind == "pupil":
        student = selectors.own_student(actor=request.user)
        context["student"] = student
        if student is not None:
            context["class_label"] = selectors.class_label(student.school_class) if student.school_class else ""
            context["panels"] = space_panels(request.user, selectors.pupil_context(student))
    else:
        children = []
        for child in selectors.guardian_children(actor=request.user):
            ctx = selectors.pupil_context(child)
            children.append(
                {
                    "student": child,
                    "class_label": selectors.class_label(child.school_class) if child.school_class else "",
                    "panels": space_panels(request.user, replace(ctx, kind="guardian")),
                }
            )
        context["children"] = children
    return render(request, "spaces/homes/personal.html", context)


@login_required
def class_page(request: HttpRequest, class_id: int) -> HttpResponse:
    space = selectors.class_space(actor=request.user, class_id=class_id)
    _seen(request)
    ctx = SpaceContext(kind="class", class_id=space.klass.pk, school_id=space.klass.school_id)
    panels = space_panels(request.user, ctx)
    context = {
        "space": space,
        "panels": panels,
        "breadcrumbs": [*BREADCRUMBS, (f"{space.label}空间", None)],
    }
    return render(request, "spaces/homes/class.html", context)


@login_required
def pupil_page(request: HttpRequest, student_id: int) -> HttpResponse:
    """A pupil's space as the people around them see it: the pupil's class, the panels the apps share."""
    student = selectors.pupil_space_get(actor=request.user, student_id=student_id)
    ctx = selectors.pupil_context(student)
    context = {
        "student": student,
        "name": student.person.name,
        "class_label": selectors.class_label(student.school_class) if student.school_class else "",
        "panels": space_panels(request.user, ctx),
        "breadcrumbs": [*BREADCRUMBS, (f"{mask_name(student.person.name)}的空间", None)],
    }
    return render(request, "spaces/homes/pupil.html", context)


def school_public(request: HttpRequest, school_id: int) -> HttpResponse:
    """A school's public face (no login): what the school chose to show, no personal data."""
    face = selectors.school_public_get(school_id=school_id, actor=request.user)
    context = {
        "face": face,
        "may_edit": selectors.school_may_edit(actor=request.user, school=face.school),
        "division_name": face.school.division.name,
    }
    return render(request, "spaces/homes/school_public.html", context)


@login_required
def school_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's administrators write its introduction and choose whether to show the public face."""
    face_school = selectors.school_editable_get(actor=request.user, school_id=school_id)
    page = selectors.school_page(face_school)
    error = ""
    if request.method == "POST":
        try:
            services.school_page_save(
                actor=request.user,
                school=face_school,
                intro=request.POST.get("intro", ""),
                motto=request.POST.get("motto", ""),
                is_public=request.POST.get("is_public") == "on",
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            error = exc.message
            page.intro, page.motto = request.POST.get("intro", ""), request.POST.get("motto", "")
        else:
            messages.success(request, "学校空间已保存。")
            return redirect("spaces-school-public", school_id=face_school.pk)
    context = {
        "school": face_school,
        "page": page,
        "error": error,
        "breadcrumbs": [*BREADCRUMBS, (face_school.name, f"/space/school/{face_school.pk}/"), ("编辑学校空间", None)],
    }
    return render(request, "spaces/homes/school_edit.html", context, status=400 if error else 200)


def region_page(request: HttpRequest, code: str) -> HttpResponse:
    """The region's space (no login): public notices, schools that show a public face, public resources."""
    space = selectors.region_space(code=code)
    return render(request, "spaces/homes/region.html", {"space": space})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """接收提醒: which channels besides the in-app notice may remind the person."""
    if request.method == "POST":
        services.channel_optouts_set(actor=request.user, wanted=set(request.POST.getlist("channel")))
        messages.success(request, "提醒方式已保存。")
        return redirect("spaces-settings")
    out = services.channel_optouts(actor=request.user)
    channels = [(name, label, name not in out) for name, label in services.OPTIONAL_CHANNELS.items()]
    context = {"channels": channels, "breadcrumbs": [*BREADCRUMBS, ("接收提醒", None)]}
    return render(request, "spaces/homes/settings.html", context)
