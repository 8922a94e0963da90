"""Every audit action code and target type written anywhere in the code has a Chinese label for the auditor."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import zhijiao
from zhijiao.audit.actions import _LABELS, GROUPS, OTHER_GROUP, TARGET_LABELS, action_info

SRC = Path(zhijiao.__file__).parent
ACTION = re.compile(rf"^({'|'.join(GROUPS)})(\.[a-z_]*[a-z])+$")  # not the "analytics.warning_" of an f-string
NOT_ACTIONS = {
    "audit.key",  # file names that look like codes (the audit key file in $ZHIJIAO_HOME and the backup)
    "spaces.leave",  # the 网络学习空间 panels' keys (core.space_panels)
    "spaces.messages",
    "spaces.resources",
    "services.admission",  # the outbox's source of 招生's texts (core.outbox, services.sms.SOURCE)
}

# Action codes built at run time, as "<file>: <f-string>" → how to expand them. A new one fails the test below
# until it is listed here, so its codes are checked too.
DYNAMIC = {
    "identity/account_admin.py: {action}_denied",  # _refusals_audited("grant.add", …) → grant.add_denied
    "analytics/warnings.py: analytics.warning_{action}",  # _change(action="acknowledged", …)
}


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SRC).parts):
            continue
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _fstring(node: ast.JoinedStr) -> str:
    return "".join(
        v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"  # type: ignore[attr-defined]
        for v in node.values
    )


def _codes_in_source() -> tuple[set[str], set[str]]:
    """(action codes the code writes, the dynamic f-string patterns it uses for them)."""
    codes: set[str] = set()
    dynamic: set[str] = set()
    for name, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ACTION.match(node.value)
                and node.value not in NOT_ACTIONS
            ):
                codes.add(node.value)
            elif isinstance(node, ast.keyword) and node.arg == "action" and isinstance(node.value, ast.JoinedStr):
                dynamic.add(f"{name}: {_fstring(node.value)}")
            elif isinstance(node, ast.Call):
                func = getattr(node.func, "id", getattr(node.func, "attr", ""))
                first = node.args[0] if node.args else None
                if func == "audit_record":  # any app's code, whatever its prefix (a new app's group too)
                    codes.update(
                        kw.value.value
                        for kw in node.keywords
                        if kw.arg == "action" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)
                    )
                if func == "_refusals_audited" and isinstance(first, ast.Constant):
                    codes.add(f"{first.value}_denied")
                if func == "_change" and name == "analytics/warnings.py":
                    for kw in node.keywords:
                        if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                            codes.add(f"analytics.warning_{kw.value.value}")
    return codes, dynamic


def _target_types_in_source() -> set[str]:
    types: set[str] = set()
    for _name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Target" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    types.add(first.value)
    return types


def test_every_action_the_code_writes_has_a_chinese_label():
    codes, dynamic = _codes_in_source()
    assert dynamic == DYNAMIC, "a new computed action code: list it in DYNAMIC and expand it above"
    assert {"auth.login", "person.view_pii", "grant.add_denied", "analytics.warning_assigned"} <= codes
    unlabelled = sorted(c for c in codes if c not in _LABELS)
    assert unlabelled == []
    for code in codes:
        info = action_info(code)
        assert info.label != code and info.group != OTHER_GROUP
        assert re.search(r"[\u4e00-\u9fff]", info.label)


def test_every_target_type_has_a_chinese_label():
    types = _target_types_in_source()
    assert {"account", "student", "warning", "resource"} <= types
    assert sorted(t for t in types if t not in TARGET_LABELS) == []
