from zhijiao.core.errors import ErrorCode


class LearningError(ErrorCode):
    LEARNING_FILE_UNUSABLE = "评估数据文件无法使用"
    LEARNING_MODEL_UNKNOWN = "没有这个模型"
