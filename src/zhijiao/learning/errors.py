from zhijiao.core.errors import ErrorCode


class LearningError(ErrorCode):
    LEARNING_FILE_UNUSABLE = "评估数据文件无法使用"
    LEARNING_MODEL_UNKNOWN = "没有这个模型"
    # the item bank (题库)
    LEARNING_ITEM_INVALID = "试题内容有误"
    LEARNING_ITEM_NO_OWNER = "只有教师、班主任、学校管理员和教育局管理员可以录入试题"
    LEARNING_ITEM_NOT_AUTHOR = "只有出题人可以修改或提交这道题"
    LEARNING_ITEM_NOT_EDITABLE = "这道题正在审核中，审核结束后才能修改"
    LEARNING_ITEM_NOT_SUBMITTABLE = "只有草稿或被退回的试题可以提交审核"
    LEARNING_ITEM_NOT_REVIEWABLE = "这道题不在你的审核队列中"
    LEARNING_ITEM_OWN_REVIEW = "不能审核自己出的题"
    LEARNING_ITEM_COMMENT_REQUIRED = "退回时请填写审核意见"
    LEARNING_ITEM_REVIEW_NOT_ALLOWED = "试题审核由学校管理员和区域管理员负责，你的账号没有审核任务"
    LEARNING_IMPORT_UNUSABLE = "导入文件无法读取"
    LEARNING_IMAGE_INVALID = "图片无法使用"
    # papers (组卷)
    LEARNING_PAPER_INVALID = "试卷内容有误"
    LEARNING_PAPER_NOT_AUTHOR = "只有组卷人可以修改这份试卷"
    LEARNING_PAPER_ITEM_UNUSABLE = "这道题不能加入试卷"
    LEARNING_PAPER_READY = "试卷已定稿，取消定稿后才能修改"
    # homework and exams (作业、考试)
    LEARNING_HOMEWORK_INVALID = "作业内容有误"
    LEARNING_HOMEWORK_NOT_YOURS = "只能给自己任教的班级布置、批改作业"
    LEARNING_HOMEWORK_CLOSED = "已过截止时间或已提交，不能再修改答案"
    LEARNING_HOMEWORK_NOT_OPEN = "作业还没有开始"
    LEARNING_HOMEWORK_MARK_INVALID = "评分有误"
    LEARNING_MARKS_FILE_INVALID = "成绩文件无法读取"
