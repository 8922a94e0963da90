from zhijiao.core.errors import ErrorCode


class XapiError(ErrorCode):
    XAPI_VERSION = "缺少或不支持的 X-Experience-API-Version 请求头"
    XAPI_AUTH = "需要有效的学习记录库凭据"
    XAPI_FORBIDDEN = "此凭据没有执行该操作的权限"
    XAPI_INVALID = "学习记录格式不正确"
    XAPI_PARAM = "请求参数不正确"
    XAPI_NOT_FOUND = "记录不存在或无权查看"
    XAPI_CONFLICT = "记录已存在且内容不同（学习记录不可修改）"
    XAPI_PRECONDITION = "文档已被修改，请重新读取后再提交"
    XAPI_PRECONDITION_REQUIRED = "文档已存在，修改时须带 If-Match 或 If-None-Match 请求头"
    XAPI_METHOD = "不支持此请求方法"
    XAPI_TOO_LARGE = "请求内容过大"
    XAPI_APP_UNKNOWN = "应用登记中没有这个应用"
    XAPI_CONSENT = "该学生未满规定年龄，监护人尚未同意此应用读写其学习记录"
    XAPI_REASON_REQUIRED = "请填写删除依据（如申请单号与法律依据），5–500 字"
    XAPI_RETENTION_RANGE = "保留月数应为 0–120 的整数（0 表示长期保留）"
    XAPI_CREDENTIAL_GONE = "该凭据已停用"
