from zhijiao.core.errors import ErrorCode


class LeaveError(ErrorCode):
    LEAVE_NOT_YOUR_CHILD = "只能为自己的孩子请假"
    LEAVE_NO_CLASS = "孩子目前没有班级，无法请假"
    LEAVE_KIND_UNKNOWN = "请选择请假类型（病假或事假）"
    LEAVE_PART_UNKNOWN = "请选择全天、上午或下午"
    LEAVE_DATE_REQUIRED = "请填写请假日期"
    LEAVE_DATE_ORDER = "结束日期不能早于开始日期"
    LEAVE_HALF_DAY_ONE_DAY = "半天假只能请一天，开始和结束日期须相同"
    LEAVE_TOO_LONG = "一次请假不能超过 30 天，更长的请与班主任联系"
    LEAVE_TOO_EARLY = "只能补请 7 天以内的假"
    LEAVE_REASON_REQUIRED = "请填写请假事由"
    LEAVE_REASON_TOO_LONG = "请假事由不能超过 300 个字"
    LEAVE_OVERLAP = "这段时间孩子已有待审批或已批准的请假"
    LEAVE_NOT_PENDING = "这条请假已处理，不能再更改"
    LEAVE_NOTE_REQUIRED = "不批准时请写明原因"
    LEAVE_NO_HEAD = "孩子所在班级尚未设置班主任，请联系学校"
