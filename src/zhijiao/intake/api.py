"""数据交换接口: push records into the registry through the intake pipeline, pull the change feed.

Push (``POST /exchange/{kind}/records``) is :func:`zhijiao.intake.exchange.exchange_push`. Pull
(``GET /exchange/changes``) pages through records by ``feed_seq`` across kinds, scoped by the registry
selectors and rendered with the registry API's list schemas, so identifiers are masked as in the lists; it
lives here because it renders with those schemas.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Router, Schema

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.masking import mask_phone
from zhijiao.core.params import DB_ID_MAX, CodeList
from zhijiao.identity.services import api_scope_require
from zhijiao.intake.errors import MAX_PUSH_RECORDS, ExchangeError
from zhijiao.intake.exchange import exchange_push
from zhijiao.intake.ratelimit import exchange_rate_limit
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Guardianship
from zhijiao.registry.api_org import ClassOut, SchoolOut
from zhijiao.registry.api_people import GuardianOut, StaffOut, StudentOut
from zhijiao.registry.selectors.org import class_list, school_list
from zhijiao.registry.selectors.people import staff_list, student_list

log = logging.getLogger(__name__)
router = Router(tags=["数据交换"])

MAX_PULL = 1000


# ------------------------------------------------------------------------------------------------ schemas
class IssueOut(Schema):
    code: str
    field: str
    message: str


class RecordResult(Schema):
    index: int
    status: Literal["created", "updated", "unchanged", "rejected"]
    errors: list[IssueOut]
    warnings: list[IssueOut]


class PushSummary(Schema):
    rows_in: int
    created: int
    updated: int
    unchanged: int
    rejected: int


class PushIn(Schema):
    records: list[dict[str, Any]]


class PushOut(Schema):
    batch: int | None
    summary: PushSummary
    results: list[RecordResult]


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class GuardianshipOut(GuardianOut):
    """A guardianship in the feed: the registry's guardian row (phone masked as in lists) and its student."""

    id: int
    student_id: int
    is_primary_contact: bool

    @staticmethod
    def resolve_name(obj: Guardianship) -> str:
        return obj.guardian.name

    @staticmethod
    def resolve_relation(obj: Guardianship) -> str:
        return obj.relation_name

    @staticmethod
    def resolve_phone(obj: Guardianship) -> str:
        return mask_phone(obj.guardian.phone)


class ChangeOut(Schema):
    seq: int
    kind: Literal["schools", "classes", "students", "staff", "guardianships"]
    id: int
    data: dict[str, Any]


class ChangesOut(Schema):
    items: list[ChangeOut]
    next_cursor: int
    has_more: bool


# ------------------------------------------------------------------------------------------------- pull
FEED_KINDS = ("schools", "classes", "students", "staff", "guardianships")


def _feed_sources(actor: Actor) -> dict[str, tuple[QuerySet, Callable[[Any], dict[str, Any]]]]:
    """Per kind: the actor's records (through the registry selectors) and how the registry API renders one."""
    students = student_list(actor=actor, status=None)  # graduated / transferred students are changes too
    guardianships = Guardianship.objects.filter(student__in=students.order_by().values("pk")).select_related("guardian")
    return {
        "schools": (school_list(actor=actor), lambda o: SchoolOut.from_orm(o).dict()),
        # class_list shows active classes only: a class made inactive drops out of the feed (see the report)
        "classes": (class_list(actor=actor), lambda o: ClassOut.from_orm(o).dict()),
        "students": (students, lambda o: StudentOut.from_orm(o).dict()),
        "staff": (staff_list(actor=actor, active=False), lambda o: StaffOut.from_orm(o).dict()),
        "guardianships": (guardianships, lambda o: GuardianshipOut.from_orm(o).dict()),
    }


def changes_page(*, actor: Actor, cursor: int, limit: int, kinds: Iterable[str] = FEED_KINDS) -> dict[str, Any]:
    """Records in the actor's scope written after ``cursor``, in feed order across kinds, at most ``limit``."""
    sources = _feed_sources(actor)
    found: list[tuple[int, int, str, Any]] = []
    for order, kind in enumerate(k for k in FEED_KINDS if k in set(kinds)):
        queryset, _ = sources[kind]
        for record in queryset.filter(feed_seq__gt=cursor).order_by("feed_seq", "pk")[: limit + 1]:
            found.append((record.feed_seq, order, kind, record))
    found.sort(key=lambda x: (x[0], x[1], x[3].pk))
    page = found[:limit]
    items = [{"seq": seq, "kind": kind, "id": rec.pk, "data": sources[kind][1](rec)} for seq, _, kind, rec in page]
    return {
        "items": items,
        "next_cursor": page[-1][0] if page else cursor,
        "has_more": len(found) > limit,
    }


# ---------------------------------------------------------------------------------------------- endpoints
def _guard(request: Any, scope: str) -> None:
    """Count the call against the client's rate limit, then check the scope (a refused call counts too)."""
    exchange_rate_limit(request)
    api_scope_require(actor=request.auth, token=getattr(request, "api_token", None), scope=scope)


_KEYS = "、".join(f"{k}（{s.label}）" for k, s in SPECS.items())
_ERRORS = {400: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}

_PUSH_EXAMPLE_IN = {
    "records": [
        {
            "name": "张三",
            "sex": "男",
            "birth_date": "2018-03-05",
            "id_number": "420112201803051234",
            "student_no": "G420112201803051234",
            "school_code": "3420112001",
            "grade": "三年级",
            "class_no": "1",
            "guardian_name": "张建国",
            "guardian_relation": "父亲",
            "guardian_phone": "13912345678",
        },
        {
            "姓名": "李四",
            "性别": "女",
            "出生日期": "2018-06-01",
            "身份证件号": "420112201806011235",
            "学籍号": "G420112201806011235",
            "学校标识码": "3420112001",
            "年级": "三年级",
            "班级": "2",
        },
    ]
}
_PUSH_EXAMPLE_OUT = {
    "batch": 42,
    "summary": {"rows_in": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1},
    "results": [
        {"index": 0, "status": "created", "errors": [], "warnings": []},
        {
            "index": 1,
            "status": "rejected",
            "errors": [
                {"code": "CORE_ID_CHECKSUM", "field": "身份证件号", "message": "身份证件号：身份证号校验码不正确"}
            ],
            "warnings": [],
        },
    ],
}
_PULL_EXAMPLE_OUT = {
    "items": [
        {
            "seq": 1042,
            "kind": "students",
            "id": 318,
            "data": {
                "id": 318,
                "student_no": "G4201**********1234",
                "name": "张三",
                "sex": "男",
                "birth_date": "2018-03-05",
                "ethnicity": "汉族",
                "id_number": "420112**********34",
                "school_id": 1,
                "school_name": "东西湖区第一小学",
                "class_id": 1,
                "class_name": "三年级（1）班",
                "status": "在读",
            },
        },
        {
            "seq": 1043,
            "kind": "guardianships",
            "id": 97,
            "data": {
                "id": 97,
                "student_id": 318,
                "name": "张建国",
                "relation": "父亲",
                "is_legal_guardian": True,
                "is_primary_contact": True,
                "phone": "139****5678",
            },
        },
    ],
    "next_cursor": 1043,
    "has_more": False,
}
_ERROR_EXAMPLES = {
    403: {
        "code": "IDENTITY_SCOPE_MISSING",
        "message": "当前令牌或账号没有此接口所需的权限范围（需要 exchange:push：…）",
    },
    429: {
        "code": "INTAKE_RATE_LIMITED",
        "message": "请求过于频繁…（每60秒最多120次，请12秒后重试）",
        "retry_after": 12,
    },
}


def _error_examples() -> dict[int, Any]:
    return {
        status: {"content": {"application/json": {"example": example}}} for status, example in _ERROR_EXAMPLES.items()
    }


@router.post(
    "/{kind}/records",
    response={200: PushOut, **_ERRORS},
    summary="推送记录（按导入流程校验并写入）",
    description=(
        "把一批记录按与文件导入完全相同的流程校验、比对并写入名册，需要 `exchange:push` 权限范围"
        "（浏览器会话：学校或教育局的数据管理员）。\n\n"
        f"`kind` 可选：{_KEYS}。每条记录是一个对象，字段名可用字段键（如 `id_number`）、模板表头（如 `身份证件号`）"
        "或常见别名；未提供或为空的字段不会清空名册中的已有值。单次最多 "
        f"{MAX_PUSH_RECORDS} 条。\n\n"
        "返回本批次的汇总和与输入顺序一一对应的结果：`created` 新增、`updated` 更新、`unchanged` 未变、"
        "`rejected` 拒收（`errors` 给出代码、字段和原因；重复学籍、疑似同一人等待教育局比对的记录也为拒收）。"
        "`warnings` 为已导入但需核对的提示。调用频率受限，超限返回 429 并带 `Retry-After`。"
    ),
    openapi_extra={
        "requestBody": {"content": {"application/json": {"example": _PUSH_EXAMPLE_IN}}},
        "responses": {200: {"content": {"application/json": {"example": _PUSH_EXAMPLE_OUT}}}, **_error_examples()},
    },
)
def push_records(request: Any, kind: str, payload: PushIn):
    _guard(request, "exchange:push")
    return exchange_push(
        actor=request.auth, kind=kind, records=payload.records, origin=Origin.from_request(request, channel="api")
    )


@router.get(
    "/changes",
    response={200: ChangesOut, **_ERRORS},
    summary="拉取变更（按变更序号增量同步）",
    description=(
        "按变更序号（`seq`）返回调用者授权范围内序号大于 `cursor` 的学校、班级、学生、教职工和监护关系记录的当前状态，"
        "各类型按序号合并排序，最多 `limit` 条（默认 500，最大 "
        f"{MAX_PULL}）。需要 `exchange:pull` 权限范围。\n\n"
        "`data` 与名册列表接口的字段相同，身份证件号、学籍号、电话按列表接口的规则脱敏。"
        "下次请求把 `next_cursor` 作为 `cursor`；`has_more` 为真表示还有更多变更。"
        "`kinds` 可选，逗号分隔：schools、classes、students、staff、guardianships（默认全部）。"
        "同一记录多次修改只出现一次（最新状态、最新序号）。"
    ),
    openapi_extra={
        "responses": {200: {"content": {"application/json": {"example": _PULL_EXAMPLE_OUT}}}, **_error_examples()},
    },
)
def pull_changes(request: Any, cursor: int = 0, limit: int = 500, kinds: CodeList = ""):
    _guard(request, "exchange:pull")
    if not 0 <= cursor <= DB_ID_MAX:
        raise ZhijiaoError(ExchangeError.INTAKE_EXCHANGE_PARAM_INVALID, field="cursor", detail="应为非负整数")
    if not 1 <= limit <= MAX_PULL:
        raise ZhijiaoError(
            ExchangeError.INTAKE_EXCHANGE_PARAM_INVALID, field="limit", detail=f"应在 1 到 {MAX_PULL} 之间"
        )
    wanted = [k.strip() for k in kinds.split(",") if k.strip()] or list(FEED_KINDS)
    unknown = [k for k in wanted if k not in FEED_KINDS]
    if unknown:
        raise ZhijiaoError(
            ExchangeError.INTAKE_EXCHANGE_KINDS_UNKNOWN,
            field="kinds",
            detail=f"{'、'.join(unknown)}（可选：{'、'.join(FEED_KINDS)}）",
        )
    return changes_page(actor=request.auth, cursor=cursor, limit=limit, kinds=wanted)
