"""Waiting in tests on an explicit condition, never for a fixed time.

`wait_until(check)` re-checks a condition (of this process or another one) until it holds;
`until_suspended(task)` returns once a task has run up to a real wait, so that what the test
does next happens while the task waits, not before it started.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def wait_until(
    check: Callable[[], bool | Awaitable[bool]],
    timeout: float = 20.0,  # noqa: ASYNC109 - the longest a failing test waits
    what: str = "condition",
    interval: float = 0.01,
) -> None:
    """Return as soon as `check()` (a plain or an async function) is true; fail after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


def _suspended(task: asyncio.Future[Any]) -> bool:
    coro = task.get_coro() if isinstance(task, asyncio.Task) else None
    return task.done() or (
        coro is not None and inspect.getcoroutinestate(coro) == inspect.CORO_SUSPENDED
    )


async def until_suspended(*tasks: asyncio.Future[Any], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Return once every task has started and waits (or has already finished: the test's own
    assertions then say whether it should have)."""
    await wait_until(lambda: all(_suspended(task) for task in tasks), timeout, "tasks to wait")
