from ninja import Router
from ninja.pagination import paginate

from zhijiao.core.codes import code_name
from zhijiao.core.listing import RowSchema
from zhijiao.core.params import BoundedPageNumberPagination, Code, DbId, SearchText
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.registry.selectors import org as selectors

router = Router(tags=["学校与班级"])


# RowSchema: list rows come as plain values (selectors.school_listing); a model instance still goes through the
# resolvers below (the detail, the exchange feed).
class SchoolOut(RowSchema):
    id: int
    code: str
    name: str
    school_type: str
    school_type_name: str
    division_code: str
    division_name: str
    stages: list[str]
    address: str
    phone: str
    principal: str

    @staticmethod
    def resolve_division_code(obj: School) -> str:
        return obj.division_id

    @staticmethod
    def resolve_division_name(obj: School) -> str:
        return obj.division.name

    @staticmethod
    def resolve_stages(obj: School) -> list[str]:
        return obj.stage_names


class ClassOut(RowSchema):  # list rows: selectors.class_listing
    id: int
    name: str
    school_id: int
    school_code: str
    stage: str
    entry_year: int
    number: int
    capacity: int
    head_teacher_id: int | None

    @staticmethod
    def resolve_name(obj: SchoolClass) -> str:
        return class_display_name(obj)

    @staticmethod
    def resolve_school_code(obj: SchoolClass) -> str:
        return obj.school.code

    @staticmethod
    def resolve_stage(obj: SchoolClass) -> str:
        return code_name("stage", obj.grade.stage)

    @staticmethod
    def resolve_entry_year(obj: SchoolClass) -> int:
        return obj.grade.entry_year


@router.get("/schools", response=list[SchoolOut], summary="学校列表")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_schools(request, division: Code = "", q: SearchText = "", school_type: Code = ""):
    return selectors.school_listing(actor=request.auth, division=division or None, search=q, school_type=school_type)


@router.get("/schools/{school_id}", response=SchoolOut, summary="学校详情")
def get_school(request, school_id: DbId):
    return selectors.school_get(actor=request.auth, school_id=school_id)


@router.get("/classes", response=list[ClassOut], summary="班级列表")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_classes(request, school_id: DbId | None = None):
    school = selectors.school_get(actor=request.auth, school_id=school_id) if school_id else None
    return selectors.class_listing(actor=request.auth, school=school)


@router.get("/classes/{class_id}", response=ClassOut, summary="班级详情")
def get_class(request, class_id: DbId):
    return selectors.class_get(actor=request.auth, class_id=class_id)
