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
