"""Analytics' error codes."""

from __future__ import annotations

from zhijiao.core.errors import ErrorCode


class AnalyticsError(ErrorCode):
    ANALYTICS_NO_SNAPSHOT = "尚无数据仓库快照：请运维人员先运行 zhijiao analytics snapshot 生成快照"
    ANALYTICS_SNAPSHOT_FILES_MISSING = "数据仓库快照的文件已不存在：请运维人员重新运行 zhijiao analytics snapshot"
    ANALYTICS_NOT_ALLOWED = "没有查看统计分析的权限：统计数据向平台、教育局、学校管理员和督导开放"
    ANALYTICS_NODE_INVALID = "节点代码应为2、4或6位行政区划代码，或10位学校标识码"
    ANALYTICS_METRIC_UNKNOWN = "没有这个统计指标"
    ANALYTICS_DATE_INVALID = "日期格式应为 YYYY-MM-DD"
    # plan indicators and early warnings
    ANALYTICS_INDICATOR_NEGATIVE = "不能为负数"
    ANALYTICS_INDICATOR_PERCENT_RANGE = "百分比应在0到100之间"
    ANALYTICS_INDICATOR_REPORT_NOT_ALLOWED = "没有填报该学校指标的权限：学校管理员填报本校，教育局可代辖区学校填报"
    ANALYTICS_INDICATOR_SCHOOL_NOT_COVERED = "该学校不在本指标的填报范围内"
    ANALYTICS_INDICATOR_DEFINE_NOT_ALLOWED = "没有设置该区域规划指标的权限：教育局管理员只能为本辖区设置指标"
    ANALYTICS_INDICATOR_FIELDS = "指标代码和名称不能为空"
    ANALYTICS_INDICATOR_CODE_TAKEN = "指标代码已被其他区域使用"
    ANALYTICS_INDICATOR_TARGETS = "年度目标应写作“年份:目标值”，多个用逗号分隔，如 2020:4, 2025:3"
    ANALYTICS_INDICATOR_IMPORT_NOT_ALLOWED = "没有导入指标数据的权限：由教育局管理员导入辖区学校的数据"
    ANALYTICS_INDICATOR_FILE_UNREADABLE = "文件无法读取，请上传下载的 Excel（xlsx）模板"
    ANALYTICS_INDICATOR_HEADER = "在前20行中找不到表头，请使用下载的模板（表头应包含"
    ANALYTICS_WARNING_NOT_ALLOWED = "没有处理该预警的权限"
    ANALYTICS_WARNING_STATUS = "该预警当前状态下不能执行此操作"
    ANALYTICS_WARNING_OWNER = "负责人须是有权管理该学校的账号（本校学校管理员或上级教育局管理员）"
    ANALYTICS_WARNING_RULE_NOT_ALLOWED = "没有设置该区域预警规则的权限"
    ANALYTICS_WARNING_THRESHOLD = "阈值应为不小于0的数字"
