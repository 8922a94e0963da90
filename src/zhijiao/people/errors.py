from zhijiao.core.errors import ErrorCode


class PeopleError(ErrorCode):
    PEOPLE_ID_NUMBER_TAKEN = "该身份证件号已登记给另一人员"
    PEOPLE_STUDENT_NO_TAKEN = "该学籍号已被另一名学生使用"
    PEOPLE_ALREADY_ENROLLED = "该学生已有在读班级，请使用转班/转学"
    PEOPLE_NOT_ENROLLED = "该学生当前没有在读班级"
    PEOPLE_SAME_CLASS = "转入班级与当前班级相同"
    PEOPLE_STAFF_NO_TAKEN = "该工号在本单位已被使用"
    PEOPLE_DATE_ORDER = "转出日期不能早于入班日期"
