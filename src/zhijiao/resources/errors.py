from zhijiao.core.errors import ErrorCode


class ResourceError(ErrorCode):
    RESOURCE_FILE_TOO_LARGE = "文件超过允许的大小"
    RESOURCE_FILE_EMPTY = "文件为空"
    RESOURCE_NOT_AUTHOR = "只有作者可以修改或提交该资源"
    RESOURCE_NOT_EDITABLE = "资源已提交审核或已发布，不能修改"
    RESOURCE_NOT_SUBMITTABLE = "只有草稿或被退回的资源可以提交审核"
    RESOURCE_NOT_REVIEWABLE = "该资源不在你的审核队列中"
    RESOURCE_OWN_REVIEW = "不能审核自己上传的资源"
    RESOURCE_COMMENT_REQUIRED = "退回时请填写审核意见"
    RESOURCE_NO_OWNER = "你没有所属学校或教育行政部门，不能上传资源"
    RESOURCE_CHAPTER_MISMATCH = "章节与所选教材册次不一致"
    RESOURCE_RANGE_INVALID = "请求的字节范围无效"
    RESOURCE_SEARCH_PARAM = "搜索参数无效"
    # use and value (resources.usage)
    RESOURCE_NOT_PUBLISHED = "资源尚未发布，不能评分、评论、收藏或记录使用"
    RESOURCE_RATING_RANGE = "评分应为 1 到 5 之间的整数"
    RESOURCE_COMMENT_EMPTY = "评论内容不能为空"
    RESOURCE_COMMENT_TOO_LONG = "评论不能超过 500 字"
    RESOURCE_COMMENT_NOT_MODERATOR = "只有资源作者或所属学校、教育局的管理员可以隐藏评论"
    RESOURCE_USAGE_KIND = "使用记录类型应为 view（浏览）、download（下载）或 play（播放）"
    RESOURCE_PLAY_ID = "播放标识无效：应为 1 到 64 个字母、数字或连字符，且属于本人的播放"
    RESOURCE_PROGRESS = "播放进度应为 0 到 1 之间的数"
    RESOURCE_LEVEL_INVALID = "等级应为 合格、优秀、精品 或 未评定"
