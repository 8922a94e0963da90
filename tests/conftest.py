from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """Each test anchors the audit chain in its own file (as src/zhijiao/conftest.py does for the app tests): an
    anchor left in $ZHIJIAO_HOME by a demo or an earlier test names events this test's database does not hold."""
    settings.ZHIJIAO_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The access matrix's figures (tests/test_access_matrix.py), when it ran."""
    matrix = getattr(config, "_zhijiao_access_matrix", None)
    if matrix is None:
        return
    counts = matrix.counts()
    terminalreporter.section("access matrix")
    terminalreporter.write_line(
        f"cells checked: {counts['cells']}, allowed: {counts['allowed']}, denied: {counts['denied']}, "
        f"mismatches: {counts['mismatches']} ({matrix.seconds:.0f} s)"
    )
    for (role, kind, key, channel), cell in sorted(matrix.cells.items()):
        if cell.reason:
            terminalreporter.write_line(f"  {role} × {kind} {key} × {channel}: {cell.reason}")
