from __future__ import annotations

from django import template

from zhijiao.core.codes import code_name
from zhijiao.core.masking import mask_id_number, mask_student_no
from zhijiao.org.models import SchoolClass
from zhijiao.org.selectors import class_display_name

register = template.Library()


@register.filter
def code(value: str, table: str) -> str:
    """``{{ school.school_type|code:"school_type" }}`` → 小学."""
    return code_name(table, value)


@register.filter
def masked_student_no(value: str) -> str:
    return mask_student_no(value)


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def initial(name: str) -> str:
    """The character shown in an avatar: the given name's last character reads friendlier than the surname."""
    return name[-1:] if name else "?"


@register.filter
def num(value: int | None) -> str:
    """Thousands separators the way Chinese statistics print them: 54,368."""
    return f"{int(value or 0):,}"


@register.filter
def class_name(school_class: SchoolClass | None) -> str:
    """A class as people say it this school year: 三年级（2）班."""
    return class_display_name(school_class) if school_class else ""


CHANGE_FIELDS = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "id_type": "身份证件类型",
    "id_number": "身份证件号",
    "phone": "手机号",
    "address": "住址",
    "school_class": "班级",
}


@register.filter
def change_field(name: str) -> str:
    return CHANGE_FIELDS.get(name, name)
