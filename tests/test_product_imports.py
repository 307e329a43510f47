"""The product package stands alone: nothing under bot/ imports the tests or the benchmarks
(only bot* is installed, so such an import breaks the installed bot and the sandbox). The
emulator's test kit (drivers, clients, the in-process session) is tests/kit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

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



IMPORT_EACH_FIRST = """
import importlib, pkgutil, sys, traceback
import bot
names = sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot."))
failed = []
for name in names:
    for loaded in [n for n in sys.modules if n == "bot" or n.startswith("bot.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=1).strip().splitlines()[-1])
print(len(names))
print("\\n".join(failed))
"""


@pytest.mark.process
def test_every_product_module_imports_when_it_is_the_first() -> None:
    """No import cycle that works only in the order bot.app happens to import things: each
    module imports on its own, as a tool, a test or a later import order would."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST], cwd=BOT.parent, capture_output=True,
        text=True, check=True, timeout=300,
    )
    count, *failed = done.stdout.splitlines()
    assert int(count) > 100
    assert not [line for line in failed if line], failed
