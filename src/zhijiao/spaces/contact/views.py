"""家校沟通 pages: /space/messages/ (my threads, 发起沟通; a school administrator also sees their school's threads),
/space/messages/<id>/ (a thread: write, 待送达 in quiet hours; a moderator hides a message)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.spaces.contact import selectors, services


@login_required
def thread_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        thread = services.thread_start(actor=request.user, partner=request.POST.get("partner", ""))
        return redirect("spaces-thread", thread_id=thread.pk)
    context = {
        "threads": list(selectors.thread_list(actor=request.user)[:100]),
        "partners": selectors.partners(actor=request.user),
        "breadcrumbs": [("我的空间", "/space/"), ("家校沟通", None)],
    }
    return render(request, "spaces/contact/list.html", context)


@login_required
def thread_page(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_get(actor=request.user, thread_id=thread_id)
    error, body = "", ""
    if request.method == "POST":
        body = request.POST.get("body", "")[:2000]
        try:
            message = services.message_post(actor=request.user, thread=thread, body=body)
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            error = exc.message
        else:
            if message.deliver_at > message.created_at:
                at = timezone.localtime(message.deliver_at)
                flash.info(
                    request, f"现在是休息时间（21:00–7:00），消息将于 {at.month}月{at.day}日 {at:%H:%M} 送达对方。"
                )
            return redirect("spaces-thread", thread_id=thread.pk)
    participant = request.user.pk in (thread.guardian_id, thread.staff_id)
    context = {
        "thread": thread,
        "rows": selectors.thread_messages(actor=request.user, thread=thread),
        "participant": participant,
        "moderator": selectors.may_moderate(actor=request.user, thread=thread),
        "error": error,
        "body": body,
        "now": timezone.now(),
        "breadcrumbs": [("我的空间", "/space/"), ("家校沟通", "/space/messages/"), (thread.student.person.name, None)],
    }
    return render(request, "spaces/contact/thread.html", context, status=400 if error else 200)


@login_required
@require_POST
def message_hide(request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
    try:
        services.message_hide(
            actor=request.user,
            message_id=message_id,
            reason=request.POST.get("reason", "")[:500],
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        flash.error(request, exc.message)
    else:
        flash.success(request, "消息已隐藏。")
    return redirect("spaces-thread", thread_id=thread_id)
