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
