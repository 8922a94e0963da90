from zhijiao.core.errors import ErrorCode


class SpacesError(ErrorCode):
    SPACES_NOTICE_NOT_FOUND = "没有这条通知"
    SPACES_NOT_ALLOWED = "您不能向这个范围发送通知"
    SPACES_AUDIENCE_UNKNOWN = "发送范围不正确"
    SPACES_TITLE_REQUIRED = "请填写通知标题"
    SPACES_BODY_REQUIRED = "请填写通知内容"
    SPACES_NOT_DRAFT = "这条通知已发布，不能再修改"
    SPACES_NOT_PUBLISHED = "这条通知未发布或已撤回"
    SPACES_NO_CONFIRM = "这条通知不需要回执"
    SPACES_REPLY_TOO_LONG = "回执留言不能超过 500 个字"
    SPACES_DEADLINE_PASSED = "回执已截止"
    SPACES_PAGE_NOT_ALLOWED = "只有本校管理员可以修改学校空间"
    SPACES_INTRO_TOO_LONG = "学校简介不能超过 3000 个字"
    SPACES_MOTTO_TOO_LONG = "校训不能超过 60 个字"
