"""The product package stands alone: nothing under bot/ imports the tests or the benchmarks
(only bot* is installed, so such an import breaks the installed bot and the sandbox). The
emulator's test kit (drivers, clients, the in-process session) is tests/kit."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_product_module_imports_the_tests_or_the_benchmarks() -> None:
    offending = sorted(
        f"{path.relative_to(BOT.parent)}: {module}"
        for path in BOT.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in ("tests", "bench")
    )
    assert not offending, offending

