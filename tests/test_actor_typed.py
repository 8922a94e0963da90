"""Every public function that takes an ``actor`` annotates it (issue 13, "typed actor").

The count is ``scripts/actor_types.py``'s (run it to see the figures and any untyped ``file:line``): public
functions (no leading underscore) in non-test modules under ``src/zhijiao`` with a parameter named ``actor``;
``Any`` or ``object`` counts as untyped.
Type it ``Actor`` (``zhijiao.access.types``; ``zhijiao.core.actor`` in org and people, below access),
``Actor | None`` where the platform's own jobs pass None, or ``Account`` inside identity.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "actor_types.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("actor_types", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_every_public_actor_is_typed() -> None:
    params = _script().actor_params()
    untyped = [f"{p.path.name}:{p.line} {p.function}" for p in params if not p.typed]
    assert len(params) > 150, "the walk found too few functions: is src/zhijiao where the script looks?"
    assert untyped == [], f"type these functions' actor (Actor, Actor | None): {untyped}"


def test_the_count_sees_an_untyped_actor(tmp_path: Path) -> None:
    (tmp_path / "services.py").write_text(
        "def thing_make(*, actor, name): ...\n"
        "def thing_drop(*, actor: Actor | None = None): ...\n"
        "def _helper(actor): ...\n"
        "class View:\n"
        "    def get(self, request, actor=None): ...\n"
        "def other(account): ...\n"
        "def thing_list(*, actor: Any): ...\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_services.py").write_text("def test_x(actor): ...\n")
    found = {(p.function, p.typed) for p in _script().actor_params(tmp_path)}
    assert found == {("thing_make", False), ("thing_drop", True), ("get", False), ("thing_list", False)}
