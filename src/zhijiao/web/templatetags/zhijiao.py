from __future__ import annotations

from django import template

from zhijiao.core.class_size import LARGE_CLASS, VERY_LARGE_CLASS
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


@register.simple_tag
def large_class_rule() -> str:
    """The 大班额 line as pages state it (from core.class_size, never written in a template)."""
    return f"{LARGE_CLASS}人及以上"


@register.simple_tag
def very_large_class_rule() -> str:
    return f"{VERY_LARGE_CLASS}人及以上"


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
    "class": "班级",
    "class_id": "班级",
    "student_no": "学籍号",
    "status": "学籍状态",
    "study_mode": "就读方式",
    "health": "健康状况",
    "hukou": "户口性质",
    "hukou_place": "户口所在地",
    "enrolled_on": "入学日期",
    "relation": "与学生关系",
    "staff_no": "工号",
    "category": "教职工类别",
    "post": "岗位",
    "subject": "任教学科",
    "hired_on": "入职日期",
    "is_active": "在岗",
}
# history values stored as codes, shown by their names
CHANGE_CODES = {
    "sex": "sex",
    "ethnicity": "ethnicity",
    "id_type": "id_type",
    "status": "student_status",
    "study_mode": "study_mode",
    "health": "health",
    "hukou": "hukou",
    "relation": "family_relation",
    "category": "staff_category",
    "subject": "subject",
}


@register.filter
def change_field(name: str) -> str:
    return CHANGE_FIELDS.get(name, name)


@register.filter
def change_value(value: str, field: str) -> str:
    """A history value as people read it: code names for codes, class names for class ids."""
    if not value:
        return ""
    if field in CHANGE_CODES:
        return code_name(CHANGE_CODES[field], value) or value
    if field in ("school_class", "class", "class_id") and value.isdigit():
        school_class = SchoolClass.objects.filter(pk=int(value)).select_related("grade", "school").first()
        return f"{school_class.school.name} {class_display_name(school_class)}" if school_class else "（已撤销的班级）"
    return value


@register.filter
def change_source(source: str) -> str:
    """``import:12#7`` → 数据导入（第 12 批第 7 行）; ``web`` → 页面; ``api`` → 接口."""
    if source.startswith("import:"):
        batch, _, row = source.removeprefix("import:").partition("#")
        if not batch.isdigit():
            return "数据导入"
        return f"数据导入（第 {batch} 批第 {row} 行）" if row.isdigit() else f"数据导入（第 {batch} 批）"
    return {"web": "页面", "api": "接口", "demo": "演示数据", "": "—"}.get(source, "其他")
