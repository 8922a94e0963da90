from zhijiao.core.errors import ErrorCode


class IdentityError(ErrorCode):
    IDENTITY_USERNAME_TAKEN = "该账号名已被使用"
    IDENTITY_GRANT_NODE = "该角色必须授予在对应的节点上（区域管理员：行政区划；督导：行政区划或学校；学校管理员、教师：学校；班主任：班级；系统、安全、审计管理员：全平台或行政区划）"  # noqa: E501
    IDENTITY_TOKEN_INVALID = "API令牌无效、已过期或已吊销"  # noqa: S105  (a message, not a secret)
    IDENTITY_LOCKED = "登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员解锁"
    IDENTITY_PASSWORD_POLICY = "新密码不符合密码策略"  # noqa: S105
    IDENTITY_PASSWORD_CHANGE_REQUIRED = "首次登录或密码被重置后须先修改密码"  # noqa: S105  (a message, not a secret)
    IDENTITY_IDLE_TIMEOUT = "长时间未操作，已自动退出登录，请重新登录"
    IDENTITY_PASSWORD_CLASSES = "密码须至少包含大写字母、小写字母、数字、符号中的三类"  # noqa: S105
    IDENTITY_PASSWORD_USERNAME = "密码不能包含账号名"  # noqa: S105
    IDENTITY_PASSWORD_PINYIN = "密码不能包含姓名或姓名拼音"  # noqa: S105
    IDENTITY_PASSWORD_BIRTH = "密码不能包含出生日期"  # noqa: S105
    IDENTITY_SEPARATION_OF_DUTIES = "三员分立：同一账号不能兼任系统管理员、安全管理员、审计管理员中的两个角色"
    IDENTITY_PASSWORD_EXPIRED = "管理员密码已超过 {days} 天未修改，请先设置新密码"  # noqa: S105  (a message, not a secret)
    IDENTITY_OTP_REQUIRED = "管理员账号须完成动态口令（两步验证）后才能继续"
    IDENTITY_OTP_INVALID = "动态口令不正确或已过期，请输入验证器当前显示的 6 位数字"
    IDENTITY_OTP_EXPIRED = "两步验证已超时，请重新输入账号和密码"
    IDENTITY_PASSWORD_REUSED = "不能使用最近 {count} 次用过的密码"  # noqa: S105
    IDENTITY_ACTIVATION_INVALID = "账号或激活码不正确（每个激活码只能使用一次）"
    IDENTITY_ACTIVATION_EXPIRED = "激活码已过期，请联系学校管理员重新获取"
    IDENTITY_PASSWORD_MISMATCH = "两次输入的新密码不一致"  # noqa: S105  (a message, not a secret)


class ApiScopeError(ErrorCode):
    IDENTITY_SCOPE_UNKNOWN = "未知的API权限范围"
    IDENTITY_SCOPE_MISSING = "当前令牌或账号没有此接口所需的权限范围"
    IDENTITY_AUTH_REQUIRED = (
        "需要身份认证：请先登录，或在 Authorization 请求头中提供有效的 API 令牌或 OIDC 访问令牌（Bearer）"
    )


class AccountAdminError(ErrorCode):
    IDENTITY_GRANT_OUT_OF_REACH = "只能在您管理的区域内授权"
    IDENTITY_GRANT_PLATFORM = "全平台授权和平台管理员角色只能由平台级管理员授予"
    IDENTITY_GRANT_SEPARATED = (
        "系统管理员、安全管理员、审计管理员只能由系统管理员或平台管理员授予，且只能授予全平台或行政区划"
    )
    IDENTITY_GRANT_DERIVED = "该授权由登记信息生成，随学籍、任职、任课或监护关系自动变化，不能手工撤销"
    IDENTITY_ACCOUNT_OUTRANKS = "该账号持有全平台的管理角色，超出您的管理权限"
    IDENTITY_ACCOUNT_SELF = "不能对自己的账号执行此操作"
    IDENTITY_GRANT_SCHOOL_ROLE = "学校管理员只能为本校教职工授予或撤销心理教师角色，其他角色请由区域管理员办理"
    IDENTITY_GRANT_NOT_STAFF = "该账号不是本校在岗教职工，不能授予心理教师角色"
    IDENTITY_GRANT_PERSONAL_DATA = "三员分立：系统管理员只能授予系统管理员、安全管理员、审计管理员角色；可查看个人信息的角色须由区域管理员或平台管理员授予"  # noqa: E501
    IDENTITY_ACCOUNT_PERSONAL_DATA = (
        "三员分立：该账号可查看个人信息，系统管理员不能重置其密码或启用它；请由区域管理员或平台管理员办理"
    )
    IDENTITY_ACCOUNT_SEPARATED = (
        "三员分立：该账号担任系统管理员、安全管理员或审计管理员，只能由全平台的系统管理员或平台管理员管理"
    )
    IDENTITY_OTP_SEPARATED = (
        "三员分立：该账号担任系统管理员、安全管理员或审计管理员，其身份验证器只能由全平台的安全管理员或平台管理员重置"
    )
    IDENTITY_ACCOUNT_LEFT_REGISTRY = (
        "该账号因本人已离校或离岗由系统自动停用；请在学籍或人事登记中恢复其在校/在岗状态，账号将随之自动启用"
    )
