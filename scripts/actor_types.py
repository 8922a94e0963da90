"""Count public functions under src/zhijiao that take an ``actor`` and how many annotate it (issue 13, "typed actor").

Run: ``uv run python scripts/actor_types.py``. Prints ``typed N of M`` and, for each public function whose
``actor`` has no annotation (or only ``Any``/``object``, which say nothing), ``path:line name``. Test modules
(``tests/`` folders, ``test_*.py``, ``conftest.py``) and migrations are skipped; a function is public when its name
has no leading underscore. ``tests/test_actor_typed.py`` runs the same count and fails on any untyped one.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "zhijiao"


@dataclass(frozen=True)
class ActorParam:
    path: Path
    line: int
    function: str
    typed: bool


def _is_skipped(path: Path, src: Path) -> bool:
    parts = path.relative_to(src).parts
    return "tests" in parts or "migrations" in parts or path.name.startswith("test_") or path.name == "conftest.py"


def _actor_arg(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.arg | None:
    args = node.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg == "actor":
            return arg
    return None


def _says_something(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation).strip("'\"")
    return text not in {"Any", "typing.Any", "object"}


def actor_params(src: Path = SRC) -> list[ActorParam]:
    """Every public function (any nesting) in non-test modules under ``src`` that has an ``actor`` parameter."""
    found: list[ActorParam] = []
    for path in sorted(src.rglob("*.py")):
        if _is_skipped(path, src):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
                continue
            arg = _actor_arg(node)
            if arg is not None:
                found.append(ActorParam(path, node.lineno, node.name, _says_something(arg.annotation)))
    return found


def main() -> int:
    params = actor_params()
    root = SRC.parent.parent
    for param in params:
        if not param.typed:
            print(f"{param.path.relative_to(root)}:{param.line} {param.function}")
    typed = sum(param.typed for param in params)
    print(f"typed {typed} of {len(params)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
