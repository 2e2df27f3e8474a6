"""The shared package's shape holds: contexts import one way, the products never import each other, and no
module imports itself back through others. Read from the source with `ast`, so nothing is imported."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "shared" / "pennydesk"
PRODUCTS = ("helpdesk", "spending", "helpcenter")
# Who may import whom: a context stands on the ones listed for it, never on a product.
MAY_IMPORT = {
    "platform": {"platform"},
    "identity": {"platform", "identity"},
    "scheduling": {"platform", "scheduling"},
    **{p: {"platform", "identity", "scheduling", p} for p in PRODUCTS},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package's modules that `path` imports anywhere in its text (top level or inside a function)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pennydesk")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pennydesk"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {m for m in found if m in known}


@cache
def graph() -> dict[str, set[str]]:
    known = modules()
    names = set(known)
    return {name: imports_of(path, names) - {name} for name, path in known.items()}


def context_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None (depth-first, colouring nodes)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_of_three_and_none_in_a_chain() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_shared_package_has_no_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_every_module_lives_in_a_context_folder() -> None:
    loose = [m for m in modules() if m != "pennydesk" and context_of(m) is None and not m.endswith("__init__")]
    assert [m for m in loose if m.count(".") == 1 and m.split(".")[1] not in MAY_IMPORT] == []


@pytest.mark.parametrize("module", sorted(m for m in modules() if context_of(m)))
def test_a_module_imports_only_the_contexts_its_own_stands_on(module: str) -> None:
    own = context_of(module)
    assert own in MAY_IMPORT, f"{module} is in no known context"
    crossing = sorted(m for m in graph()[module] if context_of(m) not in MAY_IMPORT[own])
    assert crossing == [], f"{module} ({own}) imports {crossing}"


def test_helpdesk_and_spending_never_import_each_other() -> None:
    edges = graph()
    across = sorted(
        (a, b)
        for a, targets in edges.items()
        for b in targets
        if {context_of(a), context_of(b)} == {"helpdesk", "spending"}
    )
    assert across == []


def test_no_module_of_the_shared_package_is_over_400_lines() -> None:
    long = {m: n for m, p in modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
