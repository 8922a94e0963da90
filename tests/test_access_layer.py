"""No code outside the access layer reads role grants (issue 13): the grep of the issue, run over the sources."""

from __future__ import annotations

import re
from pathlib import Path

import zhijiao

SRC = Path(zhijiao.__file__).parent
# Naming the grant model, an account's grant rows, a loop over them, or comparing with a role's raw string.
GRANT_READ = re.compile(r'RoleGrant|\.grants\b|for g in .*grants|"region_admin"')


def _outside_access() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".html", ".txt"}
        and not {"tests", "migrations"} & set(path.relative_to(SRC).parts)
        and path.relative_to(SRC).parts[0] != "access"
    ]


def test_no_grant_reads_outside_access() -> None:
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in _outside_access()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if GRANT_READ.search(line)
    ]
    assert found == [], "role grants read outside zhijiao.access:\n" + "\n".join(found)


def test_the_check_sees_the_sources() -> None:
    # a check that walks nothing cannot fail: make sure it reads the apps that used to read grants
    names = {str(p.relative_to(SRC)) for p in _outside_access()}
    assert {"identity/selectors.py", "analytics/indicators.py", "web/views.py"} <= names
    assert GRANT_READ.search("for g in scope.grants:")
