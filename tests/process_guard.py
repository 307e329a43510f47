"""Only tests marked `process` start processes, so `make check` (which deselects them) stays
fast and `-m process` finds every slow one.

An audit hook sees every process started while a test runs (its fixtures included). In a test
not marked `process` the start fails at once with a message that says what to mark; should the
code under test swallow that error, the test still fails at teardown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from typing import Any

import pytest

# Helpers that libraries start on their own, not the kind of process the marker is about:
# matplotlib asks fontconfig for the font list when it (re)builds its font cache.
LIBRARY_HELPERS = frozenset({"fc-list"})

SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.posix_spawn", "os.spawn", "os.exec", "os.system"})


class ProcessNotAllowed(RuntimeError):
    """A test not marked `process` tried to start a process."""


class _Guard:
    test: str | None = None  # node id of the running test that may not start processes
    started: list[str] = []  # noqa: RUF012 - one guard per session
    failed = False  # the test failed already (on ProcessNotAllowed or anything else)


def _command(event: str, args: tuple[Any, ...]) -> str:
    if event == "os.system":
        return str(args[0])
    argv = args[1] if event != "os.spawn" else args[2]
    words = [os.fsdecode(word) for word in argv] if argv else [os.fsdecode(args[0])]
    return " ".join(words)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _Guard.test is None or event not in SPAWN_EVENTS:
        return
    command = _command(event, args)
    if os.path.basename(command.split(" ", 1)[0]) in LIBRARY_HELPERS:
        return
    _Guard.started.append(command)
    raise ProcessNotAllowed(
        f"{_Guard.test} starts a process ({command[:120]}); mark it "
        "@pytest.mark.process (make check leaves such tests to make test)"
    )


sys.addaudithook(_audit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    outer = (_Guard.test, _Guard.started, _Guard.failed)  # a test may run pytest itself
    _Guard.test = None if item.get_closest_marker("process") else item.nodeid
    _Guard.started = []
    _Guard.failed = False
    try:
        yield
    finally:
        _Guard.test, _Guard.started, _Guard.failed = outer


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    _Guard.failed = _Guard.failed or report.failed
    if call.when == "teardown" and _Guard.started and not _Guard.failed:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} started processes but is not marked process: {_Guard.started[:3]}"
        )
