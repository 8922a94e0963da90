"""``zhijiao lottery draw|verify``: the offline draw writes the four files; verify exits 0 only on identical bytes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhijiao.services import lottery


def test_draw_then_verify(tmp_path, applicants_csv, capsys):
    source = tmp_path / "名单.csv"
    source.write_bytes(applicants_csv)
    out = tmp_path / "out"
    call_command(
        "lottery",
        "draw",
        "--applicants",
        str(source),
        "--seats",
        "10",
        "--public-input",
        "9319/{2 5}",
        "--out",
        str(out),
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(lottery.FILES)
    assert "已抽签：40 名申请人" in capsys.readouterr().out
    call_command("lottery", "verify", str(out))
    assert "复核通过" in capsys.readouterr().out
    (out / "inputs.json").write_text((out / "inputs.json").read_text().replace('"seats": 10', '"seats": 11'))
    with pytest.raises(SystemExit) as caught:
        call_command("lottery", "verify", str(out))
    assert caught.value.code == 1
    assert "inputs.json 与重新计算的结果不一致" in capsys.readouterr().err


def test_unusable_input_exits_2(tmp_path):
    source = tmp_path / "a.csv"
    source.write_bytes(b"name\nx\n")
    with pytest.raises(CommandError) as caught:
        call_command(
            "lottery",
            "draw",
            "--applicants",
            str(source),
            "--seats",
            "1",
            "--public-input",
            "1",
            "--out",
            str(tmp_path / "o"),
        )
    assert caught.value.returncode == 2 and "报名编号" in str(caught.value)
