"""学生当前状态 (JY/T 1001, table EDU_JY_XSDQZT): the codes and the one rule for "on the roll", stated once.

A pupil is **studying** (在校就读, on the roll) when the status is **01 在读** or **05 复学**: 复学 is a pupil back
from 休学 and attending again, so the two count alike. Every other status — 02 休学, 03 退学, 04 停学, 06 流失,
07 毕业, 10 转学（转出）… — is not on the roll: the pupil is not counted in a class's size or the headcount, has no
live account and is not "enrolled elsewhere" for a duplicate-enrolment check.

Every count, page, metric, account rule and check asks here:

* Python: :func:`is_studying` (``status in STUDYING``);
* Django: :func:`studying_q` (``Student.objects.filter(studying_q())``, ``studying_q("students__")`` through a
  relation);
* SQL text (no parameters, safe because the codes are constants): :func:`studying_sql`;
* Polars ``pl.col("status").is_in(STUDYING_CODES)``, Ibis ``table.status.isin(STUDYING_CODES)``.

A new record (an import, the demo) starts as :attr:`StudentStatus.IN_SCHOOL` (01 在读).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from zhijiao.core.codes import code_name

__all__ = ["STUDYING", "STUDYING_CODES", "StudentStatus", "is_studying", "studying_q", "studying_sql"]


class StudentStatus(StrEnum):
    """JY/T 1001 学生当前状态代码; the member's value is the code (``StudentStatus.IN_SCHOOL == "01"``)."""

    IN_SCHOOL = "01"  # 在读
    SUSPENDED = "02"  # 休学
    WITHDRAWN = "03"  # 退学
    STOPPED = "04"  # 停学
    RESUMED = "05"  # 复学
    DROPPED_OUT = "06"  # 流失
    GRADUATED = "07"  # 毕业
    COMPLETED = "08"  # 结业
    LEFT_UNFINISHED = "09"  # 肄业
    TRANSFERRED_OUT = "10"  # 转学（转出）
    DECEASED = "11"  # 死亡
    PLACE_RESERVED = "12"  # 保留入学资格
    ABROAD = "13"  # 公派出国
    EXPELLED = "14"  # 开除
    MISSING = "15"  # 下落不明
    OTHER = "99"  # 其他

    @property
    def label(self) -> str:
        """The Chinese name from the national code table (在读, 复学 …)."""
        return code_name("student_status", self.value)


# The statuses on the roll: 在读 and 复学 (see the module docstring and the decision record).
STUDYING_CODES: tuple[str, ...] = (StudentStatus.IN_SCHOOL.value, StudentStatus.RESUMED.value)
STUDYING: frozenset[str] = frozenset(STUDYING_CODES)


def is_studying(status: str | None) -> bool:
    """Whether a pupil with this 学生当前状态 is on the roll (01 在读 or 05 复学)."""
    return status in STUDYING


def studying_q(prefix: str = "") -> Q:
    """Django filter for pupils on the roll; ``prefix`` reaches the student through a relation (``"student__"``)."""
    return Q(**{f"{prefix}status__in": STUDYING_CODES})


def studying_sql(column: str) -> str:
    """``column IN ('01', '05')`` for hand-written SQL (the codes are constants, so no parameters are needed)."""
    return f"{column} IN ({', '.join(repr(code) for code in STUDYING_CODES)})"
