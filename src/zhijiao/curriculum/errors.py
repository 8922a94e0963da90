from zhijiao.core.errors import ErrorCode


class CurriculumError(ErrorCode):
    # the taxonomy file as a whole
    CURRICULUM_FILE_TYPE = "只能导入 .xlsx 或 .csv 文件"
    CURRICULUM_FILE_UNREADABLE = "文件无法读取，请确认是 Excel（.xlsx）或 CSV 文件"
    CURRICULUM_FILE_ENCODING = "CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码"
    CURRICULUM_FILE_EMPTY = "文件里没有数据行"
    CURRICULUM_COLUMN_MISSING = "缺少这一列，请按模板的表头填写"
    CURRICULUM_EDITION_NOT_FOUND = "没有这个教材版本"
    CURRICULUM_NOT_ALLOWED = "只有区域管理员和平台管理员可以导入课程体系"
    # one row's fields
    CURRICULUM_REQUIRED = "不能为空"
    CURRICULUM_TOO_LONG = "太长"
    CURRICULUM_CODE_UNKNOWN = "不是有效的取值"
    CURRICULUM_GRADE_STAGE = "年级与学段不一致"
    CURRICULUM_TERM = "学期应填 上、下 或 全"
    CURRICULUM_EDITION_CONFLICT = "同一版本的各行应一致"
    CURRICULUM_VOLUME_CONFLICT = "同一册的各行应一致"
    CURRICULUM_CHAPTER_DUPLICATE = "同一册里章节编号重复，名称却不同"
    CURRICULUM_PARENT_UNKNOWN = "上级章节应是本册中写在前面的章节编号"
    CURRICULUM_POINT_CHAPTER = "知识点所在的章节编号在本册中找不到"
    CURRICULUM_POINT_DUPLICATE = "知识点代码重复，内容却不同"
    CURRICULUM_POINT_TAKEN = "知识点代码已被其他教材版本使用"
    CURRICULUM_PREREQUISITE_UNKNOWN = "先修知识点的代码在文件和平台中都找不到"
    CURRICULUM_PREREQUISITE_CYCLE = "先修关系形成了循环"
