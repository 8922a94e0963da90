from datetime import date

from ninja import Router
from ninja.pagination import paginate

from zhijiao.audit.services import Origin
from zhijiao.core.listing import RowSchema
from zhijiao.core.masking import mask_student_no
from zhijiao.core.params import BoundedPageNumberPagination, Code, DbId, SearchText
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Staff, Student
from zhijiao.registry.selectors import people as selectors
from zhijiao.registry.selectors.people import PersonalFields, masked_fields

router = Router(tags=["学生与教职工"])


# RowSchema: list rows come as plain values (selectors.student_listing / staff_listing) and skip the resolvers; a
# model instance still goes through them (the detail's row, the exchange feed).
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


class StudentOut(StudentFields):
    """A list row, read straight from the queryset so pagination slices in the database."""

    @staticmethod
    def resolve_name(obj: Student) -> str:
        return obj.person.name

    @staticmethod
    def resolve_sex(obj: Student) -> str:
        return obj.person.sex_name

    @staticmethod
    def resolve_birth_date(obj: Student) -> date | None:
        return obj.person.birth_date

    @staticmethod
    def resolve_ethnicity(obj: Student) -> str:
        return obj.person.ethnicity_name

    @staticmethod
    def resolve_id_number(obj: Student) -> str:
        return masked_fields(obj.person).id_number

    @staticmethod
    def resolve_student_no(obj: Student) -> str:
        return mask_student_no(obj.student_no)

    @staticmethod
    def resolve_school_name(obj: Student) -> str:
        return obj.school.name

    @staticmethod
    def resolve_class_id(obj: Student) -> int | None:
        return obj.school_class_id

    @staticmethod
    def resolve_class_name(obj: Student) -> str:
        return class_display_name(obj.school_class) if obj.school_class else ""

    @staticmethod
    def resolve_status(obj: Student) -> str:
        return obj.status_name


def _student_row(student: Student, fields: PersonalFields) -> dict:
    """The list row, with the personal fields as this profile may show them."""
    row = selectors.student_row_of(student)
    row.update(id_number=fields.id_number, student_no=fields.student_no)
    return row


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


class StaffOut(StaffFields):
    @staticmethod
    def resolve_name(obj: Staff) -> str:
        return obj.person.name

    @staticmethod
    def resolve_sex(obj: Staff) -> str:
        return obj.person.sex_name

    @staticmethod
    def resolve_category(obj: Staff) -> str:
        return obj.category_name

    @staticmethod
    def resolve_subject(obj: Staff) -> str:
        return obj.subject_name

    @staticmethod
    def resolve_school_name(obj: Staff) -> str:
        return obj.school.name if obj.school else (obj.bureau.name if obj.bureau else "")

    @staticmethod
    def resolve_id_number(obj: Staff) -> str:
        return masked_fields(obj.person).id_number


class StaffDetailOut(StaffFields):
    phone: str
    masked: bool


def _staff_row(member: Staff, fields: PersonalFields) -> dict:
    row = selectors.staff_row_of(member)
    row.update(id_number=fields.id_number)
    return row


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
