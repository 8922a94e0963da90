from datetime import date

from ninja import Router
from ninja.pagination import paginate

from zhijiao.audit.services import Origin
from zhijiao.core.listing import RowSchema
from zhijiao.core.params import BoundedPageNumberPagination, Code, DbId, SearchText
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Staff, Student
from zhijiao.registry.selectors import people as selectors
from zhijiao.registry.selectors.people import PersonalFields

router = Router(tags=["学生与教职工"])


class StudentFields(RowSchema):
    id: int
    student_no: str
    name: str
    sex: str
    birth_date: date | None
    ethnicity: str
    id_number: str
    school_id: int
    school_name: str
    class_id: int | None
    class_name: str
    status: str


# Rows are built as plain values, masked (selectors.student_listing, _student_row); the docstring shows in OpenAPI.
class StudentOut(StudentFields):
    """A list row, read straight from the queryset so pagination slices in the database."""


def _student_row(student: Student, fields: PersonalFields) -> dict:
    """The list row's fields for one student, with the personal fields as this profile may show them."""
    person = student.person
    return {
        "id": student.pk,
        "student_no": fields.student_no,
        "name": person.name,
        "sex": person.sex_name,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity_name,
        "id_number": fields.id_number,
        "school_id": student.school_id,
        "school_name": student.school.name,
        "class_id": student.school_class_id,
        "class_name": class_display_name(student.school_class) if student.school_class else "",
        "status": student.status_name,
    }


class GuardianOut(RowSchema):
    name: str
    relation: str
    is_legal_guardian: bool
    phone: str


class StudentDetailOut(StudentFields):
    phone: str
    address: str
    guardians: list[GuardianOut]
    masked: bool


class StaffFields(RowSchema):
    id: int
    staff_no: str
    name: str
    sex: str
    category: str
    post: str
    subject: str
    school_id: int | None
    school_name: str
    id_number: str


# Rows are built as plain values, masked (selectors.staff_listing, _staff_row).
class StaffOut(StaffFields):
    pass


class StaffDetailOut(StaffFields):
    phone: str
    masked: bool


def _staff_row(member: Staff, fields: PersonalFields) -> dict:
    person = member.person
    return {
        "id": member.pk,
        "staff_no": member.staff_no,
        "name": person.name,
        "sex": person.sex_name,
        "category": member.category_name,
        "post": member.post,
        "subject": member.subject_name,
        "school_id": member.school_id,
        "school_name": member.school.name if member.school else (member.bureau.name if member.bureau else ""),
        "id_number": fields.id_number,
    }


@router.get("/students", response=list[StudentOut], summary="学生列表（个人信息脱敏）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_students(request, school_id: DbId | None = None, class_id: DbId | None = None, q: SearchText = ""):
    return selectors.student_listing(actor=request.auth, school_id=school_id, class_id=class_id, search=q)


@router.get("/students/{student_id}", response=StudentDetailOut, summary="学生详情（按角色脱敏，查看明文写入审计）")
def get_student(request, student_id: DbId):
    profile = selectors.student_profile(
        actor=request.auth,
        student_id=student_id,
        origin=Origin.from_request(request, channel="api"),
        with_history=False,  # the API returns no history, so its audit entry must not name any
        with_school_life=False,  # nor enrolments and teachers
    )
    return {
        **_student_row(profile.student, profile.fields),
        "phone": profile.fields.phone,
        "address": profile.fields.address,
        "guardians": [
            {
                "name": g.person.name,
                "relation": g.guardianship.relation_name,
                "is_legal_guardian": g.guardianship.is_legal_guardian,
                "phone": g.fields.phone,
            }
            for g in profile.guardians
        ],
        "masked": not profile.fields.ids_unmasked,
    }


@router.get("/staff", response=list[StaffOut], summary="教职工列表（个人信息脱敏）")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_staff(request, school_id: DbId | None = None, q: SearchText = "", category: Code = ""):
    return selectors.staff_listing(actor=request.auth, school_id=school_id, search=q, category=category)


@router.get("/staff/{staff_id}", response=StaffDetailOut, summary="教职工详情（按角色脱敏，查看明文写入审计）")
def get_staff(request, staff_id: DbId):
    profile = selectors.staff_profile(
        actor=request.auth,
        staff_id=staff_id,
        origin=Origin.from_request(request, channel="api"),
        with_history=False,  # the API returns no history, so its audit entry must not name any
        with_school_life=False,  # nor assignments and classes headed
    )
    return {
        **_staff_row(profile.staff, profile.fields),
        "phone": profile.fields.phone,
        "masked": not profile.fields.ids_unmasked,
    }
