from types import SimpleNamespace

import pytest

from zhijiao.access.permissions import Perm, allows, require
from zhijiao.access.roles import Role
from zhijiao.access.scope import Place, Scope, _narrowest
from zhijiao.core.errors import Forbidden


class _Actor:
    pk = 1
    is_authenticated = True
    is_active = True
    is_superuser = False


class _Grant:
    def __init__(self, role, division_id=None, school_id=None, school_class_id=None):
        self.role, self.division_id, self.school_id, self.school_class_id = (
            role,
            division_id,
            school_id,
            school_class_id,
        )


def _scope(*grants) -> Scope:
    actor = _Actor()
    scope = Scope(account=actor, grants=list(grants))
    actor._zhijiao_scope = scope  # type: ignore[attr-defined]
    return scope


def test_bureau_governs_its_subtree_only():
    scope = _scope(_Grant(Role.REGION_ADMIN, division_id="4201"))
    assert allows(scope, Perm.GOVERN, "420102")
    assert not allows(scope, Perm.GOVERN, "4202")
    assert not allows(scope, Perm.GOVERN, "")  # the whole platform is the platform administrators'
    with pytest.raises(Forbidden) as caught:
        require(scope.account, Perm.GOVERN, "4301", detail="只能设置本区域的规则")
    assert caught.value.status == 403 and "只能设置本区域的规则" in caught.value.message


def test_manages_school_admin_of_it_or_bureau_above():
    admin = _scope(_Grant(Role.SCHOOL_ADMIN, school_id=7))
    assert admin.manages_school(school_id=7, division_code="420102")
    assert not admin.manages_school(school_id=8, division_code="420102")
    bureau = _scope(_Grant(Role.REGION_ADMIN, division_id="42"))
    assert bureau.manages_school(school_id=8, division_code="420102")
    teacher = _scope(_Grant(Role.TEACHER, school_id=7))
    assert not teacher.manages_school(school_id=7, division_code="420102")


def test_three_officers_platform_wide_or_not():
    assert _scope(_Grant(Role.AUDIT_ADMIN)).holds_everywhere(Role.AUDIT_ADMIN)
    assert not _scope(_Grant(Role.AUDIT_ADMIN, division_id="42")).holds_everywhere(Role.AUDIT_ADMIN)
    assert allows(_scope(_Grant(Role.AUDIT_ADMIN, division_id="42")), Perm.READ_AUDIT)
    assert not allows(_scope(_Grant(Role.REGION_ADMIN, division_id="42")), Perm.READ_AUDIT)


def test_divisions_named_once_in_grant_order():
    scope = _scope(
        _Grant(Role.REGION_ADMIN, division_id="4201"),
        _Grant(Role.INSPECTOR, division_id="42"),
        _Grant(Role.REGION_ADMIN, division_id="4201"),
    )
    assert scope.divisions(Role.REGION_ADMIN) == ["4201"]
    assert scope.divisions() == ["4201", "42"]
    assert _narrowest(["4201", "42", "430102"]) == ["42", "430102"]


def test_covers_a_division_below_or_the_school_itself():
    # places are values built from the grants' loaded nodes; stand-ins for the division and school here
    division = SimpleNamespace(code="4201")
    school = SimpleNamespace(code="4201020001", pk=7, division_id="420102")
    scope = _scope(_Grant(Role.INSPECTOR, division_id="4201"), _Grant(Role.SCHOOL_ADMIN, school_id=7))
    scope.__dict__["places"] = [
        Place(Role.INSPECTOR, "division", division=division),  # type: ignore[arg-type]
        Place(Role.SCHOOL_ADMIN, "school", school=school),  # type: ignore[arg-type]
    ]
    assert scope.covers(division_code="420102", roles={Role.INSPECTOR})
    assert not scope.covers(division_code="4202", roles={Role.INSPECTOR})
    assert not scope.covers(division_code="420102", roles={Role.SCHOOL_ADMIN})
    assert scope.covers(division_code="430102", school_code="4201020001", roles={Role.SCHOOL_ADMIN})
    assert not scope.covers(division_code="420102", school_code="4201020002", roles={Role.SCHOOL_ADMIN})
