from zhijiao.core.errors import ErrorCode


class PrivacyError(ErrorCode):
    PRIVACY_NOT_GUARDIAN = "只有学生的监护人可以办理数据授权"
    PRIVACY_CONSENT_EXISTS = "已同意过，无需重复授权"
    PRIVACY_CONSENT_NOT_ACTIVE = "该授权不存在或已撤回"
    PRIVACY_CONSENT_REQUIRED = "需要监护人同意后才能使用该应用"
