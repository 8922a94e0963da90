from zhijiao.core.errors import ErrorCode


class AuditError(ErrorCode):
    AUDIT_APPEND_ONLY = "审计日志只能追加，不能修改或删除"
