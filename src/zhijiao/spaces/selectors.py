"""Reads of the spaces app: a person's notices, the notices they sent, a notice's read rate.

Who may see what is asked of the access layer's Scope (``scope_for``): a recipient sees a notice through their own
receipt only; the sender and the administrators over the notice's node (the school's 学校管理员, a 区域管理员 above
it, the platform) see its read rate. Anything else is NotFound (404), so nothing leaks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import Scope, scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_name
from zhijiao.org.grades import grade_label
from zhijiao.org.models import Division, Grade, School, SchoolClass
from zhijiao.org.selectors import class_display_name, current_school_year
from zhijiao.spaces.models import AudienceKind, Notice, NoticeReceipt, NoticeStatus

NodeObj = SchoolClass | Grade | School | Division


def _school_of(node: NodeObj) -> School | None:
    if isinstance(node, School):
        return node
    if isinstance(node, (SchoolClass, Grade)):
        return node.school
    return None


def _administers(scope: Scope, node: NodeObj) -> bool:
    """学校管理员 of the node's school, 区域管理员 above it, the platform."""
    if isinstance(node, Division):
        return scope.governs(node.code)
    school = _school_of(node)
    assert school is not None
    return scope.manages_school(school_id=school.pk, division_code=school.division_id)


def node_may_address(*, actor: Actor, node: NodeObj) -> bool:
    """May ``actor`` send a notice to ``node``? A teacher or 班主任 to the classes they lead; a school administrator
    to their school (its grades, its classes); a region administrator to their division and everything in it."""
    scope = scope_for(actor)
    if isinstance(node, SchoolClass) and scope.leads_class(node.pk):
        return True
    return _administers(scope, node)


def notice_node(notice: Notice) -> NodeObj:
    kind = notice.audience_kind
    if kind == AudienceKind.CLASS:
        return notice.school_class  # type: ignore[return-value]
    if kind == AudienceKind.GRADE:
        return notice.grade  # type: ignore[return-value]
    if kind == AudienceKind.SCHOOL:
        return notice.school  # type: ignore[return-value]
    return notice.division  # type: ignore[return-value]


def notice_may_oversee(*, actor: Actor, notice: Notice) -> bool:
    """The read rate and the unread list: the sender, and administrators over the notice's node."""
    if actor.is_authenticated and notice.sender_id == actor.pk:
        return True
    return _administers(scope_for(actor), notice_node(notice))


def may_send(*, actor: Actor) -> bool:
    """Does the account lead a class or administer a school or division (the 发通知 button)?"""
    scope = scope_for(actor)
    return bool(scope.led_class_ids()) or scope.is_bureau or bool(scope.school_ids(Role.SCHOOL_ADMIN))


def _with_node(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    return qs.select_related(
        "sender", "school_class__school", "school_class__grade", "grade__school", "school", "division"
    )


def receipt_inbox(*, actor: Actor) -> QuerySet[NoticeReceipt]:
    """The person's notices (published ones), unread first, newest first."""
    if not actor.is_authenticated:
        return NoticeReceipt.objects.none()
    return (
        NoticeReceipt.objects.filter(account_id=actor.pk, notice__status=NoticeStatus.PUBLISHED)
        .select_related("notice", "notice__sender")
        .order_by(F("read_at").asc(nulls_first=True), "-delivered_at", "-pk")
    )


def receipt_get(*, actor: Actor, notice_id: int) -> NoticeReceipt:
    """The person's receipt of a published notice; NotFound when it was not addressed to them."""
    if not actor.is_authenticated:
        raise NotFound()
    receipt = (
        NoticeReceipt.objects.filter(account_id=actor.pk, notice_id=notice_id, notice__status=NoticeStatus.PUBLISHED)
        .select_related("notice", "notice__sender")
        .first()
    )
    if receipt is None:
        raise NotFound()
    return receipt


def notice_get(*, actor: Actor, notice_id: int) -> Notice:
    """A notice the actor oversees (sent it, or administers its node); NotFound otherwise."""
    notice = _with_node(Notice.objects.filter(pk=notice_id)).first()
    if notice is None or not notice_may_oversee(actor=actor, notice=notice):
        raise NotFound()
    return notice


def notice_sent_list(*, actor: Actor) -> QuerySet[Notice]:
    """The notices the actor sent, newest first, with their read and confirm counts."""
    if not actor.is_authenticated:
        return Notice.objects.none()
    return _with_node(Notice.objects.filter(sender_id=actor.pk)).annotate(
        read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
        confirmed=Count("receipts", filter=Q(receipts__confirmed_at__isnull=False)),
    )


@dataclass(frozen=True)
class ReadRate:
    total: int
    read: int
    confirmed: int
    reminded: int

    @property
    def unread(self) -> int:
        return self.total - self.read

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0

    @property
    def confirm_percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0


def notice_read_rate(*, actor: Actor, notice: Notice) -> ReadRate:
    """Counts over the notice's receipts (one aggregate query on the (notice, read_at) index)."""
    if not notice_may_oversee(actor=actor, notice=notice):
        raise NotFound()
    row = NoticeReceipt.objects.filter(notice=notice).aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
    )
    return ReadRate(**row)


@dataclass(frozen=True)
class UnreadRow:
    name: str  # masked
    reminded: int


def notice_unread(*, actor: Actor, notice: Notice, limit: int = 200) -> list[UnreadRow]:
    """Who has not read it yet (the first ``limit``), names masked (陈**): enough to follow up, no more."""
    if not notice_may_oversee(actor=actor, notice=notice):
        raise NotFound()
    rows = (
        NoticeReceipt.objects.filter(notice=notice, read_at__isnull=True)
        .order_by("pk")
        .values_list("account__person__name", "account__display_name", "reminder_count")[:limit]
    )
    return [UnreadRow(name=mask_name(person or display or "用户"), reminded=n) for person, display, n in rows]


@dataclass(frozen=True)
class AddressTarget:
    kind: str
    id: int | str
    label: str

    @property
    def value(self) -> str:
        """The form's option value: ``class:12``, ``division:420112``."""
        return f"{self.kind}:{self.id}"


def address_targets(*, actor: Actor, limit: int = 300) -> list[AddressTarget]:
    """The nodes the actor may address, for the 发通知 form: led classes, managed schools with their grades and
    classes, governed divisions with their schools."""
    scope = scope_for(actor)
    targets: list[AddressTarget] = []
    if scope.is_bureau:
        divisions = (
            Division.objects.all()
            if scope.is_platform_admin
            else Division.objects.filter(code__in=scope.divisions(Role.REGION_ADMIN))
        )
        targets += [AddressTarget("division", d.code, f"{d.name}（全区）") for d in divisions[:50]]
    schools = list(School.objects.filter(scope.managed_schools_q()).order_by("code")[:limit])
    targets += [AddressTarget("school", s.pk, f"{s.name}（全校）") for s in schools]
    # grades and classes of a few managed schools (a school administrator's); a bureau picks a school or a district
    managed_ids = [s.pk for s in schools] if len(schools) <= 3 else []
    year = current_school_year()
    for g in Grade.objects.filter(school_id__in=managed_ids).select_related("school"):
        targets.append(AddressTarget("grade", g.pk, f"{g.school.name} {grade_label(g.stage, g.entry_year, year)}"))
    classes = SchoolClass.objects.filter(Q(pk__in=scope.led_class_ids()) | Q(school_id__in=managed_ids))
    for c in classes.select_related("school", "grade").order_by("school_id", "grade_id", "number")[:limit]:
        targets.append(AddressTarget("class", c.pk, f"{c.school.name} {class_display_name(c)}"))
    return targets


def node_label(notice: Notice) -> str:
    """The notice's audience in words: 东西湖区第一小学 三年级1班 的家长."""
    node = notice_node(notice)
    if isinstance(node, SchoolClass):
        text = f"{node.school.name} {class_display_name(node)}"
    elif isinstance(node, Grade):
        text = f"{node.school.name} {grade_label(node.stage, node.entry_year, current_school_year())}"
    elif isinstance(node, School):
        text = f"{node.name}全校"
    else:
        text = f"{node.name}全区"
    return f"{text}{notice.get_recipients_display()}"
