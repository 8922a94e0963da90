"""No file-level import circles inside ``zhijiao`` (issue 13, enforced layers).

A circle is a module that imports, directly or through others, a module that imports it back. Every import
counts: at the top of a file, inside a function, or under ``if TYPE_CHECKING`` — a lazy import hides a circle
from Python, not from the design. Test modules and migrations are left out. The app-level layers are checked by
import-linter (``uv run lint-imports``, contracts in pyproject.toml).
"""

from __future__ import annotations

import grimp

PACKAGE = "zhijiao"

# Circles known today, each a sorted tuple of its modules. The test fails on any circle not listed here, and on
# a listed one that is gone (so the list shrinks as they are fixed). Empty: issue 13 removed the last three
# (demo.files ↔ demo.student_rows, oidc.backchannel ↔ oidc.tasks, resources.recommend ↔ resources.selectors).
KNOWN_CYCLES: set[tuple[str, ...]] = set()


def _skipped(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or "migrations" in parts


def _import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    modules = {m for m in graph.modules if not _skipped(m)}
    return {m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules} for m in modules}


def _cycles(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(tuple(sorted(component)))
    return found


def test_the_cycle_finder_finds_circles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"f"}, "f": {"e"}, "g": set()}
    assert _cycles(edges) == {("a", "b", "c"), ("e", "f")}


def test_no_file_level_import_cycles():
    edges = _import_graph()
    assert "zhijiao.resources.selectors" in edges  # the graph is the real package, not an empty one
    cycles = _cycles(edges)
    new = sorted(cycles - KNOWN_CYCLES)
    gone = sorted(KNOWN_CYCLES - cycles)
    described = [
        " ↔ ".join(c) + ": " + "; ".join(f"{a} → {b}" for a in c for b in sorted(edges[a] & set(c))) for c in new
    ]
    assert not new, "new file-level import circles (move the shared piece to a lower module):\n" + "\n".join(described)
    assert not gone, f"these known circles are gone, remove them from KNOWN_CYCLES: {gone}"
