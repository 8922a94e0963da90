from __future__ import annotations

import pytest

from zhijiao.curriculum.loading import taxonomy_ensure


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The data migration loads the taxonomy, but a transactional test elsewhere flushes it: load it again."""
    if "db" not in request.fixturenames and "region" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    taxonomy_ensure()
