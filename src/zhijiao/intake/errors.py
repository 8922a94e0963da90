"""Intake's error codes: file-level problems and the rule catalogue's row-level messages."""

from __future__ import annotations

from zhijiao.core.errors import ErrorCode

MAX_PUSH_RECORDS = 5000  # records in one exchange push


class IntakeError(ErrorCode):
    # the file as a whole
    INTAKE_KIND_UNKNOWN = "未知的数据类型"
    INTAKE_FILE_UNREADABLE = "文件无法读取，请确认是 Excel（xlsx/xls）或 CSV 文件且未加密"
    INTAKE_ENCODING = "无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 Excel 文件"
    INTAKE_HEADER_NOT_FOUND = "在前20行中找不到表头，请使用下载的模板（表头应包含"
    INTAKE_COLUMNS_MISSING = "缺少必填列"
    INTAKE_EMPTY = "文件中没有数据行"
    INTAKE_SCHOOL_REQUIRED = "学校账号导入时须指定学校"
    INTAKE_NOT_ALLOWED = "没有导入数据的权限"
    INTAKE_BATCH_RUNNING = "该批次正在处理中"
    INTAKE_FILE_TOO_LARGE = "文件过大"
    INTAKE_HEADER_AMBIGUOUS = (
        "表头有重名的列，无法判断各列分别是什么，请把列名改为模板中的列名（如“联系电话”“监护人电话”）后重新导入"
    )
    # rows
    INTAKE_REQUIRED = "必填项为空"
    INTAKE_CODE_UNKNOWN = "不在代码表中"
    INTAKE_NAME_DIGITS = "姓名含数字"
    INTAKE_DATE_INVALID = "日期无法识别（可写作 2010-03-05、2010/3/5、2010年3月5日 或 20100305）"
    INTAKE_DATE_FUTURE = "日期晚于今天"
    INTAKE_INT_INVALID = "应为整数"
    INTAKE_BOOL_INVALID = "应填“是”或“否”"
    INTAKE_ID_EXCEL_NUMBER = "身份证件号被 Excel 存成了数字，后几位已丢失；请把该列设为文本格式后重新填写"
    INTAKE_BIRTH_MISMATCH = "出生日期与身份证件号不一致"
    INTAKE_SEX_MISMATCH = "性别与身份证件号不一致"
    INTAKE_AGE_GRADE = "年龄与年级不符"
    INTAKE_CLASS_OVER_CAPACITY = "导入后班级人数超过额定人数（超额），请核对班级或调整额定人数"
    INTAKE_STUDENT_NO_ID_MISMATCH = "学籍号中的身份证号与身份证件号不一致"
    INTAKE_SCHOOL_UNKNOWN = "学校标识码不存在"
    INTAKE_SCHOOL_OUT_OF_SCOPE = "无权导入该学校的数据"
    INTAKE_SCHOOL_NOT_SELECTED = "与本次导入选定的学校不一致"
    INTAKE_DIVISION_UNKNOWN = "不是已知的区县行政区划代码"
    INTAKE_GRADE_UNKNOWN = "年级无法识别（可写作 三年级、初二、七年级、高一 或 2024级）"
    INTAKE_GRADE_NOT_OFFERED = "该校不设此学段"
    INTAKE_CLASS_UNKNOWN = "班级不存在，请先导入班级"
    INTAKE_STAFF_UNKNOWN = "工号在该校不存在，请先导入教职工"
    INTAKE_STUDENT_UNKNOWN = "学籍号不存在，请先导入学生"
    INTAKE_STUDENT_NAME_MISMATCH = "学生姓名与学籍号不符"
    INTAKE_HEAD_TEACHER_UNKNOWN = "班主任工号在该校不存在，班主任未设置"
    INTAKE_TERM_UNKNOWN = "学年学期不存在"
    INTAKE_DUPLICATE_IN_FILE = "与本文件中前面的行重复"
    INTAKE_ID_TAKEN = "身份证件号已属于另一人"
    INTAKE_STUDENT_NO_TAKEN = "学籍号已属于另一人"
    INTAKE_DUPLICATE_ENROLMENT = "该生已在另一所学校在籍（重复学籍），已提交教育局比对处理"
    INTAKE_DECIDED_ELSEWHERE = "教育局已裁定该生学籍在另一所学校"
    INTAKE_PENDING_REVIEW = "疑似与已有学生为同一人，已提交人工比对"
    INTAKE_MOBILE_DROPPED = "手机号格式不正确，该字段未导入"


class ExchangeError(ErrorCode):
    INTAKE_EXCHANGE_NO_RECORDS = "请求中没有记录（records 为空）"
    INTAKE_EXCHANGE_TOO_MANY = f"单次最多推送 {MAX_PUSH_RECORDS} 条记录，请分批推送"
    INTAKE_EXCHANGE_RECORD_EMPTY = "记录中没有任何可识别的字段值"
    INTAKE_EXCHANGE_FIELD_UNKNOWN = "不是该数据类型的字段，已忽略"
    INTAKE_EXCHANGE_FIELD_CONFLICT = "同一字段以不同的名称给出了不同的值"
    INTAKE_EXCHANGE_VALUE_INVALID = "字段值应为文本、数字或布尔值"
    INTAKE_EXCHANGE_BATCH_FAILED = "导入未完成，未写入任何数据"
    INTAKE_EXCHANGE_KINDS_UNKNOWN = "未知的变更数据类型"
    INTAKE_EXCHANGE_PARAM_INVALID = "参数不正确"


class RateLimitError(ErrorCode):
    INTAKE_RATE_LIMITED = "请求过于频繁，已超过数据交换接口的调用频率上限"
