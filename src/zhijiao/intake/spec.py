"""What each import kind's file holds: columns named after JY/T 1002 / JY/T 1004 fields, with the synonyms
real exports use, their types and whether they are required.

The spec is data: templates, header matching, normalisation, validation and the error report all read it,
so a column is described once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zhijiao.core.validators import id_check_digit


class FieldType(StrEnum):
    TEXT = "text"  # free text, whitespace-normalised
    NAME = "name"  # a person's name: all whitespace removed
    CODE = "code"  # a national code table, given by code or by name
    DATE = "date"
    MONTH = "month"  # 入学年月, 入职年月: a date whose day does not matter
    YEAR = "year"
    INT = "int"
    ID_NUMBER = "id_number"
    STUDENT_NO = "student_no"
    SCHOOL_CODE = "school_code"
    MOBILE = "mobile"
    PHONE = "phone"  # landline or mobile
    GRADE = "grade"  # 年级: 三年级, 初二, 七年级, 2024级 …
    CLASS_NO = "class_no"  # 班级: 2, 2班, （2）班, 三年级2班
    BOOL = "bool"


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    type: FieldType
    required: bool = False
    table: str | None = None
    synonyms: tuple[str, ...] = ()
    example: str = ""
    note: str = ""


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    fields: tuple[Field, ...]
    key_fields: tuple[str, ...]  # what makes two rows of one file the same record

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


F = Field
T = FieldType


def _example_id(first17: str) -> str:
    """A template's sample ID number: computed, so its check digit is right (a test validates every sample)."""
    return first17 + id_check_digit(first17)


PUPIL_ID = _example_id("42011220160305123")
GUARDIAN_ID = _example_id("42011219850305123")

_SCHOOL = F(
    "school_code",
    "学校标识码",
    T.SCHOOL_CODE,
    True,
    synonyms=("学校代码", "学校编码", "学校识别码"),
    example="3420112001",
)
_NAME = F("name", "姓名", T.NAME, True, synonyms=("学生姓名", "教师姓名", "名字"), example="张三")
_SEX = F("sex", "性别", T.CODE, True, "sex", synonyms=("性别码",), example="男")
_BIRTH = F("birth_date", "出生日期", T.DATE, True, synonyms=("出生年月日", "生日", "出生年月"), example="2016-03-05")
_ETHNIC = F("ethnicity", "民族", T.CODE, False, "ethnicity", synonyms=("民族码",), example="汉族")
_ID_TYPE = F(
    "id_type", "身份证件类型", T.CODE, False, "id_type", synonyms=("证件类型", "身份证件类型码"), example="居民身份证"
)
_ID = F(
    "id_number",
    "身份证件号",
    T.ID_NUMBER,
    False,
    synonyms=("身份证件号码", "身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码"),
    example=PUPIL_ID,
    note="请把该列设为文本格式，否则Excel会丢失后几位",
)

SPECS: dict[str, KindSpec] = {
    "schools": KindSpec(
        "schools",
        "学校",
        (
            _SCHOOL,
            F("name", "学校名称", T.TEXT, True, synonyms=("学校全称", "名称"), example="武汉市东西湖区实验小学"),
            F(
                "school_type",
                "办学类型",
                T.CODE,
                True,
                "school_type",
                synonyms=("办学类型码", "学校类型"),
                example="小学",
            ),
            F(
                "sponsor",
                "举办者",
                T.CODE,
                False,
                "sponsor",
                synonyms=("举办者类型", "举办者类型码"),
                example="县级教育部门",
            ),
            F(
                "division",
                "所在地区划代码",
                T.TEXT,
                True,
                synonyms=("行政区划代码", "所在地区划", "区划代码"),
                example="420112",
            ),
            F("address", "学校地址", T.TEXT, synonyms=("地址", "学校地址"), example="武汉市东西湖区吴家山街1号"),
            F("phone", "联系电话", T.PHONE, synonyms=("电话", "办公电话"), example="027-83891234"),
            F("principal", "校长姓名", T.NAME, synonyms=("校长", "负责人"), example="李明"),
            F("founded_year", "建校年份", T.YEAR, synonyms=("建校年月", "建校时间"), example="1985"),
        ),
        ("school_code",),
    ),
    "classes": KindSpec(
        "classes",
        "班级",
        (
            _SCHOOL,
            F("grade", "年级", T.GRADE, True, synonyms=("年级名称", "所在年级"), example="三年级"),
            F("class_no", "班号", T.CLASS_NO, True, synonyms=("班级号", "班级", "班级编号"), example="2"),
            F("class_name", "班级名称", T.TEXT, synonyms=("班名",), example="三年级（2）班"),
            F("head_staff_no", "班主任工号", T.TEXT, synonyms=("班主任教工号", "班主任"), example="T0012"),
            F("capacity", "额定人数", T.INT, synonyms=("核定人数", "计划人数"), example="45"),
        ),
        ("school_code", "grade", "class_no"),
    ),
    "staff": KindSpec(
        "staff",
        "教职工",
        (
            _SCHOOL,
            F("staff_no", "工号", T.TEXT, True, synonyms=("教工号", "教职工号", "职工号"), example="T0012"),
            _NAME,
            _SEX,
            _BIRTH,
            _ETHNIC,
            _ID_TYPE,
            _ID,
            F("political", "政治面貌", T.CODE, False, "political", synonyms=("政治面貌码",), example="群众"),
            F(
                "category",
                "教职工类别",
                T.CODE,
                True,
                "staff_category",
                synonyms=("教职工类别码", "人员类别"),
                example="专任教师",
            ),
            F("post", "岗位", T.TEXT, synonyms=("岗位名称", "职务"), example="数学教师"),
            F("subject", "任教学科", T.CODE, False, "subject", synonyms=("主要任教学科", "学科"), example="数学"),
            F("phone", "手机号", T.MOBILE, synonyms=("手机号码", "联系电话", "手机"), example="13912345678"),
            F("hired_on", "入职年月", T.MONTH, synonyms=("参加工作年月", "入职日期", "来校年月"), example="2015-09"),
        ),
        ("school_code", "staff_no"),
    ),
    "students": KindSpec(
        "students",
        "学生",
        (
            _NAME,
            _SEX,
            _BIRTH,
            _ETHNIC,
            _ID_TYPE,
            _ID,
            F(
                "student_no",
                "学籍号",
                T.STUDENT_NO,
                True,
                synonyms=("全国学籍号", "学籍辅号", "学生学籍号"),
                example=f"G{PUPIL_ID}",
            ),
            _SCHOOL,
            F("grade", "年级", T.GRADE, True, synonyms=("所在年级", "年级名称"), example="三年级"),
            F("class_no", "班级", T.CLASS_NO, True, synonyms=("班号", "所在班级", "班级名称", "班级号"), example="2"),
            F("enrolled_on", "入学年月", T.MONTH, synonyms=("入学日期", "入学时间"), example="2024-09"),
            F("study_mode", "就读方式", T.CODE, False, "study_mode", synonyms=("就读方式码",), example="走读"),
            F(
                "hukou_place",
                "户口所在地",
                T.TEXT,
                synonyms=("户籍所在地", "户口所在地行政区划", "户籍地"),
                example="湖北省武汉市东西湖区",
            ),
            F("guardian_name", "监护人姓名", T.NAME, synonyms=("监护人", "家长姓名", "监护人1姓名"), example="张建国"),
            F(
                "guardian_relation",
                "监护人关系",
                T.CODE,
                False,
                "family_relation",
                synonyms=("与学生关系", "关系", "监护人1关系", "家长关系"),
                example="父亲",
            ),
            F(
                "guardian_phone",
                "监护人电话",
                T.MOBILE,
                synonyms=("监护人手机", "监护人联系电话", "家长电话", "家长手机", "监护人1电话"),
                example="13912345678",
            ),
            F("health", "健康状况", T.CODE, False, "health", synonyms=("健康状况码",), example="健康或良好"),
            F("hukou", "户口性质", T.CODE, False, "hukou", synonyms=("户口性质码",), example="非农业家庭户口"),
            F("address", "家庭住址", T.TEXT, synonyms=("现住址", "住址", "家庭地址"), example="东西湖区吴家山街2号"),
            F("phone", "联系电话", T.MOBILE, synonyms=("学生电话", "本人电话"), example="13812345678"),
        ),
        ("student_no",),
    ),
    "guardians": KindSpec(
        "guardians",
        "监护人",
        (
            F("student_no", "学生学籍号", T.STUDENT_NO, True, synonyms=("学籍号",), example=f"G{PUPIL_ID}"),
            F("student_name", "学生姓名", T.NAME, True, example="张三"),
            F("name", "监护人姓名", T.NAME, True, synonyms=("监护人", "家长姓名", "姓名"), example="张建国"),
            F(
                "relation",
                "关系",
                T.CODE,
                True,
                "family_relation",
                synonyms=("与学生关系", "监护人关系"),
                example="父亲",
            ),
            F("is_legal", "是否法定监护人", T.BOOL, synonyms=("法定监护人",), example="是"),
            _ID_TYPE,
            F("id_number", "身份证件号", T.ID_NUMBER, synonyms=_ID.synonyms, example=GUARDIAN_ID),
            F("phone", "手机号", T.MOBILE, True, synonyms=("手机号码", "联系电话", "电话"), example="13912345678"),
            F("employer", "工作单位", T.TEXT, synonyms=("工作单位名称", "单位"), example="东西湖区人民医院"),
        ),
        ("student_no", "name"),
    ),
    "assignments": KindSpec(
        "assignments",
        "任课安排",
        (
            _SCHOOL,
            F("staff_no", "工号", T.TEXT, True, synonyms=("教工号", "教职工号"), example="T0012"),
            F("staff_name", "教师姓名", T.NAME, synonyms=("姓名", "任课教师"), example="李明"),
            F("grade", "年级", T.GRADE, True, example="三年级"),
            F("class_no", "班号", T.CLASS_NO, True, synonyms=("班级",), example="2"),
            F("subject", "任教学科", T.CODE, True, "subject", synonyms=("学科", "课程"), example="数学"),
            F("school_year", "学年", T.TEXT, synonyms=("学年度",), example="2026-2027"),
            F("term", "学期", T.TEXT, synonyms=("学期名称",), example="第一学期"),
        ),
        ("school_code", "staff_no", "grade", "class_no", "subject"),
    ),
}

KIND_LABELS = {kind: spec.label for kind, spec in SPECS.items()}

# Words people write for codes that the tables spell differently. Keys are table names.
CODE_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {"男性": "1", "女性": "2", "M": "1", "F": "2", "MALE": "1", "FEMALE": "2", "男生": "1", "女生": "2"},
    "id_type": {
        "身份证": "1",
        "二代身份证": "1",
        "居民身份证号": "1",
        "中华人民共和国居民身份证": "1",
        "港澳居民来往内地通行证": "6",
        "台胞证": "8",
        "户口本": "B",
        "户口簿": "B",
        "无": "Z",
    },
    "family_relation": {
        "爸爸": "51",
        "父": "51",
        "妈妈": "52",
        "母": "52",
        "爷爷": "61",
        "奶奶": "62",
        "外公": "63",
        "姥爷": "63",
        "外婆": "64",
        "姥姥": "64",
    },
    "study_mode": {"住读": "2", "寄宿": "2", "通校": "1"},
    "staff_category": {"教师": "11", "专职教师": "11", "行政": "13", "工勤": "14", "教辅": "12"},
    "political": {"党员": "01", "中共党员": "01", "团员": "03", "共青团员": "03"},
    "health": {"健康": "1", "良好": "1", "一般": "2", "较弱": "2"},
    "hukou": {"城镇": "1", "非农": "1", "非农业": "1", "农业": "2", "农村": "2"},
}

TRUE_WORDS = ("是", "Y", "YES", "TRUE", "1", "√", "对")
FALSE_WORDS = ("否", "N", "NO", "FALSE", "0", "×", "不是")
