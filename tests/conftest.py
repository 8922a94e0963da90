from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """Each test anchors the audit chain in its own file (as src/zhijiao/conftest.py does for the app tests): an
    anchor left in $ZHIJIAO_HOME by a demo or an earlier test names events this test's database does not hold."""
    settings.ZHIJIAO_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
