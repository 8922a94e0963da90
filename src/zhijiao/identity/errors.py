from zhijiao.core.errors import ErrorCode


class IdentityError(ErrorCode):
    IDENTITY_USERNAME_TAKEN = "该账号名已被使用"
    IDENTITY_GRANT_NODE = "该角色必须授予在对应的节点上（区域管理员：行政区划；督导：行政区划或学校；学校管理员、教师：学校；班主任：班级）"  # noqa: E501
    IDENTITY_TOKEN_INVALID = "API令牌无效、已过期或已吊销"  # noqa: S105  (a message, not a secret)
