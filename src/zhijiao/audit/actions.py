"""What the audit log's action codes mean to a reader: a Chinese label, a group and the result they record.

Actions are free strings written by each app (``auth.login``, ``person.view_pii`` …). This catalogue labels
them for the audit page and its export; the auditor reads the label, never the code (the code stays in the
export and as the label's tooltip). ``audit/tests/test_actions.py`` finds every action code and target type the
code writes and fails while one has no label here. An action missing anyway still shows (under its code, in the
group its prefix names) and its result is read from its name (``…_failed``, ``…denied`` … = 失败).
"""

from __future__ import annotations

from dataclasses import dataclass

SUCCESS, FAILURE = "success", "failure"
RESULT_LABELS = {SUCCESS: "成功", FAILURE: "失败"}

# prefix → group label, in the order the filter lists them
GROUPS: dict[str, str] = {
    "auth": "登录与会话",
    "accounts": "账号开通",
    "account": "账号管理",
    "grant": "角色授权",
    "oidc": "单点登录",
    "app": "应用管理",
    "person": "个人信息",
    "privacy": "未成年人数据授权",
    "intake": "数据导入",
    "taxonomy": "课程体系",
    "analytics": "数据分析",
    "resource": "资源中心",
    "item": "题库",
    "paper": "组卷",
    "homework": "作业与考试",
    "lottery": "电脑派位",
    "status_case": "学籍异动",
    "admission": "义务教育招生",
    "institution": "校外培训机构",
    "growth": "成长档案与体质健康",
    "research": "网络教研",
    "hours": "继续教育学时",
    "leave": "请假",
    "contact": "家校沟通",
    "spaces": "网络学习空间",
    "xapi": "学习记录库",
    "audit": "审计",
    "system": "系统运维",
}
OTHER_GROUP = "其他"

_FAILURE_MARKS = ("fail", "denied", "deny", "reject", "lockout", "reuse", "invalid", "error")


@dataclass(frozen=True)
class ActionInfo:
    code: str
    label: str
    group: str
    result: str


_LABELS: dict[str, str] = {
    "auth.login": "登录成功",
    "auth.login_failed": "登录失败",
    "auth.lockout": "账号被锁定",
    "auth.unlock": "解除锁定",
    "auth.password_change": "修改密码",
    "auth.otp_enrol": "绑定身份验证器",
    "auth.otp_verify": "二次验证通过",
    "auth.otp_failed": "动态口令错误",
    "auth.otp_reset": "重置身份验证器",
    "auth.otp_reset_denied": "重置身份验证器被拒绝",
    "auth.activation_issue": "发放激活码",
    "auth.activate": "激活账号",
    "accounts.sync": "按名册开通账号",
    "grant.add": "授予角色",
    "grant.add_denied": "授予角色被拒绝",
    "grant.remove": "撤销授权",
    "grant.remove_denied": "撤销授权被拒绝",
    "account.password_reset": "管理员重置密码",
    "account.password_reset_denied": "重置密码被拒绝",
    "account.disable": "停用账号",
    "account.disable_denied": "停用账号被拒绝",
    "account.enable": "启用账号",
    "account.enable_denied": "启用账号被拒绝",
    "oidc.token.issue": "应用获取令牌",
    "oidc.token.revoke": "吊销应用令牌",
    "oidc.token.refresh_reuse": "刷新令牌被重用",
    "oidc.consent": "同意应用授权",
    "oidc.deny": "拒绝应用授权",
    "oidc.denied": "拒绝登录应用",
    "oidc.backchannel_logout": "通知应用退出",
    "oidc.backchannel_logout_failed": "通知应用退出失败",
    "app.register": "登记应用",
    "app.update": "修改应用",
    "app.secret_reset": "重置应用密钥",
    "app.enable": "启用应用",
    "app.disable": "停用应用",
    "person.view_pii": "查看未脱敏个人信息",
    "privacy.consent_grant": "监护人同意授权",
    "privacy.consent_withdraw": "监护人撤回授权",
    "privacy.policy_set": "设置未成年人授权策略",
    "intake.upload": "上传导入文件",
    "intake.report_download": "下载导入问题数据",
    "intake.case_resolve": "处理比对待办",
    "taxonomy.import": "导入课程体系文件",
    "taxonomy.import_rejected": "课程体系文件有误，未导入",
    "lottery.commit": "公示派位名单与承诺值",
    "lottery.draw": "电脑派位抽签",
    "lottery.publish": "公布派位结果",
    "status_case.submit": "提交学籍异动申请",
    "status_case.approve": "审核通过学籍异动",
    "status_case.refuse": "学籍异动不予通过",
    "status_case.supplement_request": "要求补充学籍异动材料",
    "status_case.supplement": "补充学籍异动材料",
    "status_case.withdraw": "撤回学籍异动申请",
    "status_case.complete": "学籍异动办结，学籍已变更",
    "admission.plan_save": "设置招生计划",
    "admission.catchment_save": "设置施教区",
    "admission.catchments_import": "导入施教区",
    "admission.rule_save": "设置入学资格类别",
    "admission.submit": "提交入学申请",
    "admission.files_add": "上传入学申请材料",
    "admission.approve": "入学申请审核通过",
    "admission.refuse": "入学申请不予通过",
    "admission.supplement_request": "要求补充入学申请材料",
    "admission.supplement": "补充入学申请材料",
    "admission.appeal": "入学申请申诉",
    "admission.place": "招生派位录取",
    "admission.waitlist_fill": "候补递补录取",
    "admission.publish": "公布招生结果",
    "admission.enrol": "新生注册学籍",
    "admission.file_download": "下载入学申请材料",
    "admission.phone_login": "手机验证码登录报名",
    "institution.create": "登记校外培训机构",
    "institution.update": "修改校外培训机构信息",
    "institution.status": "变更校外培训机构状态",
    "institution.import": "导入校外培训机构",
    "institution.inspection": "登记机构检查结果",
    "institution.complaint": "登记机构投诉",
    "institution.staff": "登记机构从业人员",
    "xapi.credential_issue": "签发学习记录库凭据",
    "xapi.credential_revoke": "停用学习记录库凭据",
    "xapi.learner_erase": "依法删除学习者的学习记录",
    "xapi.learner_export": "导出学习者的学习记录",
    "xapi.retention_set": "设置学习记录保留期限",
    "xapi.retention_apply": "按保留期限删除学习记录",
    "growth.fitness_session_create": "创建体质测试",
    "growth.fitness_results_import": "导入体质测试成绩",
    "growth.fitness_area_import": "区域导入体质测试成绩",
    "growth.record_create": "新增写实记录",
    "growth.record_class_create": "为全班记录活动",
    "growth.record_withdraw": "撤销写实记录",
    "growth.records_import": "导入获奖与活动记录",
    "growth.evidence_add": "上传佐证材料",
    "growth.evidence_download": "查看佐证材料",
    "growth.review_open": "开启综合素质评价遴选",
    "growth.review_settings": "修改遴选与公示设置",
    "growth.selection_set": "遴选写实记录",
    "growth.level_set": "评定学期等级",
    "growth.statement_set": "填写评语或自我陈述",
    "growth.sheet_save": "保存全班等级与评语",
    "growth.review_publish": "发布班级公示",
    "growth.objection_raise": "提出公示异议",
    "growth.objection_uphold": "异议成立并处理",
    "growth.objection_reject": "答复异议不成立",
    "growth.review_audit": "审核综合素质评价",
    "growth.review_archive": "综合素质评价归档",
    "growth.archive_freeze": "封存毕业档案",
    "growth.archive_export": "导出毕业档案",
    "growth.health_save": "录入健康检查结果",
    "growth.psych_add": "记录心理筛查结果",
    "growth.psych_read": "查看心理筛查结果",
    "analytics.snapshot": "生成分析快照",
    "analytics.export": "导出统计数据",
    "analytics.indicator_define": "设置规划指标",
    "analytics.indicator_import": "导入规划指标数据",
    "analytics.indicator_report": "填报规划指标",
    "analytics.warning_rule": "设置预警规则",
    "analytics.warnings_evaluate": "评估预警",
    "analytics.warning_acknowledged": "确认预警",
    "analytics.warning_resolved": "解除预警",
    "analytics.warning_assigned": "指派预警",
    "resource.create": "上传资源",
    "resource.update": "修改资源",
    "resource.delete": "删除资源",
    "resource.submit": "提交资源审核",
    "research.group_create": "建立教研组织",
    "research.member_add": "加入教研组织成员",
    "research.member_remove": "移出教研组织成员",
    "research.activity_create": "安排教研活动",
    "research.activity_finish": "结束教研活动",
    "research.plan_final": "确定集体备课定稿",
    "research.plan_publish": "集体备课定稿提交资源中心",
    "research.summary": "发布听评课总结",
    "research.video_attach": "上传课堂录像",
    "hours.policy_set": "设置继续教育学时规则",
    "hours.certificate_issue": "开具学时证明",
    "hours.certificate_revoke": "作废学时证明",
    "leave.apply": "家长提交请假申请",
    "leave.approve": "班主任批准请假",
    "leave.refuse": "班主任不批准请假",
    "leave.cancel": "家长撤销请假申请",
    "contact.message_hide": "隐藏家校沟通消息",
    "spaces.school_page_save": "保存学校空间主页",
    "resource.approve_first": "资源一审通过",
    "resource.publish": "资源审核通过并发布",
    "resource.return": "退回资源",
    "resource.download": "下载资源",
    "resource.import_package": "导入资源包",
    "resource.comment_hide": "隐藏资源评论",
    "resource.comment_show": "恢复显示资源评论",
    "item.create": "录入试题",
    "item.update": "修改试题",
    "item.delete": "删除试题",
    "item.submit": "提交试题审核",
    "item.approve": "试题审核通过",
    "item.reject": "退回试题",
    "item.import": "批量导入试题",
    "item.export": "导出试题",
    "item.image_add": "上传试题图片",
    "paper.create": "新建试卷",
    "paper.update": "修改试卷",
    "paper.assemble": "按细目表自动组卷",
    "paper.ready": "试卷定稿",
    "paper.reopen": "试卷取消定稿",
    "paper.delete": "删除试卷",
    "paper.export": "导出试卷（QTI）",
    "homework.publish": "布置作业/考试",
    "homework.submit": "学生提交作业",
    "homework.mark": "批改作业",
    "homework.override": "改判自动批改的得分",
    "homework.close": "作业截止",
    "homework.import": "导入阅卷成绩",
    "homework.push_draft": "生成学情推送练习",
    "homework.push_approve": "批准学情推送练习",
    "audit.prune": "按保留期清理日志",
    "audit.export": "导出审计日志",
    "audit.reseal": "以审计密钥重新封存日志",
    "system.backup": "备份平台数据",
    "system.restore": "从备份恢复平台数据",
}

# personal-data field codes as they appear in an event's ``fields``
FIELD_LABELS: dict[str, str] = {
    "id_number": "身份证号",
    "phone": "手机号",
    "address": "住址",
    "guardians.phone": "监护人手机号",
    "student_no": "学籍号",
    # the same fields seen unmasked in a record's change history (registry.selectors.people.change_history)
    "history.id_number": "变更记录中的身份证号",
    "history.student_no": "变更记录中的学籍号",
    "history.phone": "变更记录中的手机号",
    "history.address": "变更记录中的住址",
    # sign-in scopes an app received (oidc.token.issue, oidc.consent)
    "openid": "账号标识",
    "profile": "姓名",
    "roles": "角色及负责的学校、班级或地区",
    "school": "学校和班级",
    "csv": "CSV",
    "xlsx": "Excel",
}

TARGET_LABELS = {
    "account": "账号",
    "student": "学生",
    "staff": "教职工",
    "school": "学校",
    "region": "区域",
    "division": "行政区划",
    "oidc_app": "应用",
    "import_batch": "导入批次",
    "curriculum_file": "课程体系文件",
    "lottery_draw": "电脑派位",
    "status_case": "学籍异动申请",
    "admission": "入学申请",
    "admission_plan": "招生计划",
    "catchment": "施教区",
    "admission_rule": "入学资格类别",
    "institution": "校外培训机构",
    "fitness_session": "体质测试",
    "growth_record": "写实记录",
    "growth_review": "综合素质评价",
    "growth_objection": "公示异议",
    "health_class": "班级健康检查",
    "psych_student": "学生心理筛查",
    "school_class": "班级",
    "match_case": "比对待办",
    "snapshot": "分析快照",
    "analytics_node": "统计对象",
    "indicator": "规划指标",
    "warning": "预警",
    "warning_rule": "预警规则",
    "warnings": "预警评估",
    "resource": "资源",
    "item": "试题",
    "item_batch": "试题导入",
    "paper": "试卷",
    "assignment": "作业/考试",
    "submission": "学生作答",
    "resource_comment": "资源评论",
    "resource_package": "资源包",
    "audit_event": "审计日志",
    "backup": "备份",
    "research_group": "教研组织",
    "research_activity": "教研活动",
    "hours_certificate": "学时证明",
    "leave_request": "请假申请",
    "message": "家校沟通消息",
    "xapi_app": "学习记录库接入应用",
    "xapi_learner": "学习者",
}
CHANNEL_LABELS = {"web": "网页", "api": "接口", "cli": "命令行", "job": "后台任务", "oidc": "单点登录"}


def action_result(code: str) -> str:
    return FAILURE if any(mark in code.rsplit(".", 1)[-1] for mark in _FAILURE_MARKS) else SUCCESS


def action_group(code: str) -> str:
    return GROUPS.get(code.split(".", 1)[0], OTHER_GROUP)


def action_info(code: str) -> ActionInfo:
    return ActionInfo(code, _LABELS.get(code, code), action_group(code), action_result(code))


def action_choices(codes: set[str] | list[str]) -> list[tuple[str, list[ActionInfo]]]:
    """The known actions plus ``codes`` (those in the log), grouped in :data:`GROUPS` order for a <select>."""
    order = list(dict.fromkeys([*GROUPS.values(), OTHER_GROUP]))
    grouped: dict[str, list[ActionInfo]] = {group: [] for group in order}
    for code in sorted(set(_LABELS) | set(codes)):
        info = action_info(code)
        grouped[info.group].append(info)
    return [(group, infos) for group, infos in grouped.items() if infos]


def field_labels(fields: list[str]) -> list[str]:
    return [FIELD_LABELS.get(f, f) for f in fields]
