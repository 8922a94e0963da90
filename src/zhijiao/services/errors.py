from zhijiao.core.errors import ErrorCode


class ServicesError(ErrorCode):
    SERVICES_LOTTERY_LIST = "报名名单有误"
    SERVICES_LOTTERY_SEATS = "招生名额应为正整数"
    SERVICES_LOTTERY_YEAR = "年份不正确"
    SERVICES_LOTTERY_EXISTS = "这所学校这一年已有派位"
    SERVICES_LOTTERY_INPUT = "公开数据格式不正确"
    SERVICES_LOTTERY_ALREADY_DRAWN = "已经抽签，不能重新抽签"
    SERVICES_LOTTERY_NOT_DRAWN = "还没有抽签，不能公布结果"
    SERVICES_LOTTERY_ALREADY_PUBLISHED = "结果已经公布"
    SERVICES_LOTTERY_TAMPERED = "名单与公示的承诺值不一致，不能抽签"
    SERVICES_LOTTERY_NOT_ALLOWED = "只有学校所在区县（或上级）的区域管理员可以组织派位"
