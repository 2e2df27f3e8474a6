"""Test modules share helpers through tests/support/, never by importing one another (or a conftest)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
# A test module (tests.<folder>.test_<name>) or a conftest: neither is a library for other tests.
NOT_A_LIBRARY = re.compile(r"^tests(\.\w+)*\.(test_\w+|conftest)$")


def imported_modules(source: str) -> set[str]:
    """Every module an import statement in `source` names, including `from package import module`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def borrowed_from_tests(source: str) -> set[str]:
    return {module for module in imported_modules(source) if NOT_A_LIBRARY.match(module)}


def modules_under_tests() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def test_the_rule_catches_each_way_of_importing_another_test_module() -> None:
    source = (
        "from tests.integration.test_ticket_conversation import sign_in\n"
        "import tests.e2e.test_local_stack_http\n"
        "from tests.unit import test_tokens\n"
        "def f():\n    from tests.browser.conftest import outbox\n"
        "from tests.support.helpdesk import open_ticket\n"
        "from infra.local.engine import LocalStack\n"
    )
    assert borrowed_from_tests(source) == {
        "tests.integration.test_ticket_conversation",
        "tests.e2e.test_local_stack_http",
        "tests.unit.test_tokens",
        "tests.browser.conftest",
    }


@pytest.mark.parametrize("path", modules_under_tests(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_imports_another_test_module(path: Path) -> None:
    borrowed = borrowed_from_tests(path.read_text())
    assert not borrowed, f"{path.relative_to(TESTS)} imports {sorted(borrowed)}: move what it needs to tests/support/"
