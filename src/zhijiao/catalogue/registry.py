"""The registry's datasets as catalogue entries: the data behind the seed migration and ``catalogue_sync``.

Field keys are the intake template's column keys, so a data item names the same thing in the catalogue, the
import template and the exchange API. Standards cite the JY/T 1002 data subclass the item belongs to; code
tables are the names in ``zhijiao.core.codes``.
"""

from __future__ import annotations

from typing import NamedTuple


class Item(NamedTuple):
    name: str
    field: str
    standard: str
    code_table: str = ""
    required: bool = False
    personal: bool = False


class Entry(NamedTuple):
    code: str
    name: str
    description: str
    provider: str
    sharing: str
    sharing_note: str
    update_method: str
    update_cycle_days: int
    update_cycle: str
    import_kind: str
    items: tuple[Item, ...]


FORMAT = "结构化数据（Excel/CSV/API）"
SCHOOL_STD = "JY/T 1002 XXJBSJ"  # 学校基本数据子类
CLASS_STD = "JY/T 1002 BJSJ"  # 班级数据子类
STAFF_STD = "JY/T 1002 JZGJBSJ"  # 教职工基本数据子类
STUDENT_STD = "JY/T 1002 XSJBSJ"  # 学生基本数据子类
FAMILY_STD = "JY/T 1002 XSJTCYSJ"  # 学生家庭成员数据子类
TEACHING_STD = "JY/T 1002 RKXXSJ"  # 任课信息数据子类
PERSON_STD = "GB 11643"

# What a standard code means, as the catalogue page names it (the codes themselves are for bureau data staff)
STANDARD_NAMES: dict[str, str] = {
    SCHOOL_STD: "学校基本数据",
    CLASS_STD: "班级数据",
    STAFF_STD: "教职工基本数据",
    STUDENT_STD: "学生基本数据",
    FAMILY_STD: "学生家庭成员数据",
    TEACHING_STD: "任课信息数据",
    PERSON_STD: "公民身份号码",
    "GB/T 2260": "行政区划代码",
    "GB/T 2261.1": "人的性别代码",
    "GB/T 2261.3": "健康状况代码",
    "GB/T 3304": "民族名称代码",
    "GB/T 4761": "家庭关系代码",
    "GB/T 4762": "政治面貌代码",
    "GB/T 17538": "户口性质代码",
}


def standard_name(standard: str) -> str:
    """The Chinese name of a standard code ("JY/T 1002 XSJBSJ" → 学生基本数据); "" for none."""
    return STANDARD_NAMES.get(standard, standard)


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "schools",
        "学校基本信息",
        "辖区内各级各类学校的标识码、名称、办学类型、举办者、区划、地址与联系方式。",
        "区教育局",
        "open",
        "学校名称、标识码、办学类型、地址等公开信息，可向各部门无条件共享。",
        "教育局维护 / 学校导入",
        365,
        "每年",
        "schools",
        (
            Item("学校标识码", "school_code", SCHOOL_STD, required=True),
            Item("学校名称", "name", SCHOOL_STD, required=True),
            Item("办学类型", "school_type", SCHOOL_STD, "school_type", required=True),
            Item("举办者", "sponsor", SCHOOL_STD, "sponsor"),
            Item("学段", "stages", SCHOOL_STD, "stage", required=True),
            Item("所在地区划代码", "division", "GB/T 2260", required=True),
            Item("学校地址", "address", SCHOOL_STD),
            Item("联系电话", "phone", SCHOOL_STD),
            Item("校长姓名", "principal", SCHOOL_STD),
            Item("建校年份", "founded_year", SCHOOL_STD),
        ),
    ),
    Entry(
        "classes",
        "班级信息",
        "各学校的年级、班级、班主任与额定人数，是学生在籍与任课的组织基础。",
        "各学校",
        "conditional",
        "向教育行政部门及经授权的业务系统共享，用于学位、班额统计。",
        "学校导入 / 数据交换接口",
        183,
        "每学期",
        "classes",
        (
            Item("学校标识码", "school_code", SCHOOL_STD, required=True),
            Item("年级", "grade", CLASS_STD, "grade", required=True),
            Item("班号", "class_no", CLASS_STD, required=True),
            Item("班级名称", "class_name", CLASS_STD),
            Item("班主任工号", "head_staff_no", CLASS_STD),
            Item("额定人数", "capacity", CLASS_STD),
        ),
    ),
    Entry(
        "staff",
        "教职工基本信息",
        "学校在岗教职工的身份、类别、岗位、任教学科与联系方式。",
        "各学校",
        "conditional",
        "身份证件号、手机号按角色脱敏；向人社、编办等部门共享须经教育局审批。",
        "学校导入 / 数据交换接口",
        183,
        "每学期",
        "staff",
        (
            Item("学校标识码", "school_code", SCHOOL_STD, required=True),
            Item("工号", "staff_no", STAFF_STD, required=True),
            Item("姓名", "name", STAFF_STD, required=True),
            Item("性别", "sex", "GB/T 2261.1", "sex", required=True),
            Item("出生日期", "birth_date", STAFF_STD, required=True),
            Item("民族", "ethnicity", "GB/T 3304", "ethnicity"),
            Item("身份证件类型", "id_type", STAFF_STD, "id_type"),
            Item("身份证件号", "id_number", PERSON_STD, personal=True),
            Item("政治面貌", "political", "GB/T 4762", "political"),
            Item("教职工类别", "category", STAFF_STD, "staff_category", required=True),
            Item("岗位", "post", STAFF_STD),
            Item("任教学科", "subject", STAFF_STD, "subject"),
            Item("手机号", "phone", STAFF_STD, personal=True),
            Item("入职年月", "hired_on", STAFF_STD),
        ),
    ),
    Entry(
        "students",
        "学生基本信息",
        "在读学生的身份、学籍、在籍学校班级、户籍与监护人联系信息，对应全国学籍系统的学生基础信息。",
        "各学校",
        "conditional",
        "仅向教育行政部门和经授权的业务系统共享；身份证件号、学籍号、住址、电话脱敏，查看明文留痕。",
        "学校导入 / 数据交换接口",
        30,
        "每月",
        "students",
        (
            Item("姓名", "name", STUDENT_STD, required=True),
            Item("性别", "sex", "GB/T 2261.1", "sex", required=True),
            Item("出生日期", "birth_date", STUDENT_STD, required=True),
            Item("民族", "ethnicity", "GB/T 3304", "ethnicity"),
            Item("身份证件类型", "id_type", STUDENT_STD, "id_type"),
            Item("身份证件号", "id_number", PERSON_STD, personal=True),
            Item("学籍号", "student_no", STUDENT_STD, required=True, personal=True),
            Item("学校标识码", "school_code", SCHOOL_STD, required=True),
            Item("年级", "grade", CLASS_STD, "grade", required=True),
            Item("班级", "class_no", CLASS_STD, required=True),
            Item("入学年月", "enrolled_on", STUDENT_STD),
            Item("就读方式", "study_mode", STUDENT_STD, "study_mode"),
            Item("户口所在地", "hukou_place", STUDENT_STD),
            Item("户口性质", "hukou", "GB/T 17538", "hukou"),
            Item("健康状况", "health", "GB/T 2261.3", "health"),
            Item("家庭住址", "address", STUDENT_STD, personal=True),
            Item("联系电话", "phone", STUDENT_STD, personal=True),
            Item("监护人姓名", "guardian_name", FAMILY_STD),
            Item("监护人关系", "guardian_relation", "GB/T 4761", "family_relation"),
            Item("监护人电话", "guardian_phone", FAMILY_STD, personal=True),
        ),
    ),
    Entry(
        "guardians",
        "监护人信息",
        "学生的监护人及其与学生的关系、证件、联系电话与工作单位。",
        "各学校",
        "closed",
        "仅限本校与教育局用于家校联系和资助认定，不向其他部门共享。",
        "学校导入",
        183,
        "每学期",
        "guardians",
        (
            Item("学生学籍号", "student_no", STUDENT_STD, required=True, personal=True),
            Item("学生姓名", "student_name", STUDENT_STD, required=True),
            Item("监护人姓名", "name", FAMILY_STD, required=True),
            Item("关系", "relation", "GB/T 4761", "family_relation", required=True),
            Item("是否法定监护人", "is_legal", FAMILY_STD),
            Item("身份证件类型", "id_type", FAMILY_STD, "id_type"),
            Item("身份证件号", "id_number", PERSON_STD, personal=True),
            Item("手机号", "phone", FAMILY_STD, required=True, personal=True),
            Item("工作单位", "employer", FAMILY_STD),
        ),
    ),
    Entry(
        "assignments",
        "任课信息",
        "每学期各班级各学科的任课教师安排，用于教学统计与教师工作量核算。",
        "各学校",
        "conditional",
        "向教育行政部门及教研、督导业务系统共享。",
        "学校导入 / 数据交换接口",
        183,
        "每学期",
        "assignments",
        (
            Item("学校标识码", "school_code", SCHOOL_STD, required=True),
            Item("工号", "staff_no", STAFF_STD, required=True),
            Item("教师姓名", "staff_name", STAFF_STD),
            Item("年级", "grade", CLASS_STD, "grade", required=True),
            Item("班号", "class_no", CLASS_STD, required=True),
            Item("任教学科", "subject", TEACHING_STD, "subject", required=True),
            Item("学年", "school_year", TEACHING_STD),
            Item("学期", "term", TEACHING_STD),
        ),
    ),
)
