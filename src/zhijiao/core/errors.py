"""Errors are values with codes.

Each app declares an ``errors.py`` enum whose member names are the stable codes (``CORE_ID_CHECKSUM``)
and whose values are the Chinese messages users read. Services raise :class:`ZhijiaoError`; one
handler maps it to HTTP (API) and to a message (UI).
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    """Base for every app's error enum; member name = code, value = Chinese message."""

    @property
    def code(self) -> str:
        return self.name

    @property
    def message(self) -> str:
        return str(self.value)


class CoreError(ErrorCode):
    CORE_REQUIRED = "不能为空"
    CORE_ID_FORMAT = "身份证号应为18位：17位数字加1位校验码（数字或X）"
    CORE_ID_CHECKSUM = "身份证号校验码不正确"
    CORE_ID_BIRTH_DATE = "身份证号中的出生日期不是有效日期"
    CORE_ID_BIRTH_FUTURE = "身份证号中的出生日期晚于今天"
    CORE_ID_REGION = "身份证号前6位不是已知的行政区划代码"
    CORE_STUDENT_NO_FORMAT = "学籍号格式不正确：应为G加18位身份证号，或J/L加18位编号"
    CORE_STUDENT_NO_ID = "学籍号中的身份证号无效"
    CORE_SCHOOL_CODE_FORMAT = "学校标识码应为10位数字"
    CORE_MOBILE_FORMAT = "手机号应为11位、以1开头的中国大陆手机号码"
    CORE_CODE_UNKNOWN = "不在代码表中"
    CORE_NOT_FOUND = "记录不存在或无权查看"
    CORE_FORBIDDEN = "没有执行此操作的权限"
    CORE_INVALID_INPUT = "请求参数不正确"
    CORE_QUERY_TOO_LONG = "查询条件过长，请缩短后重试"
    CORE_NUMBER_OUT_OF_RANGE = "数字超出允许的范围，请检查后重试"


class ZhijiaoError(Exception):
    """A failure a user can act on: a code, a Chinese message, and where it happened."""

    def __init__(
        self,
        error: ErrorCode,
        *,
        field: str | None = None,
        detail: str = "",
        status: int = 400,
    ) -> None:
        self.error = error
        self.field = field
        self.detail = detail
        self.status = status
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        text = self.error.message
        if self.field:
            text = f"{self.field}：{text}"
        if self.detail:
            text = f"{text}（{self.detail}）"
        return text

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(ZhijiaoError):
    """Raised for missing records and for records outside the actor's scope alike, so nothing leaks."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(CoreError.CORE_NOT_FOUND, detail=detail, status=404)


class Forbidden(ZhijiaoError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(CoreError.CORE_FORBIDDEN, detail=detail, status=403)
