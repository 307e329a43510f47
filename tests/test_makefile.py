"""The two commands on a fresh machine: `make run` installs what running needs, `make test`
the test tools too (checked with `make -n` in an empty folder: nothing is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.process, pytest.mark.skipif(shutil.which("make") is None, reason="needs make")]


def planned(target: str, folder: Path) -> str:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    done = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_run_installs_only_what_running_needs(tmp_path: Path) -> None:
    commands = planned("run", tmp_path)
    assert "-m venv .venv" in commands
    assert "pip install" in commands and "-e ." in commands
    assert "[dev]" not in commands  # no pytest, ruff or playwright to run the bot
    assert commands.rstrip().endswith(".venv/bin/python -m bot")


def test_make_test_installs_the_test_tools(tmp_path: Path) -> None:
    commands = planned("test", tmp_path)
    assert "-e '.[dev]'" in commands
    assert "-m ruff check" in commands and "-m pytest" in commands


def test_make_check_leaves_out_only_the_slow_marked_tests_and_make_test_runs_all(
    tmp_path: Path,
) -> None:
    check = planned("check", tmp_path)
    assert "-m ruff check" in check
    assert '-m "not process and not browser and not reliability"' in check
    everything = planned("test", tmp_path)
    assert everything.rstrip().endswith("-m pytest")  # no selection: CI runs every test
