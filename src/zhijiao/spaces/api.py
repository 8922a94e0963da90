"""The person's notices over the API (``/api/v1/notices``): list with read state, mark read, confirm (回执).

No ``from __future__ import annotations`` here: django-ninja reads the real types. Only the person's own
receipts are reachable; a notice not addressed to the caller is 404, as one that does not exist.
"""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zhijiao.core.params import BoundedPageNumberPagination, DbId
from zhijiao.spaces import selectors, services
from zhijiao.spaces.models import NoticeReceipt

router = Router(tags=["家校沟通"])


class NoticeOut(Schema):
    """One notice as its recipient sees it (built from the recipient's receipt)."""

    id: int
    title: str
    body: str
    sender: str
    published_at: datetime | None
    needs_confirm: bool
    deadline: datetime | None
    read: bool
    read_at: datetime | None
    confirmed: bool
    confirmed_at: datetime | None
    reply: str

    @staticmethod
    def resolve_id(obj: NoticeReceipt) -> int:
        return obj.notice_id

    @staticmethod
    def resolve_title(obj: NoticeReceipt) -> str:
        return obj.notice.title

    @staticmethod
    def resolve_body(obj: NoticeReceipt) -> str:
        return obj.notice.body

    @staticmethod
    def resolve_sender(obj: NoticeReceipt) -> str:
        return obj.notice.sender.display_name or obj.notice.sender.username

    @staticmethod
    def resolve_published_at(obj: NoticeReceipt) -> datetime | None:
        return obj.notice.published_at

    @staticmethod
    def resolve_needs_confirm(obj: NoticeReceipt) -> bool:
        return obj.notice.needs_confirm

    @staticmethod
    def resolve_deadline(obj: NoticeReceipt) -> datetime | None:
        return obj.notice.deadline

    @staticmethod
    def resolve_read(obj: NoticeReceipt) -> bool:
        return obj.read_at is not None

    @staticmethod
    def resolve_confirmed(obj: NoticeReceipt) -> bool:
        return obj.confirmed_at is not None


class ConfirmIn(Schema):
    reply: str = Field("", max_length=500)


@router.get("", response=list[NoticeOut], summary="我的通知（未读在前，含阅读状态）")
@paginate(BoundedPageNumberPagination, page_size=20)
def notice_list(request, unread: bool = False):
    receipts = selectors.receipt_inbox(actor=request.auth)
    if unread:
        receipts = receipts.filter(read_at__isnull=True)
    return receipts


@router.post("/{notice_id}/read", response=NoticeOut, summary="标记已读（重复调用不改变首次阅读时间）")
def notice_read(request, notice_id: DbId):
    return services.receipt_read(actor=request.auth, notice_id=notice_id)


@router.post("/{notice_id}/confirm", response=NoticeOut, summary="提交回执")
def notice_confirm(request, notice_id: DbId, payload: ConfirmIn | None = None):
    reply = payload.reply if payload is not None else ""
    return services.receipt_confirm(actor=request.auth, notice_id=notice_id, reply=reply)
