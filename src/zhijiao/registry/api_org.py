from ninja import Router
from ninja.pagination import paginate

from zhijiao.core.codes import code_name
from zhijiao.core.listing import RowSchema
from zhijiao.core.params import BoundedPageNumberPagination, Code, DbId, SearchText
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.registry.selectors import org as selectors

router = Router(tags=["学校与班级"])


# Rows are built as plain values (selectors.school_listing, _school_detail); a docstring here would show in OpenAPI.
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


# Rows are built as plain values (selectors.class_listing, _class_detail).
class ClassOut(RowSchema):
    id: int
    name: str
    school_id: int
    school_code: str
    stage: str
    entry_year: int
    number: int
    capacity: int
    head_teacher_id: int | None


def _school_detail(school: School) -> dict:
    return {
        "id": school.pk,
        "code": school.code,
        "name": school.name,
        "school_type": school.school_type,
        "school_type_name": school.school_type_name,
        "division_code": school.division_id,
        "division_name": school.division.name,
        "stages": school.stage_names,
        "address": school.address,
        "phone": school.phone,
        "principal": school.principal,
    }


def _class_detail(school_class: SchoolClass) -> dict:
    return {
        "id": school_class.pk,
        "name": class_display_name(school_class),
        "school_id": school_class.school_id,
        "school_code": school_class.school.code,
        "stage": code_name("stage", school_class.grade.stage),
        "entry_year": school_class.grade.entry_year,
        "number": school_class.number,
        "capacity": school_class.capacity,
        "head_teacher_id": school_class.head_teacher_id,
    }


@router.get("/schools", response=list[SchoolOut], summary="学校列表")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_schools(request, division: Code = "", q: SearchText = "", school_type: Code = ""):
    return selectors.school_listing(
        actor=request.auth, division=division or None, search=q, school_type=school_type
    )


@router.get("/schools/{school_id}", response=SchoolOut, summary="学校详情")
def get_school(request, school_id: DbId):
    return _school_detail(selectors.school_get(actor=request.auth, school_id=school_id))


@router.get("/classes", response=list[ClassOut], summary="班级列表")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_classes(request, school_id: DbId | None = None):
    school = selectors.school_get(actor=request.auth, school_id=school_id) if school_id else None
    return selectors.class_listing(actor=request.auth, school=school)


@router.get("/classes/{class_id}", response=ClassOut, summary="班级详情")
def get_class(request, class_id: DbId):
    return _class_detail(selectors.class_get(actor=request.auth, class_id=class_id))
