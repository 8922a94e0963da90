from zhijiao.core.errors import ErrorCode


class ServicesError(ErrorCode):
    SERVICES_LOTTERY_LIST = "报名名单有误"
    SERVICES_LOTTERY_SEATS = "招生名额应为正整数"
    SERVICES_LOTTERY_YEAR = "年份不正确"
    SERVICES_LOTTERY_EXISTS = "这所学校这一年已有派位"
    SERVICES_LOTTERY_INPUT = "公开数据格式不正确"
    SERVICES_LOTTERY_ALREADY_DRAWN = "已经抽签，不能重新抽签"
    SERVICES_LOTTERY_NOT_DRAWN = "还没有抽签，不能公布结果"
    SERVICES_LOTTERY_ALREADY_PUBLISHED = "结果已经公布"
    SERVICES_LOTTERY_TAMPERED = "名单与公示的承诺值不一致，不能抽签"
    SERVICES_LOTTERY_NOT_ALLOWED = "只有学校所在区县（或上级）的区域管理员可以组织派位"
    # 学籍异动
    SERVICES_CASE_NOT_APPLICANT = "只有学生所在学校的学校管理员、班主任或学生的监护人可以申请学籍异动"
    SERVICES_CASE_OPEN = "这名学生已有一件正在办理的学籍异动申请"
    SERVICES_CASE_REASON = "请填写申请理由（不超过500字）"
    SERVICES_CASE_NOTE = "请填写说明（不超过500字）"
    SERVICES_CASE_STATE = "学生当前的学籍状态不能办理这项异动"
    SERVICES_CASE_TO_SCHOOL = "请选择转入学校（不能是学生现在的学校）"
    SERVICES_CASE_TO_CLASS = "请选择转入学校的一个班级"
    SERVICES_CASE_DATE = "生效日期不正确"
    SERVICES_CASE_CLOSED = "这件申请已经办结，不能再操作"
    SERVICES_CASE_NOT_YOUR_STEP = "当前环节不由您审核"
    SERVICES_CASE_SAME_APPROVER = "同一个人不能审核同一申请的两个环节"
    SERVICES_CASE_NOT_WAITING = "这件申请现在不是等待补充材料"
    SERVICES_CASE_KIND = "异动类型不正确"
    SERVICES_CASE_ACTION = "无法识别的操作，请刷新页面后重试"
    # 校外培训机构
    SERVICES_INSTITUTION_FIELD = "机构信息有误"
    SERVICES_INSTITUTION_EXISTS = "这个办学许可证号已经登记"
    SERVICES_INSTITUTION_FILE = "导入文件有误，没有导入任何机构"
    SERVICES_INSTITUTION_NOT_ALLOWED = "只有区域管理员可以管理校外培训机构"
