"""Reads of the 校外培训机构 registry: the bureau's own pages (scoped to the districts it governs) and the public
query and open-data export (no sign-in; only what is public: no complaints, staff names and certificate numbers
masked, nothing but the bureau's published facts).

The public search takes bounded inputs only (a name fragment of at most 40 characters through the ORM's
parameters, a district code and a subject and a status from fixed lists) and returns pages of 20, at most
``PUBLIC_MAX_PAGES`` of them: the whole list is the open-data export, so the page offers no enumeration beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_name
from zhijiao.org.models import Division
from zhijiao.services.models import Inspection, InspectionResult, Institution, InstitutionStaff, InstitutionStatus

PUBLIC_PAGE = 20
PUBLIC_MAX_PAGES = 50
QUERY_MAX = 40
SUBJECTS = (
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "体育",
    "艺术",
    "音乐",
    "美术",
    "舞蹈",
    "书法",
    "编程",
    "科技",
    "棋类",
    "研学",
)


def may_manage(*, actor: Actor) -> bool:
    """The bureau (区域管理员, platform administrators) keeps the registry."""
    return scope_for(actor).is_bureau


def _governed_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q()
    q = Q(pk__in=[])
    for code in scope.divisions(Role.REGION_ADMIN):
        q |= Q(division__code__startswith=code)
    return q


def governed_districts(*, actor: Actor) -> list[Division]:
    """The districts (区县) where the actor may register institutions."""
    scope = scope_for(actor)
    rows = Division.objects.filter(level=3).order_by("code")
    return [d for d in rows if scope.governs(d.code)]


def _filtered(
    rows: QuerySet[Institution], *, q: str, division: str, subject: str, status: str
) -> QuerySet[Institution]:
    q = q.strip()[:QUERY_MAX]
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(licence_no=q))
    if division.isascii() and division.isdigit() and len(division) == 6:
        rows = rows.filter(division_id=division)
    if subject in SUBJECTS:
        rows = rows.filter(subjects__contains=subject)
    if status in InstitutionStatus.values:
        rows = rows.filter(status=status)
    return rows


def institution_list(
    *, actor: Actor, q: str = "", division: str = "", subject: str = "", status: str = ""
) -> list[Institution]:
    rows = Institution.objects.filter(_governed_q(actor)).select_related("division")
    rows = _filtered(rows, q=q, division=division, subject=subject, status=status)
    return list(rows.annotate(staff_count=Count("staff"))[:500])


def institution_get(*, actor: Actor, institution_id: int) -> Institution:
    row = Institution.objects.filter(_governed_q(actor), pk=institution_id).select_related("division").first()
    if row is None:
        raise NotFound()
    return row


# ------------------------------------------------------------------------------------------------ public
@dataclass(frozen=True)
class PublicStaff:
    name: str
    subject: str
    qualification: str
    certificate: str  # masked


@dataclass(frozen=True)
class PublicInstitution:
    id: int
    licence_no: str
    name: str
    district: str
    district_code: str
    address: str
    subjects: str
    category: str
    phone: str
    status: str
    status_label: str
    status_note: str
    status_on: date | None
    staff_count: int
    qualified_count: int
    last_inspection_on: date | None
    last_inspection: str


def mask_certificate(value: str) -> str:
    """A teacher-certificate number as the public sees it: the first four and last two characters."""
    value = value.strip()
    if not value:
        return ""
    if len(value) <= 6:
        return value[0] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def _public(rows: QuerySet[Institution], *, everyone: bool = False) -> list[PublicInstitution]:
    """The public facts of ``rows``: three queries (institutions, staff counts, latest inspections), grouped in the
    database; ``everyone`` reads the counts of all institutions without an id list (the export)."""
    found = list(rows.select_related("division"))
    ids = [r.pk for r in found]
    mine = Q() if everyone else Q(institution_id__in=ids)
    counts = {
        row["institution_id"]: (row["n"], row["q"])
        for row in InstitutionStaff.objects.filter(mine)
        .values("institution_id")
        .annotate(n=Count("id"), q=Count("id", filter=~Q(certificate_no="")))
        .order_by()
    }
    latest: dict[int, tuple[date, str]] = {}
    for inst_id, on, result in (
        Inspection.objects.filter(mine)
        .order_by("institution_id", "-inspected_on", "-id")
        .values_list("institution_id", "inspected_on", "result")
    ):
        latest.setdefault(inst_id, (on, result))
    labels = dict(InspectionResult.choices)
    return [
        PublicInstitution(
            id=r.pk,
            licence_no=r.licence_no,
            name=r.name,
            district=r.division.name,
            district_code=r.division_id,
            address=r.address,
            subjects=r.subjects,
            category=r.category,
            phone=r.phone,
            status=r.status,
            status_label=r.get_status_display(),
            status_note=r.status_note,
            status_on=r.status_on,
            staff_count=counts.get(r.pk, (0, 0))[0],
            qualified_count=counts.get(r.pk, (0, 0))[1],
            last_inspection_on=latest[r.pk][0] if r.pk in latest else None,
            last_inspection=str(labels.get(latest[r.pk][1], "")) if r.pk in latest else "",
        )
        for r in found
    ]


def public_search(
    *, q: str = "", division: str = "", subject: str = "", status: str = "", page: int = 1
) -> tuple[list[PublicInstitution], int, int]:
    """One page of the public query: (rows, total matches, pages). Pages beyond ``PUBLIC_MAX_PAGES`` are empty."""
    rows = _filtered(Institution.objects.all(), q=q, division=division, subject=subject, status=status)
    total = rows.count()
    pages = min(PUBLIC_MAX_PAGES, max(1, -(-total // PUBLIC_PAGE)))
    page = max(1, page)
    if page > pages:
        return [], total, pages
    start = (page - 1) * PUBLIC_PAGE
    return _public(rows.order_by("division_id", "name", "id")[start : start + PUBLIC_PAGE]), total, pages


def public_get(*, institution_id: int) -> tuple[PublicInstitution, list[PublicStaff]]:
    rows = _public(Institution.objects.filter(pk=institution_id))
    if not rows:
        raise NotFound()
    staff = [
        PublicStaff(mask_name(s.name), s.subject, s.qualification, mask_certificate(s.certificate_no))
        for s in InstitutionStaff.objects.filter(institution_id=institution_id)
    ]
    return rows[0], staff


def public_all() -> list[PublicInstitution]:
    """Every institution, for the open-data export (the same public fields as the page)."""
    return _public(Institution.objects.order_by("division_id", "licence_no"), everyone=True)


def public_districts() -> list[Division]:
    """Districts that have institutions, for the query's district choice."""
    codes = Institution.objects.values_list("division_id", flat=True).distinct()
    return list(Division.objects.filter(code__in=codes).order_by("code"))


def public_version() -> str:
    """Changes whenever the public facts may have: the count and latest change of institutions, staff and
    inspections (the export's cache key)."""
    parts = [
        Institution.objects.aggregate(n=Count("id"), at=Max("updated_at")),
        InstitutionStaff.objects.aggregate(n=Count("id"), at=Max("id")),
        Inspection.objects.aggregate(n=Count("id"), at=Max("id")),
    ]
    return "-".join(f"{p['n']}.{p['at']}" for p in parts).replace(" ", "T")
