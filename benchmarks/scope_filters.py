"""Scope filters: time to build a request's registry filters and compile one student query, per role.

Run: ``uv run python benchmarks/scope_filters.py`` (SQLite, the test region in a throw-away database). Prints, per
account, the milliseconds to build a fresh Scope's students/classes/staff filters and compile ten student queries
with them (a student detail compiles about ten), and the number of SELECTs in the compiled SQL.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("ZHIJIAO_HOME", tempfile.mkdtemp(prefix="zh-bench-scope-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")

import django

django.setup()

from django.core.exceptions import EmptyResultSet  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from timing import timed  # noqa: E402

from zhijiao.access.scope import scope_for  # noqa: E402
from zhijiao.identity.models import Account  # noqa: E402
from zhijiao.people.models import Student  # noqa: E402
from zhijiao.testing import build_test_region  # noqa: E402

USERS = ["bureau", "principal", "head", "teacher", "student", "parent"]


def _compile(q) -> str:
    try:
        return str(Student.objects.filter(q).query)
    except EmptyResultSet:
        return ""


def main() -> None:
    call_command("migrate", verbosity=0)
    build_test_region()
    print(f"{'account':<10} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'SELECTs':>8}")
    for username in USERS:
        account = Account.objects.get(username=username)

        def request(account: Account = account) -> None:
            account.__dict__.pop("_zhijiao_scope", None)  # a new request: a new Scope
            scope = scope_for(account)
            scope.classes_q(), scope.staff_q()
            for _ in range(10):
                compiler = Student.objects.filter(scope.students_q()).query.get_compiler(connection=connection)
                with contextlib.suppress(EmptyResultSet):
                    compiler.as_sql()

        first, p50, p95 = timed(request, runs=50)
        selects = _compile(scope_for(account).students_q()).count("SELECT")
        print(f"{username:<10} {first:>9.2f} {p50:>8.2f} {p95:>8.2f} {selects:>8}")


if __name__ == "__main__":
    main()
