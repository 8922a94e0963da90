"""The `zhijiao` command as an operator types it."""

from __future__ import annotations

import pytest

from zhijiao.cli import COMMANDS, main


def test_help_lists_the_contract_commands(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for name in ("demo", "serve", "migrate", "check", "generate", "worker"):
        assert name in out and name in COMMANDS


def test_unknown_command_says_so_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "未知命令" in capsys.readouterr().err


@pytest.mark.django_db
def test_check_passes_on_an_empty_registry(capsys):
    main(["check"])
    out = capsys.readouterr().out
    assert "[通过] 行政区划代码" in out and "异常" not in out
