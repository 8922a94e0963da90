from zhijiao.core.errors import ErrorCode


class GrowthError(ErrorCode):
    # a results file as a whole
    GROWTH_FILE_TYPE = "只能读取 .xlsx 或 .csv 文件"
    GROWTH_FILE_UNREADABLE = "文件无法读取，请确认是 Excel（.xlsx）或 CSV 文件"
    GROWTH_FILE_ENCODING = "CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码"
    GROWTH_COLUMN_MISSING = "缺少这一列"
    GROWTH_NAME_REQUIRED = "不能为空"
    # a replacement scoring-table file
    GROWTH_TABLES_INVALID = "评分表文件有误，未载入"
