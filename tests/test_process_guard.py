"""A test that starts a process without the `process` marker fails, so `make check` (which
deselects that marker) never runs a slow real-process test by accident."""

from __future__ import annotations

import pytest

UNMARKED = """
import subprocess

def test_starts_a_process():
    subprocess.run(["true"], check=True)

def test_swallows_the_refusal():
    try:
        subprocess.run(["true"], check=True)
    except Exception:
        pass
"""


def test_an_unmarked_test_that_starts_a_process_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=UNMARKED)
    result = pytester.runpytest_inprocess("-p", "tests.process_guard", "-p", "no:asyncio")
    result.assert_outcomes(failed=1, passed=1, errors=1)  # the second fails at teardown
    result.stdout.fnmatch_lines(["*test_starts_a_process starts a process (true); mark it*"])
    result.stdout.fnmatch_lines(["*test_swallows_the_refusal started processes but is not marked*"])
