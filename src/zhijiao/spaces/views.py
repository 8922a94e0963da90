"""The 个人空间 pages: the person's notices (unread first); for staff the 发通知 form and the notices they sent with
read rates; a notice's page (recipient: read, 回执; sender and administrators over the node: read rate, who has
not read, 提醒未读). Adapters: parse, ask one selector or service, render."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.spaces import selectors, services
from zhijiao.spaces.homes import selectors as homes_selectors
from zhijiao.spaces.homes import views as homes_views
from zhijiao.spaces.models import NoticeReceipt, RecipientKind

BREADCRUMBS = [("我的空间", "/space/")]


@login_required
def space_home(request: HttpRequest) -> HttpResponse:
    """我的空间: a teacher's, a pupil's or a guardian's home; for administrators the notices page."""
    kind = homes_selectors.space_kind(actor=request.user)
    if kind:
        return homes_views.personal_home(request, kind)
    return notice_list(request)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """我的通知: my notices, unread first; for staff the notices they sent, with read rates."""
    page, querystring = paginate(request, selectors.receipt_inbox(actor=request.user), per_page=20)
    may_send = selectors.may_send(actor=request.user)
    sent = list(selectors.notice_sent_list(actor=request.user)[:20]) if may_send else []
    for n in sent:
        n.label = selectors.node_label(n)  # type: ignore[attr-defined]
        total = n.recipient_count or 0
        n.read_percent = round(100 * n.read / total) if total else 0  # type: ignore[attr-defined]
    unread = selectors.receipt_inbox(actor=request.user).filter(read_at__isnull=True).count()
    context = {
        "page_obj": page,
        "querystring": querystring,
        "unread": unread,
        "may_send": may_send,
        "sent": sent,
    }
    return render(request, "spaces/home.html", context)


def _deadline(value: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(day) if timezone.is_naive(day) else day


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    """发通知: pick one of the nodes the account may address, the recipients, and whether a 回执 is needed."""
    targets = selectors.address_targets(actor=request.user)
    if not targets:
        raise NotFound()
    error, form = "", {"recipients": str(RecipientKind.GUARDIANS)}
    if request.method == "POST":
        form = request.POST.dict()
        kind, _, node_id = form.get("target", "").partition(":")
        try:
            notice = services.notice_send(
                actor=request.user,
                title=form.get("title", ""),
                body=form.get("body", ""),
                audience_kind=kind,
                node_id=node_id,
                recipients=form.get("recipients", str(RecipientKind.GUARDIANS)),
                needs_confirm=form.get("needs_confirm") == "on",
                deadline=_deadline(form.get("deadline", "")),
                is_public=form.get("is_public") == "on",
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            error = exc.message
        else:
            messages.success(request, f"通知已发布，发送给 {notice.recipient_count} 人。")
            return redirect("spaces-notice", notice_id=notice.pk)
    context = {
        "targets": targets,
        "recipient_kinds": RecipientKind.choices,
        "form": form,
        "error": error,
        "breadcrumbs": [*BREADCRUMBS, ("发通知", None)],
    }
    return render(request, "spaces/notice_new.html", context, status=400 if error else 200)


@login_required
def notice_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    """One notice. Its recipient reads it here (marked read on opening); its sender and the administrators over
    its node see the read rate and who has not read it."""
    receipt: NoticeReceipt | None
    try:
        receipt = services.receipt_read(actor=request.user, notice_id=notice_id)
    except NotFound:
        receipt = None
    notice = receipt.notice if receipt else None
    rate = unread = None
    try:
        overseen = selectors.notice_get(actor=request.user, notice_id=notice_id)
    except NotFound:
        overseen = None
        if receipt is None:
            raise
    if overseen is not None:
        notice = overseen
        rate = selectors.notice_read_rate(actor=request.user, notice=overseen)
        unread = selectors.notice_unread(actor=request.user, notice=overseen)
    assert notice is not None
    context = {
        "notice": notice,
        "receipt": receipt,
        "audience": selectors.node_label(notice) if overseen else "",
        "rate": rate,
        "unread_rows": unread,
        "may_confirm": bool(
            receipt
            and notice.needs_confirm
            and (notice.deadline is None or receipt.confirmed_at or timezone.now() <= notice.deadline)
        ),
        "breadcrumbs": [*BREADCRUMBS, ("通知", None)],
    }
    return render(request, "spaces/notice.html", context)


@login_required
@require_POST
def notice_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    services.receipt_confirm(actor=request.user, notice_id=notice_id, reply=request.POST.get("reply", "")[:500])
    messages.success(request, "回执已提交。")
    return redirect("spaces-notice", notice_id=notice_id)


@login_required
@require_POST
def notice_remind(request: HttpRequest, notice_id: int) -> HttpResponse:
    reached = services.notice_remind(actor=request.user, notice_id=notice_id)
    parts = "，".join(f"{label} {n} 人" for label, n in reached.items())
    messages.success(request, f"已提醒未读的人：{parts}。")
    return redirect("spaces-notice", notice_id=notice_id)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, notice_id: int) -> HttpResponse:
    services.notice_withdraw(actor=request.user, notice_id=notice_id)
    messages.success(request, "通知已撤回，接收人将看不到它。")
    return redirect("spaces-notice", notice_id=notice_id)
