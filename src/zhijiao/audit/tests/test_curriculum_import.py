"""A taxonomy import is audited (who, which file, from where, the counts), from the shell and from the web; a
file refused for its rows is audited as refused. Curriculum cannot call the audit log: it tells ``curriculum.hooks``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from zhijiao.audit.models import AuditEvent
from zhijiao.curriculum.tabular import COLUMNS, write_csv
from zhijiao.testing import login_as

BOOK = ["hz", "杭州自编", "", "数学", "初中", "7a", "七年级上册", "七年级", "上"]


def _file(term: str = "上") -> bytes:
    rows = [[*BOOK[:8], term, "1", "数与式", ""], [*BOOK[:8], term, "1", "", "", "HZ-001", "整数", "自然数", "M3-001"]]
    return write_csv([[*r, *[""] * (len(COLUMNS) - len(r))] for r in rows])


def test_an_import_from_the_shell_is_audited_with_its_counts(db, tmp_path, capsys):
    path = tmp_path / "hz.csv"
    path.write_bytes(_file())
    call_command("curriculum", "import", str(path))
    event = AuditEvent.objects.get(action="taxonomy.import")
    assert (event.channel, event.actor_id, event.target_type, event.target_id) == (
        "cli",
        None,
        "curriculum_file",
        "hz.csv",
    )
    assert event.target_label == "课程体系：hz.csv（杭州自编 初中数学；2 行：新增 2，更新 0，未变 0）"


def test_a_web_import_and_a_refused_file_are_audited_with_who_and_where(client, region):
    login_as(client, "bureau")
    done = client.post("/curriculum/import/", {"file": SimpleUploadedFile("hz.csv", _file())})
    assert done.status_code == 200
    refused = client.post("/curriculum/import/", {"file": SimpleUploadedFile("bad.csv", _file(term="秋"))})
    assert refused.status_code == 400
    made, bad = AuditEvent.objects.filter(action__startswith="taxonomy.").order_by("pk")
    bureau = region.accounts["bureau"]
    assert (made.action, made.actor_id, made.channel, made.ip) == ("taxonomy.import", bureau.pk, "web", "127.0.0.1")
    assert "新增 2" in made.target_label
    assert (bad.action, bad.actor_id, bad.target_id) == ("taxonomy.import_rejected", bureau.pk, "bad.csv")
    assert bad.target_label == "课程体系：bad.csv（2 行，2 行需改正，未导入）"


@pytest.mark.parametrize("action", ["taxonomy.import", "taxonomy.import_rejected"])
def test_the_actions_have_chinese_labels(action):
    from zhijiao.audit.actions import action_info

    assert action_info(action).label != action
