"""The match stage's modules import one another in one direction only
(issue 11: ``matcher`` and ``titles`` used to import each other inside
functions to dodge the circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import verifier.match

PACKAGE = Path(verifier.match.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every ``verifier.match.*`` module imported anywhere in the file,
    inside functions and ``TYPE_CHECKING`` blocks too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n.startswith("verifier.match.") and n.count(".") == 2}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"verifier.match.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & set(modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_circle_in_the_match_stage() -> None:
    graph = _graph()
    assert "verifier.match.passages" in graph["verifier.match.titles"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
