from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhijiao.curriculum.models import TextbookVolume


def test_export_import_and_stats_from_the_shell(db, tmp_path, capsys):
    out = tmp_path / "pep-physics.xlsx"
    call_command("curriculum", "export", "--edition", "pep", "--subject", "物理", str(out))
    call_command("curriculum", "import", str(out), "--json")
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result["ok"] and result["rows_in"] == result["unchanged"] > 100 and result["editions"] == ["人教版 初中物理"]
    call_command("curriculum", "stats", "--json")
    books = json.loads(capsys.readouterr().out)
    assert len(books) == TextbookVolume.objects.count()
    assert {"edition": "人教A版 高中数学", "book": "必修第一册"}.items() <= books[-5].items()
    call_command("curriculum", "stats")
    assert "| 人教A版 高中数学 | 5 | 18 | 73 | 75 |" in capsys.readouterr().out


def test_a_rejected_file_exits_1_and_names_the_rows(db, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("版本代码,版本名称,出版社,学科,学段,册次代码,册次,年级,学期,章节编号,章节名称,上级章节\n"
                   "hz,杭州,,数学,初中,7a,七年级上册,七年级,秋,1,数与式,\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        call_command("curriculum", "import", str(bad))
    assert exit_info.value.code == 1
    assert "第2行 学期：学期应填 上、下 或 全" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有这个教材版本"):
        call_command("curriculum", "export", "--edition", "nope", str(tmp_path / "x.csv"))
